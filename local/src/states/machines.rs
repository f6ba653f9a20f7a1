//! State machines: Create, Describe, List, Update, Delete, ValidateStateMachineDefinition.

use std::sync::Arc;

use bytes::Bytes;
use kdaflow_asl::clock::SharedClock;
use kdaflow_asl::{Problem, Program};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::arns::{self, check_machine_arn, check_name, check_role_arn};
use super::error::StatesError;
use super::model::*;
use super::{StepFunctions, arn_member, epoch_seconds, json_body, only_arn};
use crate::error::LocalError;
use crate::protocol::AwsError;
use crate::resources::{Insert, Table};
use crate::store::Store;
use crate::validation::Constraints;

/// The store table of state machines, keyed by name.
pub(super) const TABLE: &str = "states.machines";
/// The longest definition accepted (API reference: 1,048,576 characters).
pub const MAX_DEFINITION: usize = 1_048_576;

/// A state machine as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MachineRecord {
    /// Name.
    pub name: String,
    /// ARN.
    pub arn: String,
    /// Definition text, exactly as given.
    pub definition: String,
    /// Role.
    pub role_arn: String,
    /// STANDARD or EXPRESS.
    pub machine_type: MachineType,
    /// Creation, epoch ms.
    pub created_ms: i64,
    /// Last update, epoch ms.
    pub updated_ms: Option<i64>,
    /// Bumped by every update; the revision id is derived from it.
    pub revision: u64,
    /// Logging configuration as given.
    pub logging: Option<Value>,
    /// Tracing configuration as given.
    pub tracing: Option<Value>,
}

/// A state machine and its compiled program, as an operation sees it.
#[derive(Debug, Clone)]
pub struct MachineEntry {
    /// The record.
    pub record: MachineRecord,
    /// The compiled definition.
    pub program: Arc<Program>,
}

/// Loads the stored state machines, compiling each definition (one that no longer validates is
/// kept but treated as absent, with a warning).
pub(super) fn load(
    store: &Arc<Store>,
    clock: &SharedClock,
) -> Result<Table<MachineRecord, Option<Arc<Program>>>, LocalError> {
    Table::load(
        TABLE,
        store.clone(),
        clock.clone(),
        machine_missing,
        |record: &MachineRecord| match definition_problems(&record.definition, record.machine_type)
        {
            Ok(program) => Some(Arc::new(program)),
            Err(p) => {
                tracing::warn!(machine = %record.name, problems = ?p, "a stored state machine no longer validates; it is not loaded");
                None
            }
        },
    )
}

/// Why a definition is refused, as AWS codes diagnostics.
fn diagnostic_code(p: &Problem) -> &'static str {
    if p.pointer.ends_with("/Next")
        || p.pointer.ends_with("/Default")
        || p.pointer.ends_with("/StartAt")
    {
        "MISSING_TRANSITION_TARGET"
    } else {
        "SCHEMA_VALIDATION_FAILED"
    }
}

/// Every problem of a definition text, as `(code, message, location)`.
pub(super) fn definition_problems(
    text: &str,
    machine_type: MachineType,
) -> Result<Program, Vec<(String, String, String)>> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        vec![(
            "INVALID_JSON_DESCRIPTION".to_string(),
            format!("The definition is not valid JSON: {e}"),
            String::new(),
        )]
    })?;
    let mut problems = Vec::new();
    if machine_type == MachineType::Express {
        express_restrictions(&value, "", &mut problems);
    }
    match Program::from_json(&value) {
        Ok(program) if problems.is_empty() => Ok(program),
        Ok(_) => Err(problems),
        Err(kdaflow_asl::AslError::Invalid(list)) => {
            problems.extend(list.iter().map(|p| {
                (
                    diagnostic_code(p).to_string(),
                    p.message.clone(),
                    p.pointer.clone(),
                )
            }));
            Err(problems)
        }
        Err(e) => {
            problems.push((
                "SCHEMA_VALIDATION_FAILED".into(),
                e.to_string(),
                String::new(),
            ));
            Err(problems)
        }
    }
}

