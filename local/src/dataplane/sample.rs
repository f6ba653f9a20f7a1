//! Streaming sample records through the twin in-process ([`stream_sample`], for `kdaflow up`):
//! records from the caller (the reference application's come from `kdaflow_workflow::sample`)
//! are put into a delivery stream on the twin's clock, the data plane ticks, and what the
//! application delivered is collected.

use std::time::Duration;

use bytes::Bytes;

use super::{Delivery, ErrorRow, TickReport};
use crate::Twin;
use crate::protocol::AwsError;

/// How [`stream_sample`] streams.
#[derive(Debug, Clone)]
pub struct SampleOptions {
    /// The Firehose delivery stream (name or ARN) the application reads.
    pub delivery_stream: String,
    /// Records per second.
    pub rate: u32,
    /// How long to send.
    pub duration: Duration,
    /// How often records are put and the data plane ticks.
    pub step: Duration,
    /// How long to keep ticking after the last record, so the last windows close.
    pub drain: Duration,
}

impl Default for SampleOptions {
    /// 100 records/s for 20 s into the reference stream, 100 ms steps, 6 s of draining (one
    /// 5-second window and a margin).
    fn default() -> Self {
        Self {
            delivery_stream: "dsoaws-kinesis-data-firehose".to_string(),
            rate: 100,
            duration: Duration::from_secs(20),
            step: Duration::from_millis(100),
            drain: Duration::from_secs(6),
        }
    }
}

/// What [`stream_sample`] sent and what came out.
#[derive(Debug, Clone, Default)]
pub struct SampleReport {
    /// Records sent.
    pub sent: usize,
    /// Anomalies among them.
    pub anomalies: usize,
    /// Every delivery the data plane made meanwhile.
    pub deliveries: Vec<Delivery>,
    /// error_stream rows.
    pub errors: Vec<ErrorRow>,
    /// Problems the data plane reported (each once).
    pub problems: Vec<String>,
}

impl SampleReport {
    /// The records delivered to output `name`, in order.
    pub fn delivered(&self, name: &str) -> Vec<String> {
        self.deliveries
            .iter()
            .filter(|d| d.output == name)
            .flat_map(|d| d.records.iter().cloned())
            .collect()
    }
}

/// One record to stream, and whether it is an injected anomaly (counted in the report).
#[derive(Debug, Clone)]
pub struct SampleRecord {
    /// The data blob.
    pub data: Bytes,
    /// Whether it is an anomaly.
    pub anomaly: bool,
}

/// Streams `records` into a delivery stream of `twin` on the twin's clock (instantly on virtual
/// time), ticking the data plane each step; `on_report` sees each tick that delivered
/// something, as windows close. Sending stops after `options.duration` or when `records` ends.
pub async fn stream_sample(
    twin: &Twin,
    options: &SampleOptions,
    mut records: impl Iterator<Item = SampleRecord>,
    mut on_report: impl FnMut(&TickReport),
) -> Result<SampleReport, AwsError> {
    let mut events = twin.data_plane().subscribe();
    let clock = twin.clock().clone();
    let step =
        chrono::Duration::from_std(options.step).unwrap_or(chrono::Duration::milliseconds(100));
    let start = clock.now();
    let stop_sending = start + chrono::Duration::from_std(options.duration).unwrap_or_default();
    let end = stop_sending + chrono::Duration::from_std(options.drain).unwrap_or_default();
    let mut report = SampleReport::default();
    let per_step = f64::from(options.rate) * options.step.as_secs_f64();
    let mut owed = 0.0;
    let mut t = start;
    while t < end {
        if t < stop_sending {
            owed += per_step;
            while owed >= 1.0 {
                owed -= 1.0;
                let Some(r) = records.next() else { break };
                twin.firehose()
                    .put(&options.delivery_stream, r.data)
                    .await?;
                report.sent += 1;
                report.anomalies += usize::from(r.anomaly);
            }
        }
        t += step;
        clock.sleep_until(t).await;
        let tick = twin.pump().await;
        for p in tick.problems {
            if !report.problems.contains(&p) {
                report.problems.push(p);
            }
        }
        loop {
            match events.try_recv() {
                Ok(r) => {
                    on_report(&r);
                    report.deliveries.extend(r.deliveries.iter().cloned());
                    report.errors.extend(r.errors.iter().cloned());
                }
                Err(tokio::sync::broadcast::error::TryRecvError::Lagged(_)) => continue,
                Err(_) => break,
            }
        }
    }
    Ok(report)
}
