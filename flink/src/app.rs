//! The PyFlink application directory a translation is written to, and the zip Managed Service
//! for Apache Flink runs.
//!
//! ```text
//! main.py          the runner (the same for every application)
//! job.json         the job main.py runs: tables, views, the forest steps, the statement set
//! job.sql          the same job as one Flink SQL script, for people
//! kdaflow_rcf.py   RANDOM_CUT_FOREST on rcf3 (the engine's forest)
//! report.md        what was translated how, for people
//! report.json      the same, for tools
//! lib/README.md    (aws) the connector jar to put here, by Maven coordinates
//! deps/            (aws) Python packages bundled (rcf3), since MSF does not pip-install
//! properties.json  (aws) the runtime properties to give CreateApplication
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::translate::{Profile, Step, Translation};

/// The runner.
pub const MAIN_PY: &str = include_str!("../runtime/main.py");
/// The forest.
pub const RCF_PY: &str = include_str!("../runtime/kdaflow_rcf.py");
/// The connector jar an `aws` application needs in `lib/`.
pub const CONNECTOR_JAR: &str = "lib/pyflink-dependencies.jar";

/// Why an application could not be written.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The zip could not be made.
    #[error("cannot zip {path}: {source}")]
    Zip {
        /// The zip.
        path: PathBuf,
        /// The error.
        source: zip::result::ZipError,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> AppError + '_ {
    move |source| AppError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn put(dir: &Path, name: &str, text: &str, written: &mut Vec<PathBuf>) -> Result<(), AppError> {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    std::fs::write(&path, text).map_err(io(&path))?;
    written.push(path);
    Ok(())
}

/// Whether the job runs a forest (and so needs rcf3).
pub fn needs_rcf(t: &Translation) -> bool {
    t.job.steps.iter().any(|s| matches!(s, Step::Rcf { .. }))
}

/// The runtime properties of the application on Managed Service for Apache Flink.
pub fn properties(t: &Translation) -> serde_json::Value {
    let mut run = serde_json::Map::new();
    run.insert("python".into(), "main.py".into());
    run.insert("jarfile".into(), CONNECTOR_JAR.into());
    if needs_rcf(t) {
        run.insert("pyFiles".into(), "kdaflow_rcf.py,deps/".into());
    }
    let placeholders: Vec<String> = placeholders(&t.job);
    let mut kdaflow = serde_json::Map::new();
    for p in placeholders {
        kdaflow.insert(p, "".into());
    }
    let mut groups = vec![serde_json::json!({
        "PropertyGroupId": "kinesis.analytics.flink.run.options",
        "PropertyMap": run,
    })];
    if !kdaflow.is_empty() {
        groups.push(serde_json::json!({"PropertyGroupId": "kdaflow", "PropertyMap": kdaflow}));
    }
    serde_json::json!({ "PropertyGroups": groups })
}

/// The `${NAME}` placeholders of a job's statements that its profile does not fill itself.
pub fn placeholders(job: &crate::translate::Job) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let texts = job
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::Sql { sql, .. } => Some(sql.as_str()),
            Step::Rcf { .. } => None,
        })
        .chain(job.inserts.iter().map(String::as_str));
    for text in texts {
        let mut rest = text;
        while let Some(i) = rest.find("${") {
            let after = &rest[i + 2..];
            let Some(end) = after.find('}') else { break };
            let name = &after[..end];
            if !matches!(name, "INPUT_DIR" | "OUTPUT_DIR" | "AWS_REGION")
                && !out.iter().any(|o| o == name)
            {
                out.push(name.to_string());
            }
            rest = &after[end..];
        }
    }
    out
}

