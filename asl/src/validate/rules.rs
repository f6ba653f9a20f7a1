//! Field-level rules: paths, templates, intrinsic calls, Choice rules, Retry/Catch, ranges.

use serde_json::{Map, Value};

use super::walk::Checker;
use super::{fields, token};
use crate::common::jsonata;
use crate::common::template::jsonata_body;
use crate::error::names;
use crate::intrinsics::Call;
use crate::path::Path;
use crate::states::choice::parse_timestamp;

pub(super) struct StateCtx<'a> {
    pub(super) name: &'a str,
    pub(super) ptr: &'a str,
    pub(super) jsonata: bool,
    pub(super) obj: &'a Map<String, Value>,
}

impl StateCtx<'_> {
    pub(super) fn at(&self, field: &str) -> String {
        format!("{}/{}", self.ptr, token(field))
    }
}

/// A path, context path, variable or intrinsic call (a `.$` value, ErrorPath, CausePath).
fn check_dollar(c: &mut Checker, state: &str, ptr: &str, text: &str) {
    if text.starts_with('$') {
        if let Err(e) = Path::parse(text) {
            c.report(state, ptr, e.to_string());
        }
    } else if Call::looks_like_call(text) {
        if let Err(e) = Call::parse(text) {
            c.report(
                state,
                ptr,
                format!("invalid intrinsic function call '{text}': {e}"),
            );
        }
    } else {
        c.report(
            state,
            ptr,
            format!("'{text}' is neither a path nor an intrinsic function call"),
        );
    }
}

pub(super) fn check_jsonata_strings(c: &mut Checker, state: &str, ptr: &str, v: &Value) {
    match v {
        Value::String(s) => {
            if let Some(body) = jsonata_body(s)
                && let Err(e) = jsonata::check_syntax(body)
            {
                c.report(state, ptr, format!("invalid JSONata expression: {e}"));
            }
        }
        Value::Object(m) => {
            for (k, v) in m {
                check_jsonata_strings(c, state, &format!("{ptr}/{}", token(k)), v);
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                check_jsonata_strings(c, state, &format!("{ptr}/{i}"), v);
            }
        }
        _ => {}
    }
}

/// A payload template (Parameters, ResultSelector, ItemSelector, Assign, Arguments, Output).
pub(super) fn check_template(c: &mut Checker, state: &str, ptr: &str, v: &Value, jsonata: bool) {
    if jsonata {
        return check_jsonata_strings(c, state, ptr, v);
    }
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let p = format!("{ptr}/{}", token(k));
                if k.ends_with(".$") {
                    match v {
                        Value::String(s) => check_dollar(c, state, &p, s),
                        _ => c.report(
                            state,
                            &p,
                            format!("the value of '{k}' must be a string path or intrinsic call"),
                        ),
                    }
                } else {
                    check_template(c, state, &p, v, jsonata);
                }
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                check_template(c, state, &format!("{ptr}/{i}"), v, jsonata);
            }
        }
        _ => {}
    }
}

fn check_path_field(
    c: &mut Checker,
    s: &StateCtx<'_>,
    field: &str,
    reference: bool,
    nullable: bool,
) {
    match s.obj.get(field) {
        None => {}
        Some(Value::Null) if nullable => {}
        Some(Value::String(p)) => {
            let r = if reference {
                Path::parse_reference(p)
            } else {
                Path::parse(p)
            };
            if let Err(e) = r {
                c.report(s.name, &s.at(field), e.to_string());
            }
        }
        Some(_) => c.report(
            s.name,
            &s.at(field),
            format!("{field} must be a string path"),
        ),
    }
}

/// Paths and templates common to several state types.
pub(super) fn check_io(c: &mut Checker, s: &StateCtx<'_>) {
    check_path_field(c, s, "InputPath", false, true);
    check_path_field(c, s, "OutputPath", false, true);
    check_path_field(c, s, "ResultPath", true, true);
    for f in [
        "ItemsPath",
        "SecondsPath",
        "TimestampPath",
        "TimeoutSecondsPath",
        "HeartbeatSecondsPath",
        "MaxConcurrencyPath",
        "ToleratedFailureCountPath",
        "ToleratedFailurePercentagePath",
    ] {
        check_path_field(c, s, f, true, false);
    }
    for f in [
        "Parameters",
        "ResultSelector",
        "ItemSelector",
        "Arguments",
        "Output",
        "Items",
    ] {
        if let Some(v) = s.obj.get(f) {
            check_template(c, s.name, &s.at(f), v, s.jsonata);
        }
    }
    if let Some(v) = s.obj.get("Assign") {
        check_assign(c, s.name, &s.at("Assign"), v, s.jsonata);
    }
}

