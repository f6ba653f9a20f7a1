//! What is stored about a function, and the wire shapes of requests (PascalCase members, as the
//! Lambda API reference names them).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Runtimes the twin runs: `provided.*` (the zip's `bootstrap` executable), Python (the
/// official runtime interface client, `awslambdaric`) and Node.js (`aws-lambda-ric`).
pub const RUNTIMES: [&str; 12] = [
    "provided.al2023",
    "provided.al2",
    "python3.9",
    "python3.10",
    "python3.11",
    "python3.12",
    "python3.13",
    "python3.14",
    "nodejs18.x",
    "nodejs20.x",
    "nodejs22.x",
    "nodejs24.x",
];
/// Default `Timeout` in seconds (API reference).
pub const DEFAULT_TIMEOUT: u32 = 3;
/// Largest `Timeout` in seconds.
pub const MAX_TIMEOUT: u32 = 900;
/// Default `MemorySize` in MB.
pub const DEFAULT_MEMORY: u32 = 128;
/// `MemorySize` range in MB.
pub const MEMORY_RANGE: (u32, u32) = (128, 10_240);
/// The version every function has: the code and configuration as they are now.
pub const LATEST: &str = "$LATEST";

/// One version's configuration: `$LATEST`, or a published version's snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionConfig {
    /// `Runtime`; `None` for a built-in function.
    pub runtime: Option<String>,
    /// `Role`.
    pub role: String,
    /// `Handler`.
    pub handler: Option<String>,
    /// `Description`.
    pub description: String,
    /// `Timeout`, seconds.
    pub timeout: u32,
    /// `MemorySize`, MB.
    pub memory: u32,
    /// `Architectures`.
    pub architectures: Vec<String>,
    /// `Environment.Variables`.
    pub environment: BTreeMap<String, String>,
    /// `CodeSha256` (base64 of the zip's SHA-256).
    pub code_sha256: String,
    /// `CodeSize` in bytes.
    pub code_size: u64,
    /// `LastModified`, epoch ms.
    pub last_modified_ms: i64,
    /// `RevisionId`.
    pub revision_id: String,
}

/// An alias.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AliasRecord {
    /// `Name`.
    pub name: String,
    /// `FunctionVersion` it points to.
    pub version: String,
    /// `Description`.
    pub description: String,
    /// `RevisionId`.
    pub revision_id: String,
}

/// A function as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionRecord {
    /// `FunctionName`.
    pub name: String,
    /// `FunctionArn` (unqualified).
    pub arn: String,
    /// `$LATEST`.
    pub latest: FunctionConfig,
    /// Published versions, by number.
    pub versions: BTreeMap<u64, FunctionConfig>,
    /// The next version number PublishVersion gives.
    pub next_version: u64,
    /// Aliases, by name.
    pub aliases: BTreeMap<String, AliasRecord>,
    /// Tags.
    pub tags: BTreeMap<String, String>,
    /// Reserved concurrency (PutFunctionConcurrency); `None`: the twin's default limit.
    pub reserved_concurrency: Option<u32>,
}

impl crate::resources::Record for FunctionRecord {}

impl FunctionRecord {
    /// The configuration of a version (`$LATEST` or a number).
    pub fn version(&self, version: &str) -> Option<&FunctionConfig> {
        if version == LATEST {
            return Some(&self.latest);
        }
        version
            .parse::<u64>()
            .ok()
            .and_then(|n| self.versions.get(&n))
    }

    /// The version a qualifier designates: none or `$LATEST` is `$LATEST`, a number is that
    /// version, anything else an alias's version. `None`: no such version or alias.
    pub fn resolve_qualifier(&self, qualifier: Option<&str>) -> Option<String> {
        match qualifier {
            None | Some(LATEST) => Some(LATEST.to_string()),
            Some(q) if q.bytes().all(|b| b.is_ascii_digit()) => {
                self.version(q).map(|_| q.to_string())
            }
            Some(alias) => self.aliases.get(alias).map(|a| a.version.clone()),
        }
    }
}

/// `LastModified` as Lambda writes it: `2026-12-02T21:47:25.123+0000`.
pub fn last_modified(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3f+0000")
        .to_string()
}

