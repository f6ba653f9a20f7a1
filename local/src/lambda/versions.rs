//! PublishVersion, ListVersionsByFunction, and aliases (Create/Get/List/Update/DeleteAlias).

use std::sync::{Arc, LazyLock};

use axum::http::StatusCode;
use regex::Regex;
use serde_json::{Value, json};

use super::functions::{body, check_revision, no_content, reply};
use super::model::*;
use super::routes::Parts;
use super::{Lambda, LambdaApiError};
use crate::protocol::AwsError;
use crate::service::{BoxFuture, Reply, Request};
use crate::validation::{Constraints, anchored};

/// An alias name's pattern (not a number: numbers are versions).
pub const ALIAS_PATTERN: &str = r"(?!^[0-9]+$)([a-zA-Z0-9-_]+)";
/// The same, as the regex crate reads it (no look-ahead): letters, digits, - and _.
static ALIAS: LazyLock<Regex> = LazyLock::new(|| anchored(r"[a-zA-Z0-9-_]+"));
/// A version's pattern.
const VERSION_PATTERN: &str = r"(\$LATEST|[0-9]+)";
static VERSION: LazyLock<Regex> = LazyLock::new(|| anchored(VERSION_PATTERN));

fn check_alias(c: &mut Constraints, path: &str, name: &str) {
    c.len(path, name, 1, 128);
    if !ALIAS.is_match(name) || name.bytes().all(|b| b.is_ascii_digit()) {
        c.pattern(path, name, &VERSION, ALIAS_PATTERN);
    }
}

pub(super) fn publish_version(
    lambda: Arc<Lambda>,
    request: Request,
) -> BoxFuture<Result<Reply, AwsError>> {
    Box::pin(async move {
        let parts = Parts::of(&request);
        let (name, _) = lambda.target(&parts)?;
        let input: PublishVersionInput = body(&request)?;
        let (record, version) = lambda.functions.mutate(&name, |r, _, _| {
            check_revision(&input.revision_id, &r.latest.revision_id)?;
            if let Some(sha) = &input.code_sha256
                && *sha != r.latest.code_sha256
            {
                return Err(LambdaApiError::InvalidParameterValue.with(format!(
                    "CodeSHA256 ({sha}) is different from current CodeSHA256 in $LATEST ({}). Please try again with the CodeSHA256 in $LATEST.",
                    r.latest.code_sha256
                )));
            }
            // Publishing the same code and configuration again returns the version there is.
            let same = r.versions.iter().next_back().filter(|(_, v)| {
                v.code_sha256 == r.latest.code_sha256 && v.revision_id == r.latest.revision_id
            });
            if let Some((n, _)) = same {
                return Ok((r.clone(), *n));
            }
            let n = r.next_version;
            let mut snapshot = r.latest.clone();
            if let Some(d) = &input.description {
                snapshot.description = d.clone();
            }
            r.versions.insert(n, snapshot);
            r.next_version += 1;
            Ok((r.clone(), n))
        })?;
        let v = version.to_string();
        let config = record.version(&v).cloned().unwrap_or(record.latest.clone());
        reply(
            StatusCode::CREATED,
            configuration_json(&record, &v, &config, "Active", "Successful", false),
        )
    })
}

pub(super) fn list_versions(
    lambda: Arc<Lambda>,
    request: Request,
) -> BoxFuture<Result<Reply, AwsError>> {
    Box::pin(async move {
        let parts = Parts::of(&request);
        let (name, _) = lambda.target(&parts)?;
        let (record, builtin) = lambda.record(&name)?;
        let mut versions: Vec<Value> = vec![configuration_json(
            &record,
            LATEST,
            &record.latest,
            "Active",
            "Successful",
            builtin,
        )];
        for (n, config) in &record.versions {
            versions.push(configuration_json(
                &record,
                &n.to_string(),
                config,
                "Active",
                "Successful",
                builtin,
            ));
        }
        reply(StatusCode::OK, json!({ "Versions": versions }))
    })
}

fn version_exists(record: &FunctionRecord, version: &str) -> Result<(), AwsError> {
    record.version(version).map(|_| ()).ok_or_else(|| {
        LambdaApiError::ResourceNotFound
            .with(format!("Function not found: {}:{version}", record.arn))
    })
}

