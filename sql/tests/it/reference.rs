//! The reference application (issue 4, {stream}=SOURCE_SQL_STREAM_001, {window}=5) end to end:
//! raw tab-separated records in, the three pumps' rows out.

use std::collections::{BTreeMap, HashSet};

use kdaflow_sql::{Engine, OutputFormat, RecordParser, Value, serialize_row};

use crate::common::{T0, program};

/// One review per `step_ms`; `rating(i)` and `id(i)` decide the data.
struct Feed {
    engine: Engine,
    parser: RecordParser,
}

impl Feed {
    fn new() -> Self {
        Self::with_forest(true)
    }

    fn with_forest(forest: bool) -> Self {
        Self {
            engine: Engine::new(program(forest), 1).unwrap(),
            parser: RecordParser::new(&crate::reference_app::schema()).unwrap(),
        }
    }

    fn push(&mut self, t: i64, id: &str, rating: i64) {
        let line = format!("{id}\t{rating}\tBooks\tA review body\n");
        let stream = self
            .engine
            .input_id(&crate::reference_app::stream())
            .unwrap();
        let n = self
            .engine
            .push_record(stream, t, &self.parser, line.as_bytes())
            .unwrap();
        assert_eq!(n, 1);
    }
}

fn lcg(seed: &mut u64) -> u64 {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    *seed >> 33
}

#[test]
fn average_per_window_is_exact_and_emitted_at_close() {
    let mut feed = Feed::new();
    let mut seed = 3u64;
    let mut expected: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    // 23 seconds of data at irregular times: windows [T0, T0+5s), ... and a partial last one.
    let mut t = T0;
    let mut i = 0;
    while t < T0 + 23_000 {
        let rating = 1 + (lcg(&mut seed) % 5) as i64;
        feed.push(t, &format!("R{i:013}"), rating);
        let end = (t - T0) / 5000 * 5000 + T0 + 5000;
        let e = expected.entry(end).or_insert((0, 0));
        e.0 += rating;
        e.1 += 1;
        t += 1 + (lcg(&mut seed) % 40) as i64;
        i += 1;
    }
    // Windows that ended before the last push are out already; the last one is still open.
    let before: Vec<_> = feed.engine.drain("AVG_STAR_RATING_SQL_STREAM");
    assert_eq!(before.len(), 4);
    feed.engine.advance_to(T0 + 24_999).unwrap();
    assert!(
        feed.engine.drain("AVG_STAR_RATING_SQL_STREAM").is_empty(),
        "window [20s, 25s) must stay open until 25s"
    );
    feed.engine.advance_to(T0 + 25_000).unwrap();
    let last = feed.engine.drain("AVG_STAR_RATING_SQL_STREAM");
    assert_eq!(last.len(), 1);
    let rows: Vec<_> = before.into_iter().chain(last).collect();
    let got: Vec<(i64, f64)> = rows
        .iter()
        .map(|r| (r.rowtime, r.values[0].as_f64().unwrap()))
        .collect();
    let want: Vec<(i64, f64)> = expected
        .iter()
        .map(|(end, (sum, n))| (*end, *sum as f64 / *n as f64))
        .collect();
    assert_eq!(got, want);
    let columns = feed
        .engine
        .program()
        .columns("AVG_STAR_RATING_SQL_STREAM")
        .unwrap()
        .to_vec();
    assert_eq!(columns[0].name, "AVG_STAR_RATING");
    let csv = serialize_row(OutputFormat::Csv, &columns, &rows[0]);
    assert_eq!(csv, format!("{}\n", Value::Double(want[0].1)));
}