/// `FunctionConfiguration` of `version` of `record`, as the API answers it. `state` and
/// `update` are `State` and `LastUpdateStatus`.
pub fn configuration_json(
    record: &FunctionRecord,
    version: &str,
    config: &FunctionConfig,
    state: &str,
    update: &str,
    builtin: bool,
) -> Value {
    let arn = if version == LATEST {
        record.arn.clone()
    } else {
        format!("{}:{version}", record.arn)
    };
    let mut out = json!({
        "FunctionName": record.name,
        "FunctionArn": arn,
        "Role": config.role,
        "CodeSize": config.code_size,
        "Description": config.description,
        "Timeout": config.timeout,
        "MemorySize": config.memory,
        "LastModified": last_modified(config.last_modified_ms),
        "CodeSha256": config.code_sha256,
        "Version": version,
        "TracingConfig": {"Mode": "PassThrough"},
        "RevisionId": config.revision_id,
        "State": state,
        "LastUpdateStatus": update,
        "PackageType": "Zip",
        "Architectures": config.architectures,
        "EphemeralStorage": {"Size": 512},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": format!("/aws/lambda/{}", record.name)},
    });
    if let Some(r) = &config.runtime {
        out["Runtime"] = json!(r);
    }
    if let Some(h) = &config.handler {
        out["Handler"] = json!(h);
    }
    if !config.environment.is_empty() {
        out["Environment"] = json!({ "Variables": config.environment });
    }
    if state == "Pending" {
        out["StateReason"] = json!("The function is being created.");
        out["StateReasonCode"] = json!("Creating");
    }
    if update == "InProgress" {
        out["LastUpdateStatusReason"] = json!("The function is being updated.");
        out["LastUpdateStatusReasonCode"] = json!("InProgress");
    }
    if builtin {
        // A function of the twin itself (the bootstrap's tasks in process, the reference
        // application's stand-ins): it has no code package and runs in the twin's process.
        out["Description"] = json!(format!(
            "kdaflow built-in function (runs in the twin's process){}",
            if config.description.is_empty() {
                String::new()
            } else {
                format!(": {}", config.description)
            }
        ));
    }
    out
}

/// `AliasConfiguration`.
pub fn alias_json(record: &FunctionRecord, alias: &AliasRecord) -> Value {
    json!({
        "AliasArn": format!("{}:{}", record.arn, alias.name),
        "Name": alias.name,
        "FunctionVersion": alias.version,
        "Description": alias.description,
        "RevisionId": alias.revision_id,
    })
}

/// `Code` of CreateFunction and UpdateFunctionCode.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CodeInput {
    /// The zip, base64 on the wire.
    pub zip_file: Option<String>,
    /// Code in an S3 bucket (the twin hosts no S3 yet).
    pub s3_bucket: Option<String>,
    /// Its key.
    pub s3_key: Option<String>,
    /// Its version.
    pub s3_object_version: Option<String>,
    /// A container image (not supported: no container runtime on the twin).
    pub image_uri: Option<String>,
}

/// `Environment`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct EnvironmentInput {
    /// `Variables`.
    pub variables: Option<BTreeMap<String, String>>,
}

/// CreateFunction's body.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CreateFunctionInput {
    pub function_name: Option<String>,
    pub runtime: Option<String>,
    pub role: Option<String>,
    pub handler: Option<String>,
    pub code: Option<CodeInput>,
    pub description: Option<String>,
    pub timeout: Option<i64>,
    pub memory_size: Option<i64>,
    pub publish: Option<bool>,
    pub environment: Option<EnvironmentInput>,
    pub architectures: Option<Vec<String>>,
    pub package_type: Option<String>,
    pub tags: Option<BTreeMap<String, String>>,
}

/// UpdateFunctionConfiguration's body.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct UpdateConfigurationInput {
    pub runtime: Option<String>,
    pub role: Option<String>,
    pub handler: Option<String>,
    pub description: Option<String>,
    pub timeout: Option<i64>,
    pub memory_size: Option<i64>,
    pub environment: Option<EnvironmentInput>,
    pub revision_id: Option<String>,
}

/// UpdateFunctionCode's body.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct UpdateCodeInput {
    pub zip_file: Option<String>,
    pub s3_bucket: Option<String>,
    pub s3_key: Option<String>,
    pub image_uri: Option<String>,
    pub publish: Option<bool>,
    pub dry_run: Option<bool>,
    pub architectures: Option<Vec<String>>,
    pub revision_id: Option<String>,
}

/// PublishVersion's body.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PublishVersionInput {
    pub code_sha256: Option<String>,
    pub description: Option<String>,
    pub revision_id: Option<String>,
}

/// CreateAlias's and UpdateAlias's body.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AliasInput {
    pub name: Option<String>,
    pub function_version: Option<String>,
    pub description: Option<String>,
    pub revision_id: Option<String>,
}

/// PutFunctionConcurrency's body.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ConcurrencyInput {
    pub reserved_concurrent_executions: Option<i64>,
}
