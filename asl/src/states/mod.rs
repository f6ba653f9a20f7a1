//! Per-state-type logic, one file per type. These functions are pure: they compute results,
//! decisions and deadlines; the driver ([`crate::exec`]) records events and performs I/O.
//!
//! `Pass` and `Succeed` need no logic beyond the shared input/output pipeline
//! ([`crate::common::io`]); `Task`, `Parallel` and `Map` are orchestrated by the driver with the
//! helpers in [`task`] and [`map`].

pub mod choice;
pub mod fail;
pub mod map;
pub mod task;
pub mod wait;
