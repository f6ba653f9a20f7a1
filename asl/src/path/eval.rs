//! Evaluation of parsed paths against a JSON document, and writes through reference paths.

use serde_json::Value;

use super::{NoResults, Path, Segment};

impl Path {
    /// Selects from `doc` (the value the path's root stands for).
    ///
    /// A definite path returns the one value or [`NoResults`]; an indefinite path returns an
    /// array of every match (possibly empty).
    pub fn select(&self, doc: &Value) -> Result<Value, NoResults> {
        if self.is_definite() {
            self.select_definite(doc)
                .cloned()
                .ok_or_else(|| self.missing_in(doc))
        } else {
            let mut out = Vec::new();
            collect(doc, doc, &self.segments, &mut out);
            Ok(Value::Array(out.into_iter().cloned().collect()))
        }
    }

    /// Whether the path selects anything (Choice `IsPresent`).
    pub fn is_present(&self, doc: &Value) -> bool {
        if self.is_definite() {
            self.select_definite(doc).is_some()
        } else {
            let mut out = Vec::new();
            collect(doc, doc, &self.segments, &mut out);
            !out.is_empty()
        }
    }

    /// The node a definite path names, borrowed.
    pub fn select_definite<'v>(&self, doc: &'v Value) -> Option<&'v Value> {
        let mut cur = doc;
        for s in &self.segments {
            cur = match (s, cur) {
                (Segment::Field(f), Value::Object(m)) => m.get(f)?,
                (Segment::Index(i), Value::Array(a)) => a.get(resolve_index(*i, a.len())?)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    pub(crate) fn no_results(&self) -> NoResults {
        let normalized = self.normalized();
        NoResults {
            message: format!("No results for path: {normalized}"),
            normalized,
        }
    }

    /// The failure of a definite path on `doc`: the step where it stopped decides the wording.
    fn missing_in(&self, doc: &Value) -> NoResults {
        let mut cur = doc;
        for (i, s) in self.segments.iter().enumerate() {
            let next = match (s, cur) {
                (Segment::Field(f), Value::Object(m)) => m.get(f),
                (Segment::Index(ix), Value::Array(a)) => {
                    resolve_index(*ix, a.len()).and_then(|j| a.get(j))
                }
                _ => None,
            };
            match next {
                Some(v) => cur = v,
                None if i + 1 < self.segments.len()
                    && matches!((s, cur), (Segment::Field(_), Value::Object(_))) =>
                {
                    let prefix = Path {
                        segments: self.segments[..=i].to_vec(),
                        ..self.clone()
                    };
                    return NoResults {
                        normalized: self.normalized(),
                        message: format!("Missing property in path {}", prefix.normalized()),
                    };
                }
                None => break,
            }
        }
        self.no_results()
    }
}

fn resolve_index(i: i64, len: usize) -> Option<usize> {
    if i < 0 {
        let from_end = usize::try_from(-i).ok()?;
        len.checked_sub(from_end)
    } else {
        usize::try_from(i).ok()
    }
}

/// Collects every node matched by `segs` starting at `cur`; `root` is the document for `$`
/// inside filters.
pub(crate) fn collect<'v>(
    root: &'v Value,
    cur: &'v Value,
    segs: &[Segment],
    out: &mut Vec<&'v Value>,
) {
    let Some((seg, rest)) = segs.split_first() else {
        out.push(cur);
        return;
    };
    match seg {
        Segment::Field(f) => {
            if let Some(v) = cur.as_object().and_then(|m| m.get(f)) {
                collect(root, v, rest, out);
            }
        }
        Segment::Index(i) => {
            if let Some(a) = cur.as_array()
                && let Some(v) = resolve_index(*i, a.len()).and_then(|i| a.get(i))
            {
                collect(root, v, rest, out);
            }
        }
        Segment::Wildcard => match cur {
            Value::Array(a) => a.iter().for_each(|v| collect(root, v, rest, out)),
            Value::Object(m) => m.values().for_each(|v| collect(root, v, rest, out)),
            _ => {}
        },
        Segment::Descendant(name) => descend(root, cur, name.as_deref(), rest, out),
        Segment::Slice(start, end, step) => {
            if let Some(a) = cur.as_array() {
                for i in slice_indexes(a.len(), *start, *end, *step) {
                    collect(root, &a[i], rest, out);
                }
            }
        }
        Segment::FieldUnion(fs) => {
            if let Some(m) = cur.as_object() {
                for f in fs {
                    if let Some(v) = m.get(f) {
                        collect(root, v, rest, out);
                    }
                }
            }
        }
        Segment::IndexUnion(is) => {
            if let Some(a) = cur.as_array() {
                for i in is {
                    if let Some(v) = resolve_index(*i, a.len()).and_then(|i| a.get(i)) {
                        collect(root, v, rest, out);
                    }
                }
            }
        }
        Segment::Filter(f) => match cur {
            Value::Array(a) => {
                for v in a {
                    if f.matches(v, root) {
                        collect(root, v, rest, out);
                    }
                }
            }
            // Jayway applies a filter on an object to the object itself.
            Value::Object(_) if f.matches(cur, root) => collect(root, cur, rest, out),
            _ => {}
        },
    }
}

