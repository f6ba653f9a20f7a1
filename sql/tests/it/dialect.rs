//! The wider dialect: FLOOR windows with keys, WHERE/CASE/functions, sliding windows, TOP_K,
//! explanation output, chained pumps and JSON input.

use kdaflow_sql::{Engine, RecordColumn, RecordFormat, RecordParser, SourceSchema, Value};

use crate::common::{T0, check};

const COLS: &[(&str, &str)] = &[
    ("ticker", "VARCHAR(4)"),
    ("price", "DOUBLE"),
    ("n", "INTEGER"),
];

fn engine(code: &str, outputs: &[&str]) -> Engine {
    Engine::new(check(code, COLS, outputs).unwrap(), 9).unwrap()
}

fn push(e: &mut Engine, t: i64, ticker: &str, price: f64, n: i64) {
    e.push_row(
        "S",
        t,
        vec![Value::str(ticker), Value::Double(price), Value::Int(n)],
    )
    .unwrap();
}

#[test]
fn floor_window_with_keys_and_having() {
    let code = r#"CREATE OR REPLACE STREAM "O" (ticker VARCHAR(4), w TIMESTAMP, total DOUBLE, c BIGINT, lo INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "O"
  SELECT STREAM "ticker", FLOOR("S".ROWTIME TO MINUTE), SUM("price"), COUNT(*), MIN("n")
  FROM "S" GROUP BY "ticker", FLOOR("S".ROWTIME TO MINUTE) HAVING COUNT(*) > 1;"#;
    let mut e = engine(code, &["O"]);
    push(&mut e, T0 + 1_000, "AMZN", 10.0, 3);
    push(&mut e, T0 + 2_000, "MSFT", 1.0, 1);
    push(&mut e, T0 + 3_000, "AMZN", 2.5, 2);
    push(&mut e, T0 + 60_000, "AMZN", 1.0, 1);
    let rows = e.drain("O");
    assert_eq!(rows.len(), 1, "MSFT has one row and fails HAVING: {rows:?}");
    assert_eq!(rows[0].rowtime, T0 + 60_000);
    assert_eq!(
        rows[0].values,
        vec![
            Value::str("AMZN"),
            Value::Timestamp(T0),
            Value::Double(12.5),
            Value::Int(2),
            Value::Int(2)
        ]
    );
}

#[test]
fn filters_case_and_functions() {
    let code = r#"CREATE STREAM "O" (t VARCHAR(10), band VARCHAR(4), x BIGINT);
CREATE PUMP "P" AS INSERT INTO "O"
  SELECT STREAM LOWER("ticker") || '!', CASE WHEN "price" >= 100 THEN 'high' WHEN "price" IS NULL THEN 'none' ELSE 'low' END,
    MOD("n" * 3 + 1, 5)
  FROM "S" WHERE "ticker" LIKE 'A%' AND "n" BETWEEN 1 AND 10 AND "ticker" NOT IN ('ABCD');"#;
    let mut e = engine(code, &["O"]);
    push(&mut e, T0, "AMZN", 150.0, 4);
    push(&mut e, T0 + 1, "MSFT", 150.0, 4);
    push(&mut e, T0 + 2, "ABCD", 1.0, 4);
    push(&mut e, T0 + 3, "AAPL", 5.0, 2);
    let rows: Vec<Vec<Value>> = e.drain("O").into_iter().map(|r| r.values).collect();
    assert_eq!(
        rows,
        vec![
            vec![Value::str("amzn!"), Value::str("high"), Value::Int(3)],
            vec![Value::str("aapl!"), Value::str("low"), Value::Int(2)],
        ]
    );
}

#[test]
fn sliding_window_per_partition() {
    let code = r#"CREATE STREAM "O" (t VARCHAR(4), s DOUBLE, c BIGINT);
CREATE PUMP "P" AS INSERT INTO "O"
  SELECT STREAM "ticker",
    SUM("price") OVER (PARTITION BY "ticker" RANGE INTERVAL '10' SECOND PRECEDING),
    COUNT(*) OVER (PARTITION BY "ticker" RANGE INTERVAL '10' SECOND PRECEDING)
  FROM "S";"#;
    let mut e = engine(code, &["O"]);
    push(&mut e, T0, "A", 1.0, 0);
    push(&mut e, T0 + 5_000, "A", 2.0, 0);
    push(&mut e, T0 + 6_000, "B", 7.0, 0);
    push(&mut e, T0 + 12_000, "A", 4.0, 0);
    let rows: Vec<Vec<Value>> = e.drain("O").into_iter().map(|r| r.values).collect();
    assert_eq!(
        rows[1],
        vec![Value::str("A"), Value::Double(3.0), Value::Int(2)]
    );
    assert_eq!(
        rows[2],
        vec![Value::str("B"), Value::Double(7.0), Value::Int(1)]
    );
    assert_eq!(
        rows[3],
        vec![Value::str("A"), Value::Double(6.0), Value::Int(2)],
        "the row at T0 left the window"
    );
}

