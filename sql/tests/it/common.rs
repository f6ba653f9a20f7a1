//! Shared helpers: the reference application, built the way the twin builds it.

use kdaflow_sql::{
    CodeValidationError, InAppStream, Program, RecordColumn, ValidationRequest, validate,
};

use crate::reference_app;

/// 2024-01-01T00:00:00Z, a window-aligned start for virtual time.
pub const T0: i64 = 1_704_067_200_000;

pub fn reference_program() -> Program {
    program(true)
}

/// The reference application; without the forest pump when `forest` is false (the other
/// pumps' code is unchanged, as `kdaflow bench sql --no-rcf` runs it).
pub fn program(forest: bool) -> Program {
    let spec = reference_app::spec(forest);
    let outputs: Vec<String> = spec.outputs.iter().map(|o| o.name.clone()).collect();
    validate(&ValidationRequest {
        code: &spec.code,
        inputs: &[reference_app::input()],
        reference: None,
        outputs: &outputs,
    })
    .expect("the reference application validates")
}

/// Validates `code` against one input stream `S` with the given columns.
pub fn check(
    code: &str,
    columns: &[(&str, &str)],
    outputs: &[&str],
) -> Result<Program, CodeValidationError> {
    check_with_table(code, columns, None, outputs)
}

/// An in-application stream or table called `name` with these columns.
pub fn in_app(name: &str, columns: &[(&str, &str)]) -> InAppStream {
    InAppStream {
        name: name.into(),
        columns: columns
            .iter()
            .map(|(n, t)| RecordColumn::new(n, t))
            .collect(),
    }
}

/// Validates `code` against input stream `S` and, if given, a reference table.
pub fn check_with_table(
    code: &str,
    columns: &[(&str, &str)],
    table: Option<&InAppStream>,
    outputs: &[&str],
) -> Result<Program, CodeValidationError> {
    let outputs: Vec<String> = outputs.iter().map(|s| s.to_string()).collect();
    validate(&ValidationRequest {
        code,
        inputs: &[in_app("S", columns)],
        reference: table,
        outputs: &outputs,
    })
}
