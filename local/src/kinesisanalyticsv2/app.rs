//! One Flink application: its stored record, its versions, operations and snapshots, and its
//! lifecycle.
//!
//! ```text
//! CreateApplication ──> READY (version 1)
//! READY   --Start-------> STARTING --(start)--> RUNNING   (a failed start: READY, operation FAILED)
//! RUNNING --Stop--------> STOPPING --(stop)---> READY
//! any live --Stop Force--> FORCE_STOPPING --(stop)--> READY
//! RUNNING --Update------> UPDATING --(update)-> RUNNING   (version + 1; READY updates at once)
//! RUNNING|UPDATING --Rollback--> ROLLING_BACK --(update)--> RUNNING (version + 1, the previous config)
//! any but DELETING --Delete--> DELETING --(delete)--> gone
//! ```
//!
//! As in v1, transitions are stored as data and settled lazily, so the record is a pure function
//! of what was stored and the clock. Each transition belongs to an operation (StartApplication,
//! StopApplication, UpdateApplication, RollbackApplication): DescribeApplicationOperation shows
//! it IN_PROGRESS until the transition is due, then SUCCESSFUL or FAILED with its error.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::model::*;
use crate::protocol::epoch_seconds;

/// The v2 statuses (the model's eleven; the twin enters the ones its operations lead to).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// Created or stopped; can be started.
    Ready,
    /// The job is being started.
    Starting,
    /// The job runs.
    Running,
    /// The job is being stopped with a snapshot (when snapshots are enabled).
    Stopping,
    /// The job is being stopped without a snapshot.
    ForceStopping,
    /// A configuration change is being applied to the running job.
    Updating,
    /// The running job is being returned to the previous version.
    RollingBack,
    /// Being deleted.
    Deleting,
}

impl Status {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ready => "READY",
            Status::Starting => "STARTING",
            Status::Running => "RUNNING",
            Status::Stopping => "STOPPING",
            Status::ForceStopping => "FORCE_STOPPING",
            Status::Updating => "UPDATING",
            Status::RollingBack => "ROLLING_BACK",
            Status::Deleting => "DELETING",
        }
    }
}

/// What a pending transition leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// A status.
    Status(Status),
    /// The application no longer exists.
    Gone,
}

/// A transition that happens by itself at a given time, for an operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    /// When, in milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// To what.
    pub to: Target,
    /// The operation it completes (its id), if any.
    pub operation: Option<String>,
    /// Set when the transition is a failure: the operation ends FAILED with this error.
    pub error: Option<String>,
}

/// IN_PROGRESS, SUCCESSFUL, FAILED (CANCELLED: an operation a later one cut short).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OperationStatus {
    /// Under way.
    InProgress,
    /// Cut short by a later operation (a forced stop of a start).
    Cancelled,
    /// Done.
    Successful,
    /// Failed; `error` says why.
    Failed,
}

impl OperationStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            OperationStatus::InProgress => "IN_PROGRESS",
            OperationStatus::Cancelled => "CANCELLED",
            OperationStatus::Successful => "SUCCESSFUL",
            OperationStatus::Failed => "FAILED",
        }
    }
}

/// One operation of the application (ListApplicationOperations).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationRecord {
    /// OperationId.
    pub id: String,
    /// The API operation's name (`StartApplication`).
    pub operation: String,
    /// StartTime (epoch ms).
    pub start_ms: i64,
    /// EndTime (epoch ms), once it ended.
    pub end_ms: Option<i64>,
    /// Its status.
    pub status: OperationStatus,
    /// The version change it made (from, to), if any.
    pub versions: Option<(i64, i64)>,
    /// Why it failed.
    pub error: Option<String>,
}

/// A snapshot's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SnapshotStatus {
    /// Being taken.
    Creating,
    /// Can be restored from.
    Ready,
    /// Could not be taken.
    Failed,
}

/// One snapshot (on the twin: of the job's state; a savepoint on a real Flink).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotRecord {
    /// SnapshotName.
    pub name: String,
    /// The version it was taken of.
    pub version: i64,
    /// SnapshotCreationTimestamp (epoch ms).
    pub create_ms: i64,
    /// When it becomes READY (epoch ms).
    pub ready_ms: i64,
    /// The runtime it was taken on.
    pub runtime: String,
    /// Why it could not be taken (the job runner's report).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<String>,
}

/// `ready_ms` of a snapshot the job runner is taking: it is READY when the runner says so.
pub const UNTIL_REPORTED: i64 = i64::MAX;

