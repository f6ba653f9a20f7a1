//! Static validation: valid definitions load; each invalid one reports the expected pointer.
//! Cases follow the kinds of definitions asl-validator and statelint reject (hand-written).

use kdaflow_asl::validate::validate;
use serde_json::{Value, json};

fn pointers(def: &Value) -> Vec<String> {
    match validate(def) {
        Ok(_) => Vec::new(),
        Err(ps) => ps.into_iter().map(|p| p.pointer).collect(),
    }
}

fn assert_problem(def: Value, pointer: &str, message_part: &str) {
    let problems = validate(&def).expect_err("the definition should be invalid");
    assert!(
        problems
            .iter()
            .any(|p| p.pointer == pointer && p.message.contains(message_part)),
        "expected a problem at {pointer} containing {message_part:?}, got {problems:#?}"
    );
}

fn one(state: Value) -> Value {
    json!({"StartAt": "S", "States": {"S": state}})
}

#[test]
fn valid_definitions_load() {
    let defs = [
        one(json!({"Type": "Succeed"})),
        json!({"Comment": "c", "Version": "1.0", "TimeoutSeconds": 10, "StartAt": "A", "States": {
            "A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f", "Payload.$": "$"},
                  "Retry": [{"ErrorEquals": ["Lambda.ServiceException"], "IntervalSeconds": 2, "MaxAttempts": 6, "BackoffRate": 2},
                            {"ErrorEquals": ["States.ALL"]}],
                  "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F", "ResultPath": "$.error"}], "Next": "M"},
            "M": {"Type": "Map", "ItemsPath": "$.items", "ItemSelector": {"i.$": "$$.Map.Item.Value"}, "MaxConcurrency": 2,
                  "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "In", "States": {"In": {"Type": "Pass", "End": true}}}, "Next": "P"},
            "P": {"Type": "Parallel", "Branches": [{"StartAt": "B1", "States": {"B1": {"Type": "Wait", "Seconds": 1, "End": true}}}], "Next": "C"},
            "C": {"Type": "Choice", "Choices": [{"Not": {"Variable": "$.x", "IsPresent": true}, "Next": "F"}], "Default": "Done"},
            "Done": {"Type": "Succeed"},
            "F": {"Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "States.Format('{}', $.x)"}}}),
        json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
            "A": {"Type": "Pass", "Output": {"x": "{% $states.input.a + 1 %}"}, "Assign": {"v": "{% 1 %}"}, "Next": "C"},
            "C": {"Type": "Choice", "Choices": [{"Condition": "{% $v = 1 %}", "Next": "D"}], "Default": "D"},
            "D": {"Type": "Succeed"}}}),
    ];
    for d in defs {
        let machine = validate(&d).unwrap_or_else(|e| panic!("{d}: {e:#?}"));
        assert_eq!(machine.to_json(), d, "round trip");
    }
}

#[test]
fn all_problems_are_reported_at_once() {
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "Missing", "Bogus": 1},
        "B": {"Type": "Task"},
        "C": {"Type": "Wait", "End": true}}});
    let p = pointers(&def);
    for want in [
        "/States/A/Next",
        "/States/A/Bogus",
        "/States/B",
        "/States/C",
    ] {
        assert!(p.iter().any(|x| x == want), "{want} not in {p:?}");
    }
    assert!(p.len() >= 5, "{p:?}");
}

#[test]
fn structural_rules() {
    assert_problem(json!({"States": {"S": {"Type": "Succeed"}}}), "", "StartAt");
    assert_problem(
        json!({"StartAt": "X", "States": {"S": {"Type": "Succeed"}}}),
        "/StartAt",
        "does not name",
    );
    assert_problem(json!({"StartAt": "S", "States": {}}), "/States", "empty");
    assert_problem(
        json!({"StartAt": "S", "States": {"S": {"Type": "Succeed"}}, "Extra": 1}),
        "/Extra",
        "unknown top-level",
    );
    assert_problem(one(json!({"Type": "Pass"})), "/States/S", "needs Next");
    assert_problem(
        json!({"StartAt": "S", "States": {"S": {"Type": "Pass", "Next": "T", "End": true}, "T": {"Type": "Succeed"}}}),
        "/States/S",
        "mutually exclusive",
    );
    assert_problem(
        one(json!({"Type": "Succeed", "Next": "S"})),
        "/States/S/Next",
        "not allowed",
    );
    assert_problem(
        one(json!({"Type": "Bogus"})),
        "/States/S/Type",
        "unknown state type",
    );
    assert_problem(
        one(json!({"Type": "Pass", "End": true, "Retry": []})),
        "/States/S/Retry",
        "not allowed",
    );
    assert_problem(
        one(json!({"Type": "Fail", "InputPath": "$"})),
        "/States/S/InputPath",
        "not allowed",
    );
    assert_problem(
        json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "B": {"Type": "Succeed"}}}),
        "/States/B",
        "unreachable",
    );
    assert_problem(
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A"}}}),
        "/States",
        "no terminal state",
    );
    let long = "x".repeat(81);
    assert_problem(
        json!({"StartAt": long, "States": {long.clone(): {"Type": "Succeed"}}}),
        &format!("/States/{long}"),
        "80 characters",
    );
}

