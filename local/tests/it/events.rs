//! The EventBridge service through `aws-sdk-eventbridge`: rules, targets, PutEvents starting a
//! Lambda-task state machine through an InputTransformer, TestEventPattern errors.

use std::sync::atomic::Ordering;

use aws_sdk_eventbridge as eb;
use eb::config::{BehaviorVersion, Credentials, Region};
use eb::types::{InputTransformer, PutEventsRequestEntry, RuleState, Target};
use serde_json::{Value, json};

use crate::states::{counting_function, create, sfn_client, two_tasks};
use crate::support::{Harness, code, message};

/// An EventBridge client for `endpoint`, no retries.
pub fn eb_client(endpoint: &str) -> eb::Client {
    let config = eb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .retry_config(eb::config::retry::RetryConfig::disabled())
        .build();
    eb::Client::from_conf(config)
}

const PATTERN: &str = r#"{"source": ["kdaflow.prerequisites"], "detail-type": ["Stack Ready"], "detail": {"status": [{"prefix": "CREATE_"}]}}"#;

#[tokio::test]
async fn rules_and_their_errors() {
    let h = Harness::new().await;
    let c = eb_client(&h.running.endpoint_url());
    let out = c
        .put_rule()
        .name("r1")
        .event_pattern(PATTERN)
        .description("d")
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.rule_arn.as_deref(),
        Some("arn:aws:events:us-east-1:000000000000:rule/r1")
    );
    let d = c.describe_rule().name("r1").send().await.unwrap();
    assert_eq!(d.state, Some(RuleState::Enabled));
    assert_eq!(d.event_pattern.as_deref(), Some(PATTERN));
    assert_eq!(d.event_bus_name.as_deref(), Some("default"));

    c.disable_rule().name("r1").send().await.unwrap();
    let d = c.describe_rule().name("r1").send().await.unwrap();
    assert_eq!(d.state, Some(RuleState::Disabled));
    c.enable_rule().name("r1").send().await.unwrap();

    let e = c
        .put_rule()
        .name("bad")
        .event_pattern(r#"{"source": []}"#)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidEventPatternException");
    assert!(
        message(&e).contains("Empty arrays are not allowed"),
        "{}",
        message(&e)
    );
    // PutRule refuses an `$or` that expands past 1,000 combinations, and stores nothing.
    let alternatives = |k: &str| {
        let list: Vec<String> = (0..11).map(|i| format!(r#"{{"{k}{i}": ["v"]}}"#)).collect();
        format!(r#"{{"$or": [{}]}}"#, list.join(","))
    };
    let big = format!(
        r#"{{"a": {}, "b": {}, "c": {}}}"#,
        alternatives("x"),
        alternatives("y"),
        alternatives("z")
    );
    let e = c
        .put_rule()
        .name("too-many")
        .event_pattern(big)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidEventPatternException");
    assert!(message(&e).contains("1331 combinations"), "{}", message(&e));
    let e = c.describe_rule().name("too-many").send().await.unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundException");
    let e = c.put_rule().name("neither").send().await.unwrap_err();
    assert_eq!(code(&e), "ValidationException");
    let e = c
        .put_rule()
        .name("bad name!")
        .event_pattern(PATTERN)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ValidationException");
    // Every violation at once, in the front end's wording.
    let e = c
        .put_rule()
        .name("x".repeat(65))
        .event_pattern(PATTERN)
        .state(RuleState::from("SOMETIMES"))
        .description("d".repeat(513))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ValidationException");
    let m = message(&e);
    assert!(m.starts_with("3 validation errors detected: "), "{m}");
    for part in [
        "at 'name' failed to satisfy constraint: Member must have length less than or equal to 64",
        "Value 'SOMETIMES' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]",
        "at 'description' failed to satisfy constraint: Member must have length less than or equal to 512",
    ] {
        assert!(m.contains(part), "{part} in {m}");
    }
    let e = c
        .put_targets()
        .rule("r1")
        .targets(
            aws_sdk_eventbridge::types::Target::builder()
                .id("bad id")
                .arn("")
                .build()
                .unwrap(),
        )
        .targets(
            aws_sdk_eventbridge::types::Target::builder()
                .id("")
                .arn("x")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    let m = message(&e);
    assert!(m.starts_with("3 validation errors detected: "), "{m}");
    for part in [
        "Value 'bad id' at 'targets.1.member.id' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+",
        "Value '' at 'targets.1.member.arn' failed to satisfy constraint: Member must have length greater than or equal to 1",
        "Value '' at 'targets.2.member.id' failed to satisfy constraint: Member must have length greater than or equal to 1",
    ] {
        assert!(m.contains(part), "{part} in {m}");
    }
    let e = c
        .put_rule()
        .name("other-bus")
        .event_pattern(PATTERN)
        .event_bus_name("custom")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundException");
    c.put_rule()
        .name("scheduled")
        .schedule_expression("rate(5 minutes)")
        .send()
        .await
        .unwrap();
    let missing = c.describe_rule().name("nope").send().await.unwrap_err();
    assert_eq!(code(&missing), "ResourceNotFoundException");
    let e = c.enable_rule().name("nope").send().await.unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundException");

    // ListRules: prefix and pages.
    for i in 0..3 {
        c.put_rule()
            .name(format!("page-{i}"))
            .event_pattern(PATTERN)
            .send()
            .await
            .unwrap();
    }
    let p1 = c
        .list_rules()
        .name_prefix("page-")
        .limit(2)
        .send()
        .await
        .unwrap();
    assert_eq!(p1.rules().len(), 2);
    let p2 = c
        .list_rules()
        .name_prefix("page-")
        .limit(2)
        .next_token(p1.next_token.unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(p2.rules().len(), 1);
    assert!(p2.next_token.is_none());
    let all = c.list_rules().send().await.unwrap();
    assert_eq!(all.rules().len(), 5);

    // Targets: failed entries, validation, removal; a rule with targets cannot be deleted.
    let e = c
        .put_targets()
        .rule("nope")
        .targets(
            Target::builder()
                .id("t")
                .arn("arn:aws:states:us-east-1:000000000000:stateMachine:M")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundException");
    let out = c
        .put_targets()
        .rule("r1")
        .targets(
            Target::builder()
                .id("sm")
                .arn("arn:aws:states:us-east-1:000000000000:stateMachine:M")
                .build()
                .unwrap(),
        )
        .targets(
            Target::builder()
                .id("queue")
                .arn("arn:aws:sqs:us-east-1:000000000000:q")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(out.failed_entry_count, 1);
    assert_eq!(out.failed_entries()[0].target_id.as_deref(), Some("queue"));
    let e = c
        .put_targets()
        .rule("r1")
        .targets(
            Target::builder()
                .id("both")
                .arn("arn:aws:states:us-east-1:000000000000:stateMachine:M")
                .input("{}")
                .input_path("$.detail")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ValidationException");
    let e = c
        .put_targets()
        .rule("r1")
        .targets(
            Target::builder()
                .id("badjson")
                .arn("arn:aws:states:us-east-1:000000000000:stateMachine:M")
                .input("{nope")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ValidationException");
    let listed = c.list_targets_by_rule().rule("r1").send().await.unwrap();
    assert_eq!(listed.targets().len(), 1);
    assert_eq!(listed.targets()[0].id, "sm");
    let e = c.delete_rule().name("r1").send().await.unwrap_err();
    assert_eq!(code(&e), "ValidationException");
    let removed = c
        .remove_targets()
        .rule("r1")
        .ids("sm")
        .send()
        .await
        .unwrap();
    assert_eq!(removed.failed_entry_count, 0);
    assert!(
        c.list_targets_by_rule()
            .rule("r1")
            .send()
            .await
            .unwrap()
            .targets()
            .is_empty()
    );
    c.delete_rule().name("r1").send().await.unwrap();
    let e = c.describe_rule().name("r1").send().await.unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundException");
}

#[tokio::test]
async fn put_events_starts_state_machines_through_an_input_transformer() {
    let h = Harness::new().await;
    let a = counting_function(h.twin(), "A");
    let b = counting_function(h.twin(), "B");
    let s = sfn_client(&h.running.endpoint_url());
    let machine = create(&s, "Bootstrap", &two_tasks(), eb_sfn_standard()).await;
    let c = eb_client(&h.running.endpoint_url());
    c.put_rule()
        .name("ready")
        .event_pattern(PATTERN)
        .send()
        .await
        .unwrap();
    let transformer = InputTransformer::builder()
        .input_paths_map("stack", "$.detail.stack")
        .input_paths_map("status", "$.detail.status")
        .input_paths_map("size", "$.detail.size")
        .input_template(r#"{"stack": <stack>, "size": <size>, "note": "stack <stack> is <status>", "rule": <aws.events.rule-name>}"#)
        .build()
        .unwrap();
    let put = c
        .put_targets()
        .rule("ready")
        .targets(
            Target::builder()
                .id("bootstrap")
                .arn(&machine)
                .role_arn("arn:aws:iam::000000000000:role/EventsToStates")
                .input_transformer(transformer)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(put.failed_entry_count, 0);
    // A disabled rule with a plain target must not fire.
    c.put_rule()
        .name("disabled")
        .event_pattern(PATTERN)
        .state(RuleState::Disabled)
        .send()
        .await
        .unwrap();
    c.put_targets()
        .rule("disabled")
        .targets(Target::builder().id("t").arn(&machine).build().unwrap())
        .send()
        .await
        .unwrap();

    let entry = |detail: Value| {
        PutEventsRequestEntry::builder()
            .source("kdaflow.prerequisites")
            .detail_type("Stack Ready")
            .detail(detail.to_string())
            .build()
    };
    let out = c
        .put_events()
        .entries(entry(
            json!({"stack": "prereqs", "status": "CREATE_COMPLETE", "size": 3}),
        ))
        .entries(entry(
            json!({"stack": "other", "status": "DELETE_COMPLETE"}),
        ))
        .entries(
            PutEventsRequestEntry::builder()
                .source("s")
                .detail_type("t")
                .build(),
        )
        .entries(
            PutEventsRequestEntry::builder()
                .source("s")
                .detail_type("t")
                .detail("[1]")
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(out.failed_entry_count, 2);
    let results = out.entries();
    assert!(results[0].event_id.is_some() && results[1].event_id.is_some());
    assert_eq!(results[2].error_code.as_deref(), Some("InvalidArgument"));
    assert_eq!(results[3].error_code.as_deref(), Some("MalformedDetail"));

    // Exactly one execution: the matching event through the enabled rule.
    let listed = s
        .list_executions()
        .state_machine_arn(&machine)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.executions.len(), 1);
    let arn = &listed.executions[0].execution_arn;
    let d = h.twin().states().wait(arn).await.unwrap();
    assert_eq!(d.status, kdaflow_local::states::Status::Succeeded, "{d:?}");
    let input: Value = serde_json::from_str(&d.input).unwrap();
    assert_eq!(
        input,
        json!({"stack": "prereqs", "size": 3, "note": "stack prereqs is CREATE_COMPLETE", "rule": "ready"})
    );
    let output: Value = serde_json::from_str(d.output.as_deref().unwrap()).unwrap();
    assert_eq!(output["A"], true);
    assert_eq!(output["B"], true);
    assert_eq!((a.load(Ordering::SeqCst), b.load(Ordering::SeqCst)), (1, 1));

    // InputPath and the default (whole event) input.
    c.put_targets()
        .rule("ready")
        .targets(
            Target::builder()
                .id("bootstrap")
                .arn(&machine)
                .input_path("$.detail")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    c.put_events()
        .entries(entry(
            json!({"stack": "again", "status": "CREATE_COMPLETE"}),
        ))
        .send()
        .await
        .unwrap();
    let listed = s
        .list_executions()
        .state_machine_arn(&machine)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.executions.len(), 2);
    let newest = &listed.executions[0].execution_arn;
    let d = h.twin().states().wait(newest).await.unwrap();
    let input: Value = serde_json::from_str(&d.input).unwrap();
    assert_eq!(
        input,
        json!({"stack": "again", "status": "CREATE_COMPLETE"})
    );
}

fn eb_sfn_standard() -> aws_sdk_sfn::types::StateMachineType {
    aws_sdk_sfn::types::StateMachineType::Standard
}

#[tokio::test]
async fn test_event_pattern_errors() {
    let h = Harness::new().await;
    let c = eb_client(&h.running.endpoint_url());
    let event = json!({"id": "1", "account": "000000000000", "source": "s", "time": "2026-01-01T00:00:00Z",
        "region": "us-east-1", "detail-type": "t", "resources": [], "detail": {}});
    let ok = c
        .test_event_pattern()
        .event_pattern(r#"{"source": ["s"]}"#)
        .event(event.to_string())
        .send()
        .await
        .unwrap();
    assert!(ok.result);
    let e = c
        .test_event_pattern()
        .event_pattern(r#"{"source": ["s"]}"#)
        .event(r#"{"source": "s"}"#)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ValidationException");
    let e = c
        .test_event_pattern()
        .event_pattern("not json")
        .event(event.to_string())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidEventPatternException");
}
