//! Fault injection: make the twin misbehave on purpose, the way AWS sometimes does.
//!
//! Two kinds of fault can be armed, from Rust ([`Faults`]) or over HTTP
//! (`POST /_kdaflow/faults`, see [`FaultRequest`]; the `kdaflow fault` command wraps it):
//!
//! - **error faults**: the next `count` calls of an operation (or of every operation of a
//!   service) fail with a chosen AWS error before they reach the service, e.g. two
//!   `ThrottlingException`s for `StartApplication`;
//! - **start faults**: the next `StartApplication` (of one application, or of any) either fails
//!   (STARTING, then back to READY) or hangs (stays STARTING until stopped by deletion).
//!
//! Faults are not persisted: a restarted twin starts with none.

use std::sync::atomic::{AtomicBool, Ordering};

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use crate::protocol::AwsError;

/// How the next start of an application misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StartFaultKind {
    /// The application goes STARTING and then falls back to READY, as a start that fails
    /// (for example on missing permissions) does on AWS.
    Fail,
    /// The application stays STARTING.
    Hang,
}

/// An armed fault, as listed by `GET /_kdaflow/faults`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum FaultRequest {
    /// Fail the next `count` calls with `error`.
    Error {
        /// Service name, e.g. `kinesisanalytics`.
        service: String,
        /// Operation name, e.g. `StartApplication`; absent means every operation of the service.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        operation: Option<String>,
        /// The AWS error name, e.g. `ThrottlingException`.
        error: String,
        /// The error message; absent means a generic one naming the fault.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
        /// How many calls fail; absent means 1.
        #[serde(default = "one")]
        count: u32,
    },
    /// Make the next start of an application fail or hang.
    Start {
        /// `fail` or `hang`.
        behaviour: StartFaultKind,
        /// Only this application; absent means whichever starts next.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        application: Option<String>,
        /// How many starts misbehave; absent means 1.
        #[serde(default = "one")]
        count: u32,
    },
}

fn one() -> u32 {
    1
}

/// The fault registry shared by the gateway and the services.
#[derive(Debug, Default)]
pub struct Faults {
    armed: AtomicBool,
    list: Mutex<Vec<FaultRequest>>,
}

impl Faults {
    /// Arms a fault. A count of zero arms nothing.
    pub fn arm(&self, fault: FaultRequest) {
        let count = match &fault {
            FaultRequest::Error { count, .. } | FaultRequest::Start { count, .. } => *count,
        };
        if count == 0 {
            return;
        }
        let mut list = self.list.lock();
        list.push(fault);
        self.armed.store(true, Ordering::Release);
    }

    /// The faults still armed.
    pub fn list(&self) -> Vec<FaultRequest> {
        self.list.lock().clone()
    }

    /// Disarms every fault.
    pub fn clear(&self) {
        self.list.lock().clear();
        self.armed.store(false, Ordering::Release);
    }

    /// Consumes one error fault matching this call, if one is armed.
    pub fn take_error(&self, service: &str, operation: &str) -> Option<AwsError> {
        if !self.armed.load(Ordering::Acquire) {
            return None;
        }
        self.take(|f| match f {
            FaultRequest::Error {
                service: s,
                operation: o,
                error,
                message,
                ..
            } if s == service && o.as_deref().is_none_or(|o| o == operation) => Some(AwsError::named(
                error,
                message.clone().unwrap_or_else(|| {
                    format!("Injected fault: {operation} fails with {error} (kdaflow fault injection)")
                }),
            )),
            _ => None,
        })
    }

    /// Consumes one start fault for this application, if one is armed.
    pub fn take_start(&self, application: &str) -> Option<StartFaultKind> {
        if !self.armed.load(Ordering::Acquire) {
            return None;
        }
        self.take(|f| match f {
            FaultRequest::Start {
                behaviour,
                application: a,
                ..
            } if a.as_deref().is_none_or(|a| a == application) => Some(*behaviour),
            _ => None,
        })
    }

    fn take<T>(&self, mut matches: impl FnMut(&FaultRequest) -> Option<T>) -> Option<T> {
        let mut list = self.list.lock();
        let index = list.iter().position(|f| matches(f).is_some())?;
        let found = matches(&list[index]);
        let exhausted = match &mut list[index] {
            FaultRequest::Error { count, .. } | FaultRequest::Start { count, .. } => {
                *count -= 1;
                *count == 0
            }
        };
        if exhausted {
            list.remove(index);
        }
        if list.is_empty() {
            self.armed.store(false, Ordering::Release);
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_fault_counts_down_and_matches_operation() {
        let faults = Faults::default();
        faults.arm(FaultRequest::Error {
            service: "kinesisanalytics".into(),
            operation: Some("StartApplication".into()),
            error: "ThrottlingException".into(),
            message: None,
            count: 2,
        });
        assert!(
            faults
                .take_error("kinesisanalytics", "DescribeApplication")
                .is_none()
        );
        let e = faults
            .take_error("kinesisanalytics", "StartApplication")
            .unwrap();
        assert_eq!(e.code, "ThrottlingException");
        assert!(
            faults
                .take_error("kinesisanalytics", "StartApplication")
                .is_some()
        );
        assert!(
            faults
                .take_error("kinesisanalytics", "StartApplication")
                .is_none()
        );
        assert!(faults.list().is_empty());
    }

    #[test]
    fn start_fault_targets_one_application() {
        let faults = Faults::default();
        faults.arm(FaultRequest::Start {
            behaviour: StartFaultKind::Hang,
            application: Some("a".into()),
            count: 1,
        });
        assert_eq!(faults.take_start("b"), None);
        assert_eq!(faults.take_start("a"), Some(StartFaultKind::Hang));
        assert_eq!(faults.take_start("a"), None);
    }

    #[test]
    fn fault_request_json_shape() {
        let f: FaultRequest = serde_json::from_str(
            r#"{"kind":"error","service":"kinesisanalytics","error":"ServiceUnavailableException"}"#,
        )
        .unwrap();
        assert!(matches!(
            f,
            FaultRequest::Error {
                count: 1,
                operation: None,
                ..
            }
        ));
    }
}
