//! The load generator the HTTP benchmarks share: keep-alive connections sending one AWS call
//! (awsJson `POST /` with `X-Amz-Target`, or a REST path) as fast as the twin answers, with a
//! one-second warm-up, a latency histogram and an error count.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::bail;
use bytes::Bytes;
use hdrhistogram::Histogram;
use http_body_util::Full;
use hyper::Request;

use crate::http::{Sender, connect, send};

/// An `Authorization` header signed (with a dummy signature: the twin does not check it) for
/// `service`'s credential scope, which the twin routes by.
fn auth(service: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=0000"
    )
}

/// The signing name of the service an awsJson target belongs to.
fn signing_name(target: &str) -> &'static str {
    use kdaflow_local::{events, firehose, kinesis, kinesisanalytics, states};
    let prefix = target.split('.').next().unwrap_or_default();
    [
        (
            kinesisanalytics::TARGET_PREFIX,
            kinesisanalytics::SERVICE_NAME,
        ),
        (states::TARGET_PREFIX, states::SERVICE_NAME),
        (events::TARGET_PREFIX, events::SERVICE_NAME),
        (firehose::TARGET_PREFIX, firehose::SERVICE_NAME),
        (kinesis::TARGET_PREFIX, kinesis::SERVICE_NAME),
    ]
    .into_iter()
    .find(|(p, _)| *p == prefix)
    .map_or("unknown", |(_, n)| n)
}

/// Sends one AWS JSON call (`target` is the whole `X-Amz-Target`).
pub(super) async fn call(
    sender: &mut Sender,
    addr: &str,
    target: &str,
    content_type: &str,
    body: Bytes,
) -> anyhow::Result<(u16, Bytes)> {
    post(
        sender,
        addr,
        signing_name(target),
        "/",
        Some(target),
        content_type,
        body,
    )
    .await
}

/// Sends one POST to `path` (with `X-Amz-Target` when the protocol is awsJson).
pub(super) async fn post(
    sender: &mut Sender,
    addr: &str,
    service: &str,
    path: &str,
    target: Option<&str>,
    content_type: &str,
    body: Bytes,
) -> anyhow::Result<(u16, Bytes)> {
    let mut req = Request::post(path)
        .header("host", addr)
        .header("content-type", content_type)
        .header("authorization", auth(service));
    if let Some(t) = target {
        req = req.header("x-amz-target", t);
    }
    send(sender, req.body(Full::new(body))?).await
}

/// Drives `clients` connections sending `body` to `target` for `duration`; returns the
/// latency histogram, the error count and the measured time.
pub(super) async fn load(
    addr: &str,
    clients: usize,
    duration: Duration,
    target: &'static str,
    content_type: &'static str,
    body: Bytes,
    ok: fn(&[u8]) -> bool,
) -> anyhow::Result<(Histogram<u64>, u64, Duration)> {
    let service = signing_name(target);
    load_path(
        addr,
        clients,
        duration,
        service,
        "/",
        Some(target),
        content_type,
        body,
        ok,
    )
    .await
}

/// [`load`] for any path: a REST operation (`target` `None`) or an awsJson one.
#[allow(clippy::too_many_arguments)]
pub(super) async fn load_path(
    addr: &str,
    clients: usize,
    duration: Duration,
    service: &'static str,
    path: &'static str,
    target: Option<&'static str>,
    content_type: &'static str,
    body: Bytes,
    ok: fn(&[u8]) -> bool,
) -> anyhow::Result<(Histogram<u64>, u64, Duration)> {
    if clients == 0 {
        bail!("--clients must be at least 1");
    }
    let measuring = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let mut sender = connect(addr).await?;
        let (measuring, stop, addr, body) = (
            measuring.clone(),
            stop.clone(),
            addr.to_string(),
            body.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut histogram = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
            let mut errors = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                let (status, bytes) = post(
                    &mut sender,
                    &addr,
                    service,
                    path,
                    target,
                    content_type,
                    body.clone(),
                )
                .await?;
                if measuring.load(Ordering::Relaxed) {
                    histogram.saturating_record(started.elapsed().as_micros() as u64);
                    if status != 200 || !ok(&bytes) {
                        errors += 1;
                    }
                }
            }
            anyhow::Ok((histogram, errors))
        }));
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    measuring.store(true, Ordering::Relaxed);
    let started = Instant::now();
    tokio::time::sleep(duration).await;
    measuring.store(false, Ordering::Relaxed);
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let mut histogram = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    let mut errors = 0;
    for t in tasks {
        let (h, e) = t.await??;
        histogram.add(h)?;
        errors += e;
    }
    Ok((histogram, errors, elapsed))
}
