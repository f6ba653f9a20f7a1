//! The console in a real browser: `kdaflow serve` as a process, Debian's headless Chromium
//! driven through chromedriver (WebDriver, by `fantoccini`). The page starts the bootstrap from
//! its form, follows the execution to `Done`, and its graph colours and history table are
//! checked against GetExecutionHistory; the reference application's live view shows rows and
//! draws its charts while reviews stream in; a failing execution shows its error and cause.
//! Screenshots of every page go to `target/console-screenshots/`.
//!
//! Needs `chromium` and `chromium-driver` (`.ci/run` installs them and runs this with
//! `--ignored`): `cargo test -p kdaflow --test it -- --ignored the_console`.

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::Duration;

use fantoccini::Locator;
use serde_json::{Value, json};

use super::browser::{Driver, js, shot, until};
use super::sdk_config;
use super::serve::Server;

const APP: &str = "dsoaws-kinesis-data-analytics-sql-app";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromium-driver; .ci/run runs it"]
async fn the_console_runs_the_bootstrap_and_shows_the_application_live() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        dir.path(),
        &["--start-duration", "300ms", "--stop-duration", "200ms"],
    );
    let base = format!("{}/console/", server.endpoint);
    let config = sdk_config(&server.endpoint);
    let sfn = aws_sdk_sfn::Client::new(&config);
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let c = driver.browser(profile.path()).await;

    // Overview: the first page, timed by the browser's own navigation timing, three loads (the
    // very first one of a new browser also starts its renderer; `--bench console` has the
    // figures).
    let mut loads = Vec::new();
    for _ in 0..3 {
        c.goto("about:blank").await.unwrap();
        c.goto(&format!("{base}#/")).await.unwrap();
        until(
            &c,
            "the overview lists the bootstrap state machine",
            "document.body.innerText.includes('kdaflow-bootstrap')",
            Duration::from_secs(20),
        )
        .await;
        let load = js(
            &c,
            "const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd - n.startTime;",
        )
        .await;
        loads.push(load.as_f64().unwrap());
    }
    eprintln!("console first page: loaded in {loads:?} ms");
    let best = loads.iter().copied().fold(f64::INFINITY, f64::min);
    assert!(best < 200.0, "the first page took {loads:?} ms");
    shot(&c, "overview").await;

    // The state machine: its graph has every state, the form offers the stand-in ARNs.
    let machine = sfn
        .describe_state_machine()
        .state_machine_arn("arn:aws:states:us-east-1:000000000000:stateMachine:kdaflow-bootstrap")
        .send()
        .await
        .unwrap();
    let definition: Value = serde_json::from_str(machine.definition()).unwrap();
    let states: Vec<String> = definition["States"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let arn = machine.state_machine_arn().to_string();
    c.goto(&format!("{base}#/statemachine/{}", urlencode(&arn)))
        .await
        .unwrap();
    until(
        &c,
        "the graph is drawn",
        "document.querySelectorAll('#graph g.state').length > 0",
        Duration::from_secs(20),
    )
    .await;
    let drawn = js(
        &c,
        "return [...document.querySelectorAll('#graph g.state')].map(g => g.dataset.state);",
    )
    .await;
    for s in &states {
        assert!(
            drawn.as_array().unwrap().contains(&json!(s)),
            "state {s} is not drawn: {drawn}"
        );
    }
    until(
        &c,
        "the form offers the stand-in Firehose ARN",
        "(document.querySelector('input[name=firehose_arn]')||{}).value === 'arn:aws:firehose:us-east-1:000000000000:deliverystream/dsoaws-kinesis-data-firehose'",
        Duration::from_secs(10),
    )
    .await;
    // Invalid JSON is caught before sending.
    let good = js(&c, "return document.querySelector('#input').value;").await;
    js(
        &c,
        "const t = document.querySelector('#input'); t.value = '{\"firehose_arn\": '; t.dispatchEvent(new Event('input')); return 0;",
    )
    .await;
    until(
        &c,
        "invalid input is refused",
        "document.querySelector('#start').disabled && document.querySelector('#input-error').textContent.trim().length > 0",
        Duration::from_secs(5),
    )
    .await;
    c.execute(
        "const t = document.querySelector('#input'); t.value = arguments[0]; t.dispatchEvent(new Event('input')); return 0;",
        vec![good],
    )
    .await
    .unwrap();
    until(
        &c,
        "valid input is accepted",
        "!document.querySelector('#start').disabled",
        Duration::from_secs(5),
    )
    .await;
    shot(&c, "state-machine").await;
    c.find(Locator::Css("#start"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // The execution: followed live to its end.
    until(
        &c,
        "the page follows the new execution",
        "location.hash.startsWith('#/execution/')",
        Duration::from_secs(10),
    )
    .await;
    until(
        &c,
        "the execution succeeds",
        "(document.querySelector('#exec-status')||{}).textContent === 'SUCCEEDED'",
        Duration::from_secs(60),
    )
    .await;
    let hash = js(&c, "return location.hash;").await;
    let exec_arn = decode(hash.as_str().unwrap().trim_start_matches("#/execution/"));
    let history = sfn
        .get_execution_history()
        .execution_arn(&exec_arn)
        .max_results(1000)
        .send()
        .await
        .unwrap();
    let events = history.events();
    until(
        &c,
        "the history table has every event",
        &format!(
            "document.querySelectorAll('#history tr.event').length === {}",
            events.len()
        ),
        Duration::from_secs(10),
    )
    .await;
    let rows = js(
        &c,
        "return [...document.querySelectorAll('#history tr.event')].map(r => [...r.cells].map(c => c.textContent.trim()));",
    )
    .await;
    for (row, e) in rows.as_array().unwrap().iter().zip(events) {
        assert_eq!(row[0], json!(e.id().to_string()), "{row}");
        assert_eq!(row[1], json!(e.r#type().as_str()), "{row}");
    }
    // Colours: every state entered succeeded, the rest were not reached.
    let entered: BTreeMap<String, ()> = events
        .iter()
        .filter_map(|e| e.state_entered_event_details())
        .map(|d| (d.name().to_string(), ()))
        .collect();
    let classes = js(
        &c,
        "return Object.fromEntries([...document.querySelectorAll('#graph g.state')].map(g => [g.dataset.state, g.getAttribute('class')]));",
    )
    .await;
    for s in &states {
        let class = classes[s].as_str().unwrap_or_default();
        let want = if entered.contains_key(s) {
            "st-succeeded"
        } else {
            "st-notreached"
        };
        assert!(
            class.contains(want),
            "state {s}: class {class:?}, want {want}"
        );
    }
    assert!(entered.contains_key("Done"));
    shot(&c, "execution").await;

    // The application, live: rows arrive and the charts draw while reviews stream in.
    c.goto(&format!("{base}#/application/{APP}")).await.unwrap();
    until(
        &c,
        "the application is RUNNING",
        "(document.querySelector('#app-status')||{}).textContent === 'RUNNING'",
        Duration::from_secs(20),
    )
    .await;
    until(
        &c,
        "the SQL is shown with its lines",
        "document.querySelectorAll('#sql .line').length > 10",
        Duration::from_secs(5),
    )
    .await;
    let mut sender = Command::new(env!("CARGO_BIN_EXE_kdaflow"))
        .args([
            "send",
            "--rate",
            "40",
            "--duration",
            "14s",
            "--anomaly-every",
            "10",
        ])
        .args(["--endpoint-url", &server.endpoint])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    for (what, condition) in [
        (
            "source records arrive",
            "document.querySelectorAll('table.live[data-stream=\"SOURCE_SQL_STREAM_001\"] tbody tr').length > 0",
        ),
        (
            "average ratings arrive",
            "document.querySelectorAll('table.live[data-stream=\"AVG_STAR_RATING_SQL_STREAM\"] tbody tr').length >= 2",
        ),
        (
            "anomaly scores arrive",
            "document.querySelectorAll('table.live[data-stream=\"ANOMALY_SCORE_SQL_STREAM\"] tbody tr').length > 0",
        ),
        (
            "distinct counts arrive",
            "document.querySelectorAll('table.live[data-stream=\"APPROXIMATE_COUNT_SQL_STREAM\"] tbody tr').length > 0",
        ),
        (
            "the rating chart draws",
            "((document.querySelector('svg.chart[data-stream=\"AVG_STAR_RATING_SQL_STREAM\"] path.series')||{getAttribute(){return ''}}).getAttribute('d')||'').length > 10",
        ),
        (
            "the anomaly chart draws its threshold",
            "!!document.querySelector('svg.chart[data-stream=\"ANOMALY_SCORE_SQL_STREAM\"] line.threshold')",
        ),
    ] {
        until(&c, what, condition, Duration::from_secs(40)).await;
    }
    shot(&c, "application").await;
    let _ = sender.wait();

    // Streams, functions (the stand-ins' invocations), EventBridge.
    c.goto(&format!("{base}#/streams")).await.unwrap();
    until(
        &c,
        "the streams are listed",
        "document.querySelector('#streams') && document.querySelector('#streams').innerText.includes('dsoaws-kinesis-data-firehose')",
        Duration::from_secs(20),
    )
    .await;
    shot(&c, "streams").await;
    c.goto(&format!(
        "{base}#/function/DeliverKinesisAnalyticsToCloudWatch"
    ))
    .await
    .unwrap();
    until(
        &c,
        "the metrics function's invocations are listed",
        "document.querySelectorAll('#invocations tbody tr').length > 0",
        Duration::from_secs(20),
    )
    .await;
    shot(&c, "function").await;
    c.goto(&format!("{base}#/events")).await.unwrap();
    until(
        &c,
        "the rules are listed",
        "document.querySelector('#rules') && document.querySelector('#rules').innerText.includes('kdaflow-BootstrapRequestedRule')",
        Duration::from_secs(20),
    )
    .await;
    c.find(Locator::Css("#test-pattern"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        &c,
        "the pattern tester answers",
        "(document.querySelector('#test-result')||{}).textContent.trim().length > 0",
        Duration::from_secs(10),
    )
    .await;
    shot(&c, "events").await;

    // A failing execution shows its error and cause.
    let failed = sfn
        .start_execution()
        .state_machine_arn(&arn)
        .name("console-failing")
        .input(r#"{"firehose_arn": "not-an-arn"}"#)
        .send()
        .await
        .unwrap();
    let failed_arn = failed.execution_arn().to_string();
    c.goto(&format!("{base}#/execution/{}", urlencode(&failed_arn)))
        .await
        .unwrap();
    until(
        &c,
        "the failed execution is shown as FAILED",
        "(document.querySelector('#exec-status')||{}).textContent === 'FAILED'",
        Duration::from_secs(30),
    )
    .await;
    let described = sfn
        .describe_execution()
        .execution_arn(&failed_arn)
        .send()
        .await
        .unwrap();
    let error = described.error().unwrap_or_default().to_string();
    let cause = described.cause().unwrap_or_default().to_string();
    assert!(!error.is_empty());
    until(
        &c,
        "the error and cause are shown",
        &format!(
            "document.querySelector('#exec-error').textContent.includes({}) && document.querySelector('#exec-cause').textContent.includes({})",
            json!(error),
            json!(cause.chars().take(40).collect::<String>())
        ),
        Duration::from_secs(10),
    )
    .await;
    let failed_classes = js(
        &c,
        "return [...document.querySelectorAll('#graph g.state.st-failed')].map(g => g.dataset.state);",
    )
    .await;
    assert!(
        !failed_classes.as_array().unwrap().is_empty(),
        "no state is coloured failed"
    );
    shot(&c, "execution-failed").await;
    c.close().await.unwrap();
    drop(server);
}

fn urlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}
