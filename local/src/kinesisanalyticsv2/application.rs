//! CreateApplication, DescribeApplication, ListApplications, DeleteApplication,
//! UpdateApplication, RollbackApplication, ListApplicationVersions, DescribeApplicationVersion,
//! the CloudWatch logging options, the maintenance window and tags.

use base64::Engine;
use bytes::Bytes;
use serde::Serialize;

use super::app::{Code, Config, FlinkAppRecord, Properties, Status, Target};
use super::error::FlinkError;
use super::model::*;
use super::validate::{self as check, MAX_ZIP_BYTES};
use super::{ManagedFlink, busy, check_version, empty, in_use, limits};
use crate::kinesisanalytics::validate::Violations;
use crate::protocol::{AwsError, parse_body, to_body};
use crate::resources::Insert;

/// The property group Managed Service for Apache Flink reads a Python application's entry
/// point from.
pub const RUN_OPTIONS: &str = "kinesis.analytics.flink.run.options";
/// The keys the run-options group may hold (MSF developer guide, "Program your PyFlink
/// application": pyModule, pyExecutable and pyRequirements are not supported).
const RUN_OPTION_KEYS: &[&str] = &["python", "jarfile", "pyFiles", "pyArchives"];
const UNSUPPORTED_RUN_OPTIONS: &[&str] = &["pyModule", "pyExecutable", "pyRequirements"];
/// ListApplications' page size when `Limit` is absent (the model's maximum).
const DEFAULT_LIMIT: usize = 50;
/// The default maintenance window start (UTC).
const DEFAULT_MAINTENANCE: &str = "06:00";

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DetailOut {
    application_detail: ApplicationDetail,
    #[serde(skip_serializing_if = "Option::is_none")]
    operation_id: Option<String>,
}

impl ManagedFlink {
    /// Refuses what the twin's v2 does not run: SQL applications (created through v1 here),
    /// Studio notebooks, VPC and customer-managed-key settings.
    fn check_flink_only(runtime: &str, mode: Option<&String>) -> Result<(), AwsError> {
        if runtime == "SQL-1_0" {
            return Err(FlinkError::UnsupportedOperation.with(
                "The twin creates SQL-1_0 applications through the Kinesis Analytics v1 API (kinesisanalytics, KinesisAnalytics_20150814); \
                 its kinesisanalyticsv2 runs Flink applications (RuntimeEnvironment FLINK-1_20)",
            ));
        }
        if runtime.starts_with("ZEPPELIN") || mode.is_some_and(|m| m == "INTERACTIVE") {
            return Err(FlinkError::UnsupportedOperation.with(
                "Studio notebooks (ZEPPELIN runtimes, ApplicationMode INTERACTIVE) are not part of the kdaflow twin; create a STREAMING Flink application",
            ));
        }
        Ok(())
    }

    /// The stored code of an ApplicationCodeConfiguration: ZIPFILE content inline or an S3
    /// object of the twin's S3 (read to learn its size and digest).
    fn code_of(
        &self,
        content_type: &str,
        text: Option<&String>,
        zip: Option<&String>,
        s3: Option<(&str, &str, Option<&String>)>,
    ) -> Result<Code, AwsError> {
        if content_type != "ZIPFILE" {
            return Err(FlinkError::InvalidArgument.with(format!(
                "CodeContentType {content_type} is for SQL and Studio applications; a Flink application's code is a ZIPFILE (its zip or jar, inline or in S3)"
            )));
        }
        if text.is_some() {
            return Err(FlinkError::InvalidArgument.with(
                "TextContent is for SQL applications; give a Flink application's code as ZipFileContent or S3ContentLocation",
            ));
        }
        let bytes = match (zip, s3) {
            (Some(_), Some(_)) => {
                return Err(FlinkError::InvalidArgument
                    .with("Give either ZipFileContent or S3ContentLocation, not both"));
            }
            (None, None) => {
                return Err(FlinkError::InvalidArgument.with(
                    "A ZIPFILE code configuration needs its CodeContent: ZipFileContent or S3ContentLocation",
                ));
            }
            (Some(z), None) => {
                let b = base64::engine::general_purpose::STANDARD
                    .decode(z)
                    .map_err(|e| {
                        FlinkError::InvalidArgument
                            .with(format!("ZipFileContent is not valid base64: {e}"))
                    })?;
                if b.len() > MAX_ZIP_BYTES {
                    return Err(FlinkError::InvalidArgument.with(format!(
                        "ZipFileContent is {} bytes; inline code can be at most {MAX_ZIP_BYTES} bytes. Put larger code in S3",
                        b.len()
                    )));
                }
                b
            }
            (None, Some((bucket_arn, key, _))) => {
                let bucket = bucket_arn.strip_prefix("arn:aws:s3:::").ok_or_else(|| {
                    FlinkError::InvalidArgument.with(format!(
                        "BucketARN {bucket_arn} is not an S3 bucket ARN (arn:aws:s3:::BUCKET)"
                    ))
                })?;
                self.s3.get_bytes(bucket, key).map_err(|e| {
                    FlinkError::InvalidArgument.with(format!(
                        "The application code at s3://{bucket}/{key} cannot be read ({e}). Upload it first (aws s3 cp app.zip s3://{bucket}/{key})"
                    ))
                })?
            }
        };
        use sha2::{Digest, Sha512};
        let digest: String = Sha512::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(Code {
            content_type: content_type.to_string(),
            text: None,
            zip: zip.cloned(),
            s3: s3.map(|(b, k, v)| (b.to_string(), k.to_string(), v.cloned())),
            size: Some(bytes.len() as u64),
            md5: Some(digest),
        })
    }

