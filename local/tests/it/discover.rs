//! DiscoverInputSchema through `aws-sdk-kinesisanalytics`, sampling the twin's own Firehose
//! delivery streams and Kinesis streams (written through their SDK clients), with and without
//! an input preprocessing function.

use aws_sdk_firehose::primitives::Blob as FhBlob;
use aws_sdk_firehose::types::Record;
use aws_sdk_kinesis::primitives::Blob as KsBlob;
use aws_sdk_kinesis::types::PutRecordsRequestEntry;
use aws_sdk_kinesisanalytics::operation::discover_input_schema::{
    DiscoverInputSchemaError, DiscoverInputSchemaOutput,
};
use aws_sdk_kinesisanalytics::types::*;
use kdaflow_asl::task::LambdaError;
use kdaflow_local::lambda::function;
use kdaflow_local::validation::{decode_blob, encode_blob};
use serde_json::{Value, json};

use crate::support::*;
use crate::{firehose, kinesis};

async fn discover(
    h: &Harness,
    stream: &str,
    position: InputStartingPosition,
    function: Option<&str>,
) -> Result<DiscoverInputSchemaOutput, DiscoverInputSchemaError> {
    let processing = function.map(|f| {
        InputProcessingConfiguration::builder()
            .input_lambda_processor(
                InputLambdaProcessor::builder()
                    .resource_arn(f)
                    .role_arn(arns::ROLE_LAMBDA)
                    .build()
                    .unwrap(),
            )
            .build()
    });
    h.client
        .discover_input_schema()
        .resource_arn(stream)
        .role_arn(arns::ROLE_KINESIS)
        .input_starting_position_configuration(
            InputStartingPositionConfiguration::builder()
                .input_starting_position(position)
                .build(),
        )
        .set_input_processing_configuration(processing)
        .send()
        .await
        .map_err(|e| e.into_service_error())
}

/// (Name, Mapping, SqlType) of each column.
fn columns(schema: &SourceSchema) -> Vec<(String, Option<String>, String)> {
    schema
        .record_columns()
        .iter()
        .map(|c| {
            (
                c.name().to_string(),
                c.mapping().map(str::to_string),
                c.sql_type().to_string(),
            )
        })
        .collect()
}

fn col(name: &str, mapping: Option<&str>, sql_type: &str) -> (String, Option<String>, String) {
    (
        name.to_string(),
        mapping.map(str::to_string),
        sql_type.to_string(),
    )
}

