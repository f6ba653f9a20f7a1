//! CreateFunction, GetFunction, GetFunctionConfiguration, ListFunctions, DeleteFunction,
//! UpdateFunctionCode, UpdateFunctionConfiguration; concurrency, tags, account settings.

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use bytes::Bytes;
use regex::Regex;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::model::*;
use super::routes::Parts;
use super::{Lambda, LambdaApiError};
use crate::protocol::{AwsError, CommonError};
use crate::resources::Insert;
use crate::service::{BoxFuture, Reply, Request};
use crate::validation::{Constraints, anchored};

/// `FunctionName`'s pattern (a name, a partial ARN or an ARN, optionally qualified).
pub const FUNCTION_NAME_PATTERN: &str = r"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?";
/// `Role`'s pattern.
pub const ROLE_PATTERN: &str = r"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+";
/// `Handler`'s pattern.
pub const HANDLER_PATTERN: &str = r"[^\s]+";
/// An environment variable name's pattern.
pub const ENV_KEY_PATTERN: &str = r"[a-zA-Z]([a-zA-Z0-9_])+";
/// A function's own name: what follows `function:` (64 characters at most).
const NAME_PATTERN: &str = r"[a-zA-Z0-9-_]+";
static FUNCTION_NAME: LazyLock<Regex> = LazyLock::new(|| anchored(FUNCTION_NAME_PATTERN));
static ROLE: LazyLock<Regex> = LazyLock::new(|| anchored(ROLE_PATTERN));
static HANDLER: LazyLock<Regex> = LazyLock::new(|| anchored(HANDLER_PATTERN));
static ENV_KEY: LazyLock<Regex> = LazyLock::new(|| anchored(ENV_KEY_PATTERN));
static NAME: LazyLock<Regex> = LazyLock::new(|| anchored(NAME_PATTERN));
/// ListFunctions' largest page (and default).
const MAX_ITEMS: usize = 50;

/// A JSON reply.
pub(super) fn reply(status: StatusCode, body: Value) -> Result<Reply, AwsError> {
    let mut headers = HeaderMap::new();
    headers.insert(
        "content-type",
        axum::http::HeaderValue::from_static("application/json"),
    );
    Ok(Reply {
        status,
        headers,
        body: Bytes::from(body.to_string()),
    })
}

/// An empty reply (204).
pub(super) fn no_content() -> Result<Reply, AwsError> {
    Ok(Reply {
        status: StatusCode::NO_CONTENT,
        headers: HeaderMap::new(),
        body: Bytes::new(),
    })
}

/// A request body as the operation's input (empty counts as `{}`).
pub(super) fn body<T: DeserializeOwned>(request: &Request) -> Result<T, AwsError> {
    let bytes: &[u8] = if request.body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        &request.body
    };
    serde_json::from_slice(bytes).map_err(|e| {
        LambdaApiError::InvalidRequestContent
            .with(format!("Could not parse request body into json: {e}"))
    })
}

/// Checks a `FunctionName` member.
pub(super) fn check_function_name(c: &mut Constraints, path: &str, value: &str) {
    c.len(path, value, 1, 140);
    c.pattern(path, value, &FUNCTION_NAME, FUNCTION_NAME_PATTERN);
}

fn check_environment(c: &mut Constraints, env: &Option<EnvironmentInput>) {
    for k in env
        .iter()
        .flat_map(|e| e.variables.iter())
        .flat_map(|v| v.keys())
    {
        c.pattern("environment.variables", k, &ENV_KEY, ENV_KEY_PATTERN);
    }
}

/// Refuses the environment variables the service reserves for itself.
fn check_reserved(env: &Option<EnvironmentInput>) -> Result<(), AwsError> {
    let reserved: Vec<&str> = env
        .iter()
        .flat_map(|e| e.variables.iter())
        .flat_map(|v| v.keys())
        .filter(|k| super::languages::RESERVED_ENV.contains(&k.as_str()))
        .map(String::as_str)
        .collect();
    if reserved.is_empty() {
        return Ok(());
    }
    Err(invalid(format!(
        "Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: {}",
        reserved.join(", ")
    )))
}

