//! `kdaflow synth` and `kdaflow package` as a user runs them (the binary, not the library).

use std::path::Path;
use std::process::Command;

fn kdaflow() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kdaflow"))
}

fn workspace() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

#[test]
fn synth_writes_the_checked_in_goldens_and_check_detects_staleness() {
    let dir = tempfile::tempdir().unwrap();
    let out = kdaflow()
        .arg("synth")
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for file in ["template.json", "statemachine.asl.json"] {
        let written = std::fs::read(dir.path().join(file)).unwrap();
        let golden = std::fs::read(workspace().join("deploy").join(file)).unwrap();
        assert!(
            written == golden,
            "deploy/{file} is stale: run `cargo run -- synth`"
        );
    }
    let ok = kdaflow()
        .args(["synth", "--check", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(ok.status.success());
    std::fs::write(dir.path().join("template.json"), "{}").unwrap();
    let stale = kdaflow()
        .args(["synth", "--check", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!stale.status.success());
    assert!(String::from_utf8_lossy(&stale.stderr).contains("cargo run -- synth"));
}

#[test]
fn package_without_any_toolchain_says_what_to_install_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    // An empty PATH: no cargo-lambda, no rustup, no cross compiler.
    let out = kdaflow()
        .args(["package", "--out"])
        .arg(dir.path())
        .arg("--workspace")
        .arg(workspace())
        .env("PATH", empty.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    for needle in [
        "pip install cargo-lambda",
        "rustup target add aarch64-unknown-linux-gnu",
        "apt-get install gcc-aarch64-linux-gnu",
    ] {
        assert!(
            stderr.contains(needle),
            "{needle:?} missing from:\n{stderr}"
        );
    }
}

#[test]
fn package_outside_a_checkout_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = kdaflow()
        .args(["package", "--workspace"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a kdaflow checkout"));
}
