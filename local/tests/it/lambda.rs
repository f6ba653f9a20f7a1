//! Lambda through `aws-sdk-lambda`: the operations and their errors, and functions run as real
//! processes under the twin's Runtime API — a `provided.al2023` function whose `bootstrap` is
//! a shell script speaking the Runtime API with curl (the custom-runtime tutorial of the Lambda
//! developer guide), a Python function under the official `awslambdaric` and a Node.js one under
//! the official `aws-lambda-ric`; functions persist across a restart with a state directory.

use aws_sdk_lambda as lambda;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{Environment, FunctionCode, InvocationType, LogType, Runtime};
use base64::Engine;
use kdaflow_local::lambda::code::zip_of;

use crate::support::{Harness, code, message};

const ROLE: &str = "arn:aws:iam::000000000000:role/lambda-role";

pub fn lambda_client(endpoint: &str) -> lambda::Client {
    let config = lambda::Config::builder()
        .behavior_version(lambda::config::BehaviorVersion::latest())
        .region(lambda::config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(lambda::config::Credentials::new(
            "AKID", "secret", None, None, "test",
        ))
        .retry_config(lambda::config::retry::RetryConfig::disabled())
        .build();
    lambda::Client::from_conf(config)
}

/// A custom runtime in shell: each event is handled by `handle` (shell code that reads
/// `$EVENT` and prints the response), or posted as an error when it exits non-zero.
pub fn shell_runtime(init: &str, handle: &str) -> Vec<u8> {
    // The handler runs in the runtime's own shell (a group, not a subshell), so `exit` ends
    // the process as a crashing runtime would.
    let script = format!(
        r#"#!/bin/sh
API="http://${{AWS_LAMBDA_RUNTIME_API}}/2018-06-01/runtime"
{init}
OUT=$(mktemp)
while true; do
  HEADERS=$(mktemp)
  EVENT=$(curl -sS -D "$HEADERS" "$API/invocation/next")
  ID=$(grep -i '^lambda-runtime-aws-request-id:' "$HEADERS" | cut -d: -f2 | tr -d '[:space:]')
  if {{ {handle} ; }} > "$OUT"; then
    curl -sS -o /dev/null -X POST "$API/invocation/$ID/response" --data-binary "@$OUT"
  else
    curl -sS -o /dev/null -X POST "$API/invocation/$ID/error" \
      -H 'Lambda-Runtime-Function-Error-Type: Function.Failed' \
      -d "{{\"errorMessage\": \"handler failed\", \"errorType\": \"Function.Failed\"}}"
  fi
done
"#
    );
    zip_of(&[("bootstrap", script.as_bytes(), true)])
}

async fn create(c: &lambda::Client, name: &str, zip: Vec<u8>) {
    c.create_function()
        .function_name(name)
        .runtime(Runtime::Providedal2023)
        .role(ROLE)
        .handler("unused")
        .code(FunctionCode::builder().zip_file(Blob::new(zip)).build())
        .send()
        .await
        .unwrap();
}

async fn invoke(
    c: &lambda::Client,
    name: &str,
    payload: &str,
) -> lambda::operation::invoke::InvokeOutput {
    c.invoke()
        .function_name(name)
        .payload(Blob::new(payload))
        .send()
        .await
        .unwrap()
}

fn text(out: &lambda::operation::invoke::InvokeOutput) -> String {
    String::from_utf8_lossy(out.payload().map(|b| b.as_ref()).unwrap_or_default()).into_owned()
}

#[tokio::test]
async fn functions_versions_and_aliases() {
    let h = Harness::new().await;
    let c = lambda_client(&h.running.endpoint_url());
    let echo = shell_runtime(
        "",
        r#"echo "{\"echo\": $EVENT, \"fn\": \"$AWS_LAMBDA_FUNCTION_NAME\", \"greeting\": \"$GREETING\"}""#,
    );
    let created = c
        .create_function()
        .function_name("echo")
        .runtime(Runtime::Providedal2023)
        .role(ROLE)
        .handler("unused")
        .environment(
            Environment::builder()
                .variables("GREETING", "hello")
                .build(),
        )
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(echo.clone()))
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        created.function_arn(),
        Some("arn:aws:lambda:us-east-1:000000000000:function:echo")
    );
    assert_eq!(created.state().map(|s| s.as_str()), Some("Pending"));
    assert_eq!(created.timeout(), Some(3));
    assert_eq!(created.memory_size(), Some(128));
    assert_eq!(created.version(), Some("$LATEST"));
    assert_eq!(created.code_size(), echo.len() as i64);
    let sha = base64::engine::general_purpose::STANDARD.encode(sha256(&echo));
    assert_eq!(created.code_sha256(), Some(sha.as_str()));

    let got = c.get_function().function_name("echo").send().await.unwrap();
    let config = got.configuration().unwrap();
    assert_eq!(config.state().map(|s| s.as_str()), Some("Active"));
    assert_eq!(
        config.last_update_status().map(|s| s.as_str()),
        Some("Successful")
    );
    assert!(
        got.code()
            .unwrap()
            .location()
            .unwrap()
            .contains("/_kdaflow/lambda/functions/echo/code")
    );

    // Invoke: the process answers through the Runtime API, with the environment AWS gives.
    let out = invoke(&c, "echo", r#"{"n": 1}"#).await;
    assert_eq!(out.status_code(), 200);
    assert_eq!(out.function_error(), None);
    let v: serde_json::Value = serde_json::from_str(&text(&out)).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"echo": {"n": 1}, "fn": "echo", "greeting": "hello"})
    );
    assert_eq!(out.executed_version(), Some("$LATEST"));

    // Versions and aliases.
    let v1 = c
        .publish_version()
        .function_name("echo")
        .send()
        .await
        .unwrap();
    assert_eq!(v1.version(), Some("1"));
    c.update_function_configuration()
        .function_name("echo")
        .environment(
            Environment::builder()
                .variables("GREETING", "bonjour")
                .build(),
        )
        .send()
        .await
        .unwrap();
    c.create_alias()
        .function_name("echo")
        .name("live")
        .function_version("1")
        .send()
        .await
        .unwrap();
    let alias = c
        .get_alias()
        .function_name("echo")
        .name("live")
        .send()
        .await
        .unwrap();
    assert_eq!(alias.function_version(), Some("1"));
    assert_eq!(
        alias.alias_arn(),
        Some("arn:aws:lambda:us-east-1:000000000000:function:echo:live")
    );
    let listed = c.list_aliases().function_name("echo").send().await.unwrap();
    assert_eq!(listed.aliases().len(), 1);
    let live = c
        .invoke()
        .function_name("echo")
        .qualifier("live")
        .payload(Blob::new("1"))
        .send()
        .await
        .unwrap();
    assert!(
        text(&live).contains("\"hello\""),
        "version 1 keeps its environment: {}",
        text(&live)
    );
    assert_eq!(live.executed_version(), Some("1"));
    let latest = invoke(&c, "echo", "2").await;
    assert!(text(&latest).contains("\"bonjour\""), "{}", text(&latest));
    let versions = c
        .list_versions_by_function()
        .function_name("echo")
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = versions
        .versions()
        .iter()
        .filter_map(|v| v.version())
        .collect();
    assert_eq!(names, ["$LATEST", "1"]);

    // UpdateFunctionCode changes what runs.
    let upper = shell_runtime("", r#"echo "\"changed\"""#);
    let updated = c
        .update_function_code()
        .function_name("echo")
        .zip_file(Blob::new(upper))
        .send()
        .await
        .unwrap();
    assert_eq!(
        updated.last_update_status().map(|s| s.as_str()),
        Some("InProgress")
    );
    assert_eq!(text(&invoke(&c, "echo", "{}").await).trim(), "\"changed\"");

    // ListFunctions pages.
    create(&c, "second", shell_runtime("", "echo 2")).await;
    let p1 = c.list_functions().max_items(1).send().await.unwrap();
    assert_eq!(p1.functions().len(), 1);
    let p2 = c
        .list_functions()
        .marker(p1.next_marker().unwrap())
        .send()
        .await
        .unwrap();
    let all: Vec<&str> = p1
        .functions()
        .iter()
        .chain(p2.functions())
        .filter_map(|f| f.function_name())
        .collect();
    assert!(all.contains(&"echo") && all.contains(&"second"), "{all:?}");

    c.delete_function()
        .function_name("second")
        .send()
        .await
        .unwrap();
    let e = c
        .get_function()
        .function_name("second")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundException");
}

