//! CreateOrVerifyApplication: create the application, or check that the existing one is the
//! one the spec describes.
//!
//! - Absent: CreateApplication. A concurrent execution may win the race
//!   (`ResourceInUseException`); then the existing application is verified like any other.
//! - Present and identical: nothing to do.
//! - Present and different: with `on_drift = fail` (the default), `Bootstrap.ConfigurationDrift`
//!   listing every difference. With `on_drift = update`, one change per call — UpdateApplication
//!   for everything it can change in place, then AddApplicationOutput/DeleteApplicationOutput for
//!   outputs that must appear or go. Each change leaves the application UPDATING, so when more
//!   changes remain the task raises `Bootstrap.ApplicationBusy` and the state machine retries it
//!   with backoff until the application has converged.

use aws_sdk_kinesisanalytics::types::{ApplicationDetail, ApplicationStatus, ApplicationUpdate};
use kdaflow_workflow::contract::errors;
use kdaflow_workflow::input::{BootstrapRequest, CreateResult, DriftPolicy, TaskFailure};

use crate::errors::{classify, code};
use crate::{Kda, convert};

async fn describe(kda: &Kda, name: &str) -> Result<Option<ApplicationDetail>, TaskFailure> {
    match kda
        .describe_application()
        .application_name(name)
        .send()
        .await
    {
        Ok(out) => Ok(out.application_detail),
        Err(e) if code(&e).as_deref() == Some("ResourceNotFoundException") => Ok(None),
        Err(e) => Err(classify("DescribeApplication", name, e)),
    }
}

/// Creates or verifies the application `request` describes.
pub async fn create_application(
    kda: &Kda,
    request: BootstrapRequest,
) -> Result<CreateResult, TaskFailure> {
    let spec = &request.application;
    let name = spec.name.as_str();
    let existing = describe(kda, name).await?;
    if existing.is_none() {
        let call = convert::create_application(kda, name, spec);
        match call.send().await {
            Ok(out) => {
                let summary = out.application_summary;
                return Ok(CreateResult {
                    application_name: name.to_string(),
                    application_arn: summary.map(|s| s.application_arn).unwrap_or_default(),
                    version_id: 1,
                    created: true,
                    updated: false,
                });
            }
            // Another execution created it between our describe and our create: verify it.
            Err(e) if code(&e).as_deref() == Some("ResourceInUseException") => {}
            Err(e) => return Err(classify("CreateApplication", name, e)),
        }
    }
    let detail = match existing {
        Some(d) => Some(d),
        None => describe(kda, name).await?,
    };
    let Some(detail) = detail else {
        return Err(TaskFailure::new(
            errors::APPLICATION_BUSY,
            format!(
                "Application {name} was being deleted while this execution created it; retrying"
            ),
        ));
    };
    verify(kda, &request, detail).await
}

