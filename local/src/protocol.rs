//! The AWS wire protocols' shared parts: the error every service answers with ([`AwsError`]),
//! how it is written for each [`Protocol`], the per-service error enums ([`aws_errors!`]), and
//! the awsJson request and response bodies.
//!
//! awsJson errors are a non-2xx status with a JSON body `{"__type": "...", "message": "..."}`
//! and the same name in `X-Amzn-ErrorType`; restJson1 errors carry the name in
//! `X-Amzn-ErrorType` and `{"Type": "User", "message": "..."}`; restXml errors are
//! `<Error><Code>..</Code><Message>..</Message><RequestId>..</RequestId></Error>`. This is what
//! the AWS SDKs, boto3 and the CLI parse.

use std::fmt;

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Serialize;

use crate::service::Protocol;

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
        CommonError::Serialization.with(message)
    }

    /// `UnknownOperationException`.
    pub fn unknown_operation(target: &str) -> Self {
        CommonError::UnknownOperation.with(format!(
            "The operation {target:?} is not known to this endpoint"
        ))
    }

    /// An operation of the AWS model that the twin does not serve.
    pub fn not_implemented(service: &str, operation: &str) -> Self {
        CommonError::UnknownOperation.with(format!(
                "{service}.{operation} is part of the AWS API but not implemented by the kdaflow twin \
                 (README, \"Known divergences\"); the operations it serves are listed by GET /_kdaflow/health"
        ))
    }

    /// Renders the error as an HTTP response in `protocol`'s shape.
    pub fn into_response(self, protocol: Protocol, request_id: &str) -> Response {
        match protocol {
            Protocol::AwsJson { version, .. } => self.into_response_for(version, request_id),
            Protocol::RestJson => self.into_rest_json(request_id),
            Protocol::RestXml => self.into_rest_xml(request_id),
        }
    }

    fn into_rest_json(self, request_id: &str) -> Response {
        let kind = if self.status.is_server_error() {
            "Service"
        } else {
            "User"
        };
        let mut body = serde_json::Map::new();
        body.insert("Type".into(), kind.into());
        body.insert("message".into(), self.message.clone().into());
        if let Some(extra) = &self.extra {
            body.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        let mut response = (self.status, Bytes::from(bytes)).into_response();
        let headers = response.headers_mut();
        headers.insert("content-type", HeaderValue::from_static("application/json"));
        self.name_headers(headers, request_id);
        response
    }

    fn into_rest_xml(self, request_id: &str) -> Response {
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{}</Code><Message>{}</Message><RequestId>{}</RequestId></Error>",
            xml_escape(&self.code),
            xml_escape(&self.message),
            xml_escape(request_id)
        );
        let mut response = (self.status, Bytes::from(body)).into_response();
        let headers = response.headers_mut();
        headers.insert("content-type", HeaderValue::from_static("application/xml"));
        if let Ok(v) = HeaderValue::from_str(request_id) {
            headers.insert("x-amz-request-id", v);
        }
        response
    }

    fn name_headers(&self, headers: &mut axum::http::HeaderMap, request_id: &str) {
        if let Ok(v) = HeaderValue::from_str(&self.code) {
            headers.insert("x-amzn-errortype", v);
        }
        if let Ok(v) = HeaderValue::from_str(request_id) {
            headers.insert("x-amzn-requestid", v);
        }
    }

    /// Renders the error as an awsJson response.
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
        self.name_headers(headers, request_id);
        response
    }
}

/// Escapes text for an XML element.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
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

