//! A sample of the documentation corpus (`sql/tests/corpus/docs`, which the engine runs
//! whole in kdaflow-sql's tests) through the twin with the real SDK: each case's application
//! created with aws-sdk-kinesisanalytics (JSON input mapped by column name, JSON output), its
//! reference table (if any) added as a reference data source, its rows put on a Kinesis
//! stream at their ROWTIMEs on virtual time, and the rows read back from the output Kinesis
//! stream compared with the documented ones.

use aws_sdk_kinesisanalytics::types::*;
use kdaflow_asl::clock::{Clock, VirtualClock};
use kdaflow_local::TwinConfig;
use kdaflow_sql::coerce::parse_timestamp;
use serde_json::Value as Json;

use crate::kinesis;
use crate::support::*;

/// The sampled cases: file under `docs/`, case name.
const SAMPLE: [(&str, &str); 5] = [
    (
        "functions/lag.json",
        "LAG 1 and 2 with IGNORE NULLS and default 0 (doc example, constructed rows)",
    ),
    (
        "queries/window-clause.json",
        "Example 1: named window W1, PARTITION BY ticker, RANGE 1 MINUTE: MIN/MAX/AVG per input row",
    ),
    (
        "queries/tumbling-windows.json",
        "per-minute MIN/MAX price with STEP(ROWTIME BY INTERVAL '60' SECOND)",
    ),
    (
        "queries/json-mapping.json",
        "JSON string into BOOLEAN: only 'true' (any case) is true",
    ),
    (
        "queries/example-reference-data-join.json",
        "LEFT JOIN stream to reference table: unmatched ticker yields NULL company",
    ),
];

fn case(file: &str, name: &str) -> Json {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../sql/tests/corpus/docs")
        .join(file);
    let page: Json = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    page["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("{file} has no case {name:?}"))
        .clone()
}

fn columns(spec: &Json, mapped: bool) -> Vec<RecordColumn> {
    spec.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let name = c["name"].as_str().unwrap();
            let b = RecordColumn::builder()
                .name(name)
                .sql_type(c["sqlType"].as_str().unwrap());
            if mapped {
                b.mapping(format!("$.{name}"))
            } else {
                b
            }
            .build()
            .unwrap()
        })
        .collect()
}

fn rowtime(row: &Json) -> i64 {
    parse_timestamp(row["ROWTIME"].as_str().unwrap()).unwrap()
}

/// Runs one case on a fresh twin and returns the output rows as JSON objects.
async fn run_on_twin(case: &Json) -> Vec<Json> {
    let rows = case["input"]["rows"].as_array().unwrap().clone();
    let first = rowtime(&rows[0]);
    let clock = VirtualClock::at_epoch_seconds(first.div_euclid(1000) - 10);
    let h = Harness::with_clock(TwinConfig::default(), clock).await;
    let ks = kinesis::client(&h.running.endpoint_url());
    kinesis::create(&ks, "corpus-in", 1).await;
    kinesis::create(&ks, "corpus-out", 1).await;
    let mut output = stream_output(
        "DESTINATION_SQL_STREAM",
        &h.twin().kinesis().arn("corpus-out"),
        arns::ROLE_KINESIS,
    );
    output.destination_schema = Some(
        DestinationSchema::builder()
            .record_format_type(RecordFormatType::Json)
            .build()
            .unwrap(),
    );
    let input = Input::builder()
        .name_prefix("SOURCE_SQL_STREAM")
        .kinesis_streams_input(
            KinesisStreamsInput::builder()
                .resource_arn(h.twin().kinesis().arn("corpus-in"))
                .role_arn(arns::ROLE_KINESIS)
                .build()
                .unwrap(),
        )
        .input_schema(
            SourceSchema::builder()
                .record_format(record_format(true))
                .set_record_columns(Some(columns(&case["input"]["columns"], true)))
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let c = &h.client;
    c.create_application()
        .application_name("corpus")
        .inputs(input)
        .outputs(output)
        .send()
        .await
        .unwrap();
    let mut version = 1;
    if let Some(r) = case.get("reference") {
        // The table as CSV, in its column order.
        let cols: Vec<&str> = r["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        let csv: String = r["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| {
                let cells: Vec<String> = cols
                    .iter()
                    .map(|c| match &row[c] {
                        Json::String(s) => s.clone(),
                        Json::Null => String::new(),
                        v => v.to_string(),
                    })
                    .collect();
                format!("{}\n", cells.join(","))
            })
            .collect();
        put_object(
            &h.running.endpoint_url(),
            "corpus",
            "table.csv",
            csv.as_bytes(),
        )
        .await;
        c.add_application_reference_data_source()
            .application_name("corpus")
            .current_application_version_id(version)
            .reference_data_source(reference_data_source(
                r["name"].as_str().unwrap(),
                "corpus",
                "table.csv",
                record_format(false),
                columns(&r["columns"], false),
            ))
            .send()
            .await
            .unwrap();
        version += 1;
        h.advance_ms(2_000);
    }
    c.update_application()
        .application_name("corpus")
        .current_application_version_id(version)
        .application_update(
            ApplicationUpdate::builder()
                .application_code_update(case["code"].as_str().unwrap())
                .build(),
        )
        .send()
        .await
        .unwrap();
    h.advance_ms(2_000);
    let id = input_id(c, "corpus").await;
    c.start_application()
        .application_name("corpus")
        .input_configurations(start_config(&id, InputStartingPosition::Now))
        .send()
        .await
        .unwrap();
    h.advance_ms(2_000);
    h.twin().pump().await;
    assert_eq!(h.status("corpus").await, ApplicationStatus::Running);
    for row in &rows {
        let wait = rowtime(row) - h.clock.now().timestamp_millis();
        assert!(
            wait >= 0,
            "the case's rows are in ROWTIME order, after the start"
        );
        h.advance_ms(wait);
        let mut record = row.clone();
        record.as_object_mut().unwrap().remove("ROWTIME");
        ks.put_record()
            .stream_name("corpus-in")
            .partition_key("k")
            .data(aws_sdk_kinesis::primitives::Blob::new(record.to_string()))
            .send()
            .await
            .unwrap();
        h.twin().pump().await;
    }
    // Time moves on by two hours: every window of the sample closes (and the output stream,
    // keeping records for 24 hours, still has them all).
    h.advance_ms(2 * 3_600_000);
    h.twin().pump().await;
    kinesis::read_all(&ks, "corpus-out")
        .await
        .iter()
        .map(|line| serde_json::from_str(line.trim()).unwrap())
        .collect()
}

#[tokio::test]
async fn a_sample_of_the_documentation_corpus_runs_on_the_twin() {
    for (file, name) in SAMPLE {
        let case = case(file, name);
        let got = run_on_twin(&case).await;
        // The output records have the stream's columns (no ROWTIME or stream name).
        let expected: Vec<Json> = case["output"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| {
                let mut row = row.clone();
                let m = row.as_object_mut().unwrap();
                m.remove("stream");
                m.remove("ROWTIME");
                row
            })
            .collect();
        assert_eq!(got, expected, "{file}#{name}");
    }
}
