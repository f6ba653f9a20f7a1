//! What a service of the twin is: a name, a wire protocol, and one operation table.
//!
//! Every service declares its operations once, as a table of [`Operation`]s: the operation's
//! name and its typed handler (answering at once, or async), or [`Handler::NotImplemented`]
//! for an operation of the AWS model the twin does not serve (so a caller gets a message that
//! names it instead of an unknown-operation error). The table is the only dispatch: the
//! gateway, in-process callers (`aws-sdk:*` tasks, provisioning) and the test that compares the
//! tables with the AWS SDKs' operation lists all read it.
//!
//! The [`Protocol`] decides how a request names its operation — the `X-Amz-Target` header for
//! the awsJson protocols, the method and path for the REST protocols — and how errors are
//! written back. The gateway picks the service by the SigV4 credential scope's service name
//! ([`Service::signing_name`]) and then asks the protocol; see [`crate::gateway`].

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::http::{HeaderMap, Method, StatusCode, Uri};
use bytes::Bytes;

use crate::protocol::{AwsError, JsonVersion};

/// What an operation answers, later.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// The answer of an awsJson operation: the response body, or an error.
pub type ServiceFuture = BoxFuture<Result<Bytes, AwsError>>;

/// A request as the gateway received it, for the REST protocols (whose operations read the
/// method, path, query and headers, not only the body).
#[derive(Debug, Clone)]
pub struct Request {
    /// The HTTP method.
    pub method: Method,
    /// Path and query.
    pub uri: Uri,
    /// The headers.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
}

/// A REST operation's answer: status, headers, body.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The HTTP status.
    pub status: StatusCode,
    /// Response headers (the gateway adds the request id).
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

/// How a service speaks on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// awsJson1_0 / awsJson1_1: `POST /` with `X-Amz-Target: <prefix>.<Operation>`.
    AwsJson {
        /// Content type flavour.
        version: JsonVersion,
        /// The `X-Amz-Target` prefix, e.g. `KinesisAnalytics_20150814`.
        target_prefix: &'static str,
    },
    /// restJson1 (Lambda): the operation is the method and path; errors are JSON with
    /// `X-Amzn-ErrorType`.
    RestJson,
    /// restXml (S3): the operation is the method, path and query; errors are XML.
    RestXml,
}

impl Protocol {
    /// The operation an awsJson request names through `X-Amz-Target`, if it is this
    /// protocol's prefix.
    pub fn target_operation<'a>(&self, target: &'a str) -> Option<&'a str> {
        match self {
            Protocol::AwsJson { target_prefix, .. } => target
                .strip_prefix(target_prefix)
                .and_then(|rest| rest.strip_prefix('.')),
            Protocol::RestJson | Protocol::RestXml => None,
        }
    }
}

/// The operation name a REST service's `route` answers when its protocol front end is a
/// library's that routes by itself (S3 through s3s): the gateway then streams the whole request
/// to [`Service::serve_http`].
pub const HTTP_FRONT_END: &str = "(http front end)";

/// A whole HTTP request, its body a stream.
pub type HttpRequest = http::Request<axum::body::Body>;

/// How one operation is handled.
pub enum Handler<S> {
    /// Answers at once from the JSON body.
    Sync(fn(&S, &[u8]) -> Result<Bytes, AwsError>),
    /// Answers later (it waits for an execution, invokes a function, ...).
    Async(fn(Arc<S>, Bytes) -> ServiceFuture),
    /// A REST operation: the whole request in, the whole reply out.
    Rest(fn(Arc<S>, Request) -> BoxFuture<Result<Reply, AwsError>>),
    /// Served by the service's HTTP front end ([`Operations::serve_http`]), which routes and
    /// streams by itself.
    Http,
    /// Part of the AWS model, not served by the twin (README, "Known divergences").
    NotImplemented,
}

impl<S> Debug for Handler<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Handler::Sync(_) => "Sync",
            Handler::Async(_) => "Async",
            Handler::Rest(_) => "Rest",
            Handler::Http => "Http",
            Handler::NotImplemented => "NotImplemented",
        })
    }
}

/// One row of a service's operation table.
#[derive(Debug)]
pub struct Operation<S> {
    /// The operation's name in the AWS model (`CreateApplication`).
    pub name: &'static str,
    /// What runs it.
    pub handler: Handler<S>,
}

impl<S> Operation<S> {
    /// An operation that answers at once.
    pub const fn sync(name: &'static str, f: fn(&S, &[u8]) -> Result<Bytes, AwsError>) -> Self {
        Self {
            name,
            handler: Handler::Sync(f),
        }
    }

    /// An operation that answers later.
    pub const fn asynch(name: &'static str, f: fn(Arc<S>, Bytes) -> ServiceFuture) -> Self {
        Self {
            name,
            handler: Handler::Async(f),
        }
    }

    /// An operation served by the service's HTTP front end.
    pub const fn http(name: &'static str) -> Self {
        Self {
            name,
            handler: Handler::Http,
        }
    }

    /// An operation of the AWS model the twin does not serve.
    pub const fn not_implemented(name: &'static str) -> Self {
        Self {
            name,
            handler: Handler::NotImplemented,
        }
    }
}