async fn verify(
    kda: &Kda,
    request: &BootstrapRequest,
    detail: ApplicationDetail,
) -> Result<CreateResult, TaskFailure> {
    let spec = &request.application;
    let name = spec.name.as_str();
    let (current, has_input) = convert::current(spec, &detail);
    let mut differences = spec.differences(&current);
    if !has_input {
        differences.insert(0, "input: the application has no input".to_string());
    }
    let result = |updated| CreateResult {
        application_name: name.to_string(),
        application_arn: detail.application_arn().to_string(),
        version_id: detail.application_version_id(),
        created: false,
        updated,
    };
    if differences.is_empty() {
        return Ok(result(false));
    }
    let listed = differences
        .iter()
        .map(|d| format!("- {d}"))
        .collect::<Vec<_>>()
        .join("\n");
    if request.on_drift == DriftPolicy::Fail {
        return Err(TaskFailure::new(
            errors::CONFIGURATION_DRIFT,
            format!(
                "Application {name} exists with a different configuration ({} difference(s)):\n{listed}\n\
                 Start the bootstrap with \"on_drift\": \"update\" to bring it in line, or delete it first.",
                differences.len()
            ),
        ));
    }
    if spec.description != current.description {
        return Err(TaskFailure::new(
            errors::CONFIGURATION_DRIFT,
            format!(
                "Application {name}: its description cannot be changed in place (Kinesis Analytics v1 has no \
                 description update); delete the application or align the spec's description. All differences:\n{listed}"
            ),
        ));
    }
    match detail.application_status() {
        ApplicationStatus::Ready | ApplicationStatus::Running => {}
        status => {
            return Err(TaskFailure::new(
                errors::APPLICATION_BUSY,
                format!(
                    "Application {name} is {status} and cannot be updated yet; retrying. Pending:\n{listed}"
                ),
            ));
        }
    }
    let version = detail.application_version_id();
    let step = next_step(spec, &current, has_input, &detail);
    let remaining = step.remaining;
    match step.call {
        Step::AddInput => kda
            .add_application_input()
            .application_name(name)
            .current_application_version_id(version)
            .input(convert::input(&spec.input))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| classify("AddApplicationInput", name, e))?,
        Step::Update(update) => kda
            .update_application()
            .application_name(name)
            .current_application_version_id(version)
            .application_update(*update)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| classify("UpdateApplication", name, e))?,
        Step::DeleteOutput(id) => kda
            .delete_application_output()
            .application_name(name)
            .current_application_version_id(version)
            .output_id(id)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| classify("DeleteApplicationOutput", name, e))?,
        Step::AddOutput(o) => kda
            .add_application_output()
            .application_name(name)
            .current_application_version_id(version)
            .output(convert::output(&o))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| classify("AddApplicationOutput", name, e))?,
    }
    if remaining {
        return Err(TaskFailure::new(
            errors::APPLICATION_BUSY,
            format!(
                "Application {name}: applied one change; more remain and will be applied once it is no longer UPDATING:\n{listed}"
            ),
        ));
    }
    Ok(CreateResult {
        version_id: version + 1,
        ..result(true)
    })
}

enum Step {
    AddInput,
    Update(Box<ApplicationUpdate>),
    DeleteOutput(String),
    AddOutput(kdaflow_workflow::spec::OutputSpec),
}

struct Plan {
    call: Step,
    remaining: bool,
}

/// The next change that brings `current` closer to `spec`, and whether more will follow.
fn next_step(
    spec: &kdaflow_workflow::spec::ApplicationSpec,
    current: &kdaflow_workflow::spec::ApplicationSpec,
    has_input: bool,
    detail: &ApplicationDetail,
) -> Plan {
    let removed: Vec<String> = detail
        .output_descriptions()
        .iter()
        .filter(|o| {
            !spec
                .outputs
                .iter()
                .any(|s| Some(s.name.as_str()) == o.name())
        })
        .filter_map(|o| o.output_id().map(str::to_string))
        .collect();
    let added: Vec<_> = spec
        .outputs
        .iter()
        .filter(|s| !current.outputs.iter().any(|c| c.name == s.name))
        .cloned()
        .collect();
    let mut in_place = ApplicationUpdate::builder();
    let mut any_in_place = false;
    if spec.code.trim() != current.code.trim() {
        in_place = in_place.application_code_update(&spec.code);
        any_in_place = true;
    }
    if has_input
        && spec.input != current.input
        && let Some(id) = detail
            .input_descriptions()
            .first()
            .and_then(|d| d.input_id())
    {
        in_place = in_place.input_updates(convert::input_update(id, &spec.input));
        any_in_place = true;
    }
    for o in &spec.outputs {
        if let Some(c) = current.outputs.iter().find(|c| c.name == o.name)
            && c != o
            && let Some(id) = detail
                .output_descriptions()
                .iter()
                .find(|d| d.name() == Some(o.name.as_str()))
                .and_then(|d| d.output_id())
        {
            in_place = in_place.output_updates(convert::output_update(id, o));
            any_in_place = true;
        }
    }
    // Order: the input first (nothing else validates without it), outputs that must go before
    // outputs that must come (the limit is three), and the code change together with the
    // in-place updates — unless the code needs an output that is not there yet, which is why
    // outputs are added before a code update that mentions them would be checked.
    let mut steps: Vec<Step> = Vec::new();
    if !has_input {
        steps.push(Step::AddInput);
    }
    steps.extend(removed.into_iter().map(Step::DeleteOutput));
    if any_in_place {
        steps.push(Step::Update(Box::new(in_place.build())));
    }
    steps.extend(added.into_iter().map(Step::AddOutput));
    let remaining = steps.len() > 1;
    Plan {
        call: steps
            .into_iter()
            .next()
            .unwrap_or(Step::Update(Box::new(ApplicationUpdate::builder().build()))),
        remaining,
    }
}
