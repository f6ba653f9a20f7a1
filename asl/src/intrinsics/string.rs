//! Intrinsic for string operations.

use serde_json::Value;

use super::{arity, want_str};
use crate::error::StatesError;

/// `States.StringSplit(string, delimiters)`: every character of `delimiters` separates; empty
/// pieces are dropped (AWS-recorded: `",,,,"` gives `[]`).
pub fn split(args: &[Value]) -> Result<Value, StatesError> {
    let f = "States.StringSplit";
    arity(f, args, 2, 2)?;
    let s = want_str(f, &args[0])?;
    let delims: Vec<char> = want_str(f, &args[1])?.chars().collect();
    Ok(Value::Array(
        s.split(|c| delims.contains(&c))
            .filter(|p| !p.is_empty())
            .map(|p| Value::String(p.to_owned()))
            .collect(),
    ))
}
