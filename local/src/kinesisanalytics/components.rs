//! The Add*/Delete* operations that change one part of an application's configuration, and the
//! shared rule they all follow: the caller's version must be current, the application READY or
//! RUNNING; the change raises the version by one and puts the application in UPDATING for the
//! configured update duration, after which it returns to the status it had.

use super::error::KinesisAnalyticsError;
use bytes::Bytes;

use super::app::{self, AppRecord, Status, Target};
use super::model::*;
use super::validate::Violations;
use super::{KinesisAnalytics, check_updatable, check_version, empty, rules};
use crate::protocol::{AwsError, parse_body};

fn invalid(message: impl Into<String>) -> AwsError {
    KinesisAnalyticsError::InvalidArgument.with(message)
}

fn missing(kind: &str, id: &str, app: &str) -> AwsError {
    KinesisAnalyticsError::ResourceNotFound.with(format!(
        "Application {app} has no {kind} with id {id}; DescribeApplication lists the ids"
    ))
}

impl KinesisAnalytics {
    /// Applies one configuration change under the version and status rules.
    pub(super) fn change(
        &self,
        name: &str,
        version: i64,
        operation: &str,
        check_code: bool,
        f: impl FnOnce(&mut AppRecord) -> Result<(), AwsError>,
    ) -> Result<(), AwsError> {
        let update_ms = self.config.lifecycle.update_ms();
        self.mutate(name, |r, now| {
            check_version(r, version)?;
            check_updatable(r, operation)?;
            f(r)?;
            rules::check_limits(r.inputs.len(), r.outputs.len(), r.references.len())?;
            if check_code {
                self.validate_code(r)?;
            }
            r.bump(now);
            let back = r.status;
            r.begin(Status::Updating, Some(Target::Status(back)), now, update_ms);
            Ok(())
        })
    }

    pub(super) fn add_input(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: AddInputRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_name("applicationName", &req.application_name);
        v.version(
            "currentApplicationVersionId",
            &req.current_application_version_id,
        );
        if let Some(i) = v.required("input", &req.input) {
            v.input("input", i);
        }
        v.finish()?;
        let input = req.input.unwrap_or_default();
        rules::check_input(&input)?;
        let name = req.application_name.unwrap_or_default();
        self.change(
            &name,
            req.current_application_version_id.unwrap_or_default(),
            "AddApplicationInput",
            true,
            |r| {
                if !r.inputs.is_empty() {
                    return Err(invalid(format!(
                        "Application {} already has an input; an application can have only one streaming source",
                        r.name
                    )));
                }
                let id = r.ids.next_input();
                r.inputs.push(app::describe_input(id, &input));
                Ok(())
            },
        )?;
        empty()
    }

    pub(super) fn add_output(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: AddOutputRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_name("applicationName", &req.application_name);
        v.version(
            "currentApplicationVersionId",
            &req.current_application_version_id,
        );
        if let Some(o) = v.required("output", &req.output) {
            v.output("output", o);
        }
        v.finish()?;
        let output = req.output.unwrap_or_default();
        rules::check_output(&output)?;
        let name = req.application_name.unwrap_or_default();
        self.change(
            &name,
            req.current_application_version_id.unwrap_or_default(),
            "AddApplicationOutput",
            true,
            |r| {
                let id = r.ids.next_output();
                r.outputs.push(app::describe_output(id, &output));
                Ok(())
            },
        )?;
        empty()
    }

    pub(super) fn add_input_processing(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: AddInputProcessingRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_name("applicationName", &req.application_name);
        v.version(
            "currentApplicationVersionId",
            &req.current_application_version_id,
        );
        v.id("inputId", &req.input_id);
        if let Some(c) = v.required(
            "inputProcessingConfiguration",
            &req.input_processing_configuration,
        ) {
            v.processing("inputProcessingConfiguration", c);
        }
        v.finish()?;
        let name = req.application_name.unwrap_or_default();
        let input_id = req.input_id.unwrap_or_default();
        let config = req.input_processing_configuration.unwrap_or_default();
        self.change(
            &name,
            req.current_application_version_id.unwrap_or_default(),
            "AddApplicationInputProcessingConfiguration",
            false,
            |r| {
                let app_name = r.name.clone();
                let input = r
                    .inputs
                    .iter_mut()
                    .find(|i| i.input_id.as_deref() == Some(&input_id))
                    .ok_or_else(|| missing("input", &input_id, &app_name))?;
                if input.input_processing_configuration_description.is_some() {
                    return Err(invalid(format!(
                        "Input {input_id} already has an input processing configuration; delete it first"
                    )));
                }
                input.input_processing_configuration_description = Some(app::describe_processing(&config));
                Ok(())
            },
        )?;
        empty()
    }

