//! EventBridge event patterns: compiling (with EventBridge's validation) and matching.
//!
//! A pattern is a JSON object mirroring the event: every named field must match (AND), a
//! field's array lists alternatives (OR), `$or` lists alternative sub-patterns. Matching is a
//! direct recursive walk over the event (patterns are small) for each branch, with the
//! semantics of
//! `aws/event-ruler`'s `rulesForJSONEvent`, the engine behind EventBridge:
//! - an event array matches when any element matches; the fields of one sub-pattern must all
//!   match inside the *same* array element (array consistency), arrays of arrays flattened;
//! - `exists` looks at leaf values only: an object, an empty array or a missing field counts as
//!   absent;
//! - a number literal matches numerically (`300` matches `3.0e2`); strings match strings only;
//! - prefix, suffix, equals-ignore-case, wildcard and cidr match strings only; numeric matches
//!   numbers only; `anything-but` needs a value (a missing field never matches it) and matches
//!   every value it cannot rule out: `{"anything-but": [1, 2]}` matches a string,
//!   `{"anything-but": {"prefix": "x"}}` a number or null (event-ruler's `ByteMachine` counts
//!   an anything-but as matched unless the value fails it);
//! - `$or` expands into branches, as event-ruler's `JsonRuleCompiler` does; array consistency
//!   holds within a branch; more than 1,000 branches are refused.
//!
//! Errors are `InvalidEventPatternException` with event-ruler's wording of what is wrong and
//! where (`Event pattern is not valid. Reason: Empty arrays are not allowed at detail.state`).

mod compile;
mod wildcard;

use std::net::IpAddr;

use serde_json::Value;

pub use compile::compile;
pub use wildcard::Wildcard;

/// A compiled pattern: `$or` expanded into branches, as event-ruler's `JsonRuleCompiler`
/// expands it into sub-rules; the pattern matches when any branch does.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    /// The branches (one when the pattern has no `$or`).
    pub branches: Vec<Branch>,
}

/// One branch: named fields, all of which must match (one object level).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Branch {
    /// Named fields. A name appears at most once per kind (an object pattern and a leaf
    /// pattern of one name are different flattened paths in event-ruler, so both may be).
    pub fields: Vec<(String, Node)>,
}

/// What a field of a pattern holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A nested object pattern.
    Object(Branch),
    /// Alternatives for a leaf value.
    Leaf(Vec<Matcher>),
}

/// One alternative for a leaf value.
#[derive(Debug, Clone, PartialEq)]
pub enum Matcher {
    /// A string, `true`, `false` or `null` literal.
    Exact(Value),
    /// A number literal (matched numerically).
    Number(f64),
    /// `{"prefix": s}` or `{"prefix": {"equals-ignore-case": s}}`.
    Prefix {
        /// The prefix (lowercased when `ignore_case`).
        text: String,
        /// Case-insensitive.
        ignore_case: bool,
    },
    /// `{"suffix": s}` or `{"suffix": {"equals-ignore-case": s}}`.
    Suffix {
        /// The suffix (lowercased when `ignore_case`).
        text: String,
        /// Case-insensitive.
        ignore_case: bool,
    },
    /// `{"equals-ignore-case": s}` (stored lowercased).
    EqualsIgnoreCase(String),
    /// `{"wildcard": s}`.
    Wildcard(Wildcard),
    /// `{"anything-but": ...}`.
    AnythingBut(AnythingBut),
    /// `{"numeric": [...]}`.
    Numeric(Range),
    /// `{"exists": bool}`.
    Exists(bool),
    /// `{"cidr": "10.0.0.0/24"}`.
    Cidr(Cidr),
}

/// The forms of `anything-but`.
#[derive(Debug, Clone, PartialEq)]
pub enum AnythingBut {
    /// A string or a list of strings.
    Strings(Vec<String>),
    /// A number or a list of numbers.
    Numbers(Vec<f64>),
    /// `{"prefix": s | [s...]}`.
    Prefix(Vec<String>),
    /// `{"suffix": s | [s...]}`.
    Suffix(Vec<String>),
    /// `{"equals-ignore-case": s | [s...]}` (lowercased).
    IgnoreCase(Vec<String>),
    /// `{"wildcard": s | [s...]}`.
    Wildcard(Vec<Wildcard>),
}

/// A numeric range; `=` is a closed range of one point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    /// Lower bound and whether it is open (`>`).
    pub low: Option<(f64, bool)>,
    /// Upper bound and whether it is open (`<`).
    pub high: Option<(f64, bool)>,
}

impl Range {
    fn contains(&self, x: f64) -> bool {
        let low_ok = match self.low {
            None => true,
            Some((b, true)) => x > b,
            Some((b, false)) => x >= b,
        };
        let high_ok = match self.high {
            None => true,
            Some((b, true)) => x < b,
            Some((b, false)) => x <= b,
        };
        low_ok && high_ok
    }
}

