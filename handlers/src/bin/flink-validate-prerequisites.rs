//! Lambda: ValidatePrerequisites (Flink).
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    kdaflow_handlers::lambda::run_pure(kdaflow_handlers::flink::validate_prerequisites).await
}