    /// Checks the property groups: ids unique, the run-options group's keys known.
    fn check_properties(groups: &[PropertyGroup]) -> Result<Properties, AwsError> {
        let mut out: Properties = Vec::new();
        for g in groups {
            let id = g.property_group_id.clone().unwrap_or_default();
            if out.iter().any(|(i, _)| *i == id) {
                return Err(FlinkError::InvalidArgument.with(format!(
                    "Property group {id} appears twice; give each PropertyGroupId once"
                )));
            }
            let map = g.property_map.clone().unwrap_or_default();
            if id == RUN_OPTIONS {
                if let Some(k) = map
                    .keys()
                    .find(|k| UNSUPPORTED_RUN_OPTIONS.contains(&k.as_str()))
                {
                    return Err(FlinkError::InvalidArgument.with(format!(
                        "{RUN_OPTIONS}: {k} is not supported by Managed Service for Apache Flink; bundle Python dependencies in the zip and name them with pyFiles"
                    )));
                }
                if let Some(k) = map.keys().find(|k| !RUN_OPTION_KEYS.contains(&k.as_str())) {
                    return Err(FlinkError::InvalidArgument.with(format!(
                        "{RUN_OPTIONS}: unknown key {k}; the keys are {}",
                        RUN_OPTION_KEYS.join(", ")
                    )));
                }
            }
            out.push((id, map));
        }
        Ok(out)
    }

    pub(super) fn create_application(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: CreateApplicationRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_name("applicationName", &req.application_name);
        if let Some(d) = &req.application_description {
            v.len("applicationDescription", d, 0, 1024);
        }
        let runtime = v.required("runtimeEnvironment", &req.runtime_environment);
        check::runtime(&mut v, "runtimeEnvironment", runtime);
        check::required_arn(&mut v, "serviceExecutionRole", &req.service_execution_role);
        if let Some(c) = &req.application_configuration {
            check::configuration(&mut v, "applicationConfiguration", c);
        }
        check::logging(
            &mut v,
            "cloudWatchLoggingOptions",
            req.cloud_watch_logging_options
                .as_deref()
                .unwrap_or_default(),
        );
        if let Some(t) = &req.tags {
            v.tags("tags", t);
        }
        check::mode(&mut v, "applicationMode", req.application_mode.as_ref());
        v.finish()?;

        let name = req.application_name.clone().unwrap_or_default();
        let runtime = req.runtime_environment.clone().unwrap_or_default();
        Self::check_flink_only(&runtime, req.application_mode.as_ref())?;
        let c = req.application_configuration.clone().unwrap_or_default();
        if c.sql_application_configuration.is_some()
            || c.zeppelin_application_configuration.is_some()
        {
            return Err(FlinkError::InvalidArgument.with(format!(
                "SqlApplicationConfiguration and ZeppelinApplicationConfiguration do not apply to a {runtime} application"
            )));
        }
        if c.vpc_configurations.as_ref().is_some_and(|l| !l.is_empty()) {
            return Err(FlinkError::UnsupportedOperation.with(
                "VPC configurations are not part of the kdaflow twin (it has no VPCs); leave VpcConfigurations out",
            ));
        }
        let Some(code_config) = &c.application_code_configuration else {
            return Err(FlinkError::InvalidArgument.with(
                "A Flink application needs ApplicationConfiguration.ApplicationCodeConfiguration (CodeContentType ZIPFILE with ZipFileContent or S3ContentLocation)",
            ));
        };
        let content = code_config.code_content.clone().unwrap_or_default();
        let code = self.code_of(
            code_config.code_content_type.as_deref().unwrap_or_default(),
            content.text_content.as_ref(),
            content.zip_file_content.as_ref(),
            content.s3_content_location.as_ref().map(|l| {
                (
                    l.bucket_arn.as_deref().unwrap_or_default(),
                    l.file_key.as_deref().unwrap_or_default(),
                    l.object_version.as_ref(),
                )
            }),
        )?;
        let properties = Self::check_properties(
            c.environment_properties
                .as_ref()
                .and_then(|e| e.property_groups.as_deref())
                .unwrap_or_default(),
        )?;
        let tags = crate::kinesisanalytics::merge_tags(
            &indexmap::IndexMap::new(),
            crate::kinesisanalytics::collect_tags(req.tags.as_deref().unwrap_or_default()),
            &name,
            limits::MAX_TAGS,
        )
        .map_err(|m| FlinkError::TooManyTags.with(m))?;
        if self.v1.snapshot(&name).is_some() {
            return Err(FlinkError::ResourceInUse.with(format!(
                "Application {name} already exists (a SQL application of the v1 API). Pick another name"
            )));
        }
        let flink = c
            .flink_application_configuration
            .clone()
            .unwrap_or_default();
        let mut config = Config {
            runtime: runtime.clone(),
            role: req.service_execution_role.clone().unwrap_or_default(),
            code: Some(code),
            checkpoint: checkpoint(flink.checkpoint_configuration.as_ref()),
            monitoring: monitoring(flink.monitoring_configuration.as_ref()),
            parallelism: parallelism(flink.parallelism_configuration.as_ref()),
            properties,
            snapshots: c
                .application_snapshot_configuration
                .and_then(|s| s.snapshots_enabled)
                .unwrap_or(false),
            rollback: c
                .application_system_rollback_configuration
                .and_then(|s| s.rollback_enabled)
                .unwrap_or(false),
            logging: Vec::new(),
        };
        let now = self.now_ms();
        let mut record = FlinkAppRecord {
            name: name.clone(),
            description: req.application_description.clone(),
            arn: crate::kinesisanalytics::ARNS.arn(&self.config, &name),
            mode: req
                .application_mode
                .clone()
                .unwrap_or_else(|| "STREAMING".into()),
            status: Status::Ready,
            pending: None,
            gone: false,
            create_ms: now,
            last_update_ms: now,
            version: 1,
            version_create_ms: now,
            lineage: (None, None, None),
            config: Config::default(),
            run: ("SKIP_RESTORE_FROM_SNAPSHOT".into(), None, false),
            maintenance_start: DEFAULT_MAINTENANCE.into(),
            tags,
            versions: Vec::new(),
            operations: Vec::new(),
            snapshots: Vec::new(),
            counter: 0,
        };
        for o in req.cloud_watch_logging_options.iter().flatten() {
            record.counter += 1;
            config.logging.push((
                format!("{}.{}", record.counter, 1),
                o.log_stream_arn.clone().unwrap_or_default(),
            ));
        }
        record.config = config;
        let detail = self.apps.insert(&name, |existing, live| {
            if let Some(e) = existing {
                return Err(FlinkError::ResourceInUse.with(format!(
                    "Application {name} already exists (status {}). Pick another name, or delete it first",
                    e.status.as_str()
                )));
            }
            let live = live.count();
            if live >= self.config.max_applications {
                return Err(FlinkError::LimitExceeded.with(format!(
                    "This account already has {live} Flink applications in {}; the limit is {}. Delete one first",
                    self.config.region, self.config.max_applications
                )));
            }
            let detail = record.detail();
            Ok(Insert::New(record, (), detail))
        })?;
        to_body(&DetailOut {
            application_detail: detail,
            operation_id: None,
        })
    }

