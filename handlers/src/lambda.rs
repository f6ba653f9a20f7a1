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
    let kda = client().await;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<I>| {
        let (task, kda) = (task.clone(), kda.clone());
        async move { task(kda, event.payload).await.map_err(HandlerError) }
    }))
    .await
}