fn check_common(
    c: &mut Constraints,
    runtime: &Option<String>,
    handler: &Option<String>,
    description: &Option<String>,
    timeout: Option<i64>,
    memory: Option<i64>,
) {
    if let Some(r) = runtime {
        c.one_of("runtime", r, &RUNTIMES);
    }
    if let Some(h) = handler {
        c.len("handler", h, 0, 128);
        c.pattern("handler", h, &HANDLER, HANDLER_PATTERN);
    }
    if let Some(d) = description {
        c.len("description", d, 0, 256);
    }
    if let Some(t) = timeout {
        c.range("timeout", t, 1, i64::MAX);
    }
    if let Some(m) = memory {
        c.range(
            "memorySize",
            m,
            i64::from(MEMORY_RANGE.0),
            i64::from(MEMORY_RANGE.1),
        );
    }
}

fn invalid(message: impl Into<String>) -> AwsError {
    LambdaApiError::InvalidParameterValue.with(message)
}

fn check_timeout(timeout: Option<i64>) -> Result<u32, AwsError> {
    match timeout {
        None => Ok(DEFAULT_TIMEOUT),
        Some(t) if t > i64::from(MAX_TIMEOUT) => Err(invalid(format!(
            "Timeout must be between 1 and {MAX_TIMEOUT} seconds; {t} given"
        ))),
        Some(t) => Ok(t as u32),
    }
}

fn check_architectures(a: &Option<Vec<String>>) -> Result<Vec<String>, AwsError> {
    match a.as_deref() {
        None | Some([]) => Ok(vec!["x86_64".to_string()]),
        Some([one]) if one == "x86_64" || one == "arm64" => Ok(vec![one.clone()]),
        Some(other) => Err(invalid(format!(
            "Architectures must name exactly one of x86_64 and arm64; {other:?} given"
        ))),
    }
}

impl Lambda {
    fn revision(&self) -> String {
        uuid::Uuid::new_v4().to_string()
    }

    fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }

    /// The code of a `Code` member or UpdateFunctionCode body: the zip bytes.
    fn zip_of(
        &self,
        zip_file: &Option<String>,
        s3: (&Option<String>, &Option<String>),
        image: bool,
    ) -> Result<Vec<u8>, AwsError> {
        if image {
            return Err(invalid(
                "Container images are not supported by the kdaflow twin (no container runtime); package the function as a zip",
            ));
        }
        match s3 {
            (Some(bucket), Some(key)) => {
                // Lambda's own wording for an object it cannot get (InvalidParameterValueException).
                return self.s3.get_bytes(bucket, key).map_err(|e| {
                    let (code, message) = e.split_once(": ").unwrap_or(("InternalError", &e));
                    invalid(format!(
                        "Error occurred while GetObject. S3 Error Code: {code}. S3 Error Message: {message}"
                    ))
                });
            }
            (None, None) => {}
            _ => {
                return Err(invalid(
                    "Please provide a source for function code (both S3Bucket and S3Key)",
                ));
            }
        }
        let Some(zip) = zip_file else {
            return Err(invalid(
                "Please provide a source for function code (ZipFile, or S3Bucket and S3Key)",
            ));
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(zip)
            .map_err(|e| invalid(format!("ZipFile is not valid base64: {e}")))?;
        if bytes.len() > super::code::MAX_ZIP_BYTES {
            return Err(LambdaApiError::RequestEntityTooLarge.with(format!(
                "Request must be smaller than {} bytes for the CreateFunction operation",
                super::code::MAX_ZIP_BYTES
            )));
        }
        Ok(bytes)
    }

    fn store_code(&self, zip: &[u8]) -> Result<super::code::Package, AwsError> {
        self.code.put(zip).map_err(|e| match e {
            super::code::CodeError::Io(_) => LambdaApiError::ServiceException.with(e.to_string()),
            other => invalid(other.to_string()),
        })
    }

    /// The name a `{FunctionName}` path parameter designates, and its qualifier (from the name
    /// or the `Qualifier` query parameter).
    pub(super) fn target(&self, parts: &Parts) -> Result<(String, Option<String>), AwsError> {
        let mut c = Constraints::default();
        check_function_name(&mut c, "functionName", &parts.function);
        if let Some(q) = parts.q("Qualifier") {
            c.len("qualifier", q, 1, 128);
        }
        c.finish()?;
        let (name, qualifier) = self.split_name(&parts.function);
        let name = name.ok_or_else(|| {
            LambdaApiError::ResourceNotFound.with(format!(
                "Function not found: {} (this twin hosts functions of account {} in {})",
                parts.function, self.config.account_id, self.config.region
            ))
        })?;
        Ok((name, parts.q("Qualifier").map(str::to_string).or(qualifier)))
    }

    /// A built-in function as a record (it has no stored configuration).
    fn builtin_record(&self, name: &str) -> Option<FunctionRecord> {
        self.builtins.resolve(name).ok()?;
        Some(FunctionRecord {
            name: name.to_string(),
            arn: self.arn(name),
            latest: FunctionConfig {
                runtime: None,
                role: format!(
                    "arn:aws:iam::{}:role/kdaflow-builtin",
                    self.config.account_id
                ),
                handler: None,
                description: String::new(),
                timeout: MAX_TIMEOUT,
                memory: DEFAULT_MEMORY,
                architectures: vec![std::env::consts::ARCH.replace("aarch64", "arm64")],
                environment: BTreeMap::new(),
                code_sha256: String::new(),
                code_size: 0,
                last_modified_ms: 0,
                revision_id: "builtin".into(),
            },
            versions: BTreeMap::new(),
            next_version: 1,
            aliases: BTreeMap::new(),
            tags: BTreeMap::new(),
            reserved_concurrency: None,
        })
    }

    /// The record of a stored or built-in function (`true`: built-in).
    pub(super) fn record(&self, name: &str) -> Result<(FunctionRecord, bool), AwsError> {
        match self.functions.read(name, |row| row.record.clone()) {
            Ok(r) => Ok((r, false)),
            Err(e) => self.builtin_record(name).map(|r| (r, true)).ok_or(e),
        }
    }

    /// The configuration JSON of `record` at `qualifier`.
    pub(super) fn configuration(
        &self,
        record: &FunctionRecord,
        qualifier: Option<&str>,
        builtin: bool,
        state: &str,
        update: &str,
    ) -> Result<Value, AwsError> {
        let version = record.resolve_qualifier(qualifier).ok_or_else(|| {
            LambdaApiError::ResourceNotFound.with(format!(
                "Function not found: {}:{}",
                record.arn,
                qualifier.unwrap_or_default()
            ))
        })?;
        let config = record
            .version(&version)
            .cloned()
            .unwrap_or_else(|| record.latest.clone());
        Ok(configuration_json(
            record, &version, &config, state, update, builtin,
        ))
    }
}

/// A function to create (or replace) in process, as `kdaflow serve --tasks process` registers
/// the bootstrap's own task binaries.
#[derive(Debug, Clone)]
pub struct LocalFunctionSpec {
    /// FunctionName.
    pub name: String,
    /// Runtime.
    pub runtime: String,
    /// Handler.
    pub handler: Option<String>,
    /// Timeout in seconds.
    pub timeout: u32,
    /// Environment variables.
    pub environment: BTreeMap<String, String>,
    /// The code package.
    pub zip: Vec<u8>,
}

