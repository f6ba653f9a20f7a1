//! The application spec to and from the SDK's shapes.

use aws_sdk_kinesisanalytics::types as t;
use kdaflow_workflow::spec::{
    ApplicationSpec, ColumnSpec, DestinationKind, DestinationSpec, InputSpec, OutputSpec,
    RecordFormat, ResourceRole, SchemaSpec, SourceKind, SourceSpec,
};

/// A build error of an SDK shape (a required member left out) — a bug, reported as such.
fn built<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("an SDK shape was built without a required member: {e}"))
}

fn record_format_type(f: RecordFormat) -> t::RecordFormatType {
    match f {
        RecordFormat::Csv => t::RecordFormatType::Csv,
        RecordFormat::Json => t::RecordFormatType::Json,
    }
}

/// The SDK `SourceSchema` of a spec schema.
/// The CreateApplication call that creates application `name` as `spec` (rendered) describes
/// it: what the bootstrap's create task sends, and what benchmarks and tests create the
/// reference application with.
pub fn create_application(
    kda: &crate::Kda,
    name: &str,
    spec: &ApplicationSpec,
) -> aws_sdk_kinesisanalytics::operation::create_application::builders::CreateApplicationFluentBuilder
{
    kda.create_application()
        .application_name(name)
        .set_application_description(spec.description.clone())
        .application_code(&spec.code)
        .inputs(input(&spec.input))
        .set_outputs(Some(spec.outputs.iter().map(output).collect()))
}

pub fn source_schema(schema: &SchemaSpec) -> t::SourceSchema {
    let (format, columns) = match schema {
        SchemaSpec::Csv {
            row_delimiter,
            column_delimiter,
            columns,
        } => (
            built(
                t::RecordFormat::builder()
                    .record_format_type(t::RecordFormatType::Csv)
                    .mapping_parameters(
                        t::MappingParameters::builder()
                            .csv_mapping_parameters(built(
                                t::CsvMappingParameters::builder()
                                    .record_row_delimiter(row_delimiter)
                                    .record_column_delimiter(column_delimiter)
                                    .build(),
                            ))
                            .build(),
                    )
                    .build(),
            ),
            columns,
        ),
        SchemaSpec::Json { row_path, columns } => (
            built(
                t::RecordFormat::builder()
                    .record_format_type(t::RecordFormatType::Json)
                    .mapping_parameters(
                        t::MappingParameters::builder()
                            .json_mapping_parameters(built(
                                t::JsonMappingParameters::builder()
                                    .record_row_path(row_path)
                                    .build(),
                            ))
                            .build(),
                    )
                    .build(),
            ),
            columns,
        ),
    };
    let mut b = t::SourceSchema::builder().record_format(format);
    for c in columns {
        b = b.record_columns(built(
            t::RecordColumn::builder()
                .name(&c.name)
                .sql_type(&c.sql_type)
                .set_mapping(c.mapping.clone())
                .build(),
        ));
    }
    built(b.build())
}

/// The SDK `Input` of a rendered spec.
pub fn input(spec: &InputSpec) -> t::Input {
    let mut b = t::Input::builder()
        .name_prefix(&spec.name_prefix)
        .input_parallelism(
            t::InputParallelism::builder()
                .count(spec.parallelism as i32)
                .build(),
        )
        .input_schema(source_schema(&spec.schema));
    b = match spec.source.kind {
        SourceKind::Firehose => b.kinesis_firehose_input(built(
            t::KinesisFirehoseInput::builder()
                .resource_arn(&spec.source.resource_arn)
                .role_arn(&spec.source.role_arn)
                .build(),
        )),
        SourceKind::KinesisStream => b.kinesis_streams_input(built(
            t::KinesisStreamsInput::builder()
                .resource_arn(&spec.source.resource_arn)
                .role_arn(&spec.source.role_arn)
                .build(),
        )),
    };
    if let Some(p) = &spec.processor {
        b = b.input_processing_configuration(processing(p));
    }
    built(b.build())
}

/// The SDK `InputProcessingConfiguration` of a processor.
pub fn processing(p: &ResourceRole) -> t::InputProcessingConfiguration {
    t::InputProcessingConfiguration::builder()
        .input_lambda_processor(built(
            t::InputLambdaProcessor::builder()
                .resource_arn(&p.resource_arn)
                .role_arn(&p.role_arn)
                .build(),
        ))
        .build()
}

