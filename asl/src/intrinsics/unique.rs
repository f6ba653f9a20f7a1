//! Intrinsic for unique identifier generation.

use rand::RngCore;
use rand::rngs::StdRng;
use serde_json::Value;

use super::arity;
use crate::error::StatesError;

/// `States.UUID()`: a version 4 UUID drawn from the execution's seeded generator, so runs with
/// the same seed are reproducible.
pub fn uuid(args: &[Value], rng: &mut StdRng) -> Result<Value, StatesError> {
    arity("States.UUID", args, 0, 0)?;
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    Ok(Value::String(
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .hyphenated()
            .to_string(),
    ))
}