fn descend<'v>(
    root: &'v Value,
    cur: &'v Value,
    name: Option<&str>,
    rest: &[Segment],
    out: &mut Vec<&'v Value>,
) {
    match cur {
        Value::Object(m) => {
            for (k, v) in m {
                if name.is_none_or(|n| n == k) {
                    collect(root, v, rest, out);
                }
            }
            for v in m.values() {
                descend(root, v, name, rest, out);
            }
        }
        Value::Array(a) => {
            for v in a {
                if name.is_none() {
                    collect(root, v, rest, out);
                }
            }
            for v in a {
                descend(root, v, name, rest, out);
            }
        }
        _ => {}
    }
}

/// Python-style slice indexes (Jayway clamps out-of-range bounds).
fn slice_indexes(
    len: usize,
    start: Option<i64>,
    end: Option<i64>,
    step: Option<i64>,
) -> Vec<usize> {
    let len_i = i64::try_from(len).unwrap_or(i64::MAX);
    let step = step.unwrap_or(1);
    let norm = |v: i64| {
        if v < 0 {
            (len_i + v).max(0)
        } else {
            v.min(len_i)
        }
    };
    let mut out = Vec::new();
    if step > 0 {
        let (mut i, e) = (norm(start.unwrap_or(0)), norm(end.unwrap_or(len_i)));
        while i < e {
            out.push(i as usize);
            i += step;
        }
    } else {
        let mut i = start.map_or(
            len_i - 1,
            |s| if s < 0 { len_i + s } else { s.min(len_i - 1) },
        );
        let e = end.map_or(-1, |e| if e < 0 { (len_i + e).max(-1) } else { e });
        while i > e && i >= 0 {
            out.push(i as usize);
            i += step;
        }
    }
    out
}

/// Why a write through a reference path failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Unable to apply ResultPath {path} to input")]
pub struct ResultPathMismatch {
    /// The path text.
    pub path: String,
}

/// Writes `value` into `doc` at the reference path, creating missing objects on the way
/// (the `ResultPath` rule). A non-object on the way, or a missing array index, fails.
pub fn set_reference(doc: &mut Value, path: &Path, value: Value) -> Result<(), ResultPathMismatch> {
    let fail = || ResultPathMismatch {
        path: path.as_str().into(),
    };
    let mut cur = doc;
    for s in &path.segments {
        cur = match s {
            Segment::Field(f) => match cur {
                Value::Object(m) => m
                    .entry(f.clone())
                    .or_insert_with(|| Value::Object(Default::default())),
                _ => return Err(fail()),
            },
            Segment::Index(i) => match cur {
                Value::Array(a) => {
                    let len = a.len();
                    let idx = resolve_index(*i, len)
                        .filter(|i| *i < len)
                        .ok_or_else(fail)?;
                    &mut a[idx]
                }
                _ => return Err(fail()),
            },
            _ => return Err(fail()),
        };
    }
    *cur = value;
    Ok(())
}
