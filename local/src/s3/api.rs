//! The S3 operations the twin serves, as an implementation of [`s3s::S3`] over [`Storage`].
//!
//! Behaviour follows the S3 API reference: errors by their S3 codes and messages, ETags as S3
//! computes them, `CreateBucket` answering 200 for a bucket you already own in us-east-1 and
//! `BucketAlreadyOwnedByYou` elsewhere, ListObjects' delimiter, pagination and `EncodingType=url`.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use base64::Engine;
use futures::Stream;
use s3s::dto::*;
use s3s::service::S3ServiceBuilder;
use s3s::{S3Error, S3ErrorCode, S3Request, S3Response, S3Result};

use super::store::{
    Checksums, ObjectHeaders, ObjectRecord, PartRecord, UploadRecord, Written, hex, multipart_etag,
    object_key,
};
use super::{S3, SERVICE_NAME, Storage};
use crate::resources::Insert;
use crate::service::Operation;

/// The S3 model's operations (the SDK's `operation` modules): those the twin serves are
/// answered through the HTTP front end, the others are `NotImplemented`.
macro_rules! table {
    (served: [$($s:literal),* $(,)?], not_implemented: [$($n:literal),* $(,)?]) => {
        &[$(Operation::http($s),)* $(Operation::not_implemented($n),)*]
    };
}

pub(super) const TABLE: &[Operation<S3>] = table!(
    served: [
        "AbortMultipartUpload", "CompleteMultipartUpload", "CopyObject", "CreateBucket",
        "CreateMultipartUpload", "DeleteBucket", "DeleteObject", "DeleteObjects",
        "GetBucketLocation", "GetObject", "HeadBucket", "HeadObject", "ListBuckets",
        "ListMultipartUploads", "ListObjects", "ListObjectsV2", "ListParts", "PutObject",
        "UploadPart",
    ],
    not_implemented: [
        "CreateBucketMetadataConfiguration", "CreateBucketMetadataTableConfiguration",
        "CreateSession", "DeleteBucketAnalyticsConfiguration", "DeleteBucketCors",
        "DeleteBucketEncryption", "DeleteBucketIntelligentTieringConfiguration",
        "DeleteBucketInventoryConfiguration", "DeleteBucketLifecycle",
        "DeleteBucketMetadataConfiguration", "DeleteBucketMetadataTableConfiguration",
        "DeleteBucketMetricsConfiguration", "DeleteBucketOwnershipControls", "DeleteBucketPolicy",
        "DeleteBucketReplication", "DeleteBucketTagging", "DeleteBucketWebsite",
        "DeleteObjectAnnotation", "DeleteObjectTagging", "DeletePublicAccessBlock",
        "GetBucketAbac", "GetBucketAccelerateConfiguration", "GetBucketAcl",
        "GetBucketAnalyticsConfiguration", "GetBucketCors", "GetBucketEncryption",
        "GetBucketIntelligentTieringConfiguration", "GetBucketInventoryConfiguration",
        "GetBucketLifecycleConfiguration", "GetBucketLogging", "GetBucketMetadataConfiguration",
        "GetBucketMetadataTableConfiguration", "GetBucketMetricsConfiguration",
        "GetBucketNotificationConfiguration", "GetBucketOwnershipControls", "GetBucketPolicy",
        "GetBucketPolicyStatus", "GetBucketReplication", "GetBucketRequestPayment",
        "GetBucketTagging", "GetBucketVersioning", "GetBucketWebsite", "GetObjectAcl",
        "GetObjectAnnotation", "GetObjectAttributes", "GetObjectLegalHold",
        "GetObjectLockConfiguration", "GetObjectRetention", "GetObjectTagging",
        "GetObjectTorrent", "GetPublicAccessBlock", "ListBucketAnalyticsConfigurations",
        "ListBucketIntelligentTieringConfigurations", "ListBucketInventoryConfigurations",
        "ListBucketMetricsConfigurations", "ListDirectoryBuckets", "ListObjectAnnotations",
        "ListObjectVersions", "PutBucketAbac", "PutBucketAccelerateConfiguration",
        "PutBucketAcl", "PutBucketAnalyticsConfiguration", "PutBucketCors",
        "PutBucketEncryption", "PutBucketIntelligentTieringConfiguration",
        "PutBucketInventoryConfiguration", "PutBucketLifecycleConfiguration",
        "PutBucketLogging", "PutBucketMetricsConfiguration", "PutBucketNotificationConfiguration",
        "PutBucketOwnershipControls", "PutBucketPolicy", "PutBucketReplication",
        "PutBucketRequestPayment", "PutBucketTagging", "PutBucketVersioning", "PutBucketWebsite",
        "PutObjectAcl", "PutObjectAnnotation", "PutObjectLegalHold", "PutObjectLockConfiguration",
        "PutObjectRetention", "PutObjectTagging", "PutPublicAccessBlock", "RenameObject",
        "RestoreObject", "SelectObjectContent",
        "UpdateBucketMetadataAnnotationTableConfiguration",
        "UpdateBucketMetadataInventoryTableConfiguration",
        "UpdateBucketMetadataJournalTableConfiguration", "UpdateObjectEncryption",
        "UploadPartCopy", "WriteGetObjectResponse",
    ]
);

/// S3's smallest part but the last (5 MiB).
pub const MIN_PART_BYTES: u64 = 5 * 1024 * 1024;
/// The most parts an upload may have.
pub const MAX_PARTS: i32 = 10_000;
/// The longest key (bytes of UTF-8).
pub const MAX_KEY_BYTES: usize = 1024;

/// The s3s service over `storage`: the twin's virtual hosts, anonymous access (the gateway
/// has already decided who may call).
pub(super) fn service(storage: Arc<Storage>) -> s3s::service::S3Service {
    let mut b = S3ServiceBuilder::new(Api(storage));
    b.set_host(super::wire::Hosts);
    b.set_access(super::wire::Open);
    b.build()
}

