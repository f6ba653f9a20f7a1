//! `${Name}` placeholders: the one scanner for every text that carries them — the spec's
//! `${<prerequisite>}` ARNs, the state machine definition's `${...FunctionArn}` variables
//! (`DefinitionSubstitutions`), and CloudFormation's `Fn::Sub` strings.
//!
//! `${!Literal}` is an escape, as `Fn::Sub` defines it (CloudFormation user guide, "Fn::Sub"):
//! it names nothing and is written out as `${Literal}`.
//!
//! ```
//! use kdaflow_workflow::placeholders::{names, substitute};
//! assert_eq!(names("a${X}b${!Y}c${X}"), ["X"]);
//! let out = substitute("arn:${Region}:${!Literal}", |n| Ok::<_, kdaflow_workflow::placeholders::Unclosed>(n.to_lowercase())).unwrap();
//! assert_eq!(out, "arn:region:${Literal}");
//! ```

/// One piece of a text with placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Text as it is (an escaped `${!X}` arrives as the text `${X}`).
    Text(std::borrow::Cow<'a, str>),
    /// `${Name}`.
    Name(&'a str),
}

/// Why a text cannot be scanned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unclosed ${{ at byte {at} of {text:?}")]
pub struct Unclosed {
    /// Where the `${` starts.
    pub at: usize,
    /// The text.
    pub text: String,
}

/// Splits `text` into literal pieces and placeholders, in order.
pub fn scan(text: &str) -> Result<Vec<Piece<'_>>, Unclosed> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    while let Some(i) = rest.find("${") {
        if i > 0 {
            out.push(Piece::Text(rest[..i].into()));
        }
        let after = &rest[i + 2..];
        let end = after.find('}').ok_or_else(|| Unclosed {
            at: offset + i,
            text: text.to_string(),
        })?;
        let inner = &after[..end];
        match inner.strip_prefix('!') {
            Some(literal) => out.push(Piece::Text(format!("${{{literal}}}").into())),
            None => out.push(Piece::Name(inner)),
        }
        let consumed = i + 2 + end + 1;
        offset += consumed;
        rest = &rest[consumed..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest.into()));
    }
    Ok(out)
}

/// The names `text` refers to, each once, in order of first use (an unclosed `${` ends the
/// scan: what comes before it still counts).
pub fn names(text: &str) -> Vec<&str> {
    let pieces = match scan(text) {
        Ok(p) => p,
        Err(e) => scan(&text[..e.at]).unwrap_or_default(),
    };
    let mut found: Vec<&str> = Vec::new();
    for p in pieces {
        if let Piece::Name(n) = p
            && !found.contains(&n)
        {
            found.push(n);
        }
    }
    found
}

/// Replaces every placeholder with what `lookup` gives for its name.
pub fn substitute<E>(
    text: &str,
    mut lookup: impl FnMut(&str) -> Result<String, E>,
) -> Result<String, E>
where
    E: From<Unclosed>,
{
    let mut out = String::with_capacity(text.len());
    for piece in scan(text)? {
        match piece {
            Piece::Text(t) => out.push_str(&t),
            Piece::Name(n) => out.push_str(&lookup(n)?),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_errors() {
        assert_eq!(
            scan("x${A}${!B}y").unwrap(),
            vec![
                Piece::Text("x".into()),
                Piece::Name("A"),
                Piece::Text("${B}".into()),
                Piece::Text("y".into())
            ]
        );
        assert_eq!(scan("ab${c").unwrap_err().at, 2);
        assert_eq!(names("${A}${B"), ["A"]);
        let none = substitute("no placeholders", |_| Err(scan("${").unwrap_err()));
        assert_eq!(none, Ok("no placeholders".into()));
    }
}
