//! The structural walk: machine, nested machines, states, transitions and reachability.

use std::collections::{HashMap, HashSet, VecDeque};

use serde_json::{Map, Value};

use super::rules;
use super::{Problem, fields, token};

pub(super) struct Checker {
    pub(super) problems: Vec<Problem>,
    /// Every state name and where it was first defined, for machine-wide uniqueness.
    names: HashMap<String, String>,
    /// Every state name of the definition, at any depth (collected before the walk).
    everywhere: HashSet<String>,
}

impl Checker {
    pub(super) fn report(&mut self, state: &str, pointer: &str, message: impl Into<String>) {
        self.problems.push(Problem::new(state, pointer, message));
    }
}

pub(super) fn check(def: &Value) -> Vec<Problem> {
    let mut c = Checker {
        problems: Vec::new(),
        names: HashMap::new(),
        everywhere: HashSet::new(),
    };
    collect_names(def, &mut c.everywhere);
    let Some(obj) = def.as_object() else {
        c.report("", "", "the definition must be a JSON object");
        return c.problems;
    };
    for k in obj.keys() {
        if ![
            "Comment",
            "StartAt",
            "States",
            "Version",
            "TimeoutSeconds",
            "QueryLanguage",
        ]
        .contains(&k.as_str())
        {
            c.report(
                "",
                &format!("/{}", token(k)),
                format!("unknown top-level field '{k}'"),
            );
        }
    }
    let jsonata = match obj.get("QueryLanguage") {
        None => false,
        Some(Value::String(s)) if s == "JSONPath" => false,
        Some(Value::String(s)) if s == "JSONata" => true,
        Some(v) => {
            c.report(
                "",
                "/QueryLanguage",
                format!("QueryLanguage must be \"JSONPath\" or \"JSONata\", got {v}"),
            );
            false
        }
    };
    if let Some(v) = obj.get("TimeoutSeconds")
        && v.as_u64().is_none_or(|n| n == 0 || n > 99_999_999)
    {
        c.report(
            "",
            "/TimeoutSeconds",
            "TimeoutSeconds must be a positive integer up to 99999999",
        );
    }
    if let Some(v) = obj.get("Version")
        && !v.is_string()
    {
        c.report("", "/Version", "Version must be a string");
    }
    if let Some(v) = obj.get("Comment")
        && !v.is_string()
    {
        c.report("", "/Comment", "Comment must be a string");
    }
    c.scope(obj, "", jsonata, jsonata);
    c.problems
}

impl Checker {
    /// Checks a machine or nested machine (`StartAt` + `States`).
    pub(super) fn scope(
        &mut self,
        obj: &Map<String, Value>,
        ptr: &str,
        jsonata: bool,
        machine_jsonata: bool,
    ) {
        let states = match obj.get("States") {
            Some(Value::Object(s)) if !s.is_empty() => s,
            Some(Value::Object(_)) => {
                self.report("", &format!("{ptr}/States"), "States must not be empty");
                return;
            }
            Some(_) => {
                self.report("", &format!("{ptr}/States"), "States must be an object");
                return;
            }
            None => {
                self.report("", ptr, "the required field 'States' is missing");
                return;
            }
        };
        let start = match obj.get("StartAt") {
            Some(Value::String(s)) => {
                if !states.contains_key(s) {
                    self.report(
                        "",
                        &format!("{ptr}/StartAt"),
                        format!("StartAt '{s}' does not name a state of this machine"),
                    );
                }
                Some(s.as_str())
            }
            Some(_) => {
                self.report("", &format!("{ptr}/StartAt"), "StartAt must be a string");
                None
            }
            None => {
                self.report("", ptr, "the required field 'StartAt' is missing");
                None
            }
        };
        let names: HashSet<&str> = states.keys().map(String::as_str).collect();
        let mut edges: HashMap<&str, Vec<String>> = HashMap::new();
        let mut terminal = false;
        for (name, state) in states {
            let sptr = format!("{ptr}/States/{}", token(name));
            if let Some(first) = self.names.get(name) {
                self.report(name, &sptr, format!("state names must be unique across the whole machine; '{name}' is also defined at {first}"));
            } else {
                self.names.insert(name.clone(), sptr.clone());
            }
            if name.chars().count() > 80 {
                self.report(name, &sptr, "state names must be at most 80 characters");
            }
            let (targets, is_terminal) = self.state(name, state, &sptr, jsonata, machine_jsonata);
            terminal |= is_terminal;
            for (target, tptr) in &targets {
                if !names.contains(target.as_str()) {
                    let msg = if self.is_elsewhere(target) {
                        format!(
                            "the transition to '{target}' crosses a Parallel branch or Map processor boundary"
                        )
                    } else {
                        format!(
                            "the transition target '{target}' does not name a state of this machine"
                        )
                    };
                    self.report(name, tptr, msg);
                }
            }
            edges.insert(name, targets.into_iter().map(|(t, _)| t).collect());
        }
        if !terminal {
            self.report(
                "",
                &format!("{ptr}/States"),
                "no terminal state: add a Succeed or Fail state or \"End\": true",
            );
        }
        if let Some(start) = start.filter(|s| names.contains(s)) {
            let mut seen: HashSet<&str> = HashSet::from([start]);
            let mut queue = VecDeque::from([start]);
            while let Some(s) = queue.pop_front() {
                for t in edges.get(s).into_iter().flatten() {
                    if let Some(t) = names.get(t.as_str())
                        && seen.insert(t)
                    {
                        queue.push_back(t);
                    }
                }
            }
            for name in states.keys() {
                if !seen.contains(name.as_str()) {
                    self.report(
                        name,
                        &format!("{ptr}/States/{}", token(name)),
                        format!("the state '{name}' is unreachable from StartAt"),
                    );
                }
            }
        }
    }