pub(super) struct Api(Arc<Storage>);

fn error(code: S3ErrorCode, message: impl Into<String>) -> S3Error {
    S3Error::with_message(code, message.into())
}

fn no_bucket(bucket: &str) -> S3Error {
    error(
        S3ErrorCode::NoSuchBucket,
        format!("The specified bucket does not exist: {bucket}"),
    )
}

fn no_key(key: &str) -> S3Error {
    error(
        S3ErrorCode::NoSuchKey,
        format!("The specified key does not exist: {key}"),
    )
}

fn no_upload(id: &str) -> S3Error {
    error(
        S3ErrorCode::NoSuchUpload,
        format!(
            "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed: {id}"
        ),
    )
}

fn unsaved(e: impl std::fmt::Display) -> S3Error {
    error(
        S3ErrorCode::ServiceUnavailable,
        format!("The change was not saved and has no effect: {e}"),
    )
}

fn timestamp(ms: i64) -> Timestamp {
    Timestamp::from(SystemTime::UNIX_EPOCH + Duration::from_millis(ms.max(0) as u64))
}

fn etag(value: &str) -> ETag {
    ETag::Strong(value.to_string())
}

fn unquote(e: &ETag) -> &str {
    match e {
        ETag::Strong(v) | ETag::Weak(v) => v.trim_matches('"'),
    }
}

/// What a writer asked to be checked.
#[derive(Debug, Default)]
pub(super) struct Expect {
    /// `Content-MD5` (base64).
    pub md5: Option<String>,
    /// `x-amz-sdk-checksum-algorithm`.
    pub algorithm: Option<String>,
    /// `x-amz-checksum-*` values sent.
    pub checksums: Checksums,
}

impl Expect {
    fn algorithm(&self) -> Option<String> {
        self.algorithm
            .clone()
            .or_else(|| self.checksums.algorithm().map(|(a, _)| a.to_string()))
    }

    /// Checks what was written against what the writer said it sent.
    fn check(&self, w: &Written) -> S3Result<()> {
        if let Some(md5) = &self.md5 {
            let got = base64::engine::general_purpose::STANDARD.encode(w.md5);
            if base64::engine::general_purpose::STANDARD
                .decode(md5)
                .is_err()
            {
                return Err(error(
                    S3ErrorCode::InvalidDigest,
                    "The Content-MD5 you specified was invalid.",
                ));
            }
            if *md5 != got {
                return Err(error(
                    S3ErrorCode::BadDigest,
                    "The Content-MD5 you specified did not match what we received.",
                ));
            }
        }
        if let Some((alg, sent)) = self.checksums.algorithm() {
            let computed = Checksums::algorithm(&w.checksums).map(|(_, v)| v);
            if computed != Some(sent) {
                return Err(error(
                    S3ErrorCode::BadDigest,
                    format!("The {alg} you specified did not match the calculated checksum."),
                ));
            }
        }
        Ok(())
    }
}

fn sent_checksums(
    crc32: Option<String>,
    crc32c: Option<String>,
    crc64nvme: Option<String>,
    sha1: Option<String>,
    sha256: Option<String>,
) -> Checksums {
    Checksums {
        crc32,
        crc32c,
        crc64nvme,
        sha1,
        sha256,
    }
}

/// The checksum members of an answer: the stored ones, when asked for.
struct Sums {
    crc32: Option<String>,
    crc32c: Option<String>,
    crc64nvme: Option<String>,
    sha1: Option<String>,
    sha256: Option<String>,
    kind: Option<ChecksumType>,
}

fn sums(c: &Checksums, asked: bool) -> Sums {
    if !asked {
        return Sums {
            crc32: None,
            crc32c: None,
            crc64nvme: None,
            sha1: None,
            sha256: None,
            kind: None,
        };
    }
    Sums {
        crc32: c.crc32.clone(),
        crc32c: c.crc32c.clone(),
        crc64nvme: c.crc64nvme.clone(),
        sha1: c.sha1.clone(),
        sha256: c.sha256.clone(),
        kind: c
            .algorithm()
            .map(|_| ChecksumType::from_static(ChecksumType::FULL_OBJECT)),
    }
}

fn headers_of(
    content_type: Option<String>,
    content_encoding: Option<String>,
    content_disposition: Option<String>,
    content_language: Option<String>,
    cache_control: Option<String>,
    metadata: Option<Metadata>,
) -> ObjectHeaders {
    ObjectHeaders {
        content_type,
        content_encoding,
        content_disposition,
        content_language,
        cache_control,
        metadata: metadata
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect(),
    }
}

fn user_metadata(h: &ObjectHeaders) -> Option<Metadata> {
    (!h.metadata.is_empty()).then(|| h.metadata.clone().into_iter().collect())
}

const URL_SAFE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A key as a listing returns it: URL-encoded when the caller asked (`EncodingType=url`).
fn listed(value: &str, url: bool) -> String {
    if url {
        percent_encoding::utf8_percent_encode(value, URL_SAFE).to_string()
    } else {
        value.to_string()
    }
}

/// One page of a listing: keys and common prefixes after `after`, at most `max` of them.
struct Page {
    keys: Vec<String>,
    prefixes: Vec<String>,
    truncated: bool,
    /// The last key or prefix returned (where the next page starts).
    last: Option<String>,
}

fn page(
    keys: &[String],
    prefix: &str,
    delimiter: Option<&str>,
    after: Option<&str>,
    max: usize,
) -> Page {
    let mut out = Page {
        keys: Vec::new(),
        prefixes: Vec::new(),
        truncated: false,
        last: None,
    };
    let delimiter = delimiter.filter(|d| !d.is_empty());
    for key in keys {
        if let Some(a) = after {
            if key.as_str() <= a {
                continue;
            }
            // A common prefix returned on an earlier page stands for every key under it.
            if delimiter.is_some_and(|d| a.ends_with(d)) && key.starts_with(a) {
                continue;
            }
        }
        let common = delimiter.and_then(|d| {
            key[prefix.len()..]
                .find(d)
                .map(|i| key[..prefix.len() + i + d.len()].to_string())
        });
        if let Some(c) = &common
            && out.prefixes.last() == Some(c)
        {
            continue;
        }
        if out.keys.len() + out.prefixes.len() == max {
            out.truncated = true;
            break;
        }
        match common {
            Some(c) => {
                out.last = Some(c.clone());
                out.prefixes.push(c);
            }
            None => {
                out.last = Some(key.clone());
                out.keys.push(key.clone());
            }
        }
    }
    out
}

