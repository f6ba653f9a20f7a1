//! The Flink bootstrap's tasks over `aws-sdk-kinesisanalyticsv2` (Managed Service for Apache
//! Flink): validate, create or verify, start with a run configuration, follow the start.
//!
//! The same contract as the SQL tasks: a busy application (`ResourceInUseException`, a
//! `ConcurrentModificationException` after a concurrent change) is `Bootstrap.ApplicationBusy`,
//! which the state machine retries with backoff, each retry describing the application again
//! for its current `ConditionalToken`; throttling and unavailability retry too.

use aws_sdk_kinesisanalyticsv2 as v2;
use indexmap::IndexMap;
use kdaflow_workflow::contract::errors;
use kdaflow_workflow::flink::{
    CodeLocation, FlinkPollInput, FlinkPollState, FlinkRequest, FlinkSpec,
};
use kdaflow_workflow::input::{CreateResult, DriftPolicy, TaskFailure, seconds_between};
use v2::types as t;

use crate::errors::{classify, code};

/// The Managed Service for Apache Flink client the Flink tasks use.
pub type Flink = v2::Client;

/// A build error of an SDK shape (a required member left out) — a bug, reported as such.
fn built<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("an SDK shape was built without a required member: {e}"))
}

/// ValidatePrerequisites: the Flink execution input, normalised (no AWS calls).
pub async fn validate_prerequisites(event: serde_json::Value) -> Result<FlinkRequest, TaskFailure> {
    kdaflow_workflow::flink::normalise(&event)
}

async fn describe(c: &Flink, name: &str) -> Result<Option<t::ApplicationDetail>, TaskFailure> {
    match c.describe_application().application_name(name).send().await {
        Ok(out) => Ok(out.application_detail),
        Err(e) if code(&e).as_deref() == Some("ResourceNotFoundException") => Ok(None),
        Err(e) => Err(classify("DescribeApplication", name, e)),
    }
}

async fn describe_existing(c: &Flink, name: &str) -> Result<t::ApplicationDetail, TaskFailure> {
    describe(c, name).await?.ok_or_else(|| {
        TaskFailure::new(
            errors::START_FAILED,
            format!("Application {name} does not exist (deleted while the bootstrap ran?)"),
        )
    })
}

fn property_groups(spec: &FlinkSpec) -> Vec<t::PropertyGroup> {
    spec.properties
        .iter()
        .map(|(id, map)| {
            built(
                t::PropertyGroup::builder()
                    .property_group_id(id)
                    .set_property_map(Some(map.clone().into_iter().collect()))
                    .build(),
            )
        })
        .collect()
}

fn s3_location(code: &CodeLocation) -> t::S3ContentLocation {
    built(
        t::S3ContentLocation::builder()
            .bucket_arn(&code.bucket_arn)
            .file_key(&code.file_key)
            .set_object_version(code.object_version.clone())
            .build(),
    )
}

fn configuration(spec: &FlinkSpec) -> t::ApplicationConfiguration {
    t::ApplicationConfiguration::builder()
        .application_code_configuration(built(
            t::ApplicationCodeConfiguration::builder()
                .code_content_type(t::CodeContentType::Zipfile)
                .code_content(
                    t::CodeContent::builder()
                        .s3_content_location(s3_location(&spec.code))
                        .build(),
                )
                .build(),
        ))
        .flink_application_configuration(
            t::FlinkApplicationConfiguration::builder()
                .checkpoint_configuration(built(
                    t::CheckpointConfiguration::builder()
                        .configuration_type(t::ConfigurationType::Custom)
                        .checkpointing_enabled(spec.checkpointing)
                        .checkpoint_interval(spec.checkpoint_interval_ms)
                        .build(),
                ))
                .parallelism_configuration(built(
                    t::ParallelismConfiguration::builder()
                        .configuration_type(t::ConfigurationType::Custom)
                        .parallelism(spec.parallelism as i32)
                        .parallelism_per_kpu(spec.parallelism_per_kpu as i32)
                        .auto_scaling_enabled(spec.auto_scaling)
                        .build(),
                ))
                .build(),
        )
        .environment_properties(built(
            t::EnvironmentProperties::builder()
                .set_property_groups(Some(property_groups(spec)))
                .build(),
        ))
        .application_snapshot_configuration(built(
            t::ApplicationSnapshotConfiguration::builder()
                .snapshots_enabled(spec.snapshots)
                .build(),
        ))
        .build()
}

/// The CreateApplication call that creates the application `spec` describes.
pub fn create_call(
    c: &Flink,
    spec: &FlinkSpec,
) -> v2::operation::create_application::builders::CreateApplicationFluentBuilder {
    c.create_application()
        .application_name(&spec.name)
        .application_description(&spec.description)
        .runtime_environment(t::RuntimeEnvironment::from(
            spec.runtime_environment.as_str(),
        ))
        .service_execution_role(&spec.service_execution_role)
        .application_mode(t::ApplicationMode::Streaming)
        .application_configuration(configuration(spec))
}

