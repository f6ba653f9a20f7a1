//! JSONPath with Step Functions semantics.
//!
//! Step Functions evaluates paths with Jayway JsonPath rules, which no Rust crate reproduces:
//!
//! - a **definite** path (only member names and single indexes) yields one value, and a missing
//!   member is an error (`States.Runtime` at run time);
//! - an **indefinite** path (`[*]`, `..`, slices, unions, filters) yields an array of every match,
//!   and `[]` when nothing matches (AWS-recorded for `$.items[*]` and `$.items[1:]` on missing data);
//! - a **reference path** (ResultPath, Choice `Variable`, `ItemsPath`, `*Path` fields) may only
//!   use member names and indexes.
//!
//! Roots: `$` is the state's input, `$$` the context object and `$name` a workflow variable.
//!
//! ```
//! use kdaflow_asl::path::Path;
//! let doc = serde_json::json!({"a": [{"v": 1}, {"v": 7}]});
//! assert_eq!(Path::parse("$.a[1].v").unwrap().select(&doc).unwrap(), serde_json::json!(7));
//! assert_eq!(Path::parse("$.a[?(@.v > 2)].v").unwrap().select(&doc).unwrap(), serde_json::json!([7]));
//! assert_eq!(Path::parse("$.missing[*]").unwrap().select(&doc).unwrap(), serde_json::json!([]));
//! assert!(Path::parse("$.missing").unwrap().select(&doc).is_err());
//! ```

mod eval;
mod filter;

use std::fmt;

pub use eval::set_reference;
pub use filter::Filter;

/// Where a path starts.
#[derive(Debug, Clone, PartialEq)]
pub enum Root {
    /// `$`: the state's (effective) input.
    Input,
    /// `$$`: the context object.
    Context,
    /// `$name`: a workflow variable.
    Variable(String),
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    /// `.name` or `['name']`.
    Field(String),
    /// `[n]` (negative counts from the end).
    Index(i64),
    /// `.*` or `[*]`.
    Wildcard,
    /// `..name` or `..*` (`None`).
    Descendant(Option<String>),
    /// `[start:end:step]`.
    Slice(Option<i64>, Option<i64>, Option<i64>),
    /// `['a','b']`.
    FieldUnion(Vec<String>),
    /// `[1,2]`.
    IndexUnion(Vec<i64>),
    /// `[?(...)]`.
    Filter(Box<Filter>),
}

/// A parse failure, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid JSONPath '{path}': {reason}")]
pub struct PathSyntaxError {
    /// The text that failed.
    pub path: String,
    /// Why.
    pub reason: String,
}

/// Why a path selected nothing, worded as Jayway JsonPath (which Step Functions runs) words
/// it: `No results for path: $['a']['b']` when the last step is missing, `Missing property in
/// path $['a']` when an earlier one is (AWS-recorded).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct NoResults {
    /// Jayway's normalized form of the whole path, e.g. `$['a']['b']`.
    pub normalized: String,
    /// The message.
    pub message: String,
}

/// A parsed path.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    /// The root.
    pub root: Root,
    /// The steps.
    pub segments: Vec<Segment>,
    pub(crate) text: String,
}

impl Path {
    /// Parses a path (full syntax: filters, wildcards, slices allowed).
    pub fn parse(text: &str) -> Result<Self, PathSyntaxError> {
        Parser::new(text).parse()
    }

    /// Parses a reference path: only member names and indexes.
    pub fn parse_reference(text: &str) -> Result<Self, PathSyntaxError> {
        let path = Self::parse(text)?;
        if path
            .segments
            .iter()
            .all(|s| matches!(s, Segment::Field(_) | Segment::Index(_)))
        {
            Ok(path)
        } else {
            Err(PathSyntaxError {
                path: text.into(),
                reason: "a reference path may only use member names and array indexes".into(),
            })
        }
    }

    /// The text as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the path always selects exactly one node.
    pub fn is_definite(&self) -> bool {
        self.segments
            .iter()
            .all(|s| matches!(s, Segment::Field(_) | Segment::Index(_)))
    }

