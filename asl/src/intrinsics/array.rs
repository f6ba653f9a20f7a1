//! Intrinsics for arrays.

use serde_json::Value;

use super::{arity, want_array, want_int};
use crate::error::StatesError;

/// AWS's cap on the number of items `States.ArrayRange` may produce.
pub const ARRAY_RANGE_MAX_ITEMS: usize = 1000;

/// `States.ArrayPartition(array, size)`: chunks of `size`, the last may be shorter.
pub fn partition(args: &[Value]) -> Result<Value, StatesError> {
    let f = "States.ArrayPartition";
    arity(f, args, 2, 2)?;
    let arr = want_array(f, &args[0])?;
    let size = want_int(f, &args[1])?;
    if size <= 0 {
        return Err(StatesError::intrinsic(format!(
            "Invalid arguments in {f}: the chunk size must be positive, got {size}"
        )));
    }
    Ok(Value::Array(
        arr.chunks(size as usize)
            .map(|c| Value::Array(c.to_vec()))
            .collect(),
    ))
}

/// `States.ArrayContains(array, value)`: deep-equality membership.
pub fn contains(args: &[Value]) -> Result<Value, StatesError> {
    let f = "States.ArrayContains";
    arity(f, args, 2, 2)?;
    let arr = want_array(f, &args[0])?;
    Ok(Value::Bool(arr.iter().any(|v| json_eq(v, &args[1]))))
}

/// `States.ArrayRange(start, end, step)`: inclusive of `end` when the steps land on it.
///
/// ```
/// # use serde_json::json;
/// use kdaflow_asl::intrinsics::array::range;
/// assert_eq!(range(&[json!(0), json!(10), json!(3)]).unwrap(), json!([0, 3, 6, 9]));
/// ```
pub fn range(args: &[Value]) -> Result<Value, StatesError> {
    let f = "States.ArrayRange";
    arity(f, args, 3, 3)?;
    let (start, end, step) = (
        want_int(f, &args[0])?,
        want_int(f, &args[1])?,
        want_int(f, &args[2])?,
    );
    if step == 0 {
        return Err(StatesError::intrinsic(format!(
            "Invalid arguments in {f}: the step cannot be 0"
        )));
    }
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i <= end) || (step < 0 && i >= end) {
        out.push(Value::from(i));
        if out.len() > ARRAY_RANGE_MAX_ITEMS {
            return Err(StatesError::intrinsic(format!(
                "Invalid arguments in {f}: the range has more than {ARRAY_RANGE_MAX_ITEMS} items"
            )));
        }
        i += step;
    }
    Ok(Value::Array(out))
}

/// `States.ArrayGetItem(array, index)`.
pub fn get_item(args: &[Value]) -> Result<Value, StatesError> {
    let f = "States.ArrayGetItem";
    arity(f, args, 2, 2)?;
    let arr = want_array(f, &args[0])?;
    let i = want_int(f, &args[1])?;
    usize::try_from(i)
        .ok()
        .and_then(|i| arr.get(i))
        .cloned()
        .ok_or_else(|| {
            StatesError::intrinsic(format!(
                "Invalid arguments in {f}: index {i} is out of bounds for an array of {} item(s)",
                arr.len()
            ))
        })
}

/// `States.ArrayLength(array)`.
pub fn length(args: &[Value]) -> Result<Value, StatesError> {
    let f = "States.ArrayLength";
    arity(f, args, 1, 1)?;
    Ok(Value::from(want_array(f, &args[0])?.len()))
}

/// `States.ArrayUnique(array)`: keeps the first of equal items.
pub fn unique(args: &[Value]) -> Result<Value, StatesError> {
    let f = "States.ArrayUnique";
    arity(f, args, 1, 1)?;
    let mut out: Vec<Value> = Vec::new();
    for v in want_array(f, &args[0])? {
        if !out.iter().any(|o| json_eq(o, v)) {
            out.push(v.clone());
        }
    }
    Ok(Value::Array(out))
}

/// JSON equality where `1` equals `1.0`.
pub(crate) fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}
