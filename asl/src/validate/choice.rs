//! Choice rules: one comparison, And/Or/Not (JSONPath) or Condition (JSONata) per rule, operand
//! types per operator, Next only at the top level.

use serde_json::Value;

use super::rules::{StateCtx, check_assign, check_jsonata_strings, check_template};
use super::token;
use super::walk::Checker;
use crate::common::template::jsonata_body;
use crate::model::Operator;
use crate::path::Path;
use crate::states::choice::parse_timestamp;

pub(super) fn check_choice(c: &mut Checker, s: &StateCtx<'_>, targets: &mut Vec<(String, String)>) {
    match s.obj.get("Default") {
        None => {}
        Some(Value::String(d)) => targets.push((d.clone(), s.at("Default"))),
        Some(_) => c.report(s.name, &s.at("Default"), "Default must be a state name"),
    }
    let Some(rules) = s
        .obj
        .get("Choices")
        .and_then(Value::as_array)
        .filter(|r| !r.is_empty())
    else {
        c.report(
            s.name,
            &s.at("Choices"),
            "Choices must be a non-empty array",
        );
        return;
    };
    for (i, r) in rules.iter().enumerate() {
        let ptr = format!("{}/{i}", s.at("Choices"));
        check_rule(c, s, &ptr, r, true, targets);
    }
}

fn check_rule(
    c: &mut Checker,
    s: &StateCtx<'_>,
    ptr: &str,
    rule: &Value,
    top: bool,
    targets: &mut Vec<(String, String)>,
) {
    let Some(o) = rule.as_object() else {
        c.report(s.name, ptr, "a Choice rule must be an object");
        return;
    };
    match (top, o.get("Next")) {
        (true, Some(Value::String(n))) => targets.push((n.clone(), format!("{ptr}/Next"))),
        (true, _) => c.report(
            s.name,
            &format!("{ptr}/Next"),
            "a top-level Choice rule needs Next",
        ),
        (false, Some(_)) => c.report(
            s.name,
            &format!("{ptr}/Next"),
            "a nested Choice rule cannot have Next",
        ),
        (false, None) => {}
    }
    let mut kinds = 0;
    for (k, v) in o {
        let p = format!("{ptr}/{}", token(k));
        match k.as_str() {
            "Next" | "Comment" => {}
            "Assign" if top => check_assign(c, s.name, &p, v, s.jsonata),
            "Output" if top && s.jsonata => check_template(c, s.name, &p, v, true),
            "Condition" if s.jsonata => {
                kinds += 1;
                match v {
                    Value::Bool(_) => {}
                    Value::String(e) if jsonata_body(e).is_some() => {
                        check_jsonata_strings(c, s.name, &p, v)
                    }
                    _ => c.report(
                        s.name,
                        &p,
                        "Condition must be a JSONata expression {% ... %} or a boolean",
                    ),
                }
            }
            "Variable" if !s.jsonata => match v {
                Value::String(t) if t.starts_with('$') => {
                    if let Err(e) = Path::parse(t) {
                        c.report(s.name, &p, e.to_string());
                    }
                }
                _ => c.report(
                    s.name,
                    &p,
                    "Variable must be a path, context path or variable",
                ),
            },
            "And" | "Or" if !s.jsonata => {
                kinds += 1;
                match v.as_array().filter(|a| !a.is_empty()) {
                    Some(a) => a.iter().enumerate().for_each(|(i, r)| {
                        check_rule(c, s, &format!("{p}/{i}"), r, false, targets)
                    }),
                    None => c.report(
                        s.name,
                        &p,
                        format!("{k} must be a non-empty array of rules"),
                    ),
                }
            }
            "Not" if !s.jsonata => {
                kinds += 1;
                check_rule(c, s, &p, v, false, targets);
            }
            other => match Operator::parse(other) {
                Some(op) if !s.jsonata => {
                    kinds += 1;
                    if !o.contains_key("Variable") {
                        c.report(s.name, ptr, format!("{other} needs a Variable"));
                    }
                    check_operand(c, s.name, &p, op, v);
                }
                _ => c.report(
                    s.name,
                    &p,
                    format!("the field '{other}' is not allowed in a Choice rule"),
                ),
            },
        }
    }
    if kinds != 1 {
        c.report(s.name, ptr, "a Choice rule needs exactly one comparison, And, Or, Not (JSONPath) or Condition (JSONata)");
    }
}

fn check_operand(c: &mut Checker, state: &str, ptr: &str, op: Operator, v: &Value) {
    let name = op.as_str();
    let ok = if op.is_path() {
        v.as_str()
            .is_some_and(|p| p.starts_with('$') && Path::parse(p).is_ok())
    } else if name.starts_with("Is") {
        v.is_boolean()
    } else if name.starts_with("String") {
        v.is_string()
    } else if name.starts_with("Numeric") {
        v.is_number()
    } else if name.starts_with("Boolean") {
        v.is_boolean()
    } else {
        v.as_str().and_then(parse_timestamp).is_some()
    };
    if !ok {
        let want = if op.is_path() {
            "a path"
        } else if name.starts_with("Is") || name.starts_with("Boolean") {
            "a boolean"
        } else if name.starts_with("Numeric") {
            "a number"
        } else if name.starts_with("Timestamp") {
            "an RFC 3339 timestamp"
        } else {
            "a string"
        };
        c.report(state, ptr, format!("{name} takes {want}"));
    }
}
