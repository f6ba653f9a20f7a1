//! `kdaflow package`: build the four task binaries for `aarch64` Lambda (`provided.al2023`,
//! arm64) and zip each as `bootstrap` into `<out>/<binary>.zip`, the keys the stack's
//! functions read (`<CodeKeyPrefix><binary>.zip`).
//!
//! Two ways to build, tried in order:
//! 1. **cargo-lambda** (`pip install cargo-lambda`, which brings Zig as its linker):
//!    `cargo lambda build --release --arm64 --package kdaflow-handlers`. Zig links against an
//!    old glibc, so the binaries run on Amazon Linux 2023 whatever the build machine has.
//! 2. **Plain cross-compilation**: `rustup target add aarch64-unknown-linux-gnu` and a GNU
//!    cross compiler (`apt-get install gcc-aarch64-linux-gnu` on Debian/Ubuntu), used as the
//!    linker and as the C compiler of `aws-lc-sys` (the TLS crypto). The binaries then need the
//!    build machine's glibc symbol versions: Amazon Linux 2023 has glibc 2.34, so build on a
//!    distribution with glibc <= 2.34 or prefer cargo-lambda.
//!
//! If neither is complete, [`choose`] says exactly what is missing and how to install it.
//! Zips are reproducible: fixed timestamps and permissions, so an unchanged binary gives an
//! unchanged zip.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use kdaflow_workflow::contract::TASK_FUNCTIONS;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::InfraError;

/// The Rust target of arm64 Lambda.
pub const TARGET: &str = "aarch64-unknown-linux-gnu";
/// The GNU cross compiler used as linker (and C compiler) for [`TARGET`].
pub const LINKER: &str = "aarch64-linux-gnu-gcc";
/// The package holding the task binaries.
pub const HANDLERS_PACKAGE: &str = "kdaflow-handlers";
/// Where `kdaflow package` writes the zips by default (inside the ignored `target/`).
pub const DEFAULT_OUT_DIR: &str = "target/kdaflow-lambda";

/// How the binaries get built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Builder {
    /// `cargo lambda build --release --arm64`.
    CargoLambda,
    /// `cargo build --release --target aarch64-unknown-linux-gnu` with [`LINKER`].
    Cross,
}

/// What is installed (a trait so tests can pretend tools are missing).
pub trait Probe {
    /// Whether `program` is an executable on `PATH`.
    fn has_program(&self, program: &str) -> bool;
    /// The Rust targets rustup has installed (empty without rustup).
    fn installed_targets(&self) -> Vec<String>;
}

/// The real machine.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemProbe;

impl Probe for SystemProbe {
    fn has_program(&self, program: &str) -> bool {
        let Some(path) = std::env::var_os("PATH") else {
            return false;
        };
        std::env::split_paths(&path).any(|dir| is_executable(&dir.join(program)))
    }

