//! Tests of the `kdaflow` binary as a user runs it: `kdaflow serve` as a child process (killed
//! and restarted, driven by send/inspect/fault), `spec`, `synth` and `package`. The scenarios
//! over the whole twin are in the `kdaflow-tests` crate (`tests/`).

mod browser;
mod console;
mod deploy;
mod flink;
mod flink_twin;
mod serve;
mod spec;
mod sql;

use std::path::PathBuf;
use std::process::Command;

/// Runs the `kdaflow` binary (without an inherited `AWS_ENDPOINT_URL`): exit code, stdout,
/// stderr.
pub fn kdaflow(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kdaflow"))
        .args(args)
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A path in the repository.
pub fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path)
}

/// The SDK configuration of a client of the twin at `endpoint`.
pub fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(
                aws_credential_types::Credentials::new("AKID", "secret", None, None, "test"),
            ),
        )
        .build()
}
