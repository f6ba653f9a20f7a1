//! The twin's web console, at `/console/` on the twin's own port: the overview of what the
//! twin holds, state machines with their graphs and "Start execution", executions coloured
//! state by state as they run, Kinesis Analytics applications with their SQL and the rows of
//! each in-application stream as they arrive, streams, functions and EventBridge rules.
//!
//! The console is a client of the twin, not a second source of truth: the page calls the
//! twin's AWS APIs through [`proxy`] (which signs for it, as an SDK would), and follows two
//! live feeds ([`feeds`]: every execution's history events, and every RUNNING application's
//! rows). Only what no AWS API answers is served here: the graph layout of a definition
//! ([`graph`]) and a sample execution input for a state machine. Every asset is compiled into
//! the binary (nothing is fetched from the internet); `KDAFLOW_CONSOLE_ASSETS=DIR` serves them
//! from a directory instead, read on every request, for working on the page.

mod feeds;
pub mod graph;
pub mod proxy;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{any, get, post};
use kdaflow_local::Twin;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

/// Where the console is served.
pub const PATH: &str = "/console/";

/// The page's files, compiled in.
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "index.html",
        "text/html; charset=utf-8",
        include_str!("../assets/index.html"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/app.js"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("../assets/app.css"),
    ),
];

/// What the console knows beyond the twin's APIs.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// A sample execution input per state machine ARN (the bootstrap's: the twin's stand-in
    /// prerequisites), offered in the "Start execution" editor.
    pub sample_inputs: HashMap<String, Value>,
}

/// The console of one twin.
#[derive(Debug, Clone)]
pub struct Console {
    state: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    twin: Twin,
    /// The twin's APIs, called in-process by the proxy.
    api: Router,
    options: parking_lot::RwLock<Options>,
    /// Ends the live feeds (a server shutting down waits for open responses).
    closed: CancellationToken,
}

impl Console {
    /// The console of `twin`.
    pub fn new(twin: &Twin, options: Options) -> Self {
        Self {
            state: Arc::new(Shared {
                twin: twin.clone(),
                api: twin.api_router(),
                options: parking_lot::RwLock::new(options),
                closed: CancellationToken::new(),
            }),
        }
    }

    /// Offers `input` in the "Start execution" editor of state machine `arn`.
    pub fn set_sample_input(&self, arn: &str, input: Value) {
        self.state
            .options
            .write()
            .sample_inputs
            .insert(arn.to_string(), input);
    }

    /// Mounts the console on its twin (served from the next `Twin::serve` on).
    pub fn mount(&self) {
        self.state.twin.mount(self.router());
    }

    /// Ends every live feed: call before the server shuts down, which waits for open
    /// responses to finish.
    pub fn close(&self) {
        self.state.closed.cancel();
    }

    /// The console's routes, all under [`PATH`].
    pub fn router(&self) -> Router {
        Router::new()
            .route("/console", get(|| async { Redirect::permanent(PATH) }))
            .route("/console/", get(index))
            .route("/console/assets/{file}", get(asset))
            .route("/console/aws/{service}", any(proxy::call))
            .route("/console/aws/{service}/{*path}", any(proxy::call))
            .route("/console/api/layout", post(layout))
            .route("/console/api/sample-input", get(sample_input))
            .route("/console/feed/executions", get(feeds::executions))
            .route("/console/feed/applications/{name}", get(feeds::application))
            .with_state(self.state.clone())
    }
}

async fn index() -> Response {
    serve_asset("index.html")
}

async fn asset(axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    serve_asset(&file)
}

fn serve_asset(file: &str) -> Response {
    let Some((name, mime, compiled)) = ASSETS.iter().find(|(n, _, _)| *n == file) else {
        return (StatusCode::NOT_FOUND, format!("no console asset {file}")).into_response();
    };
    let body = match std::env::var_os("KDAFLOW_CONSOLE_ASSETS") {
        Some(dir) => match std::fs::read_to_string(std::path::Path::new(&dir).join(name)) {
            Ok(text) => text,
            Err(e) => {
                return (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("KDAFLOW_CONSOLE_ASSETS: cannot read {name}: {e}"),
                )
                    .into_response();
            }
        },
        None => (*compiled).to_string(),
    };
    let mut r = Response::new(Body::from(body));
    let headers = r.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

fn json_response(status: StatusCode, v: &Value) -> Response {
    let mut r = Response::new(Body::from(v.to_string()));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// `POST /console/api/layout`: the graph of the definition in the body.
async fn layout(body: String) -> Response {
    // Laying out a large definition takes a while: off the I/O threads.
    let result = tokio::task::spawn_blocking(move || graph::layout(&body)).await;
    match result {
        Ok(Ok(l)) => json_response(StatusCode::OK, &json!(l)),
        Ok(Err(message)) => json_response(
            StatusCode::BAD_REQUEST,
            &json!({"__type": "InvalidDefinition", "message": message}),
        ),
        Err(e) => json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            &json!({"__type": "InternalError", "message": format!("the layout did not finish: {e}")}),
        ),
    }
}

/// `GET /console/api/sample-input?stateMachineArn=ARN`: `{"input": ...}`, `{}` when the
/// console knows none.
async fn sample_input(
    State(s): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let input = q
        .get("stateMachineArn")
        .and_then(|arn| s.options.read().sample_inputs.get(arn).cloned())
        .unwrap_or_else(|| json!({}));
    json_response(StatusCode::OK, &json!({ "input": input }))
}
