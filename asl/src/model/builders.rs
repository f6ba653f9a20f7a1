//! Builder-style setters for the state types, so other crates can write machines in typed
//! Rust (see [`crate::model`]).

use serde_json::Value;

use super::{
    Branch, Catcher, ChoiceRule, ChoiceState, FailState, ItemProcessor, MapState, ParallelState,
    PassState, Retrier, SucceedState, TaskState, WaitState,
};

macro_rules! flow_builders {
    ($($t:ty),*) => {$(
        impl $t {
            /// Sets `Next`.
            pub fn next(mut self, next: impl Into<String>) -> Self {
                self.next = Some(next.into());
                self
            }
            /// Sets `End: true`.
            pub fn end(mut self) -> Self {
                self.end = Some(true);
                self
            }
        }
    )*};
}
flow_builders!(PassState, TaskState, WaitState, ParallelState, MapState);

macro_rules! io_builders {
    ($($t:ty),*) => {$(
        impl $t {
            /// Sets `InputPath` (`None` writes `null`).
            pub fn input_path(mut self, path: Option<&str>) -> Self {
                self.input_path = Some(path.map(str::to_owned));
                self
            }
            /// Sets `OutputPath` (`None` writes `null`).
            pub fn output_path(mut self, path: Option<&str>) -> Self {
                self.output_path = Some(path.map(str::to_owned));
                self
            }
        }
    )*};
}
io_builders!(
    PassState,
    TaskState,
    ChoiceState,
    WaitState,
    SucceedState,
    ParallelState,
    MapState
);

macro_rules! result_builders {
    ($($t:ty),*) => {$(
        impl $t {
            /// Sets `Parameters`.
            pub fn parameters(mut self, template: Value) -> Self {
                self.parameters = Some(template);
                self
            }
            /// Sets `ResultPath` (`None` writes `null`).
            pub fn result_path(mut self, path: Option<&str>) -> Self {
                self.result_path = Some(path.map(str::to_owned));
                self
            }
            /// Sets `Assign`.
            pub fn assign(mut self, assign: Value) -> Self {
                self.assign = Some(assign);
                self
            }
        }
    )*};
}
result_builders!(PassState, TaskState, ParallelState, MapState);

impl PassState {
    /// Sets `Result`.
    pub fn result(mut self, result: Value) -> Self {
        self.result = Some(result);
        self
    }
}

impl TaskState {
    /// A task on `resource`.
    pub fn new(resource: impl Into<String>) -> Self {
        Self {
            resource: resource.into(),
            ..Self::default()
        }
    }
    /// Appends a retrier.
    pub fn retry(mut self, retrier: Retrier) -> Self {
        self.retry.get_or_insert_with(Vec::new).push(retrier);
        self
    }
    /// Appends a catcher.
    pub fn catch(mut self, catcher: Catcher) -> Self {
        self.catch.get_or_insert_with(Vec::new).push(catcher);
        self
    }
    /// Sets `ResultSelector`.
    pub fn result_selector(mut self, template: Value) -> Self {
        self.result_selector = Some(template);
        self
    }
    /// Sets `TimeoutSeconds`.
    pub fn timeout_seconds(mut self, seconds: u64) -> Self {
        self.timeout_seconds = Some(seconds.into());
        self
    }
    /// Sets `HeartbeatSeconds`.
    pub fn heartbeat_seconds(mut self, seconds: u64) -> Self {
        self.heartbeat_seconds = Some(seconds.into());
        self
    }
}

impl ChoiceState {
    /// Appends a rule.
    pub fn choice(mut self, rule: ChoiceRule) -> Self {
        self.choices.push(rule);
        self
    }
    /// Sets `Default`.
    pub fn default_next(mut self, next: impl Into<String>) -> Self {
        self.default = Some(next.into());
        self
    }
}

impl WaitState {
    /// Waits a fixed number of seconds.
    pub fn seconds(seconds: u64) -> Self {
        Self {
            seconds: Some(seconds.into()),
            ..Self::default()
        }
    }
}

impl FailState {
    /// Fails with an error name and cause.
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        Self {
            error: Some(error.into()),
            cause: Some(cause.into()),
            ..Self::default()
        }
    }
}

impl ParallelState {
    /// Appends a branch.
    pub fn branch(mut self, branch: Branch) -> Self {
        self.branches.push(branch);
        self
    }
}

impl MapState {
    /// A Map with an inline `ItemProcessor`.
    pub fn inline(processor: Branch) -> Self {
        Self {
            item_processor: Some(ItemProcessor {
                comment: processor.comment,
                processor_config: None,
                start_at: processor.start_at,
                states: processor.states,
            }),
            ..Self::default()
        }
    }
    /// Sets `ItemsPath`.
    pub fn items_path(mut self, path: impl Into<String>) -> Self {
        self.items_path = Some(path.into());
        self
    }
    /// Sets `ItemSelector`.
    pub fn item_selector(mut self, template: Value) -> Self {
        self.item_selector = Some(template);
        self
    }
    /// Sets `MaxConcurrency`.
    pub fn max_concurrency(mut self, n: u64) -> Self {
        self.max_concurrency = Some(n.into());
        self
    }
}
