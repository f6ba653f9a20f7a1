//! `Fail`: the error and cause it ends with (pure).

use serde_json::Value;

use crate::common::{Scope, Template};
use crate::error::StatesError;

/// How a compiled Fail state obtains a field.
#[derive(Debug, Clone)]
pub enum FailField {
    /// Not set.
    Absent,
    /// `Error`/`Cause` (JSONata: possibly an expression).
    Value(Template),
    /// `ErrorPath`/`CausePath`: a path, context path, variable or intrinsic.
    Path(String),
}

fn field(f: &FailField, scope: &Scope<'_>, name: &str) -> Result<Option<String>, StatesError> {
    let v = match f {
        FailField::Absent => return Ok(None),
        FailField::Value(t) => t.eval(scope)?,
        FailField::Path(expr) => scope.eval_expression(expr, &format!("{name}Path"))?,
    };
    match v {
        Value::String(s) => Ok(Some(s)),
        other => Err(StatesError::runtime(format!(
            "The {name}Path must resolve to a string, got {other}"
        ))),
    }
}

/// The `(error, cause)` a Fail state ends with; either may be absent.
pub fn outcome(
    error: &FailField,
    cause: &FailField,
    scope: &Scope<'_>,
) -> Result<(Option<String>, Option<String>), StatesError> {
    Ok((field(error, scope, "Error")?, field(cause, scope, "Cause")?))
}
