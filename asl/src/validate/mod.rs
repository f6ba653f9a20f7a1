//! Static validation in the spirit of `ValidateStateMachineDefinition`.
//!
//! Every problem names its state and the JSON pointer of the offending field, and all problems
//! are reported at once:
//!
//! ```
//! use kdaflow_asl::validate::validate;
//! let def = serde_json::json!({"StartAt": "A", "States": {
//!     "A": {"Type": "Pass", "Next": "Nowhere", "Bogus": 1},
//!     "B": {"Type": "Succeed"}}});
//! let problems = validate(&def).unwrap_err();
//! assert!(problems.iter().any(|p| p.pointer == "/States/A/Next"));
//! assert!(problems.iter().any(|p| p.pointer == "/States/A/Bogus"));
//! assert!(problems.iter().any(|p| p.pointer == "/States/B" && p.message.contains("unreachable")));
//! ```

mod choice;
mod fields;
mod rules;
mod walk;

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::model::StateMachine;

/// One validation problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The state concerned (empty for machine-level problems).
    pub state: String,
    /// JSON pointer of the offending field.
    pub pointer: String,
    /// What is wrong, and what to do.
    pub message: String,
}

impl Problem {
    /// A problem.
    pub fn new(
        state: impl Into<String>,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            state: state.into(),
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        if self.state.is_empty() {
            write!(f, "{pointer}: {}", self.message)
        } else {
            write!(f, "{pointer} (state '{}'): {}", self.state, self.message)
        }
    }
}

/// Validates a definition and returns its typed model, or every problem found.
pub fn validate(definition: &Value) -> Result<StateMachine, Vec<Problem>> {
    let mut problems = walk::check(definition);
    if problems.is_empty() {
        match StateMachine::from_json(definition) {
            Ok(m) => return Ok(m),
            Err(e) => problems.push(Problem::new(
                "",
                "",
                format!("the definition does not match the States Language: {e}"),
            )),
        }
    }
    Err(problems)
}

/// Escapes a JSON pointer token (RFC 6901).
pub(crate) fn token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}
