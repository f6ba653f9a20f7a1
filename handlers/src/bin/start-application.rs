//! Lambda: StartApplication.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    kdaflow_handlers::lambda::run_with_client(|kda, input| async move {
        kdaflow_handlers::start::start_application(&kda, input).await
    })
    .await
}
