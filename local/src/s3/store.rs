//! Where S3 keeps buckets and objects: records in the twin's one resource table (and so in its
//! one store), bytes in files.
//!
//! An object's bytes are streamed into a temporary file (hashed as they pass: MD5 for the ETag,
//! and the checksum asked for), flushed (and synced when there is a state directory), renamed
//! into `objects/` under a fresh name, and only then is the object's record written — so an
//! object is either wholly there or not at all, and a reader never sees half of one. The file
//! an overwritten or deleted object had is removed after its record is gone; files no record
//! names (a crash between the rename and the record) are removed when the twin starts.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use futures::{Stream, StreamExt};
use md5::{Digest, Md5};
use s3s::checksum::ChecksumHasher;
use s3s::dto::Checksum;
use serde::{Deserialize, Serialize};

use crate::resources::Record;

/// A bucket.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BucketRecord {
    /// When it was created (epoch milliseconds).
    pub created_ms: i64,
    /// Its region (the twin's).
    pub region: String,
}

impl Record for BucketRecord {}

/// The checksums stored with an object (base64, as S3 returns them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checksums {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crc32: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crc32c: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crc64nvme: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

impl From<Checksum> for Checksums {
    fn from(c: Checksum) -> Self {
        Self {
            crc32: c.checksum_crc32,
            crc32c: c.checksum_crc32c,
            crc64nvme: c.checksum_crc64nvme,
            sha1: c.checksum_sha1,
            sha256: c.checksum_sha256,
        }
    }
}

impl Checksums {
    /// The one algorithm whose value is present, with it.
    pub fn algorithm(&self) -> Option<(&'static str, &str)> {
        [
            ("CRC32", &self.crc32),
            ("CRC32C", &self.crc32c),
            ("CRC64NVME", &self.crc64nvme),
            ("SHA1", &self.sha1),
            ("SHA256", &self.sha256),
        ]
        .into_iter()
        .find_map(|(name, v)| v.as_deref().map(|v| (name, v)))
    }
}

/// The headers S3 stores with an object and returns on GET and HEAD.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectHeaders {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_encoding: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_disposition: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<String>,
    /// `x-amz-meta-*`, names lower-cased.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
}

/// An object: where its bytes are and what S3 says of them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ObjectRecord {
    /// The file under `objects/`.
    pub file: String,
    /// Its length in bytes.
    pub size: u64,
    /// The ETag without quotes: the MD5 in hex, or `<md5 of the parts' MD5s>-<parts>`.
    pub etag: String,
    /// Last-Modified (epoch milliseconds).
    pub modified_ms: i64,
    /// Stored headers and user metadata.
    #[serde(default)]
    pub headers: ObjectHeaders,
    /// Stored checksums.
    #[serde(default)]
    pub checksums: Checksums,
    /// How many parts a multipart upload made it of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parts: Option<u32>,
}

impl Record for ObjectRecord {}

/// One uploaded part of a multipart upload.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PartRecord {
    pub file: String,
    pub size: u64,
    pub etag: String,
    pub modified_ms: i64,
    #[serde(default)]
    pub checksums: Checksums,
}

/// A multipart upload in progress.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UploadRecord {
    pub bucket: String,
    pub key: String,
    pub initiated_ms: i64,
    #[serde(default)]
    pub headers: ObjectHeaders,
    /// The checksum algorithm named at creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum_algorithm: Option<String>,
    #[serde(default)]
    pub parts: BTreeMap<u32, PartRecord>,
}

impl Record for UploadRecord {}

/// The key of an object's record: bucket names cannot hold `/`, so the first one splits.
pub fn object_key(bucket: &str, key: &str) -> String {
    format!("{bucket}/{key}")
}

/// A body that was written to its file.
#[derive(Debug)]
pub struct Written {
    /// The file name under `objects/`.
    pub file: String,
    pub size: u64,
    /// MD5 of the bytes.
    pub md5: [u8; 16],
    /// The checksums computed (the algorithm asked for, CRC64NVME when none was).
    pub checksums: Checksums,
}

/// Why a body could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The client's stream failed (a broken connection, a bad aws-chunked frame, a checksum that
    /// did not match).
    #[error("{0}")]
    Body(String),
    /// The disk failed.
    #[error("the object could not be stored: {0}")]
    Io(#[from] std::io::Error),
}

