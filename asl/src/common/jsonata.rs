//! JSONata through the `jsonata-core` crate.
//!
//! Why `jsonata-core` and not `jsonata-rs`: jsonata-core (MIT) claims a full port and runs the
//! jsonata-js test suite, while jsonata-rs describes itself as incomplete. Its values are
//! reference counted (`Rc`), so an expression is parsed and evaluated inside one synchronous
//! call and never held across an `.await`.
//!
//! Step Functions adds functions to JSONata 2.0; provided here: `$partition`, `$range`,
//! `$hash`, `$uuid`, `$parse`. `$random([seed])` uses JSONata's own `$random` (the seed is
//! ignored). Missing: `$eval` is unavailable on AWS and is not blocked here; AWS's
//! definition-time checks on JSONata expressions (e.g. bare top-level field references) are
//! not performed.

use jsonata_core::evaluator::{Context, Evaluator, EvaluatorError};
use jsonata_core::parser;
use jsonata_core::value::JValue;
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use serde_json::Value;

use super::Vars;
use crate::error::StatesError;

/// JSONata numbers are doubles; JSON written by AWS shows integral ones without a fraction
/// (`3`, not `3.0`), so integral values come back as integers.
fn to_json(v: &JValue) -> Value {
    integral(Value::from(v))
}

fn integral(v: Value) -> Value {
    match v {
        Value::Number(n) if n.is_f64() => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Value::from(f as i64),
            _ => Value::Number(n),
        },
        Value::Array(a) => Value::Array(a.into_iter().map(integral).collect()),
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, v)| (k, integral(v))).collect()),
        other => other,
    }
}

fn arg(args: &[JValue], i: usize) -> Value {
    args.get(i).map(to_json).unwrap_or(Value::Null)
}

fn host_err(e: StatesError) -> EvaluatorError {
    EvaluatorError::EvaluationError(e.cause.unwrap_or(e.error))
}

/// Checks that a JSONata expression parses; the error text names the problem.
pub fn check_syntax(expr: &str) -> Result<(), String> {
    parser::parse(expr).map(|_| ()).map_err(|e| e.to_string())
}

/// Evaluates `expr`, written in the state field `field` (e.g. `Output/result`), with `$states`
/// bound to `states` and every visible variable bound by name.
///
/// An undefined result, a function as the result, or an evaluation error is
/// `States.QueryEvaluationError` located at `field`, worded as AWS words it (AWS-recorded:
/// "The JSONata expression '$x' specified for the field 'Output/result' returned nothing
/// (undefined).").
pub fn evaluate(
    expr: &str,
    field: &str,
    states: &Value,
    vars: &Vars,
    seed: u64,
) -> Result<Value, StatesError> {
    let fail = |what: String| {
        StatesError::query_at(
            format!("The JSONata expression '{expr}' specified for the field '{field}' {what}"),
            field,
        )
    };
    let ast = parser::parse(expr).map_err(|e| fail(format!("is invalid: {e}")))?;
    let mut ctx = Context::new();
    ctx.bind("states".into(), JValue::from(states.clone()));
    for (name, value) in vars.all() {
        ctx.bind(name, JValue::from(value));
    }
    let mut ev = Evaluator::with_context(ctx);
    register_extras(&mut ev, seed);
    match ev.evaluate(&ast, &JValue::Null) {
        Ok(v) if v.is_undefined() => Err(fail("returned nothing (undefined).".into())),
        // AWS-recorded: a function value (e.g. `$fn := function($x){$x}`) is not JSON.
        Ok(v) if v.is_function() => Err(fail("returned an unsupported result type.".into())),
        Ok(v) => Ok(to_json(&v)),
        Err(e) => Err(fail(format!("threw an error during evaluation. {e}"))),
    }
}

fn register_extras(ev: &mut Evaluator, seed: u64) {
    use crate::intrinsics::{array, encoding, json};
    // Registration only fails when a name shadows a built-in; these are not built-ins.
    let _ = ev.register_fn("partition", |a: &[JValue]| {
        array::partition(&[arg(a, 0), arg(a, 1)])
            .map(JValue::from)
            .map_err(host_err)
    });
    // `$range` answers a JSONata sequence, so a one-item range is that item (AWS-recorded:
    // `$range(1, 9, 9)` is `1`, where `States.ArrayRange(1, 9, 9)` is `[1]`).
    let _ = ev.register_fn("range", |a: &[JValue]| {
        match array::range(&[arg(a, 0), arg(a, 1), arg(a, 2)]).map_err(host_err)? {
            Value::Array(items) => Ok(JValue::sequence(
                items.into_iter().map(JValue::from).collect(),
            )),
            other => Ok(JValue::from(other)),
        }
    });
    let _ = ev.register_fn("hash", |a: &[JValue]| {
        encoding::hash(&[arg(a, 0), arg(a, 1)])
            .map(JValue::from)
            .map_err(host_err)
    });
    let _ = ev.register_fn("parse", |a: &[JValue]| {
        json::string_to_json(&[arg(a, 0)])
            .map(JValue::from)
            .map_err(host_err)
    });
    let rng = std::cell::RefCell::new(StdRng::seed_from_u64(seed));
    let _ = ev.register_fn("uuid", move |_: &[JValue]| {
        let mut r = StdRng::seed_from_u64(rng.borrow_mut().next_u64());
        crate::intrinsics::unique::uuid(&[], &mut r)
            .map(JValue::from)
            .map_err(host_err)
    });
}