impl SnapshotRecord {
    /// Its status at `now_ms`.
    pub fn status(&self, now_ms: i64) -> SnapshotStatus {
        if self.failed.is_some() {
            SnapshotStatus::Failed
        } else if now_ms >= self.ready_ms {
            SnapshotStatus::Ready
        } else {
            SnapshotStatus::Creating
        }
    }

    /// The wire shape.
    pub fn details(&self, now_ms: i64) -> SnapshotDetails {
        SnapshotDetails {
            snapshot_name: Some(self.name.clone()),
            snapshot_status: Some(
                match self.status(now_ms) {
                    SnapshotStatus::Creating => "CREATING",
                    SnapshotStatus::Ready => "READY",
                    SnapshotStatus::Failed => "FAILED",
                }
                .into(),
            ),
            application_version_id: Some(self.version),
            snapshot_creation_timestamp: Some(epoch_seconds(self.create_ms)),
            runtime_environment: Some(self.runtime.clone()),
        }
    }
}

/// The application code as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Code {
    /// PLAINTEXT or ZIPFILE.
    pub content_type: String,
    /// TextContent.
    pub text: Option<String>,
    /// ZipFileContent, base64, as sent.
    pub zip: Option<String>,
    /// The S3 location (bucket ARN, key, version).
    pub s3: Option<(String, String, Option<String>)>,
    /// CodeSize (zip and S3 content).
    pub size: Option<u64>,
    /// CodeMD5 (zip and S3 content): 128 hex digits.
    pub md5: Option<String>,
}

/// How the job runner restarts a running job with a new version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restart {
    /// The snapshot to take of the old job first.
    pub take: Option<String>,
    /// The snapshot the new job restores.
    pub restore: Option<String>,
}

/// Property groups: (PropertyGroupId, PropertyMap), in order.
pub type Properties = Vec<(String, IndexMap<String, String>)>;

/// The configuration of one version (what UpdateApplication changes and Rollback restores).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    /// RuntimeEnvironment.
    pub runtime: String,
    /// ServiceExecutionRole.
    pub role: String,
    /// ApplicationCodeConfiguration.
    pub code: Option<Code>,
    /// CheckpointConfiguration: type, enabled, interval, min pause.
    pub checkpoint: (String, bool, i64, i64),
    /// MonitoringConfiguration: type, metrics level, log level.
    pub monitoring: (String, String, String),
    /// ParallelismConfiguration: type, parallelism, per KPU, auto scaling.
    pub parallelism: (String, i64, i64, bool),
    /// EnvironmentProperties, in order.
    pub properties: Properties,
    /// SnapshotsEnabled.
    pub snapshots: bool,
    /// RollbackEnabled.
    pub rollback: bool,
    /// CloudWatchLoggingOptionDescriptions: (id, log stream ARN).
    pub logging: Vec<(String, String)>,
}

/// A version that was replaced (ListApplicationVersions, DescribeApplicationVersion, Rollback).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionRecord {
    /// ApplicationVersionId.
    pub version: i64,
    /// The status the application had when this version was replaced.
    pub status: Status,
    /// When the version was made (epoch ms).
    pub create_ms: i64,
    /// Its configuration.
    pub config: Config,
    /// Where it came from: (updated from, rolled back from, rolled back to).
    pub lineage: (Option<i64>, Option<i64>, Option<i64>),
}

/// Everything the twin knows about one Flink application; this is what is persisted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlinkAppRecord {
    /// ApplicationName.
    pub name: String,
    /// ApplicationDescription.
    pub description: Option<String>,
    /// ApplicationARN.
    pub arn: String,
    /// ApplicationMode (STREAMING).
    pub mode: String,
    /// The status as of the last settle.
    pub status: Status,
    /// The transition under way, if any.
    pub pending: Option<Transition>,
    /// Set once the application is gone.
    #[serde(default)]
    pub gone: bool,
    /// CreateTimestamp (epoch ms).
    pub create_ms: i64,
    /// LastUpdateTimestamp (epoch ms).
    pub last_update_ms: i64,
    /// ApplicationVersionId.
    pub version: i64,
    /// ApplicationVersionCreateTimestamp (epoch ms).
    pub version_create_ms: i64,
    /// (ApplicationVersionUpdatedFrom, ApplicationVersionRolledBackFrom, ...RolledBackTo).
    pub lineage: (Option<i64>, Option<i64>, Option<i64>),
    /// The current version's configuration.
    pub config: Config,
    /// The last run configuration: restore type, snapshot name, allow non-restored state.
    pub run: (String, Option<String>, bool),
    /// The maintenance window start (HH:MM, UTC).
    pub maintenance_start: String,
    /// User tags, in the order they were first set.
    pub tags: IndexMap<String, String>,
    /// Earlier versions, oldest first.
    pub versions: Vec<VersionRecord>,
    /// Operations, oldest first.
    pub operations: Vec<OperationRecord>,
    /// Snapshots, oldest first.
    pub snapshots: Vec<SnapshotRecord>,
    /// Counter for operation and logging option ids.
    pub counter: u64,
}

