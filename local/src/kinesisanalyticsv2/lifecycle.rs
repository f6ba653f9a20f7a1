//! StartApplication, StopApplication, the operations (DescribeApplicationOperation,
//! ListApplicationOperations), snapshots, and the [`JobRunner`] that runs a started
//! application's job.

use std::fmt::Debug;

use bytes::Bytes;
use serde::Serialize;

use super::app::{FlinkAppRecord, SnapshotRecord, SnapshotStatus, Status, Target, UNTIL_REPORTED};
use super::application::{apply_run, paginate, trim_operations};
use super::error::FlinkError;
use super::model::*;
use super::validate::{self as check, OPERATION_STATUSES};
use super::{ManagedFlink, empty, in_use, limits};
use crate::faults::StartFaultKind;
use crate::kinesisanalytics::validate::Violations;
use crate::protocol::{AwsError, epoch_seconds, parse_body, to_body};

/// Runs the jobs of started applications.
pub trait JobRunner: Send + Sync + Debug {
    /// Why no job can run on this twin (no Java, no PyFlink), or `None` when jobs can run.
    /// StartApplication answers `InvalidApplicationConfigurationException` with this reason.
    fn unavailable(&self) -> Option<String>;
    /// Whether the runner reports when a job runs or fails ([`ManagedFlink::job_running`],
    /// [`ManagedFlink::job_failed`]); otherwise a start takes the twin's configured duration.
    fn reports(&self) -> bool {
        false
    }
    /// The job of `app` is to start, restored from snapshot `restore` if one is named.
    fn start(&self, app: &FlinkAppRecord, restore: Option<&str>) {
        let _ = (app, restore);
    }
    /// The job of application `name` is to stop, with snapshot `snapshot` taken first if one
    /// is named. A reporting runner says when it stopped ([`ManagedFlink::job_stopped`]) and
    /// how the snapshot went ([`ManagedFlink::snapshot_taken`]).
    fn stop(&self, name: &str, snapshot: Option<&str>) {
        let _ = (name, snapshot);
    }
    /// Snapshot `snapshot` of the running job of `app` is to be taken (a reporting runner
    /// says how it went, [`ManagedFlink::snapshot_taken`]).
    fn snapshot(&self, app: &str, snapshot: &str) {
        let _ = (app, snapshot);
    }
    /// Snapshot `snapshot` of `app` was deleted.
    fn forget_snapshot(&self, app: &str, snapshot: &str) {
        let _ = (app, snapshot);
    }
    /// The running job of `app` is to restart with its new version (an update, a rollback):
    /// taking `restart.take` first, restoring `restart.restore`. A reporting runner says when
    /// the new job runs ([`ManagedFlink::job_running`]).
    fn restart(&self, app: &FlinkAppRecord, restart: &super::app::Restart) {
        let _ = (app, restart);
    }
}

/// The API-only mode: the lifecycle follows the configured durations and no job runs (tests of
/// the API and of the bootstrap).
#[derive(Debug, Default, Clone, Copy)]
pub struct LifecycleOnly;

impl JobRunner for LifecycleOnly {
    fn unavailable(&self) -> Option<String> {
        None
    }
}

/// No job can run here, for the reason given (StartApplication says it).
#[derive(Debug, Clone)]
pub struct Unavailable(pub String);