fn max_keys(v: Option<i32>) -> S3Result<usize> {
    match v {
        None => Ok(1000),
        Some(n) if n < 0 => Err(error(
            S3ErrorCode::InvalidArgument,
            "Provided max-keys not an integer or within integer range",
        )),
        Some(n) => Ok((n as usize).min(1000)),
    }
}

impl Storage {
    /// Counts the call and answers an armed fault, as the gateway does for other services.
    fn enter(&self, operation: &str) -> S3Result<()> {
        self.calls.count(&format!("{SERVICE_NAME}.{operation}"));
        if let Some(e) = self.faults.take_error(SERVICE_NAME, operation) {
            let code =
                S3ErrorCode::from_bytes(e.code.as_bytes()).unwrap_or(S3ErrorCode::InternalError);
            let mut err = error(code, e.message);
            err.set_status_code(e.status);
            return Err(err);
        }
        Ok(())
    }

    fn bucket(&self, bucket: &str) -> S3Result<()> {
        if self.buckets.contains(bucket) {
            Ok(())
        } else {
            Err(no_bucket(bucket))
        }
    }

    fn object(&self, bucket: &str, key: &str) -> S3Result<ObjectRecord> {
        self.bucket(bucket)?;
        self.objects
            .read(&object_key(bucket, key), |r| r.record.clone())
            .map_err(|_| no_key(key))
    }

    /// Streams a body into a new object (PutObject, and in-process writers).
    pub(super) async fn put<S, E>(
        &self,
        bucket: &str,
        key: &str,
        body: S,
        headers: ObjectHeaders,
        expect: Option<Expect>,
    ) -> S3Result<ObjectRecord>
    where
        S: Stream<Item = Result<bytes::Bytes, E>> + Send,
        E: std::fmt::Display,
    {
        self.bucket(bucket)?;
        if key.len() > MAX_KEY_BYTES {
            return Err(error(S3ErrorCode::KeyTooLongError, "Your key is too long"));
        }
        let expect = expect.unwrap_or_default();
        let w = self.write(body, expect.algorithm().as_deref()).await?;
        if let Err(e) = expect.check(&w) {
            self.files.remove(&w.file);
            return Err(e);
        }
        let record = ObjectRecord {
            file: w.file.clone(),
            size: w.size,
            etag: hex(&w.md5),
            modified_ms: self.now_ms(),
            headers,
            checksums: w.checksums,
            parts: None,
        };
        if let Err(e) = self.insert_object(bucket, key, record.clone()) {
            self.files.remove(&w.file);
            return Err(unsaved(e.message));
        }
        Ok(record)
    }

    async fn write<S, E>(&self, body: S, algorithm: Option<&str>) -> S3Result<Written>
    where
        S: Stream<Item = Result<bytes::Bytes, E>> + Send,
        E: std::fmt::Display,
    {
        self.files
            .write(body, algorithm)
            .await
            .map_err(|e| match e {
                super::store::WriteError::Body(m) => match m.find(super::wire::BAD_DIGEST) {
                    Some(i) => error(
                        S3ErrorCode::BadDigest,
                        m[i + super::wire::BAD_DIGEST.len()..].to_string(),
                    ),
                    None => error(S3ErrorCode::IncompleteBody, m),
                },
                super::store::WriteError::Io(e) => unsaved(e),
            })
    }

    fn upload(&self, bucket: &str, id: &str) -> S3Result<UploadRecord> {
        self.bucket(bucket)?;
        self.uploads
            .read(id, |r| r.record.clone())
            .ok()
            .filter(|u| u.bucket == bucket)
            .ok_or_else(|| no_upload(id))
    }
}

fn body_or_empty(
    body: Option<StreamingBlob>,
) -> impl Stream<Item = Result<bytes::Bytes, String>> + Send {
    use futures::StreamExt;
    match body {
        Some(b) => b.map(|r| r.map_err(|e| e.to_string())).left_stream(),
        None => futures::stream::empty().right_stream(),
    }
}

#[async_trait::async_trait]
impl s3s::S3 for Api {
    async fn create_bucket(
        &self,
        req: S3Request<CreateBucketInput>,
    ) -> S3Result<S3Response<CreateBucketOutput>> {
        let s = &self.0;
        s.enter("CreateBucket")?;
        let input = req.input;
        let region = s.config.region.clone();
        let asked = input
            .create_bucket_configuration
            .as_ref()
            .and_then(|c| c.location_constraint.as_ref())
            .map(|l| l.as_str().to_string());
        match asked.as_deref() {
            None if region != "us-east-1" => {
                return Err(error(
                    S3ErrorCode::IllegalLocationConstraintException,
                    "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.",
                ));
            }
            Some(l) if l != region && !(l == "US" && region == "us-east-1") => {
                return Err(error(
                    S3ErrorCode::IllegalLocationConstraintException,
                    format!(
                        "The {l} location constraint is incompatible for the region specific endpoint this request was sent to ({region})."
                    ),
                ));
            }
            _ => {}
        }
        let name = input.bucket.clone();
        let now = s.now_ms();
        s.buckets
            .insert(&name, |existing, _| match existing {
                // us-east-1 answers 200 to its owner's repeat (S3 API reference, CreateBucket).
                Some(_) if region == "us-east-1" => Ok(Insert::Keep(())),
                Some(_) => Err(crate::protocol::AwsError::client(
                    "BucketAlreadyOwnedByYou",
                    "",
                )),
                None => Ok(Insert::New(
                    super::store::BucketRecord {
                        created_ms: now,
                        region: region.clone(),
                    },
                    (),
                    (),
                )),
            })
            .map_err(|e| {
                if e.code == "BucketAlreadyOwnedByYou" {
                    error(
                        S3ErrorCode::BucketAlreadyOwnedByYou,
                        "Your previous request to create the named bucket succeeded and you already own it.",
                    )
                } else {
                    unsaved(e.message)
                }
            })?;
        Ok(S3Response::new(CreateBucketOutput {
            location: Some(format!("/{name}")),
        }))
    }

