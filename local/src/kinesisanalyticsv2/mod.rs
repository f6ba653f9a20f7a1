//! Managed Service for Apache Flink (`kinesisanalyticsv2`, `KinesisAnalytics_20180523`,
//! awsJson1_1) for Flink applications: the control plane of the 33-operation API.
//!
//! Layout as in v1: [`model`] (wire shapes), [`validate`] (constraint checks), [`app`] (the
//! stored record: versions, operations, snapshots, lifecycle), `application` (Create, Describe,
//! List, Delete, Update, Rollback, versions, logging options, maintenance, tags) and
//! `lifecycle` (Start, Stop, operations, snapshots).
//!
//! It signs as `kinesisanalytics`, like v1; the gateway tells the two apart by their
//! `X-Amz-Target` prefix. Application names are one namespace with v1's (their ARNs are the
//! same shape), so a name v1 holds cannot be created here.
//!
//! A RUNNING application runs its job through a [`JobRunner`]; without one (the API-only mode
//! of tests of the API and of the bootstrap) the lifecycle follows the twin's configured
//! durations and no job runs.

pub mod app;
mod application;
pub mod error;
mod lifecycle;
pub mod model;
pub mod validate;

pub use error::FlinkError;
pub use lifecycle::{JobRunner, LifecycleOnly, Unavailable};

use std::fmt::Debug;
use std::sync::Arc;

use bytes::Bytes;
use kdaflow_asl::clock::SharedClock;
use parking_lot::RwLock;

use self::app::{FlinkAppRecord, Status};
use crate::config::TwinConfig;
use crate::faults::Faults;
use crate::kinesisanalytics::KinesisAnalytics;
use crate::protocol::{AwsError, JsonVersion};
use crate::resources::{Row, Table};
use crate::s3::S3;
use crate::service::{Operation, Operations, Protocol};
use crate::store::Store;

/// The X-Amz-Target prefix.
pub const TARGET_PREFIX: &str = "KinesisAnalytics_20180523";
/// The service's name on the twin (fault injection, call counts).
pub const SERVICE_NAME: &str = "kinesisanalyticsv2";
/// The store table holding application records.
const TABLE: &str = "kinesisanalyticsv2.applications";

/// The Flink application service of the twin.
#[derive(Debug)]
pub struct ManagedFlink {
    config: TwinConfig,
    clock: SharedClock,
    faults: Arc<Faults>,
    apps: Table<FlinkAppRecord, ()>,
    /// v1's applications share the name space.
    v1: Arc<KinesisAnalytics>,
    /// Where S3 code locations are read.
    s3: Arc<S3>,
    /// Runs the jobs of started applications.
    runner: RwLock<Arc<dyn JobRunner>>,
}

impl ManagedFlink {
    /// The service, with the applications found in `store`, in API-only mode
    /// ([`LifecycleOnly`]) until a runner is installed.
    pub fn new(
        config: TwinConfig,
        clock: SharedClock,
        store: Arc<Store>,
        faults: Arc<Faults>,
        v1: Arc<KinesisAnalytics>,
        s3: Arc<S3>,
    ) -> Result<Self, crate::error::LocalError> {
        let apps = Table::load(TABLE, store, clock.clone(), Self::not_found, |_| ())?;
        Ok(Self {
            config,
            clock,
            faults,
            apps,
            v1,
            s3,
            runner: RwLock::new(Arc::new(LifecycleOnly)),
        })
    }

    /// Installs the runner StartApplication hands jobs to.
    pub fn set_runner(&self, runner: Arc<dyn JobRunner>) {
        *self.runner.write() = runner;
    }

    fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }

    fn not_found(name: &str) -> AwsError {
        FlinkError::ResourceNotFound.with(format!(
            "Application {name} is not found. Check the name, or list applications with ListApplications"
        ))
    }

    fn read<R>(
        &self,
        name: &str,
        f: impl FnOnce(&mut Row<FlinkAppRecord, ()>) -> R,
    ) -> Result<R, AwsError> {
        self.apps.read(name, f)
    }

    fn mutate<R>(
        &self,
        name: &str,
        f: impl FnOnce(&mut FlinkAppRecord, i64) -> Result<R, AwsError>,
    ) -> Result<R, AwsError> {
        self.apps.mutate(name, |record, _, now| f(record, now))
    }

    /// A copy of an application's settled record (the runner, the CLI, tests).
    pub fn snapshot(&self, name: &str) -> Option<FlinkAppRecord> {
        self.read(name, |e| e.record.clone()).ok()
    }

    /// The names of the applications, in creation order.
    pub fn names(&self) -> Vec<String> {
        self.apps.records().into_iter().map(|r| r.name).collect()
    }
}