pub(super) fn check_assign(c: &mut Checker, state: &str, ptr: &str, v: &Value, jsonata: bool) {
    match v {
        Value::Object(m) => {
            for k in m.keys() {
                let var = k.strip_suffix(".$").unwrap_or(k);
                let ok = var
                    .chars()
                    .next()
                    .is_some_and(|ch| ch.is_alphabetic() || ch == '_')
                    && var.chars().all(|ch| ch.is_alphanumeric() || ch == '_');
                if !ok || var == "states" {
                    c.report(
                        state,
                        &format!("{ptr}/{}", token(k)),
                        format!("'{var}' is not a valid variable name"),
                    );
                }
            }
            check_template(c, state, ptr, v, jsonata);
        }
        _ => c.report(state, ptr, "Assign must be an object"),
    }
}

fn int_range(c: &mut Checker, state: &str, ptr: &str, v: &Value, min: u64, max: u64, what: &str) {
    match v.as_u64() {
        Some(n) if (min..=max).contains(&n) => {}
        _ => c.report(
            state,
            ptr,
            format!("{what} must be an integer between {min} and {max}"),
        ),
    }
}

fn number_or_expr(c: &mut Checker, s: &StateCtx<'_>, field: &str, min: u64, max: u64) {
    match s.obj.get(field) {
        None => {}
        Some(Value::String(e)) if s.jsonata && jsonata_body(e).is_some() => {}
        Some(v) => int_range(c, s.name, &s.at(field), v, min, max, field),
    }
}

fn exclusive(c: &mut Checker, s: &StateCtx<'_>, a: &str, b: &str) {
    if s.obj.contains_key(a) && s.obj.contains_key(b) {
        c.report(s.name, s.ptr, format!("{a} and {b} are mutually exclusive"));
    }
}

pub(super) fn check_task(c: &mut Checker, s: &StateCtx<'_>) {
    match s.obj.get("Resource") {
        Some(Value::String(r)) if r.starts_with("arn:") => {}
        Some(Value::String(r)) => c.report(
            s.name,
            &s.at("Resource"),
            format!("Resource '{r}' is not an ARN"),
        ),
        _ => c.report(
            s.name,
            s.ptr,
            "the required field 'Resource' is missing or not a string",
        ),
    }
    exclusive(c, s, "TimeoutSeconds", "TimeoutSecondsPath");
    exclusive(c, s, "HeartbeatSeconds", "HeartbeatSecondsPath");
    number_or_expr(c, s, "TimeoutSeconds", 1, 99_999_999);
    number_or_expr(c, s, "HeartbeatSeconds", 1, 99_999_999);
    if let (Some(t), Some(h)) = (
        s.obj.get("TimeoutSeconds").and_then(Value::as_u64),
        s.obj.get("HeartbeatSeconds").and_then(Value::as_u64),
    ) && h >= t
    {
        c.report(
            s.name,
            &s.at("HeartbeatSeconds"),
            "HeartbeatSeconds must be smaller than TimeoutSeconds",
        );
    }
    if let Some(cr) = s.obj.get("Credentials")
        && !cr.is_object()
    {
        c.report(
            s.name,
            &s.at("Credentials"),
            "Credentials must be an object",
        );
    }
}

pub(super) fn check_wait(c: &mut Checker, s: &StateCtx<'_>) {
    let forms: Vec<&str> = ["Seconds", "Timestamp", "SecondsPath", "TimestampPath"]
        .into_iter()
        .filter(|f| s.obj.contains_key(*f))
        .collect();
    if forms.len() != 1 {
        c.report(
            s.name,
            s.ptr,
            "a Wait state needs exactly one of Seconds, Timestamp, SecondsPath or TimestampPath",
        );
    }
    number_or_expr(c, s, "Seconds", 0, 99_999_999);
    match s.obj.get("Timestamp") {
        None => {}
        Some(Value::String(t)) if s.jsonata && jsonata_body(t).is_some() => {}
        Some(Value::String(t)) if parse_timestamp(t).is_some() => {}
        Some(_) => c.report(
            s.name,
            &s.at("Timestamp"),
            "Timestamp must be an RFC 3339 timestamp such as 2026-01-01T00:00:00Z",
        ),
    }
}

