//! The string functions with more than a line of logic: SQL patterns (LIKE ... ESCAPE,
//! SIMILAR TO, SUBSTRING ... SIMILAR), REGEX_REPLACE, OVERLAY, TRIM and INITCAP.

use regex::Regex;

/// Compiles a Java-syntax regular expression (the service's functions take Java patterns;
/// the common syntax is the same in the `regex` crate, which has no look-around or
/// back-references).
pub fn regex(pattern: &str) -> Result<Regex, String> {
    Regex::new(pattern).map_err(|e| format!("Invalid regular expression '{pattern}': {e}"))
}

/// [`regex`], compiled once per thread for each pattern (patterns are usually literals, so
/// a row does not pay for compiling them).
pub fn cached_regex(pattern: &str) -> Result<Regex, String> {
    thread_local! {
        static CACHE: std::cell::RefCell<std::collections::HashMap<String, Regex>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }
    if let Some(re) = CACHE.with(|c| c.borrow().get(pattern).cloned()) {
        return Ok(re);
    }
    let re = regex(pattern)?;
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= 256 {
            c.clear();
        }
        c.insert(pattern.to_string(), re.clone());
    });
    Ok(re)
}

/// VARIABLE_COLUMN_LOG_PARSE's split: fields separated by `delimiter`; after `escape` a
/// character is literal; between `quote` characters (one, or begin and end) the delimiter is
/// part of the field (the quotes are not kept).
pub fn split_fields(
    s: &str,
    delimiter: &str,
    escape: Option<&str>,
    quote: Option<&str>,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = String::new();
    let (open, close) = match quote.map(|q| q.chars().collect::<Vec<_>>()) {
        Some(q) if q.len() == 1 => (Some(q[0]), Some(q[0])),
        Some(q) if q.len() >= 2 => (Some(q[0]), Some(q[1])),
        _ => (None, None),
    };
    let escape = escape.and_then(|e| e.chars().next());
    let mut quoted = false;
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if Some(c) == escape {
            rest = &rest[c.len_utf8()..];
            if let Some(n) = rest.chars().next() {
                field.push(n);
                rest = &rest[n.len_utf8()..];
            }
            continue;
        }
        if !quoted && Some(c) == open {
            quoted = true;
        } else if quoted && Some(c) == close {
            quoted = false;
        } else if !quoted && !delimiter.is_empty() && rest.starts_with(delimiter) {
            out.push(std::mem::take(&mut field));
            rest = &rest[delimiter.len()..];
            continue;
        } else {
            field.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    out.push(field);
    out
}

/// The fields of a W3C (Apache) access log line: separated by spaces, a `[...]` field kept
/// whole with its brackets, a `"..."` field without its quotes.
pub fn w3c_fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line.trim_start();
    while !rest.is_empty() {
        let (field, next) = if let Some(r) = rest.strip_prefix('"') {
            match r.find('"') {
                Some(end) => (r[..end].to_string(), &r[end + 1..]),
                None => (r.to_string(), ""),
            }
        } else if rest.starts_with('[') {
            match rest.find(']') {
                Some(end) => (rest[..=end].to_string(), &rest[end + 1..]),
                None => (rest.to_string(), ""),
            }
        } else {
            match rest.find(' ') {
                Some(end) => (rest[..end].to_string(), &rest[end..]),
                None => (rest.to_string(), ""),
            }
        };
        out.push(field);
        rest = next.trim_start();
    }
    out
}

/// The one escape character of a LIKE or SIMILAR TO, which must be a single character.
pub fn escape_char(escape: Option<&str>) -> Result<Option<char>, String> {
    match escape {
        None => Ok(None),
        Some(e) => {
            let mut chars = e.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Ok(Some(c)),
                _ => Err(format!(
                    "Invalid escape character '{e}': it must be one character"
                )),
            }
        }
    }
}

/// A LIKE pattern (`%`, `_`, and the escape character making the next one literal) as an
/// anchored regular expression.
pub fn like_regex(pattern: &str, escape: Option<char>) -> Result<Regex, String> {
    let mut re = String::from("(?s)^");
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            c if Some(c) == escape => match chars.next() {
                Some(n) if n == '%' || n == '_' || Some(n) == escape => {
                    re.push_str(&regex::escape(&n.to_string()))
                }
                _ => {
                    return Err(format!(
                        "Invalid escape sequence in LIKE pattern '{pattern}'"
                    ));
                }
            },
            '%' => re.push_str(".*"),
            '_' => re.push('.'),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    regex(&re)
}

