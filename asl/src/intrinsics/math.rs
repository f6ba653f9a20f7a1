//! Intrinsics for math operations.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

use super::arity;
use crate::error::StatesError;

/// Java's `Math.round`: half up towards positive infinity (AWS-recorded: -1.5 -> -1, 0.5 -> 1).
pub fn java_round(x: f64) -> f64 {
    (x + 0.5).floor()
}

fn int_arg(f: &str, v: &Value) -> Result<i64, StatesError> {
    let n = v.as_f64().ok_or_else(|| {
        StatesError::intrinsic(format!(
            "Invalid arguments in {f}: expected a number, got {v}"
        ))
    })?;
    let r = if v.is_f64() { java_round(n) } else { n };
    if !(i32::MIN as f64..=i32::MAX as f64).contains(&r) {
        return Err(StatesError::intrinsic(format!(
            "Invalid arguments in {f}: {v} is outside the 32-bit integer range"
        )));
    }
    Ok(r as i64)
}

/// `States.MathAdd(a, b)`: integer sum; floats are rounded first.
///
/// ```
/// # use serde_json::json;
/// use kdaflow_asl::intrinsics::math::add;
/// assert_eq!(add(&[json!(1.49), json!(1.5)]).unwrap(), json!(3));
/// ```
pub fn add(args: &[Value]) -> Result<Value, StatesError> {
    let f = "States.MathAdd";
    arity(f, args, 2, 2)?;
    Ok(Value::from(int_arg(f, &args[0])? + int_arg(f, &args[1])?))
}

/// `States.MathRandom(start, end[, seed])`: an integer in `[start, end]` (inclusive, as LS
/// does; AWS's end inclusivity is unverified). With a seed the result is deterministic, though
/// not the number AWS's generator would give.
pub fn random(args: &[Value], rng: &mut StdRng) -> Result<Value, StatesError> {
    let f = "States.MathRandom";
    arity(f, args, 2, 3)?;
    let (start, end) = (int_arg(f, &args[0])?, int_arg(f, &args[1])?);
    if start > end {
        return Err(StatesError::intrinsic(format!(
            "Invalid arguments in {f}: start {start} is greater than end {end}"
        )));
    }
    let n = match args.get(2) {
        Some(seed) => {
            let seed = int_arg(f, seed)?;
            StdRng::seed_from_u64(seed as u64).random_range(start..=end)
        }
        None => rng.random_range(start..=end),
    };
    Ok(Value::from(n))
}
