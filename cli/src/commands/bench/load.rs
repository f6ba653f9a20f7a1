//! The load generator the HTTP benchmarks share: keep-alive connections sending one AWS JSON
//! call as fast as the twin answers, with a one-second warm-up, a latency histogram and an
//! error count.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::bail;
use bytes::Bytes;
use hdrhistogram::Histogram;
use http_body_util::Full;
use hyper::Request;

use super::AUTH;
use crate::http::{Sender, connect, send};

/// Sends one AWS JSON call (`target` is the whole `X-Amz-Target`).
pub(super) async fn call(
    sender: &mut Sender,
    addr: &str,
    target: &str,
    content_type: &str,
    body: Bytes,
) -> anyhow::Result<(u16, Bytes)> {
    let req = Request::post("/")
        .header("host", addr)
        .header("content-type", content_type)
        .header("x-amz-target", target)
        .header("authorization", AUTH)
        .body(Full::new(body))?;
    send(sender, req).await
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
                let (status, bytes) =
                    call(&mut sender, &addr, target, content_type, body.clone()).await?;
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