/// The SDK `Output` of a spec output.
pub fn output(o: &OutputSpec) -> t::Output {
    let d = &o.destination;
    let mut b = t::Output::builder().name(&o.name).destination_schema(built(
        t::DestinationSchema::builder()
            .record_format_type(record_format_type(o.format))
            .build(),
    ));
    b = match d.kind {
        DestinationKind::Lambda => b.lambda_output(built(
            t::LambdaOutput::builder()
                .resource_arn(&d.resource_arn)
                .role_arn(&d.role_arn)
                .build(),
        )),
        DestinationKind::KinesisStream => b.kinesis_streams_output(built(
            t::KinesisStreamsOutput::builder()
                .resource_arn(&d.resource_arn)
                .role_arn(&d.role_arn)
                .build(),
        )),
        DestinationKind::Firehose => b.kinesis_firehose_output(built(
            t::KinesisFirehoseOutput::builder()
                .resource_arn(&d.resource_arn)
                .role_arn(&d.role_arn)
                .build(),
        )),
    };
    built(b.build())
}

/// The SDK `InputUpdate` that turns the application's input into `spec`.
pub fn input_update(input_id: &str, spec: &InputSpec) -> t::InputUpdate {
    let mut b = t::InputUpdate::builder()
        .input_id(input_id)
        .name_prefix_update(&spec.name_prefix)
        .input_parallelism_update(
            t::InputParallelismUpdate::builder()
                .count_update(spec.parallelism as i32)
                .build(),
        );
    b = match spec.source.kind {
        SourceKind::Firehose => b.kinesis_firehose_input_update(
            t::KinesisFirehoseInputUpdate::builder()
                .resource_arn_update(&spec.source.resource_arn)
                .role_arn_update(&spec.source.role_arn)
                .build(),
        ),
        SourceKind::KinesisStream => b.kinesis_streams_input_update(
            t::KinesisStreamsInputUpdate::builder()
                .resource_arn_update(&spec.source.resource_arn)
                .role_arn_update(&spec.source.role_arn)
                .build(),
        ),
    };
    if let Some(p) = &spec.processor {
        b = b.input_processing_configuration_update(
            t::InputProcessingConfigurationUpdate::builder()
                .input_lambda_processor_update(
                    t::InputLambdaProcessorUpdate::builder()
                        .resource_arn_update(&p.resource_arn)
                        .role_arn_update(&p.role_arn)
                        .build(),
                )
                .build(),
        );
    }
    let schema = source_schema(&spec.schema);
    b = b.input_schema_update(
        t::InputSchemaUpdate::builder()
            .set_record_format_update(schema.record_format.clone())
            .set_record_encoding_update(schema.record_encoding.clone())
            .set_record_column_updates(Some(schema.record_columns.clone()))
            .build(),
    );
    built(b.build())
}

/// The SDK `OutputUpdate` that turns output `output_id` into `spec`.
pub fn output_update(output_id: &str, spec: &OutputSpec) -> t::OutputUpdate {
    let d = &spec.destination;
    let mut b = t::OutputUpdate::builder()
        .output_id(output_id)
        .name_update(&spec.name)
        .destination_schema_update(built(
            t::DestinationSchema::builder()
                .record_format_type(record_format_type(spec.format))
                .build(),
        ));
    b = match d.kind {
        DestinationKind::Lambda => b.lambda_output_update(
            t::LambdaOutputUpdate::builder()
                .resource_arn_update(&d.resource_arn)
                .role_arn_update(&d.role_arn)
                .build(),
        ),
        DestinationKind::KinesisStream => b.kinesis_streams_output_update(
            t::KinesisStreamsOutputUpdate::builder()
                .resource_arn_update(&d.resource_arn)
                .role_arn_update(&d.role_arn)
                .build(),
        ),
        DestinationKind::Firehose => b.kinesis_firehose_output_update(
            t::KinesisFirehoseOutputUpdate::builder()
                .resource_arn_update(&d.resource_arn)
                .role_arn_update(&d.role_arn)
                .build(),
        ),
    };
    built(b.build())
}

