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
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Waker};

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
    /// On a [`VirtualClock`] this moves the clock forward to `deadline` and completes at once;
    /// inside an execution running on virtual time, the execution's earliest-deadline-first
    /// scheduler moves the clock instead, once every branch of the execution waits on it.
    fn sleep_until(&self, deadline: DateTime<Utc>) -> Sleep<'_>;

    /// Completes after `duration` has passed on this clock.
    fn sleep(&self, duration: Duration) -> Sleep<'_> {
        let deadline = self.now() + duration;
        self.sleep_until(deadline)
    }

    /// Whether this clock is virtual: its sleeps finish at once (moving the clock), so a
    /// deadline cannot be raced against [`Clock::sleep_until`]; use [`Clock::limit`] instead.
    fn is_virtual(&self) -> bool {
        false
    }

    /// A deadline that sleeps on this clock may not pass while the returned guard lives.
    ///
    /// Virtual clocks return a guard: a sleep that would end after `deadline` moves the clock
    /// only to `deadline`, marks the guard [reached](DeadlineGuard::reached) and waits until the
    /// guard is dropped before going on; an [`VirtualClock::advance`] past `deadline` marks it
    /// reached too. This is how a task's `TimeoutSeconds` is observed on virtual time: the
    /// execution races the task against the guard, and a task that sleeps 10 s against a 5 s
    /// timeout times out at exactly +5 s. Real clocks return `None` (race
    /// [`Clock::sleep_until`] instead).
    fn limit(&self, deadline: DateTime<Utc>) -> Option<DeadlineGuard> {
        let _ = deadline;
        None
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
    inner: Arc<Mutex<Virtual>>,
}

#[derive(Debug)]
struct Virtual {
    now: DateTime<Utc>,
    /// Live deadline guards: (id, deadline, shared state).
    limits: Vec<(u64, DateTime<Utc>, Arc<Reached>)>,
    next_limit: u64,
    /// Sleeps held back by a guard, woken when a guard goes away.
    parked: Vec<Waker>,
}

impl Virtual {
    /// The earliest live deadline.
    fn cap(&self) -> Option<DateTime<Utc>> {
        self.limits.iter().map(|(_, d, _)| *d).min()
    }

    /// Moves to `to` (never back) and marks every guard whose deadline has passed (work that
    /// ends exactly at its deadline is in time).
    fn move_to(&mut self, to: DateTime<Utc>) {
        if to > self.now {
            self.now = to;
        }
        for (_, d, reached) in &self.limits {
            if *d < self.now {
                reached.set();
            }
        }
    }

    /// One attempt of a sleep until `deadline`: done, or held back at the earliest guard.
    fn try_sleep(&mut self, deadline: DateTime<Utc>) -> bool {
        match self.cap() {
            Some(cap) if deadline > cap => {
                self.move_to(cap);
                for (_, d, reached) in &self.limits {
                    if *d == cap {
                        reached.set();
                    }
                }
                false
            }
            _ => {
                self.move_to(deadline);
                true
            }
        }
    }
}

#[derive(Debug, Default)]
struct Reached {
    flag: AtomicBool,
    notify: tokio::sync::Notify,
}

impl Reached {
    fn set(&self) {
        if !self.flag.swap(true, Ordering::SeqCst) {
            self.notify.notify_waiters();
        }
    }
}

/// A deadline registered on a clock by [`Clock::limit`]; dropping it lifts the deadline.
#[derive(Debug)]
pub struct DeadlineGuard {
    clock: VirtualClock,
    id: u64,
    reached: Arc<Reached>,
}

impl DeadlineGuard {
    /// Completes once the clock has reached the deadline.
    pub async fn reached(&self) {
        loop {
            let notified = self.reached.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.reached.flag.load(Ordering::SeqCst) {
                return;
            }
            notified.await;
        }
    }

    /// Whether the clock has reached the deadline.
    pub fn is_reached(&self) -> bool {
        self.reached.flag.load(Ordering::SeqCst)
    }
}

impl Drop for DeadlineGuard {
    fn drop(&mut self) {
        let parked = {
            let mut g = self.clock.inner.lock();
            g.limits.retain(|(id, _, _)| *id != self.id);
            std::mem::take(&mut g.parked)
        };
        for w in parked {
            w.wake();
        }
    }
}

/// A sleep held back by a [`DeadlineGuard`].
struct Parked {
    clock: VirtualClock,
    deadline: DateTime<Utc>,
}

impl Future for Parked {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut g = self.clock.inner.lock();
        if g.try_sleep(self.deadline) {
            Poll::Ready(())
        } else {
            g.parked.push(cx.waker().clone());
            Poll::Pending
        }
    }
}

impl VirtualClock {
    /// A virtual clock starting at `start`.
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Virtual {
                now: start,
                limits: Vec::new(),
                next_limit: 0,
                parked: Vec::new(),
            })),
        }
    }

    /// A virtual clock starting at the given Unix time in seconds.
    pub fn at_epoch_seconds(seconds: i64) -> Self {
        Self::new(DateTime::from_timestamp(seconds, 0).unwrap_or_default())
    }

    /// Moves the clock forward by `by` (a negative duration is ignored: time never runs back).
    pub fn advance(&self, by: Duration) {
        if by > Duration::zero() {
            let mut g = self.inner.lock();
            let to = g.now + by;
            g.move_to(to);
        }
    }

    /// Moves the clock to `to` if that is later than now.
    pub fn advance_to(&self, to: DateTime<Utc>) {
        self.inner.lock().move_to(to);
    }

    /// The earliest deadline of a live guard not reached yet.
    pub(crate) fn next_limit(&self) -> Option<DateTime<Utc>> {
        let g = self.inner.lock();
        g.limits
            .iter()
            .filter(|(_, _, r)| !r.flag.load(Ordering::SeqCst))
            .map(|(_, d, _)| *d)
            .min()
    }

    /// Moves the clock to `to` and marks every guard whose deadline is at or before `to`
    /// reached (nothing else is due at `to`).
    pub(crate) fn reach_limits(&self, to: DateTime<Utc>) {
        let mut g = self.inner.lock();
        g.move_to(to);
        let now = g.now;
        for (_, d, reached) in &g.limits {
            if *d <= now {
                reached.set();
            }
        }
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> DateTime<Utc> {
        self.inner.lock().now
    }

    fn sleep_until(&self, deadline: DateTime<Utc>) -> Sleep<'_> {
        // Inside an execution on virtual time, its scheduler decides when the sleep ends.
        if let Some(sleep) = crate::exec::sched::intercept(self, deadline) {
            return sleep;
        }
        if self.inner.lock().try_sleep(deadline) {
            return Box::pin(std::future::ready(()));
        }
        Box::pin(Parked {
            clock: self.clone(),
            deadline,
        })
    }

    fn is_virtual(&self) -> bool {
        true
    }

    fn limit(&self, deadline: DateTime<Utc>) -> Option<DeadlineGuard> {
        let reached = Arc::new(Reached::default());
        let mut g = self.inner.lock();
        let id = g.next_limit;
        g.next_limit += 1;
        if deadline < g.now {
            reached.set();
        }
        g.limits.push((id, deadline, reached.clone()));
        Some(DeadlineGuard {
            clock: self.clone(),
            id,
            reached,
        })
    }
}
