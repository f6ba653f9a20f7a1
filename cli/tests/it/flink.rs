//! `kdaflow flink` as a user runs it, without Flink: the translation written to a directory and
//! zipped, and the clear refusals (no PyFlink environment, `--zip` without `--profile aws`, code
//! that does not validate). Running on a real Flink is tested by `flink/tests` and `.ci/run`.

use std::process::Command;

use super::repo;

fn kdaflow(args: &[&str], env_dir: &std::path::Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kdaflow"))
        .args(args)
        .env("KDAFLOW_FLINK_ENV", env_dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn translate_writes_the_application_and_the_code_zip() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ref-msf");
    let spec = repo("workflow/examples/reference-app.toml");
    let (code, stdout, stderr) = kdaflow(
        &[
            "flink",
            "translate",
            spec.to_str().unwrap(),
            "--profile",
            "aws",
            "--out",
            out.to_str().unwrap(),
            "--zip",
        ],
        &dir.path().join("no-env"),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("1 UDF, 4 replaced"),
        "the counts of report.md: {stdout}"
    );
    // Without a PyFlink environment there is no rcf3 to bundle, and the user is told.
    assert!(stderr.contains("kdaflow flink setup"), "{stderr}");
    assert!(stderr.contains("lib/pyflink-dependencies.jar"), "{stderr}");
    for f in [
        "main.py",
        "job.json",
        "job.sql",
        "kdaflow_rcf.py",
        "report.md",
        "report.json",
        "properties.json",
        "lib/README.md",
    ] {
        assert!(out.join(f).is_file(), "{f} written");
    }
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.contains("| input SOURCE_SQL_STREAM_001 | Firehose input | replaced |"),
        "{report}"
    );
    assert!(dir.path().join("ref-msf.zip").is_file());
}

#[test]
fn run_without_the_environment_says_to_run_setup() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("reviews.tsv");
    std::fs::write(&input, "R1\t5\tBooks\tgood\n").unwrap();
    let spec = repo("workflow/examples/reference-app.toml");
    let (code, _, stderr) = kdaflow(
        &[
            "flink",
            "run",
            spec.to_str().unwrap(),
            "--input",
            input.to_str().unwrap(),
        ],
        &dir.path().join("no-env"),
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("no PyFlink environment at") && stderr.contains("kdaflow flink setup"),
        "{stderr}"
    );
}

#[test]
fn a_zip_needs_the_aws_profile_and_bad_code_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let spec = repo("workflow/examples/reference-app.toml");
    let out = dir.path().join("app");
    let (code, _, stderr) = kdaflow(
        &[
            "flink",
            "translate",
            spec.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--zip",
        ],
        dir.path(),
    );
    assert_eq!(code, 1);
    assert!(stderr.contains("--profile aws"), "{stderr}");
    let sql = dir.path().join("bad.sql");
    std::fs::write(&sql, "CREATE STREAM \"OUT\" (x INTEGER);\nCREATE PUMP \"P\" AS INSERT INTO \"OUT\" SELECT STREAM nope FROM \"SOURCE_SQL_STREAM_001\";").unwrap();
    let schema = dir.path().join("schema.json");
    std::fs::write(
        &schema,
        r#"{"RecordFormat": {"RecordFormatType": "CSV"}, "RecordColumns": [{"Name": "x", "SqlType": "INTEGER"}]}"#,
    )
    .unwrap();
    let (code, _, stderr) = kdaflow(
        &[
            "flink",
            "translate",
            sql.to_str().unwrap(),
            "--schema",
            schema.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(code, 1);
    assert!(stderr.contains("CodeValidationException"), "{stderr}");
}
