//! Which fields each state type may carry, per query language.

/// Fields every state may carry.
pub const COMMON: &[&str] = &["Type", "Comment", "QueryLanguage"];

/// Allowed fields (besides [`COMMON`]) of a state type in JSONPath (`jsonata == false`) or
/// JSONata mode. `None` for an unknown type.
pub fn allowed(state_type: &str, jsonata: bool) -> Option<&'static [&'static str]> {
    Some(match (state_type, jsonata) {
        ("Pass", false) => &[
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "Parameters",
            "Result",
            "ResultPath",
            "Assign",
        ],
        ("Pass", true) => &["Next", "End", "Output", "Assign"],
        ("Task", false) => &[
            "Resource",
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "Parameters",
            "ResultSelector",
            "ResultPath",
            "Retry",
            "Catch",
            "TimeoutSeconds",
            "TimeoutSecondsPath",
            "HeartbeatSeconds",
            "HeartbeatSecondsPath",
            "Credentials",
            "Assign",
        ],
        ("Task", true) => &[
            "Resource",
            "Next",
            "End",
            "Arguments",
            "Output",
            "Retry",
            "Catch",
            "TimeoutSeconds",
            "HeartbeatSeconds",
            "Credentials",
            "Assign",
        ],
        ("Choice", false) => &["Choices", "Default", "InputPath", "OutputPath", "Assign"],
        ("Choice", true) => &["Choices", "Default", "Output", "Assign"],
        ("Wait", false) => &[
            "Next",
            "End",
            "Seconds",
            "Timestamp",
            "SecondsPath",
            "TimestampPath",
            "InputPath",
            "OutputPath",
            "Assign",
        ],
        ("Wait", true) => &["Next", "End", "Seconds", "Timestamp", "Output", "Assign"],
        ("Succeed", false) => &["InputPath", "OutputPath"],
        ("Succeed", true) => &["Output"],
        ("Fail", false) => &["Error", "Cause", "ErrorPath", "CausePath"],
        ("Fail", true) => &["Error", "Cause"],
        ("Parallel", false) => &[
            "Branches",
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "Parameters",
            "ResultSelector",
            "ResultPath",
            "Retry",
            "Catch",
            "Assign",
        ],
        ("Parallel", true) => &[
            "Branches",
            "Next",
            "End",
            "Arguments",
            "Output",
            "Retry",
            "Catch",
            "Assign",
        ],
        ("Map", false) => &[
            "ItemProcessor",
            "Iterator",
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "ItemsPath",
            "ItemSelector",
            "Parameters",
            "ItemReader",
            "ItemBatcher",
            "ResultWriter",
            "MaxConcurrency",
            "MaxConcurrencyPath",
            "ToleratedFailureCount",
            "ToleratedFailureCountPath",
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
            "Label",
            "ResultSelector",
            "ResultPath",
            "Retry",
            "Catch",
            "Assign",
        ],
        ("Map", true) => &[
            "ItemProcessor",
            "Next",
            "End",
            "Items",
            "ItemSelector",
            "ItemReader",
            "ItemBatcher",
            "ResultWriter",
            "MaxConcurrency",
            "ToleratedFailureCount",
            "ToleratedFailurePercentage",
            "Label",
            "Output",
            "Assign",
            "Retry",
            "Catch",
        ],
        _ => return None,
    })
}

/// Every field of any state in either language (to tell "misplaced" from "unknown").
pub fn known_anywhere(field: &str) -> bool {
    [
        "Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map",
    ]
    .iter()
    .any(|t| {
        [false, true]
            .iter()
            .any(|j| allowed(t, *j).is_some_and(|f| f.contains(&field)))
    })
}

/// Allowed fields of a retrier.
pub const RETRIER: &[&str] = &[
    "ErrorEquals",
    "Comment",
    "IntervalSeconds",
    "MaxAttempts",
    "BackoffRate",
    "MaxDelaySeconds",
    "JitterStrategy",
];

/// Allowed fields of a catcher.
pub fn catcher(jsonata: bool) -> &'static [&'static str] {
    if jsonata {
        &["ErrorEquals", "Next", "Comment", "Output", "Assign"]
    } else {
        &["ErrorEquals", "Next", "Comment", "ResultPath", "Assign"]
    }
}
