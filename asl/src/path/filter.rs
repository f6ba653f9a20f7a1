//! Filter expressions: `[?(@.price < 10 && @.tag)]`.
//!
//! Supported: `@`/`$` relative paths, literals (numbers, quoted strings, true, false, null),
//! `== != < <= > >=`, `=~ /regex/`, `&& || !` and parentheses. As in Jayway, comparing values of
//! different types is false, and a bare path tests existence.

use serde_json::Value;

use super::eval::collect;
use super::{Parser, PathSyntaxError, Segment};

/// A parsed filter expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// `a && b`.
    And(Box<Filter>, Box<Filter>),
    /// `a || b`.
    Or(Box<Filter>, Box<Filter>),
    /// `!a`.
    Not(Box<Filter>),
    /// `a <op> b`.
    Compare(Operand, CmpOp, Operand),
    /// `a =~ /re/`.
    Matches(Operand, String),
    /// A bare operand: true when it exists (paths) or is truthy (literals).
    Exists(Operand),
}

/// A comparison operator inside a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A value inside a filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// `@...` (current item) when `true`, `$...` (document root) when `false`.
    Path(bool, Vec<Segment>),
    /// A literal.
    Literal(Value),
}

impl Operand {
    fn resolve<'v>(&'v self, item: &'v Value, root: &'v Value) -> Option<&'v Value> {
        match self {
            Operand::Literal(v) => Some(v),
            Operand::Path(current, segs) => {
                let start = if *current { item } else { root };
                let mut out = Vec::new();
                collect(root, start, segs, &mut out);
                out.into_iter().next()
            }
        }
    }
}

impl Filter {
    /// Whether `item` passes the filter.
    pub fn matches(&self, item: &Value, root: &Value) -> bool {
        match self {
            Filter::And(a, b) => a.matches(item, root) && b.matches(item, root),
            Filter::Or(a, b) => a.matches(item, root) || b.matches(item, root),
            Filter::Not(a) => !a.matches(item, root),
            Filter::Exists(o) => match o {
                Operand::Path(..) => o.resolve(item, root).is_some(),
                Operand::Literal(v) => !matches!(v, Value::Null | Value::Bool(false)),
            },
            Filter::Matches(o, re) => match (o.resolve(item, root), regex::Regex::new(re)) {
                (Some(Value::String(s)), Ok(re)) => re.is_match(s),
                _ => false,
            },
            Filter::Compare(a, op, b) => {
                let (Some(a), Some(b)) = (a.resolve(item, root), b.resolve(item, root)) else {
                    return *op == CmpOp::Ne;
                };
                compare(a, *op, b)
            }
        }
    }
}

fn compare(a: &Value, op: CmpOp, b: &Value) -> bool {
    use std::cmp::Ordering;
    let ord = match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64().partial_cmp(&y.as_f64()),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        _ => {
            return match op {
                CmpOp::Eq => a == b,
                CmpOp::Ne => a != b,
                _ => false,
            };
        }
    };
    match (op, ord) {
        (CmpOp::Eq, Some(o)) => o == Ordering::Equal,
        (CmpOp::Ne, Some(o)) => o != Ordering::Equal,
        (CmpOp::Lt, Some(o)) => o == Ordering::Less,
        (CmpOp::Le, Some(o)) => o != Ordering::Greater,
        (CmpOp::Gt, Some(o)) => o == Ordering::Greater,
        (CmpOp::Ge, Some(o)) => o != Ordering::Less,
        (CmpOp::Ne, None) => true,
        _ => false,
    }
}

pub(crate) fn parse_filter(p: &mut Parser<'_>) -> Result<Filter, PathSyntaxError> {
    parse_or(p)
}

fn parse_or(p: &mut Parser<'_>) -> Result<Filter, PathSyntaxError> {
    let mut left = parse_and(p)?;
    loop {
        p.skip_whitespace();
        if p.peek_char() == Some('|') && p.peek_at(1) == Some('|') {
            p.advance();
            p.advance();
            left = Filter::Or(Box::new(left), Box::new(parse_and(p)?));
        } else {
            return Ok(left);
        }
    }
}