/// A service with its operation table; [`Service`] is implemented for every one.
pub trait Operations: Send + Sync + Debug + Sized + 'static {
    /// The service's own name (`kinesisanalytics`, `states`): fault injection and call counts
    /// use it, and `aws-sdk:<name>:*` tasks address it.
    const NAME: &'static str;
    /// The SigV4 signing name (the credential scope's service), when it is not [`Self::NAME`]
    /// (`kinesisanalyticsv2` signs as `kinesisanalytics`).
    const SIGNING_NAME: &'static str = Self::NAME;
    /// The wire protocol.
    const PROTOCOL: Protocol;
    /// Every operation of the service's AWS model, in the model's order or alphabetically.
    const TABLE: &'static [Operation<Self>];

    /// Which operation a REST request is (method, path, query); `None` for awsJson services.
    fn route(&self, _request: &Request) -> Option<&'static str> {
        None
    }

    /// Serves a whole request, its body streamed, when [`Operations::route`] answered
    /// [`HTTP_FRONT_END`]; `None` for services without such a front end.
    fn serve_http(
        self: Arc<Self>,
        _request: HttpRequest,
    ) -> Option<BoxFuture<axum::response::Response>> {
        None
    }
}

/// A service hosted on the gateway (object-safe; see [`Operations`] for how one is written).
pub trait Service: Send + Sync + Debug + 'static {
    /// The service's own name (see [`Operations::NAME`]).
    fn name(&self) -> &'static str;
    /// The SigV4 signing name.
    fn signing_name(&self) -> &'static str;
    /// The wire protocol.
    fn protocol(&self) -> Protocol;
    /// The names of the operations the twin serves.
    fn operations(&self) -> Vec<&'static str>;
    /// The names of the model's operations the twin does not serve.
    fn not_implemented(&self) -> Vec<&'static str>;
    /// The operation `request` is, if it is one of this service's (REST protocols only; awsJson
    /// requests are resolved by their target).
    fn route(&self, request: &Request) -> Option<&'static str>;
    /// Serves a whole streamed request (see [`Operations::serve_http`]).
    fn serve_http(
        self: Arc<Self>,
        request: HttpRequest,
    ) -> Option<BoxFuture<axum::response::Response>>;
    /// Runs an awsJson operation on a JSON body (the gateway and in-process callers).
    fn call(self: Arc<Self>, operation: &str, body: Bytes) -> ServiceFuture;
    /// Runs a REST operation on the whole request.
    fn call_rest(
        self: Arc<Self>,
        operation: &str,
        request: Request,
    ) -> BoxFuture<Result<Reply, AwsError>>;
}

fn not_served<S: Operations>(operation: &str) -> AwsError {
    AwsError::unknown_operation(&format!("{}.{operation}", S::NAME))
}

fn not_implemented<S: Operations>(operation: &str) -> AwsError {
    AwsError::not_implemented(S::NAME, operation)
}

impl<S: Operations> Service for S {
    fn name(&self) -> &'static str {
        S::NAME
    }

    fn signing_name(&self) -> &'static str {
        S::SIGNING_NAME
    }

    fn protocol(&self) -> Protocol {
        S::PROTOCOL
    }

    fn operations(&self) -> Vec<&'static str> {
        S::TABLE
            .iter()
            .filter(|o| !matches!(o.handler, Handler::NotImplemented))
            .map(|o| o.name)
            .collect()
    }

    fn not_implemented(&self) -> Vec<&'static str> {
        S::TABLE
            .iter()
            .filter(|o| matches!(o.handler, Handler::NotImplemented))
            .map(|o| o.name)
            .collect()
    }

    fn route(&self, request: &Request) -> Option<&'static str> {
        Operations::route(self, request)
    }

    fn serve_http(
        self: Arc<Self>,
        request: HttpRequest,
    ) -> Option<BoxFuture<axum::response::Response>> {
        Operations::serve_http(self, request)
    }

    fn call(self: Arc<Self>, operation: &str, body: Bytes) -> ServiceFuture {
        match S::TABLE.iter().find(|o| o.name == operation) {
            Some(op) => match op.handler {
                Handler::Sync(f) => Box::pin(std::future::ready(f(&self, &body))),
                Handler::Async(f) => f(self, body),
                Handler::NotImplemented => {
                    Box::pin(std::future::ready(Err(not_implemented::<S>(operation))))
                }
                Handler::Rest(_) | Handler::Http => {
                    Box::pin(std::future::ready(Err(AwsError::serialization(format!(
                        "{} is a REST operation of {}: call it over HTTP",
                        operation,
                        S::NAME
                    )))))
                }
            },
            None => Box::pin(std::future::ready(Err(not_served::<S>(operation)))),
        }
    }

    fn call_rest(
        self: Arc<Self>,
        operation: &str,
        request: Request,
    ) -> BoxFuture<Result<Reply, AwsError>> {
        match S::TABLE.iter().find(|o| o.name == operation) {
            Some(Operation {
                handler: Handler::Rest(f),
                ..
            }) => f(self, request),
            Some(Operation {
                handler: Handler::NotImplemented,
                ..
            }) => Box::pin(std::future::ready(Err(not_implemented::<S>(operation)))),
            _ => Box::pin(std::future::ready(Err(not_served::<S>(operation)))),
        }
    }
}
