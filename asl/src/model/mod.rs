//! The typed model of the States Language.
//!
//! Every type round-trips through serde: a valid definition loads and writes back as the same
//! JSON value. Optional fields are `Option`s that are omitted when `None`; the path fields whose
//! explicit `null` means something (`InputPath`, `OutputPath`, `ResultPath`) are
//! [`NullablePath`]s so that "absent" and `null` stay different. Numbers whose JSON spelling
//! matters (`BackoffRate: 2` vs `2.0`) are kept as [`serde_json::Number`].
//!
//! Build a machine in Rust with the constructors:
//!
//! ```
//! use kdaflow_asl::model::{StateMachine, State, PassState, SucceedState};
//! let machine = StateMachine::new("Hello")
//!     .with_state("Hello", State::Pass(PassState::default().result(serde_json::json!({"hi": 1})).next("Done")))
//!     .with_state("Done", State::Succeed(SucceedState::default()));
//! let json = machine.to_json();
//! assert_eq!(json["StartAt"], "Hello");
//! ```

mod builders;
mod choice;
mod retry;
mod state;

pub use choice::{ChoiceRule, Comparison, Operator};
pub use retry::{
    Catcher, DEFAULT_BACKOFF_RATE, DEFAULT_INTERVAL_SECONDS, DEFAULT_MAX_ATTEMPTS, JitterStrategy,
    Retrier,
};
pub use state::{
    ChoiceState, FailState, ItemProcessor, MapState, ParallelState, PassState, State, SucceedState,
    TaskState, WaitState,
};

use indexmap::IndexMap;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// The query language of a machine or state (`QueryLanguage`; absent means JSONPath, or the
/// machine's language for a state).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum QueryLanguage {
    /// JSONPath with payload templates and intrinsic functions (the default).
    #[default]
    JSONPath,
    /// JSONata expressions in `{% %}`.
    JSONata,
}

/// A whole state machine definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StateMachine {
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Query language for every state that does not set its own (absent: JSONPath).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_language: Option<QueryLanguage>,
    /// Name of the first state.
    pub start_at: String,
    /// The states, in definition order.
    pub states: IndexMap<String, State>,
    /// States Language version (absent: "1.0").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Execution timeout in seconds (absent: none besides the service maximum).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u64>,
}

/// A nested machine: a Parallel branch or a Map's `ItemProcessor`/`Iterator`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Branch {
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Name of the first state of the branch.
    pub start_at: String,
    /// The branch's states.
    pub states: IndexMap<String, State>,
}

impl StateMachine {
    /// A machine that starts at `start_at` and has no states yet.
    pub fn new(start_at: impl Into<String>) -> Self {
        Self {
            comment: None,
            query_language: None,
            start_at: start_at.into(),
            states: IndexMap::new(),
            version: None,
            timeout_seconds: None,
        }
    }

    /// Adds (or replaces) a state.
    pub fn with_state(mut self, name: impl Into<String>, state: State) -> Self {
        self.states.insert(name.into(), state);
        self
    }

    /// Sets `Comment`.
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }

    /// Sets `TimeoutSeconds`.
    pub fn timeout_seconds(mut self, seconds: u64) -> Self {
        self.timeout_seconds = Some(seconds);
        self
    }

    /// Sets `QueryLanguage`.
    pub fn query_language(mut self, language: QueryLanguage) -> Self {
        self.query_language = Some(language);
        self
    }

    /// The definition as a JSON value.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The definition as pretty JSON text.
    pub fn to_json_string_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Parses a definition without validating it (see [`crate::validate()`] for that).
    pub fn from_json(value: &Value) -> Result<Self, serde_json::Error> {
        Self::deserialize(value)
    }
}

impl Branch {
    /// A branch that starts at `start_at` and has no states yet.
    pub fn new(start_at: impl Into<String>) -> Self {
        Self {
            comment: None,
            start_at: start_at.into(),
            states: IndexMap::new(),
        }
    }

    /// Adds (or replaces) a state.
    pub fn with_state(mut self, name: impl Into<String>, state: State) -> Self {
        self.states.insert(name.into(), state);
        self
    }
}

/// A path field where an explicit JSON `null` differs from absence: `None` is absent,
/// `Some(None)` is `null`, `Some(Some(path))` a path.
pub type NullablePath = Option<Option<String>>;

/// A number, or in JSONata states a `{% %}` expression producing one (e.g. `Seconds`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NumberOrExpr {
    /// A literal number, kept exactly as written.
    Number(serde_json::Number),
    /// A JSONata expression.
    Expr(String),
}

impl From<u64> for NumberOrExpr {
    fn from(n: u64) -> Self {
        Self::Number(n.into())
    }
}

/// Serde helper: keeps `null` apart from absent for [`NullablePath`] fields.
pub(crate) fn nullable<'de, D>(d: D) -> Result<NullablePath, D::Error>
where
    D: Deserializer<'de>,
{
    Option::<String>::deserialize(d).map(Some)
}

/// Serde helper: an optional JSON value whose explicit `null` is kept as `Some(Value::Null)`.
pub(crate) fn nullable_value<'de, D>(d: D) -> Result<Option<Value>, D::Error>
where
    D: Deserializer<'de>,
{
    Value::deserialize(d).map(Some)
}
