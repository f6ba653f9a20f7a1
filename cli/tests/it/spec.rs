//! The application spec's checked-in JSON Schema and sample.

use crate::{kdaflow, repo};

#[test]
fn the_checked_in_schema_is_current() {
    let (code, schema, _) = kdaflow(&["spec", "schema"]);
    assert_eq!(code, 0);
    let path = repo("workflow/spec.schema.json");
    if std::env::var_os("KDAFLOW_BLESS").is_some() {
        std::fs::write(&path, &schema).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        schema, checked_in,
        "workflow/spec.schema.json is stale: regenerate with `cargo run -- spec schema > workflow/spec.schema.json`"
    );
    let v: serde_json::Value = serde_json::from_str(&schema).unwrap();
    assert_eq!(v["title"], "ApplicationSpec");
}

#[test]
fn the_sample_checks_and_a_broken_spec_does_not() {
    let sample = repo("workflow/examples/reference-app.toml");
    let (code, out, _) = kdaflow(&["spec", "check", sample.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("valid"), "{out}");
    let (code, shown, _) = kdaflow(&["spec", "show"]);
    assert_eq!(code, 0);
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.toml");
    std::fs::write(
        &broken,
        shown.replace(
            "CREATE OR REPLACE STREAM \"ANOMALY_SCORE_SQL_STREAM\"",
            "CREATE OR REPLACE STREAM \"ANOMALY\"",
        ),
    )
    .unwrap();
    let (code, out, _) = kdaflow(&["spec", "check", broken.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("CodeValidationException"), "{out}");
    let json = dir.path().join("bad.json");
    std::fs::write(&json, r#"{"name": "x"}"#).unwrap();
    let (code, _, err) = kdaflow(&["spec", "check", json.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("missing field"), "{err}");
}
