//! TagResource, UntagResource, ListTagsForResource (addressed by the application's ARN).

use super::error::KinesisAnalyticsError;
use bytes::Bytes;
use serde::Serialize;

use super::app::Status;
use super::application::{collect_tags, merge_tags};
use super::model::*;
use super::validate::Violations;
use super::{KinesisAnalytics, empty, limits};
use crate::protocol::{AwsError, parse_body, to_body};

impl KinesisAnalytics {
    /// The application an ARN names on this twin (its region and account), or
    /// `ResourceNotFoundException`.
    fn name_from_arn(&self, arn: &str) -> Result<String, AwsError> {
        let prefix = format!(
            "arn:aws:kinesisanalytics:{}:{}:application/",
            self.config.region, self.config.account_id
        );
        arn.strip_prefix(&prefix)
            .map(str::to_string)
            .ok_or_else(|| {
                KinesisAnalyticsError::ResourceNotFound.with(format!(
                    "{arn} does not name an application of account {} in {}",
                    self.config.account_id, self.config.region
                ))
            })
    }

    pub(super) fn tag_resource(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: TagResourceRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_arn("resourceARN", &req.resource_arn);
        if let Some(t) = v.required("tags", &req.tags) {
            v.tags("tags", t);
        }
        v.finish()?;
        let name = self.name_from_arn(req.resource_arn.as_deref().unwrap_or_default())?;
        let new = collect_tags(req.tags.as_deref().unwrap_or_default());
        self.mutate(&name, |r, _| {
            if r.status == Status::Deleting {
                return Err(KinesisAnalyticsError::ResourceInUse
                    .with(format!("Application {name} is being deleted")));
            }
            r.tags = merge_tags(&r.tags, new, &name, limits::MAX_TAGS)
                .map_err(|m| KinesisAnalyticsError::TooManyTags.with(m))?;
            Ok(())
        })?;
        empty()
    }

    pub(super) fn untag_resource(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: UntagResourceRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_arn("resourceARN", &req.resource_arn);
        if let Some(k) = v.required("tagKeys", &req.tag_keys) {
            v.tag_keys("tagKeys", k);
        }
        v.finish()?;
        let name = self.name_from_arn(req.resource_arn.as_deref().unwrap_or_default())?;
        let keys = req.tag_keys.unwrap_or_default();
        self.mutate(&name, |r, _| {
            if r.status == Status::Deleting {
                return Err(KinesisAnalyticsError::ResourceInUse
                    .with(format!("Application {name} is being deleted")));
            }
            r.tags.retain(|k, _| !keys.contains(k));
            Ok(())
        })?;
        empty()
    }

    pub(super) fn list_tags(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: ListTagsRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_arn("resourceARN", &req.resource_arn);
        v.finish()?;
        let name = self.name_from_arn(req.resource_arn.as_deref().unwrap_or_default())?;
        self.read(&name, |e| tags_body(&e.record.tags))?
    }
}

/// The ListTagsForResource answer for `tags` (v1 and v2 answer alike).
pub(crate) fn tags_body(tags: &indexmap::IndexMap<String, String>) -> Result<Bytes, AwsError> {
    #[derive(Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Out {
        tags: Vec<Tag>,
    }
    to_body(&Out {
        tags: tags
            .iter()
            .map(|(k, v)| Tag {
                key: Some(k.clone()),
                value: Some(v.clone()),
            })
            .collect(),
    })
}