#[tokio::test]
async fn errors_as_the_service_answers_them() {
    let h = Harness::new().await;
    let c = lambda_client(&h.running.endpoint_url());
    let e = c
        .get_function()
        .function_name("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundException");
    assert!(message(&e).contains("function:nope"), "{}", message(&e));
    create(&c, "f", shell_runtime("", "echo 1")).await;
    let e = c
        .create_function()
        .function_name("f")
        .runtime(Runtime::Providedal2023)
        .role(ROLE)
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(shell_runtime("", "echo 1")))
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceConflictException");
    // Every constraint violation at once.
    let e = c
        .create_function()
        .function_name("bad name")
        .role("not-a-role")
        .memory_size(64)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ValidationException");
    assert!(
        message(&e).starts_with("4 validation errors detected"),
        "{}",
        message(&e)
    );
    let e = c
        .create_function()
        .function_name("slow")
        .runtime(Runtime::Providedal2023)
        .role(ROLE)
        .timeout(901)
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(shell_runtime("", "echo 1")))
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidParameterValueException");
    let e = c
        .create_function()
        .function_name("py")
        .runtime(Runtime::Python312)
        .role(ROLE)
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(zip_of(&[("a.py", b"", false)])))
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert!(
        message(&e).contains("Handler is required"),
        "{}",
        message(&e)
    );
    let e = c
        .create_function()
        .function_name("reserved")
        .runtime(Runtime::Providedal2023)
        .role(ROLE)
        .environment(Environment::builder().variables("AWS_REGION", "x").build())
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(shell_runtime("", "echo 1")))
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert!(
        message(&e).contains("Reserved keys used in this request: AWS_REGION"),
        "{}",
        message(&e)
    );
    let e = c
        .create_function()
        .function_name("notzip")
        .runtime(Runtime::Providedal2023)
        .role(ROLE)
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new("not a zip"))
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert!(message(&e).contains("Could not unzip"), "{}", message(&e));
    // 413 for a payload over 6 MB, as the endpoint answers it.
    let e = c
        .invoke()
        .function_name("f")
        .payload(Blob::new(vec![b' '; 6 * 1024 * 1024 + 1]))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "RequestEntityTooLargeException");
    assert_eq!(e.raw_response().map(|r| r.status().as_u16()), Some(413));
    // A stale revision.
    let e = c
        .update_function_configuration()
        .function_name("f")
        .revision_id("stale")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "PreconditionFailedException");
    // No concurrency: throttled.
    c.put_function_concurrency()
        .function_name("f")
        .reserved_concurrent_executions(0)
        .send()
        .await
        .unwrap();
    let e = c.invoke().function_name("f").send().await.unwrap_err();
    assert_eq!(code(&e), "TooManyRequestsException");
    assert_eq!(e.raw_response().map(|r| r.status().as_u16()), Some(429));
    // Aliases name versions that exist.
    let e = c
        .create_alias()
        .function_name("f")
        .name("a")
        .function_version("7")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundException");
    let e = c
        .get_alias()
        .function_name("f")
        .name("a")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundException");
}

