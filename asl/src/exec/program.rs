//! Compilation of a validated model into the form the driver runs: states indexed by number,
//! transitions resolved, paths, templates and rules parsed once.

use std::sync::Arc;

use indexmap::IndexMap;

use crate::common::Template;
use crate::common::io::{self, PathField};
use crate::model::{Branch, Catcher, NumberOrExpr, QueryLanguage, Retrier, State, StateMachine};
use crate::path::Path;
use crate::states::choice::{self, Rule};
use crate::states::fail::FailField;
use crate::states::wait::WaitFor;
use crate::task::Resource;

/// A number field: literal, JSONata expression, or reference path.
#[derive(Debug, Clone)]
pub(crate) enum Num {
    Value(serde_json::Value),
    Expr(Template),
    Path(Path),
}

impl Num {
    /// The reference path the value is read from (`...Path` fields).
    pub(crate) fn path(&self) -> Option<&str> {
        match self {
            Num::Path(p) => Some(p.as_str()),
            _ => None,
        }
    }
}

#[derive(Debug)]
pub(crate) struct CatchRule {
    pub(crate) catcher: Catcher,
    pub(crate) next: usize,
    pub(crate) result_path: PathField,
    pub(crate) assign: Option<Template>,
    pub(crate) output: Option<Template>,
}

#[derive(Debug)]
pub(crate) struct ChoiceBranch {
    pub(crate) rule: Rule,
    pub(crate) next: usize,
    pub(crate) assign: Option<Template>,
    pub(crate) output: Option<Template>,
}

#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // one per state, built once
pub(crate) enum Kind {
    Pass {
        result: Option<serde_json::Value>,
    },
    Task {
        resource: Resource,
        arn: String,
        timeout: Option<Num>,
        heartbeat: Option<Num>,
    },
    Choice {
        branches: Vec<ChoiceBranch>,
        default: Option<usize>,
    },
    Wait(WaitFor),
    Succeed,
    Fail {
        error: FailField,
        cause: FailField,
    },
    Parallel {
        branches: Vec<Arc<Machine>>,
    },
    Map {
        processor: Arc<Machine>,
        /// Set for a Distributed Map (`ProcessorConfig.Mode: DISTRIBUTED`): its iterations run
        /// as child executions of a Map Run.
        distributed: Option<Arc<Distributed>>,
        items_path: Option<Path>,
        items: Option<Template>,
        item_selector: Option<Template>,
        max_concurrency: Option<Num>,
        tolerated_count: Option<Num>,
        tolerated_percentage: Option<Num>,
    },
}

/// What a Distributed Map needs to start child executions.
#[derive(Debug)]
pub(crate) struct Distributed {
    /// The item processor as a program of its own (what each child execution runs).
    pub(crate) program: Arc<super::Program>,
    /// `Label` (absent: the Map Run's label is generated, as AWS does).
    pub(crate) label: Option<String>,
    /// `ProcessorConfig.ExecutionType: EXPRESS`.
    pub(crate) express: bool,
}

/// One compiled state.
#[derive(Debug)]
pub(crate) struct Node {
    pub(crate) name: String,
    pub(crate) language: QueryLanguage,
    pub(crate) kind: Kind,
    pub(crate) next: Option<usize>,
    pub(crate) input_path: PathField,
    pub(crate) output_path: PathField,
    pub(crate) result_path: PathField,
    /// `Parameters` (JSONPath) or `Arguments` (JSONata).
    pub(crate) parameters: Option<Template>,
    pub(crate) result_selector: Option<Template>,
    pub(crate) assign: Option<Template>,
    pub(crate) output: Option<Template>,
    pub(crate) retry: Vec<Retrier>,
    pub(crate) catch: Vec<CatchRule>,
}

/// A compiled (sub-)machine.
#[derive(Debug)]
pub(crate) struct Machine {
    pub(crate) start: usize,
    pub(crate) states: Vec<Node>,
}