    fn installed_targets(&self) -> Vec<String> {
        Command::new("rustup")
            .args(["target", "list", "--installed"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Picks a builder, or says exactly what to install.
pub fn choose(probe: &dyn Probe) -> Result<Builder, InfraError> {
    if probe.has_program("cargo-lambda") {
        return Ok(Builder::CargoLambda);
    }
    let mut missing = Vec::new();
    if !probe.installed_targets().iter().any(|t| t == TARGET) {
        missing.push(format!(
            "the Rust target {TARGET}: `rustup target add {TARGET}`"
        ));
    }
    if !probe.has_program(LINKER) {
        missing.push(format!(
            "the cross compiler {LINKER}: `apt-get install gcc-aarch64-linux-gnu` (Debian/Ubuntu)"
        ));
    }
    if missing.is_empty() {
        return Ok(Builder::Cross);
    }
    Err(InfraError::MissingTool(format!(
        "cargo-lambda is not installed, and cross-compilation lacks {} piece(s).\n\
         Either install cargo-lambda (recommended; it brings Zig as the linker):\n    \
         pip install cargo-lambda\n\
         or install what cross-compilation lacks:\n    {}",
        missing.len(),
        missing.join("\n    ")
    )))
}

fn run(mut command: Command) -> Result<(), InfraError> {
    let line = format!("{command:?}");
    eprintln!("running {line}");
    let status = command.status().map_err(|e| InfraError::Build {
        command: line.clone(),
        status: e.to_string(),
    })?;
    if status.success() {
        Ok(())
    } else {
        Err(InfraError::Build {
            command: line,
            status: status.to_string(),
        })
    }
}

/// Builds the binaries in `workspace` with `builder`; returns each binary's name and path.
pub fn build(
    workspace: &Path,
    builder: &Builder,
    scratch: &Path,
) -> Result<Vec<(&'static str, PathBuf)>, InfraError> {
    let binaries: Vec<&'static str> = TASK_FUNCTIONS
        .iter()
        .chain(kdaflow_workflow::contract::flink::TASK_FUNCTIONS.iter())
        .map(|f| f.binary)
        .collect();
    match builder {
        Builder::CargoLambda => {
            let mut c = Command::new("cargo");
            c.current_dir(workspace)
                .args(["lambda", "build", "--release", "--arm64", "--package"])
                .arg(HANDLERS_PACKAGE)
                .arg("--lambda-dir")
                .arg(scratch);
            run(c)?;
            Ok(binaries
                .iter()
                .map(|b| (*b, scratch.join(b).join("bootstrap")))
                .collect())
        }
        Builder::Cross => {
            let mut c = Command::new("cargo");
            let env_target = TARGET.to_uppercase().replace('-', "_");
            c.current_dir(workspace)
                .args([
                    "build",
                    "--release",
                    "--target",
                    TARGET,
                    "--bins",
                    "--package",
                ])
                .arg(HANDLERS_PACKAGE)
                .env(format!("CARGO_TARGET_{env_target}_LINKER"), LINKER)
                .env(format!("CC_{}", TARGET.replace('-', "_")), LINKER);
            run(c)?;
            let target_dir = std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| workspace.join("target"));
            let dir = target_dir.join(TARGET).join("release");
            Ok(binaries.iter().map(|b| (*b, dir.join(b))).collect())
        }
    }
}

/// Zips `binary` as the single entry `bootstrap` (mode 755, fixed timestamp) into `zip_path`.
pub fn zip_bootstrap(binary: &Path, zip_path: &Path) -> Result<(), InfraError> {
    let bytes = std::fs::read(binary).map_err(InfraError::io(binary))?;
    let file = std::fs::File::create(zip_path).map_err(InfraError::io(zip_path))?;
    let zip_err = |source| InfraError::Zip {
        path: zip_path.to_path_buf(),
        source,
    };
    let mut zip = ZipWriter::new(file);
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::DEFAULT)
        .unix_permissions(0o755);
    zip.start_file("bootstrap", options).map_err(zip_err)?;
    zip.write_all(&bytes).map_err(InfraError::io(zip_path))?;
    zip.finish().map_err(zip_err)?;
    Ok(())
}

/// Builds and zips every task: `<out>/<binary>.zip`. Returns the zips written.
pub fn package(
    workspace: &Path,
    out: &Path,
    probe: &dyn Probe,
) -> Result<Vec<PathBuf>, InfraError> {
    let builder = choose(probe)?;
    let scratch = out.join("build");
    std::fs::create_dir_all(&scratch).map_err(InfraError::io(&scratch))?;
    let mut zips = Vec::new();
    for (binary, path) in build(workspace, &builder, &scratch)? {
        let zip_path = out.join(format!("{binary}.zip"));
        zip_bootstrap(&path, &zip_path)?;
        zips.push(zip_path);
    }
    Ok(zips)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake {
        programs: Vec<&'static str>,
        targets: Vec<&'static str>,
    }

    impl Probe for Fake {
        fn has_program(&self, p: &str) -> bool {
            self.programs.contains(&p)
        }
        fn installed_targets(&self) -> Vec<String> {
            self.targets.iter().map(|t| t.to_string()).collect()
        }
    }

    #[test]
    fn nothing_installed_names_every_missing_piece_and_how_to_install_it() {
        let none = Fake {
            programs: vec![],
            targets: vec!["x86_64-unknown-linux-gnu"],
        };
        let err = choose(&none).unwrap_err().to_string();
        for needle in [
            "pip install cargo-lambda",
            "rustup target add aarch64-unknown-linux-gnu",
            "apt-get install gcc-aarch64-linux-gnu",
            "lacks 2 piece(s)",
        ] {
            assert!(err.contains(needle), "{needle:?} missing from:\n{err}");
        }
    }

    #[test]
    fn only_the_missing_linker_is_named_when_the_target_is_there() {
        let half = Fake {
            programs: vec![],
            targets: vec![TARGET],
        };
        let err = choose(&half).unwrap_err().to_string();
        assert!(err.contains("gcc-aarch64-linux-gnu"), "{err}");
        assert!(!err.contains("rustup target add"), "{err}");
    }

    #[test]
    fn prefers_cargo_lambda_then_cross() {
        let both = Fake {
            programs: vec!["cargo-lambda", LINKER],
            targets: vec![TARGET],
        };
        assert_eq!(choose(&both).unwrap(), Builder::CargoLambda);
        let cross = Fake {
            programs: vec![LINKER],
            targets: vec![TARGET],
        };
        assert_eq!(choose(&cross).unwrap(), Builder::Cross);
    }

    #[test]
    fn zips_are_a_single_executable_bootstrap_and_reproducible() {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("b");
        std::fs::write(&bin, b"\x7fELF fake binary").unwrap();
        let (a, b) = (dir.path().join("a.zip"), dir.path().join("b.zip"));
        zip_bootstrap(&bin, &a).unwrap();
        zip_bootstrap(&bin, &b).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        let mut archive = zip::ZipArchive::new(std::fs::File::open(&a).unwrap()).unwrap();
        assert_eq!(archive.len(), 1);
        let entry = archive.by_index(0).unwrap();
        assert_eq!(entry.name().unwrap(), "bootstrap");
        assert_eq!(entry.unix_mode().map(|m| m & 0o777), Some(0o755));
    }

    #[test]
    fn a_missing_binary_is_an_io_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let err = zip_bootstrap(&dir.path().join("nope"), &dir.path().join("x.zip"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("nope"), "{err}");
    }
}
