//! `kdaflow-sql` — the Kinesis Data Analytics (v1) SQL dialect: parser, validator and
//! streaming executor. The local twin's Kinesis Analytics service validates application code
//! with it and runs RUNNING applications on it.
//!
//! This crate depends on nothing else of kdaflow's, does no I/O (but for reading the corpus's
//! files, for tests), owns no thread and never reads the clock: time (ROWTIME) is always an
//! argument.
//!
//! Layout:
//! - [`lexer`], [`parser`] (statements, queries, expressions), [`ast`]: text to syntax tree,
//!   every token with line and column.
//! - [`validate`]: syntax tree + service-created streams to a [`Program`] (compiled [`plan`]),
//!   or a [`CodeValidationError`] (the `CodeValidationException` message).
//! - [`types`], [`coerce`]: SQL types, values, CAST and storage coercion.
//! - [`engine`]: the executor — push rows, advance time, drain outputs and `error_stream`;
//!   stages for projection, tumbling GROUP BY and sliding windows.
//! - [`functions`]: scalar functions and the table functions RANDOM_CUT_FOREST (rcf3),
//!   COUNT_DISTINCT_ITEMS_TUMBLING (exact, then HyperLogLog++), TOP_K_ITEMS_TUMBLING.
//! - [`schema`], [`input`], [`jsonpath`]: InputSchema-driven record parsing (CSV, JSON).
//! - [`output`]: rows to destination records (CSV, JSON).
//! - [`bench`]: the reference application benchmark behind `kdaflow bench sql`.
//! - [`corpus`]: the documentation corpus's case format, shared by every back end's corpus test.
//! - [`error`]: the crate's errors.

pub mod ast;
pub mod bench;
pub mod coerce;
pub mod corpus;
pub mod engine;
pub mod error;
pub mod functions;
pub mod input;
pub mod jsonpath;
pub mod lexer;
pub mod output;
pub mod parser;
pub mod plan;
pub mod schema;
pub mod types;
pub mod validate;

pub use engine::{Engine, Row};
pub use error::{CodeValidationError, Pos, SqlError, ValidationKind};
pub use input::{RecordParser, RowParseError};
pub use output::serialize_row;
pub use schema::{InAppStream, OutputFormat, RecordColumn, RecordFormat, SourceSchema};
pub use types::{SqlType, Value};
pub use validate::{ERROR_STREAM, Program, ValidationRequest, validate};