/// A hasher for the checksum algorithm named `name` (CRC64NVME, S3's default, when `None`).
pub fn hasher(name: Option<&str>) -> ChecksumHasher {
    let mut h = ChecksumHasher::default();
    match name.map(str::to_ascii_uppercase).as_deref() {
        Some("CRC32") => h.crc32 = Some(Default::default()),
        Some("CRC32C") => h.crc32c = Some(Default::default()),
        Some("SHA1") => h.sha1 = Some(Default::default()),
        Some("SHA256") => h.sha256 = Some(Default::default()),
        _ => h.crc64nvme = Some(Default::default()),
    }
    h
}

/// The object files: `objects/` for stored bytes, `tmp/` while a body arrives.
#[derive(Debug)]
pub struct Files {
    root: PathBuf,
    durable: bool,
    /// Keeps a temporary root alive (and removes it) when there is no state directory.
    _temp: Option<tempfile::TempDir>,
}

impl Files {
    /// Files under `dir/s3`, or in a temporary directory when `dir` is `None`.
    pub fn open(dir: Option<&Path>) -> std::io::Result<Self> {
        let (root, temp) = match dir {
            Some(d) => (d.join("s3"), None),
            None => {
                let t = tempfile::Builder::new().prefix("kdaflow-s3-").tempdir()?;
                (t.path().to_path_buf(), Some(t))
            }
        };
        std::fs::create_dir_all(root.join("objects"))?;
        // Bodies that were arriving when the twin stopped were never acknowledged.
        let _ = std::fs::remove_dir_all(root.join("tmp"));
        std::fs::create_dir_all(root.join("tmp"))?;
        Ok(Self {
            root,
            durable: dir.is_some(),
            _temp: temp,
        })
    }

    /// The path of a stored file.
    pub fn path(&self, file: &str) -> PathBuf {
        self.root.join("objects").join(file)
    }

    /// Removes every stored file that `keep` does not name.
    pub fn collect_garbage(&self, keep: &HashSet<String>) {
        let Ok(entries) = std::fs::read_dir(self.root.join("objects")) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !keep.contains(&name) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    /// Removes a stored file (one no record names any more).
    pub fn remove(&self, file: &str) {
        let _ = std::fs::remove_file(self.path(file));
    }

    /// Streams `body` into a new file, hashing it; the file is in `objects/` only once the
    /// whole body arrived.
    pub async fn write<S, E>(&self, body: S, checksum: Option<&str>) -> Result<Written, WriteError>
    where
        S: Stream<Item = Result<Bytes, E>> + Send,
        E: std::fmt::Display,
    {
        let tmp = self
            .root
            .join("tmp")
            .join(uuid::Uuid::new_v4().simple().to_string());
        let result = self.write_to(&tmp, body, checksum).await;
        if result.is_err() {
            let _ = tokio::fs::remove_file(&tmp).await;
        }
        result
    }

    /// The body flows to two workers on blocking threads, each behind a bounded channel (so
    /// memory stays at a few chunks whatever the object's size): one computes the MD5 (the
    /// ETag; MD5 is sequential, and the slowest part), the other the checksum and the file.
    async fn write_to<S, E>(
        &self,
        tmp: &Path,
        body: S,
        checksum: Option<&str>,
    ) -> Result<Written, WriteError>
    where
        S: Stream<Item = Result<Bytes, E>> + Send,
        E: std::fmt::Display,
    {
        const IN_FLIGHT: usize = 8;
        let (md5_tx, mut md5_rx) = tokio::sync::mpsc::channel::<Bytes>(IN_FLIGHT);
        let (file_tx, mut file_rx) = tokio::sync::mpsc::channel::<Bytes>(IN_FLIGHT);
        let md5 = tokio::task::spawn_blocking(move || {
            let mut md5 = Md5::new();
            while let Some(chunk) = md5_rx.blocking_recv() {
                md5.update(&chunk);
            }
            <[u8; 16]>::from(md5.finalize())
        });
        let mut sums = hasher(checksum);
        let mut out = std::fs::File::create(tmp)?;
        let durable = self.durable;
        let file = tokio::task::spawn_blocking(move || -> std::io::Result<ChecksumHasher> {
            use std::io::Write;
            while let Some(chunk) = file_rx.blocking_recv() {
                sums.update(&chunk);
                out.write_all(&chunk)?;
            }
            out.flush()?;
            if durable {
                out.sync_all()?;
            }
            Ok(sums)
        });
        let mut size = 0u64;
        let mut body = std::pin::pin!(body);
        let mut failed = None;
        while let Some(chunk) = body.next().await {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => {
                    failed = Some(WriteError::Body(e.to_string()));
                    break;
                }
            };
            size += chunk.len() as u64;
            // A closed channel means its worker stopped on a disk error, which joining it
            // below reports.
            if md5_tx.send(chunk.clone()).await.is_err() || file_tx.send(chunk).await.is_err() {
                break;
            }
        }
        drop((md5_tx, file_tx));
        let joined = |e: tokio::task::JoinError| std::io::Error::other(e.to_string());
        let sums = file.await.map_err(joined)??;
        let md5 = md5.await.map_err(joined)?;
        if let Some(e) = failed {
            return Err(e);
        }
        let file = uuid::Uuid::new_v4().simple().to_string();
        tokio::fs::rename(tmp, self.path(&file)).await?;
        Ok(Written {
            file,
            size,
            md5,
            checksums: sums.finalize().into(),
        })
    }

