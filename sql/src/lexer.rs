//! The lexer: application code to tokens, each with its line and column.
//!
//! Unquoted identifiers are folded to upper case here (as the service does), so keywords are
//! simply unquoted identifiers compared in upper case; quoted identifiers keep their case.

use crate::error::{CodeValidationError, Pos, ValidationKind};

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// An identifier or keyword. `quoted` is false for bare words (already upper-cased).
    Ident {
        /// The name (upper case when unquoted).
        name: String,
        /// Whether it was written in double quotes.
        quoted: bool,
    },
    /// A numeric literal as written.
    Number(String),
    /// A single-quoted string literal, with `''` unescaped.
    Str(String),
    /// Punctuation or an operator, e.g. `(`, `<=`, `||`.
    Sym(&'static str),
    /// End of input.
    Eof,
}

/// A token and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// The token.
    pub tok: Tok,
    /// Its first character's position.
    pub pos: Pos,
}

impl Token {
    /// True if this is the bare (unquoted) keyword `kw` (given in upper case).
    pub fn is_kw(&self, kw: &str) -> bool {
        matches!(&self.tok, Tok::Ident { name, quoted: false } if name == kw)
    }

    /// True if this is the symbol `s`.
    pub fn is_sym(&self, s: &str) -> bool {
        matches!(&self.tok, Tok::Sym(x) if *x == s)
    }

    /// How the token reads in an error message.
    pub fn describe(&self) -> String {
        // Error messages quote the token; a pathological one (100 KB of letters) is cut so the
        // message stays readable.
        const MAX: usize = 64;
        let cut = |s: &str| -> String {
            if s.chars().count() > MAX {
                format!("{}...", s.chars().take(MAX).collect::<String>())
            } else {
                s.to_string()
            }
        };
        match &self.tok {
            Tok::Ident { name, quoted: true } => format!("\"{}\"", cut(name)),
            Tok::Ident { name, .. } => cut(name),
            Tok::Number(n) => cut(n),
            Tok::Str(s) => format!("'{}'", cut(s)),
            Tok::Sym(s) => s.to_string(),
            Tok::Eof => "end of input".to_string(),
        }
    }
}

const SYMBOLS: [&str; 20] = [
    "<>", "<=", ">=", "!=", "||", "(", ")", ",", ";", ".", "*", "+", "-", "/", "%", "=", "<", ">",
    "[", "]",
];

/// Splits `code` into tokens; the last one is always [`Tok::Eof`].
/// The escapes of a U&'...' literal: `\XXXX` (four hex digits) and `\\`.
fn unicode_escapes(text: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let hex: String = chars.clone().take(4).collect();
        if hex.starts_with('\\') {
            chars.next();
            out.push('\\');
        } else if let Some(ch) = (hex.len() == 4)
            .then(|| u32::from_str_radix(&hex, 16).ok())
            .flatten()
            .and_then(char::from_u32)
        {
            out.push(ch);
            for _ in 0..4 {
                chars.next();
            }
        } else {
            return Err(format!(
                "Invalid Unicode escape '\\{hex}' in a U&'...' literal: use \\XXXX with four hex digits, or \\\\"
            ));
        }
    }
    Ok(out)
}