impl crate::resources::Record for FlinkAppRecord {
    fn settle(&mut self, now_ms: i64) -> bool {
        FlinkAppRecord::settle(self, now_ms)
    }

    fn gone(&self) -> bool {
        self.gone
    }
}

/// The maintenance window's length (the service's is 8 hours).
const MAINTENANCE_HOURS: u32 = 8;

impl FlinkAppRecord {
    /// Applies the transition that is due at `now_ms`, completing its operation.
    pub fn settle(&mut self, now_ms: i64) -> bool {
        match &self.pending {
            Some(t) if t.at_ms <= now_ms => {
                let t = self.pending.take().expect("checked");
                match t.to {
                    Target::Status(s) => self.status = s,
                    Target::Gone => self.gone = true,
                }
                if let Some(id) = &t.operation
                    && let Some(op) = self.operations.iter_mut().find(|o| &o.id == id)
                {
                    op.end_ms = Some(t.at_ms);
                    op.status = if t.error.is_some() {
                        OperationStatus::Failed
                    } else {
                        OperationStatus::Successful
                    };
                    op.error = t.error;
                }
                true
            }
            _ => false,
        }
    }

    /// A new operation, IN_PROGRESS from `now_ms`; returns its id.
    pub fn operation(&mut self, name: &str, now_ms: i64, versions: Option<(i64, i64)>) -> String {
        self.counter += 1;
        // Unique per application and stable across restarts (a counter, not a random number).
        let id = format!("{:012x}{:04}", now_ms.max(0), self.counter % 10_000);
        self.operations.push(OperationRecord {
            id: id.clone(),
            operation: name.to_string(),
            start_ms: now_ms,
            end_ms: None,
            status: OperationStatus::InProgress,
            versions,
            error: None,
        });
        id
    }

    /// An operation that completed at once.
    pub fn instant_operation(
        &mut self,
        name: &str,
        now_ms: i64,
        versions: Option<(i64, i64)>,
    ) -> String {
        let id = self.operation(name, now_ms, versions);
        let op = self.operations.last_mut().expect("just pushed");
        op.end_ms = Some(now_ms);
        op.status = OperationStatus::Successful;
        id
    }

    /// Begins a transition for operation `op`: the status is `now` at once, and becomes `then`
    /// after `after_ms` (never, if `then` is `None`); `error` makes the operation fail.
    pub fn begin(
        &mut self,
        now: Status,
        then: Option<Target>,
        at_ms: i64,
        op: Option<String>,
        error: Option<String>,
    ) {
        self.status = now;
        self.pending = then.map(|to| Transition {
            at_ms,
            to,
            operation: op,
            error,
        });
    }

    /// Begins the transition of a configuration change of the current version (operation
    /// `name`, version change `versions`). A READY application changes at once. A RUNNING
    /// one is `during` (UPDATING, ROLLING_BACK): for `update_ms`, or — `reports`: a job
    /// runner restarts its job with the new version — until the runner says the job runs
    /// again; then the answer says how to restart it (a snapshot to take first when snapshots
    /// are enabled, as the service takes one on an update, and the one to restore).
    pub fn begin_change(
        &mut self,
        name: &str,
        during: Status,
        now_ms: i64,
        versions: Option<(i64, i64)>,
        update_ms: i64,
        reports: bool,
    ) -> (String, Option<Restart>) {
        if self.status != Status::Running && self.status != Status::Updating {
            return (self.instant_operation(name, now_ms, versions), None);
        }
        let op = self.operation(name, now_ms, versions);
        if !reports {
            self.begin(
                during,
                Some(Target::Status(Status::Running)),
                now_ms + update_ms,
                Some(op.clone()),
                None,
            );
            return (op, None);
        }
        self.begin(during, None, now_ms, Some(op.clone()), None);
        let restart = if during == Status::RollingBack || !self.config.snapshots {
            // A rollback restores the newest snapshot; without snapshots a restart is empty.
            Restart {
                take: None,
                restore: self
                    .snapshots
                    .iter()
                    .rev()
                    .find(|s| self.config.snapshots && s.status(now_ms) == SnapshotStatus::Ready)
                    .map(|s| s.name.clone()),
            }
        } else {
            let snapshot = format!("kdaflow-update-{}-{now_ms}", self.version);
            self.snapshots.push(SnapshotRecord {
                name: snapshot.clone(),
                version: self.version.saturating_sub(1).max(1),
                create_ms: now_ms,
                ready_ms: UNTIL_REPORTED,
                runtime: self.config.runtime.clone(),
                failed: None,
            });
            Restart {
                take: Some(snapshot.clone()),
                restore: Some(snapshot),
            }
        };
        (op, Some(restart))
    }

