//! Parser of intrinsic calls.

use serde_json::Value;

use super::{Arg, CLOSE, Call, FUNCTIONS, OPEN};
use crate::path::Path;

pub(super) fn parse(text: &str) -> Result<Call, String> {
    let chars: Vec<char> = text.trim().chars().collect();
    let mut pos = 0;
    let call = call(&chars, &mut pos)?;
    if pos != chars.len() {
        return Err(format!("unexpected text after the call in '{text}'"));
    }
    Ok(call)
}

fn skip_ws(c: &[char], pos: &mut usize) {
    while c.get(*pos).is_some_and(|c| c.is_whitespace()) {
        *pos += 1;
    }
}

fn call(c: &[char], pos: &mut usize) -> Result<Call, String> {
    let start = *pos;
    while c
        .get(*pos)
        .is_some_and(|ch| ch.is_alphanumeric() || *ch == '.')
    {
        *pos += 1;
    }
    let name: String = c[start..*pos].iter().collect();
    if !FUNCTIONS.contains(&name.as_str()) {
        return Err(format!("unknown intrinsic function '{name}'"));
    }
    skip_ws(c, pos);
    if c.get(*pos) != Some(&'(') {
        return Err(format!("expected '(' after {name}"));
    }
    *pos += 1;
    let mut args = Vec::new();
    skip_ws(c, pos);
    if c.get(*pos) == Some(&')') {
        *pos += 1;
        return Ok(Call { name, args });
    }
    loop {
        skip_ws(c, pos);
        args.push(arg(c, pos)?);
        skip_ws(c, pos);
        match c.get(*pos) {
            Some(',') => *pos += 1,
            Some(')') => {
                *pos += 1;
                return Ok(Call { name, args });
            }
            _ => return Err(format!("expected ',' or ')' in the arguments of {name}")),
        }
    }
}

fn arg(c: &[char], pos: &mut usize) -> Result<Arg, String> {
    match c.get(*pos) {
        Some('\'') => {
            *pos += 1;
            let mut s = String::new();
            loop {
                match c.get(*pos) {
                    None => return Err("unterminated string literal".into()),
                    Some('\\') => {
                        let next = c.get(*pos + 1).copied();
                        *pos += 2;
                        match next {
                            Some('{') => s.push(OPEN),
                            Some('}') => s.push(CLOSE),
                            Some(ch) => s.push(ch),
                            None => return Err("dangling escape".into()),
                        }
                    }
                    Some('\'') => {
                        *pos += 1;
                        return Ok(Arg::Literal(Value::String(s)));
                    }
                    Some(ch) => {
                        s.push(*ch);
                        *pos += 1;
                    }
                }
            }
        }
        Some('$') => {
            // A path ends at a top-level ',' or ')' (brackets and quotes may contain them).
            let start = *pos;
            let (mut depth, mut quote) = (0i32, None::<char>);
            while let Some(&ch) = c.get(*pos) {
                match (quote, ch) {
                    (Some(q), ch) if ch == q => quote = None,
                    (Some(_), _) => {}
                    (None, '\'' | '"') => quote = Some(ch),
                    (None, '[' | '(') => depth += 1,
                    (None, ']') => depth -= 1,
                    (None, ')') if depth > 0 => depth -= 1,
                    (None, ',' | ')') if depth == 0 => break,
                    _ => {}
                }
                *pos += 1;
            }
            let text: String = c[start..*pos].iter().collect();
            Path::parse(text.trim())
                .map(Arg::Path)
                .map_err(|e| e.to_string())
        }
        Some(ch) if ch.is_alphabetic() => {
            let save = *pos;
            let mut word = String::new();
            while let Some(&ch) = c.get(*pos) {
                if ch.is_alphanumeric() || ch == '.' {
                    word.push(ch);
                    *pos += 1;
                } else {
                    break;
                }
            }
            match word.as_str() {
                "true" => Ok(Arg::Literal(Value::Bool(true))),
                "false" => Ok(Arg::Literal(Value::Bool(false))),
                "null" => Ok(Arg::Literal(Value::Null)),
                _ => {
                    *pos = save;
                    call(c, pos).map(Arg::Call)
                }
            }
        }
        Some(_) => {
            let start = *pos;
            while c
                .get(*pos)
                .is_some_and(|ch| ch.is_ascii_digit() || "+-.eE".contains(*ch))
            {
                *pos += 1;
            }
            let text: String = c[start..*pos].iter().collect();
            serde_json::from_str::<serde_json::Number>(&text)
                .map(|n| Arg::Literal(Value::Number(n)))
                .map_err(|_| format!("bad argument '{text}'"))
        }
        None => Err("missing argument".into()),
    }
}