pub fn lex(code: &str) -> Result<Vec<Token>, CodeValidationError> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line, mut col) = (0usize, 1u32, 1u32);
    // Advances over one character, keeping line and column right across newlines.
    let step = |i: &mut usize, line: &mut u32, col: &mut u32, c: char| {
        *i += 1;
        if c == '\n' {
            *line += 1;
            *col = 1;
        } else {
            *col += 1;
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let pos = Pos { line, column: col };
        if c.is_whitespace() {
            step(&mut i, &mut line, &mut col, c);
        } else if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' {
                {
                    let ch = chars[i];
                    step(&mut i, &mut line, &mut col, ch);
                }
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            step(&mut i, &mut line, &mut col, '/');
            step(&mut i, &mut line, &mut col, '*');
            loop {
                if i >= chars.len() {
                    return Err(syntax(pos, "unterminated comment"));
                }
                if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    step(&mut i, &mut line, &mut col, '*');
                    step(&mut i, &mut line, &mut col, '/');
                    break;
                }
                {
                    let ch = chars[i];
                    step(&mut i, &mut line, &mut col, ch);
                }
            }
        } else if c == '"'
            || c == '\''
            || (matches!(c, 'u' | 'U')
                && chars.get(i + 1) == Some(&'&')
                && chars.get(i + 2) == Some(&'\''))
        {
            // U&'...': a Unicode string literal, where \XXXX is a character by its code and
            // \\ a backslash.
            let unicode = c != '"' && c != '\'';
            let c = if unicode {
                step(&mut i, &mut line, &mut col, c);
                step(&mut i, &mut line, &mut col, '&');
                '\''
            } else {
                c
            };
            step(&mut i, &mut line, &mut col, c);
            let mut text = String::new();
            loop {
                if i >= chars.len() {
                    let what = if c == '"' {
                        "identifier"
                    } else {
                        "string literal"
                    };
                    return Err(syntax(pos, format!("unterminated quoted {what}")));
                }
                let d = chars[i];
                step(&mut i, &mut line, &mut col, d);
                if d == c {
                    // A doubled quote stands for one quote character.
                    if chars.get(i) == Some(&c) {
                        step(&mut i, &mut line, &mut col, c);
                        text.push(c);
                        continue;
                    }
                    break;
                }
                text.push(d);
            }
            if unicode {
                text = unicode_escapes(&text).map_err(|e| syntax(pos, e))?;
            }
            let tok = if c == '"' {
                if text.is_empty() {
                    return Err(syntax(pos, "empty quoted identifier"));
                }
                Tok::Ident {
                    name: text,
                    quoted: true,
                }
            } else {
                Tok::Str(text)
            };
            out.push(Token { tok, pos });
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            let mut text = String::new();
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                text.push(chars[i]);
                {
                    let ch = chars[i];
                    step(&mut i, &mut line, &mut col, ch);
                }
            }
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                let sign = chars.get(i + 1).is_some_and(|d| *d == '+' || *d == '-');
                let digit_at = if sign { i + 2 } else { i + 1 };
                if chars.get(digit_at).is_some_and(|d| d.is_ascii_digit()) {
                    while i < digit_at {
                        text.push(chars[i]);
                        {
                            let ch = chars[i];
                            step(&mut i, &mut line, &mut col, ch);
                        }
                    }
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        text.push(chars[i]);
                        {
                            let ch = chars[i];
                            step(&mut i, &mut line, &mut col, ch);
                        }
                    }
                }
            }
            if text.matches('.').count() > 1 {
                return Err(syntax(pos, format!("malformed number '{text}'")));
            }
            out.push(Token {
                tok: Tok::Number(text),
                pos,
            });
        } else if c.is_alphabetic() || c == '_' || c == '$' {
            let mut text = String::new();
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                text.push(chars[i]);
                {
                    let ch = chars[i];
                    step(&mut i, &mut line, &mut col, ch);
                }
            }
            out.push(Token {
                tok: Tok::Ident {
                    name: text.to_uppercase(),
                    quoted: false,
                },
                pos,
            });
        } else {
            let rest: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let sym = SYMBOLS.iter().find(|s| rest.starts_with(**s));
            match sym {
                Some(s) => {
                    for ch in s.chars() {
                        step(&mut i, &mut line, &mut col, ch);
                    }
                    out.push(Token {
                        tok: Tok::Sym(s),
                        pos,
                    });
                }
                None => return Err(syntax(pos, format!("unexpected character '{c}'"))),
            }
        }
    }
    out.push(Token {
        tok: Tok::Eof,
        pos: Pos { line, column: col },
    });
    Ok(out)
}

fn syntax(pos: Pos, what: impl std::fmt::Display) -> CodeValidationError {
    CodeValidationError::at(ValidationKind::Syntax, pos, what)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_folding() {
        let toks = lex("select \"a\"\n  , b1 -- c\n'it''s' 1.5e3 <=").unwrap();
        assert_eq!(
            toks[0].tok,
            Tok::Ident {
                name: "SELECT".into(),
                quoted: false
            }
        );
        assert_eq!(
            toks[1].tok,
            Tok::Ident {
                name: "a".into(),
                quoted: true
            }
        );
        assert_eq!(toks[1].pos, Pos { line: 1, column: 8 });
        assert_eq!(toks[2].pos, Pos { line: 2, column: 3 });
        assert_eq!(
            toks[3].tok,
            Tok::Ident {
                name: "B1".into(),
                quoted: false
            }
        );
        assert_eq!(toks[4].tok, Tok::Str("it's".into()));
        assert_eq!(toks[4].pos.line, 3);
        assert_eq!(toks[5].tok, Tok::Number("1.5e3".into()));
        assert_eq!(toks[6].tok, Tok::Sym("<="));
        assert_eq!(toks[7].tok, Tok::Eof);
    }

    #[test]
    fn unterminated_string_is_a_syntax_error() {
        let e = lex("x = 'abc").unwrap_err();
        assert_eq!(e.kind, ValidationKind::Syntax);
        assert!(e.message.contains("line 1, column 5"), "{}", e.message);
    }
}