#[tokio::test]
async fn invocation_types_logs_and_failures() {
    let h = Harness::new().await;
    let c = lambda_client(&h.running.endpoint_url());
    create(
        &c,
        "chatty",
        shell_runtime("", r#"echo "handling $EVENT" >&2; echo '{"ok": true}'"#),
    )
    .await;
    let out = c
        .invoke()
        .function_name("chatty")
        .log_type(LogType::Tail)
        .payload(Blob::new("42"))
        .send()
        .await
        .unwrap();
    let log = base64::engine::general_purpose::STANDARD
        .decode(out.log_result().unwrap())
        .unwrap();
    let log = String::from_utf8(log).unwrap();
    assert!(log.starts_with("START RequestId: "), "{log}");
    assert!(
        log.contains("END RequestId: ") && log.contains("REPORT RequestId: "),
        "{log}"
    );
    let event = c
        .invoke()
        .function_name("chatty")
        .invocation_type(InvocationType::Event)
        .payload(Blob::new("{}"))
        .send()
        .await
        .unwrap();
    assert_eq!(event.status_code(), 202);
    let dry = c
        .invoke()
        .function_name("chatty")
        .invocation_type(InvocationType::DryRun)
        .send()
        .await
        .unwrap();
    assert_eq!(dry.status_code(), 204);
    // The function's output is its log.
    assert!(
        h.twin()
            .lambda()
            .logs("chatty")
            .iter()
            .any(|l| l == "handling 42")
    );

    // A handler that fails: the error document, X-Amz-Function-Error.
    create(&c, "failing", shell_runtime("", "false")).await;
    let out = invoke(&c, "failing", "{}").await;
    assert_eq!(out.function_error(), Some("Unhandled"));
    let v: serde_json::Value = serde_json::from_str(&text(&out)).unwrap();
    assert_eq!(v["errorType"], "Function.Failed");

    // A process that exits mid-invocation.
    create(&c, "crashing", shell_runtime("", "exit 3")).await;
    let out = invoke(&c, "crashing", "{}").await;
    assert_eq!(out.function_error(), Some("Unhandled"));
    let v: serde_json::Value = serde_json::from_str(&text(&out)).unwrap();
    assert_eq!(v["errorType"], "Runtime.ExitError", "{v}");
    assert!(
        v["errorMessage"]
            .as_str()
            .unwrap()
            .ends_with("Runtime exited with error: exit status 3"),
        "{v}"
    );
    // It is started again for the next invocation.
    let again = invoke(&c, "crashing", "{}").await;
    assert_eq!(again.function_error(), Some("Unhandled"));

    // A failed initialisation, as a runtime reports it.
    let init = shell_runtime(
        r#"curl -sS -X POST "$API/init/error" -d '{"errorMessage": "cannot load config", "errorType": "Runtime.InitError"}'; exit 1"#,
        "echo 1",
    );
    create(&c, "broken", init).await;
    let out = invoke(&c, "broken", "{}").await;
    let v: serde_json::Value = serde_json::from_str(&text(&out)).unwrap();
    assert_eq!(v["errorType"], "Runtime.InitError", "{v}");
    // A package without a bootstrap cannot start.
    c.create_function()
        .function_name("empty")
        .runtime(Runtime::Providedal2023)
        .role(ROLE)
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(zip_of(&[("README", b"x", false)])))
                .build(),
        )
        .send()
        .await
        .unwrap();
    let out = invoke(&c, "empty", "{}").await;
    let v: serde_json::Value = serde_json::from_str(&text(&out)).unwrap();
    assert_eq!(v["errorType"], "Runtime.InvalidEntrypoint", "{v}");
}