impl Lambda {
    /// Creates function `spec.name`, or replaces its code and configuration if it exists.
    /// Returns its ARN.
    pub fn put_function(&self, spec: LocalFunctionSpec) -> Result<String, AwsError> {
        let package = self.store_code(&spec.zip)?;
        let now = self.now_ms();
        let config = FunctionConfig {
            runtime: Some(spec.runtime),
            role: format!(
                "arn:aws:iam::{}:role/kdaflow-bootstrap-tasks",
                self.config.account_id
            ),
            handler: spec.handler,
            description: String::new(),
            timeout: spec.timeout,
            memory: DEFAULT_MEMORY,
            architectures: vec![std::env::consts::ARCH.replace("aarch64", "arm64")],
            environment: spec.environment,
            code_sha256: package.sha256,
            code_size: package.size,
            last_modified_ms: now,
            revision_id: self.revision(),
        };
        let arn = self.arn(&spec.name);
        let name = spec.name.clone();
        let replaced = self.functions.mutate(&name, |r, _, _| {
            r.latest = config.clone();
            Ok(())
        });
        match replaced {
            Ok(()) => {
                self.runtimes.retire(&name);
                Ok(arn)
            }
            Err(e) if e.code == LambdaApiError::ResourceNotFound.name() => {
                let record = FunctionRecord {
                    name: name.clone(),
                    arn: arn.clone(),
                    latest: config,
                    versions: BTreeMap::new(),
                    next_version: 1,
                    aliases: BTreeMap::new(),
                    tags: BTreeMap::new(),
                    reserved_concurrency: None,
                };
                self.functions
                    .insert(&name, |_, _| Ok(Insert::New(record, (), ())))?;
                Ok(arn)
            }
            Err(e) => Err(e),
        }
    }
}

pub(super) fn create_function(
    lambda: Arc<Lambda>,
    request: Request,
) -> BoxFuture<Result<Reply, AwsError>> {
    Box::pin(async move {
        let input: CreateFunctionInput = body(&request)?;
        let mut c = Constraints::default();
        if let Some(n) = c.required("functionName", &input.function_name) {
            check_function_name(&mut c, "functionName", n);
        }
        if let Some(r) = c.required("role", &input.role) {
            c.pattern("role", r, &ROLE, ROLE_PATTERN);
        }
        c.required("code", &input.code);
        check_common(
            &mut c,
            &input.runtime,
            &input.handler,
            &input.description,
            input.timeout,
            input.memory_size,
        );
        check_environment(&mut c, &input.environment);
        c.finish()?;
        check_reserved(&input.environment)?;
        let (name, qualifier) =
            lambda.split_name(input.function_name.as_deref().unwrap_or_default());
        let Some(name) = name.filter(|n| n.len() <= 64 && NAME.is_match(n)) else {
            return Err(invalid(format!(
                "{} is not a function name this twin can create: a name of 1-64 letters, digits, - and _, in account {} and region {}",
                input.function_name.as_deref().unwrap_or_default(),
                lambda.config.account_id,
                lambda.config.region
            )));
        };
        if qualifier.is_some() {
            return Err(invalid(
                "A function name for CreateFunction cannot carry a qualifier",
            ));
        }
        if input.package_type.as_deref().is_some_and(|p| p != "Zip") {
            return Err(invalid(
                "PackageType Image is not supported by the kdaflow twin (no container runtime); use Zip",
            ));
        }
        let Some(runtime) = input.runtime.clone() else {
            return Err(invalid("Runtime is required for .zip file packages"));
        };
        if input.handler.is_none() && !runtime.starts_with("provided") {
            return Err(invalid(format!(
                "Handler is required for runtime {runtime}"
            )));
        }
        let code = input.code.clone().unwrap_or_default();
        let zip = lambda.zip_of(
            &code.zip_file,
            (&code.s3_bucket, &code.s3_key),
            code.image_uri.is_some(),
        )?;
        let timeout = check_timeout(input.timeout)?;
        let architectures = check_architectures(&input.architectures)?;
        let package = lambda.store_code(&zip)?;
        let now = lambda.now_ms();
        let config = FunctionConfig {
            runtime: Some(runtime),
            role: input.role.clone().unwrap_or_default(),
            handler: input.handler.clone(),
            description: input.description.clone().unwrap_or_default(),
            timeout,
            memory: input.memory_size.map_or(DEFAULT_MEMORY, |m| m as u32),
            architectures,
            environment: input
                .environment
                .and_then(|e| e.variables)
                .unwrap_or_default(),
            code_sha256: package.sha256,
            code_size: package.size,
            last_modified_ms: now,
            revision_id: lambda.revision(),
        };
        let arn = lambda.arn(&name);
        let publish = input.publish.unwrap_or(false);
        let record = lambda.functions.insert(&name, |existing, _| {
            if existing.is_some() {
                return Err(LambdaApiError::ResourceConflict
                    .with(format!("Function already exist: {name}")));
            }
            let mut record = FunctionRecord {
                name: name.clone(),
                arn: arn.clone(),
                latest: config,
                versions: BTreeMap::new(),
                next_version: 1,
                aliases: BTreeMap::new(),
                tags: input.tags.clone().unwrap_or_default(),
                reserved_concurrency: None,
            };
            if publish {
                record.versions.insert(1, record.latest.clone());
                record.next_version = 2;
            }
            let out = record.clone();
            Ok(Insert::New(record, (), out))
        })?;
        // The function is usable at once; the answer says Pending, as the service's does.
        let version = if publish { "1" } else { LATEST };
        let config = record
            .version(version)
            .cloned()
            .unwrap_or(record.latest.clone());
        reply(
            StatusCode::CREATED,
            configuration_json(&record, version, &config, "Pending", "Successful", false),
        )
    })
}