/// Express workflows support neither `.sync` nor `.waitForTaskToken` integrations nor
/// activities (developer guide, "Standard vs Express").
fn express_restrictions(v: &Value, pointer: &str, out: &mut Vec<(String, String, String)>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let p = format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1"));
                if k == "Resource"
                    && let Some(r) = child.as_str()
                {
                    let what = if r.ends_with(".sync") || r.ends_with(".sync:2") {
                        Some("'.sync' service integrations")
                    } else if r.ends_with(".waitForTaskToken") {
                        Some("'.waitForTaskToken' service integrations")
                    } else if r.contains(":activity:") {
                        Some("activities")
                    } else {
                        None
                    };
                    if let Some(what) = what {
                        out.push((
                            "SCHEMA_VALIDATION_FAILED".into(),
                            format!("Express state machines do not support {what}"),
                            p.clone(),
                        ));
                    }
                }
                express_restrictions(child, &p, out);
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                express_restrictions(child, &format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// `InvalidDefinition` listing every problem, in AWS's `CODE: message at /pointer` style.
pub(super) fn invalid_definition(problems: &[(String, String, String)]) -> AwsError {
    let list: Vec<String> = problems
        .iter()
        .map(|(code, message, at)| {
            if at.is_empty() {
                format!("{code}: {message}")
            } else {
                format!("{code}: {message} at {at}")
            }
        })
        .collect();
    StatesError::InvalidDefinition.with(format!(
        "Invalid State Machine Definition: '{}'",
        list.join(", ")
    ))
}

/// A definition member: 1 to 1,048,576 characters.
pub(super) fn check_definition_length(c: &mut Constraints, path: &str, text: &str) {
    // Not echoed: a definition can be a megabyte.
    let n = text.chars().count();
    if n == 0 || n > MAX_DEFINITION {
        c.list_len(path, n, 1, MAX_DEFINITION);
    }
}

pub(super) fn machine_missing(arn: &str) -> AwsError {
    StatesError::StateMachineDoesNotExist.with(format!("State Machine Does Not Exist: '{arn}'"))
}

fn describe_json(r: &MachineRecord) -> Value {
    let mut out = json!({
        "stateMachineArn": r.arn,
        "name": r.name,
        "status": "ACTIVE",
        "definition": r.definition,
        "roleArn": r.role_arn,
        "type": r.machine_type.as_str(),
        "creationDate": epoch_seconds(r.created_ms),
        "loggingConfiguration": r.logging.clone().unwrap_or(json!({"level": "OFF", "includeExecutionData": false})),
        "tracingConfiguration": r.tracing.clone().unwrap_or(json!({"enabled": false})),
    });
    if r.revision > 0 {
        out["revisionId"] = json!(revision_id(r));
    }
    out
}

fn revision_id(r: &MachineRecord) -> String {
    format!("{:016x}", arns::fnv(&format!("{}#{}", r.arn, r.revision)))
}

impl StepFunctions {
    /// The ARN of state machine `name` on this twin.
    pub fn machine_arn(&self, name: &str) -> String {
        format!(
            "arn:aws:states:{}:{}:stateMachine:{name}",
            self.config.region, self.config.account_id
        )
    }

    /// The state machine an ARN designates.
    pub(super) fn machine(&self, arn: &str) -> Result<MachineEntry, AwsError> {
        check_machine_arn(arn)?;
        let name = arn.rsplit(':').next().unwrap_or_default();
        self.machines
            .read(name, |row| {
                let program = row.extra.clone()?;
                (row.record.arn == arn).then(|| MachineEntry {
                    record: row.record.clone(),
                    program,
                })
            })
            .ok()
            .flatten()
            .ok_or_else(|| machine_missing(arn))
    }

    /// CreateStateMachine. Idempotent when name, definition, type and configurations are the
    /// same (a different role is ignored, as AWS does); otherwise `StateMachineAlreadyExists`.
    pub fn create_state_machine(
        &self,
        input: CreateStateMachineInput,
    ) -> Result<CreateStateMachineOutput, AwsError> {
        let mut c = Constraints::default();
        if let Some(n) = c.required("name", &input.name) {
            c.len("name", n, 1, arns::MAX_NAME);
        }
        if let Some(d) = c.required("definition", &input.definition) {
            check_definition_length(&mut c, "definition", d);
        }
        arn_member(&mut c, "roleArn", &input.role_arn);
        c.finish()?;
        let name = input.name.unwrap_or_default();
        let definition = input.definition.unwrap_or_default();
        let role_arn = input.role_arn.unwrap_or_default();
        check_name(&name)?;
        check_role_arn(&role_arn)?;
        let machine_type = input.machine_type.unwrap_or_default();
        let program =
            definition_problems(&definition, machine_type).map_err(|p| invalid_definition(&p))?;
        let arn = self.machine_arn(&name);
        let now = self.clock.now().timestamp_millis();
        self.machines.insert(&name, |existing, _| {
            if let Some(r) = existing {
                let same = r.definition == definition
                    && r.machine_type == machine_type
                    && (input.logging_configuration.is_none()
                        || r.logging == input.logging_configuration)
                    && (input.tracing_configuration.is_none()
                        || r.tracing == input.tracing_configuration);
                if same {
                    return Ok(Insert::Keep(CreateStateMachineOutput {
                        state_machine_arn: r.arn.clone(),
                        creation_date: epoch_seconds(r.created_ms),
                    }));
                }
                return Err(StatesError::StateMachineAlreadyExists.with(format!(
                    "State Machine Already Exists: '{}' (with a different definition, type or configuration; update it with UpdateStateMachine)",
                    r.arn
                )));
            }
            let record = MachineRecord {
                arn: arn.clone(),
                name: name.clone(),
                definition,
                role_arn,
                machine_type,
                created_ms: now,
                updated_ms: None,
                revision: 0,
                logging: input.logging_configuration,
                tracing: input.tracing_configuration,
            };
            Ok(Insert::New(
                record,
                Some(Arc::new(program)),
                CreateStateMachineOutput {
                    state_machine_arn: arn.clone(),
                    creation_date: epoch_seconds(now),
                },
            ))
        })
    }

    /// DescribeStateMachine, as JSON.
    pub fn describe_state_machine(&self, arn: &str) -> Result<Value, AwsError> {
        Ok(describe_json(&self.machine(arn)?.record))
    }

    pub(super) fn describe_state_machine_body(
        &self,
        input: StateMachineArnInput,
    ) -> Result<Bytes, AwsError> {
        let arn = only_arn("stateMachineArn", &input.state_machine_arn)?;
        json_body(&self.describe_state_machine(&arn)?)
    }

    pub(super) fn describe_state_machine_for_execution(
        &self,
        input: ExecutionArnInput,
    ) -> Result<Bytes, AwsError> {
        let arn = only_arn("executionArn", &input.execution_arn)?;
        let record = self.execution_record(&arn)?;
        let mut out = json!({
            "stateMachineArn": record.machine_arn,
            "name": record.machine_name,
            "definition": record.definition,
            "roleArn": record.role_arn,
            "updateDate": epoch_seconds(record.start_ms),
        });
        if let Ok(m) = self.machine(&record.machine_arn) {
            out["loggingConfiguration"] = describe_json(&m.record)["loggingConfiguration"].clone();
        }
        json_body(&out)
    }

    pub(super) fn list_state_machines(&self, input: PageInput) -> Result<Bytes, AwsError> {
        let machines = self.machines.records();
        let out = arns::page(
            "stateMachines",
            &machines,
            "ListStateMachines",
            input.max_results,
            input.next_token.as_deref(),
            |m| {
                json!({
                    "stateMachineArn": m.arn,
                    "name": m.name,
                    "type": m.machine_type.as_str(),
                    "creationDate": epoch_seconds(m.created_ms),
                })
            },
        )?;
        json_body(&out)
    }

    pub(super) fn update_state_machine(
        &self,
        input: UpdateStateMachineInput,
    ) -> Result<Bytes, AwsError> {
        let mut c = Constraints::default();
        arn_member(&mut c, "stateMachineArn", &input.state_machine_arn);
        if let Some(d) = &input.definition {
            check_definition_length(&mut c, "definition", d);
        }
        if let Some(r) = &input.role_arn {
            c.len("roleArn", r, 1, 256);
        }
        c.finish()?;
        let arn = input.state_machine_arn.clone().unwrap_or_default();
        if input.definition.is_none()
            && input.role_arn.is_none()
            && input.logging_configuration.is_none()
            && input.tracing_configuration.is_none()
        {
            return Err(StatesError::MissingRequiredParameter.with(
                "Either the definition, the roleArn, the loggingConfiguration or the tracingConfiguration must be specified",
            ));
        }
        if let Some(role) = &input.role_arn {
            check_role_arn(role)?;
        }
        let name = self.machine(&arn)?.record.name;
        let now = self.clock.now().timestamp_millis();
        let out = self.machines.mutate_with(&name, |record, _, _| {
            if record.arn != arn {
                return Err(machine_missing(&arn));
            }
            let mut compiled = None;
            if let Some(def) = input.definition {
                compiled = Some(Some(Arc::new(
                    definition_problems(&def, record.machine_type)
                        .map_err(|p| invalid_definition(&p))?,
                )));
                record.definition = def;
            }
            if let Some(role) = input.role_arn {
                record.role_arn = role;
            }
            if input.logging_configuration.is_some() {
                record.logging = input.logging_configuration;
            }
            if input.tracing_configuration.is_some() {
                record.tracing = input.tracing_configuration;
            }
            record.updated_ms = Some(now);
            record.revision += 1;
            let out = json!({"updateDate": epoch_seconds(now), "revisionId": revision_id(record)});
            Ok((out, compiled))
        })?;
        json_body(&out)
    }

    /// DeleteStateMachine. Deleting an unknown machine succeeds (the operation models no
    /// `StateMachineDoesNotExist`); executions already running go on to their end.
    pub fn delete_state_machine_arn(&self, arn: &str) -> Result<(), AwsError> {
        check_machine_arn(arn)?;
        let name = arn.rsplit(':').next().unwrap_or_default();
        if self
            .machines
            .read(name, |row| row.record.arn == arn)
            .unwrap_or(false)
        {
            self.machines.remove(name, |_| Ok(()))?;
        }
        Ok(())
    }

    pub(super) fn delete_state_machine(
        &self,
        input: StateMachineArnInput,
    ) -> Result<Bytes, AwsError> {
        let arn = only_arn("stateMachineArn", &input.state_machine_arn)?;
        self.delete_state_machine_arn(&arn)?;
        Ok(Bytes::from_static(b"{}"))
    }

    pub(super) fn validate_definition(
        &self,
        input: ValidateDefinitionInput,
    ) -> Result<Bytes, AwsError> {
        let mut c = Constraints::default();
        if let Some(d) = c.required("definition", &input.definition) {
            check_definition_length(&mut c, "definition", d);
        }
        if let Some(n) = input.max_results {
            c.range("maxResults", n, 0, 100);
        }
        c.finish()?;
        let definition = input.definition.unwrap_or_default();
        let max = match input.max_results {
            None | Some(0) => 100,
            Some(n) => n as usize,
        };
        let out = match definition_problems(&definition, input.machine_type.unwrap_or_default()) {
            Ok(_) => json!({"result": "OK", "diagnostics": [], "truncated": false}),
            Err(problems) => {
                let diagnostics: Vec<Value> = problems
                    .iter()
                    .take(max)
                    .map(|(code, message, at)| {
                        let mut d = json!({"severity": "ERROR", "code": code, "message": message});
                        if !at.is_empty() {
                            d["location"] = json!(at);
                        }
                        d
                    })
                    .collect();
                json!({"result": "FAIL", "diagnostics": diagnostics, "truncated": problems.len() > max})
            }
        };
        json_body(&out)
    }
}
