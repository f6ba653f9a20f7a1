//! CheckApplicationStatus: one status read of the wait-until-running loop.

use kdaflow_workflow::input::{PollInput, PollState, TaskFailure, next_poll, seconds_between};

use crate::Kda;
use crate::start::{describe, input_id};

/// Reads the status and computes the next wait.
pub async fn check_application_status(
    kda: &Kda,
    input: PollInput,
) -> Result<PollState, TaskFailure> {
    let request = &input.request;
    let detail = describe(kda, &request.application_name).await?;
    let id = input
        .poll
        .as_ref()
        .map(|p| p.input_id.clone())
        .filter(|i| !i.is_empty())
        .map_or_else(|| input_id(&detail), Ok)?;
    Ok(next_poll(
        input.poll.as_ref(),
        detail.application_status().as_str(),
        &id,
        detail.application_version_id(),
        seconds_between(&input.started_at, &input.now),
        request.max_wait_seconds,
        true,
    ))
}
