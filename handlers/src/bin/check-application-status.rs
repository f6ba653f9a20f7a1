//! Lambda: CheckApplicationStatus.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    kdaflow_handlers::lambda::run_with_client(|kda, input| async move {
        kdaflow_handlers::check::check_application_status(&kda, input).await
    })
    .await
}
