//! The JSONPath input/output pipeline, in AWS's order:
//! raw input -> `InputPath` -> `Parameters` -> work -> `ResultSelector` -> `ResultPath` (into the
//! **raw** input) -> `OutputPath`.

use serde_json::{Map, Value};

use super::Scope;
use crate::error::{StatesError, names};
use crate::path::{Path, set_reference};

/// A compiled `InputPath`/`OutputPath`/`ResultPath`: `None` absent, `Some(None)` null.
pub type PathField = Option<Option<Path>>;

/// Applies `InputPath` or `OutputPath` to `scope.input` (absent: unchanged; null: `{}`).
pub fn select(path: &PathField, scope: &Scope<'_>) -> Result<Value, StatesError> {
    match path {
        None => Ok(scope.input.clone()),
        Some(None) => Ok(Value::Object(Map::new())),
        Some(Some(p)) if p.segments.is_empty() && p.root == crate::path::Root::Input => {
            Ok(scope.input.clone())
        }
        Some(Some(p)) => scope.resolve(p).map_err(StatesError::runtime),
    }
}

/// Applies `ResultPath`: absent or `$` gives the result, null keeps the raw input, a path writes
/// the result into a copy of the raw input.
pub fn result_path(path: &PathField, raw: &Value, result: Value) -> Result<Value, StatesError> {
    match path {
        None => Ok(result),
        Some(None) => Ok(raw.clone()),
        Some(Some(p)) if p.segments.is_empty() => Ok(result),
        Some(Some(p)) => {
            let mut out = raw.clone();
            set_reference(&mut out, p, result).map_err(|_| {
                StatesError::new(
                    names::RESULT_PATH_MATCH_FAILURE,
                    format!(
                        "Unable to apply step \"{}\" to input \"{}\"",
                        p.as_str().trim_start_matches("$."),
                        raw
                    ),
                )
            })?;
            Ok(out)
        }
    }
}

/// Compiles a nullable path field.
pub fn compile(field: &Option<Option<String>>, reference: bool) -> Result<PathField, String> {
    match field {
        None => Ok(None),
        Some(None) => Ok(Some(None)),
        Some(Some(s)) => {
            let p = if reference {
                Path::parse_reference(s)
            } else {
                Path::parse(s)
            };
            p.map(|p| Some(Some(p))).map_err(|e| e.to_string())
        }
    }
}
