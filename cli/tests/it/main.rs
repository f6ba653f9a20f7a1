//! Tests of the `kdaflow` binary and its wiring: the bootstrap scenarios over the whole twin
//! (in process, virtual time) and `kdaflow serve` as a child process.

mod bootstrap;
mod serve;
mod spec;
mod triggers;
