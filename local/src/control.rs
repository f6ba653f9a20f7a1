//! Twin control endpoints owned by the data plane side: `GET /_kdaflow/standins` lists the
//! stand-in functions and `GET /_kdaflow/standins/{name}` shows what one holds
//! (`kdaflow inspect <name>` reads it).

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::standins::Registry;

/// The routes.
pub fn router(standins: Arc<Registry>) -> Router {
    Router::new()
        .route("/_kdaflow/standins", get(list))
        .route("/_kdaflow/standins/{name}", get(show))
        .with_state(standins)
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