    pub(super) fn describe_application(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: DescribeApplicationRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_name("applicationName", &req.application_name);
        v.finish()?;
        let name = req.application_name.unwrap_or_default();
        let detail = self.read(&name, |row| row.record.detail())?;
        to_body(&DetailOut {
            application_detail: detail,
            operation_id: None,
        })
    }

    pub(super) fn list_applications(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: ListApplicationsRequest = parse_body(body)?;
        let mut v = Violations::default();
        if let Some(l) = req.limit {
            v.range("limit", l, 1, 50);
        }
        if req.next_token.is_some() {
            v.application_name("nextToken", &req.next_token);
        }
        v.finish()?;
        let limit = req.limit.map_or(DEFAULT_LIMIT, |l| l as usize);
        let mut records: Vec<FlinkAppRecord> = self
            .apps
            .records()
            .into_iter()
            .filter(|r| {
                req.next_token
                    .as_ref()
                    .is_none_or(|t| r.name.as_str() >= t.as_str())
            })
            .collect();
        records.sort_by(|a, b| a.name.cmp(&b.name));
        let next = records.get(limit).map(|r| r.name.clone());
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Out {
            application_summaries: Vec<ApplicationSummary>,
            #[serde(skip_serializing_if = "Option::is_none")]
            next_token: Option<String>,
        }
        to_body(&Out {
            application_summaries: records
                .iter()
                .take(limit)
                .map(FlinkAppRecord::summary)
                .collect(),
            next_token: next,
        })
    }

    pub(super) fn delete_application(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: DeleteApplicationRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_name("applicationName", &req.application_name);
        v.required("createTimestamp", &req.create_timestamp);
        v.finish()?;
        let name = req.application_name.unwrap_or_default();
        let given = req.create_timestamp.unwrap_or_default();
        let after = self.config.lifecycle.delete_ms();
        let runner = self.runner.read().clone();
        self.mutate(&name, |r, now| {
            if !crate::protocol::same_timestamp(given, r.create_ms) {
                return Err(FlinkError::InvalidArgument.with(format!(
                    "CreateTimestamp {given} does not match the creation time of application {name} ({}). \
                     Use the CreateTimestamp that DescribeApplication returns",
                    crate::protocol::epoch_seconds(r.create_ms)
                )));
            }
            if r.status == Status::Deleting {
                return Err(FlinkError::ResourceInUse
                    .with(format!("Application {name} is already being deleted")));
            }
            r.cancel_pending(now);
            r.begin(Status::Deleting, Some(Target::Gone), now + after, None, None);
            Ok(())
        })?;
        runner.stop(&name, None);
        empty()
    }