/// The application as described, in the spec's terms (the streams, which the API does not
/// know, are the spec's).
fn current(spec: &FlinkSpec, d: &t::ApplicationDetail) -> FlinkSpec {
    let config = d.application_configuration_description();
    let code = config
        .and_then(|c| c.application_code_configuration_description())
        .and_then(|c| c.code_content_description())
        .and_then(|c| c.s3_application_code_location_description());
    let flink = config.and_then(|c| c.flink_application_configuration_description());
    let checkpoint = flink.and_then(|f| f.checkpoint_configuration_description());
    let parallelism = flink.and_then(|f| f.parallelism_configuration_description());
    let properties: IndexMap<String, IndexMap<String, String>> = config
        .and_then(|c| c.environment_property_descriptions())
        .map(|e| e.property_group_descriptions())
        .unwrap_or_default()
        .iter()
        .map(|g| {
            let mut map: Vec<(String, String)> = g
                .property_map()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            // The SDK's map has no order; the spec's order decides.
            let order = spec.properties.get(g.property_group_id());
            map.sort_by_key(|(k, _)| order.and_then(|o| o.get_index_of(k)).unwrap_or(usize::MAX));
            (g.property_group_id().to_string(), map.into_iter().collect())
        })
        .collect();
    FlinkSpec {
        name: d.application_name().to_string(),
        description: d.application_description().unwrap_or_default().to_string(),
        runtime_environment: d.runtime_environment().as_str().to_string(),
        service_execution_role: d.service_execution_role().unwrap_or_default().to_string(),
        code: CodeLocation {
            bucket_arn: code.map(|c| c.bucket_arn().to_string()).unwrap_or_default(),
            file_key: code.map(|c| c.file_key().to_string()).unwrap_or_default(),
            object_version: code.and_then(|c| c.object_version().map(str::to_string)),
        },
        properties,
        parallelism: parallelism
            .and_then(|p| p.parallelism())
            .map_or(0, i64::from),
        parallelism_per_kpu: parallelism
            .and_then(|p| p.parallelism_per_kpu())
            .map_or(0, i64::from),
        auto_scaling: parallelism
            .and_then(|p| p.auto_scaling_enabled())
            .unwrap_or(false),
        checkpointing: checkpoint
            .and_then(|c| c.checkpointing_enabled())
            .unwrap_or(false),
        checkpoint_interval_ms: checkpoint
            .and_then(|c| c.checkpoint_interval())
            .unwrap_or(0),
        snapshots: config
            .and_then(|c| c.application_snapshot_configuration_description())
            .is_some_and(|s| s.snapshots_enabled()),
        streams: spec.streams.clone(),
    }
}

/// The UpdateApplication that brings the application to `spec` (everything it can change in
/// place, in one call: code, properties, parallelism, checkpoints, snapshots, role, runtime).
fn update_call(
    c: &Flink,
    spec: &FlinkSpec,
    now: &FlinkSpec,
    token: &str,
) -> v2::operation::update_application::builders::UpdateApplicationFluentBuilder {
    let mut update = t::ApplicationConfigurationUpdate::builder();
    if spec.code != now.code {
        update = update.application_code_configuration_update(
            t::ApplicationCodeConfigurationUpdate::builder()
                .code_content_type_update(t::CodeContentType::Zipfile)
                .code_content_update(
                    t::CodeContentUpdate::builder()
                        .s3_content_location_update(
                            t::S3ContentLocationUpdate::builder()
                                .bucket_arn_update(&spec.code.bucket_arn)
                                .file_key_update(&spec.code.file_key)
                                .set_object_version_update(spec.code.object_version.clone())
                                .build(),
                        )
                        .build(),
                )
                .build(),
        );
    }
    if spec.properties != now.properties {
        update = update.environment_property_updates(built(
            t::EnvironmentPropertyUpdates::builder()
                .set_property_groups(Some(property_groups(spec)))
                .build(),
        ));
    }
    update = update.flink_application_configuration_update(
        t::FlinkApplicationConfigurationUpdate::builder()
            .checkpoint_configuration_update(
                t::CheckpointConfigurationUpdate::builder()
                    .configuration_type_update(t::ConfigurationType::Custom)
                    .checkpointing_enabled_update(spec.checkpointing)
                    .checkpoint_interval_update(spec.checkpoint_interval_ms)
                    .build(),
            )
            .parallelism_configuration_update(
                t::ParallelismConfigurationUpdate::builder()
                    .configuration_type_update(t::ConfigurationType::Custom)
                    .parallelism_update(spec.parallelism as i32)
                    .parallelism_per_kpu_update(spec.parallelism_per_kpu as i32)
                    .auto_scaling_enabled_update(spec.auto_scaling)
                    .build(),
            )
            .build(),
    );
    if spec.snapshots != now.snapshots {
        update = update.application_snapshot_configuration_update(built(
            t::ApplicationSnapshotConfigurationUpdate::builder()
                .snapshots_enabled_update(spec.snapshots)
                .build(),
        ));
    }
    let mut call = c
        .update_application()
        .application_name(&spec.name)
        .conditional_token(token)
        .application_configuration_update(update.build());
    if spec.service_execution_role != now.service_execution_role {
        call = call.service_execution_role_update(&spec.service_execution_role);
    }
    if spec.runtime_environment != now.runtime_environment {
        call = call.runtime_environment_update(t::RuntimeEnvironment::from(
            spec.runtime_environment.as_str(),
        ));
    }
    call
}