    /// Jayway's normalized form (`$['a'][0]`), used in AWS error causes.
    pub fn normalized(&self) -> String {
        let mut out = String::from("$");
        for s in &self.segments {
            match s {
                Segment::Field(f) => out.push_str(&format!("['{f}']")),
                Segment::Index(i) => out.push_str(&format!("[{i}]")),
                Segment::Wildcard => out.push_str("[*]"),
                Segment::Descendant(Some(f)) => out.push_str(&format!("..['{f}']")),
                Segment::Descendant(None) => out.push_str("..[*]"),
                Segment::Slice(a, b, _) => out.push_str(&format!(
                    "[{}:{}]",
                    a.map(|v| v.to_string()).unwrap_or_default(),
                    b.map(|v| v.to_string()).unwrap_or_default()
                )),
                Segment::FieldUnion(fs) => out.push_str(&format!(
                    "[{}]",
                    fs.iter()
                        .map(|f| format!("'{f}'"))
                        .collect::<Vec<_>>()
                        .join(",")
                )),
                Segment::IndexUnion(is) => out.push_str(&format!(
                    "[{}]",
                    is.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
                )),
                Segment::Filter(_) => out.push_str("[?]"),
            }
        }
        out
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

pub(crate) struct Parser<'a> {
    text: &'a str,
    chars: Vec<char>,
    pos: usize,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self {
            text,
            chars: text.chars().collect(),
            pos: 0,
        }
    }