#[tokio::test]
async fn a_timeout_kills_the_process_on_the_twins_clock() {
    let h = Harness::new().await;
    let c = lambda_client(&h.running.endpoint_url());
    create(
        &c,
        "stuck",
        shell_runtime("", "echo started >&2; sleep 600; echo late"),
    )
    .await;
    let call = {
        let c = c.clone();
        tokio::spawn(async move { invoke(&c, "stuck", "{}").await })
    };
    // Once the function runs, move the twin's clock past its 3-second timeout.
    while !h
        .twin()
        .lambda()
        .logs("stuck")
        .iter()
        .any(|l| l == "started")
    {
        tokio::task::yield_now().await;
    }
    h.advance_ms(3_001);
    let out = call.await.unwrap();
    assert_eq!(out.function_error(), Some("Unhandled"));
    let v: serde_json::Value = serde_json::from_str(&text(&out)).unwrap();
    assert_eq!(v["errorType"], "Sandbox.Timedout", "{v}");
    assert!(
        v["errorMessage"]
            .as_str()
            .unwrap()
            .ends_with("Task timed out after 3.00 seconds"),
        "{v}"
    );
}

#[tokio::test]
async fn concurrency_is_bounded_and_instances_are_reused() {
    let h = Harness::new().await;
    let c = lambda_client(&h.running.endpoint_url());
    // Each process answers with its own pid, so reuse is visible.
    create(&c, "pid", shell_runtime("", r#"echo "$$""#)).await;
    let first = text(&invoke(&c, "pid", "{}").await);
    let second = text(&invoke(&c, "pid", "{}").await);
    assert_eq!(first, second, "a warm instance is reused");
    c.put_function_concurrency()
        .function_name("pid")
        .reserved_concurrent_executions(1)
        .send()
        .await
        .unwrap();
    // One invocation holds the only instance; a second at the same time is throttled.
    create(&c, "hold", shell_runtime("", "echo started >&2; sleep 600")).await;
    c.put_function_concurrency()
        .function_name("hold")
        .reserved_concurrent_executions(1)
        .send()
        .await
        .unwrap();
    let held = {
        let c = c.clone();
        tokio::spawn(async move { invoke(&c, "hold", "{}").await })
    };
    while !h
        .twin()
        .lambda()
        .logs("hold")
        .iter()
        .any(|l| l == "started")
    {
        tokio::task::yield_now().await;
    }
    let e = c.invoke().function_name("hold").send().await.unwrap_err();
    assert_eq!(code(&e), "TooManyRequestsException");
    h.advance_ms(3_001);
    let out = held.await.unwrap();
    assert_eq!(out.function_error(), Some("Unhandled"));
}

fn sha256(data: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(data).to_vec()
}

/// A Python preprocessing-style function: the managed runtime's client (`awslambdaric`) runs
/// its handler; boto3 is there, and `AWS_ENDPOINT_URL` points it at the twin.
const PYTHON_APP: &str = r#"
import base64, json, os
import boto3

def handler(event, context):
    if event.get("fail"):
        raise ValueError("asked to fail")
    if event.get("put"):
        kinesis = boto3.client("kinesis")
        out = kinesis.put_record(StreamName=event["put"], Data=b"from python", PartitionKey="k")
        return {"shard": out["ShardId"], "region": os.environ["AWS_DEFAULT_REGION"]}
    return {"records": [
        {"recordId": r["recordId"], "result": "Ok",
         "data": base64.b64encode(base64.b64decode(r["data"]).upper()).decode()}
        for r in event.get("records", [])
    ], "remaining_ms": context.get_remaining_time_in_millis() > 0}
"#;

#[tokio::test]
async fn a_python_function_runs_under_the_official_runtime_client() {
    let h = Harness::new().await;
    let c = lambda_client(&h.running.endpoint_url());
    c.create_function()
        .function_name("upper")
        .runtime(Runtime::Python312)
        .role(ROLE)
        .handler("app.handler")
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(zip_of(&[(
                    "app.py",
                    PYTHON_APP.as_bytes(),
                    false,
                )])))
                .build(),
        )
        .send()
        .await
        .unwrap();
    let out = invoke(
        &c,
        "upper",
        r#"{"records": [{"recordId": "1", "data": "aGVsbG8="}]}"#,
    )
    .await;
    assert_eq!(out.function_error(), None, "{}", text(&out));
    let v: serde_json::Value = serde_json::from_str(&text(&out)).unwrap();
    assert_eq!(v["records"][0]["data"], "SEVMTE8=", "{v}");
    assert_eq!(v["remaining_ms"], true);

    // An exception is the function's error, named as the runtime names it.
    let out = invoke(&c, "upper", r#"{"fail": true}"#).await;
    assert_eq!(out.function_error(), Some("Unhandled"));
    let v: serde_json::Value = serde_json::from_str(&text(&out)).unwrap();
    assert_eq!(v["errorType"], "ValueError", "{v}");
    assert_eq!(v["errorMessage"], "asked to fail");

    // Its boto3 reaches the twin's Kinesis.
    let kinesis = crate::kinesis::client(&h.running.endpoint_url());
    kinesis
        .create_stream()
        .stream_name("py-out")
        .shard_count(1)
        .send()
        .await
        .unwrap();
    let out = invoke(&c, "upper", r#"{"put": "py-out"}"#).await;
    assert_eq!(out.function_error(), None, "{}", text(&out));
    let v: serde_json::Value = serde_json::from_str(&text(&out)).unwrap();
    assert_eq!(v["shard"], "shardId-000000000000");
    assert_eq!(v["region"], "us-east-1");
    let records = h
        .twin()
        .kinesis()
        .read_all("py-out", &mut Vec::new(), 10)
        .unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].data.as_ref(), b"from python");

    // A state machine invokes it, with the error name the function reported.
    let sfn = crate::states::sfn_client(&h.running.endpoint_url());
    let machine = sfn
        .create_state_machine()
        .name("py")
        .role_arn("arn:aws:iam::000000000000:role/sfn")
        .definition(
            serde_json::json!({
                "StartAt": "Call",
                "States": {"Call": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": "upper", "Payload.$": "$"},
                    "OutputPath": "$.Payload",
                    "End": true
                }}
            })
            .to_string(),
        )
        .send()
        .await
        .unwrap()
        .state_machine_arn;
    for (input, status) in [
        (
            r#"{"records": [{"recordId": "a", "data": "eA=="}]}"#,
            "SUCCEEDED",
        ),
        (r#"{"fail": true}"#, "FAILED"),
    ] {
        let started = sfn
            .start_execution()
            .state_machine_arn(&machine)
            .input(input)
            .send()
            .await
            .unwrap();
        let ended = h
            .twin()
            .states()
            .wait(started.execution_arn())
            .await
            .unwrap();
        assert_eq!(ended.status.as_str(), status, "{ended:?}");
        if status == "FAILED" {
            assert_eq!(ended.error.as_deref(), Some("ValueError"), "{ended:?}");
        } else {
            let v: serde_json::Value =
                serde_json::from_str(ended.output.as_deref().unwrap()).unwrap();
            assert_eq!(v["records"][0]["data"], "WA==");
        }
    }
}