async fn put_firehose(c: &aws_sdk_firehose::Client, stream: &str, records: &[&str]) {
    c.put_record_batch()
        .delivery_stream_name(stream)
        .set_records(Some(
            records
                .iter()
                .map(|r| Record::builder().data(FhBlob::new(*r)).build().unwrap())
                .collect(),
        ))
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn tab_separated_reviews_in_a_firehose_stream_give_a_csv_schema() {
    let h = Harness::new().await;
    let fh = firehose::client(&h.running.endpoint_url());
    let arn = firehose::create(&fh, "reviews").await;
    let reviews = [
        "R1\t5\tBooks\tLoved every page\n",
        "R22\t3\tDigital_Video\tOkay\n",
        "R333\t1\tToys\tBroke on day one, would not buy again\n",
    ];
    put_firehose(&fh, "reviews", &reviews).await;

    let out = discover(&h, &arn, InputStartingPosition::Now, None)
        .await
        .unwrap();
    let schema = out.input_schema().unwrap();
    let format = schema.record_format().unwrap();
    assert_eq!(format.record_format_type(), &RecordFormatType::Csv);
    let csv = format
        .mapping_parameters()
        .unwrap()
        .csv_mapping_parameters()
        .unwrap();
    assert_eq!(csv.record_row_delimiter(), "\n");
    assert_eq!(csv.record_column_delimiter(), "\t");
    assert_eq!(schema.record_encoding(), Some("UTF-8"));
    assert_eq!(
        columns(schema),
        [
            col("COL1", None, "VARCHAR(4)"),
            col("COL2", None, "INTEGER"),
            col("COL3", None, "VARCHAR(16)"),
            col("COL4", None, "VARCHAR(40)"),
        ]
    );
    assert_eq!(
        out.parsed_input_records(),
        [
            vec!["R1", "5", "Books", "Loved every page"],
            vec!["R22", "3", "Digital_Video", "Okay"],
            vec!["R333", "1", "Toys", "Broke on day one, would not buy again"],
        ]
    );
    assert_eq!(out.raw_input_records(), reviews);
    assert_eq!(out.processed_input_records(), reviews);
}

#[tokio::test]
async fn json_records_in_a_kinesis_stream_give_a_json_schema() {
    let h = Harness::new().await;
    let ks = kinesis::client(&h.running.endpoint_url());
    kinesis::create(&ks, "items", 1).await;
    let arn = "arn:aws:kinesis:us-east-1:000000000000:stream/items";
    let entries = (0..105)
        .map(|i| {
            let record = json!({
                "id": i,
                "name": format!("item-{i}"),
                "price": 1.5,
                "in_stock": i % 2 == 0,
                "meta": {"a": 1},
                "big-num": 5_000_000_000_i64,
            });
            PutRecordsRequestEntry::builder()
                .data(KsBlob::new(record.to_string()))
                .partition_key("k")
                .build()
                .unwrap()
        })
        .collect();
    ks.put_records()
        .stream_name("items")
        .set_records(Some(entries))
        .send()
        .await
        .unwrap();

    let out = discover(&h, arn, InputStartingPosition::TrimHorizon, None)
        .await
        .unwrap();
    let schema = out.input_schema().unwrap();
    let format = schema.record_format().unwrap();
    assert_eq!(format.record_format_type(), &RecordFormatType::Json);
    let mapping = format.mapping_parameters().unwrap();
    assert_eq!(
        mapping.json_mapping_parameters().unwrap().record_row_path(),
        "$"
    );
    assert!(mapping.csv_mapping_parameters().is_none());
    assert_eq!(
        columns(schema),
        [
            col("id", Some("$.id"), "INTEGER"),
            col("name", Some("$.name"), "VARCHAR(8)"),
            col("price", Some("$.price"), "DOUBLE"),
            col("in_stock", Some("$.in_stock"), "BOOLEAN"),
            col("meta", Some("$.meta"), "VARCHAR(8)"),
            col("big_num", Some("$.big-num"), "BIGINT"),
        ]
    );
    // TRIM_HORIZON: the oldest 100.
    assert_eq!(out.raw_input_records().len(), 100);
    assert_eq!(
        out.parsed_input_records()[0],
        ["0", "item-0", "1.5", "true", r#"{"a":1}"#, "5000000000"]
    );
    assert_eq!(out.parsed_input_records()[99][0], "99");

    // NOW: the newest 100 already in the stream (the twin does not wait for new ones).
    let out = discover(&h, arn, InputStartingPosition::Now, None)
        .await
        .unwrap();
    assert_eq!(out.raw_input_records().len(), 100);
    assert_eq!(out.parsed_input_records()[0][0], "5");
    assert_eq!(out.parsed_input_records()[99][0], "104");
}

/// A preprocessing function that uppercases records and drops those that contain "drop".
fn upper(event: Value) -> Value {
    let records: Vec<Value> = event["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let data = decode_blob("data", r["data"].as_str().unwrap()).unwrap();
            let text = String::from_utf8(data).unwrap();
            if text.contains("drop") {
                json!({"recordId": r["recordId"], "result": "Dropped"})
            } else {
                json!({
                    "recordId": r["recordId"],
                    "result": "Ok",
                    "data": encode_blob(text.to_uppercase().as_bytes()),
                })
            }
        })
        .collect();
    json!({ "records": records })
}

#[tokio::test]
async fn a_preprocessing_function_shapes_what_is_inferred() {
    let h = Harness::new().await;
    let fh = firehose::client(&h.running.endpoint_url());
    let arn = firehose::create(&fh, "raw").await;
    let upper_arn = h.twin().lambda().register(
        "upper",
        function("uppercase, drop", |event| async move { Ok(upper(event)) }),
    );
    let raw = ["a,1\n", "drop me,2\n", "bb,3\n"];
    put_firehose(&fh, "raw", &raw).await;

    let out = discover(
        &h,
        &arn,
        InputStartingPosition::TrimHorizon,
        Some(&upper_arn),
    )
    .await
    .unwrap();
    assert_eq!(out.raw_input_records(), raw);
    assert_eq!(out.processed_input_records(), ["A,1\n", "BB,3\n"]);
    assert_eq!(
        out.parsed_input_records(),
        [vec!["A", "1"], vec!["BB", "3"]]
    );
    let schema = out.input_schema().unwrap();
    assert_eq!(
        columns(schema),
        [
            col("COL1", None, "VARCHAR(4)"),
            col("COL2", None, "INTEGER")
        ]
    );

    // Every record dropped: nothing to infer from.
    let fh2 = firehose::create(&fh, "all-dropped").await;
    put_firehose(&fh, "all-dropped", &["drop 1\n", "drop 2\n"]).await;
    let e = discover(&h, &fh2, InputStartingPosition::Now, Some(&upper_arn))
        .await
        .unwrap_err();
    let DiscoverInputSchemaError::UnableToDetectSchemaException(e) = e else {
        panic!("{e:?}");
    };
    assert_eq!(e.raw_input_records(), ["drop 1\n", "drop 2\n"]);
    assert!(e.processed_input_records().is_empty());

    // A function that fails, or does not exist: InvalidArgumentException naming it.
    let broken = h.twin().lambda().register(
        "broken",
        function("fails", |_| async move {
            Err::<Value, _>(LambdaError {
                error_type: Some("Boom".into()),
                error_message: "no".into(),
            })
        }),
    );
    for f in [broken, h.twin().lambda().arn("absent")] {
        let e = discover(&h, &arn, InputStartingPosition::Now, Some(&f))
            .await
            .unwrap_err();
        assert!(e.is_invalid_argument_exception(), "{e:?}");
        assert!(message(&e).contains(&f), "{}", message(&e));
    }
}

#[tokio::test]
async fn empty_and_missing_streams() {
    let h = Harness::new().await;
    let fh = firehose::client(&h.running.endpoint_url());
    let ks = kinesis::client(&h.running.endpoint_url());
    let empty_fh = firehose::create(&fh, "empty").await;
    kinesis::create(&ks, "dsoaws-kinesis-data-stream", 2).await;
    for arn in [empty_fh.as_str(), arns::STREAM] {
        let e = discover(&h, arn, InputStartingPosition::TrimHorizon, None)
            .await
            .unwrap_err();
        let DiscoverInputSchemaError::UnableToDetectSchemaException(e) = e else {
            panic!("{e:?}");
        };
        assert!(e.raw_input_records().is_empty());
        assert!(e.processed_input_records().is_empty());
    }

    for arn in [
        arns::FIREHOSE,
        "arn:aws:kinesis:us-east-1:000000000000:stream/nope",
        "arn:aws:kinesis:eu-west-1:000000000000:stream/dsoaws-kinesis-data-stream",
    ] {
        let e = discover(&h, arn, InputStartingPosition::Now, None)
            .await
            .unwrap_err();
        assert!(e.is_invalid_argument_exception(), "{e:?}");
        assert!(message(&e).contains(arn), "{}", message(&e));
    }
}

#[tokio::test]
async fn an_s3_object_gives_a_schema_from_its_lines() {
    let h = Harness::new().await;
    let endpoint = h.running.endpoint_url();
    put_object(
        &endpoint,
        "samples",
        "reviews.json",
        b"{\"review_id\":\"R1\",\"star_rating\":5}\n{\"review_id\":\"R2\",\"star_rating\":3}\n",
    )
    .await;
    let s3 = |key: &str| {
        S3Configuration::builder()
            .role_arn(arns::ROLE_KINESIS)
            .bucket_arn("arn:aws:s3:::samples")
            .file_key(key)
            .build()
            .unwrap()
    };
    let out = h
        .client
        .discover_input_schema()
        .s3_configuration(s3("reviews.json"))
        .send()
        .await
        .unwrap();
    let columns: Vec<(String, String)> = out
        .input_schema()
        .unwrap()
        .record_columns()
        .iter()
        .map(|c| (c.name().to_string(), c.sql_type().to_string()))
        .collect();
    assert_eq!(columns.len(), 2, "{columns:?}");
    assert_eq!(columns[1].0, "star_rating");
    assert_eq!(out.raw_input_records().len(), 2);
    let e = h
        .client
        .discover_input_schema()
        .s3_configuration(s3("missing.json"))
        .send()
        .await
        .unwrap_err();
    assert!(
        e.as_service_error()
            .unwrap()
            .is_invalid_argument_exception(),
        "{e:?}"
    );
    assert!(message(&e).contains("NoSuchKey"), "{}", message(&e));
}
