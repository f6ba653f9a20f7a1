//! `kdaflow serve` as users run it: a separate process, killed without warning.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use aws_sdk_kinesisanalytics as kda;

use crate::kdaflow;
use kda::config::{BehaviorVersion, Credentials, Region};

/// `kdaflow serve` as a child process.
pub(crate) struct Server {
    child: Child,
    /// Its endpoint.
    pub(crate) endpoint: String,
}

impl Server {
    fn start(state_dir: &std::path::Path) -> Self {
        Self::start_with(state_dir, &[])
    }

    pub(crate) fn start_with(state_dir: &std::path::Path, args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kdaflow"))
            .args(["serve", "--port", "0", "--state-dir"])
            .arg(state_dir)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("kdaflow serve starts");
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut line).unwrap();
        // Keep reading so the server never writes into a closed pipe.
        std::thread::spawn(move || {
            let mut rest = String::new();
            while stdout.read_line(&mut rest).is_ok_and(|n| n > 0) {
                rest.clear();
            }
        });
        let endpoint = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no endpoint in {line:?}"))
            .to_string();
        Self { child, endpoint }
    }

    fn client(&self) -> kda::Client {
        let config = kda::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(&self.endpoint)
            .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
            .build();
        kda::Client::from_conf(config)
    }

    fn kinesis(&self) -> aws_sdk_kinesis::Client {
        let config = aws_sdk_kinesis::Config::builder()
            .behavior_version(aws_sdk_kinesis::config::BehaviorVersion::latest())
            .region(aws_sdk_kinesis::config::Region::new("us-east-1"))
            .endpoint_url(&self.endpoint)
            .credentials_provider(aws_sdk_kinesis::config::Credentials::new(
                "AKIDTEST", "secret", None, None, "test",
            ))
            .retry_config(aws_sdk_kinesis::config::retry::RetryConfig::disabled())
            .build();
        aws_sdk_kinesis::Client::from_conf(config)
    }

    /// SIGKILL: no shutdown code runs.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn a_killed_twin_loses_nothing_it_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let client = server.client();
    for i in 0..20 {
        client
            .create_application()
            .application_name(format!("kill-{i:02}"))
            .application_code(format!("-- application {i}"))
            .send()
            .await
            .unwrap();
    }
    client
        .tag_resource()
        .resource_arn("arn:aws:kinesisanalytics:us-east-1:000000000000:application/kill-07")
        .tags(
            kda::types::Tag::builder()
                .key("acknowledged")
                .value("yes")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    server.kill();

    let server = Server::start(dir.path());
    let client = server.client();
    let list = client.list_applications().send().await.unwrap();
    assert_eq!(list.application_summaries().len(), 20);
    let d = client
        .describe_application()
        .application_name("kill-13")
        .send()
        .await
        .unwrap();
    assert_eq!(
        d.application_detail.unwrap().application_code.as_deref(),
        Some("-- application 13")
    );
    let tags = client
        .list_tags_for_resource()
        .resource_arn("arn:aws:kinesisanalytics:us-east-1:000000000000:application/kill-07")
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags()[0].value(), Some("yes"));
}