/// Milliseconds since the epoch as the awsJson protocols' epoch seconds (with a fraction).
pub fn epoch_seconds(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

/// Whether a timestamp a client sent (awsJson epoch seconds) names the instant `ms` (epoch
/// milliseconds), at the precision the client sent it. boto3 and the AWS CLI truncate
/// timestamps to whole seconds on the awsJson wire (botocore's `_timestamp_unixtimestamp`); the
/// Rust and JavaScript SDKs send milliseconds as a fraction. A whole number matches the second
/// the instant falls in; a fraction must match to the millisecond.
///
/// ```
/// use kdaflow_local::protocol::same_timestamp;
/// let created = 1_700_000_000_123; // ms
/// assert!(same_timestamp(1_700_000_000.123, created)); // Rust, JavaScript SDKs
/// assert!(same_timestamp(1_700_000_000.0, created)); // boto3, AWS CLI (truncated)
/// assert!(!same_timestamp(1_700_000_001.0, created));
/// assert!(!same_timestamp(1_700_000_000.5, created));
/// ```
pub fn same_timestamp(given_seconds: f64, ms: i64) -> bool {
    if !given_seconds.is_finite() {
        return false;
    }
    if given_seconds.fract() == 0.0 {
        given_seconds as i64 == ms.div_euclid(1000)
    } else {
        ((given_seconds * 1000.0).round() as i64 - ms).abs() <= 1
    }
}

/// Serialises an operation's output.
pub fn to_body<T: Serialize>(value: &T) -> Result<Bytes, AwsError> {
    serde_json::to_vec(value)
        .map(Bytes::from)
        .map_err(|e| CommonError::InternalFailure.with(format!("cannot encode the response: {e}")))
}

/// Declares a service's error enum: one variant per AWS error name the service answers with.
/// [`with`](ToyError::with) attaches a message and renders it into an [`AwsError`] (the name as
/// `__type`, the status [`AwsError::named`] gives that name unless the variant names one).
///
/// ```
/// kdaflow_local::aws_errors! {
///     /// The errors of a toy service.
///     pub enum ToyError {
///         /// The thing is not there.
///         NotFound = "ResourceNotFoundException",
///         /// It is busy (HTTP 409 on this service).
///         Conflict = "ResourceConflictException" => 409,
///     }
/// }
/// let e = ToyError::NotFound.with("no toy");
/// assert_eq!((e.code.as_str(), e.status.as_u16()), ("ResourceNotFoundException", 400));
/// assert_eq!(ToyError::Conflict.with(format!("toy {} is busy", 1)).status.as_u16(), 409);
/// assert_eq!(ToyError::NAMES, ["ResourceNotFoundException", "ResourceConflictException"]);
/// ```
#[macro_export]
macro_rules! aws_errors {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal $(=> $status:literal)? ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
        }

        #[allow(dead_code)]
        impl $name {
            /// Every error name this enum renders, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($code),*];

            /// The AWS error name (`__type`).
            pub fn name(self) -> &'static str {
                match self { $( Self::$variant => $code, )* }
            }

            /// The HTTP status.
            pub fn status(self) -> u16 {
                match self {
                    $( Self::$variant => $crate::__aws_error_status!($code $(, $status)?), )*
                }
            }

            /// The error with `message`, in the wire shape.
            pub fn with(self, message: impl Into<String>) -> $crate::protocol::AwsError {
                $crate::protocol::AwsError::with_status(
                    self.name(),
                    message,
                    $crate::protocol::status_code(self.status()),
                )
            }
        }
    };
}

/// The status of an [`aws_errors!`] variant (an implementation detail of the macro).
#[doc(hidden)]
#[macro_export]
macro_rules! __aws_error_status {
    ($code:literal) => {
        $crate::protocol::AwsError::named($code, "").status.as_u16()
    };
    ($code:literal, $status:literal) => {
        $status
    };
}

/// An HTTP status from its number (400 for a number that is not one).
pub fn status_code(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST)
}

aws_errors! {
    /// Errors every AWS front end answers with, whatever the service (the AWS API reference's
    /// "Common Errors"), as the twin's shared parts raise them.
    pub enum CommonError {
        /// A member violates the model's constraints (see [`crate::validation::Constraints`]).
        Validation = "ValidationException",
        /// The body is not the JSON (or XML) the operation expects.
        Serialization = "SerializationException",
        /// A change could not be stored, so it was not made.
        ServiceUnavailable = "ServiceUnavailableException",
        /// No service of the endpoint has this operation.
        UnknownOperation = "UnknownOperationException",
        /// The twin failed in a way it did not expect.
        InternalFailure = "InternalFailure",
        /// A request without any SigV4 signature.
        MissingAuthenticationToken = "MissingAuthenticationTokenException",
    }
}