/// A SIMILAR TO pattern as a regular expression body (not anchored): `%` and `_` as in LIKE,
/// `| * + ? {m,n} ( )` as in regular expressions, `[seq]` one of, `[^seq]` none of,
/// `[seq^seq]` in the first set and not in the second (the SQL Reference's string
/// operators), the escape character making the next one literal, everything else literal.
/// A parenthesis inside brackets is not a valid pattern.
pub fn similar_body(pattern: &str, escape: Option<char>) -> Result<String, String> {
    let invalid = |why: &str| format!("Invalid SIMILAR TO pattern '{pattern}': {why}");
    let mut re = String::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if Some(c) == escape {
            match chars.next() {
                Some(n) => re.push_str(&regex::escape(&n.to_string())),
                None => return Err(invalid("it ends with the escape character")),
            }
            continue;
        }
        match c {
            '[' => {
                // One character class: [include] or [^exclude] or [include^exclude].
                let mut include = String::new();
                let mut exclude: Option<String> = None;
                if chars.peek() == Some(&'^') {
                    chars.next();
                    exclude = Some(String::new());
                }
                loop {
                    let Some(k) = chars.next() else {
                        return Err(invalid("a '[' is not closed"));
                    };
                    if k == '^' && exclude.is_none() {
                        exclude = Some(String::new());
                        continue;
                    }
                    let part = exclude.as_mut().unwrap_or(&mut include);
                    match k {
                        ']' => break,
                        '(' | ')' => return Err(invalid("a parenthesis inside [ ]")),
                        '-' => part.push('-'),
                        k if Some(k) == escape => match chars.next() {
                            Some(n) => part.push_str(&regex::escape(&n.to_string())),
                            None => return Err(invalid("it ends with the escape character")),
                        },
                        k => part.push_str(&regex::escape(&k.to_string())),
                    }
                }
                match (include.is_empty(), exclude) {
                    (_, None) if include.is_empty() => return Err(invalid("an empty [ ]")),
                    (_, None) => re.push_str(&format!("[{include}]")),
                    (true, Some(x)) => re.push_str(&format!("[^{x}]")),
                    (false, Some(x)) => re.push_str(&format!("[{include}&&[^{x}]]")),
                }
            }
            '%' => re.push_str(".*"),
            '_' => re.push('.'),
            '|' | '*' | '+' | '?' | '{' | '}' | '(' | ')' | ',' => re.push(c),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    Ok(re)
}

/// `SUBSTRING(s SIMILAR pattern ESCAPE e)`: the pattern is `before e" middle e" after`; the
/// part of `s` the middle matches, where before-middle-after matches (NULL if nowhere).
pub fn substring_similar(s: &str, pattern: &str, escape: &str) -> Result<Option<String>, String> {
    let esc = escape_char(Some(escape))?.unwrap_or('\\');
    let marker = format!("{esc}\"");
    let parts: Vec<&str> = pattern.split(marker.as_str()).collect();
    let [before, middle, after] = parts[..] else {
        return Err(format!(
            "SUBSTRING ... SIMILAR needs a pattern with two {marker} markers, got '{pattern}'"
        ));
    };
    let re = format!(
        "(?s)(?:{})({})(?:{})",
        similar_body(before, Some(esc))?,
        similar_body(middle, Some(esc))?,
        similar_body(after, Some(esc))?
    );
    Ok(regex(&re)?
        .captures(s)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_string()))
}

