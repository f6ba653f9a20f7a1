//! Compiling a pattern, refusing every malformed one with event-ruler's wording.

use std::net::IpAddr;

use serde_json::{Map, Value};

use super::{AnythingBut, Branch, Cidr, Matcher, Node, Pattern, Range, Wildcard};

/// Field names that cannot be used inside `$or` (event-ruler's
/// `RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP`): an `$or` branch must be a field pattern, not a
/// match expression.
const RESERVED: [&str; 9] = [
    "exact",
    "prefix",
    "suffix",
    "equals-ignore-case",
    "anything-but",
    "numeric",
    "exists",
    "cidr",
    "wildcard",
];

/// The most branches an `$or` may expand into. event-ruler itself sets no bound; the twin
/// refuses what would make matching and storage explode, at the figure the fidelity issue
/// names.
pub const MAX_BRANCHES: usize = 1000;

/// Compiles pattern text; `Err` is the reason, as `InvalidEventPatternException` states it.
pub fn compile(text: &str) -> Result<Pattern, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("Invalid JSON: {e}"))?;
    let Value::Object(map) = value else {
        return Err("Filter is not an object".into());
    };
    Ok(Pattern {
        branches: object(&map, "", false)?,
    })
}

fn at(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn fail<T>(message: impl Into<String>, path: &str) -> Result<T, String> {
    let m = message.into();
    if path.is_empty() {
        Err(m)
    } else {
        Err(format!("{m} at {path}"))
    }
}

/// Sets `name` in a branch: object patterns of one name merge (their fields are paths below
/// it); a leaf replaces the leaf of the same name (event-ruler puts the flattened path, the
/// later one winning).
fn put(branch: &mut Branch, name: &str, node: Node) {
    let same_kind = |n: &Node| {
        matches!(
            (n, &node),
            (Node::Object(_), Node::Object(_)) | (Node::Leaf(_), Node::Leaf(_))
        )
    };
    match branch
        .fields
        .iter_mut()
        .find(|(n, existing)| n == name && same_kind(existing))
    {
        Some((_, existing)) => match (existing, node) {
            (Node::Object(into), Node::Object(from)) => merge(into, from),
            (slot, node) => *slot = node,
        },
        None => branch.fields.push((name.to_string(), node)),
    }
}

fn merge(into: &mut Branch, from: Branch) {
    for (name, node) in from.fields {
        put(into, &name, node);
    }
}

fn too_many(n: usize, path: &str) -> Result<(), String> {
    if n > MAX_BRANCHES {
        return fail(
            format!(
                "The pattern's $or relationships expand to {n} combinations; at most {MAX_BRANCHES} are allowed. Split the rule into several rules"
            ),
            path,
        );
    }
    Ok(())
}

/// The branches of one object level (inside an `$or` branch when `in_or`).
fn object(map: &Map<String, Value>, path: &str, in_or: bool) -> Result<Vec<Branch>, String> {
    if map.is_empty() {
        return fail("Empty objects are not allowed", path);
    }
    let mut branches = vec![Branch::default()];
    for (name, value) in map {
        if name == "$or" {
            let alternatives = or_group(value, path)?;
            let n = branches.len().saturating_mul(alternatives.len());
            too_many(n, path)?;
            branches = alternatives
                .iter()
                .flat_map(|alt| {
                    branches.iter().map(move |b| {
                        let mut b = b.clone();
                        merge(&mut b, alt.clone());
                        b
                    })
                })
                .collect();
            continue;
        }
        let here = at(path, name);
        if in_or && RESERVED.contains(&name.as_str()) {
            return fail(
                format!("{name} is Ruler reserved fieldName which cannot be used inside $or."),
                &here,
            );
        }
        match value {
            Value::Object(m) => {
                let subs = object(m, &here, in_or)?;
                too_many(branches.len().saturating_mul(subs.len()), path)?;
                branches = subs
                    .iter()
                    .flat_map(|sub| {
                        branches.iter().map(move |b| {
                            let mut b = b.clone();
                            put(&mut b, name, Node::Object(sub.clone()));
                            b
                        })
                    })
                    .collect();
            }
            Value::Array(items) => {
                let matchers = leaf(items, &here)?;
                for b in &mut branches {
                    put(b, name, Node::Leaf(matchers.clone()));
                }
            }
            _ => return fail(format!("\"{name}\" must be an object or an array"), &here),
        }
    }
    Ok(branches)
}

/// The alternatives of an `$or`, each expanded into its own branches.
fn or_group(value: &Value, path: &str) -> Result<Vec<Branch>, String> {
    let Value::Array(items) = value else {
        return fail("It must be an Array followed with $or.", path);
    };
    let mut alternatives = Vec::new();
    for item in items {
        match item {
            Value::Object(m) => {
                alternatives.extend(object(m, path, true)?);
                too_many(alternatives.len(), path)?;
            }
            _ => {
                return fail(
                    "Only JSON object is allowed in array of $or relationship.",
                    path,
                );
            }
        }
    }
    if items.len() < 2 {
        return fail(
            "There must have at least 2 Objects in $or relationship.",
            path,
        );
    }
    Ok(alternatives)
}

fn leaf(items: &[Value], path: &str) -> Result<Vec<Matcher>, String> {
    if items.is_empty() {
        return fail("Empty arrays are not allowed", path);
    }
    items
        .iter()
        .map(|item| match item {
            Value::String(_) | Value::Bool(_) | Value::Null => Ok(Matcher::Exact(item.clone())),
            Value::Number(n) => Ok(Matcher::Number(n.as_f64().unwrap_or(f64::NAN))),
            Value::Object(m) => expression(m, path),
            Value::Array(_) => fail(
                "Match value must be String, number, true, false, or null",
                path,
            ),
        })
        .collect()
}

fn one_key<'a>(
    m: &'a Map<String, Value>,
    path: &str,
    what: &str,
) -> Result<(&'a str, &'a Value), String> {
    let mut it = m.iter();
    let Some((k, v)) = it.next() else {
        return fail(format!("{what} expression name not found"), path);
    };
    if it.next().is_some() {
        return fail("Only one key allowed in match expression", path);
    }
    Ok((k.as_str(), v))
}