impl Operations for ManagedFlink {
    const NAME: &'static str = SERVICE_NAME;
    const SIGNING_NAME: &'static str = crate::kinesisanalytics::SERVICE_NAME;
    const PROTOCOL: Protocol = Protocol::AwsJson {
        version: JsonVersion::V1_1,
        target_prefix: TARGET_PREFIX,
    };
    /// All 33 operations of the v2 API; the SQL-only ones answer that they apply to SQL
    /// applications, which the twin creates through v1.
    const TABLE: &'static [Operation<Self>] = &[
        Operation::sync("AddApplicationCloudWatchLoggingOption", Self::add_logging),
        Operation::sync("AddApplicationInput", Self::sql_only),
        Operation::sync("AddApplicationInputProcessingConfiguration", Self::sql_only),
        Operation::sync("AddApplicationOutput", Self::sql_only),
        Operation::sync("AddApplicationReferenceDataSource", Self::sql_only),
        Operation::not_implemented("AddApplicationVpcConfiguration"),
        Operation::sync("CreateApplication", Self::create_application),
        Operation::not_implemented("CreateApplicationPresignedUrl"),
        Operation::sync("CreateApplicationSnapshot", Self::create_snapshot),
        Operation::sync("DeleteApplication", Self::delete_application),
        Operation::sync(
            "DeleteApplicationCloudWatchLoggingOption",
            Self::delete_logging,
        ),
        Operation::sync(
            "DeleteApplicationInputProcessingConfiguration",
            Self::sql_only,
        ),
        Operation::sync("DeleteApplicationOutput", Self::sql_only),
        Operation::sync("DeleteApplicationReferenceDataSource", Self::sql_only),
        Operation::sync("DeleteApplicationSnapshot", Self::delete_snapshot),
        Operation::not_implemented("DeleteApplicationVpcConfiguration"),
        Operation::sync("DescribeApplication", Self::describe_application),
        Operation::sync("DescribeApplicationOperation", Self::describe_operation),
        Operation::sync("DescribeApplicationSnapshot", Self::describe_snapshot),
        Operation::sync("DescribeApplicationVersion", Self::describe_version),
        Operation::sync("DiscoverInputSchema", Self::discover_input_schema),
        Operation::sync("ListApplicationOperations", Self::list_operations),
        Operation::sync("ListApplicationSnapshots", Self::list_snapshots),
        Operation::sync("ListApplicationVersions", Self::list_versions),
        Operation::sync("ListApplications", Self::list_applications),
        Operation::sync("ListTagsForResource", Self::list_tags),
        Operation::sync("RollbackApplication", Self::rollback_application),
        Operation::sync("StartApplication", Self::start_application),
        Operation::sync("StopApplication", Self::stop_application),
        Operation::sync("TagResource", Self::tag_resource),
        Operation::sync("UntagResource", Self::untag_resource),
        Operation::sync("UpdateApplication", Self::update_application),
        Operation::sync(
            "UpdateApplicationMaintenanceConfiguration",
            Self::update_maintenance,
        ),
    ];
}

/// `{}`: the body of operations with an empty output.
fn empty() -> Result<Bytes, AwsError> {
    Ok(Bytes::from_static(b"{}"))
}

/// A `CurrentApplicationVersionId` and/or `ConditionalToken` check; one of them is required.
fn check_version(
    record: &FlinkAppRecord,
    version: Option<i64>,
    token: Option<&str>,
) -> Result<(), AwsError> {
    if version.is_none() && token.is_none() {
        return Err(FlinkError::InvalidArgument.with(
            "Give CurrentApplicationVersionId or ConditionalToken (DescribeApplication returns both)",
        ));
    }
    if let Some(given) = version
        && given != record.version
    {
        return Err(FlinkError::ConcurrentModification.with(format!(
            "CurrentApplicationVersionId {given} is not the current version of application {} ({}). \
             Describe the application for its current version and try again",
            record.name, record.version
        )));
    }
    if let Some(given) = token
        && given != record.conditional_token()
    {
        return Err(FlinkError::ConcurrentModification.with(format!(
            "ConditionalToken {given} is not the current token of application {} (version {}). \
             Describe the application for its current token and try again",
            record.name, record.version
        )));
    }
    Ok(())
}

/// A status error: `operation` is not allowed in the application's status.
fn in_use(record: &FlinkAppRecord, operation: &str, allowed: &str) -> AwsError {
    FlinkError::ResourceInUse.with(format!(
        "Application {} is in {} status; {operation} is allowed only in {allowed} status",
        record.name,
        record.status.as_str()
    ))
}

/// Whether the status is one a transition will leave by itself.
fn busy(status: Status) -> bool {
    !matches!(status, Status::Ready | Status::Running)
}

/// The service's limits (Managed Service for Apache Flink developer guide, "Quotas").
pub mod limits {
    /// User tags per application.
    pub const MAX_TAGS: usize = 50;
    /// Snapshots per application.
    pub const MAX_SNAPSHOTS: usize = 1000;
    /// Operations ListApplicationOperations keeps per application (older ones are dropped).
    pub const MAX_OPERATIONS: usize = 200;
}
