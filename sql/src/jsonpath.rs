//! The JSONPath subset that `RecordRowPath` and column `Mapping`s use: `$`, `.name`,
//! `['name']`, `[n]`, `[*]` / `.*` and `[0:]` (all elements).

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// `.name` or `['name']`.
    Member(String),
    /// `[n]`.
    Index(usize),
    /// `[*]`, `.*` or `[0:]`.
    All,
}

/// A parsed path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPath {
    /// Steps after `$`.
    pub steps: Vec<Step>,
}

impl JsonPath {
    /// `$.a[0:].b` as the path to the array (`$.a`) and the path inside each element (`$.b`),
    /// when an all-elements step has steps after it.
    pub fn split_at_all(&self) -> Option<(JsonPath, JsonPath)> {
        let i = self.steps.iter().position(|s| *s == Step::All)?;
        (i + 1 < self.steps.len()).then(|| {
            (
                JsonPath {
                    steps: self.steps[..i].to_vec(),
                },
                JsonPath {
                    steps: self.steps[i + 1..].to_vec(),
                },
            )
        })
    }

    /// Parses a path that starts with `$`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = |why: &str| format!("unsupported JSONPath '{text}': {why}");
        let t = text.trim();
        let mut rest = t
            .strip_prefix('$')
            .ok_or_else(|| bad("must start with $"))?;
        let mut steps = Vec::new();
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix(".*") {
                steps.push(Step::All);
                rest = r;
            } else if let Some(r) = rest.strip_prefix('.') {
                let end = r.find(['.', '[']).unwrap_or(r.len());
                if end == 0 {
                    return Err(bad("empty member name"));
                }
                steps.push(Step::Member(r[..end].to_string()));
                rest = &r[end..];
            } else if let Some(r) = rest.strip_prefix('[') {
                let end = r.find(']').ok_or_else(|| bad("missing ]"))?;
                let inner = r[..end].trim();
                if inner == "*" || inner == "0:" {
                    steps.push(Step::All);
                } else if let Some(q) = inner.strip_prefix('\'').and_then(|s| s.strip_suffix('\''))
                {
                    steps.push(Step::Member(q.to_string()));
                } else if let Some(q) = inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
                    steps.push(Step::Member(q.to_string()));
                } else {
                    steps.push(Step::Index(inner.parse().map_err(|_| bad("bad index"))?));
                }
                rest = &r[end + 1..];
            } else {
                return Err(bad("expected . or ["));
            }
        }
        Ok(Self { steps })
    }
}