    pub(super) fn update_application(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: UpdateApplicationRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_name("applicationName", &req.application_name);
        check::optional_version(
            &mut v,
            "currentApplicationVersionId",
            req.current_application_version_id,
        );
        check::conditional_token(&mut v, "conditionalToken", &req.conditional_token);
        if let Some(u) = &req.application_configuration_update {
            check::configuration_update(&mut v, "applicationConfigurationUpdate", u);
        }
        if req.service_execution_role_update.is_some() {
            check::required_arn(
                &mut v,
                "serviceExecutionRoleUpdate",
                &req.service_execution_role_update,
            );
        }
        if let Some(r) = req
            .run_configuration_update
            .as_ref()
            .and_then(|r| r.application_restore_configuration.as_ref())
        {
            check::restore(
                &mut v,
                "runConfigurationUpdate.applicationRestoreConfiguration",
                r,
            );
        }
        check::runtime(
            &mut v,
            "runtimeEnvironmentUpdate",
            req.runtime_environment_update.as_ref(),
        );
        v.finish()?;
        let name = req.application_name.clone().unwrap_or_default();
        if let Some(rt) = &req.runtime_environment_update {
            Self::check_flink_only(rt, None)?;
        }
        let u = req
            .application_configuration_update
            .clone()
            .unwrap_or_default();
        if u.sql_application_configuration_update.is_some()
            || u.zeppelin_application_configuration_update.is_some()
        {
            return Err(FlinkError::InvalidArgument.with(
                "SqlApplicationConfigurationUpdate and ZeppelinApplicationConfigurationUpdate do not apply to a Flink application",
            ));
        }
        if u.vpc_configuration_updates.is_some()
            || u.application_encryption_configuration_update.is_some()
        {
            return Err(FlinkError::UnsupportedOperation.with(
                "VPC and encryption configurations are not part of the kdaflow twin; leave them out",
            ));
        }
        let nothing = req.application_configuration_update.is_none()
            && req.service_execution_role_update.is_none()
            && req.run_configuration_update.is_none()
            && req.cloud_watch_logging_option_updates.is_none()
            && req.runtime_environment_update.is_none();
        if nothing {
            return Err(FlinkError::InvalidArgument.with(
                "The request changes nothing: give ApplicationConfigurationUpdate, RunConfigurationUpdate, ServiceExecutionRoleUpdate, CloudWatchLoggingOptionUpdates or RuntimeEnvironmentUpdate",
            ));
        }
        // Reading new code from S3 happens before the record is locked.
        let current = self.read(&name, |row| row.record.config.code.clone())?;
        let new_code = match &u.application_code_configuration_update {
            None => None,
            Some(cu) => {
                let content = cu.code_content_update.clone().unwrap_or_default();
                let old = current.unwrap_or_default();
                let s3 = content.s3_content_location_update.as_ref().map(|l| {
                    let (ob, ok, ov) = old.s3.clone().unwrap_or_default();
                    (
                        l.bucket_arn_update.clone().unwrap_or(ob),
                        l.file_key_update.clone().unwrap_or(ok),
                        l.object_version_update.clone().or(ov),
                    )
                });
                let content_type = cu
                    .code_content_type_update
                    .clone()
                    .unwrap_or(old.content_type.clone());
                let (zip, s3) = match (&content.zip_file_content_update, s3) {
                    (None, None) => (old.zip.clone(), old.s3.clone()),
                    (z, s) => (z.clone(), s),
                };
                Some(
                    self.code_of(
                        &content_type,
                        content.text_content_update.as_ref(),
                        zip.as_ref(),
                        s3.as_ref()
                            .map(|(b, k, v)| (b.as_str(), k.as_str(), v.as_ref())),
                    )?,
                )
            }
        };
        let properties = match &u.environment_property_updates {
            Some(e) => Some(Self::check_properties(
                e.property_groups.as_deref().unwrap_or_default(),
            )?),
            None => None,
        };
        let update_ms = self.config.lifecycle.update_ms();
        let runner = self.runner.read().clone();
        let reports = runner.reports();
        let detail = self.mutate(&name, |r, now| {
            check_version(r, req.current_application_version_id, req.conditional_token.as_deref())?;
            if busy(r.status) {
                return Err(in_use(r, "UpdateApplication", "READY or RUNNING"));
            }
            let mut c = r.config.clone();
            if let Some(code) = new_code {
                c.code = Some(code);
            }
            if let Some(p) = properties {
                c.properties = p;
            }
            if let Some(role) = &req.service_execution_role_update {
                c.role = role.clone();
            }
            if let Some(rt) = &req.runtime_environment_update {
                if flink_version(rt) < flink_version(&c.runtime) {
                    return Err(FlinkError::InvalidArgument.with(format!(
                        "RuntimeEnvironmentUpdate {rt} is older than the application's {}; in-place version upgrades go to a newer Flink only",
                        c.runtime
                    )));
                }
                c.runtime = rt.clone();
            }
            if let Some(f) = &u.flink_application_configuration_update {
                apply_flink_update(&mut c, f);
            }
            if let Some(s) = &u.application_snapshot_configuration_update {
                c.snapshots = s.snapshots_enabled_update.unwrap_or(c.snapshots);
            }
            if let Some(s) = &u.application_system_rollback_configuration_update {
                c.rollback = s.rollback_enabled_update.unwrap_or(c.rollback);
            }
            for (i, l) in req.cloud_watch_logging_option_updates.iter().flatten().enumerate() {
                let id = l.cloud_watch_logging_option_id.clone().unwrap_or_default();
                let Some(entry) = c.logging.iter_mut().find(|(x, _)| *x == id) else {
                    return Err(FlinkError::ResourceNotFound.with(format!(
                        "CloudWatchLoggingOptionUpdates.{}: application {name} has no logging option {id}",
                        i + 1
                    )));
                };
                if let Some(arn) = &l.log_stream_arn_update {
                    entry.1 = arn.clone();
                }
            }
            if let Some(run) = &req.run_configuration_update {
                apply_run(r, run.application_restore_configuration.as_ref(), run.flink_run_configuration.as_ref())?;
            }
            let from = r.version;
            r.new_version(c, now, (Some(from), None, None));
            let versions = Some((from, r.version));
            let (op, restart) = r.begin_change(
                "UpdateApplication",
                Status::Updating,
                now,
                versions,
                update_ms,
                reports,
            );
            trim_operations(r);
            Ok((r.detail(), op, restart.map(|x| (x, r.clone()))))
        })?;
        if let Some((restart, record)) = detail.2 {
            runner.restart(&record, &restart);
        }
        to_body(&DetailOut {
            application_detail: detail.0,
            operation_id: Some(detail.1),
        })
    }

