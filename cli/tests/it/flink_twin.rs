//! The reference application on Managed Service for Apache Flink as the twin runs it, end to
//! end as a user does: `kdaflow flink translate --profile aws --zip`, the zip uploaded to the
//! twin's S3, the Flink bootstrap (`kdaflow-bootstrap-flink`) started on `kdaflow serve`, which
//! runs the job on this machine's real Flink; reviews sent into its Kinesis source stream, and
//! its windows read from its sink streams and checked against the reviews' arrival times.
//!
//! Needs Java and the PyFlink environment (`kdaflow flink setup`); `.ci/run` runs it with
//! `--ignored` after setting them up.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_kinesis::types::ShardIteratorType;

use super::repo;
use super::sdk_config;
use super::serve::Server;

const REVIEWS: &str = "reviews";
const WINDOW_MS: i64 = 5_000;

/// Every record of `stream` so far: (data, arrival time in ms).
async fn records(k: &aws_sdk_kinesis::Client, stream: &str) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    let shards = k.list_shards().stream_name(stream).send().await.unwrap();
    for shard in shards.shards() {
        let mut it = k
            .get_shard_iterator()
            .stream_name(stream)
            .shard_id(shard.shard_id())
            .shard_iterator_type(ShardIteratorType::TrimHorizon)
            .send()
            .await
            .unwrap()
            .shard_iterator
            .unwrap();
        loop {
            let r = k.get_records().shard_iterator(&it).send().await.unwrap();
            for rec in r.records() {
                out.push((
                    String::from_utf8_lossy(rec.data().as_ref())
                        .trim()
                        .to_string(),
                    rec.approximate_arrival_timestamp()
                        .unwrap()
                        .to_millis()
                        .unwrap(),
                ));
            }
            if r.records().is_empty() {
                break;
            }
            it = r.next_shard_iterator().unwrap().to_string();
        }
    }
    out.sort_by_key(|(_, t)| *t);
    out
}