/// A CommonJS handler: upper-cases `text`, fails when asked, and puts a record into the twin's
/// Kinesis with the AWS SDK v3 the runtime provides (the client finds the twin through
/// `AWS_ENDPOINT_URL`, as it would find AWS).
const NODE_APP: &str = r#"
const { KinesisClient, PutRecordCommand } = require("@aws-sdk/client-kinesis");
exports.handler = async (event, context) => {
  if (event.fail) {
    const e = new Error("asked to fail");
    e.name = "NodeFailure";
    throw e;
  }
  if (event.put) {
    const k = new KinesisClient({});
    const r = await k.send(new PutRecordCommand({
      StreamName: event.put, PartitionKey: "p", Data: Buffer.from("from node"),
    }));
    return { shard: r.ShardId, region: process.env.AWS_REGION };
  }
  return { text: String(event.text).toUpperCase(), remaining: context.getRemainingTimeInMillis() > 0 };
};
"#;

#[tokio::test]
async fn a_node_function_runs_under_the_official_runtime_client() {
    let h = Harness::new().await;
    let c = lambda_client(&h.running.endpoint_url());
    c.create_function()
        .function_name("node-upper")
        .runtime(Runtime::Nodejs22x)
        .role(ROLE)
        .handler("index.handler")
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(zip_of(&[(
                    "index.js",
                    NODE_APP.as_bytes(),
                    false,
                )])))
                .build(),
        )
        .send()
        .await
        .unwrap();
    let out = invoke(&c, "node-upper", r#"{"text": "hello"}"#).await;
    assert_eq!(out.function_error(), None, "{}", text(&out));
    let v: serde_json::Value = serde_json::from_str(&text(&out)).unwrap();
    assert_eq!(v["text"], "HELLO", "{v}");
    assert_eq!(v["remaining"], true);

    let out = invoke(&c, "node-upper", r#"{"fail": true}"#).await;
    assert_eq!(out.function_error(), Some("Unhandled"));
    let v: serde_json::Value = serde_json::from_str(&text(&out)).unwrap();
    assert_eq!(v["errorType"], "NodeFailure", "{v}");
    assert_eq!(v["errorMessage"], "asked to fail");

    let kinesis = crate::kinesis::client(&h.running.endpoint_url());
    kinesis
        .create_stream()
        .stream_name("node-out")
        .shard_count(1)
        .send()
        .await
        .unwrap();
    let out = invoke(&c, "node-upper", r#"{"put": "node-out"}"#).await;
    assert_eq!(out.function_error(), None, "{}", text(&out));
    let v: serde_json::Value = serde_json::from_str(&text(&out)).unwrap();
    assert_eq!(v["shard"], "shardId-000000000000", "{v}");
    assert_eq!(v["region"], "us-east-1");
    let records = h
        .twin()
        .kinesis()
        .read_all("node-out", &mut Vec::new(), 10)
        .unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].data.as_ref(), b"from node");
}

