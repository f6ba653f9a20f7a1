//! The data plane: the reference application run on the twin on virtual time, fed through
//! Firehose, its outputs checked against expectations computed here; error_stream, delivery
//! retries, Kinesis input and output, starting positions and the start-time resource checks.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use aws_sdk_firehose::primitives::Blob;
use aws_sdk_kinesisanalytics::types::*;
use kdaflow_asl::clock::VirtualClock;
use kdaflow_asl::task::LambdaError;
use kdaflow_local::lambda::function;
use kdaflow_local::standins::{self, ReferenceStandins};
use kdaflow_local::{Twin, TwinConfig};
use kdaflow_workflow::sample::Reviews;

use crate::support::*;
use crate::{firehose, kinesis};

const WINDOW_MS: i64 = 5_000;

/// A twin with resource checks on, and its Firehose and Kinesis clients.
struct Plane {
    h: Harness,
    fh: aws_sdk_firehose::Client,
    ks: aws_sdk_kinesis::Client,
}

impl Plane {
    async fn new() -> Self {
        Self::with(TwinConfig::default(), VirtualClock::at_epoch_seconds(T0)).await
    }

    async fn with(config: TwinConfig, clock: VirtualClock) -> Self {
        let twin = Twin::builder(config)
            .clock(Arc::new(clock.clone()))
            .resource_checks(true)
            .build()
            .expect("twin builds");
        let running = twin.spawn(0).await.expect("twin binds");
        let endpoint = running.endpoint_url();
        Self {
            h: Harness {
                client: client(&endpoint),
                running,
                clock,
            },
            fh: firehose::client(&endpoint),
            ks: kinesis::client(&endpoint),
        }
    }

    fn twin(&self) -> &Twin {
        self.h.twin()
    }

    fn now_ms(&self) -> i64 {
        use kdaflow_asl::clock::Clock;
        self.h.clock.now().timestamp_millis()
    }

    /// The reference application's prerequisites: the stream, the delivery stream, stand-ins.
    async fn prerequisites(&self) -> ReferenceStandins {
        firehose::create(&self.fh, "dsoaws-kinesis-data-firehose").await;
        kinesis::create(&self.ks, "dsoaws-kinesis-data-stream", 1).await;
        standins::register_reference(self.twin())
    }

    /// Advances to `t_ms` in steps of at most 100 ms, pumping after each.
    async fn run_until(&self, t_ms: i64) {
        while self.now_ms() < t_ms {
            self.h.advance_ms((t_ms - self.now_ms()).min(100));
            self.twin().pump().await;
        }
    }

