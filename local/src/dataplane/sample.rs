//! Sample reviews for the reference application, and streaming them through the twin.
//!
//! [`Reviews`] generates what the reference application reads: `review_id`, `star_rating`,
//! `product_category`, `review_body`, tab-separated and newline-terminated. Ordinary reviews
//! are rated 3 to 5; every `anomaly_every`-th one is an injected anomaly, rated 1 with an angry
//! text, which the application's RANDOM_CUT_FOREST scores high. `kdaflow send` sends them
//! through `aws-sdk-firehose`; [`stream_sample`] puts them into the twin in-process and collects
//! what the application delivered, for `kdaflow up`.

use std::time::Duration;

use bytes::Bytes;

use super::{Delivery, ErrorRow, TickReport};
use crate::Twin;
use crate::protocol::AwsError;

/// Product categories drawn from.
pub const CATEGORIES: [&str; 6] = [
    "Books",
    "Electronics",
    "Toys",
    "Kitchen",
    "Music",
    "Video_Games",
];
const GOOD: [&str; 3] = [
    "Great product, works perfectly and I love it.",
    "Excellent quality, very good value.",
    "Good and reliable, would buy again.",
];
const FAIR: [&str; 2] = [
    "It is okay, does the job.",
    "Average quality, nothing special.",
];
const ANGRY: [&str; 2] = [
    "Terrible. Broke on day one, awful and useless.",
    "Worst purchase ever, poor quality, a waste of money.",
];

/// One review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// 14 characters: `R`, three digits of the seed, ten of the sequence.
    pub review_id: String,
    /// 1..5; `None` leaves the field empty (the preprocessing stand-in fills it).
    pub star_rating: Option<u8>,
    /// One of [`CATEGORIES`].
    pub product_category: &'static str,
    /// The text.
    pub review_body: String,
    /// Whether this is an injected anomaly.
    pub anomaly: bool,
}

impl Review {
    /// The record: tab-separated fields, newline-terminated.
    pub fn line(&self) -> String {
        format!(
            "{}\t{}\t{}\t{}\n",
            self.review_id,
            self.star_rating.map(|r| r.to_string()).unwrap_or_default(),
            self.product_category,
            self.review_body
        )
    }
}

/// A deterministic review generator.
#[derive(Debug, Clone)]
pub struct Reviews {
    state: u64,
    n: u64,
    seed: u64,
    anomaly_every: u64,
}

impl Reviews {
    /// Reviews from `seed`, with an anomaly every `anomaly_every` reviews (0: none).
    pub fn new(seed: u64, anomaly_every: u64) -> Self {
        Self {
            state: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            n: 0,
            seed,
            anomaly_every,
        }
    }

    fn next_u64(&mut self) -> u64 {
        // xorshift64*: small and good enough for synthetic data.
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// The next review.
    pub fn next_review(&mut self) -> Review {
        self.n += 1;
        let r = self.next_u64();
        let anomaly = self.anomaly_every > 0 && self.n.is_multiple_of(self.anomaly_every);
        let (rating, body) = if anomaly {
            (1, ANGRY[(r >> 20) as usize % ANGRY.len()])
        } else {
            match r % 100 {
                0..=54 => (5, GOOD[(r >> 20) as usize % GOOD.len()]),
                55..=89 => (4, GOOD[(r >> 20) as usize % GOOD.len()]),
                _ => (3, FAIR[(r >> 20) as usize % FAIR.len()]),
            }
        };
        Review {
            review_id: format!("R{:03}{:010}", self.seed % 1000, self.n % 10_000_000_000),
            star_rating: Some(rating),
            product_category: CATEGORIES[(r >> 8) as usize % CATEGORIES.len()],
            review_body: body.to_string(),
            anomaly,
        }
    }
}

/// How [`stream_sample`] streams.
#[derive(Debug, Clone)]
pub struct SampleOptions {
    /// The Firehose delivery stream (name or ARN) the application reads.
    pub delivery_stream: String,
    /// Records per second.
    pub rate: u32,
    /// How long to send.
    pub duration: Duration,
    /// An anomaly every this many reviews (0: none).
    pub anomaly_every: u64,
    /// Generator seed.
    pub seed: u64,
    /// How often records are put and the data plane ticks.
    pub step: Duration,
    /// How long to keep ticking after the last record, so the last windows close.
    pub drain: Duration,
}

impl Default for SampleOptions {
    /// 100 records/s for 20 s into the reference stream, an anomaly every 50, 100 ms steps,
    /// 6 s of draining (one 5-second window and a margin).
    fn default() -> Self {
        Self {
            delivery_stream: "dsoaws-kinesis-data-firehose".to_string(),
            rate: 100,
            duration: Duration::from_secs(20),
            anomaly_every: 50,
            seed: 1,
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

/// Streams generated reviews into a delivery stream of `twin` on the twin's clock (instantly on
/// virtual time), ticking the data plane each step; `on_report` sees each tick that delivered
/// something, as windows close.
pub async fn stream_sample(
    twin: &Twin,
    options: &SampleOptions,
    mut on_report: impl FnMut(&TickReport),
) -> Result<SampleReport, AwsError> {
    let mut events = twin.data_plane().subscribe();
    let clock = twin.clock().clone();
    let step =
        chrono::Duration::from_std(options.step).unwrap_or(chrono::Duration::milliseconds(100));
    let start = clock.now();
    let stop_sending = start + chrono::Duration::from_std(options.duration).unwrap_or_default();
    let end = stop_sending + chrono::Duration::from_std(options.drain).unwrap_or_default();
    let mut reviews = Reviews::new(options.seed, options.anomaly_every);
    let mut report = SampleReport::default();
    let per_step = f64::from(options.rate) * options.step.as_secs_f64();
    let mut owed = 0.0;
    let mut t = start;
    while t < end {
        if t < stop_sending {
            owed += per_step;
            while owed >= 1.0 {
                owed -= 1.0;
                let r = reviews.next_review();
                twin.firehose()
                    .put(&options.delivery_stream, Bytes::from(r.line()))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reviews_fit_the_reference_schema() {
        let mut g = Reviews::new(7, 10);
        let all: Vec<Review> = (0..100).map(|_| g.next_review()).collect();
        assert!(all.iter().all(|r| r.review_id.len() == 14));
        assert_eq!(all.iter().filter(|r| r.anomaly).count(), 10);
        assert!(
            all.iter()
                .filter(|r| r.anomaly)
                .all(|r| r.star_rating == Some(1))
        );
        assert!(
            all.iter()
                .filter(|r| !r.anomaly)
                .all(|r| r.star_rating >= Some(3))
        );
        let line = all[0].line();
        assert_eq!(line.matches('\t').count(), 3);
        assert!(line.ends_with('\n'));
        assert_eq!(Reviews::new(7, 10).next_review(), all[0]);
    }
}
