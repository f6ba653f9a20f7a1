//! Tests of the `kdaflow` binary as a user runs it: `kdaflow serve` as a child process (killed
//! and restarted, driven by send/inspect/fault), `spec`, `synth` and `package`. The scenarios
//! over the whole twin are in the `kdaflow-tests` crate (`tests/`).

mod deploy;
mod serve;
mod spec;
mod sql;