fn parse_and(p: &mut Parser<'_>) -> Result<Filter, PathSyntaxError> {
    let mut left = parse_unary(p)?;
    loop {
        p.skip_whitespace();
        if p.peek_char() == Some('&') && p.peek_at(1) == Some('&') {
            p.advance();
            p.advance();
            left = Filter::And(Box::new(left), Box::new(parse_unary(p)?));
        } else {
            return Ok(left);
        }
    }
}

fn parse_unary(p: &mut Parser<'_>) -> Result<Filter, PathSyntaxError> {
    p.skip_whitespace();
    if p.peek_char() == Some('!') && p.peek_at(1) != Some('=') {
        p.advance();
        return Ok(Filter::Not(Box::new(parse_unary(p)?)));
    }
    if p.peek_char() == Some('(') {
        p.advance();
        let inner = parse_or(p)?;
        p.skip_whitespace();
        if p.peek_char() != Some(')') {
            return Err(p.error("expected ')' in filter"));
        }
        p.advance();
        return Ok(inner);
    }
    let left = parse_operand(p)?;
    p.skip_whitespace();
    let op = match (p.peek_char(), p.peek_at(1)) {
        (Some('='), Some('=')) => Some((CmpOp::Eq, 2)),
        (Some('!'), Some('=')) => Some((CmpOp::Ne, 2)),
        (Some('<'), Some('=')) => Some((CmpOp::Le, 2)),
        (Some('>'), Some('=')) => Some((CmpOp::Ge, 2)),
        (Some('<'), _) => Some((CmpOp::Lt, 1)),
        (Some('>'), _) => Some((CmpOp::Gt, 1)),
        (Some('='), Some('~')) => {
            p.advance();
            p.advance();
            p.skip_whitespace();
            return Ok(Filter::Matches(left, parse_regex(p)?));
        }
        _ => None,
    };
    match op {
        None => Ok(Filter::Exists(left)),
        Some((op, n)) => {
            for _ in 0..n {
                p.advance();
            }
            let right = parse_operand(p)?;
            Ok(Filter::Compare(left, op, right))
        }
    }
}

fn parse_regex(p: &mut Parser<'_>) -> Result<String, PathSyntaxError> {
    if p.peek_char() != Some('/') {
        return Err(p.error("expected /regex/ after =~"));
    }
    p.advance();
    let mut re = String::new();
    loop {
        match p.peek_char() {
            None => return Err(p.error("unterminated regex")),
            Some('/') => {
                p.advance();
                // Jayway accepts a trailing `i` flag.
                if p.peek_char() == Some('i') {
                    p.advance();
                    re.insert_str(0, "(?i)");
                }
                return Ok(re);
            }
            Some('\\') => {
                re.push('\\');
                p.advance();
                if let Some(c) = p.peek_char() {
                    re.push(c);
                    p.advance();
                }
            }
            Some(c) => {
                re.push(c);
                p.advance();
            }
        }
    }
}

fn parse_operand(p: &mut Parser<'_>) -> Result<Operand, PathSyntaxError> {
    p.skip_whitespace();
    match p.peek_char() {
        Some('@') => {
            p.advance();
            Ok(Operand::Path(true, p.segments(true)?))
        }
        Some('$') => {
            p.advance();
            Ok(Operand::Path(false, p.segments(true)?))
        }
        Some('\'' | '"') => Ok(Operand::Literal(Value::String(p.quoted()?))),
        _ => {
            let start = p.pos();
            while p
                .peek_char()
                .is_some_and(|c| c.is_alphanumeric() || "+-.eE_".contains(c))
            {
                p.advance();
            }
            let end = p.pos();
            p.set_pos(start);
            let mut word = String::new();
            while p.pos() < end {
                word.push(p.peek_char().unwrap_or_default());
                p.advance();
            }
            match word.as_str() {
                "true" => Ok(Operand::Literal(Value::Bool(true))),
                "false" => Ok(Operand::Literal(Value::Bool(false))),
                "null" => Ok(Operand::Literal(Value::Null)),
                _ => serde_json::from_str::<serde_json::Number>(&word)
                    .map(|n| Operand::Literal(Value::Number(n)))
                    .map_err(|_| p.error(format!("bad filter operand '{word}'"))),
            }
        }
    }
}