/// An IPv4 or IPv6 network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    /// The network address as a number (IPv4 in the low 32 bits).
    pub base: u128,
    /// Prefix length.
    pub bits: u8,
    /// IPv6.
    pub v6: bool,
}

impl Cidr {
    fn contains(&self, ip: IpAddr) -> bool {
        let (value, width, v6) = match ip {
            IpAddr::V4(a) => (u128::from(u32::from(a)), 32u32, false),
            IpAddr::V6(a) => (u128::from(a), 128u32, true),
        };
        if v6 != self.v6 {
            return false;
        }
        let shift = width - u32::from(self.bits);
        if shift >= width {
            return true;
        }
        (value >> shift) == (self.base >> shift)
    }
}

impl Pattern {
    /// Whether `event` (a JSON object) matches.
    pub fn matches(&self, event: &Value) -> bool {
        self.branches.iter().any(|b| b.matches_at(event))
    }
}

impl Branch {
    fn matches_at(&self, obj: &Value) -> bool {
        let get = |name: &str| obj.as_object().and_then(|m| m.get(name));
        self.fields.iter().all(|(name, node)| match node {
            Node::Object(sub) => match get(name) {
                // Array consistency: the whole sub-pattern inside one element, with arrays of
                // arrays flattened (each innermost element is an element of its own).
                Some(v @ Value::Array(_)) => {
                    let mut elements = Vec::new();
                    elements_of(v, &mut elements);
                    if elements.is_empty() {
                        sub.matches_at(&Value::Null)
                    } else {
                        elements.iter().any(|e| sub.matches_at(e))
                    }
                }
                Some(v @ Value::Object(_)) => sub.matches_at(v),
                // Absent or a leaf: nothing lies below, so only `exists: false` leaves can
                // match.
                _ => sub.matches_at(&Value::Null),
            },
            Node::Leaf(matchers) => {
                let mut leaves = Vec::new();
                if let Some(v) = get(name) {
                    flatten(v, &mut leaves);
                }
                matchers.iter().any(|m| m.matches(&leaves))
            }
        })
    }
}

/// The elements of an (arbitrarily nested) array.
fn elements_of<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| elements_of(i, out)),
        other => out.push(other),
    }
}

/// The leaf values at a field: scalars, and scalars inside (nested) arrays.
fn flatten<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| flatten(i, out)),
        Value::Object(_) => {}
        leaf => out.push(leaf),
    }
}

fn lower(s: &str) -> String {
    s.to_lowercase()
}

impl Matcher {
    fn matches(&self, leaves: &[&Value]) -> bool {
        match self {
            Matcher::Exists(want) => leaves.is_empty() != *want,
            _ => leaves.iter().any(|v| self.matches_value(v)),
        }
    }

    fn matches_value(&self, v: &Value) -> bool {
        let s = v.as_str();
        match self {
            Matcher::Exact(lit) => lit == v,
            Matcher::Number(n) => v.as_f64().is_some_and(|x| x == *n),
            Matcher::Prefix { text, ignore_case } => s.is_some_and(|s| {
                if *ignore_case {
                    lower(s).starts_with(text.as_str())
                } else {
                    s.starts_with(text.as_str())
                }
            }),
            Matcher::Suffix { text, ignore_case } => s.is_some_and(|s| {
                if *ignore_case {
                    lower(s).ends_with(text.as_str())
                } else {
                    s.ends_with(text.as_str())
                }
            }),
            Matcher::EqualsIgnoreCase(t) => s.is_some_and(|s| lower(s) == *t),
            Matcher::Wildcard(w) => s.is_some_and(|s| w.matches(s)),
            Matcher::Numeric(r) => v.is_number() && v.as_f64().is_some_and(|x| r.contains(x)),
            Matcher::Cidr(c) => s
                .and_then(|s| s.parse::<IpAddr>().ok())
                .is_some_and(|ip| c.contains(ip)),
            Matcher::Exists(_) => false,
            // event-ruler assumes an anything-but matched unless the value proves it did not:
            // a number or null can never fail a string form, a string never a numeric one.
            Matcher::AnythingBut(a) => match a {
                AnythingBut::Strings(list) => !s.is_some_and(|s| list.iter().any(|x| x == s)),
                AnythingBut::Numbers(list) => !v
                    .as_f64()
                    .filter(|_| v.is_number())
                    .is_some_and(|x| list.contains(&x)),
                AnythingBut::Prefix(list) => {
                    !s.is_some_and(|s| list.iter().any(|p| s.starts_with(p.as_str())))
                }
                AnythingBut::Suffix(list) => {
                    !s.is_some_and(|s| list.iter().any(|p| s.ends_with(p.as_str())))
                }
                AnythingBut::IgnoreCase(list) => !s.is_some_and(|s| list.contains(&lower(s))),
                AnythingBut::Wildcard(list) => {
                    !s.is_some_and(|s| list.iter().any(|w| w.matches(s)))
                }
            },
        }
    }
}