pub(super) fn get_function(
    lambda: Arc<Lambda>,
    request: Request,
) -> BoxFuture<Result<Reply, AwsError>> {
    Box::pin(async move {
        let parts = Parts::of(&request);
        let (name, qualifier) = lambda.target(&parts)?;
        let (record, builtin) = lambda.record(&name)?;
        let configuration = lambda.configuration(
            &record,
            qualifier.as_deref(),
            builtin,
            "Active",
            "Successful",
        )?;
        let endpoint = lambda
            .endpoint
            .get()
            .cloned()
            .unwrap_or_else(|| "http://127.0.0.1".to_string());
        let mut out = json!({
            "Configuration": configuration,
            "Code": {
                "RepositoryType": "S3",
                "Location": format!("{endpoint}/_kdaflow/lambda/functions/{name}/code"),
            },
            "Tags": record.tags,
        });
        if let Some(n) = record.reserved_concurrency {
            out["Concurrency"] = json!({ "ReservedConcurrentExecutions": n });
        }
        reply(StatusCode::OK, out)
    })
}

pub(super) fn get_configuration(
    lambda: Arc<Lambda>,
    request: Request,
) -> BoxFuture<Result<Reply, AwsError>> {
    Box::pin(async move {
        let parts = Parts::of(&request);
        let (name, qualifier) = lambda.target(&parts)?;
        let (record, builtin) = lambda.record(&name)?;
        reply(
            StatusCode::OK,
            lambda.configuration(
                &record,
                qualifier.as_deref(),
                builtin,
                "Active",
                "Successful",
            )?,
        )
    })
}

