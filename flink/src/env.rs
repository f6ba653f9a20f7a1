//! The pinned PyFlink environment and the Java it needs.
//!
//! `kdaflow flink setup` makes a Python virtual environment (once) with `apache-flink` and
//! `rcf3` at the versions below; every Flink command finds it at [`FlinkEnv::default_dir`]
//! (`$KDAFLOW_FLINK_ENV`, else `$XDG_CACHE_HOME/kdaflow/pyflink-<version>`, else
//! `~/.cache/kdaflow/pyflink-<version>`), outside any checkout, so a fresh clone reuses it.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The PyFlink (and Flink) version.
pub const PYFLINK_VERSION: &str = "1.20.5";
/// The rcf3 version (the engine's forest: the same crate and version as `kdaflow-sql`).
pub const RCF3_VERSION: &str = "0.5.2";
/// Java versions Flink 1.20 runs on.
pub const JAVA_VERSIONS: std::ops::RangeInclusive<u32> = 11..=21;

/// What is missing.
#[derive(Debug, thiserror::Error)]
pub enum EnvError {
    /// No Java, or one Flink does not run on.
    #[error(
        "{0}. Flink {PYFLINK_VERSION} needs Java 11 or 17: install it (Debian/Ubuntu: apt-get install openjdk-17-jdk-headless) or set JAVA_HOME"
    )]
    Java(String),
    /// No environment yet.
    #[error(
        "no PyFlink environment at {0}: run `kdaflow flink setup` first (about 1.5 minutes and 725 MB, once)"
    )]
    Missing(PathBuf),
    /// Python could not make the environment.
    #[error("{0}")]
    Setup(String),
}

/// The Java found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Java {
    /// `JAVA_HOME` (empty when only `java` on the PATH was found).
    pub home: Option<PathBuf>,
    /// The major version.
    pub major: u32,
}

/// The major version in `java -version`'s output (`openjdk version "17.0.15"`, `"1.8.0_392"`).
pub fn java_major(version_text: &str) -> Option<u32> {
    let quoted = version_text.split('"').nth(1)?;
    let mut parts = quoted.split(['.', '-', '+', '_']);
    let first: u32 = parts.next()?.parse().ok()?;
    if first == 1 {
        parts.next()?.parse().ok()
    } else {
        Some(first)
    }
}

/// Finds Java: `$JAVA_HOME/bin/java`, else `java` on the PATH, else Debian's JDK 17.
pub fn java() -> Result<Java, EnvError> {
    let mut candidates: Vec<(Option<PathBuf>, PathBuf)> = Vec::new();
    if let Some(home) = std::env::var_os("JAVA_HOME").filter(|h| !h.is_empty()) {
        let home = PathBuf::from(home);
        candidates.push((Some(home.clone()), home.join("bin/java")));
    }
    candidates.push((None, PathBuf::from("java")));
    let debian = PathBuf::from("/usr/lib/jvm/java-17-openjdk-amd64");
    candidates.push((Some(debian.clone()), debian.join("bin/java")));
    let mut seen = Vec::new();
    for (home, java) in candidates {
        let Ok(out) = Command::new(&java).arg("-version").output() else {
            continue;
        };
        let text = String::from_utf8_lossy(&out.stderr).into_owned();
        match java_major(&text) {
            Some(major) if JAVA_VERSIONS.contains(&major) => {
                let home = home.or_else(|| {
                    // `java` on the PATH: its JAVA_HOME is two levels above the real binary.
                    let real = which(&java)?.canonicalize().ok()?;
                    Some(real.parent()?.parent()?.to_path_buf())
                });
                return Ok(Java { home, major });
            }
            Some(major) => seen.push(format!("{} is Java {major}", java.display())),
            None => seen.push(format!("{} printed no version", java.display())),
        }
    }
    Err(EnvError::Java(if seen.is_empty() {
        "no Java found (JAVA_HOME is not set and there is no `java` on the PATH)".into()
    } else {
        seen.join("; ")
    }))
}

fn which(program: &Path) -> Option<PathBuf> {
    if program.components().count() > 1 {
        return Some(program.to_path_buf());
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(program))
            .find(|p| p.is_file())
    })
}

/// A PyFlink virtual environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlinkEnv {
    /// Its directory.
    pub dir: PathBuf,
}

