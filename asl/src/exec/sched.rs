//! Earliest-deadline-first virtual time for the lanes of one execution.
//!
//! On a [`VirtualClock`] a sleep used to move the clock at once, so concurrent Parallel branches
//! and Map iterations got virtual time in the order they happened to be polled. An execution on
//! virtual time now runs under a [`Scheduler`]: every sleep on a [`VirtualClock`] made while the
//! execution's future is being polled (Wait states, retry backoff, and task invokers that sleep on
//! the clock) registers `(deadline, registration order)` with it instead of moving the clock.
//! Whenever the execution can make no further progress — every lane is pending, nothing woke it,
//! and no task call is busy with anything but sleeping on the clock — the scheduler moves the
//! clock to the earliest registered deadline (or to an earlier [`Clock::limit`] deadline, which
//! it marks reached) and wakes exactly the sleepers due then, in registration order. With a
//! single lane this is the old behaviour: the one sleeper is due at once.
//!
//! The execution's lanes all run inside the execution's own future (no spawned tasks), so "no
//! progress possible" is observed after a poll of that future: no wake-up arrived during the
//! poll. Wake-ups that Tokio defers until after the poll (`yield_now`) are covered by holding a
//! [`Busy`] token across them; every task call holds one while it is in flight.
//!
//! [`Clock::limit`]: crate::clock::Clock::limit

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use chrono::{DateTime, Utc};
use parking_lot::Mutex;

use crate::clock::{Clock, Sleep, VirtualClock};

thread_local! {
    /// The scheduler (and task call) of the execution being polled on this thread.
    static CURRENT: RefCell<Option<Ctx>> = const { RefCell::new(None) };
}

#[derive(Clone)]
struct Ctx {
    sched: Arc<Scheduler>,
    call: Option<u64>,
}

/// The per-execution scheduler.
#[derive(Debug, Default)]
pub(crate) struct Scheduler {
    state: Mutex<State>,
}

type Key = (DateTime<Utc>, u64);

#[derive(Debug, Default)]
struct State {
    seq: u64,
    sleepers: BTreeMap<Key, Sleeper>,
    /// Busy tokens (task calls in flight) -> sleepers pending inside each.
    busy: HashMap<u64, usize>,
    next_busy: u64,
}

#[derive(Debug)]
struct Sleeper {
    clock: VirtualClock,
    busy: Option<u64>,
    waker: Option<Waker>,
}

impl State {
    fn remove(&mut self, key: &Key) -> Option<Sleeper> {
        let s = self.sleepers.remove(key)?;
        if let Some(n) = s.busy.and_then(|b| self.busy.get_mut(&b)) {
            *n = n.saturating_sub(1);
        }
        Some(s)
    }
}

impl Scheduler {
    /// Moves virtual time to the next instant something is due, if every lane waits on the
    /// clock. Returns whether anything was done.
    fn step(&self) -> bool {
        let mut st = self.state.lock();
        let Some((&(first, _), sleeper)) = st.sleepers.iter().next() else {
            return false;
        };
        if st.busy.values().any(|&n| n == 0) {
            return false;
        }
        let clock = sleeper.clock.clone();
        if let Some(limit) = clock.next_limit()
            && limit < first
        {
            drop(st);
            clock.reach_limits(limit);
            return true;
        }
        clock.advance_to(first);
        let now = clock.now();
        let due: Vec<Key> = st
            .sleepers
            .range(..=(now, u64::MAX))
            .map(|(k, _)| *k)
            .collect();
        let mut wakers = Vec::with_capacity(due.len());
        for key in &due {
            if let Some(s) = st.remove(key) {
                s.clock.advance_to(key.0);
                wakers.extend(s.waker);
            }
        }
        drop(st);
        for w in wakers {
            w.wake();
        }
        true
    }
}

/// Called by [`VirtualClock::sleep_until`]: inside an execution's scheduler, the sleep is
/// registered with it.
pub(crate) fn intercept<'a>(clock: &VirtualClock, deadline: DateTime<Utc>) -> Option<Sleep<'a>> {
    let ctx = CURRENT.with(|c| c.borrow().clone())?;
    if deadline <= clock.now() {
        return Some(Box::pin(std::future::ready(())));
    }
    let key = {
        let mut st = ctx.sched.state.lock();
        st.seq += 1;
        let key = (deadline, st.seq);
        st.sleepers.insert(
            key,
            Sleeper {
                clock: clock.clone(),
                busy: ctx.call,
                waker: None,
            },
        );
        if let Some(n) = ctx.call.and_then(|b| st.busy.get_mut(&b)) {
            *n += 1;
        }
        key
    };
    Some(Box::pin(SchedSleep {
        sched: ctx.sched,
        key,
    }))
}

struct SchedSleep {
    sched: Arc<Scheduler>,
    key: Key,
}

