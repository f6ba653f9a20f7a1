//! `Retry` and `Catch` decisions, as pure functions (the driver does the waiting).

use chrono::Duration;
use rand::Rng;
use rand::rngs::StdRng;

use crate::error::{StatesError, names};
use crate::model::{
    Catcher, DEFAULT_INTERVAL_SECONDS, DEFAULT_MAX_ATTEMPTS, JitterStrategy, Retrier,
};

/// Whether an `ErrorEquals` entry matches an error.
///
/// `States.ALL` matches everything except the terminal errors; `States.TaskFailed` matches
/// everything except `States.Timeout` (the AWS documentation's rule). `States.Runtime` and
/// `States.DataLimitExceeded` match nothing, not even themselves (AWS-recorded).
pub fn error_matches(pattern: &str, error: &StatesError) -> bool {
    if error.is_terminal() {
        return false;
    }
    match pattern {
        names::ALL => true,
        names::TASK_FAILED => error.error != names::TIMEOUT,
        p => p == error.error,
    }
}

fn any_matches(list: &[String], error: &StatesError) -> bool {
    list.iter().any(|p| error_matches(p, error))
}

/// What to do after a failure.
#[derive(Debug, Clone, PartialEq)]
pub enum RetryDecision {
    /// Wait `delay`, then run the state's work again.
    Retry {
        /// Which retrier fired.
        retrier: usize,
        /// How long to wait.
        delay: Duration,
    },
    /// No retry: go to the catchers.
    GiveUp,
}

/// The first retrier whose `ErrorEquals` matches decides; if its attempts (counted per retrier
/// in `attempts`, reset on each entry into the state) are used up, the error goes to the
/// catchers without consulting later retriers.
///
/// The k-th retry of a retrier waits `IntervalSeconds * BackoffRate^(k-1)` seconds, capped at
/// `MaxDelaySeconds`; with `JitterStrategy: FULL` a uniform random part of that.
///
/// ```
/// use kdaflow_asl::common::retry::{decide, RetryDecision};
/// use kdaflow_asl::error::StatesError;
/// use kdaflow_asl::model::Retrier;
/// let retriers = [Retrier::on(["A"]).interval_seconds(1).backoff_rate(2.0).max_attempts(2)];
/// let mut attempts = [0];
/// let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(0);
/// let err = StatesError::new("A", "");
/// let delays: Vec<_> = (0..3).map(|_| decide(&retriers, &mut attempts, &err, &mut rng)).collect();
/// assert_eq!(delays[1], RetryDecision::Retry { retrier: 0, delay: chrono::Duration::seconds(2) });
/// assert_eq!(delays[2], RetryDecision::GiveUp);
/// ```
pub fn decide(
    retriers: &[Retrier],
    attempts: &mut [u64],
    error: &StatesError,
    rng: &mut StdRng,
) -> RetryDecision {
    let Some(idx) = retriers
        .iter()
        .position(|r| any_matches(&r.error_equals, error))
    else {
        return RetryDecision::GiveUp;
    };
    let r = &retriers[idx];
    let max = r.max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS);
    if attempts[idx] >= max {
        return RetryDecision::GiveUp;
    }
    attempts[idx] += 1;
    let k = attempts[idx];
    let interval = r.interval_seconds.unwrap_or(DEFAULT_INTERVAL_SECONDS) as f64;
    let mut secs = interval * r.effective_backoff_rate().powi((k - 1).min(10_000) as i32);
    if let Some(cap) = r.max_delay_seconds {
        secs = secs.min(cap as f64);
    }
    // The service maximum bounds the delay anyway; keep the arithmetic finite.
    secs = secs.min(99_999_999.0);
    if r.jitter_strategy == Some(JitterStrategy::Full) {
        secs = rng.random_range(0.0..=secs);
    }
    RetryDecision::Retry {
        retrier: idx,
        delay: Duration::milliseconds((secs * 1000.0).round() as i64),
    }
}

/// The index of the first catcher that matches, if any.
pub fn find_catcher(catchers: &[Catcher], error: &StatesError) -> Option<usize> {
    catchers
        .iter()
        .position(|c| any_matches(&c.error_equals, error))
}
