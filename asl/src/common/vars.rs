//! Workflow variables (`Assign`, `$name`).
//!
//! Top-level states share one scope; each Parallel branch and Map iteration gets a child scope
//! that can read the outer variables, while its own assignments stay inside it.

use std::sync::Arc;

use indexmap::IndexMap;
use serde_json::Value;

/// A variable scope.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    local: IndexMap<String, Value>,
    parent: Option<Arc<Vars>>,
}

impl Vars {
    /// A child scope reading `parent`.
    pub fn child(parent: Arc<Vars>) -> Self {
        Self {
            local: IndexMap::new(),
            parent: Some(parent),
        }
    }

    /// The value of `name`, looking outwards.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.local
            .get(name)
            .or_else(|| self.parent.as_deref().and_then(|p| p.get(name)))
    }

    /// Assigns in this scope.
    pub fn set(&mut self, name: String, value: Value) {
        self.local.insert(name, value);
    }

    /// Every visible variable, inner scopes winning.
    pub fn all(&self) -> IndexMap<String, Value> {
        let mut out = self.parent.as_deref().map(Vars::all).unwrap_or_default();
        for (k, v) in &self.local {
            out.insert(k.clone(), v.clone());
        }
        out
    }

    /// Whether no variable is visible.
    pub fn is_empty(&self) -> bool {
        self.local.is_empty() && self.parent.as_deref().is_none_or(Vars::is_empty)
    }
}
