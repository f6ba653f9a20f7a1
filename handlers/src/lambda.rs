//! The `lambda_runtime` glue: each binary in `src/bin/` is `main` calling one of these.
//!
//! A [`TaskFailure`] becomes a `Diagnostic` whose `error_type` is the contract name, so Step
//! Functions names the error exactly as the state machine's Retry/Catch expect.

use std::future::Future;

use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Kda, TaskFailure};

/// A task failure as it crosses the Lambda boundary.
#[derive(Debug)]
pub struct HandlerError(pub TaskFailure);

impl From<HandlerError> for Diagnostic {
    fn from(e: HandlerError) -> Self {
        Diagnostic {
            error_type: e.0.error_type.to_string(),
            error_message: e.0.message,
        }
    }
}

/// A Kinesis Analytics client from the Lambda environment (region, credentials, and
/// `AWS_ENDPOINT_URL` if set, as the SDK resolves them).
pub async fn client() -> Kda {
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    Kda::new(&config)
}

/// Runs a task that needs no AWS client.
pub async fn run_pure<I, O, F, Fut>(task: F) -> Result<(), lambda_runtime::Error>
where
    I: DeserializeOwned + Send + 'static,
    O: Serialize + Send + 'static,
    F: Fn(I) -> Fut + Send + Sync + Clone + 'static,
    Fut: Future<Output = Result<O, TaskFailure>> + Send,
{
    lambda_runtime::run(service_fn(move |event: LambdaEvent<I>| {
        let task = task.clone();
        async move { task(event.payload).await.map_err(HandlerError) }
    }))
    .await
}

/// Runs a task over a Kinesis Analytics client.
pub async fn run_with_client<I, O, F, Fut>(task: F) -> Result<(), lambda_runtime::Error>
where
    I: DeserializeOwned + Send + 'static,
    O: Serialize + Send + 'static,
    F: Fn(Kda, I) -> Fut + Send + Sync + Clone + 'static,
    Fut: Future<Output = Result<O, TaskFailure>> + Send,
{
    run_with(client().await, task).await
}

/// Runs a task over a Managed Service for Apache Flink (kinesisanalyticsv2) client.
pub async fn run_with_flink<I, O, F, Fut>(task: F) -> Result<(), lambda_runtime::Error>
where
    I: DeserializeOwned + Send + 'static,
    O: Serialize + Send + 'static,
    F: Fn(crate::flink::Flink, I) -> Fut + Send + Sync + Clone + 'static,
    Fut: Future<Output = Result<O, TaskFailure>> + Send,
{
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    run_with(crate::flink::Flink::new(&config), task).await
}

async fn run_with<C, I, O, F, Fut>(client: C, task: F) -> Result<(), lambda_runtime::Error>
where
    C: Clone + Send + Sync + 'static,
    I: DeserializeOwned + Send + 'static,
    O: Serialize + Send + 'static,
    F: Fn(C, I) -> Fut + Send + Sync + Clone + 'static,
    Fut: Future<Output = Result<O, TaskFailure>> + Send,
{
    lambda_runtime::run(service_fn(move |event: LambdaEvent<I>| {
        let (task, client) = (task.clone(), client.clone());
        async move { task(client, event.payload).await.map_err(HandlerError) }
    }))
    .await
}
