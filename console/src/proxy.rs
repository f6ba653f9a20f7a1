//! `/console/aws/{service}/...`: the page's AWS calls, handed to the twin's gateway in-process
//! as an SDK would send them — the same path, query, headers and body, with an
//! `Authorization` header whose credential scope names `{service}` (the gateway routes by it).
//! The answer is the service's, status and body unchanged, so the page sees exactly the
//! errors any client sees.
//!
//! The twin accepts any signature today; the console signs with its own key id
//! (`kdaflow-console`) and no real signature.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tower::ServiceExt;

use crate::{Shared, json_response};

/// The services the console calls, by signing name.
pub const SERVICES: &[&str] = &[
    "kinesisanalytics",
    "firehose",
    "kinesis",
    "states",
    "events",
    "lambda",
    "s3",
];

/// The largest request the page sends (a Lambda payload is at most 6 MB).
const MAX_BODY: usize = 8 * 1024 * 1024;

/// Forwards one call.
pub(crate) async fn call(
    State(s): State<Arc<Shared>>,
    Path(params): Path<Vec<(String, String)>>,
    request: Request,
) -> Response {
    let service = params
        .iter()
        .find(|(k, _)| k == "service")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    if !SERVICES.contains(&service.as_str()) {
        return json_response(
            StatusCode::NOT_FOUND,
            &json!({
                "__type": "UnknownService",
                "message": format!("the console calls {SERVICES:?}, not {service:?}")
            }),
        );
    }
    let (mut parts, body) = request.into_parts();
    let Ok(body) = to_bytes(body, MAX_BODY).await else {
        return json_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            &json!({
                "__type": "SerializationException",
                "message": format!("the console forwards requests of at most {MAX_BODY} bytes")
            }),
        );
    };
    let prefix = format!("/console/aws/{service}");
    let rest = parts
        .uri
        .path()
        .strip_prefix(&prefix)
        .unwrap_or("")
        .to_string();
    let path = if rest.is_empty() {
        "/".to_string()
    } else {
        rest
    };
    let target = match parts.uri.query() {
        Some(q) => format!("{path}?{q}"),
        None => path,
    };
    let Ok(uri) = target.parse::<Uri>() else {
        return (StatusCode::BAD_REQUEST, "not a valid request path").into_response();
    };
    parts.uri = uri;
    let now = s.twin.clock().now();
    let date = now.format("%Y%m%dT%H%M%SZ").to_string();
    let scope = format!(
        "kdaflow-console/{}/{}/{service}/aws4_request",
        &date[..8],
        s.twin.config().region
    );
    let auth = format!(
        "AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host;x-amz-date, Signature={}",
        "0".repeat(64)
    );
    let headers = &mut parts.headers;
    for h in ["cookie", "origin", "referer"] {
        headers.remove(h);
    }
    if let Ok(v) = HeaderValue::from_str(&auth) {
        headers.insert("authorization", v);
    }
    if let Ok(v) = HeaderValue::from_str(&date) {
        headers.insert("x-amz-date", v);
    }
    let forwarded = Request::from_parts(parts, Body::from(body));
    match s.api.clone().oneshot(forwarded).await {
        Ok(r) => r,
        Err(e) => match e {},
    }
}
