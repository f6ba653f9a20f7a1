//! Lambda: ValidatePrerequisites.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    kdaflow_handlers::lambda::run_pure(kdaflow_handlers::validate::validate_prerequisites).await
}
