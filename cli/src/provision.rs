//! Provisioning the bootstrap on the twin exactly as the CloudFormation stack deploys it on AWS:
//! the state machine from `workflow`'s definition with the twin's function ARNs substituted
//! (the stack's `DefinitionSubstitutions`), and the EventBridge rules and targets read out of
//! the synthesised template itself — same patterns, same input transformers — with its
//! intrinsic functions resolved for the twin.

use anyhow::{Context, bail};
use kdaflow_local::Twin;
use kdaflow_local::events::model::{PutRuleInput, PutTargetsInput, Target};
use kdaflow_local::gateway::Service;
use kdaflow_local::states::model::CreateStateMachineInput;
use kdaflow_workflow::prerequisites::{FIELDS, Prerequisites};
use serde_json::{Map, Value, json};

use crate::bootstrap::{
    FLINK_STATE_MACHINE_NAME, STATE_MACHINE_NAME, provision_prerequisites,
    register_tasks_and_define,
};

/// The prerequisites stack the automated-bootstrap rule listens for on the twin (the stack's
/// `PrerequisitesStackName` parameter).
pub const PREREQUISITES_STACK_NAME: &str = "kdaflow-prerequisites";

/// What was provisioned.
#[derive(Debug, Clone)]
pub struct Provisioned {
    /// The bootstrap state machine.
    pub state_machine_arn: String,
    /// The Flink bootstrap state machine.
    pub flink_state_machine_arn: String,
    /// The rules, by name.
    pub rules: Vec<String>,
    /// The stand-in prerequisites the stack parameters are set to.
    pub prerequisites: Prerequisites,
    /// The stand-in functions.
    pub standins: kdaflow_local::standins::ReferenceStandins,
}

/// Provisions the bootstrap on `twin`, whose gateway is at `endpoint`: the prerequisites'
/// stand-ins, the task functions, the state machine, the rules. Idempotent (a restarted twin
/// with a state directory finds them and keeps them, updating the definition if it changed).
pub async fn provision(twin: &Twin, endpoint: &str) -> anyhow::Result<Provisioned> {
    provision_with(twin, endpoint, crate::tasks::Tasks::InProcess).await
}

/// [`provision`], with the tasks run as `tasks` says.
pub async fn provision_with(
    twin: &Twin,
    endpoint: &str,
    tasks: crate::tasks::Tasks,
) -> anyhow::Result<Provisioned> {
    let config = twin.config().clone();
    let standins = provision_prerequisites(twin).await?;
    let (definition, flink_definition) = register_tasks_and_define(twin, endpoint, tasks)?;
    let role = format!(
        "arn:aws:iam::{}:role/kdaflow-bootstrap-states",
        config.account_id
    );
    let state_machine_arn = define(twin, STATE_MACHINE_NAME, &definition, &role).await?;
    let flink_state_machine_arn =
        define(twin, FLINK_STATE_MACHINE_NAME, &flink_definition, &role).await?;

    // The values the template's intrinsics resolve to on the twin.
    let prerequisites = Prerequisites::example(&config.region, &config.account_id);
    let mut values = Map::new();
    values.insert("AWS::Partition".into(), "aws".into());
    values.insert("AWS::Region".into(), config.region.clone().into());
    values.insert("AWS::AccountId".into(), config.account_id.clone().into());
    values.insert(
        "PrerequisitesStackName".into(),
        PREREQUISITES_STACK_NAME.into(),
    );
    values.insert(
        kdaflow_infra::stack::STATE_MACHINE.into(),
        state_machine_arn.clone().into(),
    );
    values.insert(
        format!("{}.Arn", kdaflow_infra::stack::EVENTS_ROLE),
        format!(
            "arn:aws:iam::{}:role/kdaflow-events-start-bootstrap",
            config.account_id
        )
        .into(),
    );
    for (field, _) in FIELDS {
        let id = kdaflow_infra::stack::parameters::parameter_id(field);
        values.insert(id, prerequisites.get(field).unwrap_or_default().into());
    }
    let lookup = |name: &str| values.get(name).and_then(Value::as_str).map(str::to_string);
    let template =
        serde_json::to_value(kdaflow_infra::stack::template()).context("the template")?;
    let mut rules = Vec::new();
    for (logical_id, resource) in template["Resources"].as_object().into_iter().flatten() {
        if resource["Type"] != "AWS::Events::Rule" {
            continue;
        }
        let properties = kdaflow_infra::model::intrinsic::resolve(&resource["Properties"], &lookup)
            .with_context(|| format!("the properties of {logical_id}"))?;
        let name = format!("kdaflow-{logical_id}");
        twin.events()
            .put_rule(PutRuleInput {
                name: Some(name.clone()),
                event_pattern: Some(properties["EventPattern"].to_string()),
                state: properties["State"].as_str().map(str::to_string),
                description: properties["Description"].as_str().map(str::to_string),
                ..PutRuleInput::default()
            })
            .map_err(|e| anyhow::anyhow!("cannot create rule {name}: {e}"))?;
        let targets: Vec<Target> = serde_json::from_value(properties["Targets"].clone())
            .with_context(|| format!("the targets of {logical_id}"))?;
        let out = twin
            .events()
            .put_targets(PutTargetsInput {
                rule: Some(name.clone()),
                targets: Some(targets),
                ..PutTargetsInput::default()
            })
            .map_err(|e| anyhow::anyhow!("cannot add the targets of {name}: {e}"))?;
        if out.failed_entry_count > 0 {
            bail!(
                "the targets of {name} were refused: {:?}",
                out.failed_entries
            );
        }
        rules.push(name);
    }
    // Executions that were RUNNING when the twin stopped resume now that their functions exist.
    twin.states().resume_running();
    Ok(Provisioned {
        state_machine_arn,
        flink_state_machine_arn,
        rules,
        prerequisites,
        standins,
    })
}

/// Creates state machine `name` with `definition`, or brings an existing one up to date (an
/// older kdaflow's definition), as a stack update would. Returns its ARN.
async fn define(twin: &Twin, name: &str, definition: &str, role: &str) -> anyhow::Result<String> {
    match twin.states().create_state_machine(CreateStateMachineInput {
        name: Some(name.to_string()),
        definition: Some(definition.to_string()),
        role_arn: Some(role.to_string()),
        ..CreateStateMachineInput::default()
    }) {
        Ok(out) => Ok(out.state_machine_arn),
        Err(e) if e.code == "StateMachineAlreadyExists" => {
            let arn = twin.states().machine_arn(name);
            let body = json!({"stateMachineArn": arn, "definition": definition, "roleArn": role});
            twin.states()
                .clone()
                .call("UpdateStateMachine", bytes::Bytes::from(body.to_string()))
                .await
                .map_err(|e| anyhow::anyhow!("cannot update state machine {name}: {e}"))?;
            Ok(arn)
        }
        Err(e) => bail!("cannot create state machine {name}: {e}"),
    }
}