    /// Completes now, as a job runner reports, the newest operation under way that `pick`
    /// chooses: the status becomes `to`, and `error` (if any) fails the operation.
    pub fn finish_now(
        &mut self,
        to: Status,
        error: Option<String>,
        now_ms: i64,
        pick: impl Fn(&OperationRecord) -> bool,
    ) {
        let op = self
            .operations
            .iter()
            .rev()
            .find(|o| o.status == OperationStatus::InProgress && pick(o))
            .map(|o| o.id.clone());
        self.pending = None;
        self.begin(self.status, Some(Target::Status(to)), now_ms, op, error);
        self.settle(now_ms);
    }

    /// Cancels the transition and the operations under way (a forced stop cuts a start short,
    /// also one that hangs and has no transition).
    pub fn cancel_pending(&mut self, now_ms: i64) {
        self.pending = None;
        for op in self
            .operations
            .iter_mut()
            .filter(|o| o.status == OperationStatus::InProgress)
        {
            op.status = OperationStatus::Cancelled;
            op.end_ms = Some(now_ms);
        }
    }

    /// Makes a new version with `config`: the current one goes to the history.
    pub fn new_version(
        &mut self,
        config: Config,
        now_ms: i64,
        lineage: (Option<i64>, Option<i64>, Option<i64>),
    ) {
        self.versions.push(VersionRecord {
            version: self.version,
            status: self.status,
            create_ms: self.version_create_ms,
            config: std::mem::replace(&mut self.config, config),
            lineage: self.lineage,
        });
        self.version += 1;
        self.version_create_ms = now_ms;
        self.last_update_ms = now_ms;
        self.lineage = lineage;
    }

