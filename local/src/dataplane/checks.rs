//! What StartApplication requires to exist on the twin: the streaming source, the
//! preprocessing function and every destination (the service checks that it can reach them
//! before it starts an application). Reference data in S3 is not checked: the twin has no S3.

use super::DataPlane;
use crate::kinesisanalytics::app::AppRecord;

/// One line per missing resource, naming the input or output that refers to it.
pub fn missing(dp: &DataPlane, app: &AppRecord) -> Vec<String> {
    let mut out = Vec::new();
    let lambda_exists = |arn: &str| dp.lambda.exists(arn);
    for input in &app.inputs {
        let id = input.input_id.as_deref().unwrap_or("?");
        if let Some(arn) = input
            .kinesis_firehose_input_description
            .as_ref()
            .and_then(|f| f.resource_arn.as_deref())
            && !dp.firehose.exists(arn)
        {
            out.push(format!(
                "input {id}: Kinesis Data Firehose delivery stream {arn} does not exist"
            ));
        }
        if let Some(arn) = input
            .kinesis_streams_input_description
            .as_ref()
            .and_then(|k| k.resource_arn.as_deref())
            && !dp.kinesis.exists(arn)
        {
            out.push(format!("input {id}: Kinesis stream {arn} does not exist"));
        }
        if let Some(arn) = input
            .input_processing_configuration_description
            .as_ref()
            .and_then(|p| p.input_lambda_processor_description.as_ref())
            .and_then(|l| l.resource_arn.as_deref())
            && !lambda_exists(arn)
        {
            out.push(format!(
                "input {id}: preprocessing Lambda function {arn} does not exist"
            ));
        }
    }
    for o in &app.outputs {
        let name = o.name.as_deref().unwrap_or("?");
        let arn = |r: &Option<crate::kinesisanalytics::model::ResourceRole>| {
            r.as_ref().and_then(|r| r.resource_arn.clone())
        };
        if let Some(a) = arn(&o.lambda_output_description)
            && !lambda_exists(&a)
        {
            out.push(format!(
                "output {name}: destination Lambda function {a} does not exist"
            ));
        }
        if let Some(a) = arn(&o.kinesis_streams_output_description)
            && !dp.kinesis.exists(&a)
        {
            out.push(format!(
                "output {name}: destination Kinesis stream {a} does not exist"
            ));
        }
        if let Some(a) = arn(&o.kinesis_firehose_output_description)
            && !dp.firehose.exists(&a)
        {
            out.push(format!(
                "output {name}: destination Firehose delivery stream {a} does not exist"
            ));
        }
    }
    out
}