impl JobRunner for Unavailable {
    fn unavailable(&self) -> Option<String> {
        Some(self.0.clone())
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct OperationOut {
    operation_id: String,
}

impl ManagedFlink {
    pub(super) fn start_application(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: StartApplicationRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_name("applicationName", &req.application_name);
        if let Some(r) = req
            .run_configuration
            .as_ref()
            .and_then(|r| r.application_restore_configuration.as_ref())
        {
            check::restore(
                &mut v,
                "runConfiguration.applicationRestoreConfiguration",
                r,
            );
        }
        v.finish()?;
        let name = req.application_name.unwrap_or_default();
        let run = req.run_configuration.unwrap_or_default();
        if run.sql_run_configurations.is_some() {
            return Err(FlinkError::InvalidArgument.with(
                "SqlRunConfigurations apply to SQL applications; a Flink application starts with FlinkRunConfiguration and ApplicationRestoreConfiguration",
            ));
        }
        let runner = self.runner.read().clone();
        let start_ms = self.config.lifecycle.start_ms();
        let faults = &self.faults;
        let (op, record, restore) = self.mutate(&name, |r, now| {
            if r.status != Status::Ready {
                return Err(in_use(r, "StartApplication", "READY"));
            }
            if let Some(why) = runner.unavailable() {
                return Err(FlinkError::InvalidApplicationConfiguration.with(format!(
                    "Application {name} cannot run its Flink job on this twin: {why}"
                )));
            }
            apply_run(
                r,
                run.application_restore_configuration.as_ref(),
                run.flink_run_configuration.as_ref(),
            )?;
            if r.run.0 == "RESTORE_FROM_CUSTOM_SNAPSHOT"
                && let Some(s) = r.snapshots.iter().find(|s| Some(&s.name) == r.run.1.as_ref())
                && s.status(now) != SnapshotStatus::Ready
            {
                return Err(FlinkError::InvalidArgument.with(format!(
                    "Snapshot {} of application {name} is {:?}; a start restores only from a READY snapshot",
                    s.name,
                    s.status(now)
                )));
            }
            let restore = match r.run.0.as_str() {
                "RESTORE_FROM_CUSTOM_SNAPSHOT" => r.run.1.clone(),
                "RESTORE_FROM_LATEST_SNAPSHOT" => r
                    .snapshots
                    .iter()
                    .rev()
                    .find(|s| s.status(now) == SnapshotStatus::Ready)
                    .map(|s| s.name.clone()),
                _ => None,
            };
            let op = r.operation("StartApplication", now, None);
            match faults.take_start(&name) {
                Some(StartFaultKind::Fail) => r.begin(
                    Status::Starting,
                    Some(Target::Status(Status::Ready)),
                    now + start_ms,
                    Some(op.clone()),
                    Some("The job failed to start (a fault injected with kdaflow fault)".into()),
                ),
                Some(StartFaultKind::Hang) => {
                    r.begin(Status::Starting, None, now, Some(op.clone()), None)
                }
                None if runner.reports() => {
                    r.begin(Status::Starting, None, now, Some(op.clone()), None)
                }
                None => r.begin(
                    Status::Starting,
                    Some(Target::Status(Status::Running)),
                    now + start_ms,
                    Some(op.clone()),
                    None,
                ),
            }
            trim_operations(r);
            Ok((op, r.clone(), restore))
        })?;
        runner.start(&record, restore.as_deref());
        to_body(&OperationOut { operation_id: op })
    }

    pub(super) fn stop_application(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: StopApplicationRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_name("applicationName", &req.application_name);
        v.finish()?;
        let name = req.application_name.unwrap_or_default();
        let force = req.force.unwrap_or(false);
        let stop_ms = self.config.lifecycle.stop_ms();
        let runner = self.runner.read().clone();
        let reports = runner.reports();
        let (op, snapshot) = self.mutate(&name, |r, now| {
            if force {
                if matches!(
                    r.status,
                    Status::Ready | Status::Deleting | Status::ForceStopping
                ) {
                    return Err(in_use(
                        r,
                        "StopApplication with Force",
                        "STARTING, RUNNING, UPDATING, ROLLING_BACK or STOPPING",
                    ));
                }
                r.cancel_pending(now);
            } else if r.status != Status::Running {
                return Err(in_use(
                    r,
                    "StopApplication",
                    "RUNNING (use Force to stop it now)",
                ));
            }
            let op = r.operation("StopApplication", now, None);
            // A stop that is not forced takes a snapshot when snapshots are enabled.
            let mut snapshot = None;
            if !force && r.config.snapshots {
                let name = format!("kdaflow-stop-{}-{now}", r.version);
                r.snapshots.push(SnapshotRecord {
                    name: name.clone(),
                    version: r.version,
                    create_ms: now,
                    ready_ms: if reports {
                        UNTIL_REPORTED
                    } else {
                        now + stop_ms
                    },
                    runtime: r.config.runtime.clone(),
                    failed: None,
                });
                snapshot = Some(name);
            }
            let status = if force {
                Status::ForceStopping
            } else {
                Status::Stopping
            };
            if reports {
                // READY when the runner says the job stopped.
                r.begin(status, None, now, Some(op.clone()), None);
            } else {
                r.begin(
                    status,
                    Some(Target::Status(Status::Ready)),
                    now + stop_ms,
                    Some(op.clone()),
                    None,
                );
            }
            trim_operations(r);
            Ok((op, snapshot))
        })?;
        runner.stop(&name, snapshot.as_deref());
        to_body(&OperationOut { operation_id: op })
    }

    /// The runner's report: the job of `name` runs (a start, update or rollback in progress
    /// completes).
    pub fn job_running(&self, name: &str) {
        let _ = self.mutate(name, |r, now| {
            let restarting = matches!(
                r.status,
                Status::Starting | Status::Updating | Status::RollingBack
            );
            if restarting && r.pending.is_none() {
                r.finish_now(Status::Running, None, now, |_| true);
            }
            Ok(())
        });
    }

    /// The runner's report: the job of `name` stopped (a stop in progress completes).
    pub fn job_stopped(&self, name: &str) {
        let _ = self.mutate(name, |r, now| {
            if matches!(r.status, Status::Stopping | Status::ForceStopping) {
                r.finish_now(Status::Ready, None, now, |o| {
                    o.operation == "StopApplication"
                });
            }
            Ok(())
        });
    }

    /// The runner's report on snapshot `snapshot` of `name`: READY, or FAILED with the reason.
    pub fn snapshot_taken(&self, name: &str, snapshot: &str, result: Result<(), String>) {
        let _ = self.mutate(name, |r, now| {
            if let Some(s) = r.snapshots.iter_mut().find(|s| s.name == snapshot) {
                match result {
                    Ok(()) => s.ready_ms = now,
                    Err(why) => s.failed = Some(why),
                }
            }
            Ok(())
        });
    }

    /// The runner's report: the job of `name` failed; the application goes back to READY and
    /// the operation under way fails with `reason`.
    pub fn job_failed(&self, name: &str, reason: &str) {
        let reason: String = reason.chars().take(512).collect();
        let _ = self.mutate(name, |r, now| {
            if matches!(
                r.status,
                Status::Starting | Status::Running | Status::Updating | Status::RollingBack
            ) {
                r.finish_now(Status::Ready, Some(reason), now, |_| true);
            }
            Ok(())
        });
    }

    pub(super) fn describe_operation(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: OperationRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_name("applicationName", &req.application_name);
        check::operation_id(&mut v, "operationId", &req.operation_id);
        v.finish()?;
        let name = req.application_name.unwrap_or_default();
        let id = req.operation_id.unwrap_or_default();
        let details = self.read(&name, |row| {
            row.record
                .operations
                .iter()
                .find(|o| o.id == id)
                .map(|o| ApplicationOperationInfoDetails {
                    operation: Some(o.operation.clone()),
                    start_time: Some(epoch_seconds(o.start_ms)),
                    end_time: o.end_ms.map(epoch_seconds),
                    operation_status: Some(o.status.as_str().into()),
                    application_version_change_details: o.versions.map(|(from, to)| {
                        ApplicationVersionChangeDetails {
                            application_version_updated_from: Some(from),
                            application_version_updated_to: Some(to),
                        }
                    }),
                    operation_failure_details: o.error.as_ref().map(|e| OperationFailureDetails {
                        rollback_operation_id: None,
                        error_info: Some(ErrorInfo {
                            error_string: Some(e.clone()),
                        }),
                    }),
                })
                .ok_or_else(|| {
                    FlinkError::ResourceNotFound.with(format!(
                        "Application {name} has no operation {id}; ListApplicationOperations lists them"
                    ))
                })
        })??;
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Out {
            application_operation_info_details: ApplicationOperationInfoDetails,
        }
        to_body(&Out {
            application_operation_info_details: details,
        })
    }

    pub(super) fn list_operations(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: ListApplicationOperationsRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_name("applicationName", &req.application_name);
        check::page(&mut v, req.limit, &req.next_token);
        if let Some(o) = &req.operation {
            v.len("operation", o, 1, 64);
        }
        if let Some(s) = &req.operation_status {
            v.one_of("operationStatus", s, OPERATION_STATUSES);
        }
        v.finish()?;
        let name = req.application_name.unwrap_or_default();
        // Newest first.
        let all: Vec<ApplicationOperationInfo> = self.read(&name, |row| {
            row.record
                .operations
                .iter()
                .rev()
                .filter(|o| req.operation.as_ref().is_none_or(|x| *x == o.operation))
                .filter(|o| {
                    req.operation_status
                        .as_deref()
                        .is_none_or(|s| s == o.status.as_str())
                })
                .map(|o| ApplicationOperationInfo {
                    operation: Some(o.operation.clone()),
                    operation_id: Some(o.id.clone()),
                    start_time: Some(epoch_seconds(o.start_ms)),
                    end_time: o.end_ms.map(epoch_seconds),
                    operation_status: Some(o.status.as_str().into()),
                })
                .collect()
        })?;
        let (page, next) = paginate(all, req.limit, req.next_token.as_deref())?;
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Out {
            application_operation_info_list: Vec<ApplicationOperationInfo>,
            #[serde(skip_serializing_if = "Option::is_none")]
            next_token: Option<String>,
        }
        to_body(&Out {
            application_operation_info_list: page,
            next_token: next,
        })
    }

    pub(super) fn create_snapshot(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: SnapshotRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_name("applicationName", &req.application_name);
        check::snapshot_name(&mut v, "snapshotName", &req.snapshot_name);
        v.finish()?;
        let name = req.application_name.unwrap_or_default();
        let snapshot = req.snapshot_name.unwrap_or_default();
        let after = self.config.lifecycle.update_ms();
        let runner = self.runner.read().clone();
        let reports = runner.reports();
        self.mutate(&name, |r, now| {
            if !r.config.snapshots {
                return Err(FlinkError::InvalidApplicationConfiguration.with(format!(
                    "Snapshots are disabled for application {name}; enable them with UpdateApplication (ApplicationSnapshotConfigurationUpdate.SnapshotsEnabledUpdate true)"
                )));
            }
            if r.status != Status::Running {
                return Err(in_use(r, "CreateApplicationSnapshot", "RUNNING"));
            }
            if r.snapshots.iter().any(|s| s.name == snapshot) {
                return Err(FlinkError::InvalidArgument.with(format!(
                    "Application {name} already has a snapshot named {snapshot}; pick another name"
                )));
            }
            if r.snapshots.len() >= limits::MAX_SNAPSHOTS {
                return Err(FlinkError::LimitExceeded.with(format!(
                    "Application {name} has {} snapshots, the most an application can have; delete one first",
                    r.snapshots.len()
                )));
            }
            r.snapshots.push(SnapshotRecord {
                name: snapshot.clone(),
                version: r.version,
                create_ms: now,
                ready_ms: if reports { UNTIL_REPORTED } else { now + after },
                runtime: r.config.runtime.clone(),
                failed: None,
            });
            Ok(())
        })?;
        runner.snapshot(&name, &snapshot);
        empty()
    }

    pub(super) fn list_snapshots(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: PageRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_name("applicationName", &req.application_name);
        check::page(&mut v, req.limit, &req.next_token);
        v.finish()?;
        let name = req.application_name.unwrap_or_default();
        let now = self.now_ms();
        let all: Vec<SnapshotDetails> = self.read(&name, |row| {
            row.record
                .snapshots
                .iter()
                .rev()
                .map(|s| s.details(now))
                .collect()
        })?;
        let (page, next) = paginate(all, req.limit, req.next_token.as_deref())?;
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Out {
            snapshot_summaries: Vec<SnapshotDetails>,
            #[serde(skip_serializing_if = "Option::is_none")]
            next_token: Option<String>,
        }
        to_body(&Out {
            snapshot_summaries: page,
            next_token: next,
        })
    }

    fn snapshot_missing(name: &str, snapshot: &str) -> AwsError {
        FlinkError::ResourceNotFound.with(format!(
            "Application {name} has no snapshot {snapshot}; ListApplicationSnapshots lists them"
        ))
    }

    pub(super) fn describe_snapshot(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: SnapshotRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_name("applicationName", &req.application_name);
        check::snapshot_name(&mut v, "snapshotName", &req.snapshot_name);
        v.finish()?;
        let name = req.application_name.unwrap_or_default();
        let snapshot = req.snapshot_name.unwrap_or_default();
        let now = self.now_ms();
        let details = self.read(&name, |row| {
            row.record
                .snapshots
                .iter()
                .find(|s| s.name == snapshot)
                .map(|s| s.details(now))
                .ok_or_else(|| Self::snapshot_missing(&name, &snapshot))
        })??;
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Out {
            snapshot_details: SnapshotDetails,
        }
        to_body(&Out {
            snapshot_details: details,
        })
    }

    pub(super) fn delete_snapshot(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: DeleteSnapshotRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_name("applicationName", &req.application_name);
        check::snapshot_name(&mut v, "snapshotName", &req.snapshot_name);
        v.required(
            "snapshotCreationTimestamp",
            &req.snapshot_creation_timestamp,
        );
        v.finish()?;
        let name = req.application_name.unwrap_or_default();
        let snapshot = req.snapshot_name.unwrap_or_default();
        let given = req.snapshot_creation_timestamp.unwrap_or_default();
        self.mutate(&name, |r, now| {
            let Some(i) = r.snapshots.iter().position(|s| s.name == snapshot) else {
                return Err(Self::snapshot_missing(&name, &snapshot));
            };
            let s = &r.snapshots[i];
            if !crate::protocol::same_timestamp(given, s.create_ms) {
                return Err(FlinkError::InvalidArgument.with(format!(
                    "SnapshotCreationTimestamp {given} does not match the creation time of snapshot {snapshot} ({}); \
                     use the one DescribeApplicationSnapshot returns",
                    epoch_seconds(s.create_ms)
                )));
            }
            if s.status(now) == SnapshotStatus::Creating {
                return Err(FlinkError::ResourceInUse.with(format!(
                    "Snapshot {snapshot} of application {name} is still being created; delete it once it is READY"
                )));
            }
            r.snapshots.remove(i);
            Ok(())
        })?;
        self.runner.read().forget_snapshot(&name, &snapshot);
        empty()
    }
}
