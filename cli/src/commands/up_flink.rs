//! `kdaflow up --runtime flink`: the reference application (or a spec's) translated for
//! Managed Service for Apache Flink and bootstrapped through kinesisanalyticsv2 on the twin,
//! its job on this machine's real Flink, then sample reviews through it.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use kdaflow::bootstrap::{FLINK_CODE_BUCKET, FLINK_CODE_KEY, LocalBootstrap};
use kdaflow_asl::clock::{SharedClock, SystemClock};
use kdaflow_asl::exec::ExecutionStatus;
use kdaflow_asl::history::EventSink;
use kdaflow_local::TwinConfig;
use kdaflow_workflow::flink::FlinkSpec;

use super::{Progress, UpArgs, readable};

/// The Kinesis stream that replaces the reference application's Firehose input.
const INPUT_STREAM: &str = "dsoaws-reviews";

/// Runs `kdaflow up --runtime flink`.
pub async fn run(args: UpArgs) -> anyhow::Result<ExitCode> {
    kdaflow_flink::env::FlinkEnv::require(None).map_err(|e| {
        anyhow::anyhow!("kdaflow up --runtime flink runs the job on a real Flink: {e}")
    })?;
    let state_dir = (!args.ephemeral).then(|| args.state_dir.clone());
    // Flink runs in real time, so the bootstrap waits in real time too.
    let clock: SharedClock = Arc::new(SystemClock);
    let mut config = TwinConfig {
        state_dir: state_dir.clone(),
        ..TwinConfig::default()
    };
    config.lifecycle.start = args.start_duration;
    let local = LocalBootstrap::start_with(config, clock.clone(), 0, args.tasks).await?;
    let endpoint = local.running.endpoint_url();
    let work = match &state_dir {
        Some(d) => d.join("flink-jobs"),
        None => std::env::temp_dir().join(format!("kdaflow-up-flink-{}", std::process::id())),
    };
    std::fs::create_dir_all(&work)?;
    let runner = kdaflow::flink_jobs::TwinJobs::new(local.twin(), &endpoint, work.clone());
    local.twin().managed_flink().set_runner(runner.clone());
    runner.resume();

    // The translation, zipped, in the twin's S3.
    let (spec_path, app_spec) = match &args.spec {
        Some(p) => (p.clone(), kdaflow_workflow::spec::ApplicationSpec::load(p)?),
        None => {
            let p = work.join("reference-app.json");
            let spec = kdaflow_workflow::spec::ApplicationSpec::reference();
            std::fs::write(&p, serde_json::to_vec_pretty(&spec)?)?;
            (p, spec)
        }
    };
    let (zip, template) = super::super::flink::translate_for_msf(&spec_path, &work.join("app"))?;
    let region = local.twin().config().region.clone();
    let account = local.twin().config().account_id.clone();
    // The spec's code location, or the twin's default one.
    let code = app_spec.flink.as_ref().and_then(|f| f.code.clone());
    let (bucket, key) = match &code {
        Some(c) => (
            c.bucket_arn
                .rsplit(':')
                .next()
                .unwrap_or(FLINK_CODE_BUCKET)
                .to_string(),
            c.file_key.clone(),
        ),
        None => (FLINK_CODE_BUCKET.to_string(), FLINK_CODE_KEY.to_string()),
    };
    kdaflow::bootstrap::stage_flink_code(
        &endpoint,
        &region,
        &bucket,
        &key,
        std::fs::read(&zip).with_context(|| format!("cannot read {}", zip.display()))?,
    )
    .await?;

    // Its streams: the input (a Kinesis stream in place of the Firehose), one per Lambda
    // output; the Kinesis output is the stand-in stream the twin has.
    let mut properties = indexmap::IndexMap::new();
    let mut streams = vec![INPUT_STREAM.to_string()];
    for group in template["PropertyGroups"].as_array().into_iter().flatten() {
        let id = group["PropertyGroupId"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let mut map = indexmap::IndexMap::new();
        for (key, value) in group["PropertyMap"].as_object().into_iter().flatten() {
            let filled = if id != "kdaflow" {
                value.as_str().unwrap_or_default().to_string()
            } else if key.ends_with("_NAME") {
                INPUT_STREAM.to_string()
            } else {
                let stream = key
                    .trim_start_matches("OUTPUT_")
                    .trim_end_matches("_ARN")
                    .trim_end_matches("_STREAM")
                    .to_lowercase()
                    .replace('_', "-");
                streams.push(stream.clone());
                format!("arn:aws:kinesis:{region}:{account}:stream/{stream}")
            };
            map.insert(key.clone(), filled);
        }
        properties.insert(id, map);
    }
    let kinesis =
        aws_sdk_kinesis::Client::new(&kdaflow::bootstrap::twin_sdk_config(&endpoint, &region));
    for s in &streams {
        match kinesis
            .create_stream()
            .stream_name(s)
            .shard_count(1)
            .send()
            .await
        {
            Ok(_) => {}
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_resource_in_use_exception()) => {}
            Err(e) => return Err(anyhow::anyhow!("cannot create Kinesis stream {s}: {e}")),
        }
    }
    let mut spec = FlinkSpec::reference(&region, &account, FLINK_CODE_BUCKET, FLINK_CODE_KEY);
    if args.spec.is_some() {
        spec.name = app_spec.name.clone();
        spec.description = app_spec.description.clone().unwrap_or_default();
    }
    spec.properties = properties;
    spec.streams = vec![format!(
        "arn:aws:kinesis:{region}:{account}:stream/{INPUT_STREAM}"
    )];
    // The spec's [flink] settings (parallelism, checkpoints, snapshots, more properties).
    let spec = match &app_spec.flink {
        Some(settings) => spec.with(settings),
        None => spec,
    };
    let mut input = serde_json::json!({
        "application": spec,
        "max_wait_seconds": args.max_wait_seconds.unwrap_or(300),
    });
    if let Some(d) = &args.on_drift {
        input["on_drift"] = d.to_lowercase().into();
    }
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| format!("bootstrap-flink-{}", clock.now().format("%Y%m%dT%H%M%S")));
    if !args.quiet {
        eprintln!(
            "kdaflow up --runtime flink: {} translated for Managed Service for Apache Flink ({}), bootstrapped on the twin at {endpoint} (real time: the job runs on this machine's Flink)",
            spec_path.display(),
            zip.display()
        );
        eprintln!(
            "  execution {name} of state machine {}",
            kdaflow::bootstrap::FLINK_STATE_MACHINE_NAME
        );
    }
    let sink: Option<Arc<dyn EventSink>> =
        (!args.quiet).then(|| Arc::new(Progress { start: clock.now() }) as Arc<dyn EventSink>);
    let (outcome, _) = local
        .execute_on(&local.flink_state_machine_arn.clone(), &name, input, sink)
        .await?;
    if outcome.status != ExecutionStatus::Succeeded {
        eprintln!(
            "bootstrap {:?}: {}\n{}",
            outcome.status,
            outcome.error.as_deref().unwrap_or("(no error name)"),
            readable(outcome.cause.as_deref().unwrap_or("(no cause)"))
        );
        return Ok(ExitCode::FAILURE);
    }
    let output = outcome.output.clone().unwrap_or_default();
    println!("{}", serde_json::to_string_pretty(&output)?);
    if args.sample_seconds > 0 {
        sample(&kinesis, &streams, &args).await?;
    }
    // Stopping the job before the twin goes (a savepoint first, snapshots being on).
    let v2 = aws_sdk_kinesisanalyticsv2::Client::new(&kdaflow::bootstrap::twin_sdk_config(
        &endpoint, &region,
    ));
    v2.stop_application()
        .application_name(&spec.name)
        .send()
        .await
        .context("StopApplication")?;
    for _ in 0..240 {
        let status = v2
            .describe_application()
            .application_name(&spec.name)
            .send()
            .await?
            .application_detail
            .map(|d| d.application_status.as_str().to_string())
            .unwrap_or_default();
        if status == "READY" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    if !args.quiet {
        eprintln!(
            "stopped the job with a snapshot; the next `kdaflow up --runtime flink` restores it (to keep it running: kdaflow serve --state-dir {})",
            args.state_dir.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Streams sample reviews into the input stream and shows the rows that reach the outputs.
async fn sample(
    kinesis: &aws_sdk_kinesis::Client,
    streams: &[String],
    args: &UpArgs,
) -> anyhow::Result<()> {
    use aws_sdk_kinesis::types::ShardIteratorType;
    let outputs: Vec<String> = streams
        .iter()
        .skip(1)
        .cloned()
        .chain(std::iter::once("dsoaws-kinesis-data-stream".to_string()))
        .collect();
    let mut iterators = BTreeMap::new();
    for s in &outputs {
        let shards = kinesis.list_shards().stream_name(s).send().await?;
        for shard in shards.shards() {
            let it = kinesis
                .get_shard_iterator()
                .stream_name(s)
                .shard_id(shard.shard_id())
                .shard_iterator_type(ShardIteratorType::Latest)
                .send()
                .await?;
            iterators.insert((s.clone(), shard.shard_id().to_string()), it.shard_iterator);
        }
    }
    if !args.quiet {
        eprintln!(
            "streaming {} reviews/s for {} s into {INPUT_STREAM} (an anomaly every {}); rows as they reach the output streams:",
            args.rate, args.sample_seconds, args.anomaly_every
        );
    }
    let started = std::time::Instant::now();
    let mut reviews = kdaflow::bootstrap::sample_records(1, args.anomaly_every);
    let mut sent = 0u64;
    let mut rows = 0u64;
    // Sending for the sample's time, then reading on for 10 s (the last windows close on a
    // later record's watermark; Flink sees none after the sample).
    let until = Duration::from_secs(args.sample_seconds + 10);
    while started.elapsed() < until {
        if started.elapsed() < Duration::from_secs(args.sample_seconds) {
            let entries: Vec<_> = (&mut reviews)
                .take(args.rate.max(1) as usize)
                .map(|r| {
                    sent += 1;
                    aws_sdk_kinesis::types::PutRecordsRequestEntry::builder()
                        .data(aws_sdk_kinesis::primitives::Blob::new(r.data.to_vec()))
                        .partition_key(sent.to_string())
                        .build()
                })
                .collect::<Result<_, _>>()?;
            kinesis
                .put_records()
                .stream_name(INPUT_STREAM)
                .set_records(Some(entries))
                .send()
                .await?;
        }
        for ((stream, _), it) in iterators.iter_mut() {
            let Some(current) = it.clone() else { continue };
            let out = kinesis.get_records().shard_iterator(current).send().await?;
            *it = out.next_shard_iterator().map(str::to_string);
            let shown: Vec<String> = out
                .records()
                .iter()
                .map(|r| {
                    String::from_utf8_lossy(r.data().as_ref())
                        .trim()
                        .to_string()
                })
                .collect();
            rows += shown.len() as u64;
            if !args.quiet && !shown.is_empty() {
                let numbers: Vec<f64> = shown.iter().filter_map(|v| v.parse().ok()).collect();
                let what = if shown.len() > 3 && numbers.len() == shown.len() {
                    let max = numbers.iter().copied().fold(f64::MIN, f64::max);
                    format!("{} rows, highest {max:.2}", shown.len())
                } else {
                    shown.join(", ")
                };
                eprintln!(
                    "  [{:>6.1}s] {stream}: {what}",
                    started.elapsed().as_secs_f64()
                );
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    if !args.quiet {
        eprintln!("sent {sent} reviews; {rows} rows reached the output streams");
    }
    Ok(())
}
