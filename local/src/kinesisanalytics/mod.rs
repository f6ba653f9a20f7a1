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
mod lifecycle;
pub mod model;
mod rules;
pub mod sql;
mod tags;
mod update;
pub mod validate;

pub use discover::RecordSampler;
pub use lifecycle::StartHook;

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::Arc;

use bytes::Bytes;
use kdaflow_asl::clock::SharedClock;
use parking_lot::{Mutex, RwLock};

use self::app::{AppRecord, Status};
use crate::config::TwinConfig;
use crate::faults::Faults;
use crate::gateway::{Service, ServiceFuture};
use crate::protocol::{AwsError, JsonVersion};
use crate::store::Store;

/// The X-Amz-Target prefix.
pub const TARGET_PREFIX: &str = "KinesisAnalytics_20150814";
/// The service name used for ARNs, signing and fault injection.
pub const SERVICE_NAME: &str = "kinesisanalytics";
/// The store table holding application records.
const TABLE: &str = "kinesisanalytics.applications";

/// The 20 operations of the v1 API.
pub const OPERATIONS: [&str; 20] = [
    "AddApplicationCloudWatchLoggingOption",
    "AddApplicationInput",
    "AddApplicationInputProcessingConfiguration",
    "AddApplicationOutput",
    "AddApplicationReferenceDataSource",
    "CreateApplication",
    "DeleteApplication",
    "DeleteApplicationCloudWatchLoggingOption",
    "DeleteApplicationInputProcessingConfiguration",
    "DeleteApplicationOutput",
    "DeleteApplicationReferenceDataSource",
    "DescribeApplication",
    "DiscoverInputSchema",
    "ListApplications",
    "ListTagsForResource",
    "StartApplication",
    "StopApplication",
    "TagResource",
    "UntagResource",
    "UpdateApplication",
];

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

#[derive(Debug)]
struct Entry {
    record: AppRecord,
    /// The DescribeApplication response for the record as it is, keyed by status (the only
    /// thing that changes without a mutation). Describe is the hot path of every poller.
    describe_cache: Option<(Status, Bytes)>,
}

type Shared = Arc<Mutex<Entry>>;

