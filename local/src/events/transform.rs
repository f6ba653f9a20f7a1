//! Target input: `Input`, `InputPath`, or an `InputTransformer` (InputPathsMap + InputTemplate).
//!
//! Substitution follows the EventBridge user guide ("Transforming target input"): a `<var>`
//! standing as a JSON value gets the value as JSON (strings quoted); a `<var>` inside a JSON
//! string gets the value's text inserted into the string (escaped so the result stays JSON).
//! Reserved variables: `<aws.events.rule-arn>`, `<aws.events.rule-name>`,
//! `<aws.events.event.ingestion-time>`, `<aws.events.event>` (the event without `detail`) and
//! `<aws.events.event.json>` (the whole event). A `<name>` that is neither a reserved variable
//! nor a key of InputPathsMap is literal text.

use indexmap::IndexMap;
use kdaflow_asl::path::Path;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// An InputTransformer as PutTargets takes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct InputTransformer {
    /// Variable -> JSONPath into the event (at most 100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_paths_map: Option<IndexMap<String, String>>,
    /// The template (required, at most 8192 characters).
    pub input_template: Option<String>,
}

/// Most variables in an InputPathsMap.
pub const MAX_PATHS: usize = 100;
/// Longest InputTemplate.
pub const MAX_TEMPLATE: usize = 8192;

/// What the reserved variables stand for in one delivery.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The rule's name.
    pub rule_name: &'a str,
    /// The rule's ARN.
    pub rule_arn: &'a str,
    /// When the event was received (ISO 8601).
    pub ingestion_time: &'a str,
}

/// Checks a transformer at PutTargets time; `Err` says what is wrong.
pub fn check(t: &InputTransformer) -> Result<(), String> {
    let template = t
        .input_template
        .as_deref()
        .ok_or("InputTransformer.InputTemplate is required")?;
    if template.chars().count() > MAX_TEMPLATE {
        return Err(format!(
            "InputTemplate is longer than {MAX_TEMPLATE} characters"
        ));
    }
    let map = t.input_paths_map.clone().unwrap_or_default();
    if map.len() > MAX_PATHS {
        return Err(format!("InputPathsMap has more than {MAX_PATHS} entries"));
    }
    for (k, p) in &map {
        if k.is_empty()
            || !k
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(format!(
                "InputPathsMap key '{k}' is not valid: use letters, digits, '_' and '-'"
            ));
        }
        if k.starts_with("aws.") {
            return Err(format!(
                "InputPathsMap key '{k}' uses the reserved prefix 'aws.'"
            ));
        }
        if !p.starts_with('$') || Path::parse(p).is_err() {
            return Err(format!(
                "InputPathsMap value '{p}' for '{k}' is not a valid JSON path"
            ));
        }
    }
    Ok(())
}

/// Selects `path` from the event (`None` when absent).
pub fn select(event: &Value, path: &str) -> Option<Value> {
    Path::parse(path).ok()?.select(event).ok()
}

fn escape_in_string(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap_or_default();
    quoted[1..quoted.len() - 1].to_string()
}

/// Renders the template for `event`.
pub fn render(t: &InputTransformer, event: &Value, ctx: Context<'_>) -> String {
    let template = t.input_template.as_deref().unwrap_or_default();
    let map = t.input_paths_map.as_ref();
    let lookup = |name: &str| -> Option<Option<Value>> {
        Some(match name {
            "aws.events.rule-arn" => Some(Value::String(ctx.rule_arn.into())),
            "aws.events.rule-name" => Some(Value::String(ctx.rule_name.into())),
            "aws.events.event.ingestion-time" => Some(Value::String(ctx.ingestion_time.into())),
            "aws.events.event" => {
                let mut e = event.clone();
                if let Value::Object(m) = &mut e {
                    m.shift_remove("detail");
                }
                Some(e)
            }
            "aws.events.event.json" => Some(event.clone()),
            _ => select(event, map?.get(name)?),
        })
    };
    let mut out = String::with_capacity(template.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = template;
    while let Some(c) = rest.chars().next() {
        if c == '<'
            && let Some(end) = rest.find('>')
            && let Some(value) = lookup(&rest[1..end])
        {
            match (in_string, value) {
                (false, Some(v)) => out.push_str(&v.to_string()),
                (false, None) => out.push_str("null"),
                (true, Some(Value::String(s))) => out.push_str(&escape_in_string(&s)),
                (true, Some(v)) => out.push_str(&escape_in_string(&v.to_string())),
                (true, None) => {}
            }
            rest = &rest[end + 1..];
            continue;
        }
        if in_string && c == '\\' && !escaped {
            escaped = true;
        } else {
            if c == '"' && !escaped {
                in_string = !in_string;
            }
            escaped = false;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn substitutes_as_values_and_inside_strings() {
        let event = json!({"source": "s", "detail": {"id": "i-1", "n": 3, "o": {"a": 1}}});
        let t = InputTransformer {
            input_paths_map: Some(
                [("id", "$.detail.id"), ("n", "$.detail.n"), ("o", "$.detail.o"), ("gone", "$.nope")]
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            ),
            input_template: Some(
                r#"{"id": <id>, "n": <n>, "o": <o>, "msg": "instance <id> has <n> \"x\"", "g": <gone>, "r": <aws.events.rule-name>, "keep": "<unknown>"}"#.into(),
            ),
        };
        let ctx = Context {
            rule_name: "R",
            rule_arn: "arn",
            ingestion_time: "t",
        };
        let v: Value = serde_json::from_str(&render(&t, &event, ctx)).unwrap();
        assert_eq!(
            v,
            json!({"id": "i-1", "n": 3, "o": {"a": 1}, "msg": "instance i-1 has 3 \"x\"", "g": null, "r": "R", "keep": "<unknown>"})
        );
        assert!(check(&t).is_ok());
    }
}
