//! The reference application (`workflow/examples/reference-app.toml`) translated: what the
//! job holds for each profile, and the application directory and zip Managed Service for
//! Apache Flink gets.

use kdaflow_flink::translate::{
    Input, InputKind, Output, OutputKind, Profile, Request, Step, translate,
};
use kdaflow_flink::{Kind, Translation};
use kdaflow_sql::engine::stage_seed;
use kdaflow_sql::{InAppStream, Program, RecordColumn, ValidationRequest, validate};
use kdaflow_workflow::spec::ApplicationSpec;

fn program() -> (ApplicationSpec, Program) {
    let spec = ApplicationSpec::reference()
        .render(
            &kdaflow_workflow::prerequisites::Prerequisites::example("us-east-1", "000000000000"),
            None,
            None,
        )
        .unwrap();
    let input = InAppStream {
        name: spec.input_stream(),
        columns: spec
            .input
            .schema
            .columns()
            .iter()
            .map(|c| RecordColumn::new(&c.name, &c.sql_type))
            .collect(),
    };
    let outputs: Vec<String> = spec.outputs.iter().map(|o| o.name.clone()).collect();
    let program = validate(&ValidationRequest {
        code: &spec.code,
        inputs: &[input],
        reference: None,
        outputs: &outputs,
    })
    .unwrap();
    (spec, program)
}

fn translated(profile: Profile) -> Translation {
    let (spec, program) = program();
    let inputs = vec![Input {
        stream: spec.input_stream(),
        kind: InputKind::Firehose,
        arn: spec.input.source.resource_arn.clone(),
        preprocessor: true,
        csv_delimiter: Some("\t".into()),
        nested_mappings: Vec::new(),
    }];
    let outputs: Vec<Output> = spec
        .outputs
        .iter()
        .map(|o| Output {
            stream: o.name.clone(),
            kind: if o.name == "APPROXIMATE_COUNT_SQL_STREAM" {
                OutputKind::Kinesis
            } else {
                OutputKind::Lambda
            },
            arn: o.destination.resource_arn.clone(),
            csv: true,
        })
        .collect();
    translate(&Request {
        name: &spec.name,
        program: &program,
        inputs: &inputs,
        outputs: &outputs,
        seed: 7,
        profile,
        prefix: "",
    })
}

#[test]
fn every_pump_is_translated_with_windows_and_the_engines_forest() {
    let t = translated(Profile::Local);
    assert!(t.report.complete, "{}", t.report.markdown());
    let sql = t.job.sql();
    // Two tumbling windows of 5 s, epoch-aligned, ending at the row's ROWTIME.
    assert_eq!(sql.matches("TABLE(TUMBLE(").count(), 2, "{sql}");
    assert!(sql.contains("window_end AS `ROWTIME`"));
    assert!(sql.contains("COUNT(DISTINCT"));
    // One forest, seeded as the engine seeds pump 1's stage 1.
    let forests: Vec<&Step> = t
        .job
        .steps
        .iter()
        .filter(|s| matches!(s, Step::Rcf { .. }))
        .collect();
    assert_eq!(forests.len(), 1);
    let Step::Rcf {
        seed,
        trees,
        sample_size,
        numeric,
        ..
    } = forests[0]
    else {
        unreachable!()
    };
    assert_eq!(
        (*seed, *trees, *sample_size),
        (stage_seed(7, 1, 1), 100, 256)
    );
    assert_eq!(numeric, &vec![0]);
    // A sink per output, one statement set.
    assert_eq!(t.job.sinks.len(), 3);
    assert_eq!(t.job.inserts.len(), 3);
    let udf = t
        .report
        .items
        .iter()
        .filter(|i| i.kind == Kind::Udf)
        .count();
    assert_eq!(udf, 1);
}

#[test]
fn the_aws_profile_replaces_firehose_and_lambda_and_names_what_the_user_sets() {
    let t = translated(Profile::Aws);
    let sql = t.job.sql();
    assert!(sql.contains("'connector' = 'kinesis-legacy'"), "{sql}");
    assert!(sql.contains("METADATA FROM 'timestamp' VIRTUAL"));
    assert!(sql.contains("${INPUT_SOURCE_SQL_STREAM_001_STREAM_NAME}"));
    assert!(sql.contains("${OUTPUT_ANOMALY_SCORE_SQL_STREAM_STREAM_ARN}"));
    // The Kinesis output keeps its ARN.
    assert!(sql.contains("'stream.arn' = 'arn:aws:kinesis:us-east-1:000000000000:stream/"));
    let replaced: Vec<&str> = t
        .report
        .items
        .iter()
        .filter(|i| i.kind == Kind::Replaced)
        .map(|i| i.construct.as_str())
        .collect();
    assert_eq!(
        replaced,
        [
            "Firehose input",
            "input preprocessing Lambda",
            "Lambda output",
            "Lambda output"
        ]
    );
    let props = kdaflow_flink::app::properties(&t);
    let groups = props["PropertyGroups"].as_array().unwrap();
    assert_eq!(
        groups[0]["PropertyMap"]["jarfile"],
        "lib/pyflink-dependencies.jar"
    );
    assert_eq!(groups[0]["PropertyMap"]["python"], "main.py");
    let names: Vec<&String> = groups[1]["PropertyMap"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
}

#[test]
fn the_application_directory_and_its_zip_hold_what_msf_runs() {
    let t = translated(Profile::Aws);
    let dir = std::env::temp_dir().join(format!("kdaflow-flink-app-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let written = kdaflow_flink::app::write(&dir, &t, None).unwrap();
    assert!(written.len() >= 8);
    let zip_path = dir.with_extension("zip");
    kdaflow_flink::app::zip(&dir, &zip_path).unwrap();
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let mut names: Vec<String> = (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().unwrap().to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "job.json",
            "job.sql",
            "kdaflow_rcf.py",
            "lib/README.md",
            "main.py",
            "properties.json",
            "report.json",
            "report.md"
        ]
    );
    // The runner reads the job it was written with.
    let job: kdaflow_flink::Job =
        serde_json::from_reader(zip.by_name("job.json").unwrap()).unwrap();
    assert_eq!(job, t.job);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&zip_path);
}
