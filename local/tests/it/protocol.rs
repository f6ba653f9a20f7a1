//! The wire protocol's framework errors and the control endpoints, through the router in
//! process (`oneshot`), byte by byte.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use kdaflow_local::{Twin, TwinConfig};
use tower::ServiceExt;

const AUTH: &str = "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kinesisanalytics/aws4_request, SignedHeaders=host, Signature=00";

fn twin() -> Twin {
    Twin::builder(TwinConfig::default()).build().unwrap()
}

async fn call(
    twin: &Twin,
    target: Option<&str>,
    auth: bool,
    body: impl Into<Body>,
) -> (StatusCode, serde_json::Value, axum::http::HeaderMap) {
    let mut req = Request::post("/").header("content-type", "application/x-amz-json-1.1");
    if let Some(t) = target {
        req = req.header("x-amz-target", t);
    }
    if auth {
        req = req.header("authorization", AUTH);
    }
    let resp = twin
        .router()
        .oneshot(req.body(body.into()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    (status, json, headers)
}

#[tokio::test]
async fn success_has_the_protocol_headers() {
    let t = twin();
    let (status, json, headers) = call(
        &t,
        Some("KinesisAnalytics_20150814.ListApplications"),
        true,
        "{}",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        json,
        serde_json::json!({"ApplicationSummaries": [], "HasMoreApplications": false})
    );
    assert_eq!(headers["content-type"], "application/x-amz-json-1.1");
    assert_eq!(headers["x-amzn-requestid"].len(), 36);
    // An empty body counts as {}.
    let (status, _, _) = call(
        &t,
        Some("KinesisAnalytics_20150814.ListApplications"),
        true,
        "",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn missing_authentication_token() {
    let (status, json, headers) = call(
        &twin(),
        Some("KinesisAnalytics_20150814.ListApplications"),
        false,
        "{}",
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(json["__type"], "MissingAuthenticationTokenException");
    assert_eq!(
        headers["x-amzn-errortype"],
        "MissingAuthenticationTokenException"
    );
}

#[tokio::test]
async fn auth_can_be_switched_off() {
    let t = Twin::builder(TwinConfig {
        require_auth: false,
        ..TwinConfig::default()
    })
    .build()
    .unwrap();
    let (status, _, _) = call(
        &t,
        Some("KinesisAnalytics_20150814.ListApplications"),
        false,
        "{}",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn unknown_operation_and_unknown_service() {
    let t = twin();
    let (status, json, _) = call(
        &t,
        Some("KinesisAnalytics_20150814.LaunchRocket"),
        true,
        "{}",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(json["__type"], "UnknownOperationException");
    assert!(json["message"].as_str().unwrap().contains("LaunchRocket"));
    // v2 signs as v1 does; its own prefix reaches it, an API version neither has does not.
    let (status, json, _) = call(
        &t,
        Some("KinesisAnalytics_20180523.ListApplications"),
        true,
        "{}",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(json["ApplicationSummaries"].is_array(), "{json}");
    let (_, json, _) = call(
        &t,
        Some("KinesisAnalytics_20990101.ListApplications"),
        true,
        "{}",
    )
    .await;
    assert_eq!(json["__type"], "UnknownOperationException");
    let (_, json, _) = call(&t, None, true, "{}").await;
    assert_eq!(json["__type"], "UnknownOperationException");
}

#[tokio::test]
async fn serialization_errors() {
    let t = twin();
    let target = Some("KinesisAnalytics_20150814.DescribeApplication");
    let (status, json, _) = call(&t, target, true, "{not json").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(json["__type"], "SerializationException");
    let (_, json, _) = call(&t, target, true, "[1,2]").await;
    assert_eq!(json["__type"], "SerializationException");
    let (_, json, _) = call(&t, target, true, r#"{"ApplicationName": 42}"#).await;
    assert_eq!(json["__type"], "SerializationException");
    // A missing required member is a constraint violation, not a serialization error.
    let (_, json, _) = call(&t, target, true, "{}").await;
    assert_eq!(json["__type"], "ValidationException");
    assert_eq!(
        json["message"],
        "1 validation error detected: Value null at 'applicationName' failed to satisfy constraint: Member must not be null"
    );
}

#[tokio::test]
async fn oversized_body_is_refused() {
    let t = twin();
    let big = format!(
        r#"{{"ApplicationName":"x","ApplicationCode":"{}"}}"#,
        "x".repeat(9 * 1024 * 1024)
    );
    let (status, json, _) = call(
        &t,
        Some("KinesisAnalytics_20150814.CreateApplication"),
        true,
        big,
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(json["__type"], "SerializationException");
    assert!(json["message"].as_str().unwrap().contains("8388608"));
}

#[tokio::test]
async fn fault_control_endpoint() {
    let t = twin();
    let arm = Request::post("/_kdaflow/faults")
        .body(Body::from(
            r#"{"kind":"error","service":"kinesisanalytics","operation":"ListApplications","error":"ThrottlingException","count":1}"#,
        ))
        .unwrap();
    let resp = t.router().oneshot(arm).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let list = t
        .router()
        .oneshot(
            Request::get("/_kdaflow/faults")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let bytes = list.into_body().collect().await.unwrap().to_bytes();
    let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(json["faults"][0]["error"], "ThrottlingException");
    let (status, json, _) = call(
        &t,
        Some("KinesisAnalytics_20150814.ListApplications"),
        true,
        "{}",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(json["__type"], "ThrottlingException");
    let (status, _, _) = call(
        &t,
        Some("KinesisAnalytics_20150814.ListApplications"),
        true,
        "{}",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // A malformed fault is refused with a hint.
    let bad = Request::post("/_kdaflow/faults")
        .body(Body::from(r#"{"kind":"meteor"}"#))
        .unwrap();
    let resp = t.router().oneshot(bad).await.unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    // Clearing.
    let t2 = t.clone();
    t.faults().arm(kdaflow_local::faults::FaultRequest::Start {
        behaviour: kdaflow_local::faults::StartFaultKind::Hang,
        application: None,
        count: 1,
    });
    let del = t2
        .router()
        .oneshot(
            Request::delete("/_kdaflow/faults")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(del.status(), StatusCode::OK);
    assert!(t.faults().list().is_empty());
}
