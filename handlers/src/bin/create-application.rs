//! Lambda: CreateOrVerifyApplication.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    kdaflow_handlers::lambda::run_with_client(|kda, request| async move {
        kdaflow_handlers::create::create_application(&kda, request).await
    })
    .await
}