fn string<'a>(v: &'a Value, what: &str, path: &str) -> Result<&'a str, String> {
    v.as_str().map_or_else(
        || fail(format!("{what} match pattern must be a string"), path),
        Ok,
    )
}

/// `{"equals-ignore-case": s}` inside prefix/suffix.
fn ignore_case_inner(v: &Map<String, Value>, what: &str, path: &str) -> Result<String, String> {
    let (k, inner) = one_key(v, path, what)?;
    if k != "equals-ignore-case" {
        return fail(
            format!("Unsupported {} pattern: {k}", what.to_lowercase()),
            path,
        );
    }
    Ok(string(inner, "equals-ignore-case", path)?.to_lowercase())
}

fn expression(m: &Map<String, Value>, path: &str) -> Result<Matcher, String> {
    let (kind, v) = one_key(m, path, "Match")?;
    match kind {
        "exact" => Ok(Matcher::Exact(Value::String(
            string(v, "exact", path)?.into(),
        ))),
        "prefix" => match v {
            Value::Object(inner) => Ok(Matcher::Prefix {
                text: ignore_case_inner(inner, "Prefix", path)?,
                ignore_case: true,
            }),
            _ => Ok(Matcher::Prefix {
                text: string(v, "prefix", path)?.into(),
                ignore_case: false,
            }),
        },
        "suffix" => match v {
            Value::Object(inner) => Ok(Matcher::Suffix {
                text: ignore_case_inner(inner, "Suffix", path)?,
                ignore_case: true,
            }),
            _ => Ok(Matcher::Suffix {
                text: string(v, "suffix", path)?.into(),
                ignore_case: false,
            }),
        },
        "equals-ignore-case" => Ok(Matcher::EqualsIgnoreCase(
            string(v, "equals-ignore-case", path)?.to_lowercase(),
        )),
        "wildcard" => {
            let text = string(v, "wildcard", path)?;
            Wildcard::parse(text)
                .map(Matcher::Wildcard)
                .or_else(|e| fail(e, path))
        }
        "numeric" => numeric(v, path).map(Matcher::Numeric),
        "exists" => match v {
            Value::Bool(b) => Ok(Matcher::Exists(*b)),
            _ => fail("exists match pattern must be either true or false.", path),
        },
        "cidr" => cidr(string(v, "cidr", path)?)
            .map(Matcher::Cidr)
            .or_else(|e| fail(e, path)),
        "anything-but" => anything_but(v, path).map(Matcher::AnythingBut),
        other => fail(format!("Unrecognized match type {other}"), path),
    }
}

fn number(v: &Value, op: &str, path: &str) -> Result<f64, String> {
    match v.as_f64() {
        Some(x) if v.is_number() && x.is_finite() => Ok(x),
        _ => fail(format!("Value of {op} must be numeric"), path),
    }
}

