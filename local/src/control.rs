//! Twin control endpoints owned by the data plane side: `GET /_kdaflow/standins` lists the
//! stand-in functions and `GET /_kdaflow/standins/{name}` shows what one holds
//! (`kdaflow inspect <name>` reads it); `GET /_kdaflow/lambda/functions/{name}/code` is a
//! function's zip (GetFunction's `Code.Location`) and `.../logs` what its processes wrote
//! (`kdaflow logs <name>` reads it), `.../invocations` its latest invocations with their
//! payloads and answers (the console's function page); `GET
//! /_kdaflow/firehose/{name}/latest` a delivery stream's record count and latest records.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::firehose::Firehose;
use crate::lambda::Lambda;
use crate::standins::Registry;

/// The routes.
pub fn router(standins: Arc<Registry>, lambda: Arc<Lambda>, firehose: Arc<Firehose>) -> Router {
    Router::new()
        .route("/_kdaflow/standins", get(list))
        .route("/_kdaflow/standins/{name}", get(show))
        .with_state(standins)
        .merge(
            Router::new()
                .route("/_kdaflow/lambda/functions/{name}/code", get(code))
                .route("/_kdaflow/lambda/functions/{name}/logs", get(logs))
                .route(
                    "/_kdaflow/lambda/functions/{name}/invocations",
                    get(invocations),
                )
                .with_state(lambda),
        )
        .merge(
            Router::new()
                .route("/_kdaflow/firehose/{name}/latest", get(firehose_latest))
                .with_state(firehose),
        )
}

/// The records a delivery stream accepted in all, and its latest [`LATEST`] (Firehose has no
/// API that reads a stream).
async fn firehose_latest(State(f): State<Arc<Firehose>>, Path(name): Path<String>) -> Response {
    let read = f.end_offset(&name).and_then(|end| {
        f.read(&name, end.saturating_sub(LATEST), LATEST as usize)
            .map(|r| (end, r.0))
    });
    match read {
        Ok((end, records)) => json(
            StatusCode::OK,
            serde_json::json!({
                "deliveryStream": name,
                "count": end,
                "records": records.iter().rev().map(|r| serde_json::json!({
                    "recordId": r.record_id,
                    "atMs": r.arrival_ms,
                    "data": String::from_utf8_lossy(&r.data),
                })).collect::<Vec<_>>(),
            }),
        ),
        Err(e) => json(
            StatusCode::NOT_FOUND,
            serde_json::json!({"error": e.to_string()}),
        ),
    }
}

/// Records shown by `/_kdaflow/firehose/{name}/latest`, newest first.
const LATEST: u64 = 20;

async fn code(State(lambda): State<Arc<Lambda>>, Path(name): Path<String>) -> Response {
    match lambda.code_zip(&name) {
        Some(bytes) => {
            let mut r = (StatusCode::OK, bytes).into_response();
            r.headers_mut()
                .insert("content-type", HeaderValue::from_static("application/zip"));
            r
        }
        None => json(
            StatusCode::NOT_FOUND,
            serde_json::json!({"error": format!("no code package for function {name}")}),
        ),
    }
}

async fn logs(State(lambda): State<Arc<Lambda>>, Path(name): Path<String>) -> Response {
    json(
        StatusCode::OK,
        serde_json::json!({ "function": name, "lines": lambda.logs(&name) }),
    )
}

async fn invocations(State(lambda): State<Arc<Lambda>>, Path(name): Path<String>) -> Response {
    json(
        StatusCode::OK,
        serde_json::json!({ "function": name, "invocations": lambda.recent_invocations(&name) }),
    )
}

fn json(status: StatusCode, value: serde_json::Value) -> Response {
    let mut r = (status, value.to_string()).into_response();
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    r
}

async fn list(State(s): State<Arc<Registry>>) -> Response {
    json(StatusCode::OK, serde_json::json!({ "standins": s.names() }))
}

async fn show(State(s): State<Arc<Registry>>, Path(name): Path<String>) -> Response {
    match s.inspect(&name) {
        Some(v) => json(StatusCode::OK, v),
        None => json(
            StatusCode::NOT_FOUND,
            serde_json::json!({
                "error": format!("no stand-in named {name} on this twin; registered: {:?}", s.names())
            }),
        ),
    }
}
