//! How the twin is configured. Every default is named here, next to the field that uses it.

use std::path::PathBuf;
use std::time::Duration;

/// The port `kdaflow serve` listens on when `--port` is not given.
pub const DEFAULT_PORT: u16 = 4590;
/// The region the twin claims to be, in ARNs and responses.
pub const DEFAULT_REGION: &str = "us-east-1";
/// The account id in ARNs (twelve zeros, as local emulators conventionally use).
pub const DEFAULT_ACCOUNT_ID: &str = "000000000000";
/// Applications per account and region (the service's default limit).
pub const DEFAULT_MAX_APPLICATIONS: usize = 50;
/// The largest request body accepted (Kinesis PutRecords takes up to 5 MiB of records; the JSON
/// and base64 around them need room too).
pub const DEFAULT_BODY_LIMIT: usize = 8 * 1024 * 1024;
/// How long STARTING lasts (AWS takes minutes; the twin is quick but still shows the state).
pub const DEFAULT_START: Duration = Duration::from_secs(2);
/// How long STOPPING lasts.
pub const DEFAULT_STOP: Duration = Duration::from_secs(1);
/// How long UPDATING lasts.
pub const DEFAULT_UPDATE: Duration = Duration::from_secs(1);
/// How long DELETING lasts.
pub const DEFAULT_DELETE: Duration = Duration::from_secs(1);

/// How long each lifecycle transition of a Kinesis Analytics application takes on the twin's
/// clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifecycle {
    /// READY -> STARTING -> RUNNING; default [`DEFAULT_START`].
    pub start: Duration,
    /// RUNNING -> STOPPING -> READY; default [`DEFAULT_STOP`].
    pub stop: Duration,
    /// -> UPDATING -> back; default [`DEFAULT_UPDATE`].
    pub update: Duration,
    /// -> DELETING -> gone; default [`DEFAULT_DELETE`].
    pub delete: Duration,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Self {
            start: DEFAULT_START,
            stop: DEFAULT_STOP,
            update: DEFAULT_UPDATE,
            delete: DEFAULT_DELETE,
        }
    }
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4)
}

impl Lifecycle {
    /// Start duration in milliseconds.
    pub fn start_ms(&self) -> i64 {
        ms(self.start)
    }
    /// Stop duration in milliseconds.
    pub fn stop_ms(&self) -> i64 {
        ms(self.stop)
    }
    /// Update duration in milliseconds.
    pub fn update_ms(&self) -> i64 {
        ms(self.update)
    }
    /// Delete duration in milliseconds.
    pub fn delete_ms(&self) -> i64 {
        ms(self.delete)
    }
}

/// The twin's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwinConfig {
    /// Region; default [`DEFAULT_REGION`].
    pub region: String,
    /// Account id; default [`DEFAULT_ACCOUNT_ID`].
    pub account_id: String,
    /// Lifecycle durations.
    pub lifecycle: Lifecycle,
    /// Where state is kept; `None` (the default) keeps it in memory only.
    pub state_dir: Option<PathBuf>,
    /// Application limit; default [`DEFAULT_MAX_APPLICATIONS`].
    pub max_applications: usize,
    /// Largest request body; default [`DEFAULT_BODY_LIMIT`].
    pub body_limit: usize,
    /// Refuse requests without a SigV4 `Authorization` header (or presigned query), as AWS does;
    /// default true. Any credentials are accepted: the signature is not checked.
    pub require_auth: bool,
}

impl Default for TwinConfig {
    fn default() -> Self {
        Self {
            region: DEFAULT_REGION.to_string(),
            account_id: DEFAULT_ACCOUNT_ID.to_string(),
            lifecycle: Lifecycle::default(),
            state_dir: None,
            max_applications: DEFAULT_MAX_APPLICATIONS,
            body_limit: DEFAULT_BODY_LIMIT,
            require_auth: true,
        }
    }
}
