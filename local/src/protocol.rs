//! The AWS JSON wire protocol (awsJson1_0 and awsJson1_1) as the twin speaks it.
//!
//! Errors are a non-2xx status with a JSON body `{"__type": "...", "message": "..."}` and the
//! same name in `X-Amzn-ErrorType`; this is what the AWS SDKs, boto3 and the CLI parse.

use std::fmt;

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Serialize;

/// Which flavour of the AWS JSON protocol a service speaks (only the content type differs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonVersion {
    /// `application/x-amz-json-1.0` (Step Functions).
    V1_0,
    /// `application/x-amz-json-1.1` (Kinesis Analytics, EventBridge, Firehose, Kinesis).
    V1_1,
}

impl JsonVersion {
    /// The content type of requests and responses.
    pub fn content_type(self) -> &'static str {
        match self {
            JsonVersion::V1_0 => "application/x-amz-json-1.0",
            JsonVersion::V1_1 => "application/x-amz-json-1.1",
        }
    }
}

/// An error in the service's own shape: the AWS error name, a message, an HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsError {
    /// The error name (`__type`), e.g. `ResourceNotFoundException`.
    pub code: String,
    /// The human-readable message.
    pub message: String,
    /// The HTTP status.
    pub status: StatusCode,
    /// Extra members some error shapes carry (e.g. `RawInputRecords`).
    pub extra: Option<Box<serde_json::Map<String, serde_json::Value>>>,
}

impl AwsError {
    /// A client error (HTTP 400).
    pub fn client(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            status: StatusCode::BAD_REQUEST,
            extra: None,
        }
    }

    /// An error with an explicit status.
    pub fn with_status(
        code: impl Into<String>,
        message: impl Into<String>,
        status: StatusCode,
    ) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            status,
            extra: None,
        }
    }

    /// The error a named AWS exception gets by default: the status the service models for it.
    ///
    /// `ServiceUnavailableException` is a server fault (503, as the Smithy model says);
    /// `ConcurrentModificationException` is sent as 400 (the API reference's figure; the SDKs key
    /// off `__type`, not the status); throttling is 400 as on AWS.
    pub fn named(code: &str, message: impl Into<String>) -> Self {
        let status = match code {
            "ServiceUnavailableException" | "ServiceUnavailable" => StatusCode::SERVICE_UNAVAILABLE,
            "InternalFailure" | "InternalServerError" | "InternalFailureException" => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            "MissingAuthenticationTokenException"
            | "UnrecognizedClientException"
            | "AccessDeniedException"
            | "IncompleteSignatureException" => StatusCode::FORBIDDEN,
            _ => StatusCode::BAD_REQUEST,
        };
        Self::with_status(code, message, status)
    }

    /// Adds an extra member to the error body.
    pub fn with_member(mut self, name: &str, value: serde_json::Value) -> Self {
        self.extra
            .get_or_insert_with(Default::default)
            .insert(name.to_string(), value);
        self
    }

    /// `SerializationException`: the body is not the JSON the operation expects.
    pub fn serialization(message: impl Into<String>) -> Self {
        Self::client("SerializationException", message)
    }

    /// `UnknownOperationException`.
    pub fn unknown_operation(target: &str) -> Self {
        Self::client(
            "UnknownOperationException",
            format!("The operation {target:?} is not known to this endpoint"),
        )
    }

    /// Renders the error as an HTTP response in the protocol's shape.
    pub fn into_response_for(self, version: JsonVersion, request_id: &str) -> Response {
        #[derive(Serialize)]
        struct Body<'a> {
            #[serde(rename = "__type")]
            kind: &'a str,
            message: &'a str,
            #[serde(flatten, skip_serializing_if = "Option::is_none")]
            extra: Option<&'a serde_json::Map<String, serde_json::Value>>,
        }
        let body = serde_json::to_vec(&Body {
            kind: &self.code,
            message: &self.message,
            extra: self.extra.as_deref(),
        })
        .unwrap_or_default();
        let mut response = (self.status, Bytes::from(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            "content-type",
            HeaderValue::from_static(version.content_type()),
        );
        if let Ok(v) = HeaderValue::from_str(&self.code) {
            headers.insert("x-amzn-errortype", v);
        }
        if let Ok(v) = HeaderValue::from_str(request_id) {
            headers.insert("x-amzn-requestid", v);
        }
        response
    }
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for AwsError {}

/// Parses a request body as the operation's input type.
///
/// An empty body counts as `{}`, as AWS front ends treat it. JSON that is not an object, or whose
/// members have the wrong JSON type, is a `SerializationException`.
pub fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, AwsError> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(_)) => {}
        Ok(_) => {
            return Err(AwsError::serialization(
                "The request body must be a JSON object",
            ));
        }
        Err(e) => {
            return Err(AwsError::serialization(format!(
                "The request body is not valid JSON: {e}"
            )));
        }
    }
    serde_json::from_slice(body).map_err(|e| {
        AwsError::serialization(format!(
            "The request body does not match the operation's input shape: {e}"
        ))
    })
}

/// Serialises an operation's output.
pub fn to_body<T: Serialize>(value: &T) -> Result<Bytes, AwsError> {
    serde_json::to_vec(value).map(Bytes::from).map_err(|e| {
        AwsError::named(
            "InternalFailure",
            format!("cannot encode the response: {e}"),
        )
    })
}
