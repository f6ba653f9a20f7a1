//! State machines: Create, Describe, List, Update, Delete, ValidateStateMachineDefinition.

use std::sync::Arc;

use bytes::Bytes;
use kdaflow_asl::{Problem, Program};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::arns::{self, check_machine_arn, check_name, check_role_arn};
use super::model::*;
use super::{StepFunctions, epoch_seconds, json_body, required};
use crate::protocol::AwsError;

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

/// A state machine and its compiled program.
#[derive(Debug)]
pub struct MachineEntry {
    /// The record.
    pub record: MachineRecord,
    /// The compiled definition.
    pub program: Arc<Program>,
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
    AwsError::client(
        "InvalidDefinition",
        format!("Invalid State Machine Definition: '{}'", list.join(", ")),
    )
}

fn check_definition_length(text: &str) -> Result<(), AwsError> {
    let n = text.chars().count();
    if n == 0 || n > MAX_DEFINITION {
        return Err(AwsError::client(
            "ValidationException",
            format!(
                "1 validation error detected: Value at 'definition' failed to satisfy constraint: Member must have length between 1 and {MAX_DEFINITION} (it has {n})"
            ),
        ));
    }
    Ok(())
}

fn machine_missing(arn: &str) -> AwsError {
    AwsError::client(
        "StateMachineDoesNotExist",
        format!("State Machine Does Not Exist: '{arn}'"),
    )
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

    fn persist_machine(&self, r: &MachineRecord) -> Result<(), AwsError> {
        self.store.put(TABLE, &r.name, r).map_err(|e| {
            AwsError::named(
                "ServiceUnavailableException",
                format!("The change was not saved and has no effect: {e}"),
            )
        })
    }

    /// The state machine an ARN designates.
    pub(super) fn machine(&self, arn: &str) -> Result<Arc<MachineEntry>, AwsError> {
        check_machine_arn(arn)?;
        let name = arn.rsplit(':').next().unwrap_or_default();
        self.machines
            .read()
            .get(name)
            .filter(|m| m.record.arn == arn)
            .cloned()
            .ok_or_else(|| machine_missing(arn))
    }

    /// CreateStateMachine. Idempotent when name, definition, type and configurations are the
    /// same (a different role is ignored, as AWS does); otherwise `StateMachineAlreadyExists`.
    pub fn create_state_machine(
        &self,
        input: CreateStateMachineInput,
    ) -> Result<CreateStateMachineOutput, AwsError> {
        let name = required("name", &input.name)?;
        let definition = required("definition", &input.definition)?;
        let role_arn = required("roleArn", &input.role_arn)?;
        check_name(&name)?;
        check_definition_length(&definition)?;
        check_role_arn(&role_arn)?;
        let machine_type = input.machine_type.unwrap_or_default();
        let program =
            definition_problems(&definition, machine_type).map_err(|p| invalid_definition(&p))?;
        let mut machines = self.machines.write();
        if let Some(existing) = machines.get(&name) {
            let r = &existing.record;
            let same = r.definition == definition
                && r.machine_type == machine_type
                && (input.logging_configuration.is_none()
                    || r.logging == input.logging_configuration)
                && (input.tracing_configuration.is_none()
                    || r.tracing == input.tracing_configuration);
            if same {
                return Ok(CreateStateMachineOutput {
                    state_machine_arn: r.arn.clone(),
                    creation_date: epoch_seconds(r.created_ms),
                });
            }
            return Err(AwsError::client(
                "StateMachineAlreadyExists",
                format!(
                    "State Machine Already Exists: '{}' (with a different definition, type or configuration; update it with UpdateStateMachine)",
                    r.arn
                ),
            ));
        }
        let record = MachineRecord {
            arn: self.machine_arn(&name),
            name: name.clone(),
            definition,
            role_arn,
            machine_type,
            created_ms: self.clock.now().timestamp_millis(),
            updated_ms: None,
            revision: 0,
            logging: input.logging_configuration,
            tracing: input.tracing_configuration,
        };
        self.persist_machine(&record)?;
        let out = CreateStateMachineOutput {
            state_machine_arn: record.arn.clone(),
            creation_date: epoch_seconds(record.created_ms),
        };
        machines.insert(
            name,
            Arc::new(MachineEntry {
                record,
                program: Arc::new(program),
            }),
        );
        Ok(out)
    }

    /// DescribeStateMachine, as JSON.
    pub fn describe_state_machine(&self, arn: &str) -> Result<Value, AwsError> {
        Ok(describe_json(&self.machine(arn)?.record))
    }

    pub(super) fn describe_state_machine_body(
        &self,
        input: StateMachineArnInput,
    ) -> Result<Bytes, AwsError> {
        let arn = required("stateMachineArn", &input.state_machine_arn)?;
        json_body(&self.describe_state_machine(&arn)?)
    }

    pub(super) fn describe_state_machine_for_execution(
        &self,
        input: ExecutionArnInput,
    ) -> Result<Bytes, AwsError> {
        let arn = required("executionArn", &input.execution_arn)?;
        let entry = self.execution(&arn)?;
        let record = entry.record();
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
        let size = arns::page_size(input.max_results)?;
        let start = arns::offset("ListStateMachines", input.next_token.as_deref())?;
        let machines = self.machines.read();
        let page: Vec<Value> = machines
            .values()
            .skip(start)
            .take(size)
            .map(|m| {
                json!({
                    "stateMachineArn": m.record.arn,
                    "name": m.record.name,
                    "type": m.record.machine_type.as_str(),
                    "creationDate": epoch_seconds(m.record.created_ms),
                })
            })
            .collect();
        let mut out = json!({ "stateMachines": page });
        if start + size < machines.len() {
            out["nextToken"] = json!(arns::token("ListStateMachines", start + size));
        }
        json_body(&out)
    }

    pub(super) fn update_state_machine(
        &self,
        input: UpdateStateMachineInput,
    ) -> Result<Bytes, AwsError> {
        let arn = required("stateMachineArn", &input.state_machine_arn)?;
        if input.definition.is_none()
            && input.role_arn.is_none()
            && input.logging_configuration.is_none()
            && input.tracing_configuration.is_none()
        {
            return Err(AwsError::client(
                "MissingRequiredParameter",
                "Either the definition, the roleArn, the loggingConfiguration or the tracingConfiguration must be specified",
            ));
        }
        if let Some(role) = &input.role_arn {
            check_role_arn(role)?;
        }
        let mut machines = self.machines.write();
        check_machine_arn(&arn)?;
        let name = arn.rsplit(':').next().unwrap_or_default().to_string();
        let current = machines
            .get(&name)
            .filter(|m| m.record.arn == arn)
            .cloned()
            .ok_or_else(|| machine_missing(&arn))?;
        let mut record = current.record.clone();
        let mut program = current.program.clone();
        if let Some(def) = input.definition {
            check_definition_length(&def)?;
            program = Arc::new(
                definition_problems(&def, record.machine_type)
                    .map_err(|p| invalid_definition(&p))?,
            );
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
        let now = self.clock.now().timestamp_millis();
        record.updated_ms = Some(now);
        record.revision += 1;
        self.persist_machine(&record)?;
        let out = json!({"updateDate": epoch_seconds(now), "revisionId": revision_id(&record)});
        machines.insert(name, Arc::new(MachineEntry { record, program }));
        json_body(&out)
    }

    /// DeleteStateMachine. Deleting an unknown machine succeeds (the operation models no
    /// `StateMachineDoesNotExist`); executions already running go on to their end.
    pub fn delete_state_machine_arn(&self, arn: &str) -> Result<(), AwsError> {
        check_machine_arn(arn)?;
        let name = arn.rsplit(':').next().unwrap_or_default();
        let mut machines = self.machines.write();
        if machines.get(name).is_some_and(|m| m.record.arn == arn) {
            self.store.delete(TABLE, name).map_err(|e| {
                AwsError::named(
                    "ServiceUnavailableException",
                    format!("The deletion was not saved and has no effect: {e}"),
                )
            })?;
            machines.shift_remove(name);
        }
        Ok(())
    }

    pub(super) fn delete_state_machine(
        &self,
        input: StateMachineArnInput,
    ) -> Result<Bytes, AwsError> {
        let arn = required("stateMachineArn", &input.state_machine_arn)?;
        self.delete_state_machine_arn(&arn)?;
        Ok(Bytes::from_static(b"{}"))
    }

    pub(super) fn validate_definition(
        &self,
        input: ValidateDefinitionInput,
    ) -> Result<Bytes, AwsError> {
        let definition = required("definition", &input.definition)?;
        check_definition_length(&definition)?;
        let max = match input.max_results {
            None | Some(0) => 100,
            Some(n) if (1..=100).contains(&n) => n as usize,
            Some(n) => {
                return Err(AwsError::client(
                    "ValidationException",
                    format!(
                        "1 validation error detected: Value '{n}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100"
                    ),
                ));
            }
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
