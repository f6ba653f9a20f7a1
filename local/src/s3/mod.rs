//! Amazon S3 (REST-XML) on the twin's one port, path-style and virtual-host-style.
//!
//! The wire protocol is the [`s3s`] crate's: routing by method, path and query, the request and
//! response headers and XML of every operation, S3's error codes and their XML, `Range`,
//! `aws-chunked` bodies with trailing checksums. It was chosen over writing the protocol again
//! (and over its experimental filesystem backend, `s3s-fs`, whose storage would be a second
//! store beside the twin's): the twin implements [`s3s::S3`] for the operations it serves
//! (`api.rs`), over the twin's own resource table and store (`store.rs`). The operation table
//! below lists every operation of the S3 model the SDKs know; the ones served are answered by
//! `api.rs`, the rest by s3s's `NotImplemented` error, which names the operation.
//!
//! Signatures: by default the twin accepts any credentials, as every service of the twin does,
//! so the gateway hands s3s the request without its signature, with a signed or unsigned
//! `aws-chunked` body decoded on the way (`wire.rs`; its trailing checksum is checked).
//!
//! In-process users — reference data sources, Firehose's S3 destination, DiscoverInputSchema's
//! `S3Configuration`, Lambda's `Code.S3Bucket` — call [`S3::get_bytes`] and [`S3::put_bytes`],
//! which share the API's storage path.

mod api;
pub mod store;
mod wire;

use std::collections::HashSet;
use std::sync::Arc;

use bytes::Bytes;
use kdaflow_asl::clock::SharedClock;

use crate::config::TwinConfig;
use crate::error::LocalError;
use crate::faults::Faults;
use crate::gateway::Calls;
use crate::protocol::AwsError;
use crate::resources::{Insert, Table};
use crate::service::{BoxFuture, Operation, Operations, Protocol, Request};
use crate::store::Store;
use store::{BucketRecord, Files, ObjectHeaders, ObjectRecord, UploadRecord, object_key};

/// The service name (faults, call counts).
pub const SERVICE_NAME: &str = "s3";

/// The storage the API and in-process callers share.
#[derive(Debug)]
pub struct Storage {
    config: TwinConfig,
    clock: SharedClock,
    faults: Arc<Faults>,
    calls: Arc<Calls>,
    buckets: Table<BucketRecord>,
    objects: Table<ObjectRecord>,
    uploads: Table<UploadRecord>,
    files: Files,
}

/// The S3 service.
pub struct S3 {
    storage: Arc<Storage>,
    http: s3s::service::S3Service,
}

impl std::fmt::Debug for S3 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3")
            .field("buckets", &self.storage.buckets.len())
            .field("objects", &self.storage.objects.len())
            .finish()
    }
}

/// The not-found error of a table S3 answers through s3s (never shown: the API checks first).
fn absent(key: &str) -> AwsError {
    AwsError::client("NoSuchKey", format!("{key} does not exist"))
}

impl S3 {
    /// S3 over `store` (records) and files under the state directory (or a temporary one).
    pub fn new(
        config: TwinConfig,
        clock: SharedClock,
        store: Arc<Store>,
        faults: Arc<Faults>,
        calls: Arc<Calls>,
    ) -> Result<Self, LocalError> {
        let files =
            Files::open(config.state_dir.as_deref()).map_err(|source| LocalError::StateDir {
                path: config.state_dir.clone().unwrap_or_else(std::env::temp_dir),
                source,
            })?;
        let buckets: Table<BucketRecord> =
            Table::load("s3-buckets", store.clone(), clock.clone(), absent, |_| ())?;
        let objects: Table<ObjectRecord> =
            Table::load("s3-objects", store.clone(), clock.clone(), absent, |_| ())?;
        let uploads: Table<UploadRecord> =
            Table::load("s3-uploads", store, clock.clone(), absent, |_| ())?;
        let mut keep = HashSet::new();
        objects.scan(|_, row| {
            keep.insert(row.record.file.clone());
        });
        uploads.scan(|_, row| {
            keep.extend(row.record.parts.values().map(|p| p.file.clone()));
        });
        files.collect_garbage(&keep);
        let storage = Arc::new(Storage {
            config,
            clock,
            faults,
            calls,
            buckets,
            objects,
            uploads,
            files,
        });
        let http = api::service(storage.clone());
        Ok(Self { storage, http })
    }