#[test]
fn top_k_items_per_window() {
    let code = r#"CREATE STREAM "O" ("ticker" VARCHAR(4), most_frequent_values BIGINT);
CREATE PUMP "P" AS INSERT INTO "O"
  SELECT STREAM * FROM TABLE(TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM "S"), 'ticker', 2, 10));"#;
    let mut e = engine(code, &["O"]);
    for (i, t) in ["A", "B", "A", "C", "B", "A"].iter().enumerate() {
        push(&mut e, T0 + i as i64, t, 1.0, 1);
    }
    e.advance_to(T0 + 10_000).unwrap();
    let rows: Vec<Vec<Value>> = e.drain("O").into_iter().map(|r| r.values).collect();
    assert_eq!(
        rows,
        vec![
            vec![Value::str("A"), Value::Int(3)],
            vec![Value::str("B"), Value::Int(2)]
        ]
    );
}

#[test]
fn chained_pumps_and_explanation() {
    let code = r#"CREATE STREAM "MID" (p DOUBLE, n INTEGER);
CREATE PUMP "P1" AS INSERT INTO "MID" SELECT STREAM "price" * 2, "n" FROM "S";
CREATE STREAM "O" (p DOUBLE, n INTEGER, score DOUBLE, why VARCHAR(20480));
CREATE PUMP "P2" AS INSERT INTO "O"
  SELECT STREAM * FROM TABLE(RANDOM_CUT_FOREST_WITH_EXPLANATION(CURSOR(SELECT STREAM * FROM "MID"), 20, 10, 1000, 1, true));"#;
    let mut e = engine(code, &["O"]);
    for i in 0..40 {
        push(&mut e, T0 + i, "A", 1.0 + (i % 2) as f64, 1);
    }
    push(&mut e, T0 + 40, "A", 500.0, 1);
    let rows = e.drain("O");
    assert_eq!(rows.len(), 41);
    assert_eq!(rows[0].values[0], Value::Double(2.0));
    let last = &rows[40].values;
    assert!(last[2].as_f64().unwrap() > rows[39].values[2].as_f64().unwrap());
    let why: serde_json::Value = serde_json::from_str(&last[3].to_string()).unwrap();
    assert_eq!(why["P"]["DIRECTION"], "HIGH", "{why}");
}

#[test]
fn json_input_through_the_engine() {
    let schema = SourceSchema {
        format: RecordFormat::Json {
            row_path: "$".into(),
        },
        columns: vec![
            RecordColumn::mapped("ticker", "VARCHAR(4)", "$.TICKER"),
            RecordColumn::mapped("price", "DOUBLE", "$.PRICE"),
            RecordColumn::mapped("n", "INTEGER", "$.detail.n"),
        ],
    };
    let code = "CREATE STREAM \"O\" (t VARCHAR(4), n INTEGER);\nCREATE PUMP \"P\" AS INSERT INTO \"O\" SELECT STREAM \"ticker\", \"n\" FROM \"S\";";
    let mut e = engine(code, &["O"]);
    let parser = RecordParser::new(&schema).unwrap();
    let id = e.input_id("S").unwrap();
    e.push_record(
        id,
        T0,
        &parser,
        br#"{"TICKER":"AMZNX","PRICE":1.5,"detail":{"n":7}}"#,
    )
    .unwrap();
    e.push_record(id, T0 + 1, &parser, br#"{"TICKER":"X","PRICE":"cheap"}"#)
        .unwrap();
    e.push_record(id, T0 + 2, &parser, b"not json").unwrap();
    assert_eq!(
        e.drain("O")[0].values,
        vec![Value::str("AMZN"), Value::Int(7)]
    );
    let errs = e.drain_errors();
    assert_eq!(errs.len(), 2);
    assert_eq!(errs[0].values[2], Value::str("Type conversion error"));
    assert_eq!(errs[1].values[2], Value::str("Parse error"));
}

#[test]
fn insert_into_a_column_subset_leaves_the_rest_null() {
    let code = r#"CREATE STREAM "O" (a VARCHAR(4), b DOUBLE, c INTEGER);
CREATE PUMP "P" AS INSERT INTO "O" (c, a) SELECT STREAM "n", "ticker" FROM "S";"#;
    let mut e = engine(code, &["O"]);
    push(&mut e, T0, "AMZN", 1.0, 7);
    assert_eq!(
        e.drain("O")[0].values,
        vec![Value::str("AMZN"), Value::Null, Value::Int(7)]
    );
}

/// SQL Reference, STEP: a year-month interval steps by calendar months (a month window of
/// February 2024 is 29 days), not by a fixed 30 or 365 days.
#[test]
fn step_by_month_follows_the_calendar() {
    let code = r#"CREATE STREAM "O" (w TIMESTAMP, c BIGINT);
CREATE PUMP "P" AS INSERT INTO "O"
  SELECT STREAM STEP("S".ROWTIME BY INTERVAL '1' MONTH), COUNT(*)
  FROM "S" GROUP BY STEP("S".ROWTIME BY INTERVAL '1' MONTH);"#;
    let mut e = engine(code, &["O"]);
    let ts = |s: &str| kdaflow_sql::coerce::parse_timestamp(s).unwrap();
    push(&mut e, ts("2024-01-15 00:00:00"), "A", 1.0, 1);
    push(&mut e, ts("2024-01-31 23:59:59"), "A", 1.0, 1);
    push(&mut e, ts("2024-02-10 00:00:00"), "A", 1.0, 1);
    e.advance_to(ts("2024-02-29 23:59:59")).unwrap();
    e.advance_to(ts("2024-03-01 00:00:00")).unwrap();
    let rows = e.drain("O");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0].rowtime, ts("2024-02-01 00:00:00"));
    assert_eq!(
        rows[0].values,
        vec![Value::Timestamp(ts("2024-01-01 00:00:00")), Value::Int(2)]
    );
    assert_eq!(rows[1].rowtime, ts("2024-03-01 00:00:00"));
    assert_eq!(rows[1].values[1], Value::Int(1));
}

