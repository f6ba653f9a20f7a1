//! The console's live feeds, as server-sent events:
//! - `/console/feed/executions`: `history` events `{"executionArn", "eventId"}`, one per
//!   history event any STANDARD execution records, and `{"executionArn", "eventId": null}`
//!   when an execution's record has its end (the page then reads GetExecutionHistory and
//!   DescribeExecution, the APIs every client has);
//! - `/console/feed/applications/{name}`: `rows` events `{"stream", "columns", "rows"}` with
//!   the rows of each of the application's in-application streams (its input stream, the
//!   streams its code creates, error_stream) as the data plane produces them.
//!
//! A subscriber that falls behind gets a `lagged` event (re-read what it shows). Every feed
//! ends when the console is closed.

use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{Stream, StreamExt};
use serde_json::json;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

use crate::Shared;

type Events = Sse<axum::response::sse::KeepAliveStream<BoxedEvents>>;
type BoxedEvents = std::pin::Pin<Box<dyn Stream<Item = Result<Event, Infallible>> + Send>>;

fn sse(s: &Shared, events: impl Stream<Item = Event> + Send + 'static) -> Events {
    let closed = s.closed.clone();
    let stream = events
        .take_until(async move { closed.cancelled_owned().await })
        .map(Ok);
    Sse::new(Box::pin(stream) as BoxedEvents).keep_alive(KeepAlive::default())
}

fn lagged(n: u64) -> Event {
    Event::default()
        .event("lagged")
        .data(json!({ "missed": n }).to_string())
}

/// `GET /console/feed/executions`.
pub(crate) async fn executions(State(s): State<Arc<Shared>>) -> Events {
    let changes = BroadcastStream::new(s.twin.states().subscribe_changes()).map(|c| match c {
        Ok(c) => Event::default()
            .event("history")
            .data(json!({ "executionArn": &*c.execution_arn, "eventId": c.event_id }).to_string()),
        Err(BroadcastStreamRecvError::Lagged(n)) => lagged(n),
    });
    sse(&s, changes)
}

/// `GET /console/feed/applications/{name}`.
pub(crate) async fn application(State(s): State<Arc<Shared>>, Path(name): Path<String>) -> Events {
    let rows = BroadcastStream::new(s.twin.data_plane().subscribe_rows()).filter_map(move |r| {
        let name = name.clone();
        async move {
            match r {
                Ok(rows) if rows.application == name => Some(
                    Event::default().event("rows").data(
                        json!({
                            "stream": rows.stream,
                            "columns": rows.columns,
                            "rows": rows.rows,
                        })
                        .to_string(),
                    ),
                ),
                Ok(_) => None,
                Err(BroadcastStreamRecvError::Lagged(n)) => Some(lagged(n)),
            }
        }
    });
    sse(&s, rows)
}
