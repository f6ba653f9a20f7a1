//! Injected time.
//!
//! Everything in kdaflow that needs "now" or has to wait asks a [`Clock`]. [`SystemClock`] is the
//! wall clock; [`VirtualClock`] is a clock that only moves when asked to, so tests and
//! `--virtual-time` runs finish at once while every timestamp they record is exactly what a real
//! run would have recorded.

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use parking_lot::Mutex;

/// A boxed future returned by [`Clock::sleep_until`].
pub type Sleep<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// A source of the current time and of waits.
pub trait Clock: Send + Sync + Debug {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;

    /// Completes once [`Clock::now`] is at or after `deadline`.
    ///
    /// On a [`VirtualClock`] this moves the clock forward to `deadline` and completes at once.
    fn sleep_until(&self, deadline: DateTime<Utc>) -> Sleep<'_>;

    /// Completes after `duration` has passed on this clock.
    fn sleep(&self, duration: Duration) -> Sleep<'_> {
        let deadline = self.now() + duration;
        self.sleep_until(deadline)
    }

    /// Whether this clock is virtual: its sleeps finish at once, so nothing may be raced
    /// against them (a task's timeout cannot be observed on virtual time).
    fn is_virtual(&self) -> bool {
        false
    }
}

/// A shared, dynamically typed clock.
pub type SharedClock = Arc<dyn Clock>;

/// The wall clock, with Tokio timers for waits.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the one place that may read the wall clock
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep_until(&self, deadline: DateTime<Utc>) -> Sleep<'_> {
        let wait = (deadline - self.now()).to_std().unwrap_or_default();
        Box::pin(tokio::time::sleep(wait))
    }
}

/// A clock that moves only when told to (or when something sleeps on it).
///
/// ```
/// use kdaflow_asl::clock::{Clock, VirtualClock};
/// let clock = VirtualClock::at_epoch_seconds(1_700_000_000);
/// clock.advance(chrono::Duration::seconds(5));
/// assert_eq!(clock.now().timestamp(), 1_700_000_005);
/// ```
#[derive(Debug, Clone)]
pub struct VirtualClock {
    now: Arc<Mutex<DateTime<Utc>>>,
}

impl VirtualClock {
    /// A virtual clock starting at `start`.
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            now: Arc::new(Mutex::new(start)),
        }
    }

    /// A virtual clock starting at the given Unix time in seconds.
    pub fn at_epoch_seconds(seconds: i64) -> Self {
        Self::new(DateTime::from_timestamp(seconds, 0).unwrap_or_default())
    }

    /// Moves the clock forward by `by` (a negative duration is ignored: time never runs back).
    pub fn advance(&self, by: Duration) {
        if by > Duration::zero() {
            *self.now.lock() += by;
        }
    }

    /// Moves the clock to `to` if that is later than now.
    pub fn advance_to(&self, to: DateTime<Utc>) {
        let mut now = self.now.lock();
        if to > *now {
            *now = to;
        }
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock()
    }

    fn sleep_until(&self, deadline: DateTime<Utc>) -> Sleep<'_> {
        self.advance_to(deadline);
        Box::pin(std::future::ready(()))
    }

    fn is_virtual(&self) -> bool {
        true
    }
}