/// SQL Reference, UNIX_TIMESTAMP and TO_TIMESTAMP: milliseconds since 1970-01-01 00:00:00 UTC as
/// a BIGINT, and back.
#[test]
fn unix_timestamp_and_to_timestamp_round_trip() {
    let code = r#"CREATE STREAM "O" (ms BIGINT, back TIMESTAMP);
CREATE PUMP "P" AS INSERT INTO "O"
  SELECT STREAM UNIX_TIMESTAMP("S".ROWTIME), TO_TIMESTAMP(UNIX_TIMESTAMP("S".ROWTIME) + 1000)
  FROM "S";"#;
    let mut e = engine(code, &["O"]);
    push(&mut e, T0 + 5, "A", 1.0, 1);
    let rows = e.drain("O");
    assert_eq!(
        rows[0].values,
        vec![Value::Int(T0 + 5), Value::Timestamp(T0 + 1005)]
    );
    let err = check(
        r#"CREATE STREAM "O" (ms BIGINT);
CREATE PUMP "P" AS INSERT INTO "O" SELECT STREAM UNIX_TIMESTAMP("ticker") FROM "S";"#,
        COLS,
        &["O"],
    )
    .unwrap_err();
    assert!(
        err.message.contains("must be a TIMESTAMP"),
        "{}",
        err.message
    );
}

#[test]
fn exp_avg_weighs_values_by_their_age() {
    // A 10 s half-life over a 30 s window: a value 10 s older weighs half as much.
    let code = r#"CREATE STREAM "O" (avg_price DOUBLE);
CREATE PUMP "P" AS INSERT INTO "O"
  SELECT STREAM EXP_AVG("price", INTERVAL '10' SECOND) OVER (RANGE INTERVAL '30' SECOND PRECEDING) FROM "S";"#;
    let mut e = engine(code, &["O"]);
    push(&mut e, T0, "AMZN", 4.0, 1);
    push(&mut e, T0 + 10_000, "AMZN", 10.0, 1);
    let rows = e.drain("O");
    assert_eq!(rows[0].values, vec![Value::Double(4.0)]);
    // (0.5 * 4 + 1 * 10) / 1.5 = 8
    assert_eq!(rows[1].values, vec![Value::Double(8.0)]);
}

#[test]
fn sys_log_parse_splits_the_timestamp_from_the_message() {
    let code = r#"CREATE STREAM "O" (at_ TIMESTAMP, rest VARCHAR(64));
CREATE PUMP "P" AS INSERT INTO "O"
  SELECT STREAM t.r.COLUMN1, t.r.COLUMN2 FROM (SELECT STREAM SYS_LOG_PARSE("ticker" || ' 5 14:03:07 host1 sshd: accepted') AS r FROM "S") AS t;"#;
    let mut e = engine(code, &["O"]);
    push(&mut e, T0, "Jan", 1.0, 1);
    let rows = e.drain("O");
    // 1970-01-05 14:03:07
    assert_eq!(
        rows[0].values,
        vec![
            Value::Timestamp((4 * 86_400 + 14 * 3_600 + 3 * 60 + 7) * 1000),
            Value::str("host1 sshd: accepted")
        ]
    );
}
