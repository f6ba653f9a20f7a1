//! The twin's Lambda functions: a registry of in-process functions, addressed by name or ARN
//! as Step Functions and Kinesis Analytics address real Lambda functions.
//!
//! `kdaflow` fills it with the bootstrap workflow's task handlers and with stand-ins for the
//! reference application's functions; the states service and the data plane invoke through it.
//! A function failure is a [`LambdaError`] (`errorType`, `errorMessage`), exactly what a Rust
//! Lambda's `Diagnostic` reports on AWS.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use async_trait::async_trait;
use kdaflow_asl::task::{LambdaError, LambdaFunctions};
use parking_lot::RwLock;
use serde_json::Value;

/// What a local function returns.
pub type FunctionFuture = Pin<Box<dyn Future<Output = Result<Value, LambdaError>> + Send>>;

/// A function hosted in the twin's process.
pub trait LocalFunction: Send + Sync + Debug {
    /// Handles one invocation with the event `payload`.
    fn invoke(&self, payload: Value) -> FunctionFuture;
}

/// A [`LocalFunction`] made from an async closure.
pub struct FnFunction<F> {
    description: String,
    f: F,
}

impl<F> Debug for FnFunction<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FnFunction")
            .field("description", &self.description)
            .finish()
    }
}

impl<F, Fut> LocalFunction for FnFunction<F>
where
    F: Fn(Value) -> Fut + Send + Sync,
    Fut: Future<Output = Result<Value, LambdaError>> + Send + 'static,
{
    fn invoke(&self, payload: Value) -> FunctionFuture {
        Box::pin((self.f)(payload))
    }
}

/// Wraps an async closure as a function.
pub fn function<F, Fut>(description: &str, f: F) -> Arc<dyn LocalFunction>
where
    F: Fn(Value) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Value, LambdaError>> + Send + 'static,
{
    Arc::new(FnFunction {
        description: description.to_string(),
        f,
    })
}

/// The registry.
#[derive(Debug)]
pub struct LambdaRegistry {
    region: String,
    account_id: String,
    functions: RwLock<BTreeMap<String, Arc<dyn LocalFunction>>>,
}

impl LambdaRegistry {
    /// An empty registry for functions of `account_id` in `region`.
    pub fn new(region: &str, account_id: &str) -> Self {
        Self {
            region: region.to_string(),
            account_id: account_id.to_string(),
            functions: RwLock::new(BTreeMap::new()),
        }
    }

    /// The ARN of function `name` on this twin.
    pub fn arn(&self, name: &str) -> String {
        format!(
            "arn:aws:lambda:{}:{}:function:{name}",
            self.region, self.account_id
        )
    }

    /// Registers (or replaces) function `name`; returns its ARN.
    pub fn register(&self, name: &str, function: Arc<dyn LocalFunction>) -> String {
        self.functions.write().insert(name.to_string(), function);
        self.arn(name)
    }

    /// The registered function names.
    pub fn names(&self) -> Vec<String> {
        self.functions.read().keys().cloned().collect()
    }

    /// The function a name, a name with a qualifier, or an ARN (with or without a version or
    /// alias) designates; `Err` says why there is none.
    pub fn resolve(&self, name_or_arn: &str) -> Result<Arc<dyn LocalFunction>, LambdaError> {
        let not_found = |why: String| LambdaError {
            error_type: Some("Lambda.ResourceNotFoundException".to_string()),
            error_message: why,
        };
        let name = if let Some(rest) = name_or_arn.strip_prefix("arn:") {
            // arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
            let parts: Vec<&str> = rest.split(':').collect();
            if parts.len() < 6 || parts[1] != "lambda" || parts[4] != "function" {
                return Err(not_found(format!(
                    "{name_or_arn} is not a Lambda function ARN"
                )));
            }
            if parts[2] != self.region || parts[3] != self.account_id {
                return Err(not_found(format!(
                    "Function not found: {name_or_arn} (this twin hosts functions of account {} in {})",
                    self.account_id, self.region
                )));
            }
            parts[5]
        } else {
            name_or_arn.split(':').next().unwrap_or_default()
        };
        self.functions
            .read()
            .get(name)
            .cloned()
            .ok_or_else(|| not_found(format!("Function not found: {}", self.arn(name))))
    }

    /// Invokes a function.
    pub async fn invoke(&self, name_or_arn: &str, payload: Value) -> Result<Value, LambdaError> {
        let function = self.resolve(name_or_arn)?;
        function.invoke(payload).await
    }
}

#[async_trait]
impl LambdaFunctions for LambdaRegistry {
    async fn invoke_function(&self, function: &str, payload: Value) -> Result<Value, LambdaError> {
        self.invoke(function, payload).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn resolves_names_arns_and_qualifiers() {
        let registry = LambdaRegistry::new("us-east-1", "000000000000");
        let arn = registry.register(
            "echo",
            function(
                "echo",
                |v| async move { Ok(serde_json::json!({ "got": v })) },
            ),
        );
        assert_eq!(arn, "arn:aws:lambda:us-east-1:000000000000:function:echo");
        for id in ["echo", "echo:live", arn.as_str(), &format!("{arn}:3")] {
            let out = registry.invoke(id, serde_json::json!(1)).await.unwrap();
            assert_eq!(out, serde_json::json!({"got": 1}));
        }
        let e = registry.invoke("nope", Value::Null).await.unwrap_err();
        assert_eq!(
            e.error_type.as_deref(),
            Some("Lambda.ResourceNotFoundException")
        );
        let e = registry
            .invoke(
                "arn:aws:lambda:eu-west-1:000000000000:function:echo",
                Value::Null,
            )
            .await
            .unwrap_err();
        assert!(e.error_message.contains("us-east-1"));
    }
}
