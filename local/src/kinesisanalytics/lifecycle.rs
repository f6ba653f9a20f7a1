//! StartApplication and StopApplication, and the [`StartHook`] through which the rest of the
//! twin takes part in a start: the data plane checks that the application's input stream,
//! preprocessing function and destinations exist (as the service does before it starts an
//! application) and learns when and from where the application reads.

use super::error::KinesisAnalyticsError;
use std::fmt::Debug;
use std::sync::Arc;

use bytes::Bytes;

use super::app::{AppRecord, Status, Target};
use super::model::*;
use super::validate::Violations;
use super::{KinesisAnalytics, empty};
use crate::faults::StartFaultKind;
use crate::protocol::{AwsError, parse_body};

/// The starting position used when a request leaves `InputStartingPosition` out.
pub const DEFAULT_STARTING_POSITION: &str = "NOW";
const STARTING_POSITIONS: [&str; 3] = ["NOW", "TRIM_HORIZON", "LAST_STOPPED_POINT"];

/// Takes part in StartApplication. Without a hook (the default) every start that passes the
/// API's own checks is accepted.
pub trait StartHook: Send + Sync + Debug {
    /// What the application refers to that does not exist, one line each (naming the input,
    /// function or destination); non-empty fails the start with
    /// `InvalidApplicationConfigurationException`.
    fn missing(&self, app: &AppRecord) -> Vec<String>;
    /// The start was accepted at `now_ms`; `app` carries the chosen starting positions.
    fn starting(&self, app: &AppRecord, now_ms: i64);
}

impl KinesisAnalytics {
    /// Installs the hook StartApplication consults (the twin installs its data plane).
    pub fn set_start_hook(&self, hook: Arc<dyn StartHook>) {
        *self.start_hook.write() = Some(hook);
    }
}

impl KinesisAnalytics {
    pub(super) fn start_application(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: StartApplicationRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_name("applicationName", &req.application_name);
        if let Some(list) = v.required("inputConfigurations", &req.input_configurations) {
            for (i, c) in list.iter().enumerate() {
                let base = format!("inputConfigurations.{}.member", i + 1);
                v.id(&format!("{base}.id"), &c.id);
                let p = format!("{base}.inputStartingPositionConfiguration");
                if let Some(pos) = v.required(&p, &c.input_starting_position_configuration)
                    && let Some(s) = &pos.input_starting_position
                {
                    v.one_of(
                        &format!("{p}.inputStartingPosition"),
                        s,
                        &STARTING_POSITIONS,
                    );
                }
            }
        }
        v.finish()?;
        let name = req.application_name.unwrap_or_default();
        let configs = req.input_configurations.unwrap_or_default();
        let start_ms = self.config.lifecycle.start_ms();
        let faults = &self.faults;
        let hook = self.start_hook.read().clone();
        self.mutate(&name, |r, now| {
            if r.status != Status::Ready {
                return Err(KinesisAnalyticsError::ResourceInUse.with(format!(
                        "Application {name} is in {} state; StartApplication is valid only in READY state",
                        r.status.as_str()
                    ),
                ));
            }
            if r.inputs.is_empty() {
                return Err(KinesisAnalyticsError::InvalidApplicationConfiguration.with(format!("Application {name} has no input; add one with AddApplicationInput before starting it"),
                ));
            }
            if configs.len() != r.inputs.len() {
                return Err(KinesisAnalyticsError::InvalidArgument.with(format!(
                        "InputConfigurations must name each of the application's {} input(s) once; {} given",
                        r.inputs.len(),
                        configs.len()
                    ),
                ));
            }
            for c in &configs {
                let id = c.id.as_deref().unwrap_or_default();
                let position = c
                    .input_starting_position_configuration
                    .as_ref()
                    .and_then(|p| p.input_starting_position.clone())
                    .unwrap_or_else(|| DEFAULT_STARTING_POSITION.to_string());
                let Some(input) = r.inputs.iter_mut().find(|i| i.input_id.as_deref() == Some(id)) else {
                    return Err(KinesisAnalyticsError::InvalidArgument.with(format!("Application {name} has no input with id {id}; DescribeApplication lists the input ids"),
                    ));
                };
                if position == "TRIM_HORIZON" && input.kinesis_firehose_input_description.is_some() {
                    return Err(KinesisAnalyticsError::InvalidArgument.with("TRIM_HORIZON is not available for a Kinesis Data Firehose source; use NOW or LAST_STOPPED_POINT",
                    ));
                }
                input.input_starting_position_configuration = Some(InputStartingPositionConfiguration {
                    input_starting_position: Some(position),
                });
            }
            if let Some(hook) = &hook {
                let missing = hook.missing(r);
                if !missing.is_empty() {
                    return Err(KinesisAnalyticsError::InvalidApplicationConfiguration.with(format!(
                            "Application {name} cannot start: {}. Create the missing resources (or fix the application's configuration) and start it again; \
                             to run the twin without this check, start it with --no-resource-checks (kdaflow serve, kdaflow up)",
                            missing.join("; ")
                        ),
                    ));
                }
                hook.starting(r, now);
            }
            let then = match faults.take_start(&name) {
                None => Some(Target::Status(Status::Running)),
                Some(StartFaultKind::Fail) => Some(Target::Status(Status::Ready)),
                Some(StartFaultKind::Hang) => None,
            };
            r.begin(Status::Starting, then, now, start_ms);
            Ok(())
        })?;
        empty()
    }

    pub(super) fn stop_application(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: NameRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_name("applicationName", &req.application_name);
        v.finish()?;
        let name = req.application_name.unwrap_or_default();
        let stop_ms = self.config.lifecycle.stop_ms();
        self.mutate(&name, |r, now| {
            if r.status != Status::Running {
                return Err(KinesisAnalyticsError::ResourceInUse.with(format!(
                        "Application {name} is in {} state; StopApplication is valid only in RUNNING state",
                        r.status.as_str()
                    ),
                ));
            }
            r.begin(Status::Stopping, Some(Target::Status(Status::Ready)), now, stop_ms);
            Ok(())
        })?;
        empty()
    }
}
