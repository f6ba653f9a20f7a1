//! Small schema types the caller fills from the API's shapes (InputSchema, RecordColumn,
//! DestinationSchema). They are deliberately plain so the twin can map onto them directly.

/// A column as the API's `RecordColumn` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordColumn {
    /// `Name`: the in-application column name (case-sensitive; the service quotes it).
    pub name: String,
    /// `SqlType`, free text such as `VARCHAR(14)` or `INTEGER`.
    pub sql_type: String,
    /// `Mapping`: a JSONPath for JSON records (`$.ticker`); absent for CSV.
    pub mapping: Option<String>,
}

impl RecordColumn {
    /// A column without a mapping (CSV, or validation only).
    pub fn new(name: &str, sql_type: &str) -> Self {
        Self {
            name: name.to_string(),
            sql_type: sql_type.to_string(),
            mapping: None,
        }
    }

    /// A column with a JSONPath mapping.
    pub fn mapped(name: &str, sql_type: &str, mapping: &str) -> Self {
        Self {
            mapping: Some(mapping.to_string()),
            ..Self::new(name, sql_type)
        }
    }
}

/// An in-application stream or the reference table, as the service creates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InAppStream {
    /// The in-application name, e.g. `SOURCE_SQL_STREAM_001` (case-sensitive).
    pub name: String,
    /// Its columns, in order.
    pub columns: Vec<RecordColumn>,
}

/// `RecordFormat`: how raw records split into rows and columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordFormat {
    /// `CSV` with `CSVMappingParameters`.
    Csv {
        /// `RecordRowDelimiter`, e.g. `\n`.
        row_delimiter: String,
        /// `RecordColumnDelimiter`, e.g. `,` or `\t`.
        column_delimiter: String,
    },
    /// `JSON` with `JSONMappingParameters`.
    Json {
        /// `RecordRowPath`, e.g. `$` or `$.records[*]`.
        row_path: String,
    },
}

/// `SourceSchema`: record format plus columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSchema {
    /// `RecordFormat`.
    pub format: RecordFormat,
    /// `RecordColumns`.
    pub columns: Vec<RecordColumn>,
}

/// `DestinationSchema.RecordFormatType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Comma-separated values, one row per record, newline-terminated.
    Csv,
    /// A JSON object per row keyed by column name.
    Json,
}
