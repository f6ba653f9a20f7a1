//! Each service's operation table and error enum against the AWS SDK's own model of the
//! service: the operations of the SDK crate (`src/operation.rs`, one module per operation of
//! the Smithy model) are exactly the table's rows, and every error name the service answers
//! with is one the model declares (`src/types/error.rs`) or one of AWS's common errors.

use std::collections::BTreeSet;
use std::path::PathBuf;

use kdaflow_local::{Twin, TwinConfig};

/// AWS's common errors (API reference, "Common Errors"), which the models leave out.
const COMMON: &[&str] = &[
    "ValidationException",
    "SerializationException",
    "ServiceUnavailableException",
    "InternalFailure",
    "MissingAuthenticationTokenException",
    "UnknownOperationException",
    "ThrottlingException",
];

/// The source directory of a registry dependency: its version from the workspace's
/// Cargo.lock, its sources where Cargo unpacked them (`$CARGO_HOME/registry/src/*/`).
fn package_dir(name: &str) -> PathBuf {
    let lock_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock");
    let lock: toml::Value = toml::from_str(&std::fs::read_to_string(lock_path).unwrap()).unwrap();
    let version = lock["package"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("{name} is not in Cargo.lock"))["version"]
        .as_str()
        .unwrap()
        .to_string();
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .expect("CARGO_HOME or HOME is set");
    let registries = std::fs::read_dir(home.join("registry/src")).expect("a registry source dir");
    registries
        .flatten()
        .map(|r| r.path().join(format!("{name}-{version}")))
        .find(|p| p.is_dir())
        .unwrap_or_else(|| panic!("the sources of {name} {version} are not unpacked"))
}

/// The operations of an SDK crate: `/// Types for the `Name` operation.` in src/operation.rs.
fn model_operations(dir: &std::path::Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(dir.join("src/operation.rs")).unwrap();
    text.lines()
        .filter_map(|l| l.strip_prefix("/// Types for the `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_string)
        .collect()
}

/// The error shapes of an SDK crate: `pub use crate::types::error::_x::Name;`.
fn model_errors(dir: &std::path::Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(dir.join("src/types/error.rs")).unwrap();
    text.lines()
        .filter(|l| l.starts_with("pub use crate::types::error::"))
        .filter_map(|l| l.trim_end_matches(';').rsplit("::").next())
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn operation_tables_match_the_sdk_models() {
    let twin = Twin::builder(TwinConfig::default()).build().unwrap();
    let crates = [
        ("kinesisanalytics", "aws-sdk-kinesisanalytics"),
        ("kinesisanalyticsv2", "aws-sdk-kinesisanalyticsv2"),
        ("firehose", "aws-sdk-firehose"),
        ("kinesis", "aws-sdk-kinesis"),
        ("states", "aws-sdk-sfn"),
        ("events", "aws-sdk-eventbridge"),
        ("lambda", "aws-sdk-lambda"),
        ("s3", "aws-sdk-s3"),
    ];
    assert_eq!(
        twin.services().len(),
        crates.len(),
        "a service without a check"
    );
    for service in twin.services() {
        let (_, package) = crates
            .iter()
            .find(|(n, _)| *n == service.name())
            .unwrap_or_else(|| panic!("no SDK crate listed for {}", service.name()));
        let model = model_operations(&package_dir(package));
        assert!(model.len() >= 6, "{package}: {model:?}");
        let mut table: BTreeSet<String> =
            service.operations().iter().map(|s| s.to_string()).collect();
        let missing: BTreeSet<String> = service
            .not_implemented()
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert!(table.is_disjoint(&missing), "{}", service.name());
        table.extend(missing);
        assert_eq!(
            table,
            model,
            "{}: the table's operations (served and not) must be the model's; only in the table: {:?}; only in the model: {:?}",
            service.name(),
            table.difference(&model).collect::<Vec<_>>(),
            model.difference(&table).collect::<Vec<_>>()
        );
    }
}

#[test]
fn error_enums_name_only_modelled_or_common_errors() {
    use kdaflow_local::{events, firehose, kinesis, kinesisanalytics, states};
    let enums: [(&str, &[&str]); 7] = [
        (
            "aws-sdk-kinesisanalytics",
            kinesisanalytics::KinesisAnalyticsError::NAMES,
        ),
        (
            "aws-sdk-kinesisanalyticsv2",
            kdaflow_local::kinesisanalyticsv2::FlinkError::NAMES,
        ),
        ("aws-sdk-firehose", firehose::FirehoseError::NAMES),
        ("aws-sdk-kinesis", kinesis::KinesisError::NAMES),
        ("aws-sdk-sfn", states::StatesError::NAMES),
        ("aws-sdk-eventbridge", events::EventBridgeError::NAMES),
        (
            "aws-sdk-lambda",
            kdaflow_local::lambda::LambdaApiError::NAMES,
        ),
    ];
    // Errors an endpoint answers that its model leaves out (each with where it is documented).
    let unmodelled: [(&str, &str); 1] = [
        // Lambda's Invoke answers 413 RequestEntityTooLargeException for a payload over 6 MB
        // (Lambda developer guide, "Lambda quotas"; the model names RequestTooLargeException).
        ("aws-sdk-lambda", "RequestEntityTooLargeException"),
    ];
    for (package, names) in enums {
        let model = model_errors(&package_dir(package));
        for name in names {
            assert!(
                model.contains(*name)
                    || COMMON.contains(name)
                    || unmodelled.contains(&(package, *name)),
                "{package} does not model {name} (it models {model:?})"
            );
        }
    }
    for name in kdaflow_local::protocol::CommonError::NAMES {
        assert!(COMMON.contains(name), "{name}");
    }
}
