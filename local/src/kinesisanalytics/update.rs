//! UpdateApplication: several changes at once, applied together or not at all.

use super::error::KinesisAnalyticsError;
use bytes::Bytes;

use super::app::{self, AppRecord};
use super::model::*;
use super::validate::Violations;
use super::{KinesisAnalytics, empty, rules};
use crate::protocol::{AwsError, parse_body};

fn invalid(message: impl Into<String>) -> AwsError {
    KinesisAnalyticsError::InvalidArgument.with(message)
}

/// Merges a `{ResourceARNUpdate, RoleARNUpdate}` into an existing pair; switching to a source or
/// destination the application did not have needs both members.
fn merge(
    current: Option<&ResourceRole>,
    update: &ResourceRoleUpdate,
    what: &str,
) -> Result<ResourceRole, AwsError> {
    let resource_arn = update
        .resource_arn_update
        .clone()
        .or_else(|| current.and_then(|c| c.resource_arn.clone()));
    let role_arn = update
        .role_arn_update
        .clone()
        .or_else(|| current.and_then(|c| c.role_arn.clone()));
    if resource_arn.is_none() || role_arn.is_none() {
        return Err(invalid(format!(
            "{what} sets a new source or destination and needs both ResourceARNUpdate and RoleARNUpdate"
        )));
    }
    Ok(ResourceRole {
        resource_arn,
        role_arn,
    })
}

fn apply_input(r: &mut AppRecord, u: &InputUpdate) -> Result<(), AwsError> {
    let id = u.input_id.as_deref().unwrap_or_default();
    let app_name = r.name.clone();
    let input = r
        .inputs
        .iter_mut()
        .find(|i| i.input_id.as_deref() == Some(id))
        .ok_or_else(|| invalid(format!("Application {app_name} has no input with id {id}")))?;
    if let Some(p) = &u.name_prefix_update {
        input.name_prefix = Some(p.clone());
    }
    if let Some(c) = u
        .input_parallelism_update
        .as_ref()
        .and_then(|p| p.count_update)
    {
        input.input_parallelism = Some(InputParallelism { count: Some(c) });
    }
    let prefix = input.name_prefix.clone().unwrap_or_default();
    let count = input
        .input_parallelism
        .as_ref()
        .and_then(|p| p.count)
        .unwrap_or(1);
    input.in_app_stream_names = Some(app::in_app_stream_names(&prefix, count));
    if let Some(p) = u
        .input_processing_configuration_update
        .as_ref()
        .and_then(|p| p.input_lambda_processor_update.as_ref())
    {
        let current = input
            .input_processing_configuration_description
            .as_ref()
            .and_then(|d| d.input_lambda_processor_description.as_ref());
        let merged = merge(current, p, "InputLambdaProcessorUpdate")?;
        input.input_processing_configuration_description =
            Some(InputProcessingConfigurationDescription {
                input_lambda_processor_description: Some(merged),
            });
    }
    match (
        &u.kinesis_streams_input_update,
        &u.kinesis_firehose_input_update,
    ) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                "An input update can set KinesisStreamsInputUpdate or KinesisFirehoseInputUpdate, not both",
            ));
        }
        (Some(k), None) => {
            let merged = merge(
                input.kinesis_streams_input_description.as_ref(),
                k,
                "KinesisStreamsInputUpdate",
            )?;
            input.kinesis_streams_input_description = Some(merged);
            input.kinesis_firehose_input_description = None;
        }
        (None, Some(f)) => {
            let merged = merge(
                input.kinesis_firehose_input_description.as_ref(),
                f,
                "KinesisFirehoseInputUpdate",
            )?;
            input.kinesis_firehose_input_description = Some(merged);
            input.kinesis_streams_input_description = None;
        }
        (None, None) => {}
    }
    if let Some(s) = &u.input_schema_update {
        let schema = input.input_schema.get_or_insert_with(SourceSchema::default);
        if let Some(f) = &s.record_format_update {
            schema.record_format = Some(f.clone());
        }
        if let Some(e) = &s.record_encoding_update {
            schema.record_encoding = Some(e.clone());
        }
        if let Some(c) = &s.record_column_updates {
            schema.record_columns = Some(c.clone());
        }
        rules::check_schema("InputSchemaUpdate", schema)?;
    }
    Ok(())
}