pub(super) fn list_functions(
    lambda: Arc<Lambda>,
    request: Request,
) -> BoxFuture<Result<Reply, AwsError>> {
    Box::pin(async move {
        let parts = Parts::of(&request);
        let mut c = Constraints::default();
        let max = parts.q("MaxItems").map(|m| m.parse::<i64>().unwrap_or(0));
        if let Some(m) = max {
            c.range("maxItems", m, 1, 10_000);
        }
        c.finish()?;
        let max = max.map_or(MAX_ITEMS, |m| (m as usize).min(MAX_ITEMS));
        // Stored functions and built-ins, by name.
        let mut all: BTreeMap<String, (FunctionRecord, bool)> = BTreeMap::new();
        for name in lambda.builtins.names() {
            if let Some(r) = lambda.builtin_record(&name) {
                all.insert(name, (r, true));
            }
        }
        for r in lambda.functions.records() {
            all.insert(r.name.clone(), (r, false));
        }
        let start = parts.q("Marker").unwrap_or_default().to_string();
        let mut page: Vec<Value> = Vec::new();
        let mut next = None;
        // NextMarker is the name the next page starts at.
        for (name, (record, builtin)) in all.range(start..) {
            if page.len() == max {
                next = Some(name.clone());
                break;
            }
            page.push(configuration_json(
                record,
                LATEST,
                &record.latest,
                "Active",
                "Successful",
                *builtin,
            ));
        }
        let mut out = json!({ "Functions": page });
        if let Some(n) = next {
            out["NextMarker"] = json!(n);
        }
        reply(StatusCode::OK, out)
    })
}

pub(super) fn delete_function(
    lambda: Arc<Lambda>,
    request: Request,
) -> BoxFuture<Result<Reply, AwsError>> {
    Box::pin(async move {
        let parts = Parts::of(&request);
        let (name, qualifier) = lambda.target(&parts)?;
        if lambda.builtin_record(&name).is_some() && !lambda.functions.contains(&name) {
            return Err(invalid(format!(
                "{name} is a kdaflow built-in function; it cannot be deleted"
            )));
        }
        match qualifier.as_deref() {
            None | Some(LATEST) => {
                if lambda.functions.remove(&name, |_| Ok(()))?.is_none() {
                    return Err(lambda.functions.missing(&name));
                }
                lambda.runtimes.retire(&name);
            }
            Some(q) => {
                let n: u64 = q.parse().map_err(|_| {
                    invalid(format!(
                        "Deletion of aliases is done with DeleteAlias; {q} is not a version"
                    ))
                })?;
                lambda.functions.mutate(&name, |r, _, _| {
                    if let Some(a) = r.aliases.values().find(|a| a.version == q) {
                        return Err(LambdaApiError::ResourceConflict.with(format!(
                            "Unable to delete version because the following aliases reference it: [{}]",
                            a.name
                        )));
                    }
                    r.versions.remove(&n).map(|_| ()).ok_or_else(|| {
                        LambdaApiError::ResourceNotFound
                            .with(format!("Function not found: {}:{q}", r.arn))
                    })
                })?;
            }
        }
        no_content()
    })
}

/// Refuses a stale `RevisionId`.
pub(super) fn check_revision(given: &Option<String>, current: &str) -> Result<(), AwsError> {
    match given {
        Some(g) if g != current => Err(LambdaApiError::PreconditionFailed.with(
            "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
        )),
        _ => Ok(()),
    }
}

pub(super) fn update_code(
    lambda: Arc<Lambda>,
    request: Request,
) -> BoxFuture<Result<Reply, AwsError>> {
    Box::pin(async move {
        let parts = Parts::of(&request);
        let (name, _) = lambda.target(&parts)?;
        let input: UpdateCodeInput = body(&request)?;
        let zip = lambda.zip_of(
            &input.zip_file,
            (&input.s3_bucket, &input.s3_key),
            input.image_uri.is_some(),
        )?;
        let architectures = input
            .architectures
            .as_ref()
            .map(|_| check_architectures(&input.architectures))
            .transpose()?;
        let package = lambda.store_code(&zip)?;
        if input.dry_run.unwrap_or(false) {
            let (record, _) = lambda.record(&name)?;
            let mut config = record.latest.clone();
            config.code_sha256 = package.sha256;
            config.code_size = package.size;
            return reply(
                StatusCode::OK,
                configuration_json(&record, LATEST, &config, "Active", "Successful", false),
            );
        }
        let now = lambda.now_ms();
        let revision = lambda.revision();
        let publish = input.publish.unwrap_or(false);
        let (record, version) = lambda.functions.mutate(&name, |r, _, _| {
            check_revision(&input.revision_id, &r.latest.revision_id)?;
            r.latest.code_sha256 = package.sha256.clone();
            r.latest.code_size = package.size;
            if let Some(a) = &architectures {
                r.latest.architectures = a.clone();
            }
            r.latest.last_modified_ms = now;
            r.latest.revision_id = revision.clone();
            let version = if publish {
                let n = r.next_version;
                r.versions.insert(n, r.latest.clone());
                r.next_version += 1;
                n.to_string()
            } else {
                LATEST.to_string()
            };
            Ok((r.clone(), version))
        })?;
        let config = record
            .version(&version)
            .cloned()
            .unwrap_or(record.latest.clone());
        reply(
            StatusCode::OK,
            configuration_json(&record, &version, &config, "Active", "InProgress", false),
        )
    })
}

