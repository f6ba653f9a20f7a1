//! API-level tests: builders, round trips, history shape, stop, resume, timing.