#[tokio::test]
async fn functions_survive_a_restart_with_a_state_dir() {
    let dir = tempfile::tempdir().unwrap();
    let config = kdaflow_local::TwinConfig {
        state_dir: Some(dir.path().to_path_buf()),
        ..kdaflow_local::TwinConfig::default()
    };
    let clock = kdaflow_asl::clock::VirtualClock::at_epoch_seconds(crate::support::T0);
    let echo = shell_runtime("", r#"printf '{"got":%s}' "$EVENT""#);
    let (before, sha) = {
        let h = Harness::with_clock(config.clone(), clock.clone()).await;
        let c = lambda_client(&h.running.endpoint_url());
        create(&c, "kept", echo).await;
        c.update_function_configuration()
            .function_name("kept")
            .environment(Environment::builder().variables("MODE", "blue").build())
            .send()
            .await
            .unwrap();
        let v = c
            .publish_version()
            .function_name("kept")
            .send()
            .await
            .unwrap();
        c.create_alias()
            .function_name("kept")
            .name("live")
            .function_version(v.version().unwrap())
            .send()
            .await
            .unwrap();
        // Invoked before the restart too: its warm process must not outlive the twin.
        let out = invoke(&c, "kept", "1").await;
        assert_eq!(text(&out), r#"{"got":1}"#);
        let got = c.get_function().function_name("kept").send().await.unwrap();
        let config = got.configuration.unwrap();
        h.running.shutdown().await.unwrap();
        (config.clone(), config.code_sha256.unwrap())
    };
    let h = Harness::with_clock(config, clock).await;
    let c = lambda_client(&h.running.endpoint_url());
    let after = c
        .get_function()
        .function_name("kept")
        .send()
        .await
        .unwrap()
        .configuration
        .unwrap();
    assert_eq!(after.function_arn, before.function_arn);
    assert_eq!(after.code_sha256.as_deref(), Some(sha.as_str()));
    assert_eq!(after.revision_id, before.revision_id);
    assert_eq!(
        after.environment.unwrap().variables.unwrap()["MODE"],
        "blue"
    );
    let alias = c
        .get_alias()
        .function_name("kept")
        .name("live")
        .send()
        .await
        .unwrap();
    assert_eq!(alias.function_version(), Some("1"));
    let out = c
        .invoke()
        .function_name("kept")
        .qualifier("live")
        .payload(Blob::new(r#"{"n": 1}"#))
        .send()
        .await
        .unwrap();
    assert_eq!(out.function_error(), None, "{}", text(&out));
    assert_eq!(text(&out), r#"{"got":{"n": 1}}"#);
}

#[tokio::test]
async fn code_comes_from_an_s3_object() {
    let h = Harness::new().await;
    let endpoint = h.running.endpoint_url();
    let c = lambda_client(&endpoint);
    crate::support::put_object(
        &endpoint,
        "code",
        "echo.zip",
        &shell_runtime("", "echo from-s3"),
    )
    .await;
    let from_s3 = |key: &str| {
        c.create_function()
            .function_name("from-s3")
            .runtime(Runtime::Providedal2023)
            .role(ROLE)
            .handler("h")
            .code(
                FunctionCode::builder()
                    .s3_bucket("code")
                    .s3_key(key)
                    .build(),
            )
    };
    let e = from_s3("missing.zip").send().await.unwrap_err();
    assert_eq!(code(&e), "InvalidParameterValueException");
    assert!(
        message(&e).contains("S3 Error Code: NoSuchKey"),
        "{}",
        message(&e)
    );
    from_s3("echo.zip").send().await.unwrap();
    let out = invoke(&c, "from-s3", "{}").await;
    assert_eq!(text(&out).trim(), "from-s3");
}