    fn is_elsewhere(&self, target: &str) -> bool {
        self.everywhere.contains(target)
    }

    /// Checks one state; returns its transition targets (with pointers) and whether it ends
    /// its machine.
    fn state(
        &mut self,
        name: &str,
        state: &Value,
        ptr: &str,
        parent_jsonata: bool,
        machine_jsonata: bool,
    ) -> (Vec<(String, String)>, bool) {
        let mut targets = Vec::new();
        let Some(obj) = state.as_object() else {
            self.report(name, ptr, "a state must be an object");
            return (targets, true);
        };
        let jsonata = match obj.get("QueryLanguage") {
            None => parent_jsonata,
            Some(Value::String(s)) if s == "JSONata" => true,
            Some(Value::String(s)) if s == "JSONPath" => {
                if machine_jsonata {
                    self.report(
                        name,
                        &format!("{ptr}/QueryLanguage"),
                        "a JSONPath state cannot appear in a JSONata state machine",
                    );
                }
                false
            }
            Some(v) => {
                self.report(
                    name,
                    &format!("{ptr}/QueryLanguage"),
                    format!("QueryLanguage must be \"JSONPath\" or \"JSONata\", got {v}"),
                );
                parent_jsonata
            }
        };
        let ty = match obj.get("Type") {
            Some(Value::String(t)) => t.as_str(),
            _ => {
                self.report(
                    name,
                    &format!("{ptr}/Type"),
                    "the required field 'Type' is missing or not a string",
                );
                return (targets, true);
            }
        };
        let Some(allowed) = fields::allowed(ty, jsonata) else {
            self.report(
                name,
                &format!("{ptr}/Type"),
                format!("unknown state type '{ty}'"),
            );
            return (targets, true);
        };
        for k in obj.keys() {
            if fields::COMMON.contains(&k.as_str()) || allowed.contains(&k.as_str()) {
                continue;
            }
            let msg = if fields::known_anywhere(k) {
                let lang = if jsonata { "JSONata" } else { "JSONPath" };
                format!("the field '{k}' is not allowed in a {ty} state with query language {lang}")
            } else {
                format!("unknown field '{k}'")
            };
            self.report(name, &format!("{ptr}/{}", token(k)), msg);
        }
        if let Some(c) = obj.get("Comment")
            && !c.is_string()
        {
            self.report(name, &format!("{ptr}/Comment"), "Comment must be a string");
        }
        // Next / End.
        let flow = !matches!(ty, "Choice" | "Succeed" | "Fail");
        let next = obj.get("Next");
        let end = obj.get("End");
        let mut terminal = matches!(ty, "Succeed" | "Fail");
        if flow {
            match (next, end) {
                (Some(_), Some(_)) => self.report(name, ptr, "Next and End are mutually exclusive"),
                (None, None) => self.report(
                    name,
                    ptr,
                    "a non-terminal state needs Next, or \"End\": true",
                ),
                (None, Some(Value::Bool(true))) => terminal = true,
                (None, Some(_)) => self.report(
                    name,
                    &format!("{ptr}/End"),
                    "End must be true (or be left out)",
                ),
                (Some(Value::String(n)), None) => targets.push((n.clone(), format!("{ptr}/Next"))),
                (Some(_), None) => {
                    self.report(name, &format!("{ptr}/Next"), "Next must be a string")
                }
            }
        }
        let ctx = rules::StateCtx {
            name,
            ptr,
            jsonata,
            obj,
        };
        rules::check_io(self, &ctx);
        match ty {
            "Task" => rules::check_task(self, &ctx),
            "Choice" => super::choice::check_choice(self, &ctx, &mut targets),
            "Wait" => rules::check_wait(self, &ctx),
            "Fail" => rules::check_fail(self, &ctx),
            "Pass" => {}
            "Succeed" => {}
            "Parallel" => match obj.get("Branches") {
                Some(Value::Array(bs)) if !bs.is_empty() => {
                    for (i, b) in bs.iter().enumerate() {
                        let bptr = format!("{ptr}/Branches/{i}");
                        match b.as_object() {
                            Some(bo) => {
                                for k in bo.keys() {
                                    if !["StartAt", "States", "Comment"].contains(&k.as_str()) {
                                        self.report(
                                            name,
                                            &format!("{bptr}/{}", token(k)),
                                            format!("unknown field '{k}' in a branch"),
                                        );
                                    }
                                }
                                self.scope(bo, &bptr, jsonata, machine_jsonata);
                            }
                            None => self.report(name, &bptr, "a branch must be an object"),
                        }
                    }
                }
                _ => self.report(
                    name,
                    &format!("{ptr}/Branches"),
                    "Branches must be a non-empty array",
                ),
            },
            "Map" => rules::check_map(self, &ctx, machine_jsonata),
            _ => {}
        }
        if matches!(ty, "Task" | "Parallel" | "Map") {
            rules::check_retry_catch(self, &ctx, &mut targets);
        }
        (targets, terminal)
    }
}

/// Collects state names at every depth.
fn collect_names(machine: &Value, out: &mut HashSet<String>) {
    let Some(states) = machine.get("States").and_then(Value::as_object) else {
        return;
    };
    for (name, state) in states {
        out.insert(name.clone());
        if let Some(bs) = state.get("Branches").and_then(Value::as_array) {
            bs.iter().for_each(|b| collect_names(b, out));
        }
        for k in ["ItemProcessor", "Iterator"] {
            if let Some(p) = state.get(k) {
                collect_names(p, out);
            }
        }
    }
}