pub(super) fn create_alias(
    lambda: Arc<Lambda>,
    request: Request,
) -> BoxFuture<Result<Reply, AwsError>> {
    Box::pin(async move {
        let parts = Parts::of(&request);
        let (name, _) = lambda.target(&parts)?;
        let input: AliasInput = body(&request)?;
        let mut c = Constraints::default();
        if let Some(a) = c.required("name", &input.name) {
            check_alias(&mut c, "name", a);
        }
        if let Some(v) = c.required("functionVersion", &input.function_version) {
            c.pattern("functionVersion", v, &VERSION, VERSION_PATTERN);
        }
        if let Some(d) = &input.description {
            c.len("description", d, 0, 256);
        }
        c.finish()?;
        let alias_name = input.name.clone().unwrap_or_default();
        let revision = uuid::Uuid::new_v4().to_string();
        let (record, alias) = lambda.functions.mutate(&name, |r, _, _| {
            let version = input.function_version.clone().unwrap_or_default();
            version_exists(r, &version)?;
            if r.aliases.contains_key(&alias_name) {
                return Err(LambdaApiError::ResourceConflict
                    .with(format!("Alias already exists: {}:{alias_name}", r.arn)));
            }
            let alias = AliasRecord {
                name: alias_name.clone(),
                version,
                description: input.description.clone().unwrap_or_default(),
                revision_id: revision.clone(),
            };
            r.aliases.insert(alias_name.clone(), alias.clone());
            Ok((r.clone(), alias))
        })?;
        reply(StatusCode::CREATED, alias_json(&record, &alias))
    })
}

fn alias_of<'a>(record: &'a FunctionRecord, parts: &Parts) -> Result<&'a AliasRecord, AwsError> {
    let name = parts.alias.as_deref().unwrap_or_default();
    record.aliases.get(name).ok_or_else(|| {
        LambdaApiError::ResourceNotFound
            .with(format!("Cannot find alias arn: {}:{name}", record.arn))
    })
}

pub(super) fn get_alias(
    lambda: Arc<Lambda>,
    request: Request,
) -> BoxFuture<Result<Reply, AwsError>> {
    Box::pin(async move {
        let parts = Parts::of(&request);
        let (name, _) = lambda.target(&parts)?;
        let (record, _) = lambda.record(&name)?;
        let alias = alias_of(&record, &parts)?;
        reply(StatusCode::OK, alias_json(&record, alias))
    })
}

pub(super) fn list_aliases(
    lambda: Arc<Lambda>,
    request: Request,
) -> BoxFuture<Result<Reply, AwsError>> {
    Box::pin(async move {
        let parts = Parts::of(&request);
        let (name, _) = lambda.target(&parts)?;
        let (record, _) = lambda.record(&name)?;
        let version = parts.q("FunctionVersion");
        let aliases: Vec<Value> = record
            .aliases
            .values()
            .filter(|a| version.is_none_or(|v| a.version == v))
            .map(|a| alias_json(&record, a))
            .collect();
        reply(StatusCode::OK, json!({ "Aliases": aliases }))
    })
}

pub(super) fn update_alias(
    lambda: Arc<Lambda>,
    request: Request,
) -> BoxFuture<Result<Reply, AwsError>> {
    Box::pin(async move {
        let parts = Parts::of(&request);
        let (name, _) = lambda.target(&parts)?;
        let input: AliasInput = body(&request)?;
        let mut c = Constraints::default();
        if let Some(v) = &input.function_version {
            c.pattern("functionVersion", v, &VERSION, VERSION_PATTERN);
        }
        c.finish()?;
        let revision = uuid::Uuid::new_v4().to_string();
        let alias_name = parts.alias.clone().unwrap_or_default();
        let (record, alias) = lambda.functions.mutate(&name, |r, _, _| {
            if let Some(v) = &input.function_version {
                version_exists(r, v)?;
            }
            let arn = r.arn.clone();
            let a = r.aliases.get_mut(&alias_name).ok_or_else(|| {
                LambdaApiError::ResourceNotFound
                    .with(format!("Cannot find alias arn: {arn}:{alias_name}"))
            })?;
            check_revision(&input.revision_id, &a.revision_id)?;
            if let Some(v) = &input.function_version {
                a.version = v.clone();
            }
            if let Some(d) = &input.description {
                a.description = d.clone();
            }
            a.revision_id = revision.clone();
            let a = a.clone();
            Ok((r.clone(), a))
        })?;
        reply(StatusCode::OK, alias_json(&record, &alias))
    })
}

pub(super) fn delete_alias(
    lambda: Arc<Lambda>,
    request: Request,
) -> BoxFuture<Result<Reply, AwsError>> {
    Box::pin(async move {
        let parts = Parts::of(&request);
        let (name, _) = lambda.target(&parts)?;
        let alias_name = parts.alias.clone().unwrap_or_default();
        lambda.functions.mutate(&name, |r, _, _| {
            r.aliases.remove(&alias_name);
            Ok(())
        })?;
        no_content()
    })
}
