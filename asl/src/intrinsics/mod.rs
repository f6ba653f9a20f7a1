//! Intrinsic functions (`States.Format(...)` and friends).
//!
//! Files follow the AWS documentation's categories: [`array`](mod@array) (arrays), [`encoding`] (Base64 and
//! hashing), [`json`] (JSON manipulation), [`math`], [`string`] (StringSplit), [`generic`]
//! (Format) and [`unique`] (UUID).
//!
//! ```
//! use kdaflow_asl::intrinsics::Call;
//! let call = Call::parse("States.Format('Hello, {}!', $.name)").unwrap();
//! let input = serde_json::json!({"name": "Ada"});
//! let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(1);
//! let out = call.evaluate(&|p| p.select(&input).map_err(|e| e.to_string()), &mut rng).unwrap();
//! assert_eq!(out, serde_json::json!("Hello, Ada!"));
//! ```

pub mod array;
pub mod encoding;
pub mod generic;
pub mod json;
pub mod math;
mod parse;
pub mod string;
pub mod unique;

use rand::rngs::StdRng;
use serde_json::Value;

use crate::error::StatesError;
use crate::path::Path;

/// Private-use characters standing for escaped braces (`\{`, `\}`) inside string literals, so
/// that `States.Format` can tell them from placeholders.
pub(crate) const OPEN: char = '\u{E000}';
pub(crate) const CLOSE: char = '\u{E001}';

/// One argument of an intrinsic call.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// A literal (string, number, boolean or null).
    Literal(Value),
    /// A path (`$.x`, `$$.x` or `$var`).
    Path(Path),
    /// A nested call.
    Call(Call),
}

/// A parsed intrinsic call.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The function name, such as `States.Format`.
    pub name: String,
    /// Its arguments.
    pub args: Vec<Arg>,
}

/// Every intrinsic function name AWS supports.
pub const FUNCTIONS: &[&str] = &[
    "States.Format",
    "States.StringToJson",
    "States.JsonToString",
    "States.Array",
    "States.ArrayPartition",
    "States.ArrayContains",
    "States.ArrayRange",
    "States.ArrayGetItem",
    "States.ArrayLength",
    "States.ArrayUnique",
    "States.Base64Encode",
    "States.Base64Decode",
    "States.Hash",
    "States.JsonMerge",
    "States.MathRandom",
    "States.MathAdd",
    "States.StringSplit",
    "States.UUID",
];

/// Resolves a path argument to a value; the error text becomes a `States.Runtime` cause.
pub type Resolver<'a> = dyn Fn(&Path) -> Result<Value, String> + 'a;

impl Call {
    /// Parses `States.Name(args...)`; the name must be a known function.
    pub fn parse(text: &str) -> Result<Self, String> {
        parse::parse(text)
    }

    /// Whether `text` looks like an intrinsic call (starts with `States.` and a parenthesis).
    pub fn looks_like_call(text: &str) -> bool {
        text.starts_with("States.") && text.contains('(')
    }

    /// Evaluates the call; paths are resolved by `resolve`, randomness drawn from `rng`.
    pub fn evaluate(&self, resolve: &Resolver<'_>, rng: &mut StdRng) -> Result<Value, StatesError> {
        let mut args = Vec::with_capacity(self.args.len());
        for (i, a) in self.args.iter().enumerate() {
            args.push(match a {
                Arg::Literal(Value::String(s)) if i == 0 && self.name == "States.Format" => {
                    Value::String(s.clone())
                }
                Arg::Literal(Value::String(s)) => Value::String(unescape_braces(s)),
                Arg::Literal(v) => v.clone(),
                Arg::Path(p) => resolve(p).map_err(StatesError::runtime)?,
                Arg::Call(c) => c.evaluate(resolve, rng)?,
            });
        }
        let f = self.name.as_str();
        match f {
            "States.Format" => generic::format(&args),
            "States.StringToJson" => json::string_to_json(&args),
            "States.JsonToString" => json::json_to_string(&args),
            "States.JsonMerge" => json::json_merge(&args),
            "States.Array" => Ok(Value::Array(args)),
            "States.ArrayPartition" => array::partition(&args),
            "States.ArrayContains" => array::contains(&args),
            "States.ArrayRange" => array::range(&args),
            "States.ArrayGetItem" => array::get_item(&args),
            "States.ArrayLength" => array::length(&args),
            "States.ArrayUnique" => array::unique(&args),
            "States.Base64Encode" => encoding::base64_encode(&args),
            "States.Base64Decode" => encoding::base64_decode(&args),
            "States.Hash" => encoding::hash(&args),
            "States.MathRandom" => math::random(&args, rng),
            "States.MathAdd" => math::add(&args),
            "States.StringSplit" => string::split(&args),
            "States.UUID" => unique::uuid(&args, rng),
            other => Err(StatesError::intrinsic(format!(
                "The intrinsic function '{other}' is not supported"
            ))),
        }
    }
}

pub(crate) fn unescape_braces(s: &str) -> String {
    if s.contains([OPEN, CLOSE]) {
        s.replace(OPEN, "{").replace(CLOSE, "}")
    } else {
        s.to_owned()
    }
}

/// Checks the number of arguments.
pub(crate) fn arity(name: &str, args: &[Value], min: usize, max: usize) -> Result<(), StatesError> {
    if args.len() < min || args.len() > max {
        let expected = if min == max {
            min.to_string()
        } else {
            format!("{min} to {max}")
        };
        return Err(StatesError::intrinsic(format!(
            "Invalid arguments in {name}: expected {expected} argument(s), got {}",
            args.len()
        )));
    }
    Ok(())
}

pub(crate) fn want_str<'a>(name: &str, v: &'a Value) -> Result<&'a str, StatesError> {
    v.as_str().ok_or_else(|| {
        StatesError::intrinsic(format!(
            "Invalid arguments in {name}: expected a string, got {v}"
        ))
    })
}

pub(crate) fn want_array<'a>(name: &str, v: &'a Value) -> Result<&'a Vec<Value>, StatesError> {
    v.as_array().ok_or_else(|| {
        StatesError::intrinsic(format!(
            "Invalid arguments in {name}: expected an array, got {v}"
        ))
    })
}

pub(crate) fn want_int(name: &str, v: &Value) -> Result<i64, StatesError> {
    match v.as_i64() {
        Some(i) => Ok(i),
        None => match v.as_f64() {
            Some(f) if f.fract() == 0.0 => Ok(f as i64),
            _ => Err(StatesError::intrinsic(format!(
                "Invalid arguments in {name}: expected an integer, got {v}"
            ))),
        },
    }
}
