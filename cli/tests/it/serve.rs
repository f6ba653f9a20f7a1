//! `kdaflow serve` as users run it: a separate process, killed without warning.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use aws_sdk_kinesisanalytics as kda;

use crate::kdaflow;
use kda::config::{BehaviorVersion, Credentials, Region};

struct Server {
    child: Child,
    endpoint: String,
}

impl Server {
    fn start(state_dir: &std::path::Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kdaflow"))
            .args(["serve", "--port", "0", "--state-dir"])
            .arg(state_dir)
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