/// The Kinesis Analytics service of the twin.
#[derive(Debug)]
pub struct KinesisAnalytics {
    config: TwinConfig,
    clock: SharedClock,
    store: Arc<Store>,
    faults: Arc<Faults>,
    validator: Arc<dyn CodeValidator>,
    apps: RwLock<BTreeMap<String, Shared>>,
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
        let now = clock.now().timestamp_millis();
        let mut apps = BTreeMap::new();
        for (name, mut record) in store.load_all::<AppRecord>(TABLE)? {
            record.settle(now);
            if record.gone {
                store.delete(TABLE, &name)?;
                continue;
            }
            apps.insert(
                name,
                Arc::new(Mutex::new(Entry {
                    record,
                    describe_cache: None,
                })),
            );
        }
        Ok(Self {
            config,
            clock,
            store,
            faults,
            validator,
            apps: RwLock::new(apps),
            start_hook: RwLock::new(None),
            sampler: RwLock::new(None),
        })
    }

    fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }

    fn arn(&self, name: &str) -> String {
        format!(
            "arn:aws:kinesisanalytics:{}:{}:application/{}",
            self.config.region, self.config.account_id, name
        )
    }

    fn not_found(name: &str) -> AwsError {
        AwsError::client(
            "ResourceNotFoundException",
            format!(
                "Application {name} is not found. Check the name, or list applications with ListApplications"
            ),
        )
    }

    fn entry(&self, name: &str) -> Result<Shared, AwsError> {
        self.apps
            .read()
            .get(name)
            .cloned()
            .ok_or_else(|| Self::not_found(name))
    }

    /// Drops an application that settled to gone (map lock first, then the application's).
    fn prune(&self, name: &str) {
        let mut apps = self.apps.write();
        let gone = apps.get(name).is_some_and(|e| {
            let mut e = e.lock();
            e.record.settle(self.now_ms());
            e.record.gone
        });
        if gone {
            apps.remove(name);
            if let Err(e) = self.store.delete(TABLE, name) {
                tracing::warn!(application = name, error = %e, "could not delete a gone application from the store");
            }
        }
    }

    /// Runs `f` on the settled record of a live application.
    fn read<R>(&self, name: &str, f: impl FnOnce(&mut Entry) -> R) -> Result<R, AwsError> {
        let shared = self.entry(name)?;
        let mut entry = shared.lock();
        entry.record.settle(self.now_ms());
        if entry.record.gone {
            drop(entry);
            self.prune(name);
            return Err(Self::not_found(name));
        }
        Ok(f(&mut entry))
    }

    /// Runs `f` on a copy of the settled record of a live application; on success the copy is
    /// stored durably and replaces the record.
    fn mutate<R>(
        &self,
        name: &str,
        f: impl FnOnce(&mut AppRecord, i64) -> Result<R, AwsError>,
    ) -> Result<R, AwsError> {
        let shared = self.entry(name)?;
        let mut entry = shared.lock();
        let now = self.now_ms();
        entry.record.settle(now);
        if entry.record.gone {
            drop(entry);
            self.prune(name);
            return Err(Self::not_found(name));
        }
        let mut copy = entry.record.clone();
        let out = f(&mut copy, now)?;
        self.persist(&copy)?;
        entry.record = copy;
        entry.describe_cache = None;
        Ok(out)
    }

    fn persist(&self, record: &AppRecord) -> Result<(), AwsError> {
        self.store.put(TABLE, &record.name, record).map_err(|e| {
            AwsError::named(
                "ServiceUnavailableException",
                format!("The change was not saved and has no effect: {e}"),
            )
        })
    }

    fn validate_code(&self, record: &AppRecord) -> Result<(), AwsError> {
        self.validator
            .validate(record)
            .map_err(|m| AwsError::client("CodeValidationException", m))
    }

    /// The configured twin (region, account, lifecycle durations).
    pub fn config(&self) -> &TwinConfig {
        &self.config
    }

    /// A copy of an application's settled record, for other parts of the twin (data plane, CLI).
    pub fn snapshot(&self, name: &str) -> Option<AppRecord> {
        self.read(name, |e| e.record.clone()).ok()
    }

    fn dispatch(&self, operation: &str, body: &[u8]) -> Result<Bytes, AwsError> {
        match operation {
            "CreateApplication" => self.create_application(body),
            "DescribeApplication" => self.describe_application(body),
            "ListApplications" => self.list_applications(body),
            "DeleteApplication" => self.delete_application(body),
            "StartApplication" => self.start_application(body),
            "StopApplication" => self.stop_application(body),
            "UpdateApplication" => self.update_application(body),
            "AddApplicationInput" => self.add_input(body),
            "AddApplicationOutput" => self.add_output(body),
            "AddApplicationInputProcessingConfiguration" => self.add_input_processing(body),
            "AddApplicationReferenceDataSource" => self.add_reference(body),
            "AddApplicationCloudWatchLoggingOption" => self.add_logging(body),
            "DeleteApplicationOutput" => self.delete_output(body),
            "DeleteApplicationInputProcessingConfiguration" => self.delete_input_processing(body),
            "DeleteApplicationReferenceDataSource" => self.delete_reference(body),
            "DeleteApplicationCloudWatchLoggingOption" => self.delete_logging(body),
            "TagResource" => self.tag_resource(body),
            "UntagResource" => self.untag_resource(body),
            "ListTagsForResource" => self.list_tags(body),
            other => Err(AwsError::unknown_operation(&format!(
                "{TARGET_PREFIX}.{other}"
            ))),
        }
    }
}

impl Service for KinesisAnalytics {
    fn name(&self) -> &'static str {
        SERVICE_NAME
    }

    fn target_prefix(&self) -> &'static str {
        TARGET_PREFIX
    }

    fn json_version(&self) -> JsonVersion {
        JsonVersion::V1_1
    }

    fn call(self: Arc<Self>, operation: &str, body: Bytes) -> ServiceFuture {
        // DiscoverInputSchema may invoke a preprocessing function, so it is async; the rest
        // answer at once.
        match operation {
            "DiscoverInputSchema" => {
                Box::pin(async move { self.discover_input_schema(&body).await })
            }
            _ => {
                let result = self.dispatch(operation, &body);
                Box::pin(std::future::ready(result))
            }
        }
    }
}

/// `{}`: the body of operations with an empty output.
fn empty() -> Result<Bytes, AwsError> {
    Ok(Bytes::from_static(b"{}"))
}

/// A version check: a stale `CurrentApplicationVersionId` is a concurrent modification.
fn check_version(record: &AppRecord, given: i64) -> Result<(), AwsError> {
    if record.version != given {
        return Err(AwsError::client(
            "ConcurrentModificationException",
            format!(
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
        s => Err(AwsError::client(
            "ResourceInUseException",
            format!(
                "Application {} is in {} state; {operation} is allowed only in READY or RUNNING state",
                record.name,
                s.as_str()
            ),
        )),
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
