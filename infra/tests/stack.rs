//! Invariants of the deployable stack, checked on the emitted JSON and on the checked-in goldens.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use kdaflow_infra::stack::functions::{TASKS, function_id, log_group_id, role_id};
use kdaflow_infra::stack::{self, parameters, triggers};
use kdaflow_infra::{check, iam, synth};
use kdaflow_workflow::contract::{self, TASK_FUNCTIONS, errors};
use kdaflow_workflow::machine;
use serde_json::{Value, json};

fn template() -> Value {
    stack::template().to_value()
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn resource<'a>(t: &'a Value, id: &str) -> &'a Value {
    t["Resources"]
        .get(id)
        .unwrap_or_else(|| panic!("no resource {id}"))
}

fn state_machine(t: &Value) -> &Value {
    &resource(t, stack::STATE_MACHINE)["Properties"]
}

#[test]
fn checked_in_goldens_are_fresh() {
    // On failure: `cargo run -- synth` from the workspace root, then commit deploy/.
    synth::verify(&workspace().join(synth::DEFAULT_DIR)).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn the_definition_is_the_workflow_json_byte_for_byte() {
    let t = template();
    assert_eq!(
        state_machine(&t)["DefinitionString"].as_str().unwrap(),
        machine::definition_json()
    );
    let file = std::fs::read_to_string(workspace().join("deploy/statemachine.asl.json")).unwrap();
    assert_eq!(file.strip_suffix('\n').unwrap(), machine::definition_json());
}

#[test]
fn every_variable_has_a_substitution_and_every_substitution_a_variable() {
    let t = template();
    assert_eq!(check::unsubstituted(&t), Vec::<String>::new());
    let sm = state_machine(&t);
    let vars: BTreeSet<String> = machine::variables(sm["DefinitionString"].as_str().unwrap())
        .into_iter()
        .collect();
    let keys: BTreeSet<String> = sm["DefinitionSubstitutions"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(vars, keys);
    for f in TASK_FUNCTIONS {
        assert_eq!(
            sm["DefinitionSubstitutions"][f.variable],
            json!({"Fn::GetAtt": [function_id(f), "Arn"]})
        );
    }
}

#[test]
fn every_ref_getatt_and_condition_resolves() {
    assert_eq!(check::unresolved(&template()), Vec::<String>::new());
}

#[test]
fn every_error_name_is_a_states_name_a_lambda_transient_error_or_a_contract_constant() {
    let t = template();
    let definition: Value =
        serde_json::from_str(state_machine(&t)["DefinitionString"].as_str().unwrap()).unwrap();
    let names = machine::error_names(&definition);
    assert!(!names.is_empty());
    for n in names {
        assert!(
            n.starts_with("States.")
                || errors::LAMBDA_TRANSIENT.contains(&n.as_str())
                || errors::ALL.contains(&n.as_str()),
            "{n} is not a known error name"
        );
    }
}

#[test]
fn the_substituted_definition_passes_our_asl_validator() {
    let t = template();
    let text = machine::substitute(
        state_machine(&t)["DefinitionString"].as_str().unwrap(),
        &TASK_FUNCTIONS.map(|f| {
            (
                f.variable,
                "arn:aws:lambda:us-east-1:123456789012:function:f",
            )
        }),
    );
    let definition: Value = serde_json::from_str(&text).unwrap();
    kdaflow_asl::validate(&definition).unwrap_or_else(|p| panic!("{p:#?}"));
}

#[test]
fn every_iam_statement_passes_the_least_privilege_rules() {
    assert_eq!(iam::violations(&template()), Vec::<String>::new());
}

/// Every `(action, resource is "*")` of every role policy.
fn granted(t: &Value, role: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for p in resource(t, role)["Properties"]["Policies"]
        .as_array()
        .unwrap()
    {
        for s in p["PolicyDocument"]["Statement"].as_array().unwrap() {
            let star = s["Resource"].as_array().unwrap().contains(&json!("*"));
            for a in s["Action"].as_array().unwrap() {
                out.push((a.as_str().unwrap().to_string(), star));
            }
        }
    }
    out
}

#[test]
fn the_metadata_lists_exactly_the_wildcard_resource_actions_used() {
    let t = template();
    let mut used = BTreeSet::new();
    for (id, r) in t["Resources"].as_object().unwrap() {
        if r["Type"] == "AWS::IAM::Role" {
            for (a, star) in granted(&t, id) {
                if star {
                    used.insert(a);
                }
            }
        }
    }
    let documented: BTreeSet<String> = t["Metadata"]["kdaflow"]["WildcardResources"]["Actions"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(used, documented);
}

/// The Kinesis Analytics v1 operations, as the SDK's method names.
const KDA_OPERATIONS: [&str; 20] = [
    "add_application_cloud_watch_logging_option",
    "add_application_input",
    "add_application_input_processing_configuration",
    "add_application_output",
    "add_application_reference_data_source",
    "create_application",
    "delete_application",
    "delete_application_cloud_watch_logging_option",
    "delete_application_input_processing_configuration",
    "delete_application_output",
    "delete_application_reference_data_source",
    "describe_application",
    "discover_input_schema",
    "list_applications",
    "list_tags_for_resource",
    "start_application",
    "stop_application",
    "tag_resource",
    "untag_resource",
    "update_application",
];

/// The IAM actions of the SDK calls (`.describe_application()` ...) in handler source files.
fn called(files: &[&str]) -> BTreeSet<String> {
    let mut actions = BTreeSet::new();
    for file in files {
        let path = workspace().join("handlers/src").join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        for op in KDA_OPERATIONS {
            if text.contains(&format!(".{op}()")) {
                let pascal = parameters::parameter_id(op);
                actions.insert(format!("kinesisanalytics:{pascal}"));
            }
        }
    }
    actions
}

#[test]
fn each_task_is_granted_exactly_the_kinesis_analytics_calls_its_handler_makes() {
    let t = template();
    // The handler files each task's code runs (check.rs reuses start.rs's describe; create.rs
    // builds its CreateApplication call with convert.rs, which makes no other call).
    let sources: [(&str, &[&str]); 4] = [
        (contract::VALIDATE.binary, &["validate.rs"]),
        (contract::CREATE.binary, &["create.rs", "convert.rs"]),
        (contract::START.binary, &["start.rs"]),
        (contract::CHECK.binary, &["check.rs"]),
    ];
    let all_called = called(&[
        "validate.rs",
        "create.rs",
        "convert.rs",
        "start.rs",
        "check.rs",
    ]);
    assert_eq!(
        called(&["convert.rs"]),
        BTreeSet::from(["kinesisanalytics:CreateApplication".to_string()])
    );
    let mut all_granted = BTreeSet::new();
    for task in TASKS {
        let files = sources
            .iter()
            .find(|(b, _)| *b == task.function.binary)
            .unwrap()
            .1;
        let granted: BTreeSet<String> = granted(&t, &role_id(task.function))
            .into_iter()
            .map(|(a, _)| a)
            .filter(|a| a.starts_with("kinesisanalytics:"))
            .collect();
        let calls = called(files);
        if task.function == contract::CHECK {
            // check.rs calls start::describe, i.e. DescribeApplication, and nothing else.
            assert!(calls.is_empty(), "{calls:?}");
            assert_eq!(
                granted,
                BTreeSet::from(["kinesisanalytics:DescribeApplication".to_string()])
            );
        } else {
            assert_eq!(granted, calls, "{}", task.function.binary);
        }
        all_granted.extend(granted);
    }
    assert_eq!(all_granted, all_called);
}

#[test]
fn only_the_create_task_may_pass_roles_and_only_to_kinesis_analytics() {
    let t = template();
    for task in TASKS {
        let passes = granted(&t, &role_id(task.function))
            .iter()
            .any(|(a, _)| a == "iam:PassRole");
        assert_eq!(
            passes,
            task.function == contract::CREATE,
            "{}",
            task.function.binary
        );
    }
    let role = &resource(&t, &role_id(contract::CREATE))["Properties"];
    let statement = role["Policies"][0]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Action"] == json!(["iam:PassRole"]))
        .unwrap();
    assert_eq!(
        statement["Resource"],
        json!([{"Ref": "IamRoleKinesisArn"}, {"Ref": "IamRoleLambdaArn"}])
    );
    assert_eq!(
        statement["Condition"],
        json!({"StringEquals": {"iam:PassedToService": "kinesisanalytics.amazonaws.com"}})
    );
}

#[test]
fn functions_are_arm64_al2023_bootstrap_traced_with_their_own_log_group() {
    let t = template();
    for f in TASK_FUNCTIONS {
        let p = &resource(&t, &function_id(f))["Properties"];
        assert_eq!(p["Runtime"], "provided.al2023");
        assert_eq!(p["Architectures"], json!(["arm64"]));
        assert_eq!(p["Handler"], "bootstrap");
        assert_eq!(p["TracingConfig"], json!({"Mode": "Active"}));
        assert_eq!(
            p["LoggingConfig"]["LogGroup"],
            json!({"Ref": log_group_id(f)})
        );
        assert_eq!(p["Role"], json!({"Fn::GetAtt": [role_id(f), "Arn"]}));
        assert_eq!(
            p["Code"]["S3Key"],
            json!({"Fn::Sub": format!("${{CodeKeyPrefix}}{}.zip", f.binary)})
        );
        let timeout = p["Timeout"].as_u64().unwrap();
        assert!(
            timeout < machine::TASK_TIMEOUT_SECONDS,
            "the Lambda must time out before the task"
        );
        let group = &resource(&t, &log_group_id(f))["Properties"];
        assert_eq!(
            group["RetentionInDays"],
            json!({"Ref": "LogRetentionInDays"})
        );
    }
}

#[test]
fn the_state_machine_logs_everything_traces_and_invokes_only_its_functions() {
    let t = template();
    let sm = state_machine(&t);
    assert_eq!(sm["LoggingConfiguration"]["Level"], "ALL");
    assert_eq!(sm["LoggingConfiguration"]["IncludeExecutionData"], true);
    assert_eq!(sm["TracingConfiguration"], json!({"Enabled": true}));
    let invoke: Vec<&Value> = resource(&t, stack::STATE_MACHINE_ROLE)["Properties"]["Policies"][0]
        ["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["Action"] == json!(["lambda:InvokeFunction"]))
        .collect();
    assert_eq!(invoke.len(), 1);
    let expected: Vec<Value> = TASK_FUNCTIONS
        .iter()
        .map(|f| json!({"Fn::GetAtt": [function_id(*f), "Arn"]}))
        .collect();
    assert_eq!(invoke[0]["Resource"], Value::Array(expected));
}

#[test]
fn eventbridge_may_only_start_this_state_machine() {
    let t = template();
    assert_eq!(
        granted(&t, stack::EVENTS_ROLE),
        vec![("states:StartExecution".to_string(), false)]
    );
    let statement = &resource(&t, stack::EVENTS_ROLE)["Properties"]["Policies"][0]["PolicyDocument"]
        ["Statement"][0];
    assert_eq!(
        statement["Resource"],
        json!([{"Ref": stack::STATE_MACHINE}])
    );
    for rule in [
        stack::BOOTSTRAP_REQUESTED_RULE,
        stack::PREREQUISITES_STACK_RULE,
    ] {
        let targets = resource(&t, rule)["Properties"]["Targets"]
            .as_array()
            .unwrap();
        assert_eq!(targets.len(), 1);
        assert_eq!(targets[0]["Arn"], json!({"Ref": stack::STATE_MACHINE}));
        assert_eq!(
            targets[0]["RoleArn"],
            json!({"Fn::GetAtt": [stack::EVENTS_ROLE, "Arn"]})
        );
    }
}

#[test]
fn the_custom_event_rule_matches_the_documented_event_and_maps_seven_fields() {
    let t = template();
    let p = &resource(&t, stack::BOOTSTRAP_REQUESTED_RULE)["Properties"];
    assert_eq!(
        p["EventPattern"],
        json!({"source": ["kdaflow.bootstrap"], "detail-type": ["Bootstrap Requested"]})
    );
    let transformer = &p["Targets"][0]["InputTransformer"];
    let paths = transformer["InputPathsMap"].as_object().unwrap();
    assert_eq!(paths.len(), 7);
    for (field, _) in kdaflow_workflow::prerequisites::FIELDS {
        assert_eq!(paths[field], format!("$.detail.{field}"));
    }
    assert_eq!(
        transformer["InputTemplate"],
        triggers::event_input_template()
    );
}

#[test]
fn the_stack_rule_fires_on_the_named_stack_completing_with_the_parameter_arns() {
    let t = template();
    let r = resource(&t, stack::PREREQUISITES_STACK_RULE);
    assert_eq!(r["Condition"], stack::HAS_PREREQUISITES_STACK);
    let pattern = &r["Properties"]["EventPattern"];
    assert_eq!(pattern["source"], json!(["aws.cloudformation"]));
    assert_eq!(
        pattern["detail-type"],
        json!(["CloudFormation Stack Status Change"])
    );
    assert_eq!(
        pattern["detail"]["status-details"]["status"],
        json!(["CREATE_COMPLETE", "UPDATE_COMPLETE"])
    );
    let prefix = pattern["resources"][0]["prefix"]["Fn::Sub"]
        .as_str()
        .unwrap();
    assert!(
        prefix.ends_with(":stack/${PrerequisitesStackName}/"),
        "{prefix}"
    );
    let template = r["Properties"]["Targets"][0]["InputTransformer"]["InputTemplate"]["Fn::Sub"]
        .as_str()
        .unwrap();
    let names: BTreeSet<String> = check::sub_names(template).into_iter().collect();
    let params: BTreeSet<String> = parameters::field_names()
        .iter()
        .map(|f| parameters::parameter_id(f))
        .collect();
    assert_eq!(names, params);
}

#[test]
fn outputs_name_the_state_machine_and_the_rules() {
    let t = template();
    assert_eq!(
        t["Outputs"]["StateMachineArn"]["Value"],
        json!({"Ref": stack::STATE_MACHINE})
    );
    assert_eq!(
        t["Outputs"]["BootstrapRequestedRuleArn"]["Value"],
        json!({"Fn::GetAtt": [stack::BOOTSTRAP_REQUESTED_RULE, "Arn"]})
    );
    assert_eq!(
        t["Outputs"]["PrerequisitesStackCompleteRuleArn"]["Condition"],
        stack::HAS_PREREQUISITES_STACK
    );
}

#[test]
fn logical_ids_are_stable() {
    // Renaming a logical id makes CloudFormation replace the resource: change this list only
    // on purpose.
    let t = template();
    let ids: Vec<&str> = t["Resources"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        ids,
        [
            "ValidatePrerequisitesFunctionLogGroup",
            "ValidatePrerequisitesFunctionRole",
            "ValidatePrerequisitesFunction",
            "CreateApplicationFunctionLogGroup",
            "CreateApplicationFunctionRole",
            "CreateApplicationFunction",
            "StartApplicationFunctionLogGroup",
            "StartApplicationFunctionRole",
            "StartApplicationFunction",
            "CheckApplicationStatusFunctionLogGroup",
            "CheckApplicationStatusFunctionRole",
            "CheckApplicationStatusFunction",
            "BootstrapStateMachineLogGroup",
            "BootstrapStateMachineRole",
            "BootstrapStateMachine",
            "EventsStartExecutionRole",
            "BootstrapRequestedRule",
            "PrerequisitesStackCompleteRule",
            "FlinkValidatePrerequisitesFunctionLogGroup",
            "FlinkValidatePrerequisitesFunctionRole",
            "FlinkValidatePrerequisitesFunction",
            "FlinkCreateApplicationFunctionLogGroup",
            "FlinkCreateApplicationFunctionRole",
            "FlinkCreateApplicationFunction",
            "FlinkStartApplicationFunctionLogGroup",
            "FlinkStartApplicationFunctionRole",
            "FlinkStartApplicationFunction",
            "FlinkCheckApplicationStatusFunctionLogGroup",
            "FlinkCheckApplicationStatusFunctionRole",
            "FlinkCheckApplicationStatusFunction",
            "FlinkBootstrapStateMachineLogGroup",
            "FlinkBootstrapStateMachineRole",
            "FlinkBootstrapStateMachine",
        ]
    );
    let params: Vec<&str> = t["Parameters"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        params,
        [
            "FirehoseArn",
            "IamRoleKinesisArn",
            "StreamArn",
            "LambdaFnArnCloudwatch",
            "LambdaFnArnSns",
            "IamRoleLambdaArn",
            "LambdaFnArnInvokeEp",
            "CodeBucket",
            "CodeKeyPrefix",
            "ApplicationName",
            "PrerequisitesStackName",
            "LogRetentionInDays",
            "FlinkApplicationName",
            "FlinkServiceExecutionRoleArn",
        ]
    );
}

#[test]
fn every_checkov_suppression_has_a_reason() {
    let t = template();
    for (id, r) in t["Resources"].as_object().unwrap() {
        for skip in r["Metadata"]["checkov"]["skip"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let reason = skip["comment"].as_str().unwrap_or("");
            assert!(reason.len() > 40, "{id}: {skip} has no real reason");
        }
    }
}

/// The kinesisanalyticsv2 operations the Flink handlers could call, as the SDK's method names.
const FLINK_OPERATIONS: [&str; 12] = [
    "create_application",
    "create_application_snapshot",
    "delete_application",
    "describe_application",
    "describe_application_operation",
    "list_application_operations",
    "list_application_snapshots",
    "list_applications",
    "rollback_application",
    "start_application",
    "stop_application",
    "update_application",
];

/// The IAM actions of the kinesisanalyticsv2 calls in `text`.
fn flink_called(text: &str) -> BTreeSet<String> {
    FLINK_OPERATIONS
        .iter()
        .filter(|op| text.contains(&format!(".{op}()")))
        .map(|op| format!("kinesisanalytics:{}", parameters::parameter_id(op)))
        .collect()
}

/// The text of `fn name` in `text`, up to the next top-level item.
fn function_text<'a>(text: &'a str, name: &str) -> &'a str {
    let start = text
        .find(&format!("fn {name}("))
        .unwrap_or_else(|| panic!("no fn {name}"));
    let rest = &text[start..];
    let end = rest.find("\n}\n").map_or(rest.len(), |e| e + 3);
    &rest[..end]
}

#[test]
fn each_flink_task_is_granted_exactly_the_calls_its_handler_makes() {
    use kdaflow_infra::stack::functions::FLINK_TASKS;
    let t = template();
    let text = std::fs::read_to_string(workspace().join("handlers/src/flink.rs")).unwrap();
    // The helpers each task's function calls (describe and describe_existing read the
    // application; create_call and update_call build the create task's calls).
    let helpers = [
        function_text(&text, "describe"),
        function_text(&text, "describe_existing"),
    ]
    .concat();
    let sources = [
        (
            contract::flink::VALIDATE,
            function_text(&text, "validate_prerequisites").to_string(),
        ),
        (
            contract::flink::CREATE,
            [
                function_text(&text, "create_application"),
                function_text(&text, "create_call"),
                function_text(&text, "update_call"),
                &helpers,
            ]
            .concat(),
        ),
        (
            contract::flink::START,
            [function_text(&text, "start_application"), &helpers].concat(),
        ),
        (
            contract::flink::CHECK,
            [function_text(&text, "check_application_status"), &helpers].concat(),
        ),
    ];
    let mut all = BTreeSet::new();
    for task in FLINK_TASKS {
        let source = &sources.iter().find(|(f, _)| *f == task.function).unwrap().1;
        let mut calls = flink_called(source);
        // The helpers are called by name; count them where the task calls them.
        if !source.contains("describe(c,") && !source.contains("describe_existing(c,") {
            calls.remove("kinesisanalytics:DescribeApplication");
        }
        let granted: BTreeSet<String> = granted(&t, &role_id(task.function))
            .into_iter()
            .map(|(a, _)| a)
            .filter(|a| a.starts_with("kinesisanalytics:"))
            .collect();
        assert_eq!(granted, calls, "{}", task.function.binary);
        all.extend(granted);
    }
    assert_eq!(all, flink_called(&text));
    // The statements name the Flink application's ARN only.
    let role = &resource(&t, &role_id(contract::flink::START))["Properties"];
    let statement = role["Policies"][0]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == "KinesisAnalyticsApplication")
        .unwrap();
    assert_eq!(
        statement["Resource"],
        json!([{"Fn::Sub": "arn:${AWS::Partition}:kinesisanalytics:${AWS::Region}:${AWS::AccountId}:application/${FlinkApplicationName}"}])
    );
}

#[test]
fn only_the_flink_create_task_passes_the_service_execution_role_to_kinesis_analytics() {
    use kdaflow_infra::stack::functions::FLINK_TASKS;
    let t = template();
    for task in FLINK_TASKS {
        let statements = resource(&t, &role_id(task.function))["Properties"]["Policies"][0]
            ["PolicyDocument"]["Statement"]
            .as_array()
            .unwrap()
            .clone();
        let pass: Vec<&Value> = statements
            .iter()
            .filter(|s| s["Action"] == json!(["iam:PassRole"]))
            .collect();
        if task.function == contract::flink::CREATE {
            assert_eq!(pass.len(), 1);
            assert_eq!(
                pass[0]["Resource"],
                json!([{"Ref": parameters::FLINK_SERVICE_ROLE}])
            );
            assert_eq!(
                pass[0]["Condition"],
                json!({"StringEquals": {"iam:PassedToService": "kinesisanalytics.amazonaws.com"}})
            );
        } else {
            assert!(pass.is_empty(), "{}", task.function.binary);
        }
    }
}

#[test]
fn the_flink_state_machine_is_the_flink_definition_and_invokes_only_its_functions() {
    let t = template();
    let sm = &resource(&t, stack::FLINK_STATE_MACHINE)["Properties"];
    assert_eq!(sm["DefinitionString"], machine::flink_definition_json());
    let invoke = resource(&t, stack::FLINK_STATE_MACHINE_ROLE)["Properties"]["Policies"][0]
        ["PolicyDocument"]["Statement"][0]
        .clone();
    assert_eq!(invoke["Action"], json!(["lambda:InvokeFunction"]));
    let expected: Vec<Value> = contract::flink::TASK_FUNCTIONS
        .iter()
        .map(|f| json!({"Fn::GetAtt": [function_id(*f), "Arn"]}))
        .collect();
    assert_eq!(invoke["Resource"], Value::Array(expected));
    assert_eq!(
        t["Outputs"]["FlinkStateMachineArn"]["Value"],
        json!({"Ref": stack::FLINK_STATE_MACHINE})
    );
}

#[test]
fn a_stack_of_one_runtime_holds_only_its_bootstrap_and_passes_the_checks() {
    use kdaflow_infra::stack::Runtime;
    for (runtime, present, absent) in [
        (
            Runtime::Sql,
            stack::STATE_MACHINE,
            stack::FLINK_STATE_MACHINE,
        ),
        (
            Runtime::Flink,
            stack::FLINK_STATE_MACHINE,
            stack::STATE_MACHINE,
        ),
    ] {
        let t = stack::template_for(runtime).to_value();
        check::all(&t).unwrap_or_else(|e| panic!("{runtime:?}: {e}"));
        assert!(iam::violations(&t).is_empty(), "{runtime:?}");
        assert!(t["Resources"].get(present).is_some(), "{runtime:?}");
        assert!(t["Resources"].get(absent).is_none(), "{runtime:?}");
        let rules = t["Resources"]
            .as_object()
            .unwrap()
            .values()
            .filter(|r| r["Type"] == "AWS::Events::Rule")
            .count();
        assert_eq!(rules, if runtime == Runtime::Sql { 2 } else { 0 });
    }
    let files: Vec<&str> = synth::render_for(Runtime::Flink)
        .unwrap()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(files, [synth::TEMPLATE_FILE, synth::FLINK_DEFINITION_FILE]);
}