    async fn delete_bucket(
        &self,
        req: S3Request<DeleteBucketInput>,
    ) -> S3Result<S3Response<DeleteBucketOutput>> {
        let s = &self.0;
        s.enter("DeleteBucket")?;
        let bucket = req.input.bucket;
        s.bucket(&bucket)?;
        if !s.list(&bucket, "").is_empty() {
            return Err(error(
                S3ErrorCode::BucketNotEmpty,
                "The bucket you tried to delete is not empty",
            ));
        }
        s.buckets
            .remove(&bucket, |_| Ok(()))
            .map_err(|e| unsaved(e.message))?;
        Ok(S3Response::new(DeleteBucketOutput {}))
    }

    async fn head_bucket(
        &self,
        req: S3Request<HeadBucketInput>,
    ) -> S3Result<S3Response<HeadBucketOutput>> {
        let s = &self.0;
        s.enter("HeadBucket")?;
        s.bucket(&req.input.bucket)?;
        Ok(S3Response::new(HeadBucketOutput {
            bucket_region: Some(s.config.region.clone()),
            ..Default::default()
        }))
    }

    async fn list_buckets(
        &self,
        _req: S3Request<ListBucketsInput>,
    ) -> S3Result<S3Response<ListBucketsOutput>> {
        let s = &self.0;
        s.enter("ListBuckets")?;
        let mut buckets: Vec<Bucket> = Vec::new();
        s.buckets.scan(|name, row| {
            buckets.push(Bucket {
                name: Some(name.to_string()),
                creation_date: Some(timestamp(row.record.created_ms)),
                bucket_region: Some(row.record.region.clone()),
            });
        });
        buckets.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(S3Response::new(ListBucketsOutput {
            buckets: Some(buckets),
            owner: Some(Owner {
                display_name: Some("kdaflow".to_string()),
                id: Some(s.config.account_id.clone()),
            }),
            ..Default::default()
        }))
    }

    async fn get_bucket_location(
        &self,
        req: S3Request<GetBucketLocationInput>,
    ) -> S3Result<S3Response<GetBucketLocationOutput>> {
        let s = &self.0;
        s.enter("GetBucketLocation")?;
        s.bucket(&req.input.bucket)?;
        let region = &s.config.region;
        Ok(S3Response::new(GetBucketLocationOutput {
            location_constraint: (region != "us-east-1")
                .then(|| BucketLocationConstraint::from(region.clone())),
        }))
    }

    async fn put_object(
        &self,
        req: S3Request<PutObjectInput>,
    ) -> S3Result<S3Response<PutObjectOutput>> {
        let s = &self.0;
        s.enter("PutObject")?;
        let i = req.input;
        let asked = i.checksum_algorithm.is_some()
            || i.checksum_crc32.is_some()
            || i.checksum_crc32c.is_some()
            || i.checksum_crc64nvme.is_some()
            || i.checksum_sha1.is_some()
            || i.checksum_sha256.is_some();
        let expect = Expect {
            md5: i.content_md5,
            algorithm: i.checksum_algorithm.map(|a| a.as_str().to_string()),
            checksums: sent_checksums(
                i.checksum_crc32,
                i.checksum_crc32c,
                i.checksum_crc64nvme,
                i.checksum_sha1,
                i.checksum_sha256,
            ),
        };
        let headers = headers_of(
            i.content_type,
            i.content_encoding,
            i.content_disposition,
            i.content_language,
            i.cache_control,
            i.metadata,
        );
        let r = s
            .put(
                &i.bucket,
                &i.key,
                body_or_empty(i.body),
                headers,
                Some(expect),
            )
            .await?;
        let c = sums(&r.checksums, asked);
        Ok(S3Response::new(PutObjectOutput {
            e_tag: Some(etag(&r.etag)),
            checksum_crc32: c.crc32,
            checksum_crc32c: c.crc32c,
            checksum_crc64nvme: c.crc64nvme,
            checksum_sha1: c.sha1,
            checksum_sha256: c.sha256,
            checksum_type: c.kind,
            ..Default::default()
        }))
    }

    async fn get_object(
        &self,
        req: S3Request<GetObjectInput>,
    ) -> S3Result<S3Response<GetObjectOutput>> {
        let s = &self.0;
        s.enter("GetObject")?;
        let i = req.input;
        let r = s.object(&i.bucket, &i.key)?;
        let (start, len, range) = match &i.range {
            None => (0, r.size, None),
            Some(range) => {
                let span = range.check(r.size).map_err(|_| {
                    error(
                        S3ErrorCode::InvalidRange,
                        format!(
                            "The requested range is not satisfiable (the object is {} bytes)",
                            r.size
                        ),
                    )
                })?;
                (
                    span.start,
                    span.end - span.start,
                    Some(format!(
                        "bytes {}-{}/{}",
                        span.start,
                        span.end.saturating_sub(1),
                        r.size
                    )),
                )
            }
        };
        let stream = s
            .files
            .read(&r.file, start, len)
            .await
            .map_err(|e| error(S3ErrorCode::InternalError, e.to_string()))?;
        let whole = range.is_none();
        let asked = whole
            && i.checksum_mode
                .as_ref()
                .is_some_and(|m| m.as_str() == ChecksumMode::ENABLED);
        let c = sums(&r.checksums, asked);
        let h = &r.headers;
        Ok(S3Response::new(GetObjectOutput {
            body: Some(StreamingBlob::wrap(stream)),
            content_length: Some(len as i64),
            content_range: range,
            accept_ranges: Some("bytes".to_string()),
            last_modified: Some(timestamp(r.modified_ms)),
            e_tag: Some(etag(&r.etag)),
            content_type: i
                .response_content_type
                .or_else(|| h.content_type.clone())
                .or_else(|| Some("binary/octet-stream".to_string())),
            content_encoding: i
                .response_content_encoding
                .or_else(|| h.content_encoding.clone()),
            content_disposition: i
                .response_content_disposition
                .or_else(|| h.content_disposition.clone()),
            content_language: i
                .response_content_language
                .or_else(|| h.content_language.clone()),
            cache_control: i.response_cache_control.or_else(|| h.cache_control.clone()),
            metadata: user_metadata(h),
            parts_count: r.parts.map(|p| p as i32),
            checksum_crc32: c.crc32,
            checksum_crc32c: c.crc32c,
            checksum_crc64nvme: c.crc64nvme,
            checksum_sha1: c.sha1,
            checksum_sha256: c.sha256,
            checksum_type: c.kind,
            ..Default::default()
        }))
    }

