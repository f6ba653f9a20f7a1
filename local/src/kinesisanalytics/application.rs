//! CreateApplication, DescribeApplication, ListApplications, DeleteApplication.

use std::sync::Arc;

use bytes::Bytes;
use indexmap::IndexMap;
use parking_lot::Mutex;
use serde::Serialize;

use super::app::{self, AppRecord, IdCounters, Status, Target};
use super::model::*;
use super::validate::Violations;
use super::{Entry, KinesisAnalytics, empty, limits, rules};
use crate::protocol::{AwsError, parse_body, to_body};

/// ListApplications' page size when `Limit` is absent (the model's maximum).
const DEFAULT_LIST_LIMIT: i64 = 50;

impl KinesisAnalytics {
    pub(super) fn create_application(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: CreateApplicationRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_name("applicationName", &req.application_name);
        if let Some(d) = &req.application_description {
            v.len("applicationDescription", d, 0, 1024);
        }
        v.code("applicationCode", req.application_code.as_ref());
        for (i, input) in req.inputs.iter().flatten().enumerate() {
            v.input(&format!("inputs.{}.member", i + 1), input);
        }
        for (i, output) in req.outputs.iter().flatten().enumerate() {
            v.output(&format!("outputs.{}.member", i + 1), output);
        }
        for (i, c) in req.cloud_watch_logging_options.iter().flatten().enumerate() {
            v.logging(&format!("cloudWatchLoggingOptions.{}.member", i + 1), c);
        }
        if let Some(tags) = &req.tags {
            v.tags("tags", tags);
        }
        v.finish()?;

        let name = req.application_name.clone().unwrap_or_default();
        let inputs = req.inputs.clone().unwrap_or_default();
        let outputs = req.outputs.clone().unwrap_or_default();
        rules::check_limits(inputs.len(), outputs.len(), 0)?;
        inputs.iter().try_for_each(rules::check_input)?;
        outputs.iter().try_for_each(rules::check_output)?;
        let tags = collect_tags(req.tags.as_deref().unwrap_or_default());
        if tags.len() > limits::MAX_TAGS {
            return Err(AwsError::client(
                "TooManyTagsException",
                format!(
                    "Application {name} would have {} tags; an application can have at most {}",
                    tags.len(),
                    limits::MAX_TAGS
                ),
            ));
        }

        let now = self.now_ms();
        let mut ids = IdCounters::default();
        let mut record = AppRecord {
            name: name.clone(),
            description: req.application_description.clone(),
            arn: self.arn(&name),
            status: Status::Ready,
            pending: None,
            gone: false,
            create_ms: now,
            last_update_ms: now,
            version: 1,
            code: req.application_code.clone(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            references: Vec::new(),
            logging: Vec::new(),
            tags,
            ids: IdCounters::default(),
        };
        record.inputs = inputs
            .iter()
            .map(|i| app::describe_input(ids.next_input(), i))
            .collect();
        record.outputs = outputs
            .iter()
            .map(|o| app::describe_output(ids.next_output(), o))
            .collect();
        record.logging = req
            .cloud_watch_logging_options
            .iter()
            .flatten()
            .map(|c| app::describe_logging(ids.next_logging(), c))
            .collect();
        record.ids = ids;
        self.validate_code(&record)?;

        // Names and the application count are decided under the map's write lock.
        let mut apps = self.apps.write();
        let mut live = 0usize;
        for (n, e) in apps.iter() {
            let mut e = e.lock();
            e.record.settle(now);
            if e.record.gone {
                // A gone record under this name is simply replaced below.
                continue;
            }
            if n == &name {
                return Err(AwsError::client(
                    "ResourceInUseException",
                    format!(
                        "Application {name} already exists (status {}). Pick another name, or delete it first",
                        e.record.status.as_str()
                    ),
                ));
            }
            live += 1;
        }
        if live >= self.config.max_applications {
            return Err(AwsError::client(
                "LimitExceededException",
                format!(
                    "This account already has {live} applications in {}; the limit is {}. Delete one first",
                    self.config.region, self.config.max_applications
                ),
            ));
        }
        self.persist(&record)?;
        let summary = record.summary();
        apps.insert(
            name,
            Arc::new(Mutex::new(Entry {
                record,
                describe_cache: None,
            })),
        );
        drop(apps);

        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Out {
            application_summary: ApplicationSummary,
        }
        to_body(&Out {
            application_summary: summary,
        })
    }

    pub(super) fn describe_application(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: NameRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_name("applicationName", &req.application_name);
        v.finish()?;
        let name = req.application_name.unwrap_or_default();
        self.read(&name, |entry| {
            if let Some((status, bytes)) = &entry.describe_cache
                && *status == entry.record.status
            {
                return Ok(bytes.clone());
            }
            #[derive(Serialize)]
            #[serde(rename_all = "PascalCase")]
            struct Out {
                application_detail: ApplicationDetail,
            }
            let bytes = to_body(&Out {
                application_detail: entry.record.detail(),
            })?;
            entry.describe_cache = Some((entry.record.status, bytes.clone()));
            Ok(bytes)
        })?
    }

    pub(super) fn list_applications(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: ListApplicationsRequest = parse_body(body)?;
        let mut v = Violations::default();
        if let Some(l) = req.limit {
            v.range("limit", l, 1, 50);
        }
        if req.exclusive_start_application_name.is_some() {
            v.application_name(
                "exclusiveStartApplicationName",
                &req.exclusive_start_application_name,
            );
        }
        v.finish()?;
        let limit = req.limit.unwrap_or(DEFAULT_LIST_LIMIT) as usize;
        let now = self.now_ms();
        let entries: Vec<_> = {
            let apps = self.apps.read();
            let start = req.exclusive_start_application_name.clone();
            apps.iter()
                .filter(|(n, _)| start.as_ref().is_none_or(|s| n.as_str() > s.as_str()))
                .map(|(_, e)| e.clone())
                .collect()
        };
        let mut summaries = Vec::new();
        let mut more = false;
        for e in entries {
            let mut e = e.lock();
            e.record.settle(now);
            if e.record.gone {
                continue;
            }
            if summaries.len() == limit {
                more = true;
                break;
            }
            summaries.push(e.record.summary());
        }
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Out {
            application_summaries: Vec<ApplicationSummary>,
            has_more_applications: bool,
        }
        to_body(&Out {
            application_summaries: summaries,
            has_more_applications: more,
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
        self.mutate(&name, |r, now| {
            // The service identifies the application by name *and* creation time, so that a
            // delete meant for an older application of the same name cannot remove a new one.
            if ((given * 1000.0).round() as i64 - r.create_ms).abs() > 1 {
                return Err(AwsError::client(
                    "InvalidArgumentException",
                    format!(
                        "CreateTimestamp {given} does not match the creation time of application {name} ({}). \
                         Use the CreateTimestamp that DescribeApplication returns",
                        app::epoch_seconds(r.create_ms)
                    ),
                ));
            }
            if r.status == Status::Deleting {
                return Err(AwsError::client(
                    "ResourceInUseException",
                    format!("Application {name} is already being deleted"),
                ));
            }
            r.begin(Status::Deleting, Some(Target::Gone), now, after);
            Ok(())
        })?;
        empty()
    }
}

/// Tags as a map; a later duplicate key overwrites an earlier one, as TagResource does.
pub(super) fn collect_tags(tags: &[Tag]) -> IndexMap<String, String> {
    tags.iter()
        .map(|t| {
            (
                t.key.clone().unwrap_or_default(),
                t.value.clone().unwrap_or_default(),
            )
        })
        .collect()
}