/// Writes the application into `dir`. `site_packages` is a PyFlink environment's, to bundle
/// rcf3 from into `deps/` (aws profile). Returns the files written.
pub fn write(
    dir: &Path,
    t: &Translation,
    site_packages: Option<&Path>,
) -> Result<Vec<PathBuf>, AppError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut written = Vec::new();
    let job = serde_json::to_string_pretty(&t.job).unwrap_or_default();
    put(dir, "main.py", MAIN_PY, &mut written)?;
    put(dir, "job.json", &job, &mut written)?;
    put(dir, "job.sql", &t.job.sql(), &mut written)?;
    put(dir, "kdaflow_rcf.py", RCF_PY, &mut written)?;
    put(dir, "report.md", &t.report.markdown(), &mut written)?;
    let report = serde_json::to_string_pretty(&t.report).unwrap_or_default();
    put(dir, "report.json", &report, &mut written)?;
    if t.job.profile == Profile::Aws {
        put(
            dir,
            "lib/README.md",
            &format!(
                "# The connector jar\n\nManaged Service for Apache Flink runs `main.py` with `{CONNECTOR_JAR}` on its classpath\n(`jarfile` in `properties.json`). Build it with Maven (it cannot be fetched on the machine that\ntranslated this application) as a shaded jar of:\n\n- `org.apache.flink:flink-sql-connector-kinesis:5.0.0-1.20` (the `kinesis-legacy` source, with the\n  `timestamp` metadata column that ROWTIME reads, and the `kinesis` sink)\n- `org.apache.flink:flink-sql-connector-aws-kinesis-firehose:5.0.0-1.20` (the `firehose` sink)\n\nand put it here as `pyflink-dependencies.jar`; then zip the directory.\n"
            ),
            &mut written,
        )?;
        let props = serde_json::to_string_pretty(&properties(t)).unwrap_or_default();
        put(dir, "properties.json", &props, &mut written)?;
        if needs_rcf(t)
            && let Some(sp) = site_packages
        {
            for entry in std::fs::read_dir(sp).map_err(io(sp))?.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name == "rcf3" || (name.starts_with("rcf3-") && name.ends_with(".dist-info")) {
                    copy_tree(&entry.path(), &dir.join("deps").join(&name), &mut written)?;
                }
            }
        }
    }
    Ok(written)
}

fn copy_tree(from: &Path, to: &Path, written: &mut Vec<PathBuf>) -> Result<(), AppError> {
    if from.file_name().is_some_and(|n| n == "__pycache__") {
        return Ok(());
    }
    if from.is_dir() {
        std::fs::create_dir_all(to).map_err(io(to))?;
        for entry in std::fs::read_dir(from).map_err(io(from))?.flatten() {
            copy_tree(&entry.path(), &to.join(entry.file_name()), written)?;
        }
    } else {
        std::fs::copy(from, to).map_err(io(to))?;
        written.push(to.to_path_buf());
    }
    Ok(())
}

/// Zips an application directory (reproducibly: sorted entries, fixed timestamps).
pub fn zip(dir: &Path, out: &Path) -> Result<(), AppError> {
    let mut files = Vec::new();
    collect(dir, dir, &mut files)?;
    files.sort();
    let file = std::fs::File::create(out).map_err(io(out))?;
    let zip_err = |source| AppError::Zip {
        path: out.to_path_buf(),
        source,
    };
    let mut zip = ZipWriter::new(file);
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::DEFAULT)
        .unix_permissions(0o644);
    for rel in files {
        let bytes = std::fs::read(dir.join(&rel)).map_err(io(&rel))?;
        zip.start_file(rel.to_string_lossy().replace('\\', "/"), options)
            .map_err(zip_err)?;
        zip.write_all(&bytes).map_err(io(out))?;
    }
    zip.finish().map_err(zip_err)?;
    Ok(())
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), AppError> {
    for entry in std::fs::read_dir(dir).map_err(io(dir))?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if entry.file_name() == "__pycache__" {
                continue;
            }
            collect(root, &path, out)?;
        } else if path.extension().is_none_or(|e| e != "zip") {
            out.push(path.strip_prefix(root).unwrap_or(&path).to_path_buf());
        }
    }
    Ok(())
}