    pub(super) fn rollback_application(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: RollbackApplicationRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_name("applicationName", &req.application_name);
        v.version(
            "currentApplicationVersionId",
            &req.current_application_version_id,
        );
        v.finish()?;
        let name = req.application_name.unwrap_or_default();
        let update_ms = self.config.lifecycle.update_ms();
        let runner = self.runner.read().clone();
        let reports = runner.reports();
        let (detail, op, restart) = self.mutate(&name, |r, now| {
            check_version(r, req.current_application_version_id, None)?;
            if !matches!(r.status, Status::Running | Status::Updating) {
                return Err(in_use(r, "RollbackApplication", "RUNNING or UPDATING"));
            }
            let Some(previous) = r.versions.last().cloned() else {
                return Err(FlinkError::InvalidArgument.with(format!(
                    "Application {name} has no earlier version to roll back to (it is at version {})",
                    r.version
                )));
            };
            r.cancel_pending(now);
            let from = r.version;
            r.new_version(previous.config.clone(), now, (None, Some(from), Some(previous.version)));
            let (op, restart) = r.begin_change(
                "RollbackApplication",
                Status::RollingBack,
                now,
                Some((from, r.version)),
                update_ms,
                reports,
            );
            trim_operations(r);
            Ok((r.detail(), op, restart.map(|x| (x, r.clone()))))
        })?;
        if let Some((restart, record)) = restart {
            runner.restart(&record, &restart);
        }
        to_body(&DetailOut {
            application_detail: detail,
            operation_id: Some(op),
        })
    }

    pub(super) fn list_versions(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: PageRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_name("applicationName", &req.application_name);
        check::page(&mut v, req.limit, &req.next_token);
        v.finish()?;
        let name = req.application_name.unwrap_or_default();
        // Newest first, as the service lists them.
        let all: Vec<ApplicationVersionSummary> = self.read(&name, |row| {
            let r = &row.record;
            std::iter::once((r.version, r.status))
                .chain(r.versions.iter().rev().map(|v| (v.version, v.status)))
                .map(|(id, s)| ApplicationVersionSummary {
                    application_version_id: Some(id),
                    application_status: Some(s.as_str().into()),
                })
                .collect()
        })?;
        let (page, next) = paginate(all, req.limit, req.next_token.as_deref())?;
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Out {
            application_version_summaries: Vec<ApplicationVersionSummary>,
            #[serde(skip_serializing_if = "Option::is_none")]
            next_token: Option<String>,
        }
        to_body(&Out {
            application_version_summaries: page,
            next_token: next,
        })
    }

    pub(super) fn describe_version(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: DescribeApplicationVersionRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_name("applicationName", &req.application_name);
        v.version("applicationVersionId", &req.application_version_id);
        v.finish()?;
        let name = req.application_name.unwrap_or_default();
        let id = req.application_version_id.unwrap_or_default();
        let detail = self.read(&name, |row| {
            let r = &row.record;
            if id == r.version {
                return Ok(r.detail());
            }
            r.versions
                .iter()
                .find(|v| v.version == id)
                .map(|v| r.version_detail(v))
                .ok_or_else(|| {
                    FlinkError::ResourceNotFound.with(format!(
                        "Application {name} has no version {id}; ListApplicationVersions lists them (1 to {})",
                        r.version
                    ))
                })
        })??;
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Out {
            application_version_detail: ApplicationDetail,
        }
        to_body(&Out {
            application_version_detail: detail,
        })
    }