#[tokio::test]
async fn send_inspect_and_fault_against_a_running_twin() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let e = server.endpoint.as_str();
    // send: one second of reviews at 20/s through aws-sdk-firehose.
    let (code, out, err) = kdaflow(&[
        "send",
        "--endpoint-url",
        e,
        "--duration",
        "1s",
        "--rate",
        "20",
        "--anomaly-every",
        "5",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let all = format!("{out}{err}");
    // The pacing is real time: about 20 records, every one accepted.
    let sent: usize = all
        .split("sent ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in {all}"));
    assert!((15..=21).contains(&sent), "{all}");
    assert!(all.contains(", 0 failed"), "{all}");
    // A stream that does not exist is refused as Firehose refuses it.
    let (code, out, err) = kdaflow(&[
        "send",
        "--endpoint-url",
        e,
        "--duration",
        "1s",
        "--stream",
        "nope",
    ]);
    assert_ne!(code, 0);
    assert!(
        format!("{out}{err}").contains("ResourceNotFoundException"),
        "{out}{err}"
    );
    // inspect: the three stand-ins, then one of them.
    let (code, out, _) = kdaflow(&["inspect", "--endpoint-url", e]);
    assert_eq!(code, 0, "{out}");
    for name in [
        "InvokeSageMakerEndpointFromKinesis",
        "DeliverKinesisAnalyticsToCloudWatch",
        "PushNotificationToSNS",
    ] {
        assert!(out.contains(name), "{name} missing from {out}");
    }
    let (code, out, _) = kdaflow(&["inspect", "--endpoint-url", e, "PushNotificationToSNS"]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["function"], "PushNotificationToSNS");
    let (code, _, _) = kdaflow(&["inspect", "--endpoint-url", e, "NoSuchFunction"]);
    assert_ne!(code, 0);
    // fault: arm, list, and the next call fails with the injected error.
    let (code, out, err) = kdaflow(&[
        "fault",
        "--endpoint-url",
        e,
        "error",
        "--operation",
        "ListApplications",
        "--error",
        "ThrottlingException",
        "--count",
        "1",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let (_, out, _) = kdaflow(&["fault", "--endpoint-url", e, "list"]);
    assert!(out.contains("ThrottlingException"), "{out}");
    let client = server.client();
    let failed = client.list_applications().send().await;
    let failed = failed.map(|_| ()).map_err(|e| {
        aws_sdk_kinesisanalytics::error::ProvideErrorMetadata::code(&e).map(str::to_string)
    });
    // The SDK's standard retry absorbs one throttle; either way the fault was consumed.
    assert!(matches!(failed, Ok(()) | Err(Some(_))));
    let (_, out, _) = kdaflow(&["fault", "--endpoint-url", e, "list"]);
    assert!(!out.contains("ThrottlingException"), "{out}");
    let (code, _, _) = kdaflow(&["fault", "--endpoint-url", e, "clear"]);
    assert_eq!(code, 0);
}

/// One record a writer had acknowledged: shard, sequence number, data.
type Acked = (String, String, String);

/// Every record of a stream from TRIM_HORIZON, shard by shard: (shard, sequence, data).
async fn stream_records(ks: &aws_sdk_kinesis::Client, stream: &str) -> Vec<Acked> {
    use aws_sdk_kinesis::types::ShardIteratorType;
    let shards = ks.list_shards().stream_name(stream).send().await.unwrap();
    let mut out = Vec::new();
    for s in shards.shards() {
        let mut it = ks
            .get_shard_iterator()
            .stream_name(stream)
            .shard_id(s.shard_id())
            .shard_iterator_type(ShardIteratorType::TrimHorizon)
            .send()
            .await
            .unwrap()
            .shard_iterator;
        while let Some(i) = it {
            let r = ks.get_records().shard_iterator(i).send().await.unwrap();
            if r.records().is_empty() {
                break;
            }
            for x in r.records() {
                let data = String::from_utf8_lossy(x.data().as_ref()).into_owned();
                out.push((
                    s.shard_id().to_string(),
                    x.sequence_number().to_string(),
                    data,
                ));
            }
            it = r.next_shard_iterator;
        }
    }
    out
}

/// A RUNNING application relaying `burst` to `burst-out`, review id by review id.
async fn relay(client: &kda::Client) {
    use kda::types::*;
    let arn = |s: &str| format!("arn:aws:kinesis:us-east-1:000000000000:stream/{s}");
    let role = "arn:aws:iam::000000000000:role/relay";
    let column = RecordColumn::builder()
        .name("review_id")
        .mapping("$.review_id")
        .sql_type("VARCHAR(16)")
        .build()
        .unwrap();
    let schema = SourceSchema::builder()
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
        .record_columns(column)
        .build()
        .unwrap();
    client
        .create_application()
        .application_name("relay")
        .inputs(
            Input::builder()
                .name_prefix("SOURCE_SQL_STREAM")
                .kinesis_streams_input(
                    KinesisStreamsInput::builder().resource_arn(arn("burst")).role_arn(role).build().unwrap(),
                )
                .input_schema(schema)
                .build()
                .unwrap(),
        )
        .outputs(
            Output::builder()
                .name("DEST")
                .kinesis_streams_output(
                    KinesisStreamsOutput::builder().resource_arn(arn("burst-out")).role_arn(role).build().unwrap(),
                )
                .destination_schema(
                    DestinationSchema::builder().record_format_type(RecordFormatType::Csv).build().unwrap(),
                )
                .build()
                .unwrap(),
        )
        .application_code(
            r#"CREATE OR REPLACE STREAM "DEST" (review_id VARCHAR(16));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST" SELECT STREAM "review_id" FROM "SOURCE_SQL_STREAM_001";"#,
        )
        .send()
        .await
        .unwrap();
    let d = client
        .describe_application()
        .application_name("relay")
        .send()
        .await
        .unwrap();
    let id = d.application_detail.unwrap().input_descriptions()[0]
        .input_id()
        .unwrap()
        .to_string();
    client
        .start_application()
        .application_name("relay")
        .input_configurations(
            InputConfiguration::builder()
                .id(id)
                .input_starting_position_configuration(
                    InputStartingPositionConfiguration::builder()
                        .input_starting_position(InputStartingPosition::TrimHorizon)
                        .build(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    wait_for(|| async {
        let d = client
            .describe_application()
            .application_name("relay")
            .send()
            .await
            .unwrap();
        d.application_detail.unwrap().application_status == ApplicationStatus::Running
    })
    .await;
}

/// Polls `check` (every 50 ms, up to 60 s of wall time): for what only a real `kdaflow
/// serve` process, on its own clock, can bring about (an application becoming RUNNING, its
/// output after a restart); nothing in this process can be told instead.
async fn wait_for<F, Fut>(check: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..1200 {
        if check().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("not reached in 60 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_twin_killed_during_a_burst_keeps_every_acknowledged_record_and_its_application_loses_none()
 {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(dir.path(), &["--start-duration", "100ms"]);
    let ks = server.kinesis();
    for (name, shards) in [("burst", 4), ("burst-out", 1)] {
        ks.create_stream()
            .stream_name(name)
            .shard_count(shards)
            .send()
            .await
            .unwrap();
    }
    relay(&server.client()).await;

    // Four writers send batches of 25 until the twin is gone.
    let acked: Arc<Mutex<Vec<Acked>>> = Arc::default();
    let count = Arc::new(AtomicUsize::new(0));
    // Told once the writers have 3,000 acknowledgements: then the twin is killed.
    let enough = Arc::new(tokio::sync::Notify::new());
    let mut writers = Vec::new();
    for w in 0..4 {
        let (ks, acked, count, enough) = (ks.clone(), acked.clone(), count.clone(), enough.clone());
        writers.push(tokio::spawn(async move {
            for batch in 0.. {
                let mut call = ks.put_records().stream_name("burst");
                let mut sent = Vec::new();
                for n in 0..25 {
                    let id = format!("w{w}-{:05}", batch * 25 + n);
                    let data = format!("{{\"review_id\":\"{id}\"}}");
                    call = call.records(
                        aws_sdk_kinesis::types::PutRecordsRequestEntry::builder()
                            .partition_key(&id)
                            .data(aws_sdk_kinesis::primitives::Blob::new(data.clone()))
                            .build()
                            .unwrap(),
                    );
                    sent.push(data);
                }
                let Ok(out) = call.send().await else { return };
                let mut acked = acked.lock().unwrap();
                for (r, data) in out.records().iter().zip(sent) {
                    if let (Some(shard), Some(seq)) = (r.shard_id(), r.sequence_number()) {
                        acked.push((shard.to_string(), seq.to_string(), data));
                        if count.fetch_add(1, Ordering::Relaxed) + 1 == 3_000 {
                            enough.notify_one();
                        }
                    }
                }
            }
        }));
    }
    enough.notified().await;
    server.kill();
    for w in writers {
        w.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();

    let server = Server::start_with(dir.path(), &["--start-duration", "100ms"]);
    let ks = server.kinesis();
    let kept = stream_records(&ks, "burst").await;
    let on_disk: std::collections::HashMap<&str, &Acked> =
        kept.iter().map(|r| (r.1.as_str(), r)).collect();
    for a in &acked {
        assert_eq!(
            on_disk.get(a.1.as_str()),
            Some(&a),
            "acknowledged record {a:?} lost"
        );
    }
    // In order per shard: sequence numbers rise, and each writer's records keep its order.
    let order = |s: &str| (s.len(), s.to_string());
    for shard in [
        "shardId-000000000000",
        "shardId-000000000001",
        "shardId-000000000002",
        "shardId-000000000003",
    ] {
        let seqs: Vec<_> = kept
            .iter()
            .filter(|r| r.0 == shard)
            .map(|r| order(&r.1))
            .collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{shard} out of order");
        for w in 0..4 {
            let mine: Vec<_> = acked
                .iter()
                .filter(|a| a.0 == shard && a.2.contains(&format!("\"w{w}-")))
                .map(|a| order(&a.1))
                .collect();
            assert!(
                mine.windows(2).all(|p| p[0] < p[1]),
                "writer {w} out of order on {shard}"
            );
        }
    }
    // A record written now numbers above every earlier one of its shard.
    let put = ks
        .put_record()
        .stream_name("burst")
        .partition_key("w0-00000")
        .data(aws_sdk_kinesis::primitives::Blob::new(
            "{\"review_id\":\"after\"}",
        ))
        .send()
        .await
        .unwrap();
    let newest = kept
        .iter()
        .filter(|r| r.0 == put.shard_id())
        .map(|r| order(&r.1))
        .max()
        .unwrap();
    assert!(order(put.sequence_number()) > newest);
    // The RUNNING application resumed: every acknowledged review reaches its output.
    let wanted: std::collections::BTreeSet<String> = acked
        .iter()
        .map(|a| {
            a.2.trim_start_matches("{\"review_id\":\"")
                .trim_end_matches("\"}")
                .to_string()
        })
        .collect();
    wait_for(|| async {
        let out: std::collections::BTreeSet<String> = stream_records(&ks, "burst-out")
            .await
            .into_iter()
            .map(|r| r.2.trim().to_string())
            .collect();
        wanted.is_subset(&out)
    })
    .await;
    println!(
        "{} acknowledged records before the kill, {} on disk after it",
        acked.len(),
        kept.len()
    );
}

#[test]
fn a_non_loopback_address_is_refused_unless_told_explicitly() {
    let (code, _, stderr) = crate::kdaflow(&["serve", "--bind", "0.0.0.0", "--port", "0"]);
    assert_ne!(code, 0);
    assert!(stderr.contains("refusing to listen on 0.0.0.0"), "{stderr}");
    assert!(
        stderr.contains("--allow-unauthenticated-remote"),
        "{stderr}"
    );
    // Told explicitly, it listens.
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        dir.path(),
        &["--bind", "0.0.0.0", "--allow-unauthenticated-remote"],
    );
    assert!(
        server.endpoint.starts_with("http://0.0.0.0:"),
        "{}",
        server.endpoint
    );
}
