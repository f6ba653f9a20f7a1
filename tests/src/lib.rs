//! `kdaflow-tests` — end-to-end scenarios over the whole twin (`scenarios/`): the bootstrap with
//! its reviewed history goldens (`goldens/`), the three triggers, a restart mid-bootstrap.
//!
//! This library holds what the scenarios share: SDK configuration for a twin and a listing of
//! executions through `aws-sdk-sfn`. The crate depends on every other crate and nothing depends
//! on it. Tests of one crate stay in that crate; tests of the `kdaflow` binary as a user runs
//! it stay in `cli/`.

use kdaflow_local::RunningTwin;

/// An AWS SDK configuration for the twin at `endpoint`, with test credentials.
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

/// `(execution ARN, status)` of every execution of `state_machine`, newest first, as
/// ListExecutions answers.
pub async fn executions(running: &RunningTwin, state_machine: &str) -> Vec<(String, String)> {
    let sfn = aws_sdk_sfn::Client::new(&sdk_config(&running.endpoint_url()));
    let list = sfn
        .list_executions()
        .state_machine_arn(state_machine)
        .send()
        .await
        .expect("ListExecutions");
    list.executions()
        .iter()
        .map(|e| {
            (
                e.execution_arn().to_string(),
                e.status().as_str().to_string(),
            )
        })
        .collect()
}