#[test]
fn distinct_count_is_exact_below_ten_thousand() {
    let mut feed = Feed::new();
    let mut seed = 11u64;
    let mut expected: BTreeMap<i64, HashSet<String>> = BTreeMap::new();
    // Three windows with heavy repetition; 9,000 distinct ids in the busiest one.
    for w in 0..3i64 {
        let pool = [50u64, 9_000, 700][w as usize];
        for k in 0..12_000i64 {
            let t = T0 + w * 5000 + k * 5000 / 12_000;
            let id = format!("R{:013}", lcg(&mut seed) % pool);
            feed.push(t, &id, 4);
            expected.entry(T0 + (w + 1) * 5000).or_default().insert(id);
        }
    }
    feed.engine.advance_to(T0 + 15_000).unwrap();
    let rows = feed.engine.drain("APPROXIMATE_COUNT_SQL_STREAM");
    let got: Vec<(i64, Value)> = rows
        .into_iter()
        .map(|r| (r.rowtime, r.values[0].clone()))
        .collect();
    let want: Vec<(i64, Value)> = expected
        .iter()
        .map(|(end, s)| (*end, Value::Int(s.len() as i64)))
        .collect();
    assert_eq!(got, want);
    assert!(
        matches!(got[1].1, Value::Int(n) if n > 6_000),
        "the pool of 9,000 must mostly be hit: {got:?}"
    );
}

#[test]
fn distinct_count_above_ten_thousand_is_close() {
    let mut feed = Feed::new();
    for k in 0..30_000i64 {
        feed.push(T0 + k * 5000 / 30_000, &format!("R{k:013}"), 4);
    }
    feed.engine.advance_to(T0 + 5000).unwrap();
    let rows = feed.engine.drain("APPROXIMATE_COUNT_SQL_STREAM");
    let Value::Int(n) = rows[0].values[0] else {
        panic!("{rows:?}")
    };
    let err = (n - 30_000).abs() as f64 / 30_000.0;
    assert!(err < 0.03, "HyperLogLog estimate {n} is {err:.3} off");
}

#[test]
fn anomalies_score_above_normal_records_after_warm_up() {
    let mut feed = Feed::new();
    let mut seed = 5u64;
    let anomalies: HashSet<i64> = (0..10).map(|k| 1_000 + k * 97).collect();
    for i in 0..2_000i64 {
        let rating = if anomalies.contains(&i) {
            100
        } else {
            4 + (lcg(&mut seed) % 2) as i64
        };
        feed.push(T0 + i, &format!("R{i:013}"), rating);
    }
    let rows = feed.engine.drain("ANOMALY_SCORE_SQL_STREAM");
    assert_eq!(rows.len(), 2_000, "one score per record");
    let scores: Vec<f64> = rows.iter().map(|r| r.values[0].as_f64().unwrap()).collect();
    assert!(
        scores[..256].iter().all(|s| *s == 0.0),
        "score is 0 while the forest warms up"
    );
    let normal: Vec<f64> = (300..2_000)
        .filter(|i| !anomalies.contains(&(*i as i64)))
        .map(|i| scores[i])
        .collect();
    let max_normal = normal.iter().cloned().fold(0.0, f64::max);
    for &a in &anomalies {
        let s = scores[a as usize];
        assert!(
            s > max_normal,
            "anomaly at {a} scored {s}, a normal record scored {max_normal}"
        );
    }
    assert!(max_normal > 0.0);
}

#[test]
fn without_the_forest_the_other_pumps_are_unchanged() {
    let mut feed = Feed::with_forest(false);
    for i in 0..10i64 {
        feed.push(T0 + i * 1000, &format!("R{:013}", i % 3), 2 + i % 2);
    }
    feed.engine.advance_to(T0 + 10_000).unwrap();
    let avg: Vec<Value> = feed
        .engine
        .drain("AVG_STAR_RATING_SQL_STREAM")
        .into_iter()
        .map(|r| r.values[0].clone())
        .collect();
    assert_eq!(
        avg,
        vec![Value::Double(12.0 / 5.0), Value::Double(13.0 / 5.0)]
    );
    let distinct: Vec<Value> = feed
        .engine
        .drain("APPROXIMATE_COUNT_SQL_STREAM")
        .into_iter()
        .map(|r| r.values[0].clone())
        .collect();
    assert_eq!(distinct, vec![Value::Int(3), Value::Int(3)]);
    assert!(
        feed.engine
            .program()
            .stream_id("ANOMALY_SCORE_SQL_STREAM")
            .is_none()
    );
}

#[test]
fn forest_scores_are_deterministic_for_a_seed() {
    let run = || {
        let mut feed = Feed::new();
        for i in 0..400i64 {
            feed.push(T0 + i, &format!("R{i:013}"), 1 + i % 5);
        }
        feed.engine.drain("ANOMALY_SCORE_SQL_STREAM")
    };
    assert_eq!(run(), run());
}