    pub(super) fn add_logging(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: AddCloudWatchLoggingOptionRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_name("applicationName", &req.application_name);
        check::optional_version(
            &mut v,
            "currentApplicationVersionId",
            req.current_application_version_id,
        );
        check::conditional_token(&mut v, "conditionalToken", &req.conditional_token);
        if let Some(o) = v.required("cloudWatchLoggingOption", &req.cloud_watch_logging_option) {
            check::required_arn(
                &mut v,
                "cloudWatchLoggingOption.logStreamARN",
                &o.log_stream_arn,
            );
        }
        v.finish()?;
        let name = req.application_name.unwrap_or_default();
        let arn = req
            .cloud_watch_logging_option
            .and_then(|o| o.log_stream_arn)
            .unwrap_or_default();
        self.logging_change(
            &name,
            req.current_application_version_id,
            req.conditional_token.as_deref(),
            "AddApplicationCloudWatchLoggingOption",
            |r, c| {
                if c.logging.iter().any(|(_, a)| *a == arn) {
                    return Err(FlinkError::InvalidArgument
                        .with(format!("Application {} already logs to {arn}", r.name)));
                }
                r.counter += 1;
                c.logging.push((format!("{}.1", r.counter), arn.clone()));
                Ok(())
            },
        )
    }

    pub(super) fn delete_logging(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: DeleteCloudWatchLoggingOptionRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_name("applicationName", &req.application_name);
        check::optional_version(
            &mut v,
            "currentApplicationVersionId",
            req.current_application_version_id,
        );
        check::conditional_token(&mut v, "conditionalToken", &req.conditional_token);
        v.id(
            "cloudWatchLoggingOptionId",
            &req.cloud_watch_logging_option_id,
        );
        v.finish()?;
        let name = req.application_name.unwrap_or_default();
        let id = req.cloud_watch_logging_option_id.unwrap_or_default();
        self.logging_change(&name, req.current_application_version_id, req.conditional_token.as_deref(), "DeleteApplicationCloudWatchLoggingOption", |r, c| {
            let before = c.logging.len();
            c.logging.retain(|(x, _)| *x != id);
            if c.logging.len() == before {
                return Err(FlinkError::ResourceNotFound.with(format!(
                    "Application {} has no CloudWatch logging option {id}; DescribeApplication lists them",
                    r.name
                )));
            }
            Ok(())
        })
    }

    /// A logging option change: a new version, and the options of the new version in the
    /// answer (`{ApplicationARN, ApplicationVersionId, CloudWatchLoggingOptionDescriptions,
    /// OperationId}`).
    fn logging_change(
        &self,
        name: &str,
        version: Option<i64>,
        token: Option<&str>,
        operation: &str,
        f: impl FnOnce(&mut FlinkAppRecord, &mut Config) -> Result<(), AwsError>,
    ) -> Result<Bytes, AwsError> {
        let update_ms = self.config.lifecycle.update_ms();
        let runner = self.runner.read().clone();
        let reports = runner.reports();
        let detail = self.mutate(name, |r, now| {
            check_version(r, version, token)?;
            if busy(r.status) {
                return Err(in_use(r, operation, "READY or RUNNING"));
            }
            let mut c = r.config.clone();
            f(r, &mut c)?;
            let from = r.version;
            r.new_version(c, now, (Some(from), None, None));
            let versions = Some((from, r.version));
            let (op, restart) = r.begin_change(
                operation,
                Status::Updating,
                now,
                versions,
                update_ms,
                reports,
            );
            trim_operations(r);
            Ok((r.detail(), op, restart.map(|x| (x, r.clone()))))
        })?;
        let (detail, op, restart) = (detail.0, detail.1, detail.2);
        if let Some((restart, record)) = restart {
            runner.restart(&record, &restart);
        }
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Out {
            #[serde(rename = "ApplicationARN")]
            application_arn: Option<String>,
            application_version_id: Option<i64>,
            cloud_watch_logging_option_descriptions:
                Option<Vec<CloudWatchLoggingOptionDescription>>,
            operation_id: String,
        }
        to_body(&Out {
            application_arn: detail.application_arn,
            application_version_id: detail.application_version_id,
            cloud_watch_logging_option_descriptions: detail.cloud_watch_logging_option_descriptions,
            operation_id: op,
        })
    }

    pub(super) fn update_maintenance(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: UpdateMaintenanceConfigurationRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_name("applicationName", &req.application_name);
        if let Some(u) = v.required(
            "applicationMaintenanceConfigurationUpdate",
            &req.application_maintenance_configuration_update,
        ) {
            check::window_start(
                &mut v,
                "applicationMaintenanceConfigurationUpdate.applicationMaintenanceWindowStartTimeUpdate",
                &u.application_maintenance_window_start_time_update,
            );
        }
        v.finish()?;
        let name = req.application_name.unwrap_or_default();
        let start = req
            .application_maintenance_configuration_update
            .and_then(|u| u.application_maintenance_window_start_time_update)
            .unwrap_or_default();
        let detail = self.mutate(&name, |r, now| {
            if busy(r.status) {
                return Err(in_use(
                    r,
                    "UpdateApplicationMaintenanceConfiguration",
                    "READY or RUNNING",
                ));
            }
            r.maintenance_start = start;
            r.last_update_ms = now;
            Ok(r.detail())
        })?;
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Out {
            #[serde(rename = "ApplicationARN")]
            application_arn: Option<String>,
            application_maintenance_configuration_description:
                Option<ApplicationMaintenanceConfigurationDescription>,
        }
        to_body(&Out {
            application_arn: detail.application_arn,
            application_maintenance_configuration_description: detail
                .application_maintenance_configuration_description,
        })
    }

