//! StartApplication: start it from the chosen position. Already STARTING or RUNNING is success
//! (another execution, or an earlier attempt, started it); UPDATING or STOPPING is
//! `Bootstrap.ApplicationBusy` so the state machine retries with backoff.

use aws_sdk_kinesisanalytics::types::{
    ApplicationDetail, ApplicationStatus, InputConfiguration, InputStartingPosition,
    InputStartingPositionConfiguration,
};
use kdaflow_workflow::contract::errors;
use kdaflow_workflow::input::{PollInput, PollState, TaskFailure, next_poll, seconds_between};

use crate::Kda;
use crate::errors::{classify, code};

pub(crate) async fn describe(kda: &Kda, name: &str) -> Result<ApplicationDetail, TaskFailure> {
    match kda
        .describe_application()
        .application_name(name)
        .send()
        .await
    {
        Ok(out) => out.application_detail.ok_or_else(|| {
            TaskFailure::new(
                errors::SERVICE_ERROR,
                format!("DescribeApplication of {name} returned no ApplicationDetail"),
            )
        }),
        Err(e) => Err(classify("DescribeApplication", name, e)),
    }
}

pub(crate) fn input_id(detail: &ApplicationDetail) -> Result<String, TaskFailure> {
    detail
        .input_descriptions()
        .first()
        .and_then(|d| d.input_id())
        .map(str::to_string)
        .ok_or_else(|| {
            TaskFailure::new(
                errors::START_FAILED,
                format!(
                    "Application {} has no input to start",
                    detail.application_name()
                ),
            )
        })
}

fn busy(name: &str, status: &ApplicationStatus) -> TaskFailure {
    TaskFailure::new(
        errors::APPLICATION_BUSY,
        format!("Application {name} is {status}; it can be started once it is READY. Retrying"),
    )
}

/// Starts the application and returns the first poll state.
pub async fn start_application(kda: &Kda, input: PollInput) -> Result<PollState, TaskFailure> {
    let request = &input.request;
    let name = request.application_name.as_str();
    let elapsed = seconds_between(&input.started_at, &input.now);
    let poll = |detail: &ApplicationDetail, id: &str| {
        next_poll(
            None,
            detail.application_status().as_str(),
            id,
            detail.application_version_id(),
            elapsed,
            request.max_wait_seconds,
            false,
        )
    };
    let detail = describe(kda, name).await?;
    let id = input_id(&detail)?;
    match detail.application_status() {
        ApplicationStatus::Starting | ApplicationStatus::Running => return Ok(poll(&detail, &id)),
        ApplicationStatus::Ready => {}
        ApplicationStatus::Updating | ApplicationStatus::Stopping => {
            return Err(busy(name, detail.application_status()));
        }
        other => {
            return Err(TaskFailure::new(
                errors::START_FAILED,
                format!("Application {name} is {other}; it cannot be started"),
            ));
        }
    }
    let position = InputStartingPosition::from(request.starting_position.as_str());
    let config = InputConfiguration::builder()
        .id(&id)
        .input_starting_position_configuration(
            InputStartingPositionConfiguration::builder()
                .input_starting_position(position)
                .build(),
        )
        .build()
        .map_err(|e| {
            TaskFailure::new(
                errors::SERVICE_ERROR,
                format!("cannot build the start request: {e}"),
            )
        })?;
    match kda
        .start_application()
        .application_name(name)
        .input_configurations(config)
        .send()
        .await
    {
        Ok(_) => {}
        // Someone else started (or began changing) it between our describe and our start.
        Err(e) if code(&e).as_deref() == Some("ResourceInUseException") => {
            let now = describe(kda, name).await?;
            return match now.application_status() {
                ApplicationStatus::Starting | ApplicationStatus::Running => Ok(poll(&now, &id)),
                status => Err(busy(name, status)),
            };
        }
        Err(e)
            if matches!(
                code(&e).as_deref(),
                Some("InvalidApplicationConfigurationException" | "InvalidArgumentException")
            ) =>
        {
            let failure = classify("StartApplication", name, e);
            return Err(TaskFailure::new(errors::START_FAILED, failure.message));
        }
        Err(e) => return Err(classify("StartApplication", name, e)),
    }
    // A successful StartApplication leaves the application STARTING (the API reference); no
    // need to pay for a describe to learn that.
    Ok(next_poll(
        None,
        ApplicationStatus::Starting.as_str(),
        &id,
        detail.application_version_id(),
        elapsed,
        request.max_wait_seconds,
        false,
    ))
}