/// A Java `replaceAll` replacement (`$n` a group, `\x` a literal x) in the `regex` crate's
/// syntax.
fn replacement(java: &str) -> String {
    let mut out = String::new();
    let mut chars = java.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('$') => out.push_str("$$"),
                Some(n) => out.push(n),
                None => {}
            },
            '$' => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                if digits.is_empty() {
                    out.push_str("$$");
                } else {
                    out.push_str(&format!("${{{digits}}}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// `REGEX_REPLACE(original, regex, replacement, start, occurrence)`: from character `start`
/// (1-based) on, replace every match (`occurrence` 0) or only the n-th.
pub fn regex_replace(
    original: &str,
    pattern: &str,
    with: &str,
    start: i64,
    occurrence: i64,
) -> Result<String, String> {
    if start < 1 {
        return Err(format!(
            "REGEX_REPLACE start position {start} must be at least 1"
        ));
    }
    if occurrence < 0 {
        return Err(format!(
            "REGEX_REPLACE occurrence {occurrence} must not be negative"
        ));
    }
    let Some((split, _)) = original.char_indices().nth(start as usize - 1) else {
        return Ok(original.to_string());
    };
    let re = regex(pattern)?;
    let with = replacement(with);
    let (head, tail) = original.split_at(split);
    let replaced = if occurrence == 0 {
        re.replace_all(tail, with.as_str()).into_owned()
    } else {
        let mut out = String::new();
        let mut last = 0;
        for (i, caps) in re.captures_iter(tail).enumerate() {
            if i as i64 + 1 == occurrence {
                let m = caps.get(0).map_or(0..0, |m| m.range());
                out.push_str(&tail[last..m.start]);
                caps.expand(&with, &mut out);
                last = m.end;
                break;
            }
        }
        out.push_str(&tail[last..]);
        out
    };
    Ok(format!("{head}{replaced}"))
}

/// SUBSTRING's characters from 1-based `start`, `len` of them counted from `start` (so a
/// start before 1 still uses up length, as SQL says), or to the end.
pub fn substring(s: &str, start: i64, len: Option<i64>) -> String {
    let from = start.max(1);
    let to = len.map_or(i64::MAX, |l| start.saturating_add(l));
    s.chars()
        .enumerate()
        .filter(|(i, _)| (*i as i64 + 1) >= from && (*i as i64 + 1) < to)
        .map(|(_, c)| c)
        .collect()
}

/// `OVERLAY(s PLACING r FROM start [FOR len])` (len defaults to r's length; a start before 1
/// keeps the part of r before position 1 too).
pub fn overlay(s: &str, r: &str, start: i64, len: Option<i64>) -> Result<String, String> {
    let len = len.unwrap_or(r.chars().count() as i64);
    if len < 0 {
        return Err(format!("OVERLAY length {len} must not be negative"));
    }
    let chars: Vec<char> = s.chars().collect();
    let head: String = chars.iter().take((start - 1).max(0) as usize).collect();
    let tail: String = chars
        .iter()
        .skip((start - 1).saturating_add(len).max(0) as usize)
        .collect();
    Ok(format!("{head}{r}{tail}"))
}

/// `TRIM(mode chars FROM s)`: `chars` must be exactly one character.
pub fn trim(s: &str, chars: &str, mode: &str) -> Result<String, String> {
    let c = escape_char(Some(chars))
        .map_err(|_| format!("TRIM needs exactly one trim character, got '{chars}'"))?
        .unwrap_or(' ');
    Ok(match mode {
        "LEADING" => s.trim_start_matches(c),
        "TRAILING" => s.trim_end_matches(c),
        _ => s.trim_matches(c),
    }
    .to_string())
}

/// INITCAP: each space-delimited word's first character upper case, the rest lower case.
pub fn initcap(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = c == ' ';
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert!(like_regex("a!%b%", Some('!')).unwrap().is_match("a%bcd"));
        assert!(!like_regex("a!%b%", Some('!')).unwrap().is_match("axbcd"));
        let sim = |p: &str, s: &str| {
            regex(&format!("^(?:{})$", similar_body(p, None).unwrap()))
                .unwrap()
                .is_match(s)
        };
        assert!(sim("(ab|cd)%", "cdxx"));
        assert!(sim("[a-c]_+", "bzz"));
        assert!(!sim("a.c", "abc"), "a dot is literal in SIMILAR TO");
        assert_eq!(
            substring_similar("123456789", "23#\"456#\"78", "#")
                .unwrap()
                .as_deref(),
            Some("456")
        );
    }

    #[test]
    fn replacements_overlays_trims() {
        assert_eq!(
            regex_replace("a1b22c333", "[0-9]+", "#", 1, 2).unwrap(),
            "a1b#c333"
        );
        assert_eq!(
            regex_replace("2024-01-31", "([0-9]+)-([0-9]+)-([0-9]+)", "$3/$2/$1", 1, 0).unwrap(),
            "31/01/2024"
        );
        assert_eq!(regex_replace("aXa", "a", "b", 2, 0).unwrap(), "aXb");
        assert!(regex_replace("a", "a", "b", 0, 0).is_err());
        assert_eq!(overlay("12345", "foo", -2, None).unwrap(), "foo12345");
        assert_eq!(overlay("12345", "foo", 2, Some(9)).unwrap(), "1foo");
        assert_eq!(overlay("12345", "foo", 17, None).unwrap(), "12345foo");
        assert_eq!(trim("xxaxx", "x", "LEADING").unwrap(), "axx");
        assert!(trim("abc", "xy", "BOTH").is_err());
        assert_eq!(initcap("eACH wORD"), "Each Word");
    }
}
