//! `Choice`: rule evaluation (pure).

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use crate::common::{Scope, Template};
use crate::error::StatesError;
use crate::model::{ChoiceRule, Operator, QueryLanguage};
use crate::path::{Path, Root};

/// A compiled rule.
#[derive(Debug, Clone)]
pub enum Rule {
    /// `Variable <op> operand`.
    Compare {
        /// The tested value.
        variable: Path,
        /// The operator.
        operator: Operator,
        /// A literal or (for `...Path` operators) a path.
        operand: Operand,
    },
    /// `And`.
    And(Vec<Rule>),
    /// `Or`.
    Or(Vec<Rule>),
    /// `Not`.
    Not(Box<Rule>),
    /// JSONata `Condition`.
    Condition(Template),
}

/// The right-hand side of a comparison.
#[derive(Debug, Clone)]
pub enum Operand {
    /// A literal.
    Literal(Value),
    /// A path (`...Path` operators).
    Path(Path),
}

/// Compiles a rule (without its `Next`).
pub fn compile(rule: &ChoiceRule) -> Result<Rule, String> {
    if let Some(c) = &rule.condition {
        return Template::compile(c, QueryLanguage::JSONata, "Condition").map(Rule::Condition);
    }
    if let Some(rules) = &rule.and {
        return rules
            .iter()
            .map(compile)
            .collect::<Result<_, _>>()
            .map(Rule::And);
    }
    if let Some(rules) = &rule.or {
        return rules
            .iter()
            .map(compile)
            .collect::<Result<_, _>>()
            .map(Rule::Or);
    }
    if let Some(r) = &rule.not {
        return Ok(Rule::Not(Box::new(compile(r)?)));
    }
    let (Some(var), Some(cmp)) = (&rule.variable, &rule.comparison) else {
        return Err("a rule needs a Variable and a comparison, And, Or, Not or Condition".into());
    };
    let variable = Path::parse(var).map_err(|e| e.to_string())?;
    let operand = if cmp.operator.is_path() {
        let Value::String(p) = &cmp.operand else {
            return Err(format!("{} takes a path", cmp.operator.as_str()));
        };
        Operand::Path(Path::parse(p).map_err(|e| e.to_string())?)
    } else {
        Operand::Literal(cmp.operand.clone())
    };
    Ok(Rule::Compare {
        variable,
        operator: cmp.operator,
        operand,
    })
}

fn invalid_path(path: &Path) -> StatesError {
    StatesError::runtime(format!(
        "Invalid path '{}': The choice state's condition path references an invalid value.",
        path.as_str()
    ))
}

fn lookup(scope: &Scope<'_>, path: &Path) -> Option<Value> {
    if path.root == Root::Input && path.is_definite() {
        return path.select_definite(scope.input).cloned();
    }
    scope.resolve(path).ok()
}

