//! Payload templates: `Parameters`, `ResultSelector`, `ItemSelector`, `Assign` (JSONPath) and
//! `Arguments`, `Output`, `Assign` (JSONata).
//!
//! A template is compiled once per definition so that running it only walks a small tree: keys
//! ending in `.$` become paths or intrinsic calls (the suffix is stripped), JSONata strings
//! `{% ... %}` become expressions, everything else is copied literally.

use parking_lot::Mutex;
use rand::rngs::StdRng;
use serde_json::{Map, Value};

use super::{Vars, jsonata};
use crate::error::StatesError;
use crate::intrinsics::Call;
use crate::model::QueryLanguage;
use crate::path::{Path, Root};

/// A compiled template.
#[derive(Debug, Clone)]
pub enum Template {
    /// Copied as is.
    Literal(Value),
    /// An object whose entries are templates.
    Object(Vec<(String, Template)>),
    /// An array of templates.
    Array(Vec<Template>),
    /// A `.$` path; the string is the field name for error messages.
    Path(Path, String),
    /// A `.$` intrinsic call.
    Call(Box<Call>, String),
    /// A JSONata `{% %}` expression and the field it belongs to (e.g. `Output/result`), which
    /// AWS names in the cause of a failure.
    Jsonata(String, String),
}

/// What an expression can see while it is evaluated.
pub struct Scope<'a> {
    /// `$` in JSONPath.
    pub input: &'a Value,
    /// `$$.Execution.Input`, read in place (see `context`).
    pub execution_input: Option<&'a Value>,
    /// `$$`: built on demand because most templates never read it.
    pub context: &'a (dyn Fn() -> Value + Sync),
    /// Variables visible to the state (the values before the state's own `Assign`).
    pub vars: &'a Vars,
    /// `$states` for JSONata (input, context, result, errorOutput).
    pub states: Option<&'a Value>,
    /// The execution's random source.
    pub rng: &'a Mutex<StdRng>,
}

impl std::fmt::Debug for Scope<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scope")
            .field("input", self.input)
            .finish_non_exhaustive()
    }
}

impl Scope<'_> {
    /// Resolves a path against its root; the error is a `States.Runtime` cause fragment.
    pub fn resolve(&self, path: &Path) -> Result<Value, String> {
        match &path.root {
            Root::Input => path.select(self.input),
            Root::Context => {
                use crate::path::Segment::Field;
                let segs = &path.segments;
                let is = |i: usize, name: &str| matches!(segs.get(i), Some(Field(f)) if f == name);
                match self.execution_input {
                    Some(input) if is(0, "Execution") && is(1, "Input") => Path {
                        root: Root::Input,
                        segments: segs[2..].to_vec(),
                        text: path.as_str().to_owned(),
                    }
                    .select(input),
                    input => {
                        let mut ctx = (self.context)();
                        if segs.len() < 2 {
                            ctx["Execution"]["Input"] = input.cloned().unwrap_or(Value::Null);
                        }
                        path.select(&ctx)
                    }
                }
            }
            Root::Variable(name) => {
                let Some(v) = self.vars.get(name) else {
                    return Err(format!("The variable '${name}' is not defined"));
                };
                path.select(v)
            }
        }
        .map_err(|e| format!("Invalid path '{}' : {e}", path.as_str()))
    }

    /// Evaluates a `.$`-style expression string (path or intrinsic) of the state field `field`
    /// (e.g. `ErrorPath`) outside a template; a missing path is worded as in a template
    /// ("The JSONPath '$.x' specified for the field 'ErrorPath' could not be found in the
    /// input ...", AWS-recorded).
    pub fn eval_expression(&self, expr: &str, field: &str) -> Result<Value, StatesError> {
        compile_dollar(expr, field)
            .map_err(StatesError::runtime)?
            .eval(self)
    }
}

fn compile_dollar(text: &str, field: &str) -> Result<Template, String> {
    if text.starts_with('$') {
        Path::parse(text)
            .map(|p| Template::Path(p, field.to_owned()))
            .map_err(|e| e.to_string())
    } else if Call::looks_like_call(text) {
        Call::parse(text).map(|c| Template::Call(Box::new(c), field.to_owned()))
    } else {
        Err(format!(
            "the value of '{field}' must be a path ($...), a context path ($$...), a variable or an intrinsic function"
        ))
    }
}