    /// The SQL-only operations: they apply to SQL-1_0 applications, which the twin creates
    /// through the v1 API.
    pub(super) fn sql_only(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: NameRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_name("applicationName", &req.application_name);
        v.finish()?;
        let name = req.application_name.unwrap_or_default();
        let runtime = self.read(&name, |row| row.record.config.runtime.clone())?;
        Err(FlinkError::InvalidArgument.with(format!(
            "Application {name} is a {runtime} application; inputs, outputs, reference data and input processing apply to SQL applications \
             (on the twin: the Kinesis Analytics v1 API). A Flink application's sources and sinks are in its code"
        )))
    }

    /// DiscoverInputSchema serves SQL applications; the twin has it in the v1 API.
    pub(super) fn discover_input_schema(&self, _body: &[u8]) -> Result<Bytes, AwsError> {
        Err(FlinkError::UnsupportedOperation.with(
            "DiscoverInputSchema is for SQL applications; on the twin call it through the Kinesis Analytics v1 API (kinesisanalytics discover-input-schema)",
        ))
    }

    // ---- tags --------------------------------------------------------------------------------

    fn name_from_arn(&self, arn: &str) -> Result<String, AwsError> {
        crate::kinesisanalytics::ARNS
            .name_of(&self.config, arn)
            .filter(|_| arn.starts_with("arn:"))
            .map(str::to_string)
            .ok_or_else(|| {
                FlinkError::ResourceNotFound.with(format!(
                    "{arn} does not name an application of account {} in {}",
                    self.config.account_id, self.config.region
                ))
            })
    }

    pub(super) fn tag_resource(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: TagResourceRequest = parse_body(body)?;
        let mut v = Violations::default();
        check::required_arn(&mut v, "resourceARN", &req.resource_arn);
        if let Some(t) = v.required("tags", &req.tags) {
            v.tags("tags", t);
        }
        v.finish()?;
        let name = self.name_from_arn(req.resource_arn.as_deref().unwrap_or_default())?;
        let new = crate::kinesisanalytics::collect_tags(req.tags.as_deref().unwrap_or_default());
        self.mutate(&name, |r, _| {
            r.tags = crate::kinesisanalytics::merge_tags(&r.tags, new, &name, limits::MAX_TAGS)
                .map_err(|m| FlinkError::TooManyTags.with(m))?;
            Ok(())
        })?;
        empty()
    }

    pub(super) fn untag_resource(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: UntagResourceRequest = parse_body(body)?;
        let mut v = Violations::default();
        check::required_arn(&mut v, "resourceARN", &req.resource_arn);
        if let Some(k) = v.required("tagKeys", &req.tag_keys) {
            v.tag_keys("tagKeys", k);
        }
        v.finish()?;
        let name = self.name_from_arn(req.resource_arn.as_deref().unwrap_or_default())?;
        let keys = req.tag_keys.unwrap_or_default();
        self.mutate(&name, |r, _| {
            r.tags.retain(|k, _| !keys.contains(k));
            Ok(())
        })?;
        empty()
    }

    pub(super) fn list_tags(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: ListTagsRequest = parse_body(body)?;
        let mut v = Violations::default();
        check::required_arn(&mut v, "resourceARN", &req.resource_arn);
        v.finish()?;
        let name = self.name_from_arn(req.resource_arn.as_deref().unwrap_or_default())?;
        self.read(&name, |row| {
            crate::kinesisanalytics::tags_body(&row.record.tags)
        })?
    }
}

/// Flink's version as a sortable pair (`FLINK-1_20` -> (1, 20)).
fn flink_version(runtime: &str) -> (u32, u32) {
    let v = runtime.trim_start_matches("FLINK-");
    let (a, b) = v.split_once('_').unwrap_or((v, "0"));
    (a.parse().unwrap_or(0), b.parse().unwrap_or(0))
}

/// The checkpoint settings: DEFAULT is the service's (enabled, every 60 s, 5 s apart) whatever
/// else is given, as the API reference says.
fn checkpoint(c: Option<&CheckpointConfiguration>) -> (String, bool, i64, i64) {
    match c {
        Some(c) if c.configuration_type.as_deref() == Some("CUSTOM") => (
            "CUSTOM".into(),
            c.checkpointing_enabled.unwrap_or(true),
            c.checkpoint_interval.unwrap_or(60_000),
            c.min_pause_between_checkpoints.unwrap_or(5_000),
        ),
        _ => ("DEFAULT".into(), true, 60_000, 5_000),
    }
}

/// The monitoring settings: DEFAULT is APPLICATION metrics at INFO.
fn monitoring(c: Option<&MonitoringConfiguration>) -> (String, String, String) {
    match c {
        Some(c) if c.configuration_type.as_deref() == Some("CUSTOM") => (
            "CUSTOM".into(),
            c.metrics_level
                .clone()
                .unwrap_or_else(|| "APPLICATION".into()),
            c.log_level.clone().unwrap_or_else(|| "INFO".into()),
        ),
        _ => ("DEFAULT".into(), "APPLICATION".into(), "INFO".into()),
    }
}

