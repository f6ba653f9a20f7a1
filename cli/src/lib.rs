//! The `kdaflow` library half: the wiring that the binary's commands and their tests share.
//! Nothing here is logic of its own — it connects the twin (`kdaflow-local`), the workflow
//! (`kdaflow-workflow`) and its tasks (`kdaflow-handlers`).

pub mod bootstrap;
pub mod flink_jobs;
pub mod provision;
pub mod tasks;