impl FlinkEnv {
    /// Where the environment is by default.
    pub fn default_dir() -> PathBuf {
        if let Some(d) = std::env::var_os("KDAFLOW_FLINK_ENV").filter(|d| !d.is_empty()) {
            return PathBuf::from(d);
        }
        let cache = std::env::var_os("XDG_CACHE_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
            .unwrap_or_else(std::env::temp_dir);
        cache
            .join("kdaflow")
            .join(format!("pyflink-{PYFLINK_VERSION}"))
    }

    /// The environment at `dir` (or the default), whether or not it exists yet.
    pub fn at(dir: Option<&Path>) -> Self {
        Self {
            dir: dir.map(Path::to_path_buf).unwrap_or_else(Self::default_dir),
        }
    }

    /// Its Python.
    pub fn python(&self) -> PathBuf {
        self.dir.join("bin").join("python")
    }

    /// Its `site-packages`.
    pub fn site_packages(&self) -> Option<PathBuf> {
        let lib = self.dir.join("lib");
        std::fs::read_dir(&lib)
            .ok()?
            .flatten()
            .map(|e| e.path().join("site-packages"))
            .find(|p| p.is_dir())
    }

    /// The Flink distribution inside PyFlink (its `bin/`, `conf/`, `lib/`).
    pub fn flink_home(&self) -> Option<PathBuf> {
        self.site_packages()
            .map(|sp| sp.join("pyflink"))
            .filter(|p| p.join("bin").is_dir())
    }

    /// Whether setup finished (it writes a marker last).
    pub fn is_ready(&self) -> bool {
        self.marker().is_file() && self.python().is_file() && self.flink_home().is_some()
    }

    fn marker(&self) -> PathBuf {
        self.dir.join(".kdaflow-ready")
    }

    /// The environment, ready, and Java: what running a job needs.
    pub fn require(dir: Option<&Path>) -> Result<(Self, Java), EnvError> {
        let env = Self::at(dir);
        if !env.is_ready() {
            return Err(EnvError::Missing(env.dir));
        }
        Ok((env, java()?))
    }

    /// Makes the environment (a no-op when it is ready), printing pip's progress through
    /// `progress`.
    pub fn setup(&self, python: &str, progress: &mut dyn FnMut(&str)) -> Result<(), EnvError> {
        if self.is_ready() {
            progress(&format!(
                "PyFlink {PYFLINK_VERSION} is ready at {}",
                self.dir.display()
            ));
            return Ok(());
        }
        let java = java()?;
        progress(&format!("Java {} found", java.major));
        if let Some(parent) = self.dir.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| EnvError::Setup(format!("cannot create {}: {e}", parent.display())))?;
        }
        progress(&format!(
            "creating a virtual environment at {}",
            self.dir.display()
        ));
        let status = Command::new(python)
            .args(["-m", "venv"])
            .arg(&self.dir)
            .status()
            .map_err(|e| {
                EnvError::Setup(format!(
                    "cannot run {python} (Python 3.8-3.11 is needed for PyFlink {PYFLINK_VERSION}): {e}"
                ))
            })?;
        if !status.success() {
            return Err(EnvError::Setup(format!(
                "`{python} -m venv {}` failed (on Debian/Ubuntu: apt-get install python3-venv)",
                self.dir.display()
            )));
        }
        progress(&format!(
            "installing apache-flink=={PYFLINK_VERSION} and rcf3=={RCF3_VERSION} (about 1.5 minutes)"
        ));
        let mut child = Command::new(self.python())
            .args([
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--progress-bar",
                "off",
            ])
            .arg(format!("apache-flink=={PYFLINK_VERSION}"))
            .arg(format!("rcf3=={RCF3_VERSION}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| EnvError::Setup(format!("cannot run pip: {e}")))?;
        if let Some(out) = child.stdout.take() {
            for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
                if line.starts_with("Collecting")
                    || line.starts_with("Building")
                    || line.starts_with("Installing")
                    || line.starts_with("Successfully")
                {
                    progress(&line);
                }
            }
        }
        let status = child
            .wait()
            .map_err(|e| EnvError::Setup(format!("pip: {e}")))?;
        if !status.success() {
            return Err(EnvError::Setup(format!(
                "pip could not install apache-flink=={PYFLINK_VERSION} rcf3=={RCF3_VERSION} into {} (see its output above)",
                self.dir.display()
            )));
        }
        if self.flink_home().is_none() {
            return Err(EnvError::Setup(format!(
                "pip finished, but {} has no pyflink/bin",
                self.dir.display()
            )));
        }
        std::fs::write(
            self.marker(),
            format!("apache-flink=={PYFLINK_VERSION}\nrcf3=={RCF3_VERSION}\n"),
        )
        .map_err(|e| EnvError::Setup(format!("cannot write {}: {e}", self.marker().display())))?;
        progress(&format!(
            "PyFlink {PYFLINK_VERSION} is ready at {}",
            self.dir.display()
        ));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_versions_old_and_new() {
        assert_eq!(
            java_major("openjdk version \"17.0.15\" 2025-04-15\nOpenJDK Runtime"),
            Some(17)
        );
        assert_eq!(java_major("java version \"1.8.0_392\""), Some(8));
        assert_eq!(java_major("openjdk version \"25\" 2025-09-16"), Some(25));
        assert_eq!(java_major("no quotes here"), None);
    }

    #[test]
    fn a_missing_environment_says_to_run_setup() {
        let dir = std::env::temp_dir().join("kdaflow-no-such-env");
        let err = FlinkEnv::require(Some(&dir)).unwrap_err();
        assert!(err.to_string().contains("kdaflow flink setup"), "{err}");
    }
}
