//! The crate's errors: one enum for everything, plus the validation error the service
//! turns into a `CodeValidationException`.

use std::fmt;

/// A position in the application code: 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord)]
pub struct Pos {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column number (in characters).
    pub column: u32,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// What kind of problem made the code invalid; lets callers and tests tell the cases apart
/// without matching on message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValidationKind {
    /// The code does not parse.
    Syntax,
    /// A stream, table or pump name that is not defined.
    UnknownStream,
    /// A column that the stream or query does not have.
    UnknownColumn,
    /// INSERT column list and SELECT list differ in count or type.
    InsertMismatch,
    /// An application output `Name` that the code never creates.
    MissingOutputStream,
    /// A function parameter outside its documented range.
    ParameterOutOfRange,
    /// Any other semantic error (type errors, misuse of aggregates, duplicates).
    Semantic,
    /// A documented construct of the dialect that the twin cannot run yet.
    Unsupported,
}

/// The code was rejected. The message names the line and column and what is wrong; the
/// twin sends it as the `message` of a `CodeValidationException`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CodeValidationError {
    /// Which rule was broken.
    pub kind: ValidationKind,
    /// Where (the start of the offending token); `None` for problems outside the code,
    /// such as an output name the code never creates.
    pub pos: Option<Pos>,
    /// The full human-readable message, including the position.
    pub message: String,
}

impl CodeValidationError {
    /// A problem at `pos` in the code.
    pub fn at(kind: ValidationKind, pos: Pos, what: impl fmt::Display) -> Self {
        Self {
            kind,
            pos: Some(pos),
            message: format!("SQL error at {pos}: {what}"),
        }
    }

    /// A documented construct of the dialect, written at `pos`, that the twin does not run:
    /// the message names it, so nobody mistakes it for a mistake in the code.
    pub fn unsupported(pos: Pos, construct: impl fmt::Display) -> Self {
        Self::at(
            ValidationKind::Unsupported,
            pos,
            format!(
                "{construct} is part of the Kinesis Analytics SQL dialect, but the kdaflow twin does not support it yet (see the README's known divergences)"
            ),
        )
    }

    /// A problem with the application configuration rather than a place in the code.
    pub fn general(kind: ValidationKind, what: impl fmt::Display) -> Self {
        Self {
            kind,
            pos: None,
            message: what.to_string(),
        }
    }
}

/// Errors from the engine and the record codecs.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SqlError {
    /// The code is invalid.
    #[error(transparent)]
    Validation(#[from] CodeValidationError),
    /// A row was pushed to a stream the program does not have, or one user code cannot write.
    #[error(
        "no in-application input stream named \"{0}\"; push only to the input streams given at validation"
    )]
    UnknownInputStream(String),
    /// A reference table the program does not have.
    #[error(
        "no in-application reference table named \"{0}\"; load only the table the reference data source names"
    )]
    UnknownReferenceTable(String),
    /// ROWTIME went backwards: the caller must push rows in time order.
    #[error(
        "ROWTIME {got} is earlier than the stream's current time {current}; push rows in time order"
    )]
    TimeWentBackwards {
        /// The rejected time, epoch milliseconds.
        got: i64,
        /// The engine's current time, epoch milliseconds.
        current: i64,
    },
    /// A row has the wrong number of values for its stream.
    #[error("row for \"{stream}\" has {got} values, the stream has {expected} columns")]
    RowArity {
        /// The stream name.
        stream: String,
        /// Values given.
        got: usize,
        /// Columns expected.
        expected: usize,
    },
    /// An SQL type string (e.g. from RecordColumn.SqlType) that is not understood.
    #[error(
        "unsupported SQL type '{0}'; use one of BIGINT, BOOLEAN, CHAR(n), DATE, DECIMAL(p,s), DOUBLE, INTEGER, REAL, SMALLINT, TIME, TIMESTAMP, TINYINT, VARBINARY(n), VARCHAR(n)"
    )]
    BadSqlType(String),
    /// A record schema that cannot be used (e.g. an empty delimiter).
    #[error("invalid record schema: {0}")]
    BadSchema(String),
    /// A value could not be converted (message is what goes into error_stream).
    #[error("{0}")]
    Conversion(String),
    /// Reading a benchmark input file failed.
    #[error("cannot read {path}: {reason}")]
    Io {
        /// The file.
        path: String,
        /// The OS error text.
        reason: String,
    },
    /// The random cut forest library refused its parameters.
    #[error("random cut forest: {0}")]
    Forest(String),
}
