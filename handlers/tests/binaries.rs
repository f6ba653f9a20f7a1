//! The four `lambda_runtime` binaries, one per task of the contract: each exists under the name
//! the contract (and the CloudFormation stack, and `kdaflow serve --tasks process`) uses, and
//! starts the Lambda runtime loop, which fails at once when no Runtime API answers — the
//! behaviour of a function whose sandbox has no Runtime API. (Building this test builds the
//! binaries, which the twin's process-task scenarios then run under its Runtime API.)

use std::process::Command;

fn binary(name: &str) -> &'static str {
    match name {
        "validate-prerequisites" => env!("CARGO_BIN_EXE_validate-prerequisites"),
        "create-application" => env!("CARGO_BIN_EXE_create-application"),
        "start-application" => env!("CARGO_BIN_EXE_start-application"),
        "check-application-status" => env!("CARGO_BIN_EXE_check-application-status"),
        other => panic!("no binary for task {other}"),
    }
}

#[test]
fn every_task_has_its_binary_and_it_needs_a_runtime_api() {
    for task in kdaflow_workflow::contract::TASK_FUNCTIONS {
        let out = Command::new(binary(task.binary))
            // A port nothing listens on.
            .env("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_LAMBDA_FUNCTION_NAME", task.name)
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .output()
            .unwrap();
        assert!(!out.status.success(), "{}: {out:?}", task.binary);
    }
}
