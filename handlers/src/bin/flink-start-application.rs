//! Lambda: StartApplication (Flink).
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    kdaflow_handlers::lambda::run_with_flink(|c, input| async move {
        // Boxed: the SDK futures nest past the compiler's layout limit otherwise.
        Box::pin(kdaflow_handlers::flink::start_application(&c, input)).await
    })
    .await
}
