//! Service rules beyond the model's constraints: what makes a well-formed input, output or
//! schema, and the per-application limits. Breaking one is an `InvalidArgumentException`.

use super::error::KinesisAnalyticsError;
use super::limits;
use super::model::*;
use crate::protocol::AwsError;

fn invalid(message: impl Into<String>) -> AwsError {
    KinesisAnalyticsError::InvalidArgument.with(message)
}

/// A record schema must have mapping parameters that fit its format, and JSON columns need a
/// mapping (the developer guide: "Mapping is required when RecordFormatType is JSON").
pub fn check_schema(what: &str, schema: &SourceSchema) -> Result<(), AwsError> {
    let Some(format) = &schema.record_format else {
        return Ok(());
    };
    let kind = format.record_format_type.as_deref().unwrap_or_default();
    let mapping = format.mapping_parameters.as_ref();
    let has_json = mapping.is_some_and(|m| m.json_mapping_parameters.is_some());
    let has_csv = mapping.is_some_and(|m| m.csv_mapping_parameters.is_some());
    match kind {
        "CSV" if has_json => {
            return Err(invalid(format!(
                "{what}: RecordFormatType is CSV but JSONMappingParameters were given; give CSVMappingParameters"
            )));
        }
        "CSV" if !has_csv => {
            return Err(invalid(format!(
                "{what}: RecordFormatType CSV needs CSVMappingParameters (RecordRowDelimiter and RecordColumnDelimiter)"
            )));
        }
        "JSON" if has_csv => {
            return Err(invalid(format!(
                "{what}: RecordFormatType is JSON but CSVMappingParameters were given; give JSONMappingParameters"
            )));
        }
        "JSON" if !has_json => {
            return Err(invalid(format!(
                "{what}: RecordFormatType JSON needs JSONMappingParameters (RecordRowPath)"
            )));
        }
        _ => {}
    }
    if kind == "JSON" {
        for c in schema.record_columns.iter().flatten() {
            if c.mapping.as_deref().unwrap_or_default().is_empty() {
                return Err(invalid(format!(
                    "{what}: column {} has no Mapping; JSON record columns need a JSONPath mapping such as $.{}",
                    c.name.as_deref().unwrap_or_default(),
                    c.name.as_deref().unwrap_or_default()
                )));
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    for c in schema.record_columns.iter().flatten() {
        let name = c.name.as_deref().unwrap_or_default();
        if !seen.insert(name) {
            return Err(invalid(format!(
                "{what}: column name {name} appears more than once"
            )));
        }
    }
    Ok(())
}

/// An input names exactly one streaming source and has a well-formed schema.
pub fn check_input(input: &Input) -> Result<(), AwsError> {
    match (&input.kinesis_streams_input, &input.kinesis_firehose_input) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                "An input must have exactly one source: KinesisStreamsInput or KinesisFirehoseInput, not both",
            ));
        }
        (None, None) => {
            return Err(invalid(
                "An input must have a source: give KinesisStreamsInput or KinesisFirehoseInput",
            ));
        }
        _ => {}
    }
    if let Some(s) = &input.input_schema {
        check_schema("InputSchema", s)?;
    }
    Ok(())
}

/// An output names exactly one destination.
pub fn check_output(output: &Output) -> Result<(), AwsError> {
    let n = [
        output.kinesis_streams_output.is_some(),
        output.kinesis_firehose_output.is_some(),
        output.lambda_output.is_some(),
    ]
    .into_iter()
    .filter(|x| *x)
    .count();
    if n != 1 {
        return Err(invalid(format!(
            "Output {} must have exactly one destination (KinesisStreamsOutput, KinesisFirehoseOutput or LambdaOutput); it has {n}",
            output.name.as_deref().unwrap_or_default()
        )));
    }
    Ok(())
}

/// The per-application limits of the SQL edition.
pub fn check_limits(inputs: usize, outputs: usize, references: usize) -> Result<(), AwsError> {
    if inputs > limits::MAX_INPUTS {
        return Err(invalid(format!(
            "An application can have at most {} streaming source; this configuration has {inputs}",
            limits::MAX_INPUTS
        )));
    }
    if outputs > limits::MAX_OUTPUTS {
        return Err(invalid(format!(
            "An application can have at most {} outputs; this configuration has {outputs}. Remove one with DeleteApplicationOutput first",
            limits::MAX_OUTPUTS
        )));
    }
    if references > limits::MAX_REFERENCES {
        return Err(invalid(format!(
            "An application can have at most {} reference data source; this configuration has {references}",
            limits::MAX_REFERENCES
        )));
    }
    Ok(())
}
