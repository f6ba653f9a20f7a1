//! CreateApplication, DescribeApplication, ListApplications, DeleteApplication.

use bytes::Bytes;
use indexmap::IndexMap;
use serde::Serialize;

use super::error::KinesisAnalyticsError;

use super::app::{self, AppRecord, IdCounters, Status, Target};
use super::model::*;
use super::validate::Violations;
use super::{KinesisAnalytics, empty, limits, rules};
use crate::protocol::{AwsError, parse_body, to_body};
use crate::resources::Insert;

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
        let tags = merge_tags(
            &IndexMap::new(),
            collect_tags(req.tags.as_deref().unwrap_or_default()),
            &name,
            limits::MAX_TAGS,
        )
        .map_err(|m| KinesisAnalyticsError::TooManyTags.with(m))?;

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

        // Names and the application count are decided under the table's write lock.
        let summary = self.apps.insert(&name, |existing, live| {
            if let Some(e) = existing {
                return Err(KinesisAnalyticsError::ResourceInUse.with(format!(
                    "Application {name} already exists (status {}). Pick another name, or delete it first",
                    e.status.as_str()
                )));
            }
            let live = live.count();
            if live >= self.config.max_applications {
                return Err(KinesisAnalyticsError::LimitExceeded.with(format!(
                    "This account already has {live} applications in {}; the limit is {}. Delete one first",
                    self.config.region, self.config.max_applications
                )));
            }
            let summary = record.summary();
            Ok(Insert::New(record, None, summary))
        })?;

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
        self.read(&name, |row| {
            if let Some((generation, status, bytes)) = &row.extra
                && *generation == row.generation
                && *status == row.record.status
            {
                return Ok(bytes.clone());
            }
            #[derive(Serialize)]
            #[serde(rename_all = "PascalCase")]
            struct Out {
                application_detail: ApplicationDetail,
            }
            let bytes = to_body(&Out {
                application_detail: row.record.detail(),
            })?;
            row.extra = Some((row.generation, row.record.status, bytes.clone()));
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
        // Applications are listed in name order, after ExclusiveStartApplicationName.
        let start = req.exclusive_start_application_name.clone();
        let mut records: Vec<AppRecord> = self
            .apps
            .records()
            .into_iter()
            .filter(|r| start.as_ref().is_none_or(|s| r.name.as_str() > s.as_str()))
            .collect();
        records.sort_by(|a, b| a.name.cmp(&b.name));
        let more = records.len() > limit;
        let summaries: Vec<ApplicationSummary> =
            records.iter().take(limit).map(AppRecord::summary).collect();
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
            if !crate::protocol::same_timestamp(given, r.create_ms) {
                return Err(KinesisAnalyticsError::InvalidArgument.with(format!(
                        "CreateTimestamp {given} does not match the creation time of application {name} ({}). \
                         Use the CreateTimestamp that DescribeApplication returns",
                        app::epoch_seconds(r.create_ms)
                    ),
                ));
            }
            if r.status == Status::Deleting {
                return Err(KinesisAnalyticsError::ResourceInUse.with(format!("Application {name} is already being deleted"),
                ));
            }
            r.begin(Status::Deleting, Some(Target::Gone), now, after);
            Ok(())
        })?;
        empty()
    }
}

/// `current` with `new` merged in (a later key overwrites an earlier one, as TagResource
/// does), or, when application `name` would have more than `max` tags, the message of its
/// `TooManyTagsException` (v1 and v2 word it alike).
pub(crate) fn merge_tags(
    current: &IndexMap<String, String>,
    new: IndexMap<String, String>,
    name: &str,
    max: usize,
) -> Result<IndexMap<String, String>, String> {
    let mut merged = current.clone();
    merged.extend(new);
    if merged.len() > max {
        return Err(format!(
            "Application {name} would have {} tags; an application can have at most {max}",
            merged.len()
        ));
    }
    Ok(merged)
}

/// Tags as a map; a later duplicate key overwrites an earlier one, as TagResource does.
pub(crate) fn collect_tags(tags: &[Tag]) -> IndexMap<String, String> {
    tags.iter()
        .map(|t| {
            (
                t.key.clone().unwrap_or_default(),
                t.value.clone().unwrap_or_default(),
            )
        })
        .collect()
}
