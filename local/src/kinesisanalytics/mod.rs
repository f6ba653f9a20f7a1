//! Kinesis Data Analytics v1 (`KinesisAnalytics_20150814`, awsJson1_1): all 20 operations.
//!
//! Layout: [`model`] (wire shapes), [`validate`] (constraint checks -> `ValidationException`),
//! [`app`] (the stored record and its lifecycle), and one file per API area:
//! `application` (Create/Describe/List/Delete), `lifecycle` (Start/Stop), `update`
//! (UpdateApplication), `components` (the Add*/Delete* operations), `tags`, `discover`.
//!
//! Concurrency: the name -> application map sits behind a read-write lock and each application
//! behind its own mutex, so operations on one application are serialised while others proceed.
//! Lock order is always map, then application. A mutation works on a copy, writes the copy to
//! the store, and only then replaces the record and answers: nothing acknowledged is lost and a
//! failed write changes nothing.

pub mod app;
mod application;
mod components;
mod discover;
pub mod error;
mod lifecycle;
pub mod model;
mod rules;
pub mod sql;
mod tags;
mod update;
pub mod validate;

pub(crate) use application::{collect_tags, merge_tags};
pub use discover::RecordSampler;
pub use error::KinesisAnalyticsError;
pub use lifecycle::StartHook;
pub(crate) use tags::tags_body;

use std::fmt::Debug;
use std::sync::Arc;

use bytes::Bytes;
use kdaflow_asl::clock::SharedClock;
use parking_lot::RwLock;

use self::app::{AppRecord, Status};
use crate::config::TwinConfig;
use crate::faults::Faults;
use crate::protocol::{AwsError, JsonVersion};
use crate::resources::{ArnScheme, Row, Table};
use crate::service::{Operation, Operations, Protocol};
use crate::store::Store;

/// The X-Amz-Target prefix.
pub const TARGET_PREFIX: &str = "KinesisAnalytics_20150814";
/// The service name used for ARNs, signing and fault injection.
pub const SERVICE_NAME: &str = "kinesisanalytics";
/// The store table holding application records.
const TABLE: &str = "kinesisanalytics.applications";

/// How applications appear in ARNs.
pub const ARNS: ArnScheme = ArnScheme {
    service: SERVICE_NAME,
    resource: "application/",
};

/// Checks application code when it is created or changes; an `Err` becomes a
/// `CodeValidationException` with that message.
///
/// The twin uses [`sql::SqlCodeValidator`] (the SQL engine's validator); [`StoreVerbatim`]
/// accepts any code, for tests of the API alone.
pub trait CodeValidator: Send + Sync + Debug {
    /// Validates the proposed configuration of `app` (its code, inputs and outputs).
    fn validate(&self, app: &AppRecord) -> Result<(), String>;
}

/// Accepts every application code and stores it verbatim.
#[derive(Debug, Default, Clone, Copy)]
pub struct StoreVerbatim;

impl CodeValidator for StoreVerbatim {
    fn validate(&self, _app: &AppRecord) -> Result<(), String> {
        Ok(())
    }
}

/// The DescribeApplication response for a record as it is, keyed by the row's generation and
/// the status (the only thing that changes without a stored change). Describe is the hot path of
/// every poller.
pub(crate) type DescribeCache = Option<(u64, Status, Bytes)>;

/// The Kinesis Analytics service of the twin.
#[derive(Debug)]
pub struct KinesisAnalytics {
    config: TwinConfig,
    clock: SharedClock,
    faults: Arc<Faults>,
    validator: Arc<dyn CodeValidator>,
    apps: Table<AppRecord, DescribeCache>,
    /// Consulted by StartApplication (see [`StartHook`]); none by default.
    start_hook: RwLock<Option<Arc<dyn StartHook>>>,
    /// Read by DiscoverInputSchema (see [`RecordSampler`]); none by default.
    sampler: RwLock<Option<Arc<dyn RecordSampler>>>,
}

impl KinesisAnalytics {
    /// The service, with the applications found in `store`.
    pub fn new(
        config: TwinConfig,
        clock: SharedClock,
        store: Arc<Store>,
        faults: Arc<Faults>,
        validator: Arc<dyn CodeValidator>,
    ) -> Result<Self, crate::error::LocalError> {
        let apps = Table::load(TABLE, store, clock.clone(), Self::not_found, |_| None)?;
        Ok(Self {
            config,
            clock,
            faults,
            validator,
            apps,
            start_hook: RwLock::new(None),
            sampler: RwLock::new(None),
        })
    }

    fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }

    fn arn(&self, name: &str) -> String {
        ARNS.arn(&self.config, name)
    }

    fn not_found(name: &str) -> AwsError {
        KinesisAnalyticsError::ResourceNotFound.with(format!(
            "Application {name} is not found. Check the name, or list applications with ListApplications"
        ))
    }

    /// Runs `f` on the settled row of a live application.
    fn read<R>(
        &self,
        name: &str,
        f: impl FnOnce(&mut Row<AppRecord, DescribeCache>) -> R,
    ) -> Result<R, AwsError> {
        self.apps.read(name, f)
    }

    /// Runs `f` on a copy of the settled record of a live application; on success the copy is
    /// stored durably and replaces the record.
    fn mutate<R>(
        &self,
        name: &str,
        f: impl FnOnce(&mut AppRecord, i64) -> Result<R, AwsError>,
    ) -> Result<R, AwsError> {
        self.apps.mutate(name, |record, _, now| f(record, now))
    }

    fn validate_code(&self, record: &AppRecord) -> Result<(), AwsError> {
        self.validator
            .validate(record)
            .map_err(|m| KinesisAnalyticsError::CodeValidation.with(m))
    }

    /// The configured twin (region, account, lifecycle durations).
    pub fn config(&self) -> &TwinConfig {
        &self.config
    }

    /// A copy of an application's settled record, for other parts of the twin (data plane, CLI).
    pub fn snapshot(&self, name: &str) -> Option<AppRecord> {
        self.read(name, |e| e.record.clone()).ok()
    }
}

impl Operations for KinesisAnalytics {
    const NAME: &'static str = SERVICE_NAME;
    const PROTOCOL: Protocol = Protocol::AwsJson {
        version: JsonVersion::V1_1,
        target_prefix: TARGET_PREFIX,
    };
    /// All 20 operations of the v1 API.
    const TABLE: &'static [Operation<Self>] = &[
        Operation::sync("AddApplicationCloudWatchLoggingOption", Self::add_logging),
        Operation::sync("AddApplicationInput", Self::add_input),
        Operation::sync(
            "AddApplicationInputProcessingConfiguration",
            Self::add_input_processing,
        ),
        Operation::sync("AddApplicationOutput", Self::add_output),
        Operation::sync("AddApplicationReferenceDataSource", Self::add_reference),
        Operation::sync("CreateApplication", Self::create_application),
        Operation::sync("DeleteApplication", Self::delete_application),
        Operation::sync(
            "DeleteApplicationCloudWatchLoggingOption",
            Self::delete_logging,
        ),
        Operation::sync(
            "DeleteApplicationInputProcessingConfiguration",
            Self::delete_input_processing,
        ),
        Operation::sync("DeleteApplicationOutput", Self::delete_output),
        Operation::sync(
            "DeleteApplicationReferenceDataSource",
            Self::delete_reference,
        ),
        Operation::sync("DescribeApplication", Self::describe_application),
        // It may invoke a preprocessing function, so it answers later.
        Operation::asynch("DiscoverInputSchema", |s, body| {
            Box::pin(async move { s.discover_input_schema(&body).await })
        }),
        Operation::sync("ListApplications", Self::list_applications),
        Operation::sync("ListTagsForResource", Self::list_tags),
        Operation::sync("StartApplication", Self::start_application),
        Operation::sync("StopApplication", Self::stop_application),
        Operation::sync("TagResource", Self::tag_resource),
        Operation::sync("UntagResource", Self::untag_resource),
        Operation::sync("UpdateApplication", Self::update_application),
    ];
}

/// `{}`: the body of operations with an empty output.
fn empty() -> Result<Bytes, AwsError> {
    Ok(Bytes::from_static(b"{}"))
}

/// A version check: a stale `CurrentApplicationVersionId` is a concurrent modification.
fn check_version(record: &AppRecord, given: i64) -> Result<(), AwsError> {
    if record.version != given {
        return Err(KinesisAnalyticsError::ConcurrentModification.with(format!(
                "CurrentApplicationVersionId {given} is not the current version of application {} ({}). \
                 Describe the application for its current version and try again",
                record.name, record.version
            ),
        ));
    }
    Ok(())
}

/// Configuration changes are accepted only while READY or RUNNING.
fn check_updatable(record: &AppRecord, operation: &str) -> Result<(), AwsError> {
    match record.status {
        Status::Ready | Status::Running => Ok(()),
        s => Err(KinesisAnalyticsError::ResourceInUse.with(format!(
            "Application {} is in {} state; {operation} is allowed only in READY or RUNNING state",
            record.name,
            s.as_str()
        ))),
    }
}

/// The limits of the SQL edition (developer guide, "Limits").
pub mod limits {
    /// Streaming sources per application.
    pub const MAX_INPUTS: usize = 1;
    /// Destinations per application.
    pub const MAX_OUTPUTS: usize = 3;
    /// Reference data sources per application.
    pub const MAX_REFERENCES: usize = 1;
    /// User tags per application.
    pub const MAX_TAGS: usize = 50;
}
