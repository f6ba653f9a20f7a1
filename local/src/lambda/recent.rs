//! The latest invocations of each function, with their payloads and answers, for a person
//! looking at a function (the console's function page, `GET
//! /_kdaflow/lambda/functions/{name}/invocations`). AWS shows these through CloudWatch Logs;
//! the twin keeps the latest [`KEPT`] of each function in memory.

use std::collections::{HashMap, VecDeque};

use parking_lot::Mutex;
use serde::Serialize;

/// Invocations kept per function (older ones are dropped first).
pub const KEPT: usize = 50;
/// Bytes of a payload or answer kept (the rest is cut, and said so).
pub const KEPT_BYTES: usize = 16 * 1024;

/// One invocation.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Invocation {
    /// When it started, epoch milliseconds on the twin's clock.
    pub at_ms: i64,
    /// How long it took, wall-clock milliseconds.
    pub duration_ms: f64,
    /// The event, as text.
    pub payload: String,
    /// The answer (or the error document), as text.
    pub response: String,
    /// `errorType: errorMessage` when the function failed.
    pub error: Option<String>,
}

impl Invocation {
    /// An invocation that started at `at_ms` (the twin's clock) and `started` (the wall clock,
    /// for its duration) and has just ended.
    pub fn ended(
        at_ms: i64,
        started: std::time::Instant,
        payload: String,
        response: String,
        error: Option<String>,
    ) -> Self {
        Self {
            at_ms,
            duration_ms: started.elapsed().as_secs_f64() * 1000.0,
            payload,
            response,
            error,
        }
    }
}

/// The latest invocations per function name.
#[derive(Debug, Default)]
pub struct Recent(Mutex<HashMap<String, VecDeque<Invocation>>>);

/// `bytes` as text of at most [`KEPT_BYTES`].
pub fn clip(bytes: &[u8]) -> String {
    if bytes.len() <= KEPT_BYTES {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    let mut s = String::from_utf8_lossy(&bytes[..KEPT_BYTES]).into_owned();
    s.push_str(&format!("… ({} bytes in all)", bytes.len()));
    s
}

impl Recent {
    /// Keeps `invocation` of function `name`.
    pub fn push(&self, name: &str, invocation: Invocation) {
        let mut all = self.0.lock();
        let list = all.entry(name.to_string()).or_default();
        if list.len() == KEPT {
            list.pop_front();
        }
        list.push_back(invocation);
    }

    /// Function `name`'s kept invocations, newest first.
    pub fn of(&self, name: &str) -> Vec<Invocation> {
        self.0
            .lock()
            .get(name)
            .map(|l| l.iter().rev().cloned().collect())
            .unwrap_or_default()
    }
}
