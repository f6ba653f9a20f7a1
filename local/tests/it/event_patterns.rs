//! The event-pattern conformance corpus (`patterns/*.json`, each case with its provenance),
//! checked through TestEventPattern with `aws-sdk-eventbridge`.

use serde_json::{Value, json};

use crate::events::eb_client;
use crate::support::{Harness, code, message};

fn corpus() -> Vec<(String, Value)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/patterns");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the corpus directory")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                serde_json::from_str(&text).unwrap(),
            )
        })
        .collect()
}

/// The case's event over a default envelope (TestEventPattern requires the envelope fields).
fn event(partial: &Value) -> String {
    let mut e = json!({
        "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": "test", "source": "test", "account": "000000000000",
        "time": "2026-01-01T00:00:00Z", "region": "us-east-1", "resources": [], "detail": {}
    });
    for (k, v) in partial.as_object().unwrap() {
        e[k] = v.clone();
    }
    e.to_string()
}

#[tokio::test]
async fn corpus_through_test_event_pattern() {
    let h = Harness::new().await;
    let c = eb_client(&h.running.endpoint_url());
    let (mut matching, mut invalid) = (0, 0);
    let mut failures = Vec::new();
    for (file, doc) in corpus() {
        for case in doc["matching"].as_array().unwrap() {
            assert!(
                case["provenance"].is_string(),
                "{file}: a case without provenance"
            );
            let name = case["name"].as_str().unwrap();
            let got = c
                .test_event_pattern()
                .event_pattern(case["pattern"].to_string())
                .event(event(&case["event"]))
                .send()
                .await;
            match got {
                Ok(r) if r.result == case["matches"].as_bool().unwrap() => {}
                Ok(r) => failures.push(format!("{file}: {name}: got {}", r.result)),
                Err(e) => failures.push(format!("{file}: {name}: {} {}", code(&e), message(&e))),
            }
            matching += 1;
        }
        for case in doc["invalid"].as_array().unwrap() {
            assert!(
                case["provenance"].is_string(),
                "{file}: a case without provenance"
            );
            let name = case["name"].as_str().unwrap();
            let reason = case["reason"].as_str().unwrap();
            match c
                .test_event_pattern()
                .event_pattern(case["pattern"].to_string())
                .event(event(&json!({})))
                .send()
                .await
            {
                Ok(_) => failures.push(format!("{file}: {name}: accepted")),
                Err(e)
                    if code(&e) == "InvalidEventPatternException"
                        && message(&e).contains(reason) => {}
                Err(e) => failures.push(format!("{file}: {name}: {} {}", code(&e), message(&e))),
            }
            invalid += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        matching >= 70 && invalid >= 30,
        "{matching} matching, {invalid} invalid cases"
    );
}
