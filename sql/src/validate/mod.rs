//! Validation: application code plus the service-created streams to a runnable [`Program`],
//! or a [`CodeValidationError`] naming line, column and what is wrong.
//!
//! Checks, in order: syntax; every stream statement's names and types; every pump's source,
//! target, columns, functions and parameters; INSERT against SELECT (count and type); and
//! finally that every output `Name` is a stream the code creates (or `error_stream`).

mod expr;
mod join;
mod logparse;
mod query;
mod rules;
mod tablefn;
mod udf;

use std::collections::HashMap;

use crate::ast::{Ident, Statement};
use crate::error::{CodeValidationError, ValidationKind};
use crate::plan::{Column, PumpPlan, StreamDef, StreamId, StreamKind};
use crate::schema::InAppStream;
use crate::types::SqlType;

/// The name of the system error stream.
pub const ERROR_STREAM: &str = "error_stream";

/// What the service knows when it validates code (CreateApplication, UpdateApplication,
/// AddApplicationInput, AddApplicationOutput).
#[derive(Debug, Clone, Copy)]
pub struct ValidationRequest<'a> {
    /// `ApplicationCode`, verbatim.
    pub code: &'a str,
    /// The in-application input streams (`InAppStreamNames` with the input's RecordColumns).
    pub inputs: &'a [InAppStream],
    /// The reference table, if a reference data source is configured.
    pub reference: Option<&'a InAppStream>,
    /// Every `Outputs[].Name`.
    pub outputs: &'a [String],
}

/// A validated, compiled application: its streams and pumps.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    /// Every in-application stream; indices are [`StreamId`]s.
    pub streams: Vec<StreamDef>,
    /// Pumps in declaration order.
    pub pumps: Vec<PumpPlan>,
    /// The output names the application delivers (validated to exist).
    pub outputs: Vec<String>,
    /// The `error_stream`'s id.
    pub error_stream: StreamId,
}

impl Program {
    /// The id of the stream called `name` (case-sensitive).
    pub fn stream_id(&self, name: &str) -> Option<StreamId> {
        self.streams.iter().position(|s| s.name == name)
    }

    /// The columns of the stream called `name`.
    pub fn columns(&self, name: &str) -> Option<&[Column]> {
        self.stream_id(name)
            .map(|i| self.streams[i].columns.as_slice())
    }
}

/// Validates and compiles application code.
///
/// ```
/// use kdaflow_sql::{validate, InAppStream, RecordColumn, ValidationRequest};
/// let input = InAppStream {
///     name: "SOURCE_SQL_STREAM_001".into(),
///     columns: vec![RecordColumn::new("ticker", "VARCHAR(4)")],
/// };
/// let code = r#"CREATE STREAM "DEST" (t VARCHAR(4));
///   CREATE PUMP "P" AS INSERT INTO "DEST" SELECT STREAM "ticker" FROM "SOURCE_SQL_STREAM_001";"#;
/// let outputs = ["dest".to_string()];
/// let err = validate(&ValidationRequest { code, inputs: &[input], reference: None, outputs: &outputs })
///     .unwrap_err();
/// assert!(err.message.contains("dest"));
/// ```
pub fn validate(req: &ValidationRequest<'_>) -> Result<Program, CodeValidationError> {
    let statements = crate::parser::parse(req.code)?;
    let mut cx = Catalog::new(req)?;
    let mut functions: Vec<crate::ast::FunctionDef> = Vec::new();
    for st in &statements {
        match st {
            Statement::CreateStream {
                name,
                columns,
                or_replace,
            } => {
                cx.check_new_name(name)?;
                let mut seen = HashMap::new();
                let mut cols = Vec::new();
                for c in columns {
                    if seen.insert(c.name.name.clone(), ()).is_some() {
                        return Err(CodeValidationError::at(
                            ValidationKind::Semantic,
                            c.name.pos,
                            format!(
                                "Duplicate column name '{}' in stream '{}'",
                                c.name.name, name.name
                            ),
                        ));
                    }
                    cols.push(Column {
                        name: c.name.name.clone(),
                        ty: c.ty.clone(),
                    });
                }
                let def = StreamDef {
                    name: name.name.clone(),
                    columns: cols,
                    kind: StreamKind::Created,
                };
                match cx.find(&name.name) {
                    Some(_) if !or_replace => {
                        return Err(CodeValidationError::at(
                            ValidationKind::Semantic,
                            name.pos,
                            format!(
                                "Stream '{}' already exists; CREATE OR REPLACE STREAM replaces it",
                                name.name
                            ),
                        ));
                    }
                    // CREATE OR REPLACE of a stream this code created earlier: the later one wins.
                    Some(id) => cx.streams[id] = def,
                    None => cx.streams.push(def),
                }
            }
            Statement::CreateFunction(def) => {
                if functions
                    .iter()
                    .any(|f| f.name.name == def.name.name && f.params.len() == def.params.len())
                {
                    return Err(CodeValidationError::at(
                        ValidationKind::Semantic,
                        def.name.pos,
                        format!(
                            "Function '{}' with {} parameter(s) is created twice",
                            def.name.name,
                            def.params.len()
                        ),
                    ));
                }
                functions.push(def.clone());
            }
            Statement::CreatePump {
                name,
                target,
                columns,
                query,
            } => {
                if cx.pumps.iter().any(|p| p.name == name.name) {
                    return Err(CodeValidationError::at(
                        ValidationKind::Semantic,
                        name.pos,
                        format!("Pump '{}' is created twice", name.name),
                    ));
                }
                let mut query = query.clone();
                udf::inline(&mut query, &functions)?;
                let query = query::union_then_order(&mut cx, name, *query)?;
                let plans = query::compile_pump(&cx, name, target, columns.as_deref(), &query)?;
                cx.pumps.extend(plans);
            }
        }
    }
    for out in req.outputs {
        let created = cx
            .streams
            .iter()
            .any(|s| s.kind == StreamKind::Created && &s.name == out);
        if !created && out != ERROR_STREAM {
            return Err(CodeValidationError::general(
                ValidationKind::MissingOutputStream,
                format!(
                    "Output '{out}' refers to in-application stream '{out}', which the application code does not create \
                     (names are case-sensitive; the code creates: {})",
                    cx.created_names()
                ),
            ));
        }
    }
    let error_stream = cx.error_stream;
    Ok(Program {
        streams: cx.streams,
        pumps: cx.pumps,
        outputs: req.outputs.to_vec(),
        error_stream,
    })
}

