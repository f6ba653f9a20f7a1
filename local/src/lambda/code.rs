//! Code packages: each zip is stored once by its SHA-256 (under `--state-dir`/lambda/code, or a
//! temporary directory) and unpacked once into the directory its processes run in
//! (`LAMBDA_TASK_ROOT`). Unix permissions in the zip are kept, so a `provided.*` function's
//! `bootstrap` stays executable.

use std::io::Read;
use std::path::{Path, PathBuf};

use base64::Engine;
use sha2::{Digest, Sha256};

/// The largest zip accepted in a request (the API's 50 MB for direct uploads).
pub const MAX_ZIP_BYTES: usize = 50 * 1024 * 1024;
/// The largest unpacked package (the service's 250 MB).
pub const MAX_UNPACKED_BYTES: u64 = 250 * 1024 * 1024;

/// Where packages live.
#[derive(Debug)]
pub struct CodeStore {
    root: PathBuf,
    /// Keeps a temporary root alive (and removes it) when there is no state directory.
    _temp: Option<tempfile::TempDir>,
}

/// A stored package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// `CodeSha256`: base64 of the SHA-256 of the zip.
    pub sha256: String,
    /// `CodeSize`.
    pub size: u64,
}

/// Why a package cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CodeError {
    /// Not a zip, or a damaged one.
    #[error(
        "Could not unzip uploaded file. Please check your file, then try to upload again. ({0})"
    )]
    NotAZip(String),
    /// Bigger than the service allows.
    #[error("Unzipped size must be smaller than {MAX_UNPACKED_BYTES} bytes")]
    TooLarge,
    /// The disk failed.
    #[error("the code package could not be stored: {0}")]
    Io(#[from] std::io::Error),
}

fn hex(sha: &str) -> String {
    // File names from the base64 digest: URL-safe, so no '/' ends up in a path.
    sha.replace('/', "_").replace('+', "-")
}

impl CodeStore {
    /// Packages under `dir/lambda/code`, or in a temporary directory when `dir` is `None`.
    pub fn open(dir: Option<&Path>) -> std::io::Result<Self> {
        let (root, temp) = match dir {
            Some(d) => (d.join("lambda").join("code"), None),
            None => {
                let t = tempfile::Builder::new()
                    .prefix("kdaflow-lambda-")
                    .tempdir()?;
                (t.path().to_path_buf(), Some(t))
            }
        };
        std::fs::create_dir_all(&root)?;
        Ok(Self { root, _temp: temp })
    }

    /// Stores a zip (checking that it unpacks) and returns its digest and size.
    pub fn put(&self, zip: &[u8]) -> Result<Package, CodeError> {
        let sha256 = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(zip));
        let path = self.zip_path(&sha256);
        if !path.exists() {
            check_zip(zip)?;
            let tmp = path.with_extension("part");
            std::fs::write(&tmp, zip)?;
            std::fs::rename(&tmp, &path)?;
        }
        Ok(Package {
            sha256,
            size: zip.len() as u64,
        })
    }

    /// The stored zip of a digest.
    pub fn zip_path(&self, sha256: &str) -> PathBuf {
        self.root.join(format!("{}.zip", hex(sha256)))
    }

    /// The unpacked package of a digest (unpacked on first use).
    pub fn task_root(&self, sha256: &str) -> Result<PathBuf, CodeError> {
        let dir = self.root.join("unpacked").join(hex(sha256));
        if dir.join(".kdaflow-complete").exists() {
            return Ok(dir);
        }
        let zip = std::fs::read(self.zip_path(sha256))?;
        let tmp = dir.with_extension("part");
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp)?;
        unpack(&zip, &tmp)?;
        std::fs::write(tmp.join(".kdaflow-complete"), b"")?;
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::rename(&tmp, &dir)?;
        Ok(dir)
    }

    /// The directory for runtimes the twin prepares (Python and Node.js clients).
    pub fn runtimes_dir(&self) -> PathBuf {
        self.root.join("runtimes")
    }
}

fn archive(zip: &[u8]) -> Result<zip::ZipArchive<std::io::Cursor<&[u8]>>, CodeError> {
    zip::ZipArchive::new(std::io::Cursor::new(zip)).map_err(|e| CodeError::NotAZip(e.to_string()))
}

fn check_zip(zip: &[u8]) -> Result<(), CodeError> {
    let mut a = archive(zip)?;
    let mut total = 0u64;
    for i in 0..a.len() {
        let f = a
            .by_index(i)
            .map_err(|e| CodeError::NotAZip(e.to_string()))?;
        total += f.size();
        if f.enclosed_name().is_none() {
            return Err(CodeError::NotAZip(format!(
                "entry {:?} points outside the package",
                f.name()
            )));
        }
    }
    if total > MAX_UNPACKED_BYTES {
        return Err(CodeError::TooLarge);
    }
    Ok(())
}

fn unpack(zip: &[u8], into: &Path) -> Result<(), CodeError> {
    let mut a = archive(zip)?;
    for i in 0..a.len() {
        let mut f = a
            .by_index(i)
            .map_err(|e| CodeError::NotAZip(e.to_string()))?;
        let Some(name) = f.enclosed_name() else {
            continue;
        };
        let path = into.join(name);
        if f.is_dir() {
            std::fs::create_dir_all(&path)?;
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut bytes = Vec::with_capacity(f.size() as usize);
        f.read_to_end(&mut bytes)
            .map_err(|e| CodeError::NotAZip(e.to_string()))?;
        std::fs::write(&path, bytes)?;
        #[cfg(unix)]
        if let Some(mode) = f.unix_mode() {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode & 0o7777))?;
        }
    }
    Ok(())
}

/// A zip of `files` (path, contents, executable?), for tests and for packaging a host binary.
pub fn zip_of(files: &[(&str, &[u8], bool)]) -> Vec<u8> {
    zip_with(files, true)
}

/// A zip of `files`, stored without compression when `compress` is false (a large host
/// binary packaged locally: nothing to gain from deflating it).
pub fn zip_with(files: &[(&str, &[u8], bool)], compress: bool) -> Vec<u8> {
    use std::io::Write;
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut out);
        for (name, data, exec) in files {
            let method = if compress {
                zip::CompressionMethod::Deflated
            } else {
                zip::CompressionMethod::Stored
            };
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(method)
                .large_file(data.len() > u32::MAX as usize / 2)
                .unix_permissions(if *exec { 0o755 } else { 0o644 });
            w.start_file(*name, options).expect("zip entry");
            w.write_all(data).expect("zip write");
        }
        w.finish().expect("zip finish");
    }
    out.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_are_stored_once_and_unpacked_executable() {
        let store = CodeStore::open(None).unwrap();
        let zip = zip_of(&[
            ("bootstrap", b"#!/bin/sh\necho hi\n", true),
            ("lib/a.txt", b"a", false),
        ]);
        let p = store.put(&zip).unwrap();
        assert_eq!(p.size, zip.len() as u64);
        assert_eq!(store.put(&zip).unwrap(), p);
        let root = store.task_root(&p.sha256).unwrap();
        assert_eq!(std::fs::read(root.join("lib/a.txt")).unwrap(), b"a");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(root.join("bootstrap"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o111, 0o111, "{mode:o}");
        }
        assert!(matches!(
            store.put(b"not a zip"),
            Err(CodeError::NotAZip(_))
        ));
    }
}