/// Whether a string is a JSONata expression `{% ... %}`; returns its body.
///
/// The delimiters must be the string's first and last characters: AWS-recorded, `" {% x %} "`
/// (spaces around the delimiters) is a literal string, not an expression.
pub fn jsonata_body(s: &str) -> Option<&str> {
    s.strip_prefix("{%")
        .and_then(|r| r.strip_suffix("%}"))
        .map(str::trim)
}

impl Template {
    /// Compiles a template written in `language` for the state field `field` (e.g. `Output`);
    /// nested JSONata expressions are located as `field/key/...` (`Output/result`), as AWS names
    /// them in `States.QueryEvaluationError` causes.
    pub fn compile(value: &Value, language: QueryLanguage, field: &str) -> Result<Self, String> {
        let t = match (value, language) {
            (Value::String(s), QueryLanguage::JSONata) => match jsonata_body(s) {
                Some(body) => Template::Jsonata(body.to_owned(), field.to_owned()),
                None => Template::Literal(value.clone()),
            },
            (Value::Object(m), _) => {
                let mut entries = Vec::with_capacity(m.len());
                for (k, v) in m {
                    match (k.strip_suffix(".$"), language) {
                        (Some(key), QueryLanguage::JSONPath) => {
                            let Value::String(expr) = v else {
                                return Err(format!("the value of '{k}' must be a string"));
                            };
                            entries.push((key.to_owned(), compile_dollar(expr, k)?));
                        }
                        _ => entries.push((
                            k.clone(),
                            Template::compile(v, language, &format!("{field}/{k}"))?,
                        )),
                    }
                }
                Template::Object(entries)
            }
            (Value::Array(a), _) => Template::Array(
                a.iter()
                    .enumerate()
                    .map(|(i, v)| Template::compile(v, language, &format!("{field}/{i}")))
                    .collect::<Result<_, _>>()?,
            ),
            _ => Template::Literal(value.clone()),
        };
        Ok(t.fold())
    }

    /// Collapses constant subtrees so evaluation only copies them.
    fn fold(self) -> Self {
        match self {
            Template::Object(entries)
                if entries
                    .iter()
                    .all(|(_, t)| matches!(t, Template::Literal(_))) =>
            {
                let mut m = Map::with_capacity(entries.len());
                for (k, t) in entries {
                    if let Template::Literal(v) = t {
                        m.insert(k, v);
                    }
                }
                Template::Literal(Value::Object(m))
            }
            Template::Array(items) if items.iter().all(|t| matches!(t, Template::Literal(_))) => {
                Template::Literal(Value::Array(
                    items
                        .into_iter()
                        .filter_map(|t| match t {
                            Template::Literal(v) => Some(v),
                            _ => None,
                        })
                        .collect(),
                ))
            }
            other => other,
        }
    }

    /// The expression text when the whole template is one JSONata expression.
    pub fn jsonata_expr(&self) -> Option<&str> {
        match self {
            Template::Jsonata(expr, _) => Some(expr),
            _ => None,
        }
    }

    /// Evaluates the template.
    pub fn eval(&self, scope: &Scope<'_>) -> Result<Value, StatesError> {
        match self {
            Template::Literal(v) => Ok(v.clone()),
            Template::Object(entries) => {
                let mut m = Map::with_capacity(entries.len());
                for (k, t) in entries {
                    m.insert(k.clone(), t.eval(scope)?);
                }
                Ok(Value::Object(m))
            }
            Template::Array(items) => items
                .iter()
                .map(|t| t.eval(scope))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            Template::Path(p, field) => scope.resolve(p).map_err(|_| {
                StatesError::runtime(format!(
                    "The JSONPath '{}' specified for the field '{}' could not be found in the input '{}'",
                    p.as_str(),
                    field,
                    scope.input
                ))
            }),
            Template::Call(call, _) => {
                let resolve = |p: &Path| scope.resolve(p);
                let mut rng = scope.rng.lock();
                call.evaluate(&resolve, &mut rng)
            }
            Template::Jsonata(expr, field) => {
                let null = Value::Null;
                let states = scope.states.unwrap_or(&null);
                let seed = rand::Rng::random::<u64>(&mut *scope.rng.lock());
                jsonata::evaluate(expr, field, states, scope.vars, seed)
            }
        }
    }
}