    pub(super) fn add_reference(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: AddReferenceRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_name("applicationName", &req.application_name);
        v.version(
            "currentApplicationVersionId",
            &req.current_application_version_id,
        );
        if let Some(r) = v.required("referenceDataSource", &req.reference_data_source) {
            v.reference("referenceDataSource", r);
        }
        v.finish()?;
        let source = req.reference_data_source.unwrap_or_default();
        if let Some(s) = &source.reference_schema {
            rules::check_schema("ReferenceSchema", s)?;
        }
        let name = req.application_name.unwrap_or_default();
        self.change(
            &name,
            req.current_application_version_id.unwrap_or_default(),
            "AddApplicationReferenceDataSource",
            true,
            |r| {
                let id = r.ids.next_reference();
                r.references.push(app::describe_reference(id, &source));
                Ok(())
            },
        )?;
        empty()
    }

    pub(super) fn add_logging(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: AddLoggingRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_name("applicationName", &req.application_name);
        v.version(
            "currentApplicationVersionId",
            &req.current_application_version_id,
        );
        if let Some(c) = v.required("cloudWatchLoggingOption", &req.cloud_watch_logging_option) {
            v.logging("cloudWatchLoggingOption", c);
        }
        v.finish()?;
        let option = req.cloud_watch_logging_option.unwrap_or_default();
        let name = req.application_name.unwrap_or_default();
        self.change(
            &name,
            req.current_application_version_id.unwrap_or_default(),
            "AddApplicationCloudWatchLoggingOption",
            false,
            |r| {
                if r.logging
                    .iter()
                    .any(|l| l.log_stream_arn == option.log_stream_arn)
                {
                    return Err(invalid(format!(
                        "Application {} already logs to {}",
                        r.name,
                        option.log_stream_arn.as_deref().unwrap_or_default()
                    )));
                }
                let id = r.ids.next_logging();
                r.logging.push(app::describe_logging(id, &option));
                Ok(())
            },
        )?;
        empty()
    }

    fn delete_component(
        &self,
        body: &[u8],
        operation: &str,
        id_member: &str,
        pick: fn(&DeleteComponentRequest) -> &Option<String>,
        remove: impl FnOnce(&mut AppRecord, &str) -> Result<(), AwsError>,
    ) -> Result<Bytes, AwsError> {
        let req: DeleteComponentRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_name("applicationName", &req.application_name);
        v.version(
            "currentApplicationVersionId",
            &req.current_application_version_id,
        );
        v.id(id_member, pick(&req));
        v.finish()?;
        let name = req.application_name.clone().unwrap_or_default();
        let id = pick(&req).clone().unwrap_or_default();
        self.change(
            &name,
            req.current_application_version_id.unwrap_or_default(),
            operation,
            operation == "DeleteApplicationOutput",
            |r| remove(r, &id),
        )?;
        empty()
    }

    pub(super) fn delete_output(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        self.delete_component(
            body,
            "DeleteApplicationOutput",
            "outputId",
            |r| &r.output_id,
            |r, id| {
                let before = r.outputs.len();
                r.outputs.retain(|o| o.output_id.as_deref() != Some(id));
                if r.outputs.len() == before {
                    return Err(missing("output", id, &r.name));
                }
                Ok(())
            },
        )
    }

    pub(super) fn delete_input_processing(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        self.delete_component(
            body,
            "DeleteApplicationInputProcessingConfiguration",
            "inputId",
            |r| &r.input_id,
            |r, id| {
                let app_name = r.name.clone();
                let input = r
                    .inputs
                    .iter_mut()
                    .find(|i| i.input_id.as_deref() == Some(id))
                    .ok_or_else(|| missing("input", id, &app_name))?;
                if input
                    .input_processing_configuration_description
                    .take()
                    .is_none()
                {
                    return Err(missing(
                        "input processing configuration on input",
                        id,
                        &app_name,
                    ));
                }
                Ok(())
            },
        )
    }

    pub(super) fn delete_reference(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        self.delete_component(
            body,
            "DeleteApplicationReferenceDataSource",
            "referenceId",
            |r| &r.reference_id,
            |r, id| {
                let before = r.references.len();
                r.references
                    .retain(|x| x.reference_id.as_deref() != Some(id));
                if r.references.len() == before {
                    return Err(missing("reference data source", id, &r.name));
                }
                Ok(())
            },
        )
    }

    pub(super) fn delete_logging(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        self.delete_component(
            body,
            "DeleteApplicationCloudWatchLoggingOption",
            "cloudWatchLoggingOptionId",
            |r| &r.cloud_watch_logging_option_id,
            |r, id| {
                let before = r.logging.len();
                r.logging
                    .retain(|x| x.cloud_watch_logging_option_id.as_deref() != Some(id));
                if r.logging.len() == before {
                    return Err(missing("CloudWatch logging option", id, &r.name));
                }
                Ok(())
            },
        )
    }
}
