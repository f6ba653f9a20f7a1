//! AWS SDK configuration for the commands that talk to Step Functions and EventBridge: the
//! endpoint, region and profile resolved as the AWS SDK resolves them (environment,
//! `~/.aws/config`), with `--endpoint-url`, `--region` and `--profile` to override.

use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::ProvideCredentials;
use clap::Args;

/// Flags shared by every command that calls AWS (or the twin).
#[derive(Debug, Clone, Args)]
pub struct AwsArgs {
    /// Endpoint to call instead of AWS, e.g. http://127.0.0.1:4590 for `kdaflow serve`
    /// (default: `AWS_ENDPOINT_URL`, else AWS).
    #[arg(long, global = true)]
    pub endpoint_url: Option<String>,
    /// Region (default: `AWS_REGION`, the profile's region).
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// Named profile from ~/.aws/config (default: `AWS_PROFILE`, `default`).
    #[arg(long, global = true)]
    pub profile: Option<String>,
}

fn is_loopback(url: &str) -> bool {
    let host = url
        .split("://")
        .nth(1)
        .unwrap_or(url)
        .split(['/', ':'])
        .next()
        .unwrap_or_default();
    matches!(host, "127.0.0.1" | "localhost" | "[::1]") || host.starts_with("127.")
}

impl AwsArgs {
    /// The SDK configuration. Against a loopback endpoint (the twin) with no credentials
    /// configured, test credentials are used: the twin accepts any signature.
    pub async fn load(&self) -> SdkConfig {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(e) = &self.endpoint_url {
            loader = loader.endpoint_url(e);
        }
        if let Some(r) = &self.region {
            loader = loader.region(aws_config::Region::new(r.clone()));
        }
        if let Some(p) = &self.profile {
            loader = loader.profile_name(p);
        }
        let config = loader.load().await;
        let endpoint = config.endpoint_url().map(str::to_string);
        let has_region = config.region().is_some();
        let has_credentials = match config.credentials_provider() {
            Some(p) => p.provide_credentials().await.is_ok(),
            None => false,
        };
        let mut builder = config.to_builder();
        if endpoint.as_deref().is_some_and(is_loopback) {
            if !has_credentials {
                builder.set_credentials_provider(Some(
                    aws_credential_types::provider::SharedCredentialsProvider::new(
                        Credentials::new("kdaflow", "kdaflow", None, None, "kdaflow-twin"),
                    ),
                ));
            }
            if !has_region {
                builder.set_region(Some(aws_config::Region::new(
                    kdaflow_local::config::DEFAULT_REGION,
                )));
            }
        }
        builder.build()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn loopback() {
        assert!(super::is_loopback("http://127.0.0.1:4590"));
        assert!(super::is_loopback("http://localhost:4590/"));
        assert!(!super::is_loopback(
            "https://states.us-east-1.amazonaws.com"
        ));
    }
}