fn apply_output(r: &mut AppRecord, u: &OutputUpdate) -> Result<(), AwsError> {
    let id = u.output_id.as_deref().unwrap_or_default();
    let app_name = r.name.clone();
    let output = r
        .outputs
        .iter_mut()
        .find(|o| o.output_id.as_deref() == Some(id))
        .ok_or_else(|| invalid(format!("Application {app_name} has no output with id {id}")))?;
    if let Some(n) = &u.name_update {
        output.name = Some(n.clone());
    }
    if let Some(d) = &u.destination_schema_update {
        output.destination_schema = Some(d.clone());
    }
    let updates = [
        &u.kinesis_streams_output_update,
        &u.kinesis_firehose_output_update,
        &u.lambda_output_update,
    ];
    match updates.iter().filter(|x| x.is_some()).count() {
        0 => {}
        1 => {
            if let Some(k) = &u.kinesis_streams_output_update {
                let m = merge(
                    output.kinesis_streams_output_description.as_ref(),
                    k,
                    "KinesisStreamsOutputUpdate",
                )?;
                *output = OutputDescription {
                    kinesis_streams_output_description: Some(m),
                    kinesis_firehose_output_description: None,
                    lambda_output_description: None,
                    ..output.clone()
                };
            } else if let Some(f) = &u.kinesis_firehose_output_update {
                let m = merge(
                    output.kinesis_firehose_output_description.as_ref(),
                    f,
                    "KinesisFirehoseOutputUpdate",
                )?;
                *output = OutputDescription {
                    kinesis_streams_output_description: None,
                    kinesis_firehose_output_description: Some(m),
                    lambda_output_description: None,
                    ..output.clone()
                };
            } else if let Some(l) = &u.lambda_output_update {
                let m = merge(
                    output.lambda_output_description.as_ref(),
                    l,
                    "LambdaOutputUpdate",
                )?;
                *output = OutputDescription {
                    kinesis_streams_output_description: None,
                    kinesis_firehose_output_description: None,
                    lambda_output_description: Some(m),
                    ..output.clone()
                };
            }
        }
        _ => {
            return Err(invalid(format!(
                "Output update {id} may set only one destination"
            )));
        }
    }
    Ok(())
}

fn apply_reference(r: &mut AppRecord, u: &ReferenceDataSourceUpdate) -> Result<(), AwsError> {
    let id = u.reference_id.as_deref().unwrap_or_default();
    let app_name = r.name.clone();
    let reference = r
        .references
        .iter_mut()
        .find(|x| x.reference_id.as_deref() == Some(id))
        .ok_or_else(|| {
            invalid(format!(
                "Application {app_name} has no reference data source with id {id}"
            ))
        })?;
    if let Some(t) = &u.table_name_update {
        reference.table_name = Some(t.clone());
    }
    if let Some(s) = &u.s3_reference_data_source_update {
        let d = reference
            .s3_reference_data_source_description
            .get_or_insert_with(S3ReferenceDataSource::default);
        if let Some(b) = &s.bucket_arn_update {
            d.bucket_arn = Some(b.clone());
        }
        if let Some(k) = &s.file_key_update {
            d.file_key = Some(k.clone());
        }
        if let Some(role) = &s.reference_role_arn_update {
            d.reference_role_arn = Some(role.clone());
        }
    }
    if let Some(s) = &u.reference_schema_update {
        rules::check_schema("ReferenceSchemaUpdate", s)?;
        reference.reference_schema = Some(s.clone());
    }
    Ok(())
}

fn apply_logging(r: &mut AppRecord, u: &CloudWatchLoggingOptionUpdate) -> Result<(), AwsError> {
    let id = u
        .cloud_watch_logging_option_id
        .as_deref()
        .unwrap_or_default();
    let app_name = r.name.clone();
    let option = r
        .logging
        .iter_mut()
        .find(|x| x.cloud_watch_logging_option_id.as_deref() == Some(id))
        .ok_or_else(|| {
            invalid(format!(
                "Application {app_name} has no CloudWatch logging option with id {id}"
            ))
        })?;
    if let Some(a) = &u.log_stream_arn_update {
        option.log_stream_arn = Some(a.clone());
    }
    if let Some(a) = &u.role_arn_update {
        option.role_arn = Some(a.clone());
    }
    Ok(())
}

impl KinesisAnalytics {
    pub(super) fn update_application(&self, body: &[u8]) -> Result<Bytes, AwsError> {
        let req: UpdateApplicationRequest = parse_body(body)?;
        let mut v = Violations::default();
        v.application_name("applicationName", &req.application_name);
        v.version(
            "currentApplicationVersionId",
            &req.current_application_version_id,
        );
        if let Some(u) = v.required("applicationUpdate", &req.application_update) {
            v.application_update("applicationUpdate", u);
        }
        v.finish()?;
        let update = req.application_update.unwrap_or_default();
        if update == ApplicationUpdate::default() {
            return Err(invalid(
                "ApplicationUpdate is empty; give at least one of InputUpdates, ApplicationCodeUpdate, \
                 OutputUpdates, ReferenceDataSourceUpdates or CloudWatchLoggingOptionUpdates",
            ));
        }
        let name = req.application_name.unwrap_or_default();
        self.change(
            &name,
            req.current_application_version_id.unwrap_or_default(),
            "UpdateApplication",
            true,
            |r| {
                for u in update.input_updates.iter().flatten() {
                    apply_input(r, u)?;
                }
                if let Some(code) = &update.application_code_update {
                    r.code = Some(code.clone());
                }
                for u in update.output_updates.iter().flatten() {
                    apply_output(r, u)?;
                }
                for u in update.reference_data_source_updates.iter().flatten() {
                    apply_reference(r, u)?;
                }
                for u in update.cloud_watch_logging_option_updates.iter().flatten() {
                    apply_logging(r, u)?;
                }
                Ok(())
            },
        )?;
        empty()
    }
}
