//! The reference application as this crate's tests and benchmark see it, read from its one
//! source, `workflow/examples/reference-app.toml` (rendered with the example prerequisites).
//! Shared by the tests and `benches/reference_app.rs`.

#![allow(dead_code)]

use kdaflow_sql::bench::BenchApp;
use kdaflow_sql::{InAppStream, RecordColumn, RecordFormat, SourceSchema};
use kdaflow_workflow::spec::{ApplicationSpec, SchemaSpec};

/// The reference application's RANDOM_CUT_FOREST output.
pub const FOREST_OUTPUT: &str = "ANOMALY_SCORE_SQL_STREAM";

/// The rendered reference spec; without the forest's stream and pump when `forest` is false.
pub fn spec(forest: bool) -> ApplicationSpec {
    let prerequisites =
        kdaflow_workflow::prerequisites::Prerequisites::example("us-east-1", "000000000000");
    let spec = ApplicationSpec::reference()
        .render(&prerequisites, None, None)
        .expect("the reference spec renders");
    if forest {
        spec
    } else {
        spec.without_output(FOREST_OUTPUT)
    }
}

/// The in-application stream the reference application reads.
pub fn stream() -> String {
    spec(true).input_stream()
}

/// The input schema, in this crate's terms.
pub fn schema() -> SourceSchema {
    let spec = spec(true);
    let columns = spec
        .input
        .schema
        .columns()
        .iter()
        .map(|c| RecordColumn {
            name: c.name.clone(),
            sql_type: c.sql_type.clone(),
            mapping: c.mapping.clone(),
        })
        .collect();
    let format = match &spec.input.schema {
        SchemaSpec::Csv {
            row_delimiter,
            column_delimiter,
            ..
        } => RecordFormat::Csv {
            row_delimiter: row_delimiter.clone(),
            column_delimiter: column_delimiter.clone(),
        },
        SchemaSpec::Json { row_path, .. } => RecordFormat::Json {
            row_path: row_path.clone(),
        },
    };
    SourceSchema { format, columns }
}

/// The input stream as validation sees it.
pub fn input() -> InAppStream {
    InAppStream {
        name: stream(),
        columns: schema().columns,
    }
}

/// The application as the benchmark runs it.
pub fn bench_app(forest: bool) -> BenchApp {
    let spec = spec(forest);
    BenchApp {
        code: spec.code.clone(),
        stream: spec.input_stream(),
        schema: schema(),
        outputs: spec.outputs.iter().map(|o| o.name.clone()).collect(),
        window_seconds: spec.window_seconds,
        reference: None,
    }
}