/// The parallelism settings: DEFAULT is parallelism 1, 1 per KPU, auto scaling on.
fn parallelism(c: Option<&ParallelismConfiguration>) -> (String, i64, i64, bool) {
    match c {
        Some(c) if c.configuration_type.as_deref() == Some("CUSTOM") => (
            "CUSTOM".into(),
            c.parallelism.unwrap_or(1),
            c.parallelism_per_kpu.unwrap_or(1),
            c.auto_scaling_enabled.unwrap_or(true),
        ),
        _ => ("DEFAULT".into(), 1, 1, true),
    }
}

fn apply_flink_update(c: &mut Config, f: &FlinkApplicationConfigurationUpdate) {
    if let Some(u) = &f.checkpoint_configuration_update {
        let (t, e, i, p) = c.checkpoint.clone();
        c.checkpoint = checkpoint(Some(&CheckpointConfiguration {
            configuration_type: u.configuration_type_update.clone().or(Some(t)),
            checkpointing_enabled: u.checkpointing_enabled_update.or(Some(e)),
            checkpoint_interval: u.checkpoint_interval_update.or(Some(i)),
            min_pause_between_checkpoints: u.min_pause_between_checkpoints_update.or(Some(p)),
        }));
    }
    if let Some(u) = &f.monitoring_configuration_update {
        let (t, m, l) = c.monitoring.clone();
        c.monitoring = monitoring(Some(&MonitoringConfiguration {
            configuration_type: u.configuration_type_update.clone().or(Some(t)),
            metrics_level: u.metrics_level_update.clone().or(Some(m)),
            log_level: u.log_level_update.clone().or(Some(l)),
        }));
    }
    if let Some(u) = &f.parallelism_configuration_update {
        let (t, p, k, a) = c.parallelism.clone();
        c.parallelism = parallelism(Some(&ParallelismConfiguration {
            configuration_type: u.configuration_type_update.clone().or(Some(t)),
            parallelism: u.parallelism_update.or(Some(p)),
            parallelism_per_kpu: u.parallelism_per_kpu_update.or(Some(k)),
            auto_scaling_enabled: u.auto_scaling_enabled_update.or(Some(a)),
        }));
    }
}

/// Applies a run configuration (StartApplication's, or UpdateApplication's for the restart):
/// RESTORE_FROM_CUSTOM_SNAPSHOT needs a READY snapshot of this application by that name.
pub(super) fn apply_run(
    r: &mut FlinkAppRecord,
    restore: Option<&ApplicationRestoreConfiguration>,
    flink: Option<&FlinkRunConfiguration>,
) -> Result<(), AwsError> {
    if let Some(x) = restore {
        let kind = x.application_restore_type.clone().unwrap_or_default();
        match (kind.as_str(), &x.snapshot_name) {
            ("RESTORE_FROM_CUSTOM_SNAPSHOT", None) => {
                return Err(FlinkError::InvalidArgument.with(
                    "RESTORE_FROM_CUSTOM_SNAPSHOT needs a SnapshotName (ListApplicationSnapshots lists them)",
                ));
            }
            ("RESTORE_FROM_CUSTOM_SNAPSHOT", Some(s))
                if !r.snapshots.iter().any(|x| &x.name == s) =>
            {
                return Err(FlinkError::ResourceNotFound.with(format!(
                    "Application {} has no snapshot {s}; ListApplicationSnapshots lists them",
                    r.name
                )));
            }
            ("RESTORE_FROM_CUSTOM_SNAPSHOT", Some(_)) => {}
            (_, Some(_)) => {
                return Err(FlinkError::InvalidArgument.with(format!(
                    "SnapshotName goes with RESTORE_FROM_CUSTOM_SNAPSHOT only, not with {kind}"
                )));
            }
            _ => {}
        }
        r.run.0 = kind;
        r.run.1 = x.snapshot_name.clone();
    }
    if let Some(f) = flink
        && let Some(a) = f.allow_non_restored_state
    {
        r.run.2 = a;
    }
    Ok(())
}

/// Keeps the newest [`limits::MAX_OPERATIONS`] operations.
pub(super) fn trim_operations(r: &mut FlinkAppRecord) {
    let n = r.operations.len();
    if n > limits::MAX_OPERATIONS {
        r.operations.drain(..n - limits::MAX_OPERATIONS);
    }
}

/// One page of `items` after `token` (an offset the service handed out), and the next token.
pub(super) fn paginate<T>(
    items: Vec<T>,
    limit: Option<i64>,
    token: Option<&str>,
) -> Result<(Vec<T>, Option<String>), AwsError> {
    let start: usize = match token {
        None => 0,
        Some(t) => t
            .strip_prefix("page-")
            .and_then(|n| n.parse().ok())
            .filter(|n| *n <= items.len())
            .ok_or_else(|| {
                FlinkError::InvalidArgument.with(format!(
                    "NextToken {t} was not handed out by this list; start again without it"
                ))
            })?,
    };
    let limit = limit.map_or(DEFAULT_LIMIT, |l| l as usize);
    let total = items.len();
    let page: Vec<T> = items.into_iter().skip(start).take(limit).collect();
    let next = (start + limit < total).then(|| format!("page-{}", start + limit));
    Ok((page, next))
}
