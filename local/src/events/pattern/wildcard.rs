//! `wildcard` patterns: `*` matches any run of characters; `\*` is a literal star and `\\` a
//! backslash; any other escape, and two consecutive `*`, are refused (event-ruler README,
//! "Wildcard matching").

/// A compiled wildcard: the literal pieces between stars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wildcard {
    /// Literal segments; a star lies between each two.
    parts: Vec<String>,
}

impl Wildcard {
    /// Parses `text`, or says what is wrong.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut parts = vec![String::new()];
        let mut chars = text.chars().enumerate().peekable();
        let mut last_star = false;
        while let Some((i, c)) = chars.next() {
            match c {
                '*' => {
                    if last_star {
                        return Err(format!("Consecutive wildcard characters at pos {i}"));
                    }
                    parts.push(String::new());
                    last_star = true;
                    continue;
                }
                '\\' => match chars.next() {
                    Some((_, e @ ('*' | '\\'))) => parts.last_mut().map(|p| p.push(e)),
                    _ => return Err(format!("Invalid escape character at pos {i}")),
                },
                other => parts.last_mut().map(|p| p.push(other)),
            };
            last_star = false;
        }
        Ok(Self { parts })
    }

    /// Whether `s` matches.
    pub fn matches(&self, s: &str) -> bool {
        let parts = &self.parts;
        if parts.len() == 1 {
            return s == parts[0];
        }
        let (first, last) = (&parts[0], &parts[parts.len() - 1]);
        if s.len() < first.len() + last.len()
            || !s.starts_with(first.as_str())
            || !s.ends_with(last.as_str())
        {
            return false;
        }
        // Greedy leftmost placement of the middle pieces is optimal for `*`-only globs.
        let mut rest = &s[first.len()..s.len() - last.len()];
        for piece in &parts[1..parts.len() - 1] {
            match rest.find(piece.as_str()) {
                Some(at) => rest = &rest[at + piece.len()..],
                None => return false,
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        let w = |p: &str| Wildcard::parse(p).unwrap();
        assert!(w("Simple*Service").matches("SimpleQueueService"));
        assert!(w("Simple*Service").matches("SimpleService"));
        assert!(!w("Simple*Service").matches("SimpleQueue"));
        assert!(w("*").matches(""));
        assert!(w("a*b*c").matches("aXbYc"));
        assert!(!w("a*b*c").matches("ac"));
        assert!(!w("ab*ba").matches("aba"));
        assert!(w(r"a\*b").matches("a*b"));
        assert!(!w(r"a\*b").matches("aXb"));
        assert!(w(r"a\\b").matches(r"a\b"));
        assert!(Wildcard::parse("a**b").is_err());
        assert!(Wildcard::parse(r"a\b").is_err());
    }
}