/// Evaluates a rule. A missing `Variable` is `States.Runtime`, except for `IsPresent`.
pub fn evaluate(rule: &Rule, scope: &Scope<'_>) -> Result<bool, StatesError> {
    match rule {
        Rule::And(rules) => {
            for r in rules {
                if !evaluate(r, scope)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Rule::Or(rules) => {
            for r in rules {
                if evaluate(r, scope)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Rule::Not(r) => Ok(!evaluate(r, scope)?),
        Rule::Condition(t) => match t.eval(scope)? {
            Value::Bool(b) => Ok(b),
            other => Err(StatesError::query(format!(
                "The Condition of a Choice rule must evaluate to a boolean, got {other}"
            ))),
        },
        Rule::Compare {
            variable,
            operator,
            operand,
        } => {
            let value = lookup(scope, variable);
            if *operator == Operator::IsPresent {
                let want = operand_bool(operand);
                return Ok(value.is_some() == want);
            }
            let value = value.ok_or_else(|| invalid_path(variable))?;
            let rhs = match operand {
                Operand::Literal(v) => v.clone(),
                Operand::Path(p) => lookup(scope, p).ok_or_else(|| invalid_path(p))?,
            };
            Ok(compare(*operator, &value, &rhs))
        }
    }
}

fn operand_bool(o: &Operand) -> bool {
    matches!(o, Operand::Literal(Value::Bool(true)))
}

/// Parses a timestamp the way Step Functions accepts it: RFC 3339 with an uppercase `T` and a
/// `Z` or numeric offset.
pub fn parse_timestamp(s: &str) -> Option<DateTime<FixedOffset>> {
    if !s.contains('T') || s.contains('t') || s.contains(' ') {
        return None;
    }
    DateTime::parse_from_rfc3339(s).ok()
}

/// Java `String.compareTo` order (UTF-16 code units).
fn java_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Applies one operator; values of the wrong type compare false (no error).
pub fn compare(op: Operator, v: &Value, rhs: &Value) -> bool {
    use Operator::*;
    use std::cmp::Ordering::*;
    let name = op.as_str().trim_end_matches("Path");
    match op {
        IsNull => v.is_null() == (rhs == &Value::Bool(true)),
        IsNumeric => v.is_number() == (rhs == &Value::Bool(true)),
        IsString => v.is_string() == (rhs == &Value::Bool(true)),
        IsBoolean => v.is_boolean() == (rhs == &Value::Bool(true)),
        IsTimestamp => {
            v.as_str().and_then(parse_timestamp).is_some() == (rhs == &Value::Bool(true))
        }
        IsPresent => true,
        StringMatches => match (v, rhs) {
            (Value::String(s), Value::String(p)) => string_matches(s, p),
            _ => false,
        },
        _ => {
            let ord = if name.starts_with("String") {
                match (v, rhs) {
                    (Value::String(a), Value::String(b)) => Some(java_cmp(a, b)),
                    _ => None,
                }
            } else if name.starts_with("Numeric") {
                match (v.as_f64(), rhs.as_f64()) {
                    (Some(a), Some(b)) if v.is_number() && rhs.is_number() => a.partial_cmp(&b),
                    _ => None,
                }
            } else if name.starts_with("Boolean") {
                match (v, rhs) {
                    (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
                    _ => None,
                }
            } else {
                match (
                    v.as_str().and_then(parse_timestamp),
                    rhs.as_str().and_then(parse_timestamp),
                ) {
                    (Some(a), Some(b)) => Some(a.cmp(&b)),
                    _ => None,
                }
            };
            let Some(ord) = ord else { return false };
            if name.ends_with("GreaterThanEquals") {
                ord != Less
            } else if name.ends_with("LessThanEquals") {
                ord != Greater
            } else if name.ends_with("GreaterThan") {
                ord == Greater
            } else if name.ends_with("LessThan") {
                ord == Less
            } else {
                ord == Equal
            }
        }
    }
}

/// `StringMatches`: `*` matches any run of characters; `\*` is a literal star and `\\` a
/// backslash; nothing else is special.
pub fn string_matches(s: &str, pattern: &str) -> bool {
    #[derive(PartialEq)]
    enum Tok {
        Star,
        Char(char),
    }
    let mut toks = Vec::new();
    let mut it = pattern.chars();
    while let Some(c) = it.next() {
        match c {
            '\\' => match it.next() {
                Some(n) => toks.push(Tok::Char(n)),
                None => toks.push(Tok::Char('\\')),
            },
            '*' => toks.push(Tok::Star),
            c => toks.push(Tok::Char(c)),
        }
    }
    let s: Vec<char> = s.chars().collect();
    // Classic wildcard matching with backtracking over the last star.
    let (mut i, mut j) = (0usize, 0usize);
    let (mut star, mut mark) = (None::<usize>, 0usize);
    while i < s.len() {
        if j < toks.len() && toks[j] == Tok::Char(s[i]) {
            i += 1;
            j += 1;
        } else if j < toks.len() && toks[j] == Tok::Star {
            star = Some(j);
            mark = i;
            j += 1;
        } else if let Some(st) = star {
            j = st + 1;
            mark += 1;
            i = mark;
        } else {
            return false;
        }
    }
    while j < toks.len() && toks[j] == Tok::Star {
        j += 1;
    }
    j == toks.len()
}