    /// Concatenates stored files into a new one (a completed multipart upload), hashing the
    /// whole with `checksum`.
    pub async fn concat(
        &self,
        files: &[String],
        checksum: Option<&str>,
    ) -> Result<Written, WriteError> {
        let paths: Vec<PathBuf> = files.iter().map(|f| self.path(f)).collect();
        let stream = futures::stream::iter(paths)
            .then(|p| async move { tokio::fs::File::open(p).await })
            .map(|f| match f {
                Ok(f) => tokio_util::io::ReaderStream::with_capacity(f, 256 * 1024).left_stream(),
                Err(e) => futures::stream::once(async move { Err(e) }).right_stream(),
            })
            .flatten();
        self.write(stream, checksum).await
    }

    /// Streams `len` bytes of a stored file from `start`.
    pub async fn read(
        &self,
        file: &str,
        start: u64,
        len: u64,
    ) -> std::io::Result<impl Stream<Item = std::io::Result<Bytes>> + Send + Sync + 'static> {
        use tokio::io::{AsyncReadExt, AsyncSeekExt};
        let mut f = tokio::fs::File::open(self.path(file)).await?;
        if start > 0 {
            f.seek(std::io::SeekFrom::Start(start)).await?;
        }
        Ok(tokio_util::io::ReaderStream::with_capacity(
            f.take(len),
            256 * 1024,
        ))
    }

    /// The whole of a stored file (small objects read in process: reference data, code).
    pub fn read_all(&self, file: &str) -> std::io::Result<Vec<u8>> {
        std::fs::read(self.path(file))
    }
}

/// Hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// S3's ETag of a multipart object: the MD5 of the parts' binary MD5s, `-<parts>`.
pub fn multipart_etag(part_etags: &[&str]) -> String {
    let mut md5 = Md5::new();
    for e in part_etags {
        let raw: Vec<u8> = (0..e.len() / 2)
            .filter_map(|i| u8::from_str_radix(e.get(2 * i..2 * i + 2)?, 16).ok())
            .collect();
        md5.update(&raw);
    }
    format!("{}-{}", hex(&md5.finalize()), part_etags.len())
}

/// Shared by the API and in-process callers.
pub type SharedFiles = Arc<Files>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_etag_is_md5_of_md5s() {
        // Two parts "a" and "b": md5("a") = 0cc175b9..., md5("b") = 92eb5ffe...
        let a = hex(&Md5::digest(b"a"));
        let b = hex(&Md5::digest(b"b"));
        let mut both = Md5::new();
        both.update(Md5::digest(b"a"));
        both.update(Md5::digest(b"b"));
        assert_eq!(
            multipart_etag(&[&a, &b]),
            format!("{}-2", hex(&both.finalize()))
        );
    }

    #[tokio::test]
    async fn a_failed_body_leaves_nothing() {
        let files = Files::open(None).unwrap();
        let body = futures::stream::iter(vec![
            Ok(Bytes::from_static(b"half")),
            Err("connection reset".to_string()),
        ]);
        let err = files.write(body, None).await.unwrap_err();
        assert!(err.to_string().contains("connection reset"));
        assert_eq!(
            std::fs::read_dir(files.root.join("objects"))
                .unwrap()
                .count(),
            0
        );
        assert_eq!(
            std::fs::read_dir(files.root.join("tmp")).unwrap().count(),
            0
        );
    }
}