    async fn put_batch(&self, lines: &[String]) {
        let out = self
            .fh
            .put_record_batch()
            .delivery_stream_name("dsoaws-kinesis-data-firehose")
            .set_records(Some(
                lines
                    .iter()
                    .map(|l| {
                        aws_sdk_firehose::types::Record::builder()
                            .data(Blob::new(l.as_bytes()))
                            .build()
                            .unwrap()
                    })
                    .collect(),
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(out.failed_put_count, 0);
    }

    /// Starts `name` from `position` and lets it become RUNNING.
    async fn start(&self, name: &str, position: InputStartingPosition) {
        let id = input_id(&self.h.client, name).await;
        self.h
            .client
            .start_application()
            .application_name(name)
            .input_configurations(start_config(&id, position))
            .send()
            .await
            .unwrap();
        self.h.advance_ms(2_000);
        self.twin().pump().await;
        assert_eq!(self.h.status(name).await, ApplicationStatus::Running);
    }
}

fn window(t_ms: i64) -> i64 {
    t_ms.div_euclid(WINDOW_MS)
}

#[tokio::test]
async fn reference_application_runs_its_three_pumps() {
    let p = Plane::new().await;
    let stand = p.prerequisites().await;
    create_reference(&p.h.client, REFERENCE_APP).await.unwrap();
    p.start(REFERENCE_APP, InputStartingPosition::Now).await;
    // Start sending on a window boundary.
    let first = (window(p.now_ms()) + 1) * WINDOW_MS;
    p.run_until(first).await;

    let mut reviews = Reviews::new(3, 40);
    // Expected per window: ratings, ids; in order: (rating, anomaly) per record.
    let mut ratings: BTreeMap<i64, Vec<f64>> = BTreeMap::new();
    let mut ids: BTreeMap<i64, BTreeSet<String>> = BTreeMap::new();
    let mut sent: Vec<bool> = Vec::new();
    for step in 0..200 {
        let w = window(p.now_ms());
        let mut lines = Vec::new();
        for _ in 0..5 {
            let r = reviews.next_review();
            ratings
                .entry(w)
                .or_default()
                .push(f64::from(r.star_rating.unwrap()));
            ids.entry(w).or_default().insert(r.review_id.clone());
            sent.push(r.anomaly);
            lines.push(r.line());
        }
        if step == 30 {
            // A missing rating: the preprocessing stand-in scores "Terrible, awful" as 1.
            lines.push("R999EMPTY00001\t\tBooks\tTerrible, awful\n".to_string());
            ratings.entry(w).or_default().push(1.0);
            ids.entry(w).or_default().insert("R999EMPTY00001".into());
            sent.push(false);
            // A duplicate id: counted once by the distinct count.
            let dup = lines[0].clone();
            let rating: f64 = dup.split('\t').nth(1).unwrap().parse().unwrap();
            ratings.entry(w).or_default().push(rating);
            sent.push(false);
            lines.push(dup);
        }
        p.put_batch(&lines).await;
        p.run_until(p.now_ms() + 100).await;
    }
    // Let the last window close.
    p.run_until(p.now_ms() + WINDOW_MS).await;

    // AVG_STAR_RATING_SQL_STREAM -> the metrics stand-in: one exact average per window.
    let expected: Vec<f64> = ratings
        .values()
        .map(|r| r.iter().sum::<f64>() / r.len() as f64)
        .collect();
    assert_eq!(expected.len(), 4);
    assert_eq!(stand.metrics.values(), expected);
    assert!(stand.metrics.received().iter().all(|r| r.retry_hint == 0));

    // APPROXIMATE_COUNT_SQL_STREAM -> the Kinesis stream, read back with GetRecords.
    let counts: Vec<i64> = kinesis::read_all(&p.ks, "dsoaws-kinesis-data-stream")
        .await
        .iter()
        .map(|r| r.trim().parse().unwrap())
        .collect();
    let expected: Vec<i64> = ids.values().map(|s| s.len() as i64).collect();
    assert_eq!(counts, expected);
    assert_eq!(expected[0], 251, "the duplicate counts once in its window");

    // ANOMALY_SCORE_SQL_STREAM -> the notification stand-in: one score per record, in order.
    let scores = stand.notifications.values();
    assert_eq!(scores.len(), sent.len());
    let warm = 256;
    assert!(
        scores[..warm].iter().all(|s| *s == 0.0),
        "zero while warming up"
    );
    let anomalies: Vec<f64> = (warm..sent.len())
        .filter(|&i| sent[i])
        .map(|i| scores[i])
        .collect();
    let normal: Vec<f64> = (warm..sent.len())
        .filter(|&i| !sent[i])
        .map(|i| scores[i])
        .collect();
    assert!(anomalies.len() >= 15);
    let lowest_anomaly = anomalies.iter().cloned().fold(f64::MAX, f64::min);
    let highest_normal = normal.iter().cloned().fold(0.0, f64::max);
    assert!(
        lowest_anomaly > highest_normal,
        "every injected anomaly scores above every normal record: {lowest_anomaly} vs {highest_normal}"
    );
    let notified = stand.notifications.notifications();
    assert_eq!(
        notified.len(),
        anomalies.len(),
        "exactly the anomalies are notified"
    );
    assert_eq!(
        p.twin().standins().inspect(standins::NOTIFY).unwrap()["notifications"]
            .as_array()
            .unwrap()
            .len(),
        anomalies.len()
    );
}

/// An application whose rows go to Kinesis streams: `DEST` (CSV) and `error_stream` (JSON).
async fn passthrough(p: &Plane, name: &str, input: Input) {
    kinesis::create(&p.ks, &format!("{name}-out"), 1).await;
    kinesis::create(&p.ks, &format!("{name}-errors"), 1).await;
    let out = stream_output(
        "DEST",
        &p.twin().kinesis().arn(&format!("{name}-out")),
        arns::ROLE_KINESIS,
    );
    let mut errors = stream_output(
        "error_stream",
        &p.twin().kinesis().arn(&format!("{name}-errors")),
        arns::ROLE_KINESIS,
    );
    errors.destination_schema = Some(
        DestinationSchema::builder()
            .record_format_type(RecordFormatType::Json)
            .build()
            .unwrap(),
    );
    p.h.client
        .create_application()
        .application_name(name)
        .inputs(input)
        .outputs(out)
        .outputs(errors)
        .application_code(
            r#"CREATE OR REPLACE STREAM "DEST" (review_id VARCHAR(14), star_rating INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
    SELECT STREAM "review_id", "star_rating" FROM "SOURCE_SQL_STREAM_001";"#,
        )
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn bad_records_go_to_error_stream() {
    let p = Plane::new().await;
    let _stand = p.prerequisites().await;
    passthrough(&p, "errs", reference_input()).await;
    p.start("errs", InputStartingPosition::Now).await;
    p.put_batch(&[
        "R0000000000001\t5\tBooks\tGood\n".to_string(),
        "R0000000000002\tfive\tBooks\tNot a number\n".to_string(),
        "R0000000000003\t4\tBooks\n".to_string(),
    ])
    .await;
    // Not UTF-8: the preprocessing stand-in answers ProcessingFailed.
    p.fh.put_record()
        .delivery_stream_name("dsoaws-kinesis-data-firehose")
        .record(
            aws_sdk_firehose::types::Record::builder()
                .data(Blob::new(vec![0xff, 0xfe]))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    p.h.advance_ms(10);
    let report = p.twin().pump().await;
    assert_eq!(report.records_in, 4);
    assert_eq!(report.errors.len(), 3);

    let rows = kinesis::read_all(&p.ks, "errs-out").await;
    assert_eq!(rows, vec!["R0000000000001,5\n"]);
    let errors: Vec<serde_json::Value> = kinesis::read_all(&p.ks, "errs-errors")
        .await
        .iter()
        .map(|r| serde_json::from_str(r).unwrap())
        .collect();
    assert_eq!(errors.len(), 3);
    for e in &errors {
        assert_eq!(e["ERROR_LEVEL"], "ERROR");
        for column in [
            "ERROR_TIME",
            "ERROR_NAME",
            "MESSAGE",
            "DATA_ROWTIME",
            "DATA_ROW",
            "PUMP_NAME",
        ] {
            assert!(e.get(column).is_some(), "{column} in {e}");
        }
    }
    let hex = |s: &str| s.bytes().map(|b| format!("{b:02x}")).collect::<String>();
    let rows: Vec<&str> = errors
        .iter()
        .map(|e| e["DATA_ROW"].as_str().unwrap())
        .collect();
    assert!(
        rows.contains(&hex("R0000000000002\tfive\tBooks\tNot a number").as_str()),
        "{rows:?}"
    );
    assert!(rows.contains(&"fffe"));
    let failed = errors.iter().find(|e| e["DATA_ROW"] == "fffe").unwrap();
    assert_eq!(failed["ERROR_NAME"], "Lambda_Processing_Failed");
}

#[tokio::test]
async fn output_lambda_deliveries_are_retried_with_backoff() {
    let p = Plane::new().await;
    let stand = p.prerequisites().await;
    // The average-rating function fails its first two invocations: once with DeliveryFailed
    // results, once with an error.
    let calls = Arc::new(AtomicU32::new(0));
    let seen = Arc::new(parking_lot::Mutex::new(Vec::<serde_json::Value>::new()));
    let (c, s) = (calls.clone(), seen.clone());
    p.twin().lambda().register(
        "DeliverKinesisAnalyticsToCloudWatch",
        function("flaky sink", move |event: serde_json::Value| {
            let n = c.fetch_add(1, Ordering::SeqCst);
            s.lock().push(event.clone());
            async move {
                let result = match n {
                    0 => "DeliveryFailed",
                    1 => {
                        return Err(LambdaError {
                            error_type: Some("Sink.Down".into()),
                            error_message: "try later".into(),
                        });
                    }
                    _ => "Ok",
                };
                let records: Vec<serde_json::Value> = event["records"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| serde_json::json!({"recordId": r["recordId"], "result": result}))
                    .collect();
                Ok(serde_json::json!({ "records": records }))
            }
        }),
    );
    create_reference(&p.h.client, REFERENCE_APP).await.unwrap();
    p.start(REFERENCE_APP, InputStartingPosition::Now).await;
    let close = (window(p.now_ms()) + 1) * WINDOW_MS;
    p.put_batch(&["R0000000000001\t4\tBooks\tGood\n".to_string()])
        .await;
    p.h.advance_ms(close - p.now_ms());
    let r = p.twin().pump().await;
    assert!(r.delivered("AVG_STAR_RATING_SQL_STREAM").is_empty());
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    // First retry after 1 s (the function errors), the second 2 s later succeeds.
    p.h.advance_ms(999);
    p.twin().pump().await;
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    p.h.advance_ms(1);
    p.twin().pump().await;
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    p.h.advance_ms(2_000);
    let r = p.twin().pump().await;
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert_eq!(r.delivered("AVG_STAR_RATING_SQL_STREAM"), vec!["4.0\n"]);
    let hints: Vec<u64> = seen
        .lock()
        .iter()
        .map(|e| {
            e["records"][0]["lambdaDeliveryRecordMetadata"]["retryHint"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(hints, vec![0, 1, 2]);
    let ids: BTreeSet<String> = seen
        .lock()
        .iter()
        .map(|e| e["records"][0]["recordId"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 1, "a retry resends the same record");
    assert!(stand.metrics.values().is_empty());
}

fn kinesis_json_input(stream_arn: &str) -> Input {
    let column = |n: &str, t: &str| {
        RecordColumn::builder()
            .name(n)
            .mapping(format!("$.{n}"))
            .sql_type(t)
            .build()
            .unwrap()
    };
    Input::builder()
        .name_prefix("SOURCE_SQL_STREAM")
        .kinesis_streams_input(
            KinesisStreamsInput::builder()
                .resource_arn(stream_arn)
                .role_arn(arns::ROLE_KINESIS)
                .build()
                .unwrap(),
        )
        .input_schema(
            SourceSchema::builder()
                .record_format(
                    RecordFormat::builder()
                        .record_format_type(RecordFormatType::Json)
                        .mapping_parameters(
                            MappingParameters::builder()
                                .json_mapping_parameters(
                                    JsonMappingParameters::builder()
                                        .record_row_path("$")
                                        .build()
                                        .unwrap(),
                                )
                                .build(),
                        )
                        .build()
                        .unwrap(),
                )
                .record_columns(column("review_id", "VARCHAR(14)"))
                .record_columns(column("star_rating", "INTEGER"))
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn kinesis_input_and_starting_positions() {
    let p = Plane::new().await;
    kinesis::create(&p.ks, "in", 2).await;
    let put = |i: u32| {
        let ks = p.ks.clone();
        async move {
            ks.put_record()
                .stream_name("in")
                .partition_key(format!("k{i}"))
                .data(aws_sdk_kinesis::primitives::Blob::new(format!(
                    "{{\"review_id\":\"R{i:013}\",\"star_rating\":{}}}",
                    i % 5 + 1
                )))
                .send()
                .await
                .unwrap();
        }
    };
    put(1).await;
    p.h.advance_ms(1);
    put(2).await;
    passthrough(&p, "kin", kinesis_json_input(&p.twin().kinesis().arn("in"))).await;
    // TRIM_HORIZON reads what was there before the start.
    p.start("kin", InputStartingPosition::TrimHorizon).await;
    put(3).await;
    p.h.advance_ms(1);
    p.twin().pump().await;
    assert_eq!(
        kinesis::read_all(&p.ks, "kin-out").await,
        vec![
            "R0000000000001,2\n",
            "R0000000000002,3\n",
            "R0000000000003,4\n"
        ]
    );

    // Records sent while stopped are read on a LAST_STOPPED_POINT restart ...
    p.h.client
        .stop_application()
        .application_name("kin")
        .send()
        .await
        .unwrap();
    p.h.advance_ms(1_000);
    p.twin().pump().await;
    put(4).await;
    p.start("kin", InputStartingPosition::LastStoppedPoint)
        .await;
    assert_eq!(kinesis::read_all(&p.ks, "kin-out").await.len(), 4);
    // ... and skipped on a NOW restart.
    p.h.client
        .stop_application()
        .application_name("kin")
        .send()
        .await
        .unwrap();
    p.h.advance_ms(1_000);
    p.twin().pump().await;
    put(5).await;
    p.start("kin", InputStartingPosition::Now).await;
    put(6).await;
    p.h.advance_ms(1);
    p.twin().pump().await;
    let out = kinesis::read_all(&p.ks, "kin-out").await;
    assert_eq!(out.len(), 5);
    assert_eq!(out[4], "R0000000000006,2\n");
}

#[tokio::test]
async fn firehose_output_receives_rows() {
    let p = Plane::new().await;
    let _stand = p.prerequisites().await;
    firehose::create(&p.fh, "rows-out").await;
    p.h.client
        .create_application()
        .application_name("fho")
        .inputs(reference_input())
        .outputs(
            Output::builder()
                .name("DEST")
                .kinesis_firehose_output(
                    KinesisFirehoseOutput::builder()
                        .resource_arn(p.twin().firehose().arn("rows-out"))
                        .role_arn(arns::ROLE_KINESIS)
                        .build()
                        .unwrap(),
                )
                .destination_schema(
                    DestinationSchema::builder()
                        .record_format_type(RecordFormatType::Json)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .application_code(
            r#"CREATE OR REPLACE STREAM "DEST" (review_id VARCHAR(14), star_rating INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
    SELECT STREAM "review_id", "star_rating" FROM "SOURCE_SQL_STREAM_001" WHERE "star_rating" > 3;"#,
        )
        .send()
        .await
        .unwrap();
    p.start("fho", InputStartingPosition::Now).await;
    p.put_batch(&[
        "R0000000000001\t5\tBooks\tGood\n".to_string(),
        "R0000000000002\t2\tBooks\tMeh\n".to_string(),
    ])
    .await;
    p.twin().pump().await;
    let got: Vec<String> = p
        .twin()
        .firehose()
        .records("rows-out")
        .unwrap()
        .iter()
        .map(|r| String::from_utf8_lossy(&r.data).into_owned())
        .collect();
    assert_eq!(
        got,
        vec!["{\"REVIEW_ID\":\"R0000000000001\",\"STAR_RATING\":5}\n"]
    );
}

#[tokio::test]
async fn start_fails_when_resources_are_missing() {
    let p = Plane::new().await;
    create_reference(&p.h.client, REFERENCE_APP).await.unwrap();
    let e = start(&p.h.client, REFERENCE_APP).await.unwrap_err();
    assert_eq!(code(&e), "InvalidApplicationConfigurationException");
    let m = message(&e);
    for missing in [
        arns::FIREHOSE,
        arns::LAMBDA_INVOKE_EP,
        arns::LAMBDA_CLOUDWATCH,
        arns::LAMBDA_SNS,
        arns::STREAM,
    ] {
        assert!(m.contains(missing), "{missing} named in: {m}");
    }
    assert_eq!(p.h.status(REFERENCE_APP).await, ApplicationStatus::Ready);

    // With everything but the Kinesis stream, only the stream is named.
    firehose::create(&p.fh, "dsoaws-kinesis-data-firehose").await;
    standins::register_reference(p.twin());
    let e = start(&p.h.client, REFERENCE_APP).await.unwrap_err();
    assert_eq!(
        message(&e),
        format!(
            "Application {REFERENCE_APP} cannot start: output APPROXIMATE_COUNT_SQL_STREAM: destination Kinesis stream {} does not exist. Create the missing resources (or fix the application's configuration) and start it again; \
             to run the twin without this check, start it with --no-resource-checks (kdaflow serve, kdaflow up)",
            arns::STREAM
        )
    );
    kinesis::create(&p.ks, "dsoaws-kinesis-data-stream", 1).await;
    start(&p.h.client, REFERENCE_APP).await.unwrap();
    assert_eq!(p.h.status(REFERENCE_APP).await, ApplicationStatus::Starting);
}

#[tokio::test]
async fn standins_are_inspectable_over_http() {
    let p = Plane::new().await;
    let stand = p.prerequisites().await;
    assert_eq!(stand.metrics_arn, arns::LAMBDA_CLOUDWATCH);
    assert_eq!(stand.notify_arn, arns::LAMBDA_SNS);
    assert_eq!(stand.preprocess_arn, arns::LAMBDA_INVOKE_EP);
    let body = http_get(
        p.twin(),
        &format!("/_kdaflow/standins/{}", standins::NOTIFY),
    )
    .await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["function"], standins::NOTIFY);
    assert_eq!(v["threshold"], standins::DEFAULT_ANOMALY_THRESHOLD);
    let list = http_get(p.twin(), "/_kdaflow/standins").await;
    assert!(list.contains(standins::PREPROCESS), "{list}");
    let missing = http_get(p.twin(), "/_kdaflow/standins/nope").await;
    assert!(missing.contains("no stand-in named nope"), "{missing}");
}

/// GET `path` on the twin's router, in process.
async fn http_get(twin: &Twin, path: &str) -> String {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let request = axum::http::Request::get(path)
        .body(axum::body::Body::empty())
        .unwrap();
    let response = twin.router().oneshot(request).await.unwrap();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A user's own functions, created with the Lambda API and run as Python processes: a
/// preprocessing function that rewrites each record, and an output function that receives the
/// delivery batches (and writes them to a Kinesis stream through boto3, where the test reads
/// them). The start-time resource checks find both in the Lambda service.
#[tokio::test]
async fn a_users_own_python_functions_preprocess_and_receive_the_output() {
    use aws_sdk_lambda::primitives::Blob as LBlob;
    use aws_sdk_lambda::types::{FunctionCode, Runtime};
    let p = Plane::new().await;
    let endpoint = p.h.running.endpoint_url();
    let lambda = crate::lambda::lambda_client(&endpoint);
    let code = r#"
import base64, json, boto3

def preprocess(event, context):
    # Each record is a review id and a rating; the rating is doubled.
    out = []
    for r in event["records"]:
        rid, rating = base64.b64decode(r["data"]).decode().strip().split(",")
        row = json.dumps({"review_id": rid, "star_rating": int(rating) * 2})
        out.append({"recordId": r["recordId"], "result": "Ok",
                    "data": base64.b64encode(row.encode()).decode()})
    return {"records": out}

def deliver(event, context):
    kinesis = boto3.client("kinesis")
    for r in event["records"]:
        kinesis.put_record(StreamName="delivered", PartitionKey="k",
                           Data=base64.b64decode(r["data"]))
    return {"records": [{"recordId": r["recordId"], "result": "Ok"} for r in event["records"]]}
"#;
    let zip = kdaflow_local::lambda::code::zip_of(&[("app.py", code.as_bytes(), false)]);
    let mut arns = Vec::new();
    for (name, handler) in [
        ("my-preprocess", "app.preprocess"),
        ("my-deliver", "app.deliver"),
    ] {
        let f = lambda
            .create_function()
            .function_name(name)
            .runtime(Runtime::Python312)
            .role(arns::ROLE_LAMBDA)
            .handler(handler)
            .timeout(30)
            .code(
                FunctionCode::builder()
                    .zip_file(LBlob::new(zip.clone()))
                    .build(),
            )
            .send()
            .await
            .unwrap();
        arns.push(f.function_arn.unwrap());
    }
    kinesis::create(&p.ks, "delivered", 1).await;
    firehose::create(&p.fh, "dsoaws-kinesis-data-firehose").await;
    let mut input = reference_input();
    input.input_processing_configuration = Some(
        InputProcessingConfiguration::builder()
            .input_lambda_processor(
                InputLambdaProcessor::builder()
                    .resource_arn(&arns[0])
                    .role_arn(arns::ROLE_LAMBDA)
                    .build()
                    .unwrap(),
            )
            .build(),
    );
    let json_column = |n: &str, t: &str| {
        RecordColumn::builder()
            .name(n)
            .mapping(format!("$.{n}"))
            .sql_type(t)
            .build()
            .unwrap()
    };
    input.input_schema = Some(
        SourceSchema::builder()
            .record_format(
                RecordFormat::builder()
                    .record_format_type(RecordFormatType::Json)
                    .mapping_parameters(
                        MappingParameters::builder()
                            .json_mapping_parameters(
                                JsonMappingParameters::builder()
                                    .record_row_path("$")
                                    .build()
                                    .unwrap(),
                            )
                            .build(),
                    )
                    .build()
                    .unwrap(),
            )
            .record_columns(json_column("review_id", "VARCHAR(14)"))
            .record_columns(json_column("star_rating", "INTEGER"))
            .build()
            .unwrap(),
    );
    p.h.client
        .create_application()
        .application_name("users-own")
        .inputs(input)
        .outputs(lambda_output("DOUBLED", &arns[1], arns::ROLE_LAMBDA))
        .application_code(
            r#"CREATE OR REPLACE STREAM "DOUBLED" (review_id VARCHAR(14), star_rating INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DOUBLED"
  SELECT STREAM "review_id", "star_rating" FROM "SOURCE_SQL_STREAM_001";"#,
        )
        .send()
        .await
        .unwrap();
    p.start("users-own", InputStartingPosition::Now).await;
    p.put_batch(&["R1,2".to_string(), "R2,5".to_string()]).await;
    let end = p.now_ms() + 3_000;
    p.run_until(end).await;
    let records = p
        .twin()
        .kinesis()
        .read_all("delivered", &mut Vec::new(), 10)
        .unwrap();
    let rows: Vec<String> = records
        .iter()
        .map(|r| String::from_utf8_lossy(&r.data).trim().to_string())
        .collect();
    assert_eq!(rows, vec!["R1,4", "R2,10"]);
}

fn ratings_reference(key: &str) -> ReferenceDataSource {
    let column = |n: &str, t: &str| RecordColumn::builder().name(n).sql_type(t).build().unwrap();
    reference_data_source(
        "RATINGS",
        "kdaflow-reference",
        key,
        record_format(false),
        vec![column("STARS", "INTEGER"), column("LABEL", "VARCHAR(16)")],
    )
}

#[tokio::test]
async fn reference_data_is_loaded_at_start_and_reloaded_by_update_application() {
    let p = Plane::new().await;
    // The objects are in the twin's S3, put there through aws-sdk-s3.
    let endpoint = p.h.running.endpoint_url();
    put_object(
        &endpoint,
        "kdaflow-reference",
        "ratings-v1.csv",
        b"1,terrible\n5,great\n",
    )
    .await;
    put_object(
        &endpoint,
        "kdaflow-reference",
        "ratings-v2.csv",
        b"1,awful\n3,fine\n5,superb\n",
    )
    .await;
    kinesis::create(&p.ks, "in", 1).await;
    kinesis::create(&p.ks, "rated", 1).await;
    let c = &p.h.client;
    c.create_application()
        .application_name("rated")
        .inputs(kinesis_json_input(&p.twin().kinesis().arn("in")))
        .outputs(stream_output(
            "DEST",
            &p.twin().kinesis().arn("rated"),
            arns::ROLE_KINESIS,
        ))
        .send()
        .await
        .unwrap();
    // The documented order: the application, then its reference data source, then code that
    // joins the table (code naming a table that does not exist yet is refused).
    let join = r#"CREATE OR REPLACE STREAM "DEST" (review_id VARCHAR(14), label VARCHAR(16));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
    SELECT STREAM s."review_id", r.LABEL
    FROM "SOURCE_SQL_STREAM_001" AS s LEFT OUTER JOIN "RATINGS" AS r ON s."star_rating" = r.STARS;"#;
    let refused = c
        .update_application()
        .application_name("rated")
        .current_application_version_id(1)
        .application_update(
            ApplicationUpdate::builder()
                .application_code_update(join)
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert!(format!("{:?}", refused.into_service_error()).contains("Object 'RATINGS' not found"));
    c.add_application_reference_data_source()
        .application_name("rated")
        .current_application_version_id(1)
        .reference_data_source(ratings_reference("ratings-v1.csv"))
        .send()
        .await
        .unwrap();
    p.h.advance_ms(2_000);
    c.update_application()
        .application_name("rated")
        .current_application_version_id(2)
        .application_update(
            ApplicationUpdate::builder()
                .application_code_update(join)
                .build(),
        )
        .send()
        .await
        .unwrap();
    p.h.advance_ms(2_000);
    p.start("rated", InputStartingPosition::Now).await;
    let put = |i: u32, stars: u32| {
        let ks = p.ks.clone();
        async move {
            ks.put_record()
                .stream_name("in")
                .partition_key("k")
                .data(aws_sdk_kinesis::primitives::Blob::new(format!(
                    "{{\"review_id\":\"R{i:013}\",\"star_rating\":{stars}}}"
                )))
                .send()
                .await
                .unwrap();
        }
    };
    put(1, 5).await;
    put(2, 3).await;
    p.h.advance_ms(1);
    p.twin().pump().await;
    assert_eq!(
        kinesis::read_all(&p.ks, "rated").await,
        vec!["R0000000000001,great\n", "R0000000000002,\n"],
        "3 stars has no row in v1: LEFT OUTER JOIN keeps it with a NULL label"
    );

    // UpdateApplication points the source at another object, and the running application
    // reads it.
    let described = c
        .describe_application()
        .application_name("rated")
        .send()
        .await
        .unwrap();
    let detail = described.application_detail.unwrap();
    let reference_id = detail.reference_data_source_descriptions.unwrap()[0]
        .reference_id
        .clone();
    c.update_application()
        .application_name("rated")
        .current_application_version_id(detail.application_version_id)
        .application_update(
            ApplicationUpdate::builder()
                .reference_data_source_updates(
                    ReferenceDataSourceUpdate::builder()
                        .reference_id(reference_id)
                        .s3_reference_data_source_update(
                            S3ReferenceDataSourceUpdate::builder()
                                .file_key_update("ratings-v2.csv")
                                .build(),
                        )
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    p.h.advance_ms(2_000);
    p.twin().pump().await;
    assert_eq!(p.h.status("rated").await, ApplicationStatus::Running);
    put(3, 3).await;
    put(4, 1).await;
    p.h.advance_ms(1);
    p.twin().pump().await;
    let out = kinesis::read_all(&p.ks, "rated").await;
    assert_eq!(
        out[2..],
        ["R0000000000003,fine\n", "R0000000000004,awful\n"]
    );

    // The object changes in S3: the next version change of the application reads it again.
    put_object(
        &endpoint,
        "kdaflow-reference",
        "ratings-v2.csv",
        b"5,stellar\n",
    )
    .await;
    let version = c
        .describe_application()
        .application_name("rated")
        .send()
        .await
        .unwrap()
        .application_detail
        .unwrap()
        .application_version_id;
    c.update_application()
        .application_name("rated")
        .current_application_version_id(version)
        .application_update(
            ApplicationUpdate::builder()
                .application_code_update(
                    r#"CREATE OR REPLACE STREAM "DEST" (review_id VARCHAR(14), label VARCHAR(16));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
    SELECT STREAM s."review_id", COALESCE(r.LABEL, 'unknown')
    FROM "SOURCE_SQL_STREAM_001" AS s LEFT JOIN "RATINGS" AS r ON s."star_rating" = r.STARS;"#,
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    p.h.advance_ms(2_000);
    p.twin().pump().await;
    put(5, 5).await;
    put(6, 3).await;
    p.h.advance_ms(1);
    p.twin().pump().await;
    let out = kinesis::read_all(&p.ks, "rated").await;
    assert_eq!(
        out[4..],
        ["R0000000000005,stellar\n", "R0000000000006,unknown\n"]
    );

    // An object that is not there: the tick says so and the table is empty.
    s3_client(&endpoint)
        .delete_object()
        .bucket("kdaflow-reference")
        .key("ratings-v2.csv")
        .send()
        .await
        .unwrap();
    let version = c
        .describe_application()
        .application_name("rated")
        .send()
        .await
        .unwrap()
        .application_detail
        .unwrap()
        .application_version_id;
    c.update_application()
        .application_name("rated")
        .current_application_version_id(version)
        .application_update(
            ApplicationUpdate::builder()
                .application_code_update(
                    r#"CREATE OR REPLACE STREAM "DEST" (review_id VARCHAR(14), label VARCHAR(16));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
    SELECT STREAM s."review_id", COALESCE(r.LABEL, 'missing')
    FROM "SOURCE_SQL_STREAM_001" AS s LEFT JOIN "RATINGS" AS r ON s."star_rating" = r.STARS;"#,
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    p.h.advance_ms(2_000);
    let report = p.twin().pump().await;
    assert!(
        report.problems.iter().any(|m| m.contains("s3://kdaflow-reference/ratings-v2.csv") && m.contains("NoSuchKey")),
        "{:?}",
        report.problems
    );
    put(7, 5).await;
    p.h.advance_ms(1);
    p.twin().pump().await;
    let out = kinesis::read_all(&p.ks, "rated").await;
    assert_eq!(out[6..], ["R0000000000007,missing\n"]);
}

/// A windowed count per 5 s over a Kinesis input, to a Kinesis output.
async fn windowed_count(p: &Plane, name: &str) {
    kinesis::create(&p.ks, &format!("{name}-out"), 1).await;
    p.h.client
        .create_application()
        .application_name(name)
        .inputs(kinesis_json_input(
            &p.twin().kinesis().arn(&format!("{name}-in")),
        ))
        .outputs(stream_output(
            "DEST",
            &p.twin().kinesis().arn(&format!("{name}-out")),
            arns::ROLE_KINESIS,
        ))
        .application_code(
            r#"CREATE OR REPLACE STREAM "DEST" (reviews INTEGER, stars INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
    SELECT STREAM COUNT(*), SUM("star_rating") FROM "SOURCE_SQL_STREAM_001"
    GROUP BY STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '5' SECOND);"#,
        )
        .send()
        .await
        .unwrap();
}

/// Puts reviews with ratings `stars` into stream `stream`, one millisecond apart.
async fn put_reviews(p: &Plane, stream: &str, stars: &[u32]) {
    for (i, s) in stars.iter().enumerate() {
        p.ks.put_record()
            .stream_name(stream)
            .partition_key(format!("k{i}"))
            .data(aws_sdk_kinesis::primitives::Blob::new(format!(
                "{{\"review_id\":\"R{i:013}\",\"star_rating\":{s}}}"
            )))
            .send()
            .await
            .unwrap();
        p.h.advance_ms(1);
    }
}

#[tokio::test]
async fn a_running_application_resumes_after_a_restart_losing_nothing_and_repeating_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = TwinConfig {
        state_dir: Some(dir.path().to_path_buf()),
        ..TwinConfig::default()
    };
    let clock = VirtualClock::at_epoch_seconds(T0);
    {
        let p = Plane::with(config.clone(), clock.clone()).await;
        kinesis::create(&p.ks, "agg-in", 1).await;
        windowed_count(&p, "agg").await;
        kinesis::create(&p.ks, "stop-in", 1).await;
        windowed_count(&p, "stop").await;
        p.start("agg", InputStartingPosition::Now).await;
        p.start("stop", InputStartingPosition::Now).await;
        // The first window closes and is delivered before the restart ...
        p.run_until((window(p.now_ms()) + 1) * WINDOW_MS).await;
        put_reviews(&p, "agg-in", &[5, 4]).await;
        p.run_until((window(p.now_ms()) + 1) * WINDOW_MS + 1).await;
        assert_eq!(kinesis::read_all(&p.ks, "agg-out").await, vec!["2,9\n"]);
        // ... the second is still open when the twin goes away.
        put_reviews(&p, "agg-in", &[1, 1, 1]).await;
        p.twin().pump().await;
        // "stop" is stopped, then records arrive for its LAST_STOPPED_POINT.
        p.h.client
            .stop_application()
            .application_name("stop")
            .send()
            .await
            .unwrap();
        p.h.advance_ms(1_000);
        p.twin().pump().await;
        put_reviews(&p, "stop-in", &[3]).await;
        p.h.running.shutdown().await.unwrap();
    }
    let p = Plane::with(config, clock).await;
    // Records arriving after the restart join the window that was open.
    put_reviews(&p, "agg-in", &[2]).await;
    p.run_until((window(p.now_ms()) + 1) * WINDOW_MS + 1).await;
    assert_eq!(
        kinesis::read_all(&p.ks, "agg-out").await,
        vec!["2,9\n", "4,5\n"],
        "the closed window is not delivered again; the open one lost nothing"
    );
    p.start("stop", InputStartingPosition::LastStoppedPoint)
        .await;
    p.run_until((window(p.now_ms()) + 1) * WINDOW_MS + 1).await;
    assert_eq!(kinesis::read_all(&p.ks, "stop-out").await, vec!["1,3\n"]);
}