pub(super) fn update_configuration(
    lambda: Arc<Lambda>,
    request: Request,
) -> BoxFuture<Result<Reply, AwsError>> {
    Box::pin(async move {
        let parts = Parts::of(&request);
        let (name, _) = lambda.target(&parts)?;
        let input: UpdateConfigurationInput = body(&request)?;
        let mut c = Constraints::default();
        if let Some(r) = &input.role {
            c.pattern("role", r, &ROLE, ROLE_PATTERN);
        }
        check_common(
            &mut c,
            &input.runtime,
            &input.handler,
            &input.description,
            input.timeout,
            input.memory_size,
        );
        check_environment(&mut c, &input.environment);
        c.finish()?;
        check_reserved(&input.environment)?;
        let timeout = input.timeout.map(|t| check_timeout(Some(t))).transpose()?;
        let now = lambda.now_ms();
        let revision = lambda.revision();
        let record = lambda.functions.mutate(&name, |r, _, _| {
            check_revision(&input.revision_id, &r.latest.revision_id)?;
            let l = &mut r.latest;
            if let Some(v) = &input.runtime {
                l.runtime = Some(v.clone());
            }
            if let Some(v) = &input.role {
                l.role = v.clone();
            }
            if let Some(v) = &input.handler {
                l.handler = Some(v.clone());
            }
            if let Some(v) = &input.description {
                l.description = v.clone();
            }
            if let Some(v) = timeout {
                l.timeout = v;
            }
            if let Some(v) = input.memory_size {
                l.memory = v as u32;
            }
            if let Some(env) = &input.environment {
                l.environment = env.variables.clone().unwrap_or_default();
            }
            l.last_modified_ms = now;
            l.revision_id = revision.clone();
            Ok(r.clone())
        })?;
        reply(
            StatusCode::OK,
            configuration_json(
                &record,
                LATEST,
                &record.latest,
                "Active",
                "InProgress",
                false,
            ),
        )
    })
}

pub(super) fn put_concurrency(
    lambda: Arc<Lambda>,
    request: Request,
) -> BoxFuture<Result<Reply, AwsError>> {
    Box::pin(async move {
        let parts = Parts::of(&request);
        let (name, _) = lambda.target(&parts)?;
        let input: ConcurrencyInput = body(&request)?;
        let mut c = Constraints::default();
        if let Some(n) = c.required(
            "reservedConcurrentExecutions",
            &input.reserved_concurrent_executions,
        ) {
            c.range("reservedConcurrentExecutions", *n, 0, 1000);
        }
        c.finish()?;
        let n = input.reserved_concurrent_executions.unwrap_or_default() as u32;
        lambda.functions.mutate(&name, |r, _, _| {
            r.reserved_concurrency = Some(n);
            Ok(())
        })?;
        reply(StatusCode::OK, json!({ "ReservedConcurrentExecutions": n }))
    })
}