pub(super) fn check_fail(c: &mut Checker, s: &StateCtx<'_>) {
    exclusive(c, s, "Error", "ErrorPath");
    exclusive(c, s, "Cause", "CausePath");
    for f in ["Error", "Cause"] {
        match s.obj.get(f) {
            None | Some(Value::String(_)) => {}
            Some(_) => c.report(s.name, &s.at(f), format!("{f} must be a string")),
        }
    }
    for f in ["ErrorPath", "CausePath"] {
        match s.obj.get(f) {
            None => {}
            Some(Value::String(p)) => check_dollar(c, s.name, &s.at(f), p),
            Some(_) => c.report(s.name, &s.at(f), format!("{f} must be a string")),
        }
    }
}

pub(super) fn check_map(c: &mut Checker, s: &StateCtx<'_>, machine_jsonata: bool) {
    exclusive(c, s, "ItemProcessor", "Iterator");
    exclusive(c, s, "ItemSelector", "Parameters");
    exclusive(c, s, "MaxConcurrency", "MaxConcurrencyPath");
    exclusive(c, s, "ToleratedFailureCount", "ToleratedFailureCountPath");
    exclusive(
        c,
        s,
        "ToleratedFailurePercentage",
        "ToleratedFailurePercentagePath",
    );
    number_or_expr(c, s, "MaxConcurrency", 0, u32::MAX as u64);
    number_or_expr(c, s, "ToleratedFailureCount", 0, u32::MAX as u64);
    match s.obj.get("ToleratedFailurePercentage") {
        None => {}
        Some(Value::String(e)) if s.jsonata && jsonata_body(e).is_some() => {}
        Some(v) if v.as_f64().is_some_and(|p| (0.0..=100.0).contains(&p)) => {}
        Some(_) => c.report(
            s.name,
            &s.at("ToleratedFailurePercentage"),
            "ToleratedFailurePercentage must be a number between 0 and 100",
        ),
    }
    let (key, proc) = match (s.obj.get("ItemProcessor"), s.obj.get("Iterator")) {
        (Some(p), _) => ("ItemProcessor", p),
        (None, Some(p)) => ("Iterator", p),
        (None, None) => {
            c.report(s.name, s.ptr, "a Map state needs an ItemProcessor");
            return;
        }
    };
    let pptr = s.at(key);
    let Some(po) = proc.as_object() else {
        c.report(s.name, &pptr, format!("{key} must be an object"));
        return;
    };
    for k in po.keys() {
        // AWS-recorded: the legacy `Iterator` accepts a `ProcessorConfig` too.
        let ok = ["StartAt", "States", "Comment", "ProcessorConfig"].contains(&k.as_str());
        if !ok {
            c.report(
                s.name,
                &format!("{pptr}/{}", token(k)),
                format!("unknown field '{k}' in {key}"),
            );
        }
    }
    if let Some(cfg) = po.get("ProcessorConfig") {
        match cfg.get("Mode").and_then(Value::as_str) {
            None | Some("INLINE" | "DISTRIBUTED") => {}
            Some(m) => c.report(
                s.name,
                &format!("{pptr}/ProcessorConfig/Mode"),
                format!("Mode must be INLINE or DISTRIBUTED, got '{m}'"),
            ),
        }
        match cfg.get("ExecutionType").and_then(Value::as_str) {
            None | Some("STANDARD" | "EXPRESS") => {}
            Some(m) => c.report(
                s.name,
                &format!("{pptr}/ProcessorConfig/ExecutionType"),
                format!("ExecutionType must be STANDARD or EXPRESS, got '{m}'"),
            ),
        }
    }
    c.scope(po, &pptr, s.jsonata, machine_jsonata);
}

fn check_error_equals(
    c: &mut Checker,
    state: &str,
    ptr: &str,
    entry: &Map<String, Value>,
    is_last: bool,
) {
    let eptr = format!("{ptr}/ErrorEquals");
    let Some(list) = entry
        .get("ErrorEquals")
        .and_then(Value::as_array)
        .filter(|l| !l.is_empty())
    else {
        c.report(
            state,
            &eptr,
            "ErrorEquals must be a non-empty array of error names",
        );
        return;
    };
    for (i, e) in list.iter().enumerate() {
        let Some(e) = e.as_str() else {
            c.report(
                state,
                &format!("{eptr}/{i}"),
                "an error name must be a string",
            );
            continue;
        };
        if e.starts_with("States.") && !names::PREDEFINED.contains(&e) {
            c.report(state, &format!("{eptr}/{i}"), format!("'{e}' is not a predefined error name; names starting with 'States.' are reserved"));
        }
        if e == names::ALL && (list.len() != 1 || !is_last) {
            c.report(
                state,
                &format!("{eptr}/{i}"),
                "States.ALL must appear alone in the last retrier or catcher",
            );
        }
    }
}

