//! `kdaflow sql check` and `kdaflow sql run`: an application validated and run offline, from a
//! spec or from a `.sql` file with an InputSchema.

use crate::{kdaflow, repo};

const CODE: &str = r#"CREATE STREAM "OUT" (ticker VARCHAR(4), n BIGINT);
CREATE PUMP "P" AS INSERT INTO "OUT"
  SELECT STREAM "ticker", COUNT(*) FROM "SOURCE_SQL_STREAM_001"
  GROUP BY "ticker", STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND);
"#;

const SCHEMA: &str = r#"{"RecordFormat": {"RecordFormatType": "CSV",
  "MappingParameters": {"CSVMappingParameters": {"RecordRowDelimiter": "\n", "RecordColumnDelimiter": ","}}},
  "RecordColumns": [{"Name": "ticker", "SqlType": "VARCHAR(4)"}, {"Name": "price", "SqlType": "DOUBLE"}]}"#;

/// A `.sql` application and its InputSchema in a temporary directory.
struct App {
    dir: tempfile::TempDir,
}

impl App {
    fn new(code: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("app.sql"), code).unwrap();
        std::fs::write(dir.path().join("schema.json"), SCHEMA).unwrap();
        Self { dir }
    }

    /// A file of the directory, written with `text`; its path.
    fn file(&self, name: &str, text: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    /// `kdaflow sql <command> app.sql --schema schema.json <extra...>`.
    fn sql(&self, command: &str, extra: &[&str]) -> (i32, String, String) {
        let (sql, schema) = (self.path("app.sql"), self.path("schema.json"));
        let mut args = vec!["sql", command, sql.as_str(), "--schema", schema.as_str()];
        args.extend_from_slice(extra);
        kdaflow(&args)
    }

    /// `kdaflow sql run` over `input` (one record per line) with `extra` flags.
    fn run(&self, input: &str, extra: &[&str]) -> (i32, String, String) {
        let input = self.file("in.csv", input);
        let mut args = vec!["--input", input.as_str()];
        args.extend_from_slice(extra);
        self.sql("run", &args)
    }
}