    /// The bytes of an object (for in-process readers of small objects), or S3's error name and
    /// message (`NoSuchBucket: ...`).
    pub fn get_bytes(&self, bucket: &str, key: &str) -> Result<Vec<u8>, String> {
        let s = &self.storage;
        if !s.buckets.contains(bucket) {
            return Err(format!(
                "NoSuchBucket: The specified bucket does not exist ({bucket})"
            ));
        }
        let file = s
            .objects
            .read(&object_key(bucket, key), |r| r.record.file.clone())
            .map_err(|_| format!("NoSuchKey: The specified key does not exist ({bucket}/{key})"))?;
        s.files
            .read_all(&file)
            .map_err(|e| format!("InternalError: {e}"))
    }

    /// Stores an object from bytes (Firehose deliveries), as PutObject does.
    pub async fn put_bytes(
        &self,
        bucket: &str,
        key: &str,
        body: Bytes,
        headers: ObjectHeaders,
    ) -> Result<String, String> {
        let stream = futures::stream::once(async move { Ok::<_, std::io::Error>(body) });
        self.storage
            .put(bucket, key, stream, headers, None)
            .await
            .map(|r| r.etag)
            .map_err(|e| format!("{}: {}", e.code().as_str(), e.message().unwrap_or("")))
    }

    /// The keys in a bucket under `prefix`, in order (tests and the console).
    pub fn keys(&self, bucket: &str, prefix: &str) -> Vec<String> {
        self.storage.list(bucket, prefix)
    }
}

impl crate::dataplane::reference::ObjectSource for S3 {
    fn get_object(&self, bucket: &str, key: &str) -> Result<Vec<u8>, String> {
        self.get_bytes(bucket, key)
    }
}

impl Storage {
    fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }

    /// Every key of `bucket` under `prefix`, sorted.
    fn list(&self, bucket: &str, prefix: &str) -> Vec<String> {
        let head = object_key(bucket, prefix);
        let cut = bucket.len() + 1;
        let mut keys: Vec<String> = self
            .objects
            .keys()
            .into_iter()
            .filter(|k| k.starts_with(&head))
            .map(|k| k[cut..].to_string())
            .collect();
        keys.sort();
        keys
    }

    fn insert_object(&self, bucket: &str, key: &str, record: ObjectRecord) -> Result<(), AwsError> {
        let old = std::sync::Mutex::new(None);
        let k = object_key(bucket, key);
        let result = match self.objects.mutate(&k, |r, _, _| {
            *old.lock().unwrap_or_else(|e| e.into_inner()) = Some(r.file.clone());
            *r = record.clone();
            Ok(())
        }) {
            Ok(()) => Ok(()),
            Err(_) if !self.objects.contains(&k) => self
                .objects
                .insert(&k, |_, _| Ok(Insert::New(record.clone(), (), ()))),
            Err(e) => Err(e),
        };
        if result.is_ok()
            && let Some(f) = old.into_inner().unwrap_or_else(|e| e.into_inner())
            && f != record.file
        {
            self.files.remove(&f);
        }
        result
    }
}

impl Operations for S3 {
    const NAME: &'static str = SERVICE_NAME;
    const PROTOCOL: Protocol = Protocol::RestXml;
    const TABLE: &'static [Operation<Self>] = api::TABLE;

    fn route(&self, request: &Request) -> Option<&'static str> {
        // s3s routes; the gateway streams the whole request to it (`serve_http`). An awsJson
        // call (with `X-Amz-Target`) is never S3's.
        (!request.headers.contains_key("x-amz-target")).then_some(crate::service::HTTP_FRONT_END)
    }

    fn serve_http(
        self: Arc<Self>,
        request: http::Request<axum::body::Body>,
    ) -> Option<BoxFuture<axum::response::Response>> {
        Some(Box::pin(async move { wire::serve(&self, request).await }))
    }
}
