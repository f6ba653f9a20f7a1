//! Application code validation with the SQL engine (`kdaflow-sql`): the code must parse, read
//! only the application's in-application streams and columns, and create a stream for every
//! output's `Name` — otherwise `CodeValidationException` with line, column and reason.

use kdaflow_sql::{InAppStream, RecordColumn, RecordFormat, ValidationRequest};

use super::CodeValidator;
use super::app::AppRecord;
use super::model::SourceSchema;

/// Validates application code as the service does, with the SQL engine's validator.
#[derive(Debug, Default, Clone, Copy)]
pub struct SqlCodeValidator;

/// The engine-side schema of an API `SourceSchema` (its `RecordFormat` and `RecordColumns`);
/// CSV with `\n` and `,` unless the mapping parameters say otherwise, JSON rows at `$` unless
/// `RecordRowPath` says otherwise.
pub fn engine_schema(api: &SourceSchema) -> Result<kdaflow_sql::SourceSchema, String> {
    let format = api
        .record_format
        .as_ref()
        .ok_or("the input schema has no RecordFormat")?;
    let mapping = format.mapping_parameters.as_ref();
    let format = match format.record_format_type.as_deref() {
        Some("JSON") => RecordFormat::Json {
            row_path: mapping
                .and_then(|m| m.json_mapping_parameters.as_ref())
                .and_then(|j| j.record_row_path.clone())
                .unwrap_or_else(|| "$".to_string()),
        },
        _ => {
            let csv = mapping.and_then(|m| m.csv_mapping_parameters.as_ref());
            RecordFormat::Csv {
                row_delimiter: csv
                    .and_then(|c| c.record_row_delimiter.clone())
                    .unwrap_or_else(|| "\n".to_string()),
                column_delimiter: csv
                    .and_then(|c| c.record_column_delimiter.clone())
                    .unwrap_or_else(|| ",".to_string()),
            }
        }
    };
    Ok(kdaflow_sql::SourceSchema {
        format,
        columns: columns(Some(api)),
    })
}

/// The engine's record columns of an API `SourceSchema`.
pub fn columns(schema: Option<&SourceSchema>) -> Vec<RecordColumn> {
    schema
        .and_then(|s| s.record_columns.as_ref())
        .into_iter()
        .flatten()
        .map(|c| RecordColumn {
            name: c.name.clone().unwrap_or_default(),
            sql_type: c.sql_type.clone().unwrap_or_default(),
            mapping: c.mapping.clone(),
        })
        .collect()
}

/// The in-application reference table an application's reference data source creates.
pub fn reference_table(app: &AppRecord) -> Option<InAppStream> {
    app.references.first().map(|r| InAppStream {
        name: r.table_name.clone().unwrap_or_default(),
        columns: columns(r.reference_schema.as_ref()),
    })
}

/// The in-application input streams an application's inputs create.
pub fn input_streams(app: &AppRecord) -> Vec<InAppStream> {
    app.inputs
        .iter()
        .flat_map(|input| {
            let cols = columns(input.input_schema.as_ref());
            input
                .in_app_stream_names
                .clone()
                .unwrap_or_default()
                .into_iter()
                .map(move |name| InAppStream {
                    name,
                    columns: cols.clone(),
                })
        })
        .collect()
}

impl CodeValidator for SqlCodeValidator {
    fn validate(&self, app: &AppRecord) -> Result<(), String> {
        // An application without code has nothing to validate yet (the service accepts a
        // create without ApplicationCode and code added later by UpdateApplication).
        let Some(code) = app.code.as_deref().filter(|c| !c.trim().is_empty()) else {
            return Ok(());
        };
        let inputs = input_streams(app);
        let reference = reference_table(app);
        let outputs: Vec<String> = app.outputs.iter().filter_map(|o| o.name.clone()).collect();
        kdaflow_sql::validate(&ValidationRequest {
            code,
            inputs: &inputs,
            reference: reference.as_ref(),
            outputs: &outputs,
        })
        .map(|_| ())
        .map_err(|e| e.to_string())
    }
}
