//! Intrinsics for JSON data manipulation.

use serde_json::Value;

use super::{arity, want_str};
use crate::error::StatesError;

/// `States.StringToJson(string)`: blank text gives `null` (AWS-recorded).
pub fn string_to_json(args: &[Value]) -> Result<Value, StatesError> {
    let f = "States.StringToJson";
    arity(f, args, 1, 1)?;
    let s = want_str(f, &args[0])?;
    if s.trim().is_empty() {
        return Ok(Value::Null);
    }
    let v: Value = serde_json::from_str(s)
        .map_err(|e| StatesError::intrinsic(format!("Invalid arguments in {f}: {e}")))?;
    // AWS-recorded: "-0" parses to 0 (Java's JSON reader has no negative zero integer).
    Ok(match v.as_f64() {
        Some(z) if z == 0.0 && v.is_f64() && z.is_sign_negative() => Value::from(0),
        _ => v,
    })
}

/// `States.JsonToString(value)`: compact JSON text.
pub fn json_to_string(args: &[Value]) -> Result<Value, StatesError> {
    arity("States.JsonToString", args, 1, 1)?;
    Ok(Value::String(args[0].to_string()))
}

/// `States.JsonMerge(a, b, false)`: shallow merge, `b` wins; deep merge is rejected as on AWS.
pub fn json_merge(args: &[Value]) -> Result<Value, StatesError> {
    let f = "States.JsonMerge";
    arity(f, args, 3, 3)?;
    let (Value::Object(a), Value::Object(b)) = (&args[0], &args[1]) else {
        return Err(StatesError::intrinsic(format!(
            "Invalid arguments in {f}: the first two arguments must be objects"
        )));
    };
    match args[2] {
        Value::Bool(false) => {}
        Value::Bool(true) => {
            return Err(StatesError::intrinsic(format!(
                "Invalid arguments in {f}: deep merge (true) is not supported; use false"
            )));
        }
        _ => {
            return Err(StatesError::intrinsic(format!(
                "Invalid arguments in {f}: the third argument must be a boolean"
            )));
        }
    }
    let mut out = a.clone();
    for (k, v) in b {
        out.insert(k.clone(), v.clone());
    }
    Ok(Value::Object(out))
}