#[test]
fn names_are_unique_machine_wide_and_transitions_stay_in_their_branch() {
    let def = json!({"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Next": "Done", "Branches": [
            {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "Next": "Outside"}}}]},
        "Done": {"Type": "Succeed"},
        "Outside": {"Type": "Succeed"}}});
    let problems = validate(&def).expect_err("invalid");
    assert!(
        problems.iter().any(|p| p.message.contains("unique")),
        "{problems:#?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.pointer == "/States/P/Branches/0/States/Done/Next"
                && p.message.contains("boundary")),
        "{problems:#?}"
    );
}

#[test]
fn paths_and_intrinsics_are_checked() {
    assert_problem(
        one(json!({"Type": "Pass", "End": true, "InputPath": "a.b"})),
        "/States/S/InputPath",
        "must start with '$'",
    );
    assert_problem(
        one(json!({"Type": "Pass", "End": true, "ResultPath": "$.a[*]"})),
        "/States/S/ResultPath",
        "reference path",
    );
    assert_problem(
        one(json!({"Type": "Pass", "End": true, "Parameters": {"a.$": "$.x["}})),
        "/States/S/Parameters/a.$",
        "",
    );
    assert_problem(
        one(json!({"Type": "Pass", "End": true, "Parameters": {"a.$": "States.Nope(1)"}})),
        "/States/S/Parameters/a.$",
        "unknown intrinsic",
    );
    assert_problem(
        one(json!({"Type": "Pass", "End": true, "Parameters": {"a.$": "States.Format('x'"}})),
        "/States/S/Parameters/a.$",
        "intrinsic",
    );
    assert_problem(
        one(json!({"Type": "Pass", "End": true, "Parameters": {"a.$": 3}})),
        "/States/S/Parameters/a.$",
        "must be a string",
    );
    assert_problem(
        one(json!({"Type": "Pass", "End": true, "Parameters": {"a.$": "plain"}})),
        "/States/S/Parameters/a.$",
        "neither",
    );
    assert_problem(
        one(json!({"Type": "Wait", "End": true, "SecondsPath": "$.a[?(@.x)]"})),
        "/States/S/SecondsPath",
        "reference path",
    );
    assert_problem(
        one(json!({"Type": "Pass", "End": true, "Assign": {"bad-name": 1}})),
        "/States/S/Assign/bad-name",
        "variable name",
    );
}

