//! Output processing after a state's work: JSONPath ResultSelector -> Assign -> ResultPath ->
//! OutputPath, or JSONata Assign and Output; and the catcher path.

use indexmap::IndexMap;
use serde_json::Value;

use super::Execution;
use super::driver::{Exit, Halt, Lane, StateInfo};
use super::program::{CatchRule, Node};
use crate::common::{Scope, Template, io};
use crate::error::StatesError;
use crate::model::QueryLanguage;

impl Execution {
    /// Output processing of Pass (JSONata), Choice, Wait and Succeed: the output is the
    /// effective input after `OutputPath` (or JSONata `Output`, default the input); `Assign`
    /// sees the effective input.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn finish_simple(
        &self,
        node: &Node,
        lane: &Lane,
        raw: &Value,
        effective: Value,
        next: Option<usize>,
        rule: Option<(Option<&Template>, Option<&Template>)>,
        info: &StateInfo<'_>,
    ) -> Result<Exit, Halt> {
        let ctx = || self.context_without_input(info);
        if node.language == QueryLanguage::JSONata {
            let states = self.states_var(raw, info, None);
            let scope = self.scope(raw, &ctx, &lane.vars, Some(&states));
            let mut assigned = self.eval_assign(&node.assign, &scope)?;
            let (rule_assign, rule_output) = rule.unwrap_or((None, None));
            if let Some(more) = self.eval_assign(&rule_assign.cloned(), &scope)? {
                assigned.get_or_insert_with(IndexMap::new).extend(more);
            }
            let output = match rule_output.or(node.output.as_ref()) {
                Some(t) => t.eval(&scope)?,
                None => effective,
            };
            return Ok(Exit {
                output,
                next,
                assigned,
            });
        }
        let scope = self.scope(&effective, &ctx, &lane.vars, None);
        let mut assigned = self.eval_assign(&node.assign, &scope)?;
        if let Some((Some(a), _)) = rule
            && let Some(more) = self.eval_assign(&Some(a.clone()), &scope)?
        {
            assigned.get_or_insert_with(IndexMap::new).extend(more);
        }
        let output = io::select(&node.output_path, &scope)?;
        Ok(Exit {
            output,
            next,
            assigned,
        })
    }

    pub(crate) fn finish_task_like(
        &self,
        node: &Node,
        lane: &Lane,
        raw: &Value,
        result: Value,
        info: &StateInfo<'_>,
    ) -> Result<Exit, StatesError> {
        let ctx = || self.context_without_input(info);
        if node.language == QueryLanguage::JSONata {
            let states = self.states_var(raw, info, Some(("result", &result)));
            let scope = self.scope(raw, &ctx, &lane.vars, Some(&states));
            let assigned = self.eval_assign(&node.assign, &scope)?;
            let output = match &node.output {
                Some(t) => t.eval(&scope)?,
                None => result,
            };
            return Ok(Exit {
                output,
                next: node.next,
                assigned,
            });
        }
        let scope = self.scope(&result, &ctx, &lane.vars, None);
        let selected = match &node.result_selector {
            Some(t) => t.eval(&scope)?,
            None => result.clone(),
        };
        let assigned = self.eval_assign(
            &node.assign,
            &Scope {
                input: &selected,
                ..scope
            },
        )?;
        let out = io::result_path(&node.result_path, raw, selected)?;
        let output = io::select(
            &node.output_path,
            &Scope {
                input: &out,
                ..scope
            },
        )?;
        Ok(Exit {
            output,
            next: node.next,
            assigned,
        })
    }

    /// A catcher fired: `ResultPath` applies to the raw input and `OutputPath` is skipped
    /// (AWS-recorded).
    pub(crate) fn caught(
        &self,
        node: &Node,
        rule: &CatchRule,
        lane: &Lane,
        raw: &Value,
        e: StatesError,
        info: &StateInfo<'_>,
    ) -> Result<Exit, Halt> {
        let error_output = e.to_error_output();
        let ctx = || self.context_without_input(info);
        if node.language == QueryLanguage::JSONata {
            let states = self.states_var(raw, info, Some(("errorOutput", &error_output)));
            let scope = self.scope(raw, &ctx, &lane.vars, Some(&states));
            let assigned = self.eval_assign(&rule.assign, &scope)?;
            let output = match &rule.output {
                Some(t) => t.eval(&scope)?,
                None => error_output,
            };
            return Ok(Exit {
                output,
                next: Some(rule.next),
                assigned,
            });
        }
        let scope = self.scope(&error_output, &ctx, &lane.vars, None);
        let assigned = self.eval_assign(&rule.assign, &scope)?;
        let output = io::result_path(&rule.result_path, raw, error_output)?;
        Ok(Exit {
            output,
            next: Some(rule.next),
            assigned,
        })
    }
}