impl Future for SchedSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut st = self.sched.state.lock();
        match st.sleepers.get_mut(&self.key) {
            Some(s) => {
                if !s.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    s.waker = Some(cx.waker().clone());
                }
                Poll::Pending
            }
            None => Poll::Ready(()),
        }
    }
}

impl Drop for SchedSleep {
    fn drop(&mut self) {
        self.sched.state.lock().remove(&self.key);
    }
}

/// While it lives, the scheduler does not move time unless this lane sleeps on the clock (held
/// by task calls, which may do other work, and across `yield_now`).
pub(crate) struct Busy {
    ctx: Option<Ctx>,
}

impl Busy {
    /// A token for the lane being polled (none outside a scheduler).
    pub(crate) fn new() -> Self {
        let ctx = CURRENT.with(|c| c.borrow().clone()).map(|c| {
            let id = {
                let mut st = c.sched.state.lock();
                st.next_busy += 1;
                let id = st.next_busy;
                st.busy.insert(id, 0);
                id
            };
            Ctx {
                sched: c.sched,
                call: Some(id),
            }
        });
        Self { ctx }
    }

    /// Runs `fut` so that its sleeps on the clock count as this token's.
    pub(crate) fn scope<'a, T: 'a>(
        &self,
        fut: impl Future<Output = T> + Send + 'a,
    ) -> Scoped<'a, T> {
        Scoped {
            ctx: self.ctx.clone(),
            inner: Box::pin(fut),
        }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        if let Some(Ctx {
            sched,
            call: Some(id),
        }) = &self.ctx
        {
            sched.state.lock().busy.remove(id);
        }
    }
}

/// `tokio::task::yield_now`, during which virtual time does not move (Tokio delivers the
/// wake-up only after the poll, so the yield would otherwise look like waiting on the clock).
pub(crate) async fn yield_now() {
    let _busy = Busy::new();
    tokio::task::yield_now().await;
}

/// Restores the previous context when a poll ends (or unwinds).
struct Restore(Option<Ctx>);

impl Drop for Restore {
    fn drop(&mut self) {
        let prev = self.0.take();
        CURRENT.with(|c| *c.borrow_mut() = prev);
    }
}

fn enter(ctx: Option<Ctx>) -> Restore {
    Restore(CURRENT.with(|c| std::mem::replace(&mut *c.borrow_mut(), ctx)))
}

/// A future polled with a scheduler context set.
pub(crate) struct Scoped<'a, T> {
    ctx: Option<Ctx>,
    inner: Pin<Box<dyn Future<Output = T> + Send + 'a>>,
}

impl<T> Future for Scoped<'_, T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let Some(ctx) = self.ctx.clone() else {
            return self.inner.as_mut().poll(cx);
        };
        let _restore = enter(Some(ctx));
        self.inner.as_mut().poll(cx)
    }
}

/// Records whether the execution's future was woken, and passes the wake-up on.
#[derive(Debug)]
struct Flag {
    woken: AtomicBool,
    waker: Mutex<Waker>,
}

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        self.waker.lock().wake_by_ref();
    }
}

/// Runs an execution's future under a new scheduler.
pub(crate) struct Root<'a, T> {
    sched: Arc<Scheduler>,
    inner: Pin<Box<dyn Future<Output = T> + Send + 'a>>,
    flag: Option<Arc<Flag>>,
}

impl<'a, T> Root<'a, T> {
    pub(crate) fn new(fut: impl Future<Output = T> + Send + 'a) -> Self {
        Self {
            sched: Arc::new(Scheduler::default()),
            inner: Box::pin(fut),
            flag: None,
        }
    }
}

impl<T> Future for Root<'_, T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let flag = match &self.flag {
            Some(f) => {
                let mut w = f.waker.lock();
                if !w.will_wake(cx.waker()) {
                    *w = cx.waker().clone();
                }
                drop(w);
                f.clone()
            }
            None => {
                let f = Arc::new(Flag {
                    woken: AtomicBool::new(false),
                    waker: Mutex::new(cx.waker().clone()),
                });
                self.flag = Some(f.clone());
                f
            }
        };
        flag.woken.store(false, Ordering::SeqCst);
        let waker = Waker::from(flag.clone());
        let mut inner_cx = Context::from_waker(&waker);
        let ctx = Ctx {
            sched: self.sched.clone(),
            call: None,
        };
        let polled = {
            let _restore = enter(Some(ctx));
            self.inner.as_mut().poll(&mut inner_cx)
        };
        if polled.is_ready() {
            return polled;
        }
        // Nothing can go on until something wakes the execution: if every lane waits on the
        // clock, move it to the next deadline (the wake-ups reach the task through `flag`).
        // Each step wakes a sleeper or reaches a guard, so this ends; it goes on only while the
        // step woke nothing of this execution's (e.g. another execution's guard).
        loop {
            if flag.woken.load(Ordering::SeqCst) || !self.sched.step() {
                break;
            }
        }
        Poll::Pending
    }
}