pub(super) fn get_concurrency(
    lambda: Arc<Lambda>,
    request: Request,
) -> BoxFuture<Result<Reply, AwsError>> {
    Box::pin(async move {
        let parts = Parts::of(&request);
        let (name, _) = lambda.target(&parts)?;
        let (record, _) = lambda.record(&name)?;
        let out = match record.reserved_concurrency {
            Some(n) => json!({ "ReservedConcurrentExecutions": n }),
            None => json!({}),
        };
        reply(StatusCode::OK, out)
    })
}

pub(super) fn delete_concurrency(
    lambda: Arc<Lambda>,
    request: Request,
) -> BoxFuture<Result<Reply, AwsError>> {
    Box::pin(async move {
        let parts = Parts::of(&request);
        let (name, _) = lambda.target(&parts)?;
        lambda.functions.mutate(&name, |r, _, _| {
            r.reserved_concurrency = None;
            Ok(())
        })?;
        no_content()
    })
}

/// The function a tag operation's `{ARN}` names (an unqualified function ARN).
fn tagged(lambda: &Lambda, parts: &Parts) -> Result<String, AwsError> {
    let (name, qualifier) = lambda.split_name(&parts.function);
    match (name, qualifier, parts.function.starts_with("arn:")) {
        (Some(n), None, true) => Ok(n),
        _ => Err(invalid(format!(
            "{} is not an unqualified function ARN of this account and region",
            parts.function
        ))),
    }
}

pub(super) fn list_tags(
    lambda: Arc<Lambda>,
    request: Request,
) -> BoxFuture<Result<Reply, AwsError>> {
    Box::pin(async move {
        let name = tagged(&lambda, &Parts::of(&request))?;
        let (record, _) = lambda.record(&name)?;
        reply(StatusCode::OK, json!({ "Tags": record.tags }))
    })
}

pub(super) fn tag_resource(
    lambda: Arc<Lambda>,
    request: Request,
) -> BoxFuture<Result<Reply, AwsError>> {
    Box::pin(async move {
        let name = tagged(&lambda, &Parts::of(&request))?;
        #[derive(serde::Deserialize, Default)]
        #[serde(rename_all = "PascalCase", default)]
        struct In {
            tags: Option<BTreeMap<String, String>>,
        }
        let input: In = body(&request)?;
        let mut c = Constraints::default();
        c.required("tags", &input.tags);
        c.finish()?;
        lambda.functions.mutate(&name, |r, _, _| {
            r.tags.extend(input.tags.clone().unwrap_or_default());
            if r.tags.len() > 50 {
                return Err(invalid("A function can have at most 50 tags"));
            }
            Ok(())
        })?;
        no_content()
    })
}

pub(super) fn untag_resource(
    lambda: Arc<Lambda>,
    request: Request,
) -> BoxFuture<Result<Reply, AwsError>> {
    Box::pin(async move {
        let parts = Parts::of(&request);
        let name = tagged(&lambda, &parts)?;
        if parts.tag_keys.is_empty() {
            return Err(CommonError::Validation.with(
                "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null",
            ));
        }
        lambda.functions.mutate(&name, |r, _, _| {
            for k in &parts.tag_keys {
                r.tags.remove(k);
            }
            Ok(())
        })?;
        no_content()
    })
}

pub(super) fn get_account_settings(
    lambda: Arc<Lambda>,
    _request: Request,
) -> BoxFuture<Result<Reply, AwsError>> {
    Box::pin(async move {
        let functions = lambda.functions.len() as u64;
        reply(
            StatusCode::OK,
            json!({
                "AccountLimit": {
                    "TotalCodeSize": 80_530_636_800u64,
                    "CodeSizeUnzipped": super::code::MAX_UNPACKED_BYTES,
                    "CodeSizeZipped": super::code::MAX_ZIP_BYTES,
                    "ConcurrentExecutions": 1000,
                    "UnreservedConcurrentExecutions": 1000,
                },
                "AccountUsage": { "TotalCodeSize": 0, "FunctionCount": functions },
            }),
        )
    })
}