    async fn head_object(
        &self,
        req: S3Request<HeadObjectInput>,
    ) -> S3Result<S3Response<HeadObjectOutput>> {
        let s = &self.0;
        s.enter("HeadObject")?;
        let i = req.input;
        let r = s.object(&i.bucket, &i.key)?;
        let asked = i
            .checksum_mode
            .as_ref()
            .is_some_and(|m| m.as_str() == ChecksumMode::ENABLED);
        let c = sums(&r.checksums, asked);
        let h = r.headers.clone();
        Ok(S3Response::new(HeadObjectOutput {
            content_length: Some(r.size as i64),
            accept_ranges: Some("bytes".to_string()),
            last_modified: Some(timestamp(r.modified_ms)),
            e_tag: Some(etag(&r.etag)),
            metadata: user_metadata(&h),
            content_type: h
                .content_type
                .or_else(|| Some("binary/octet-stream".to_string())),
            content_encoding: h.content_encoding,
            content_disposition: h.content_disposition,
            content_language: h.content_language,
            cache_control: h.cache_control,
            parts_count: r.parts.map(|p| p as i32),
            checksum_crc32: c.crc32,
            checksum_crc32c: c.crc32c,
            checksum_crc64nvme: c.crc64nvme,
            checksum_sha1: c.sha1,
            checksum_sha256: c.sha256,
            checksum_type: c.kind,
            ..Default::default()
        }))
    }

    async fn delete_object(
        &self,
        req: S3Request<DeleteObjectInput>,
    ) -> S3Result<S3Response<DeleteObjectOutput>> {
        let s = &self.0;
        s.enter("DeleteObject")?;
        let i = req.input;
        s.bucket(&i.bucket)?;
        s.delete(&i.bucket, &i.key)?;
        Ok(S3Response::new(DeleteObjectOutput::default()))
    }

    async fn delete_objects(
        &self,
        req: S3Request<DeleteObjectsInput>,
    ) -> S3Result<S3Response<DeleteObjectsOutput>> {
        let s = &self.0;
        s.enter("DeleteObjects")?;
        let i = req.input;
        s.bucket(&i.bucket)?;
        if i.delete.objects.len() > 1000 {
            return Err(error(
                S3ErrorCode::MalformedXML,
                "The XML you provided was not well-formed or did not validate against our published schema (at most 1000 keys per request)",
            ));
        }
        let quiet = i.delete.quiet.unwrap_or(false);
        let mut deleted = Vec::new();
        let mut errors = Vec::new();
        for o in i.delete.objects {
            match s.delete(&i.bucket, &o.key) {
                Ok(()) if !quiet => deleted.push(DeletedObject {
                    key: Some(o.key),
                    ..Default::default()
                }),
                Ok(()) => {}
                Err(e) => errors.push(Error {
                    code: Some(e.code().as_str().to_string()),
                    key: Some(o.key),
                    message: e.message().map(str::to_string),
                    version_id: None,
                }),
            }
        }
        Ok(S3Response::new(DeleteObjectsOutput {
            deleted: Some(deleted),
            errors: (!errors.is_empty()).then_some(errors),
            ..Default::default()
        }))
    }

    async fn list_objects_v2(
        &self,
        req: S3Request<ListObjectsV2Input>,
    ) -> S3Result<S3Response<ListObjectsV2Output>> {
        let s = &self.0;
        s.enter("ListObjectsV2")?;
        let i = req.input;
        s.bucket(&i.bucket)?;
        let max = max_keys(i.max_keys)?;
        let prefix = i.prefix.clone().unwrap_or_default();
        let url = i
            .encoding_type
            .as_ref()
            .is_some_and(|e| e.as_str() == EncodingType::URL);
        let after = match &i.continuation_token {
            Some(t) => Some(
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(t)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .ok_or_else(|| {
                        error(
                            S3ErrorCode::InvalidArgument,
                            "The continuation token provided is incorrect",
                        )
                    })?,
            ),
            None => i.start_after.clone(),
        };
        let keys = s.list(&i.bucket, &prefix);
        let p = page(
            &keys,
            &prefix,
            i.delimiter.as_deref(),
            after.as_deref(),
            max,
        );
        let contents = s.entries(&i.bucket, &p.keys, url);
        let count = (p.keys.len() + p.prefixes.len()) as i32;
        Ok(S3Response::new(ListObjectsV2Output {
            name: Some(i.bucket.clone()),
            prefix: Some(listed(&prefix, url)),
            max_keys: Some(max as i32),
            key_count: Some(count),
            continuation_token: i.continuation_token,
            is_truncated: Some(p.truncated),
            next_continuation_token: p
                .truncated
                .then(|| {
                    p.last
                        .as_deref()
                        .map(|l| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(l))
                })
                .flatten(),
            contents: Some(contents),
            common_prefixes: (!p.prefixes.is_empty()).then(|| {
                p.prefixes
                    .iter()
                    .map(|c| CommonPrefix {
                        prefix: Some(listed(c, url)),
                    })
                    .collect()
            }),
            delimiter: i.delimiter.map(|d| listed(&d, url)),
            encoding_type: i.encoding_type,
            start_after: i.start_after.map(|a| listed(&a, url)),
            ..Default::default()
        }))
    }