#[test]
fn retry_and_catch_rules() {
    let task = |extra: Value| {
        let mut t = json!({"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "End": true});
        t.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({"StartAt": "S", "States": {"S": t, "H": {"Type": "Succeed"}}})
    };
    assert_problem(
        task(json!({"Retry": [{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]}]})),
        "/States/S/Retry/0/ErrorEquals/0",
        "States.ALL",
    );
    assert_problem(
        task(json!({"Retry": [{"ErrorEquals": ["States.ALL", "X"]}]})),
        "/States/S/Retry/0/ErrorEquals/0",
        "alone",
    );
    assert_problem(
        task(json!({"Retry": [{"ErrorEquals": []}]})),
        "/States/S/Retry/0/ErrorEquals",
        "non-empty",
    );
    assert_problem(
        task(json!({"Retry": [{"ErrorEquals": ["X"], "BackoffRate": 0.5}]})),
        "/States/S/Retry/0/BackoffRate",
        "at least 1.0",
    );
    assert_problem(
        task(json!({"Retry": [{"ErrorEquals": ["X"], "IntervalSeconds": 0}]})),
        "/States/S/Retry/0/IntervalSeconds",
        "between",
    );
    assert_problem(
        task(json!({"Retry": [{"ErrorEquals": ["X"], "MaxDelaySeconds": 40000000}]})),
        "/States/S/Retry/0/MaxDelaySeconds",
        "between",
    );
    assert_problem(
        task(json!({"Retry": [{"ErrorEquals": ["X"], "JitterStrategy": "HALF"}]})),
        "/States/S/Retry/0/JitterStrategy",
        "FULL",
    );
    assert_problem(
        task(json!({"Retry": [{"ErrorEquals": ["States.Bogus"]}]})),
        "/States/S/Retry/0/ErrorEquals/0",
        "reserved",
    );
    assert_problem(
        task(json!({"Catch": [{"ErrorEquals": ["X"]}]})),
        "/States/S/Catch/0/Next",
        "needs Next",
    );
    assert_problem(
        task(json!({"Catch": [{"ErrorEquals": ["X"], "Next": "Nope"}]})),
        "/States/S/Catch/0/Next",
        "does not name",
    );
    assert_problem(
        task(json!({"TimeoutSeconds": 5, "HeartbeatSeconds": 5})),
        "/States/S/HeartbeatSeconds",
        "smaller",
    );
    assert_problem(
        task(json!({"TimeoutSeconds": 0})),
        "/States/S/TimeoutSeconds",
        "between",
    );
    assert!(
        pointers(&task(
            json!({"Catch": [{"ErrorEquals": ["X"], "Next": "H"}]})
        ))
        .is_empty()
    );
}

#[test]
fn choice_wait_map_rules() {
    let choice = |rule: Value| json!({"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [rule], "Default": "D"}, "D": {"Type": "Succeed"}}});
    assert_problem(
        choice(json!({"Variable": "$.a", "StringEquals": 1, "Next": "D"})),
        "/States/C/Choices/0/StringEquals",
        "takes a string",
    );
    assert_problem(
        choice(json!({"Variable": "$.a", "NumericEquals": "1", "Next": "D"})),
        "/States/C/Choices/0/NumericEquals",
        "takes a number",
    );
    assert_problem(
        choice(json!({"Variable": "$.a", "TimestampEquals": "yesterday", "Next": "D"})),
        "/States/C/Choices/0/TimestampEquals",
        "timestamp",
    );
    assert_problem(
        choice(json!({"Variable": "$.a", "StringEqualsPath": "nope", "Next": "D"})),
        "/States/C/Choices/0/StringEqualsPath",
        "a path",
    );
    assert_problem(
        choice(json!({"Variable": "$.a", "StringEquals": "x"})),
        "/States/C/Choices/0/Next",
        "needs Next",
    );
    assert_problem(
        choice(json!({"And": [{"Variable": "$.a", "IsNull": true, "Next": "D"}], "Next": "D"})),
        "/States/C/Choices/0/And/0/Next",
        "cannot have Next",
    );
    assert_problem(
        choice(json!({"And": [], "Next": "D"})),
        "/States/C/Choices/0/And",
        "non-empty",
    );
    assert_problem(
        choice(json!({"Variable": "$.a", "Next": "D"})),
        "/States/C/Choices/0",
        "exactly one",
    );
    assert_problem(
        json!({"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": []}}}),
        "/States/C/Choices",
        "non-empty",
    );
    assert_problem(
        one(json!({"Type": "Wait", "End": true})),
        "/States/S",
        "exactly one",
    );
    assert_problem(
        one(json!({"Type": "Wait", "End": true, "Seconds": 1, "SecondsPath": "$.s"})),
        "/States/S",
        "exactly one",
    );
    assert_problem(
        one(json!({"Type": "Wait", "End": true, "Timestamp": "2026-01-01"})),
        "/States/S/Timestamp",
        "RFC 3339",
    );
    assert_problem(
        one(json!({"Type": "Map", "End": true})),
        "/States/S",
        "ItemProcessor",
    );
    assert_problem(
        one(
            json!({"Type": "Map", "End": true, "ToleratedFailurePercentage": 150,
        "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}}}),
        ),
        "/States/S/ToleratedFailurePercentage",
        "between 0 and 100",
    );
    assert_problem(
        one(json!({"Type": "Map", "End": true,
        "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "Next": "Nope"}}}})),
        "/States/S/ItemProcessor/States/I/Next",
        "does not name",
    );
}

#[test]
fn query_language_rules() {
    assert_problem(
        json!({"QueryLanguage": "JSONata", "StartAt": "S", "States": {"S": {"Type": "Pass", "End": true, "Parameters": {}}}}),
        "/States/S/Parameters",
        "query language JSONata",
    );
    assert_problem(
        json!({"QueryLanguage": "JSONata", "StartAt": "S", "States": {"S": {"Type": "Pass", "End": true, "QueryLanguage": "JSONPath"}}}),
        "/States/S/QueryLanguage",
        "JSONPath state",
    );
    assert_problem(
        one(json!({"Type": "Pass", "End": true, "Output": {}})),
        "/States/S/Output",
        "query language JSONPath",
    );
    assert_problem(
        json!({"QueryLanguage": "JSONata", "StartAt": "S", "States": {"S": {"Type": "Pass", "End": true, "Output": "{% $states.input. %}"}}}),
        "/States/S/Output",
        "invalid JSONata",
    );
    assert_problem(
        json!({"QueryLanguage": "Python", "StartAt": "S", "States": {"S": {"Type": "Succeed"}}}),
        "/QueryLanguage",
        "JSONPath",
    );
    // A JSONata state inside a JSONPath machine is fine.
    assert!(
        pointers(&one(
            json!({"Type": "Pass", "End": true, "QueryLanguage": "JSONata", "Output": "{% 1 %}"})
        ))
        .is_empty()
    );
}