fn current_schema(s: &t::SourceSchema) -> SchemaSpec {
    let columns = s
        .record_columns()
        .iter()
        .map(|c| ColumnSpec {
            name: c.name().to_string(),
            sql_type: c.sql_type().to_string(),
            mapping: c.mapping().map(str::to_string),
        })
        .collect();
    let mapping = s.record_format().and_then(|f| f.mapping_parameters());
    match (
        s.record_format().map(|f| f.record_format_type()),
        mapping.and_then(|m| m.csv_mapping_parameters()),
        mapping.and_then(|m| m.json_mapping_parameters()),
    ) {
        (Some(t::RecordFormatType::Json), _, Some(j)) => SchemaSpec::Json {
            row_path: j.record_row_path().to_string(),
            columns,
        },
        (_, Some(c), _) => SchemaSpec::Csv {
            row_delimiter: c.record_row_delimiter().to_string(),
            column_delimiter: c.record_column_delimiter().to_string(),
            columns,
        },
        _ => SchemaSpec::Csv {
            row_delimiter: String::new(),
            column_delimiter: String::new(),
            columns,
        },
    }
}

fn pair(arn: Option<&str>, role: Option<&str>) -> (String, String) {
    (
        arn.unwrap_or_default().to_string(),
        role.unwrap_or_default().to_string(),
    )
}

/// The current input of an application, as a spec (absent if it has none).
pub fn current_input(d: &t::InputDescription) -> InputSpec {
    let source = if let Some(f) = d.kinesis_firehose_input_description() {
        let (resource_arn, role_arn) = pair(f.resource_arn(), f.role_arn());
        SourceSpec {
            kind: SourceKind::Firehose,
            resource_arn,
            role_arn,
        }
    } else {
        let k = d.kinesis_streams_input_description();
        let (resource_arn, role_arn) = pair(
            k.and_then(|k| k.resource_arn()),
            k.and_then(|k| k.role_arn()),
        );
        SourceSpec {
            kind: SourceKind::KinesisStream,
            resource_arn,
            role_arn,
        }
    };
    let processor = d
        .input_processing_configuration_description()
        .and_then(|p| p.input_lambda_processor_description())
        .map(|l| {
            let (resource_arn, role_arn) = pair(l.resource_arn(), l.role_arn());
            ResourceRole {
                resource_arn,
                role_arn,
            }
        });
    InputSpec {
        name_prefix: d.name_prefix().unwrap_or_default().to_string(),
        parallelism: d
            .input_parallelism()
            .and_then(|p| p.count())
            .unwrap_or(1)
            .max(0) as u32,
        source,
        processor,
        schema: d
            .input_schema()
            .map(current_schema)
            .unwrap_or(SchemaSpec::Csv {
                row_delimiter: String::new(),
                column_delimiter: String::new(),
                columns: Vec::new(),
            }),
    }
}

/// The current outputs of an application, as specs.
pub fn current_output(o: &t::OutputDescription) -> OutputSpec {
    let (kind, (resource_arn, role_arn)) = if let Some(l) = o.lambda_output_description() {
        (
            DestinationKind::Lambda,
            pair(l.resource_arn(), l.role_arn()),
        )
    } else if let Some(k) = o.kinesis_streams_output_description() {
        (
            DestinationKind::KinesisStream,
            pair(k.resource_arn(), k.role_arn()),
        )
    } else {
        let f = o.kinesis_firehose_output_description();
        (
            DestinationKind::Firehose,
            pair(
                f.and_then(|f| f.resource_arn()),
                f.and_then(|f| f.role_arn()),
            ),
        )
    };
    OutputSpec {
        name: o.name().unwrap_or_default().to_string(),
        destination: DestinationSpec {
            kind,
            resource_arn,
            role_arn,
        },
        format: match o.destination_schema().map(|d| d.record_format_type()) {
            Some(t::RecordFormatType::Json) => RecordFormat::Json,
            _ => RecordFormat::Csv,
        },
    }
}

/// The application as it is, in the desired spec's terms (window and name taken from
/// `desired`: the window lives inside the code, which is compared whole).
pub fn current(desired: &ApplicationSpec, d: &t::ApplicationDetail) -> (ApplicationSpec, bool) {
    let input = d.input_descriptions().first();
    let spec = ApplicationSpec {
        name: d.application_name().to_string(),
        description: d.application_description().map(str::to_string),
        window_seconds: desired.window_seconds,
        code: d.application_code().unwrap_or_default().to_string(),
        input: input
            .map(current_input)
            .unwrap_or_else(|| desired.input.clone()),
        outputs: d.output_descriptions().iter().map(current_output).collect(),
        runtime: desired.runtime,
        flink: desired.flink.clone(),
    };
    (spec, input.is_some())
}