pub(super) fn check_retry_catch(
    c: &mut Checker,
    s: &StateCtx<'_>,
    targets: &mut Vec<(String, String)>,
) {
    if let Some(r) = s.obj.get("Retry") {
        let Some(list) = r.as_array() else {
            c.report(s.name, &s.at("Retry"), "Retry must be an array");
            return;
        };
        for (i, r) in list.iter().enumerate() {
            let ptr = format!("{}/{i}", s.at("Retry"));
            let Some(o) = r.as_object() else {
                c.report(s.name, &ptr, "a retrier must be an object");
                continue;
            };
            for k in o.keys() {
                if !fields::RETRIER.contains(&k.as_str()) {
                    c.report(
                        s.name,
                        &format!("{ptr}/{}", token(k)),
                        format!("unknown field '{k}' in a retrier"),
                    );
                }
            }
            check_error_equals(c, s.name, &ptr, o, i + 1 == list.len());
            if let Some(v) = o.get("IntervalSeconds") {
                int_range(
                    c,
                    s.name,
                    &format!("{ptr}/IntervalSeconds"),
                    v,
                    1,
                    99_999_999,
                    "IntervalSeconds",
                );
            }
            if let Some(v) = o.get("MaxAttempts") {
                int_range(
                    c,
                    s.name,
                    &format!("{ptr}/MaxAttempts"),
                    v,
                    0,
                    99_999_999,
                    "MaxAttempts",
                );
            }
            if let Some(v) = o.get("MaxDelaySeconds") {
                int_range(
                    c,
                    s.name,
                    &format!("{ptr}/MaxDelaySeconds"),
                    v,
                    1,
                    31_622_401,
                    "MaxDelaySeconds",
                );
            }
            if let Some(v) = o.get("BackoffRate")
                && v.as_f64().is_none_or(|b| b < 1.0)
            {
                c.report(
                    s.name,
                    &format!("{ptr}/BackoffRate"),
                    "BackoffRate must be a number of at least 1.0",
                );
            }
            if let Some(v) = o.get("JitterStrategy")
                && !matches!(v.as_str(), Some("FULL" | "NONE"))
            {
                c.report(
                    s.name,
                    &format!("{ptr}/JitterStrategy"),
                    "JitterStrategy must be FULL or NONE",
                );
            }
        }
    }
    if let Some(r) = s.obj.get("Catch") {
        let Some(list) = r.as_array() else {
            c.report(s.name, &s.at("Catch"), "Catch must be an array");
            return;
        };
        for (i, r) in list.iter().enumerate() {
            let ptr = format!("{}/{i}", s.at("Catch"));
            let Some(o) = r.as_object() else {
                c.report(s.name, &ptr, "a catcher must be an object");
                continue;
            };
            for k in o.keys() {
                if !fields::catcher(s.jsonata).contains(&k.as_str()) {
                    c.report(
                        s.name,
                        &format!("{ptr}/{}", token(k)),
                        format!("the field '{k}' is not allowed in a catcher"),
                    );
                }
            }
            check_error_equals(c, s.name, &ptr, o, i + 1 == list.len());
            match o.get("Next") {
                Some(Value::String(n)) => targets.push((n.clone(), format!("{ptr}/Next"))),
                _ => c.report(s.name, &format!("{ptr}/Next"), "a catcher needs Next"),
            }
            if let Some(Value::String(p)) = o.get("ResultPath")
                && let Err(e) = Path::parse_reference(p)
            {
                c.report(s.name, &format!("{ptr}/ResultPath"), e.to_string());
            }
            if let Some(v) = o.get("Assign") {
                check_assign(c, s.name, &format!("{ptr}/Assign"), v, s.jsonata);
            }
            if let Some(v) = o.get("Output") {
                check_template(c, s.name, &format!("{ptr}/Output"), v, s.jsonata);
            }
        }
    }
}