/// Compiles an optional template of the state field `field`.
fn t(
    v: &Option<serde_json::Value>,
    ql: QueryLanguage,
    field: &str,
) -> Result<Option<Template>, String> {
    v.as_ref()
        .map(|v| Template::compile(v, ql, field))
        .transpose()
}

/// `Parameters` (JSONPath) or `Arguments` (JSONata), named as written.
fn params(
    parameters: &Option<serde_json::Value>,
    arguments: &Option<serde_json::Value>,
    ql: QueryLanguage,
) -> Result<Option<Template>, String> {
    match parameters {
        Some(_) => t(parameters, ql, "Parameters"),
        None => t(arguments, ql, "Arguments"),
    }
}

fn num(
    lit: &Option<NumberOrExpr>,
    path: &Option<String>,
    field: &str,
) -> Result<Option<Num>, String> {
    if let Some(p) = path {
        return Ok(Some(Num::Path(Path::parse(p).map_err(|e| e.to_string())?)));
    }
    Ok(match lit {
        None => None,
        Some(NumberOrExpr::Number(n)) => Some(Num::Value(serde_json::Value::Number(n.clone()))),
        Some(NumberOrExpr::Expr(e)) => Some(Num::Expr(Template::compile(
            &serde_json::Value::String(e.clone()),
            QueryLanguage::JSONata,
            field,
        )?)),
    })
}

pub(crate) fn compile_machine(m: &StateMachine) -> Result<Machine, String> {
    compile_states(&m.start_at, &m.states, m.query_language.unwrap_or_default())
}

fn compile_branch(b: &Branch, ql: QueryLanguage) -> Result<Arc<Machine>, String> {
    compile_states(&b.start_at, &b.states, ql).map(Arc::new)
}