#[tokio::test]
#[ignore = "needs Java and the PyFlink environment (kdaflow flink setup); .ci/run runs it"]
async fn the_flink_bootstrap_runs_the_translated_reference_application_on_a_real_flink() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(&dir.path().join("state"), &[]);
    let cfg = sdk_config(&server.endpoint);
    let kinesis = aws_sdk_kinesis::Client::new(&cfg);
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&cfg)
            .force_path_style(true)
            .build(),
    );
    let sfn = aws_sdk_sfn::Client::new(&cfg);
    let v2 = aws_sdk_kinesisanalyticsv2::Client::new(&cfg);

    // The translation, as a user makes it.
    let app = dir.path().join("ref-msf");
    let (code, _, stderr) = super::kdaflow(&[
        "flink",
        "translate",
        repo("workflow/examples/reference-app.toml")
            .to_str()
            .unwrap(),
        "--profile",
        "aws",
        "--out",
        app.to_str().unwrap(),
        "--zip",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let zip = std::fs::read(app.with_extension("zip")).unwrap();
    s3.create_bucket().bucket("code").send().await.unwrap();
    s3.put_object()
        .bucket("code")
        .key("ref-msf.zip")
        .body(zip.into())
        .send()
        .await
        .unwrap();

    // Its streams: the reviews (the Kinesis stream that replaces the Firehose input), and the
    // two streams the Lambda outputs become; the distinct counts go to the reference
    // application's own Kinesis stream, which `serve` provides.
    let template: serde_json::Value =
        serde_json::from_slice(&std::fs::read(app.join("properties.json")).unwrap()).unwrap();
    let mut properties = serde_json::Map::new();
    let mut outputs = BTreeMap::new();
    for group in template["PropertyGroups"].as_array().unwrap() {
        let id = group["PropertyGroupId"].as_str().unwrap().to_string();
        let mut map = serde_json::Map::new();
        for (key, value) in group["PropertyMap"].as_object().unwrap() {
            let filled = if id != "kdaflow" {
                value.clone()
            } else if key.ends_with("_NAME") {
                REVIEWS.into()
            } else {
                let stream = key
                    .trim_start_matches("OUTPUT_")
                    .trim_end_matches("_ARN")
                    .to_lowercase();
                outputs.insert(key.clone(), stream.clone());
                format!("arn:aws:kinesis:us-east-1:000000000000:stream/{stream}").into()
            };
            map.insert(key.clone(), filled);
        }
        properties.insert(id, serde_json::Value::Object(map));
    }
    assert_eq!(outputs.len(), 2, "{template}");
    for stream in std::iter::once(REVIEWS).chain(outputs.values().map(String::as_str)) {
        kinesis
            .create_stream()
            .stream_name(stream)
            .shard_count(1)
            .send()
            .await
            .unwrap();
    }

    // The Flink bootstrap, started as the console or the CLI starts it.
    let input = serde_json::json!({
        "application": {
            "name": "dsoaws-flink-app",
            "service_execution_role": "arn:aws:iam::000000000000:role/flink-app",
            "code": {"bucket_arn": "arn:aws:s3:::code", "file_key": "ref-msf.zip"},
            "properties": properties,
            "streams": ["arn:aws:kinesis:us-east-1:000000000000:stream/reviews"],
        },
        "max_wait_seconds": 300,
    });
    let started = sfn
        .start_execution()
        .state_machine_arn(
            "arn:aws:states:us-east-1:000000000000:stateMachine:kdaflow-bootstrap-flink",
        )
        .input(input.to_string())
        .send()
        .await
        .unwrap();
    let execution = loop {
        let d = sfn
            .describe_execution()
            .execution_arn(started.execution_arn())
            .send()
            .await
            .unwrap();
        if d.status().as_str() != "RUNNING" {
            break d;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert_eq!(
        execution.status().as_str(),
        "SUCCEEDED",
        "{:?} {:?}",
        execution.error(),
        execution.cause()
    );
    let output: serde_json::Value = serde_json::from_str(execution.output().unwrap()).unwrap();
    assert_eq!(output["status"], "RUNNING");

    // Reviews in three bursts two seconds apart, then one more after the last window's end so
    // that the watermark (one second behind) closes it.
    let mut sent = 0;
    for burst in 0..4 {
        if burst == 3 {
            tokio::time::sleep(Duration::from_millis(6_500)).await;
        }
        send(&kinesis, &mut sent, 20).await;
        tokio::time::sleep(Duration::from_millis(2_000)).await;
    }
    let streams = Sinks {
        counts: "dsoaws-kinesis-data-stream".to_string(),
        averages: outputs
            .iter()
            .find(|(k, _)| k.contains("AVG"))
            .map(|(_, v)| v.clone())
            .unwrap(),
        scores: outputs
            .iter()
            .find(|(k, _)| k.contains("ANOMALY"))
            .map(|(_, v)| v.clone())
            .unwrap(),
    };
    check_windows(&kinesis, &streams, sent).await;

    // A snapshot of the running job is a savepoint.
    v2.create_application_snapshot()
        .application_name("dsoaws-flink-app")
        .snapshot_name("first")
        .send()
        .await
        .unwrap();
    assert_eq!(snapshot_status(&v2, "first").await, "READY");

    // Reviews into a window that is still open when the application stops (with a savepoint,
    // snapshots being on), more while it is stopped, then a start that restores the savepoint:
    // the open window's reviews are in the restored state and the stopped time's are read,
    // so every window counts every review exactly once.
    send(&kinesis, &mut sent, 10).await;
    tokio::time::sleep(Duration::from_millis(3_000)).await;
    v2.stop_application()
        .application_name("dsoaws-flink-app")
        .send()
        .await
        .unwrap();
    assert_eq!(wait_status(&v2, "READY").await, "READY");
    let snapshots = v2
        .list_application_snapshots()
        .application_name("dsoaws-flink-app")
        .send()
        .await
        .unwrap();
    let stop_snapshot = &snapshots.snapshot_summaries()[0];
    assert!(stop_snapshot.snapshot_name().starts_with("kdaflow-stop-"));
    assert_eq!(stop_snapshot.snapshot_status().as_str(), "READY");
    send(&kinesis, &mut sent, 5).await;
    v2.start_application()
        .application_name("dsoaws-flink-app")
        .run_configuration(
            aws_sdk_kinesisanalyticsv2::types::RunConfiguration::builder()
                .application_restore_configuration(
                    aws_sdk_kinesisanalyticsv2::types::ApplicationRestoreConfiguration::builder()
                        .application_restore_type(
                            aws_sdk_kinesisanalyticsv2::types::ApplicationRestoreType::RestoreFromLatestSnapshot,
                        )
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(wait_status(&v2, "RUNNING").await, "RUNNING");
    tokio::time::sleep(Duration::from_millis(6_500)).await;
    send(&kinesis, &mut sent, 5).await;
    check_windows(&kinesis, &streams, sent).await;

    // An update of the running application restarts its job with the new version, from a
    // savepoint taken of the old one: windows go on counting across it.
    let detail = v2
        .describe_application()
        .application_name("dsoaws-flink-app")
        .send()
        .await
        .unwrap()
        .application_detail
        .unwrap();
    send(&kinesis, &mut sent, 8).await;
    tokio::time::sleep(Duration::from_millis(3_000)).await;
    let updated = v2
        .update_application()
        .application_name("dsoaws-flink-app")
        .conditional_token(detail.conditional_token().unwrap())
        .application_configuration_update(
            aws_sdk_kinesisanalyticsv2::types::ApplicationConfigurationUpdate::builder()
                .flink_application_configuration_update(
                    aws_sdk_kinesisanalyticsv2::types::FlinkApplicationConfigurationUpdate::builder()
                        .checkpoint_configuration_update(
                            aws_sdk_kinesisanalyticsv2::types::CheckpointConfigurationUpdate::builder()
                                .configuration_type_update(
                                    aws_sdk_kinesisanalyticsv2::types::ConfigurationType::Custom,
                                )
                                .checkpoint_interval_update(30_000)
                                .build(),
                        )
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        updated
            .application_detail()
            .unwrap()
            .application_status()
            .as_str(),
        "UPDATING"
    );
    assert_eq!(wait_status(&v2, "RUNNING").await, "RUNNING");
    let op = v2
        .describe_application_operation()
        .application_name("dsoaws-flink-app")
        .operation_id(updated.operation_id().unwrap())
        .send()
        .await
        .unwrap()
        .application_operation_info_details
        .unwrap();
    assert_eq!(op.operation_status().as_str(), "SUCCESSFUL");
    tokio::time::sleep(Duration::from_millis(6_500)).await;
    send(&kinesis, &mut sent, 5).await;
    check_windows(&kinesis, &streams, sent).await;

    // A forced stop stops the job at once, without a snapshot.
    v2.stop_application()
        .application_name("dsoaws-flink-app")
        .force(true)
        .send()
        .await
        .unwrap();
    assert_eq!(wait_status(&v2, "READY").await, "READY");
    drop(server);
}

/// Sends `n` reviews into the source stream (`sent` counts them all).
async fn send(k: &aws_sdk_kinesis::Client, sent: &mut usize, n: usize) {
    let entries: Vec<_> = (0..n)
        .map(|i| {
            *sent += 1;
            let line = format!(
                "R{:013}\t{}\tBooks\treview {}",
                *sent,
                1 + (*sent * 13 / 7 + i) % 5,
                *sent
            );
            aws_sdk_kinesis::types::PutRecordsRequestEntry::builder()
                .data(aws_sdk_kinesis::primitives::Blob::new(line))
                .partition_key(sent.to_string())
                .build()
                .unwrap()
        })
        .collect();
    k.put_records()
        .stream_name(REVIEWS)
        .set_records(Some(entries))
        .send()
        .await
        .unwrap();
}

/// The job's three sink streams.
struct Sinks {
    counts: String,
    averages: String,
    scores: String,
}

/// Checks the sinks against the reviews' arrival times: a 5 s window closes when a review
/// arrives at least a second after its end; the distinct count and the average of each closed
/// window, in order, and one anomaly score per review.
async fn check_windows(k: &aws_sdk_kinesis::Client, sinks: &Sinks, sent: usize) {
    let reviews = records(k, REVIEWS).await;
    assert_eq!(reviews.len(), sent);
    let last = reviews.last().unwrap().1;
    let mut windows: BTreeMap<i64, Vec<f64>> = BTreeMap::new();
    for (data, at) in &reviews {
        let stars: f64 = data.split('\t').nth(1).unwrap().parse().unwrap();
        windows
            .entry(at.div_euclid(WINDOW_MS))
            .or_default()
            .push(stars);
    }
    let closed: Vec<&Vec<f64>> = windows
        .iter()
        .filter(|(w, _)| (*w + 1) * WINDOW_MS - 1 <= last - 1_000)
        .map(|(_, v)| v)
        .collect();
    assert!(!closed.is_empty(), "no window closed: {windows:?}");
    let counts: Vec<String> = closed.iter().map(|v| v.len().to_string()).collect();
    let averages: Vec<f64> = closed
        .iter()
        .map(|v| v.iter().sum::<f64>() / v.len() as f64)
        .collect();
    let mut seen = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..120 {
        seen = (
            records(k, &sinks.counts).await,
            records(k, &sinks.averages).await,
            records(k, &sinks.scores).await,
        );
        if seen.0.len() >= counts.len() && seen.1.len() >= averages.len() && seen.2.len() >= sent {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let got_counts: Vec<String> = seen.0.iter().map(|(d, _)| d.clone()).collect();
    eprintln!(
        "windows {counts:?}, averages {averages:?}; the job: {got_counts:?}, {} averages, {} scores",
        seen.1.len(),
        seen.2.len()
    );
    assert_eq!(
        got_counts, counts,
        "COUNT_DISTINCT_ITEMS_TUMBLING per window"
    );
    let got_averages: Vec<f64> = seen.1.iter().map(|(d, _)| d.parse().unwrap()).collect();
    assert_eq!(
        got_averages.len(),
        averages.len(),
        "{got_averages:?} vs {averages:?}"
    );
    for (g, e) in got_averages.iter().zip(&averages) {
        assert!((g - e).abs() < 1e-12, "average {g} vs {e}");
    }
    // RANDOM_CUT_FOREST scores every review once.
    assert_eq!(seen.2.len(), sent, "one anomaly score per review");
    assert!(
        seen.2
            .iter()
            .all(|(d, _)| d.parse::<f64>().is_ok_and(|s| s >= 0.0))
    );
}

/// The application's status once it is `want` (or the last seen, after a minute).
async fn wait_status(v2: &aws_sdk_kinesisanalyticsv2::Client, want: &str) -> String {
    let mut status = String::new();
    for _ in 0..120 {
        status = v2
            .describe_application()
            .application_name("dsoaws-flink-app")
            .send()
            .await
            .unwrap()
            .application_detail
            .unwrap()
            .application_status
            .as_str()
            .to_string();
        if status == want {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    status
}

/// A snapshot's status once it is not CREATING (or after a minute).
async fn snapshot_status(v2: &aws_sdk_kinesisanalyticsv2::Client, name: &str) -> String {
    let mut status = String::new();
    for _ in 0..120 {
        status = v2
            .describe_application_snapshot()
            .application_name("dsoaws-flink-app")
            .snapshot_name(name)
            .send()
            .await
            .unwrap()
            .snapshot_details
            .unwrap()
            .snapshot_status
            .as_str()
            .to_string();
        if status != "CREATING" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    status
}