    async fn list_objects(
        &self,
        req: S3Request<ListObjectsInput>,
    ) -> S3Result<S3Response<ListObjectsOutput>> {
        let s = &self.0;
        s.enter("ListObjects")?;
        let i = req.input;
        s.bucket(&i.bucket)?;
        let max = max_keys(i.max_keys)?;
        let prefix = i.prefix.clone().unwrap_or_default();
        let url = i
            .encoding_type
            .as_ref()
            .is_some_and(|e| e.as_str() == EncodingType::URL);
        let keys = s.list(&i.bucket, &prefix);
        let p = page(
            &keys,
            &prefix,
            i.delimiter.as_deref(),
            i.marker.as_deref(),
            max,
        );
        let contents = s.entries(&i.bucket, &p.keys, url);
        Ok(S3Response::new(ListObjectsOutput {
            name: Some(i.bucket.clone()),
            prefix: Some(listed(&prefix, url)),
            marker: Some(i.marker.clone().unwrap_or_default()),
            max_keys: Some(max as i32),
            is_truncated: Some(p.truncated),
            next_marker: (p.truncated && i.delimiter.is_some())
                .then(|| p.last.as_deref().map(|l| listed(l, url)))
                .flatten(),
            contents: Some(contents),
            common_prefixes: (!p.prefixes.is_empty()).then(|| {
                p.prefixes
                    .iter()
                    .map(|c| CommonPrefix {
                        prefix: Some(listed(c, url)),
                    })
                    .collect()
            }),
            delimiter: i.delimiter.map(|d| listed(&d, url)),
            encoding_type: i.encoding_type,
            ..Default::default()
        }))
    }

    async fn copy_object(
        &self,
        req: S3Request<CopyObjectInput>,
    ) -> S3Result<S3Response<CopyObjectOutput>> {
        let s = &self.0;
        s.enter("CopyObject")?;
        let i = req.input;
        let CopySource::Bucket {
            bucket: src_bucket,
            key: src_key,
            ..
        } = &i.copy_source
        else {
            return Err(error(
                S3ErrorCode::NotImplemented,
                "Copying from an access point is not implemented by the twin",
            ));
        };
        s.bucket(&i.bucket)?;
        let src = s.object(src_bucket, src_key)?;
        let replace = i
            .metadata_directive
            .as_ref()
            .is_some_and(|d| d.as_str() == MetadataDirective::REPLACE);
        if **src_bucket == *i.bucket && **src_key == *i.key && !replace {
            return Err(error(
                S3ErrorCode::InvalidRequest,
                "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
            ));
        }
        let headers = if replace {
            headers_of(
                i.content_type,
                i.content_encoding,
                i.content_disposition,
                i.content_language,
                i.cache_control,
                i.metadata,
            )
        } else {
            src.headers.clone()
        };
        let algorithm = i
            .checksum_algorithm
            .map(|a| a.as_str().to_string())
            .or_else(|| src.checksums.algorithm().map(|(a, _)| a.to_string()));
        let w = s
            .files
            .concat(std::slice::from_ref(&src.file), algorithm.as_deref())
            .await
            .map_err(|e| error(S3ErrorCode::InternalError, e.to_string()))?;
        let record = ObjectRecord {
            file: w.file.clone(),
            size: w.size,
            etag: hex(&w.md5),
            modified_ms: s.now_ms(),
            headers,
            checksums: w.checksums,
            parts: None,
        };
        if let Err(e) = s.insert_object(&i.bucket, &i.key, record.clone()) {
            s.files.remove(&w.file);
            return Err(unsaved(e.message));
        }
        let c = sums(&record.checksums, true);
        Ok(S3Response::new(CopyObjectOutput {
            copy_object_result: Some(CopyObjectResult {
                e_tag: Some(etag(&record.etag)),
                last_modified: Some(timestamp(record.modified_ms)),
                checksum_crc32: c.crc32,
                checksum_crc32c: c.crc32c,
                checksum_crc64nvme: c.crc64nvme,
                checksum_sha1: c.sha1,
                checksum_sha256: c.sha256,
                checksum_type: c.kind,
            }),
            ..Default::default()
        }))
    }

    async fn create_multipart_upload(
        &self,
        req: S3Request<CreateMultipartUploadInput>,
    ) -> S3Result<S3Response<CreateMultipartUploadOutput>> {
        let s = &self.0;
        s.enter("CreateMultipartUpload")?;
        let i = req.input;
        s.bucket(&i.bucket)?;
        let id = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        let record = UploadRecord {
            bucket: i.bucket.clone(),
            key: i.key.clone(),
            initiated_ms: s.now_ms(),
            headers: headers_of(
                i.content_type,
                i.content_encoding,
                i.content_disposition,
                i.content_language,
                i.cache_control,
                i.metadata,
            ),
            checksum_algorithm: i
                .checksum_algorithm
                .as_ref()
                .map(|a| a.as_str().to_string()),
            parts: Default::default(),
        };
        s.uploads
            .insert(&id, |_, _| Ok(Insert::New(record, (), ())))
            .map_err(|e| unsaved(e.message))?;
        Ok(S3Response::new(CreateMultipartUploadOutput {
            bucket: Some(i.bucket),
            key: Some(i.key),
            upload_id: Some(id),
            checksum_algorithm: i.checksum_algorithm,
            ..Default::default()
        }))
    }

