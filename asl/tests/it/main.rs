//! The one integration test binary of `kdaflow-asl`.
//!
//! - `corpus`: runs every case in `tests/corpus/*.json` (definition + input + expected output
//!   or error, with provenance) on virtual time.
//! - `validation`: valid/invalid definitions and the problems reported.
//! - `api`: round trips, builders, history shape, stop, resume, retry timing, real clock.
//! - `concurrency`: Map `MaxConcurrency`.

mod api;
mod concurrency;
mod corpus;
mod validation;