    /// The ConditionalToken of the current version: it changes with every version.
    pub fn conditional_token(&self) -> String {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(format!(
            "{}#{}#{}",
            self.arn, self.version, self.version_create_ms
        ));
        digest[..16].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The summary shape.
    pub fn summary(&self) -> ApplicationSummary {
        ApplicationSummary {
            application_name: Some(self.name.clone()),
            application_arn: Some(self.arn.clone()),
            application_status: Some(self.status.as_str().into()),
            application_version_id: Some(self.version),
            runtime_environment: Some(self.config.runtime.clone()),
            application_mode: Some(self.mode.clone()),
        }
    }

    /// The detail shape of the current version (DescribeApplication).
    pub fn detail(&self) -> ApplicationDetail {
        let mut d = self.detail_of(
            &self.config,
            self.version,
            self.version_create_ms,
            self.lineage,
        );
        d.application_status = Some(self.status.as_str().into());
        d.conditional_token = Some(self.conditional_token());
        d
    }

    /// The detail shape of an earlier version (DescribeApplicationVersion).
    pub fn version_detail(&self, v: &VersionRecord) -> ApplicationDetail {
        let mut d = self.detail_of(&v.config, v.version, v.create_ms, v.lineage);
        d.application_status = Some(v.status.as_str().into());
        d
    }

    fn detail_of(
        &self,
        c: &Config,
        version: i64,
        version_ms: i64,
        lineage: (Option<i64>, Option<i64>, Option<i64>),
    ) -> ApplicationDetail {
        let code = c
            .code
            .as_ref()
            .map(|code| ApplicationCodeConfigurationDescription {
                code_content_type: Some(code.content_type.clone()),
                code_content_description: Some(CodeContentDescription {
                    text_content: code.text.clone(),
                    code_md5: code.md5.clone(),
                    code_size: code.size,
                    s3_application_code_location_description: code.s3.as_ref().map(|(b, k, v)| {
                        S3ApplicationCodeLocationDescription {
                            bucket_arn: Some(b.clone()),
                            file_key: Some(k.clone()),
                            object_version: v.clone(),
                        }
                    }),
                }),
            });
        let (ct, enabled, interval, pause) = &c.checkpoint;
        let (mt, metrics, log) = &c.monitoring;
        let (pt, p, per_kpu, auto) = &c.parallelism;
        let start = &self.maintenance_start;
        ApplicationDetail {
            application_arn: Some(self.arn.clone()),
            application_description: self.description.clone(),
            application_name: Some(self.name.clone()),
            runtime_environment: Some(c.runtime.clone()),
            service_execution_role: Some(c.role.clone()),
            application_status: None,
            application_version_id: Some(version),
            create_timestamp: Some(epoch_seconds(self.create_ms)),
            last_update_timestamp: Some(epoch_seconds(self.last_update_ms)),
            application_configuration_description: Some(ApplicationConfigurationDescription {
                application_code_configuration_description: code,
                run_configuration_description: Some(RunConfigurationDescription {
                    application_restore_configuration_description: Some(
                        ApplicationRestoreConfiguration {
                            application_restore_type: Some(self.run.0.clone()),
                            snapshot_name: self.run.1.clone(),
                        },
                    ),
                    flink_run_configuration_description: Some(FlinkRunConfiguration {
                        allow_non_restored_state: Some(self.run.2),
                    }),
                }),
                flink_application_configuration_description: Some(
                    FlinkApplicationConfigurationDescription {
                        checkpoint_configuration_description: Some(CheckpointConfiguration {
                            configuration_type: Some(ct.clone()),
                            checkpointing_enabled: Some(*enabled),
                            checkpoint_interval: Some(*interval),
                            min_pause_between_checkpoints: Some(*pause),
                        }),
                        monitoring_configuration_description: Some(MonitoringConfiguration {
                            configuration_type: Some(mt.clone()),
                            metrics_level: Some(metrics.clone()),
                            log_level: Some(log.clone()),
                        }),
                        parallelism_configuration_description: Some(
                            ParallelismConfigurationDescription {
                                configuration_type: Some(pt.clone()),
                                parallelism: Some(*p),
                                parallelism_per_kpu: Some(*per_kpu),
                                current_parallelism: Some(*p),
                                auto_scaling_enabled: Some(*auto),
                            },
                        ),
                        job_plan_description: None,
                    },
                ),
                environment_property_descriptions: Some(EnvironmentPropertyDescriptions {
                    property_group_descriptions: Some(
                        c.properties
                            .iter()
                            .map(|(id, map)| PropertyGroup {
                                property_group_id: Some(id.clone()),
                                property_map: Some(map.clone()),
                            })
                            .collect(),
                    ),
                }),
                application_snapshot_configuration_description: Some(
                    ApplicationSnapshotConfiguration {
                        snapshots_enabled: Some(c.snapshots),
                    },
                ),
                application_system_rollback_configuration_description: Some(
                    ApplicationSystemRollbackConfiguration {
                        rollback_enabled: Some(c.rollback),
                    },
                ),
                application_encryption_configuration_description: None,
            }),
            cloud_watch_logging_option_descriptions: Some(
                c.logging
                    .iter()
                    .map(|(id, arn)| CloudWatchLoggingOptionDescription {
                        cloud_watch_logging_option_id: Some(id.clone()),
                        log_stream_arn: Some(arn.clone()),
                        role_arn: None,
                    })
                    .collect(),
            ),
            application_maintenance_configuration_description: Some(
                ApplicationMaintenanceConfigurationDescription {
                    application_maintenance_window_start_time: Some(start.clone()),
                    application_maintenance_window_end_time: Some(maintenance_end(start)),
                },
            ),
            application_version_updated_from: lineage.0,
            application_version_rolled_back_from: lineage.1,
            application_version_create_timestamp: Some(epoch_seconds(version_ms)),
            conditional_token: None,
            application_version_rolled_back_to: lineage.2,
            application_mode: Some(self.mode.clone()),
        }
    }
}

/// The end of a maintenance window that starts at `start` (HH:MM).
fn maintenance_end(start: &str) -> String {
    let (h, m) = start.split_once(':').unwrap_or(("0", "0"));
    let h: u32 = h.parse().unwrap_or(0);
    format!("{:02}:{m}", (h + MAINTENANCE_HOURS) % 24)
}
