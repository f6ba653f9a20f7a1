//! Shared helpers: the reference application, built the way the twin builds it.

use kdaflow_sql::bench::{
    REFERENCE_STREAM, reference_code, reference_code_without_forest, reference_columns,
    reference_outputs,
};
use kdaflow_sql::{
    CodeValidationError, InAppStream, Program, RecordColumn, ValidationRequest, validate,
};

/// 2024-01-01T00:00:00Z, a window-aligned start for virtual time.
pub const T0: i64 = 1_704_067_200_000;

pub fn reference_input() -> InAppStream {
    InAppStream {
        name: REFERENCE_STREAM.into(),
        columns: reference_columns(),
    }
}

pub fn reference_program() -> Program {
    program(true)
}

/// The reference application; without the forest pump when `forest` is false (the other
/// pumps' code is unchanged, as `kdaflow bench sql --no-rcf` runs it).
pub fn program(forest: bool) -> Program {
    let code = if forest {
        reference_code(REFERENCE_STREAM, 5)
    } else {
        reference_code_without_forest(REFERENCE_STREAM, 5)
    };
    let outputs = reference_outputs(forest);
    validate(&ValidationRequest {
        code: &code,
        inputs: &[reference_input()],
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
    let input = InAppStream {
        name: "S".into(),
        columns: columns
            .iter()
            .map(|(n, t)| RecordColumn::new(n, t))
            .collect(),
    };
    let outputs: Vec<String> = outputs.iter().map(|s| s.to_string()).collect();
    validate(&ValidationRequest {
        code,
        inputs: &[input],
        reference: None,
        outputs: &outputs,
    })
}