    fn err(&self, reason: impl Into<String>) -> PathSyntaxError {
        PathSyntaxError {
            path: self.text.into(),
            reason: reason.into(),
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn parse(mut self) -> Result<Path, PathSyntaxError> {
        let root = self.root()?;
        let segments = self.segments(false)?;
        if self.pos != self.chars.len() {
            return Err(self.err(format!("unexpected character at position {}", self.pos)));
        }
        Ok(Path {
            root,
            segments,
            text: self.text.into(),
        })
    }

    pub(crate) fn root(&mut self) -> Result<Root, PathSyntaxError> {
        if !self.eat('$') {
            return Err(self.err("a path must start with '$'"));
        }
        if self.eat('$') {
            return Ok(Root::Context);
        }
        let start = self.pos;
        while let Some(c) = self.peek() {
            if c.is_alphanumeric() || c == '_' {
                self.pos += 1;
            } else {
                break;
            }
        }
        if self.pos > start {
            Ok(Root::Variable(self.chars[start..self.pos].iter().collect()))
        } else {
            Ok(Root::Input)
        }
    }

    /// Segments until the end, or (inside a filter) until a character that cannot continue a
    /// path.
    pub(crate) fn segments(&mut self, in_filter: bool) -> Result<Vec<Segment>, PathSyntaxError> {
        let mut segs = Vec::new();
        while let Some(c) = self.peek() {
            match c {
                '.' => {
                    self.pos += 1;
                    if self.eat('.') {
                        if self.eat('*') {
                            segs.push(Segment::Descendant(None));
                        } else if self.peek() == Some('[') {
                            self.pos += 1;
                            let name = self.quoted()?;
                            self.expect(']')?;
                            segs.push(Segment::Descendant(Some(name)));
                        } else {
                            let name = self.name(in_filter)?;
                            segs.push(Segment::Descendant(Some(name)));
                        }
                    } else if self.eat('*') {
                        segs.push(Segment::Wildcard);
                    } else {
                        let name = self.name(in_filter)?;
                        segs.push(Segment::Field(name));
                    }
                }
                '[' => {
                    self.pos += 1;
                    segs.push(self.bracket()?);
                }
                _ if in_filter => break,
                _ => return Err(self.err(format!("unexpected '{c}'"))),
            }
        }
        Ok(segs)
    }

    fn name(&mut self, in_filter: bool) -> Result<String, PathSyntaxError> {
        let start = self.pos;
        while let Some(c) = self.peek() {
            let stop =
                c == '.' || c == '[' || (in_filter && (c.is_whitespace() || "=!<>&|)".contains(c)));
            if stop {
                break;
            }
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.err("empty member name"));
        }
        Ok(self.chars[start..self.pos].iter().collect())
    }

    fn expect(&mut self, c: char) -> Result<(), PathSyntaxError> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.err(format!("expected '{c}' at position {}", self.pos)))
        }
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    pub(crate) fn quoted(&mut self) -> Result<String, PathSyntaxError> {
        self.skip_ws();
        let q = match self.peek() {
            Some(q @ ('\'' | '"')) => q,
            _ => return Err(self.err("expected a quoted name")),
        };
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err(self.err("unterminated quoted name")),
                Some('\\') => {
                    // Only the quote and the backslash are escaped; any other backslash is the
                    // name's own (AWS-recorded: `$['Test\\""Name"']`
                    // `Test\""Name"`).
                    self.pos += 1;
                    match self.peek() {
                        Some(c) if c == q || c == '\\' => {
                            out.push(c);
                            self.pos += 1;
                        }
                        _ => out.push('\\'),
                    }
                }
                Some(c) if c == q => {
                    self.pos += 1;
                    self.skip_ws();
                    return Ok(out);
                }
                Some(c) => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    fn int(&mut self) -> Result<Option<i64>, PathSyntaxError> {
        self.skip_ws();
        let start = self.pos;
        if self.peek() == Some('-') {
            self.pos += 1;
        }
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        let s: String = self.chars[start..self.pos].iter().collect();
        self.skip_ws();
        if s.is_empty() {
            return Ok(None);
        }
        s.parse()
            .map(Some)
            .map_err(|_| self.err(format!("bad index '{s}'")))
    }

    fn bracket(&mut self) -> Result<Segment, PathSyntaxError> {
        self.skip_ws();
        match self.peek() {
            Some('*') => {
                self.pos += 1;
                self.skip_ws();
                self.expect(']')?;
                Ok(Segment::Wildcard)
            }
            Some('?') => {
                self.pos += 1;
                self.skip_ws();
                self.expect('(')?;
                let filter = filter::parse_filter(self)?;
                self.skip_ws();
                self.expect(')')?;
                self.skip_ws();
                self.expect(']')?;
                Ok(Segment::Filter(Box::new(filter)))
            }
            Some('\'' | '"') => {
                let mut names = vec![self.quoted()?];
                while self.eat(',') {
                    names.push(self.quoted()?);
                }
                self.expect(']')?;
                Ok(if names.len() == 1 {
                    Segment::Field(names.remove(0))
                } else {
                    Segment::FieldUnion(names)
                })
            }
            _ => {
                let first = self.int()?;
                if self.eat(':') {
                    let end = self.int()?;
                    let step = if self.eat(':') { self.int()? } else { None };
                    self.expect(']')?;
                    if step == Some(0) {
                        return Err(self.err("slice step cannot be 0"));
                    }
                    return Ok(Segment::Slice(first, end, step));
                }
                let first = first.ok_or_else(|| self.err("expected an index"))?;
                let mut idx = vec![first];
                while self.eat(',') {
                    idx.push(self.int()?.ok_or_else(|| self.err("expected an index"))?);
                }
                self.expect(']')?;
                Ok(if idx.len() == 1 {
                    Segment::Index(first)
                } else {
                    Segment::IndexUnion(idx)
                })
            }
        }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }
    pub(crate) fn set_pos(&mut self, pos: usize) {
        self.pos = pos;
    }
    pub(crate) fn peek_char(&self) -> Option<char> {
        self.peek()
    }
    pub(crate) fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }
    pub(crate) fn advance(&mut self) {
        self.pos += 1;
    }
    pub(crate) fn skip_whitespace(&mut self) {
        self.skip_ws();
    }
    pub(crate) fn error(&self, reason: impl Into<String>) -> PathSyntaxError {
        self.err(reason)
    }
}