/// The columns of `error_stream`, as the service documents them.
pub fn error_stream_columns() -> Vec<Column> {
    let c = |n: &str, ty: SqlType| Column {
        name: n.to_string(),
        ty,
    };
    vec![
        c("ERROR_TIME", SqlType::Timestamp),
        c("ERROR_LEVEL", SqlType::Varchar(10)),
        c("ERROR_NAME", SqlType::Varchar(32)),
        c("MESSAGE", SqlType::Varchar(4096)),
        c("DATA_ROWTIME", SqlType::Timestamp),
        c("DATA_ROW", SqlType::Varchar(49152)),
        c("PUMP_NAME", SqlType::Varchar(128)),
    ]
}

/// Streams known so far while walking the statements.
pub(crate) struct Catalog {
    pub(crate) streams: Vec<StreamDef>,
    pub(crate) pumps: Vec<PumpPlan>,
    error_stream: StreamId,
}

impl Catalog {
    fn new(req: &ValidationRequest<'_>) -> Result<Self, CodeValidationError> {
        let def = |s: &InAppStream, kind: StreamKind, what: &str| {
            let mut columns = Vec::new();
            for c in &s.columns {
                let ty = SqlType::parse(&c.sql_type).map_err(|e| {
                    CodeValidationError::general(
                        ValidationKind::Semantic,
                        format!("{what} '{}' column '{}': {e}", s.name, c.name),
                    )
                })?;
                columns.push(Column {
                    name: c.name.clone(),
                    ty,
                });
            }
            Ok(StreamDef {
                name: s.name.clone(),
                columns,
                kind,
            })
        };
        let mut streams = Vec::new();
        for input in req.inputs {
            streams.push(def(input, StreamKind::Input, "Input stream")?);
        }
        if let Some(r) = req.reference {
            streams.push(def(r, StreamKind::Reference, "Reference table")?);
        }
        streams.push(StreamDef {
            name: ERROR_STREAM.to_string(),
            columns: error_stream_columns(),
            kind: StreamKind::Error,
        });
        let error_stream = streams.len() - 1;
        Ok(Self {
            streams,
            pumps: Vec::new(),
            error_stream,
        })
    }

    pub(crate) fn find(&self, name: &str) -> Option<StreamId> {
        self.streams.iter().position(|s| s.name == name)
    }

    fn check_new_name(&self, name: &Ident) -> Result<(), CodeValidationError> {
        let clash = match self.find(&name.name).map(|i| self.streams[i].kind) {
            Some(StreamKind::Input) => Some("an input stream"),
            Some(StreamKind::Error) => Some("the system error stream"),
            Some(StreamKind::Reference) => Some("the reference table"),
            _ => None,
        };
        match clash {
            Some(what) => Err(CodeValidationError::at(
                ValidationKind::Semantic,
                name.pos,
                format!(
                    "Cannot create stream '{}': the name belongs to {what}",
                    name.name
                ),
            )),
            None => Ok(()),
        }
    }

    fn created_names(&self) -> String {
        let names: Vec<String> = self
            .streams
            .iter()
            .filter(|s| s.kind == StreamKind::Created)
            .map(|s| format!("'{}'", s.name))
            .collect();
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    }

    /// The reference table called `name`, if that is what it names.
    pub(crate) fn reference(&self, name: &Ident) -> Option<StreamId> {
        self.find(&name.name)
            .filter(|&id| self.streams[id].kind == StreamKind::Reference)
    }

    /// Resolves a stream a query reads from.
    pub(crate) fn source(&self, name: &Ident) -> Result<StreamId, CodeValidationError> {
        match self.find(&name.name) {
            Some(id) if self.streams[id].kind == StreamKind::Reference => {
                Err(CodeValidationError::at(
                    ValidationKind::Semantic,
                    name.pos,
                    format!(
                        "'{}' is the reference table: a query reads it by joining it with a stream (FROM \"STREAM\" JOIN \"{}\" ON ...)",
                        name.name, name.name
                    ),
                ))
            }
            Some(id) if self.streams[id].kind == StreamKind::Error => Err(CodeValidationError::at(
                ValidationKind::Semantic,
                name.pos,
                "error_stream cannot be read by application code; use it as an output Name instead",
            )),
            Some(id) => Ok(id),
            None => Err(unknown_stream(self, name)),
        }
    }
}

pub(crate) fn unknown_stream(cx: &Catalog, name: &Ident) -> CodeValidationError {
    // The usual mistake is case: suggest the stream whose name differs only in case.
    let hint = cx
        .streams
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case(&name.name))
        .map(|s| {
            format!(
                " (did you mean \"{}\"? quoted names are case-sensitive)",
                s.name
            )
        })
        .unwrap_or_default();
    CodeValidationError::at(
        ValidationKind::UnknownStream,
        name.pos,
        format!("Object '{}' not found{hint}", name.name),
    )
}
