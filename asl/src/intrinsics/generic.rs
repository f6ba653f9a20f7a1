//! Intrinsic for generic operations: `States.Format`.

use serde_json::Value;

use super::{unescape_braces, want_str};
use crate::error::StatesError;

/// `States.Format(template, args...)`: each `{}` takes the next argument; the counts must match.
/// Strings are inserted raw, other values as JSON, except objects and arrays, which AWS renders
/// Java-style (`{a=1}`, `[1, 2]`).
pub fn format(args: &[Value]) -> Result<Value, StatesError> {
    let f = "States.Format";
    let Some((tmpl, rest)) = args.split_first() else {
        return Err(StatesError::intrinsic(format!(
            "Invalid arguments in {f}: a template is required"
        )));
    };
    let tmpl = want_str(f, tmpl)?;
    let holes = tmpl.matches("{}").count();
    if holes != rest.len() {
        return Err(StatesError::intrinsic(format!(
            "Invalid arguments in {f}: the template has {holes} placeholder(s) but {} argument(s) were given",
            rest.len()
        )));
    }
    let mut out = String::new();
    let mut pieces = tmpl.split("{}");
    out.push_str(pieces.next().unwrap_or_default());
    for (piece, arg) in pieces.zip(rest) {
        out.push_str(&render(arg));
        out.push_str(piece);
    }
    Ok(Value::String(unescape_braces(&out)))
}

fn render(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => format!("[{}]", a.iter().map(render).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{k}={}", render(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}
