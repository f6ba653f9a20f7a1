//! End-to-end scenarios over the whole twin, in process, on virtual time.

mod bootstrap;
mod flink;
mod triggers;