    async fn upload_part(
        &self,
        req: S3Request<UploadPartInput>,
    ) -> S3Result<S3Response<UploadPartOutput>> {
        let s = &self.0;
        s.enter("UploadPart")?;
        let i = req.input;
        if !(1..=MAX_PARTS).contains(&i.part_number) {
            return Err(error(
                S3ErrorCode::InvalidArgument,
                "Part number must be an integer between 1 and 10000, inclusive",
            ));
        }
        let upload = s.upload(&i.bucket, &i.upload_id)?;
        let asked = i.checksum_algorithm.is_some()
            || i.checksum_crc32.is_some()
            || i.checksum_crc32c.is_some()
            || i.checksum_crc64nvme.is_some()
            || i.checksum_sha1.is_some()
            || i.checksum_sha256.is_some();
        let expect = Expect {
            md5: i.content_md5,
            algorithm: i
                .checksum_algorithm
                .map(|a| a.as_str().to_string())
                .or(upload.checksum_algorithm),
            checksums: sent_checksums(
                i.checksum_crc32,
                i.checksum_crc32c,
                i.checksum_crc64nvme,
                i.checksum_sha1,
                i.checksum_sha256,
            ),
        };
        let w = s
            .write(body_or_empty(i.body), expect.algorithm().as_deref())
            .await?;
        if let Err(e) = expect.check(&w) {
            s.files.remove(&w.file);
            return Err(e);
        }
        let part = PartRecord {
            file: w.file.clone(),
            size: w.size,
            etag: hex(&w.md5),
            modified_ms: s.now_ms(),
            checksums: w.checksums,
        };
        let replaced = s
            .uploads
            .mutate(&i.upload_id, |u, _, _| {
                Ok(u.parts.insert(i.part_number as u32, part.clone()))
            })
            .map_err(|e| {
                s.files.remove(&w.file);
                unsaved(e.message)
            })?;
        if let Some(old) = replaced {
            s.files.remove(&old.file);
        }
        let c = sums(&part.checksums, asked);
        Ok(S3Response::new(UploadPartOutput {
            e_tag: Some(etag(&part.etag)),
            checksum_crc32: c.crc32,
            checksum_crc32c: c.crc32c,
            checksum_crc64nvme: c.crc64nvme,
            checksum_sha1: c.sha1,
            checksum_sha256: c.sha256,
            ..Default::default()
        }))
    }

    async fn complete_multipart_upload(
        &self,
        req: S3Request<CompleteMultipartUploadInput>,
    ) -> S3Result<S3Response<CompleteMultipartUploadOutput>> {
        let s = &self.0;
        s.enter("CompleteMultipartUpload")?;
        let i = req.input;
        let upload = s.upload(&i.bucket, &i.upload_id)?;
        let asked: Vec<CompletedPart> =
            i.multipart_upload.and_then(|m| m.parts).unwrap_or_default();
        if asked.is_empty() {
            return Err(error(
                S3ErrorCode::MalformedXML,
                "The XML you provided was not well-formed or did not validate against our published schema (a completed upload names at least one part)",
            ));
        }
        let mut chosen: Vec<&PartRecord> = Vec::new();
        let mut previous = 0;
        for (n, p) in asked.iter().enumerate() {
            let number = p.part_number.unwrap_or(0);
            if number <= previous {
                return Err(error(
                    S3ErrorCode::InvalidPartOrder,
                    "The list of parts was not in ascending order. The parts list must be specified in order by part number.",
                ));
            }
            previous = number;
            let stored = upload
                .parts
                .get(&(number as u32))
                .filter(|stored| p.e_tag.as_ref().is_none_or(|e| unquote(e) == stored.etag))
                .ok_or_else(|| {
                    error(
                        S3ErrorCode::InvalidPart,
                        format!(
                            "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not have matched the part's entity tag (part {number})."
                        ),
                    )
                })?;
            if n + 1 < asked.len() && stored.size < MIN_PART_BYTES {
                return Err(error(
                    S3ErrorCode::EntityTooSmall,
                    format!(
                        "Your proposed upload is smaller than the minimum allowed object size (part {number} is {} bytes; every part but the last must be at least 5 MiB).",
                        stored.size
                    ),
                ));
            }
            chosen.push(stored);
        }
        let files: Vec<String> = chosen.iter().map(|p| p.file.clone()).collect();
        let etags: Vec<&str> = chosen.iter().map(|p| p.etag.as_str()).collect();
        let w = s
            .files
            .concat(&files, upload.checksum_algorithm.as_deref())
            .await
            .map_err(|e| error(S3ErrorCode::InternalError, e.to_string()))?;
        let record = ObjectRecord {
            file: w.file.clone(),
            size: w.size,
            etag: multipart_etag(&etags),
            modified_ms: s.now_ms(),
            headers: upload.headers.clone(),
            checksums: w.checksums,
            parts: Some(chosen.len() as u32),
        };
        if let Err(e) = s.insert_object(&i.bucket, &i.key, record.clone()) {
            s.files.remove(&w.file);
            return Err(unsaved(e.message));
        }
        if let Ok(Some(done)) = s.uploads.remove(&i.upload_id, |_| Ok(())) {
            for p in done.parts.values() {
                s.files.remove(&p.file);
            }
        }
        let c = sums(&record.checksums, upload.checksum_algorithm.is_some());
        Ok(S3Response::new(CompleteMultipartUploadOutput {
            bucket: Some(i.bucket.clone()),
            key: Some(i.key.clone()),
            e_tag: Some(etag(&record.etag)),
            location: Some(format!("/{}/{}", i.bucket, i.key)),
            checksum_crc32: c.crc32,
            checksum_crc32c: c.crc32c,
            checksum_crc64nvme: c.crc64nvme,
            checksum_sha1: c.sha1,
            checksum_sha256: c.sha256,
            checksum_type: c.kind,
            ..Default::default()
        }))
    }

