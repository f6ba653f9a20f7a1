//! Tests of the `kdaflow` binary itself, run as a child process.

mod serve;
