//! `arn:aws:states:::aws-sdk:<service>:<action>` tasks, dispatched in-process to the twin's
//! own services through the same [`Service::call`] the HTTP gateway uses.
//!
//! The task's `Parameters` are the API request with PascalCase member names and its result is
//! the response with PascalCase names (developer guide, "AWS SDK service integrations"). Most
//! of the twin's services already speak PascalCase on the wire; Step Functions itself speaks
//! lowerCamel, so its requests and responses are converted. An error becomes
//! `(exception name, cause)` with the cause worded as AWS words it:
//! `<message> (Service: <Service>, Status Code: <n>, Request ID: <id>)`.

use std::collections::HashMap;
use std::sync::{Arc, Weak};

use async_trait::async_trait;
use bytes::Bytes;
use kdaflow_asl::task::{SdkCalls, sdk_service_prefix};
use parking_lot::RwLock;
use serde_json::{Map, Value};

use crate::gateway::Service;

/// The SDK service ids whose twin service has another name.
const ALIASES: &[(&str, &str)] = &[("sfn", "states"), ("eventbridge", "events")];

/// The twin's services, as aws-sdk tasks address them.
///
/// Services are held weakly: the states service is one of them and holds this directory, and
/// a strong reference would keep the whole twin alive after it is dropped.
#[derive(Debug, Default)]
pub struct TwinSdk {
    services: RwLock<HashMap<String, Weak<dyn Service>>>,
}

impl TwinSdk {
    /// An empty directory.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes `services` callable, each by its [`Service::name`].
    pub fn register_all(&self, services: &[Arc<dyn Service>]) {
        let mut map = self.services.write();
        for s in services {
            map.insert(s.name().to_string(), Arc::downgrade(s));
        }
    }

    fn service(&self, sdk_id: &str) -> Option<Arc<dyn Service>> {
        let name = ALIASES
            .iter()
            .find(|(id, _)| *id == sdk_id)
            .map(|(_, n)| *n)
            .unwrap_or(sdk_id);
        self.services.read().get(name).and_then(Weak::upgrade)
    }
}

/// `describeApplication` -> `DescribeApplication`.
pub fn operation_name(action: &str) -> String {
    let mut c = action.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Renames every object key's first letter (recursively) with `f`.
fn recase(v: Value, f: fn(char) -> String) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let mut c = k.chars();
                    let key = c.next().map(|x| f(x) + c.as_str()).unwrap_or_default();
                    (key, recase(v, f))
                })
                .collect::<Map<String, Value>>(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(|v| recase(v, f)).collect()),
        other => other,
    }
}

#[async_trait]
impl SdkCalls for TwinSdk {
    async fn call(
        &self,
        service: &str,
        action: &str,
        parameters: Value,
    ) -> Result<Value, (String, String)> {
        let prefix = sdk_service_prefix(service);
        let Some(target) = self.service(service) else {
            return Err((
                "ServiceNotHostedException".into(),
                format!(
                    "The twin does not host the '{service}' service, so 'aws-sdk:{service}:{action}' cannot run locally"
                ),
            ));
        };
        let lower_camel = target.name() == "states";
        let parameters = if lower_camel {
            recase(parameters, |c| c.to_lowercase().collect())
        } else {
            parameters
        };
        let body = Bytes::from(parameters.to_string());
        match target.call(&operation_name(action), body).await {
            Ok(bytes) => {
                let v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                Ok(if lower_camel {
                    recase(v, |c| c.to_uppercase().collect())
                } else {
                    v
                })
            }
            Err(e) => Err((
                e.code.clone(),
                format!(
                    "{} (Service: {prefix}, Status Code: {}, Request ID: {})",
                    e.message,
                    e.status.as_u16(),
                    uuid::Uuid::new_v4()
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_case() {
        assert_eq!(operation_name("describeApplication"), "DescribeApplication");
        let v = recase(
            serde_json::json!({"StateMachineArn": "x", "A": [{"Bc": 1}]}),
            |c| c.to_lowercase().collect(),
        );
        assert_eq!(
            v,
            serde_json::json!({"stateMachineArn": "x", "a": [{"bc": 1}]})
        );
    }
}