#[test]
fn check_a_spec_and_a_sql_file() {
    let (code, out, err) = kdaflow(&[
        "sql",
        "check",
        repo("workflow/examples/reference-app.toml")
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("valid"), "{out}");

    let bad = App::new(
        "CREATE STREAM \"OUT\" (n BIGINT);\nCREATE PUMP \"P\" AS INSERT INTO \"OUT\" SELEKT 1;\n",
    );
    let (code, _, err) = bad.sql("check", &[]);
    assert_eq!(code, 1);
    assert!(
        err.contains("CodeValidationException") && err.contains("line 2"),
        "{err}"
    );

    let (code, _, err) = kdaflow(&["sql", "check", &bad.path("app.sql")]);
    assert_ne!(code, 0);
    assert!(err.contains("--schema"), "{err}");
}

#[test]
fn run_closes_windows_and_reports_bad_rows() {
    let (code, out, err) = App::new(CODE).run(
        "AMZN,1.5\nAAPL,2\nAMZN,3\nnot-a-row\nAMZN,4\nAAPL,5\n",
        &["--rate", "1", "--jsonl"],
    );
    assert_eq!(code, 0, "{err}");
    let rows: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let counts: Vec<(String, i64)> = rows
        .iter()
        .filter(|r| r["stream"] == "OUT")
        .map(|r| {
            assert_eq!(r["ROWTIME"], "2026-01-01 00:00:10.000", "{r}");
            let vals: Vec<&serde_json::Value> = r
                .as_object()
                .unwrap()
                .iter()
                .filter(|(k, _)| *k != "stream" && *k != "ROWTIME")
                .map(|(_, v)| v)
                .collect();
            (
                vals[0].as_str().unwrap().to_string(),
                vals[1].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        vec![("AMZN".to_string(), 3), ("AAPL".to_string(), 2)],
        "{out}"
    );
    // The line that is not a row is an error_stream row, not lost.
    assert_eq!(
        rows.iter()
            .filter(|r| r["stream"] == "error_stream")
            .count(),
        1,
        "{out}"
    );
    assert!(err.contains("6 records in"), "{err}");
}

#[test]
fn explain_and_expect() {
    let (code, out, err) = kdaflow(&[
        "sql",
        "explain",
        repo("workflow/examples/reference-app.toml")
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("tumbling window (STEP"), "{out}");
    assert!(out.contains("RANDOM_CUT_FOREST over"), "{out}");
    assert!(out.contains("COUNT_DISTINCT_ITEMS_TUMBLING"), "{out}");

    let app = App::new(CODE);
    let input = "AMZN,1\nAMZN,2\n";
    let (_, out, _) = app.run(input, &["--jsonl"]);
    let run = |expected: &str| {
        let file = app.file("expected.jsonl", expected);
        app.run(input, &["--expect", &file])
    };
    let (code, _, err) = run(&out);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("as expected: 1 rows"), "{err}");
    let (code, _, err) = run(&out.replace(":2}", ":3}"));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("1 row(s) differ") && err.contains("- {"),
        "{err}"
    );
}

#[test]
fn a_reference_table_from_a_file_joins_the_input() {
    let app = App::new(
        r#"CREATE STREAM "OUT" (ticker VARCHAR(4), company VARCHAR(16), price DOUBLE);
CREATE PUMP "P" AS INSERT INTO "OUT"
  SELECT STREAM s."ticker", c."company", s."price"
  FROM "SOURCE_SQL_STREAM_001" AS s LEFT JOIN "COMPANIES" AS c ON s."ticker" = c."ticker";
"#,
    );
    let reference = app.file(
        "reference.json",
        r#"{"TableName": "COMPANIES", "ReferenceSchema": {"RecordFormat": {"RecordFormatType": "CSV",
  "MappingParameters": {"CSVMappingParameters": {"RecordRowDelimiter": "\n", "RecordColumnDelimiter": ","}}},
  "RecordColumns": [{"Name": "ticker", "SqlType": "VARCHAR(4)"}, {"Name": "company", "SqlType": "VARCHAR(16)"}]}}"#,
    );
    let data = app.file("companies.csv", "AMZN,Amazon\nMSFT,Microsoft\n");
    // Without the table the code does not validate, as on the service.
    let (code, _, err) = app.sql("check", &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("COMPANIES"), "{err}");
    let (code, out, err) = app.sql("check", &["--reference", &reference]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = app.run(
        "AMZN,10.5\nORCL,3\n",
        &[
            "--reference",
            &reference,
            "--reference-data",
            &data,
            "--jsonl",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("reference table COMPANIES: 2 rows"), "{err}");
    let rows: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows[0]["COMPANY"], "Amazon", "{out}");
    assert_eq!(rows[1]["COMPANY"], serde_json::Value::Null, "{out}");
    let (code, out, _) = app.sql("explain", &["--reference", &reference]);
    assert_eq!(code, 0);
    assert!(
        out.contains("LEFT OUTER JOIN reference table COMPANIES"),
        "{out}"
    );
}

#[test]
fn format_reads_the_input_as_tsv_or_json_whatever_the_schema_says() {
    let app = App::new(CODE);
    // The schema says CSV; the files are TSV and JSON lines.
    let (code, out, err) = app.run("AMZN\t1.5\nAMZN\t2\n", &["--format", "tsv", "--jsonl"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(r#""N":2"#), "{out}");
    let (code, out, err) = app.run(
        "{\"ticker\": \"MSFT\", \"price\": 3}\n{\"ticker\": \"MSFT\", \"price\": 4}\n",
        &["--format", "json", "--jsonl"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(r#""TICKER":"MSFT","N":2"#), "{out}");
    let (code, _, err) = app.run("x\n", &["--format", "xml"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("csv") && err.contains("tsv") && err.contains("json"),
        "{err}"
    );
}