fn numeric(v: &Value, path: &str) -> Result<Range, String> {
    let Value::Array(items) = v else {
        return fail("Value of numeric must be an array.", path);
    };
    let op = |i: usize| items.get(i).and_then(Value::as_str);
    let Some(first) = op(0) else {
        let shown = items.first().map(Value::to_string).unwrap_or_default();
        return fail(format!("Invalid member in numeric match: {shown}"), path);
    };
    let val = |i: usize, o: &str| match items.get(i) {
        Some(v) => number(v, if o == "=" { "equals" } else { o }, path),
        None => fail(
            format!(
                "Value of {} must be numeric",
                if o == "=" { "equals" } else { o }
            ),
            path,
        ),
    };
    let too_many = || fail("Too many elements in numeric expression", path);
    match first {
        "=" => {
            let x = val(1, "=")?;
            if items.len() > 2 {
                return too_many();
            }
            Ok(Range {
                low: Some((x, false)),
                high: Some((x, false)),
            })
        }
        "<" | "<=" => {
            let x = val(1, first)?;
            if items.len() > 2 {
                return too_many();
            }
            Ok(Range {
                low: None,
                high: Some((x, first == "<")),
            })
        }
        ">" | ">=" => {
            let low = val(1, first)?;
            let low = Some((low, first == ">"));
            if items.len() == 2 {
                return Ok(Range { low, high: None });
            }
            let Some(second) = op(2) else {
                let shown = items.get(2).map(Value::to_string).unwrap_or_default();
                return fail(format!("Bad value in numeric range: {shown}"), path);
            };
            if second != "<" && second != "<=" {
                return fail(format!("Bad numeric range operator: {second}"), path);
            }
            let high = val(3, second)?;
            if items.len() > 4 {
                return fail("Too many terms in numeric range expression", path);
            }
            if low.is_some_and(|(l, _)| l >= high) {
                return fail("Bottom must be less than top", path);
            }
            Ok(Range {
                low,
                high: Some((high, second == "<")),
            })
        }
        other => fail(
            format!("Unrecognized numeric range operator: {other}"),
            path,
        ),
    }
}

fn cidr(text: &str) -> Result<Cidr, String> {
    let (addr, bits) = text
        .split_once('/')
        .ok_or_else(|| format!("Malformed CIDR, one '/' required: {text}"))?;
    let ip: IpAddr = addr
        .parse()
        .map_err(|_| format!("Nonstandard IP address: {addr}"))?;
    let (value, width, v6) = match ip {
        IpAddr::V4(a) => (u128::from(u32::from(a)), 32u8, false),
        IpAddr::V6(a) => (u128::from(a), 128u8, true),
    };
    let bits: u8 = bits.parse().ok().filter(|b| *b <= width).ok_or_else(|| {
        format!("Malformed CIDR, mask bits must be between 0 and {width}: {text}")
    })?;
    Ok(Cidr {
        base: value,
        bits,
        v6,
    })
}

fn strings(
    v: &Value,
    path: &str,
    each: impl Fn(&str) -> Result<(), String>,
    message: &str,
) -> Result<Vec<String>, String> {
    let list: Vec<&Value> = match v {
        Value::Array(items) => items.iter().collect(),
        Value::String(_) => vec![v],
        _ => {
            return fail(
                "Value of anything-but must be an array or single string/number value.",
                path,
            );
        }
    };
    let mut out = Vec::new();
    for item in list {
        let s = item.as_str().map_or_else(|| fail(message, path), Ok)?;
        each(s).or_else(|e| fail(e, path))?;
        out.push(s.to_string());
    }
    Ok(out)
}

fn anything_but(v: &Value, path: &str) -> Result<AnythingBut, String> {
    match v {
        Value::Object(m) => {
            let (kind, inner) = one_key(m, path, "Anything-But")?;
            let not_empty = |s: &str| {
                if s.is_empty() {
                    Err("Null prefix/suffix not allowed".to_string())
                } else {
                    Ok(())
                }
            };
            match kind {
                "prefix" => strings(inner, path, not_empty, "prefix/suffix match pattern must be a string").map(AnythingBut::Prefix),
                "suffix" => strings(inner, path, not_empty, "prefix/suffix match pattern must be a string").map(AnythingBut::Suffix),
                "equals-ignore-case" => strings(
                    inner,
                    path,
                    |_| Ok(()),
                    "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
                )
                .map(|l| AnythingBut::IgnoreCase(l.iter().map(|s| s.to_lowercase()).collect())),
                "wildcard" => {
                    let list = strings(inner, path, |s| Wildcard::parse(s).map(|_| ()), "wildcard match pattern must be a string")?;
                    Ok(AnythingBut::Wildcard(
                        list.iter().filter_map(|s| Wildcard::parse(s).ok()).collect(),
                    ))
                }
                other => fail(format!("Unsupported anything-but pattern: {other}"), path),
            }
        }
        Value::String(s) => Ok(AnythingBut::Strings(vec![s.clone()])),
        Value::Number(_) => Ok(AnythingBut::Numbers(vec![number(v, "anything-but", path)?])),
        Value::Array(items) => {
            let mut strs = Vec::new();
            let mut nums = Vec::new();
            for item in items {
                match item {
                    Value::String(s) => strs.push(s.clone()),
                    Value::Number(_) => nums.push(number(item, "anything-but", path)?),
                    _ => {
                        return fail(
                            "Inside anything but list, start|null|boolean is not supported.",
                            path,
                        );
                    }
                }
            }
            match (strs.is_empty(), nums.is_empty()) {
                (false, true) => Ok(AnythingBut::Strings(strs)),
                (true, false) => Ok(AnythingBut::Numbers(nums)),
                _ => fail(
                    "Inside anything but list, either all values are number or string, mixed type is not supported",
                    path,
                ),
            }
        }
        _ => fail(
            "Value of anything-but must be an array or single string/number value.",
            path,
        ),
    }
}