    async fn abort_multipart_upload(
        &self,
        req: S3Request<AbortMultipartUploadInput>,
    ) -> S3Result<S3Response<AbortMultipartUploadOutput>> {
        let s = &self.0;
        s.enter("AbortMultipartUpload")?;
        let i = req.input;
        s.upload(&i.bucket, &i.upload_id)?;
        if let Some(done) = s
            .uploads
            .remove(&i.upload_id, |_| Ok(()))
            .map_err(|e| unsaved(e.message))?
        {
            for p in done.parts.values() {
                s.files.remove(&p.file);
            }
        }
        Ok(S3Response::new(AbortMultipartUploadOutput::default()))
    }

    async fn list_parts(
        &self,
        req: S3Request<ListPartsInput>,
    ) -> S3Result<S3Response<ListPartsOutput>> {
        let s = &self.0;
        s.enter("ListParts")?;
        let i = req.input;
        let upload = s.upload(&i.bucket, &i.upload_id)?;
        let max = i.max_parts.unwrap_or(1000).clamp(0, 1000) as usize;
        let after = i.part_number_marker.unwrap_or(0).max(0) as u32;
        let rest: Vec<(&u32, &PartRecord)> =
            upload.parts.iter().filter(|(n, _)| **n > after).collect();
        let truncated = rest.len() > max;
        let shown = &rest[..rest.len().min(max)];
        Ok(S3Response::new(ListPartsOutput {
            bucket: Some(i.bucket),
            key: Some(i.key),
            upload_id: Some(i.upload_id),
            max_parts: Some(max as i32),
            is_truncated: Some(truncated),
            next_part_number_marker: shown.last().map(|(n, _)| **n as i32),
            part_number_marker: i.part_number_marker,
            parts: Some(
                shown
                    .iter()
                    .map(|(n, p)| Part {
                        part_number: Some(**n as i32),
                        e_tag: Some(etag(&p.etag)),
                        size: Some(p.size as i64),
                        last_modified: Some(timestamp(p.modified_ms)),
                        checksum_crc32: p.checksums.crc32.clone(),
                        checksum_crc32c: p.checksums.crc32c.clone(),
                        checksum_crc64nvme: p.checksums.crc64nvme.clone(),
                        checksum_sha1: p.checksums.sha1.clone(),
                        checksum_sha256: p.checksums.sha256.clone(),
                    })
                    .collect(),
            ),
            checksum_algorithm: upload.checksum_algorithm.map(ChecksumAlgorithm::from),
            ..Default::default()
        }))
    }

    async fn list_multipart_uploads(
        &self,
        req: S3Request<ListMultipartUploadsInput>,
    ) -> S3Result<S3Response<ListMultipartUploadsOutput>> {
        let s = &self.0;
        s.enter("ListMultipartUploads")?;
        let i = req.input;
        s.bucket(&i.bucket)?;
        let prefix = i.prefix.clone().unwrap_or_default();
        let mut uploads = Vec::new();
        s.uploads.scan(|id, row| {
            let u = &row.record;
            if u.bucket == i.bucket && u.key.starts_with(&prefix) {
                uploads.push(MultipartUpload {
                    key: Some(u.key.clone()),
                    upload_id: Some(id.to_string()),
                    initiated: Some(timestamp(u.initiated_ms)),
                    checksum_algorithm: u.checksum_algorithm.clone().map(ChecksumAlgorithm::from),
                    ..Default::default()
                });
            }
        });
        uploads.sort_by(|a, b| (&a.key, &a.initiated).cmp(&(&b.key, &b.initiated)));
        Ok(S3Response::new(ListMultipartUploadsOutput {
            bucket: Some(i.bucket),
            prefix: i.prefix,
            max_uploads: Some(1000),
            is_truncated: Some(false),
            uploads: Some(uploads),
            ..Default::default()
        }))
    }
}

impl Storage {
    fn delete(&self, bucket: &str, key: &str) -> S3Result<()> {
        if let Some(old) = self
            .objects
            .remove(&object_key(bucket, key), |_| Ok(()))
            .map_err(|e| unsaved(e.message))?
        {
            self.files.remove(&old.file);
        }
        Ok(())
    }

    fn entries(&self, bucket: &str, keys: &[String], url: bool) -> Vec<Object> {
        keys.iter()
            .filter_map(|k| {
                let r = self
                    .objects
                    .read(&object_key(bucket, k), |r| r.record.clone())
                    .ok()?;
                Some(Object {
                    key: Some(listed(k, url)),
                    size: Some(r.size as i64),
                    e_tag: Some(etag(&r.etag)),
                    last_modified: Some(timestamp(r.modified_ms)),
                    storage_class: Some(ObjectStorageClass::from_static(
                        ObjectStorageClass::STANDARD,
                    )),
                    checksum_algorithm: r
                        .checksums
                        .algorithm()
                        .map(|(a, _)| vec![ChecksumAlgorithm::from(a.to_string())]),
                    checksum_type: r
                        .checksums
                        .algorithm()
                        .map(|_| ChecksumType::from_static(ChecksumType::FULL_OBJECT)),
                    ..Default::default()
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn pages_group_common_prefixes_and_resume_after_them() {
        let all = keys(&["a/1", "a/2", "b", "c/1", "d"]);
        let p = page(&all, "", Some("/"), None, 2);
        assert_eq!(p.prefixes, vec!["a/"]);
        assert_eq!(p.keys, vec!["b"]);
        assert!(p.truncated);
        let next = page(&all, "", Some("/"), p.last.as_deref(), 2);
        assert_eq!(next.prefixes, vec!["c/"]);
        assert_eq!(next.keys, vec!["d"]);
        assert!(!next.truncated);
        let under_a = keys(&["a/1", "a/2"]);
        let flat = page(&under_a, "a/", Some("/"), None, 1000);
        assert_eq!(flat.keys, under_a);
    }

    #[test]
    fn listed_keys_are_url_encoded_when_asked() {
        assert_eq!(listed("dir/a b+c.txt", true), "dir/a%20b%2Bc.txt");
        assert_eq!(listed("dir/a b", false), "dir/a b");
    }
}