/// CreateOrVerifyApplication: create the Flink application, or check the existing one against
/// the spec (and, with `on_drift = update`, update it with its ConditionalToken).
pub async fn create_application(
    c: &Flink,
    request: FlinkRequest,
) -> Result<CreateResult, TaskFailure> {
    let spec = &request.application;
    let name = spec.name.as_str();
    let existing = describe(c, name).await?;
    if existing.is_none() {
        match create_call(c, spec).send().await {
            Ok(out) => {
                let d = out.application_detail;
                return Ok(CreateResult {
                    application_name: name.to_string(),
                    application_arn: d
                        .as_ref()
                        .map(|d| d.application_arn().to_string())
                        .unwrap_or_default(),
                    version_id: d.map_or(1, |d| d.application_version_id()),
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
        Some(d) => d,
        None => describe(c, name).await?.ok_or_else(|| {
            TaskFailure::new(
                errors::APPLICATION_BUSY,
                format!(
                    "Application {name} was being deleted while this execution created it; retrying"
                ),
            )
        })?,
    };
    let now = current(spec, &detail);
    let differences = spec.differences(&now);
    let result = |version, updated| CreateResult {
        application_name: name.to_string(),
        application_arn: detail.application_arn().to_string(),
        version_id: version,
        created: false,
        updated,
    };
    if differences.is_empty() {
        return Ok(result(detail.application_version_id(), false));
    }
    let listed: String = differences.iter().map(|d| format!("\n- {d}")).collect();
    if request.on_drift == DriftPolicy::Fail {
        return Err(TaskFailure::new(
            errors::CONFIGURATION_DRIFT,
            format!(
                "Application {name} exists with a different configuration ({} difference(s)):{listed}\n\
                 Start the bootstrap with \"on_drift\": \"update\" to bring it in line, or delete it first.",
                differences.len()
            ),
        ));
    }
    if spec.description != now.description {
        return Err(TaskFailure::new(
            errors::CONFIGURATION_DRIFT,
            format!(
                "Application {name}: its description cannot be changed in place (kinesisanalyticsv2 has no description update); \
                 delete the application or align the spec's description. All differences:{listed}"
            ),
        ));
    }
    match detail.application_status() {
        t::ApplicationStatus::Ready | t::ApplicationStatus::Running => {}
        status => {
            return Err(TaskFailure::new(
                errors::APPLICATION_BUSY,
                format!(
                    "Application {name} is {status} and cannot be updated yet; retrying. Pending:{listed}"
                ),
            ));
        }
    }
    let token = detail.conditional_token().unwrap_or_default();
    let out = update_call(c, spec, &now, token)
        .send()
        .await
        .map_err(|e| classify("UpdateApplication", name, e))?;
    let version = out
        .application_detail
        .map_or(detail.application_version_id() + 1, |d| {
            d.application_version_id()
        });
    Ok(result(version, true))
}

fn busy(name: &str, status: &t::ApplicationStatus) -> TaskFailure {
    TaskFailure::new(
        errors::APPLICATION_BUSY,
        format!("Application {name} is {status}; it can be started once it is READY. Retrying"),
    )
}

/// StartApplication: start it with the request's run configuration. Already STARTING,
/// RUNNING, UPDATING or AUTOSCALING is success (another execution, an earlier attempt or the
/// create task's update got there first); STOPPING and ROLLING_BACK are busy.
pub async fn start_application(
    c: &Flink,
    input: FlinkPollInput,
) -> Result<FlinkPollState, TaskFailure> {
    let request = &input.request;
    let name = request.application_name.as_str();
    let elapsed = seconds_between(&input.started_at, &input.now);
    let poll = |status: &str, op: &str, version: i64| {
        FlinkPollState::next(
            None,
            status,
            op,
            version,
            elapsed,
            request.max_wait_seconds,
            false,
        )
    };
    let detail = describe_existing(c, name).await?;
    let version = detail.application_version_id();
    use t::ApplicationStatus as S;
    match detail.application_status() {
        S::Starting | S::Running | S::Updating | S::Autoscaling => {
            return Ok(poll(detail.application_status().as_str(), "", version));
        }
        S::Ready => {}
        s @ (S::Stopping | S::ForceStopping | S::RollingBack | S::Maintenance) => {
            return Err(busy(name, s));
        }
        other => {
            return Err(TaskFailure::new(
                errors::START_FAILED,
                format!("Application {name} is {other}; it cannot be started"),
            ));
        }
    }
    let restore = built(
        t::ApplicationRestoreConfiguration::builder()
            .application_restore_type(t::ApplicationRestoreType::from(request.restore.as_str()))
            .set_snapshot_name(request.snapshot_name.clone())
            .build(),
    );
    let run = t::RunConfiguration::builder()
        .application_restore_configuration(restore)
        .flink_run_configuration(
            t::FlinkRunConfiguration::builder()
                .allow_non_restored_state(request.allow_non_restored_state)
                .build(),
        )
        .build();
    let started = c
        .start_application()
        .application_name(name)
        .run_configuration(run)
        .send()
        .await;
    match started {
        Ok(out) => Ok(poll(
            S::Starting.as_str(),
            out.operation_id().unwrap_or_default(),
            version,
        )),
        // Someone else started (or began changing) it between our describe and our start.
        Err(e) if code(&e).as_deref() == Some("ResourceInUseException") => {
            let now = describe_existing(c, name).await?;
            match now.application_status() {
                S::Starting | S::Running | S::Updating | S::Autoscaling => Ok(poll(
                    now.application_status().as_str(),
                    "",
                    now.application_version_id(),
                )),
                status => Err(busy(name, status)),
            }
        }
        Err(e)
            if matches!(
                code(&e).as_deref(),
                Some(
                    "InvalidApplicationConfigurationException"
                        | "InvalidArgumentException"
                        | "ResourceNotFoundException"
                )
            ) =>
        {
            let failure = classify("StartApplication", name, e);
            Err(TaskFailure::new(errors::START_FAILED, failure.message))
        }
        Err(e) => Err(classify("StartApplication", name, e)),
    }
}

/// CheckApplicationStatus: follows the start's operation (DescribeApplicationOperation, one
/// call while it is in progress) and reads the application's status once it ended; without an
/// operation (another execution started it) reads the status.
pub async fn check_application_status(
    c: &Flink,
    input: FlinkPollInput,
) -> Result<FlinkPollState, TaskFailure> {
    let request = &input.request;
    let name = request.application_name.as_str();
    let previous = input.poll.as_ref();
    let op = previous.map(|p| p.operation_id.clone()).unwrap_or_default();
    let elapsed = seconds_between(&input.started_at, &input.now);
    let next = |status: &str, version: i64| {
        FlinkPollState::next(
            previous,
            status,
            &op,
            version,
            elapsed,
            request.max_wait_seconds,
            true,
        )
    };
    let mut reason = None;
    if !op.is_empty() {
        match c
            .describe_application_operation()
            .application_name(name)
            .operation_id(&op)
            .send()
            .await
        {
            Ok(out) => {
                let details = out.application_operation_info_details;
                match details.as_ref().map(|d| d.operation_status()) {
                    Some(t::OperationStatus::InProgress) => {
                        let version = previous.map_or(0, |p| p.version_id);
                        return Ok(next(t::ApplicationStatus::Starting.as_str(), version));
                    }
                    Some(t::OperationStatus::Failed | t::OperationStatus::Cancelled) => {
                        let d = details.as_ref();
                        reason = Some(
                            d.and_then(|d| d.operation_failure_details())
                                .and_then(|f| f.error_info())
                                .and_then(|e| e.error_string())
                                .map(str::to_string)
                                .unwrap_or_else(|| {
                                    format!(
                                        "the start's operation {op} ended {}",
                                        d.map(|d| d.operation_status().as_str())
                                            .unwrap_or_default()
                                    )
                                }),
                        );
                    }
                    _ => {}
                }
            }
            // An operation the service no longer keeps: the status decides.
            Err(e) if code(&e).as_deref() == Some("ResourceNotFoundException") => {}
            Err(e) => return Err(classify("DescribeApplicationOperation", name, e)),
        }
    }
    let detail = describe_existing(c, name).await?;
    let status = detail.application_status().as_str();
    let mut state = next(status, detail.application_version_id());
    state.reason = reason.unwrap_or_else(|| format!("the application is {status}"));
    Ok(state)
}