fn compile_states(
    start_at: &str,
    states: &IndexMap<String, State>,
    parent_ql: QueryLanguage,
) -> Result<Machine, String> {
    let index = |name: &str| -> Result<usize, String> {
        states
            .get_index_of(name)
            .ok_or_else(|| format!("the state '{name}' does not exist"))
    };
    let next_of = |next: &Option<String>| next.as_deref().map(index).transpose();
    let mut nodes = Vec::with_capacity(states.len());
    for (name, state) in states {
        let err = |e: String| format!("state '{name}': {e}");
        let mut node = Node {
            name: name.clone(),
            language: parent_ql,
            kind: Kind::Succeed,
            next: None,
            input_path: None,
            output_path: None,
            result_path: None,
            parameters: None,
            result_selector: None,
            assign: None,
            output: None,
            retry: Vec::new(),
            catch: Vec::new(),
        };
        let catches = |catch: &Option<Vec<Catcher>>, ql| -> Result<Vec<CatchRule>, String> {
            catch
                .iter()
                .flatten()
                .map(|c| {
                    Ok(CatchRule {
                        catcher: c.clone(),
                        next: index(&c.next)?,
                        result_path: io::compile(&c.result_path, true)?,
                        assign: t(&c.assign, ql, "Assign")?,
                        output: t(&c.output, ql, "Output")?,
                    })
                })
                .collect()
        };
        macro_rules! common {
            ($s:expr) => {{
                node.language = $s.query_language.unwrap_or(parent_ql);
                node.input_path = io::compile(&$s.input_path, false).map_err(err)?;
                node.output_path = io::compile(&$s.output_path, false).map_err(err)?;
                node.output = t(&$s.output, node.language, "Output").map_err(err)?;
            }};
        }
        match state {
            State::Pass(s) => {
                common!(s);
                node.next = next_of(&s.next).map_err(err)?;
                node.result_path = io::compile(&s.result_path, true).map_err(err)?;
                node.parameters = t(&s.parameters, node.language, "Parameters").map_err(err)?;
                node.assign = t(&s.assign, node.language, "Assign").map_err(err)?;
                node.kind = Kind::Pass {
                    result: s.result.clone(),
                };
            }
            State::Task(s) => {
                common!(s);
                let ql = node.language;
                node.next = next_of(&s.next).map_err(err)?;
                node.result_path = io::compile(&s.result_path, true).map_err(err)?;
                node.parameters = params(&s.parameters, &s.arguments, ql).map_err(err)?;
                node.result_selector = t(&s.result_selector, ql, "ResultSelector").map_err(err)?;
                node.assign = t(&s.assign, ql, "Assign").map_err(err)?;
                node.retry = s.retry.clone().unwrap_or_default();
                node.catch = catches(&s.catch, ql).map_err(err)?;
                let resource = Resource::parse(&s.resource)
                    .ok_or_else(|| err(format!("unsupported resource '{}'", s.resource)))?;
                node.kind = Kind::Task {
                    resource,
                    arn: s.resource.clone(),
                    timeout: num(
                        &s.timeout_seconds,
                        &s.timeout_seconds_path,
                        "TimeoutSeconds",
                    )
                    .map_err(err)?,
                    heartbeat: num(
                        &s.heartbeat_seconds,
                        &s.heartbeat_seconds_path,
                        "HeartbeatSeconds",
                    )
                    .map_err(err)?,
                };
            }
            State::Choice(s) => {
                common!(s);
                let ql = node.language;
                node.assign = t(&s.assign, ql, "Assign").map_err(err)?;
                let mut branches = Vec::new();
                for rule in &s.choices {
                    let next = rule
                        .next
                        .as_deref()
                        .ok_or_else(|| err("a top-level Choice rule needs Next".into()))?;
                    branches.push(ChoiceBranch {
                        rule: choice::compile(rule).map_err(err)?,
                        next: index(next).map_err(err)?,
                        assign: t(&rule.assign, ql, "Assign").map_err(err)?,
                        output: t(&rule.output, ql, "Output").map_err(err)?,
                    });
                }
                node.kind = Kind::Choice {
                    branches,
                    default: next_of(&s.default).map_err(err)?,
                };
            }
            State::Wait(s) => {
                common!(s);
                let ql = node.language;
                node.next = next_of(&s.next).map_err(err)?;
                node.assign = t(&s.assign, ql, "Assign").map_err(err)?;
                let tmpl = |v: serde_json::Value, field: &str| {
                    Template::compile(&v, ql, field).map_err(err)
                };
                let path = |p: &str| Path::parse_reference(p).map_err(|e| err(e.to_string()));
                node.kind = Kind::Wait(
                    match (&s.seconds, &s.timestamp, &s.seconds_path, &s.timestamp_path) {
                        (Some(NumberOrExpr::Number(n)), ..) => {
                            WaitFor::Seconds(tmpl(serde_json::Value::Number(n.clone()), "Seconds")?)
                        }
                        (Some(NumberOrExpr::Expr(e)), ..) => {
                            WaitFor::Seconds(tmpl(e.clone().into(), "Seconds")?)
                        }
                        (_, Some(ts), ..) => {
                            WaitFor::Timestamp(tmpl(ts.clone().into(), "Timestamp")?)
                        }
                        (_, _, Some(p), _) => WaitFor::SecondsPath(path(p)?),
                        (_, _, _, Some(p)) => WaitFor::TimestampPath(path(p)?),
                        _ => return Err(err(
                            "a Wait state needs Seconds, Timestamp, SecondsPath or TimestampPath"
                                .into(),
                        )),
                    },
                );
            }
            State::Succeed(s) => {
                common!(s);
                node.kind = Kind::Succeed;
            }
            State::Fail(s) => {
                node.language = s.query_language.unwrap_or(parent_ql);
                let ql = node.language;
                let field = |lit: &Option<String>,
                             path: &Option<String>,
                             name: &str|
                 -> Result<FailField, String> {
                    Ok(match (lit, path) {
                        (_, Some(p)) => FailField::Path(p.clone()),
                        (Some(l), None) => {
                            FailField::Value(Template::compile(&l.clone().into(), ql, name)?)
                        }
                        (None, None) => FailField::Absent,
                    })
                };
                node.kind = Kind::Fail {
                    error: field(&s.error, &s.error_path, "Error").map_err(err)?,
                    cause: field(&s.cause, &s.cause_path, "Cause").map_err(err)?,
                };
            }
            State::Parallel(s) => {
                common!(s);
                let ql = node.language;
                node.next = next_of(&s.next).map_err(err)?;
                node.result_path = io::compile(&s.result_path, true).map_err(err)?;
                node.parameters = params(&s.parameters, &s.arguments, ql).map_err(err)?;
                node.result_selector = t(&s.result_selector, ql, "ResultSelector").map_err(err)?;
                node.assign = t(&s.assign, ql, "Assign").map_err(err)?;
                node.retry = s.retry.clone().unwrap_or_default();
                node.catch = catches(&s.catch, ql).map_err(err)?;
                node.kind = Kind::Parallel {
                    branches: s
                        .branches
                        .iter()
                        .map(|b| compile_branch(b, ql))
                        .collect::<Result<_, _>>()
                        .map_err(err)?,
                };
            }
            State::Map(s) => {
                common!(s);
                let ql = node.language;
                node.next = next_of(&s.next).map_err(err)?;
                node.result_path = io::compile(&s.result_path, true).map_err(err)?;
                node.result_selector = t(&s.result_selector, ql, "ResultSelector").map_err(err)?;
                node.assign = t(&s.assign, ql, "Assign").map_err(err)?;
                node.retry = s.retry.clone().unwrap_or_default();
                node.catch = catches(&s.catch, ql).map_err(err)?;
                let proc_def = s
                    .item_processor
                    .as_ref()
                    .or(s.iterator.as_ref())
                    .ok_or_else(|| err("a Map state needs an ItemProcessor".into()))?;
                let processor = compile_states(&proc_def.start_at, &proc_def.states, ql)
                    .map(Arc::new)
                    .map_err(err)?;
                let config = |k: &str| {
                    proc_def
                        .processor_config
                        .as_ref()
                        .and_then(|c| c.get(k))
                        .and_then(serde_json::Value::as_str)
                };
                let distributed = (config("Mode") == Some("DISTRIBUTED")).then(|| {
                    let mut definition = StateMachine::new(proc_def.start_at.clone());
                    definition.comment = proc_def.comment.clone();
                    definition.states = proc_def.states.clone();
                    definition.query_language =
                        (ql == QueryLanguage::JSONata).then_some(QueryLanguage::JSONata);
                    Arc::new(Distributed {
                        program: Arc::new(super::Program {
                            machine: processor.clone(),
                            definition,
                        }),
                        label: s.label.clone(),
                        express: config("ExecutionType") == Some("EXPRESS"),
                    })
                });
                node.kind = Kind::Map {
                    processor,
                    distributed,
                    items_path: s
                        .items_path
                        .as_deref()
                        .map(Path::parse_reference)
                        .transpose()
                        .map_err(|e| err(e.to_string()))?,
                    items: t(&s.items, ql, "Items").map_err(err)?,
                    item_selector: match &s.item_selector {
                        Some(_) => t(&s.item_selector, ql, "ItemSelector"),
                        None => t(&s.parameters, ql, "Parameters"),
                    }
                    .map_err(err)?,
                    max_concurrency: num(
                        &s.max_concurrency,
                        &s.max_concurrency_path,
                        "MaxConcurrency",
                    )
                    .map_err(err)?,
                    tolerated_count: num(
                        &s.tolerated_failure_count,
                        &s.tolerated_failure_count_path,
                        "ToleratedFailureCount",
                    )
                    .map_err(err)?,
                    tolerated_percentage: num(
                        &s.tolerated_failure_percentage,
                        &s.tolerated_failure_percentage_path,
                        "ToleratedFailurePercentage",
                    )
                    .map_err(err)?,
                };
            }
        }
        nodes.push(node);
    }
    Ok(Machine {
        start: index(start_at)?,
        states: nodes,
    })
}
