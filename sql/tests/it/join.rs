//! JOIN with the in-application reference table: inner and LEFT OUTER, keys and the rest of
//! the ON condition, reloads, and the refusals.

use kdaflow_sql::{Engine, RecordFormat, RecordParser, SourceSchema, ValidationKind, Value};

use crate::common::{T0, check_with_table, in_app};

const ORDERS: &[(&str, &str)] = &[("TICKER", "VARCHAR(8)"), ("QTY", "INTEGER")];

fn companies() -> kdaflow_sql::InAppStream {
    in_app(
        "COMPANIES",
        &[
            ("TICKER", "VARCHAR(8)"),
            ("NAME", "VARCHAR(32)"),
            ("MIN_QTY", "INTEGER"),
        ],
    )
}

fn engine(code: &str) -> Engine {
    let table = companies();
    let program = check_with_table(code, ORDERS, Some(&table), &["O"]).unwrap();
    let mut e = Engine::new(program, 1).unwrap();
    let row = |t: &str, n: &str, q: i64| vec![Value::str(t), Value::str(n), Value::Int(q)];
    let loaded = e
        .load_reference(
            "COMPANIES",
            vec![
                row("AMZN", "Amazon", 1),
                row("MSFT", "Microsoft", 10),
                row("AMZN", "Amazon again", 5),
            ],
        )
        .unwrap();
    assert_eq!(loaded, 3);
    e
}

fn push(e: &mut Engine, t: i64, ticker: &str, qty: i64) {
    e.push_row("S", t, vec![Value::str(ticker), Value::Int(qty)])
        .unwrap();
}

fn values(e: &mut Engine) -> Vec<(i64, Vec<Value>)> {
    e.drain("O")
        .into_iter()
        .map(|r| (r.rowtime, r.values))
        .collect()
}

#[test]
fn inner_join_on_a_key_emits_a_row_per_match_at_the_stream_rows_rowtime() {
    let code = r#"CREATE STREAM "O" (ticker VARCHAR(8), name VARCHAR(32), qty INTEGER);
CREATE PUMP "P" AS INSERT INTO "O"
  SELECT STREAM o."TICKER", c."NAME", o."QTY"
  FROM "S" AS o JOIN "COMPANIES" AS c ON o."TICKER" = c."TICKER";"#;
    let mut e = engine(code);
    push(&mut e, T0 + 5, "AMZN", 2);
    push(&mut e, T0 + 6, "ORCL", 3);
    push(&mut e, T0 + 7, "MSFT", 4);
    assert_eq!(
        values(&mut e),
        vec![
            (
                T0 + 5,
                vec![Value::str("AMZN"), Value::str("Amazon"), Value::Int(2)]
            ),
            (
                T0 + 5,
                vec![
                    Value::str("AMZN"),
                    Value::str("Amazon again"),
                    Value::Int(2)
                ]
            ),
            (
                T0 + 7,
                vec![Value::str("MSFT"), Value::str("Microsoft"), Value::Int(4)]
            ),
        ],
        "ORCL has no company row, so an inner join drops it"
    );
}

#[test]
fn left_outer_join_keeps_unmatched_rows_with_null_table_columns() {
    let code = r#"CREATE STREAM "O" (ticker VARCHAR(8), name VARCHAR(32), qty INTEGER);
CREATE PUMP "P" AS INSERT INTO "O"
  SELECT STREAM "S"."TICKER", "NAME", "QTY"
  FROM "S" LEFT OUTER JOIN "COMPANIES" ON "S"."TICKER" = "COMPANIES"."TICKER" AND "QTY" >= "MIN_QTY";"#;
    let mut e = engine(code);
    push(&mut e, T0, "AMZN", 2); // matches Amazon (min 1), not "Amazon again" (min 5)
    push(&mut e, T0 + 1, "MSFT", 4); // the key matches, the rest of ON does not
    push(&mut e, T0 + 2, "ORCL", 3);
    assert_eq!(
        values(&mut e),
        vec![
            (
                T0,
                vec![Value::str("AMZN"), Value::str("Amazon"), Value::Int(2)]
            ),
            (T0 + 1, vec![Value::str("MSFT"), Value::Null, Value::Int(4)]),
            (T0 + 2, vec![Value::str("ORCL"), Value::Null, Value::Int(3)]),
        ]
    );
}

#[test]
fn a_table_written_first_puts_its_columns_first_and_star_expands_both() {
    let code = r#"CREATE STREAM "O" (t VARCHAR(8), name VARCHAR(32), m INTEGER, t2 VARCHAR(8), qty INTEGER);
CREATE PUMP "P" AS INSERT INTO "O"
  SELECT STREAM * FROM "COMPANIES" AS c INNER JOIN "S" ON c."TICKER" = "S"."TICKER" WHERE "QTY" > 1;"#;
    let mut e = engine(code);
    push(&mut e, T0, "MSFT", 1);
    push(&mut e, T0 + 1, "MSFT", 2);
    assert_eq!(
        values(&mut e),
        vec![(
            T0 + 1,
            vec![
                Value::str("MSFT"),
                Value::str("Microsoft"),
                Value::Int(10),
                Value::str("MSFT"),
                Value::Int(2)
            ]
        )]
    );
}

#[test]
fn a_join_feeds_a_windowed_aggregate() {
    let code = r#"CREATE STREAM "O" (name VARCHAR(32), total BIGINT);
CREATE PUMP "P" AS INSERT INTO "O"
  SELECT STREAM c."NAME", SUM(o."QTY") FROM "S" AS o JOIN "COMPANIES" AS c ON o."TICKER" = c."TICKER"
  WHERE c."MIN_QTY" > 1
  GROUP BY c."NAME", STEP(o.ROWTIME BY INTERVAL '1' MINUTE);"#;
    let mut e = engine(code);
    push(&mut e, T0, "AMZN", 2);
    push(&mut e, T0 + 1_000, "AMZN", 3);
    push(&mut e, T0 + 2_000, "MSFT", 7);
    e.advance_to(T0 + 60_000).unwrap();
    let mut got = values(&mut e);
    got.sort_by(|a, b| a.1[0].to_string().cmp(&b.1[0].to_string()));
    assert_eq!(
        got,
        vec![
            (T0 + 60_000, vec![Value::str("Amazon again"), Value::Int(5)]),
            (T0 + 60_000, vec![Value::str("Microsoft"), Value::Int(7)]),
        ]
    );
}

#[test]
fn reloading_the_table_changes_what_later_rows_join() {
    let code = r#"CREATE STREAM "O" (name VARCHAR(32));
CREATE PUMP "P" AS INSERT INTO "O"
  SELECT STREAM c."NAME" FROM "S" JOIN "COMPANIES" AS c ON "S"."TICKER" = c."TICKER";"#;
    let table = companies();
    let program = check_with_table(code, ORDERS, Some(&table), &["O"]).unwrap();
    let mut e = Engine::new(program, 1).unwrap();
    push(&mut e, T0, "AMZN", 1);
    assert!(values(&mut e).is_empty(), "an unloaded table is empty");
    // CSV as the reference data source's object would hold it; a bad row goes to error_stream.
    let schema = SourceSchema {
        format: RecordFormat::Csv {
            row_delimiter: "\n".into(),
            column_delimiter: ",".into(),
        },
        columns: table.columns.clone(),
    };
    let parser = RecordParser::new(&schema).unwrap();
    let n = e
        .load_reference_records("COMPANIES", &parser, b"AMZN,Amazon,1\nMSFT,Microsoft,x\n")
        .unwrap();
    assert_eq!(n, 1);
    let errors = e.drain_errors();
    assert_eq!(
        errors.len(),
        1,
        "the MSFT row's MIN_QTY is not an INTEGER: {errors:?}"
    );
    push(&mut e, T0 + 1, "AMZN", 1);
    push(&mut e, T0 + 2, "MSFT", 1);
    assert_eq!(values(&mut e), vec![(T0 + 1, vec![Value::str("Amazon")])]);
    assert!(matches!(
        e.load_reference("NOPE", Vec::new()),
        Err(kdaflow_sql::SqlError::UnknownReferenceTable(_))
    ));
}

#[test]
fn trailing_spaces_and_nulls_compare_as_equals_does() {
    let code = r#"CREATE STREAM "O" (name VARCHAR(32));
CREATE PUMP "P" AS INSERT INTO "O"
  SELECT STREAM c."NAME" FROM "S" JOIN "COMPANIES" AS c ON "S"."TICKER" = c."TICKER";"#;
    let table = companies();
    let program = check_with_table(code, ORDERS, Some(&table), &["O"]).unwrap();
    let mut e = Engine::new(program, 1).unwrap();
    e.load_reference(
        "COMPANIES",
        vec![
            vec![Value::str("AMZN  "), Value::str("Amazon"), Value::Int(1)],
            vec![Value::Null, Value::str("nobody"), Value::Int(1)],
        ],
    )
    .unwrap();
    push(&mut e, T0, "AMZN", 1);
    e.push_row("S", T0 + 1, vec![Value::Null, Value::Int(1)])
        .unwrap();
    assert_eq!(values(&mut e), vec![(T0, vec![Value::str("Amazon")])]);
}

#[test]
fn refusals_name_the_construct() {
    let table = companies();
    let refuse = |code: &str| check_with_table(code, ORDERS, Some(&table), &[]).expect_err(code);
    let head =
        r#"CREATE STREAM "O" (t VARCHAR(8)); CREATE PUMP "P" AS INSERT INTO "O" SELECT STREAM "#;
    let e = refuse(&format!(r#"{head} "NAME" FROM "COMPANIES";"#));
    assert!(
        e.message.contains("reference table") && e.message.contains("JOIN"),
        "{e}"
    );
    let e = refuse(&format!(
        r#"{head} "S"."TICKER" FROM "S" JOIN "COMPANIES" ON "TICKER" = 'A';"#
    ));
    assert!(e.message.contains("ambiguous"), "{e}");
    let e = refuse(&format!(
        r#"{head} "S"."TICKER" FROM "S" RIGHT JOIN "COMPANIES" ON "S"."TICKER" = "COMPANIES"."TICKER";"#
    ));
    assert!(e.message.contains("preserved side"), "{e}");
    let e = refuse(&format!(
        r#"{head} "S"."TICKER" FROM "S" JOIN "COMPANIES" ON "QTY";"#
    ));
    assert!(e.message.contains("BOOLEAN"), "{e}");
    let e = refuse(&format!(
        r#"{head} c."TICKER" FROM "S" JOIN "COMPANIES" AS c ON c.ROWTIME = "S".ROWTIME;"#
    ));
    assert!(e.message.contains("has no ROWTIME"), "{e}");
    let e = refuse(
        r#"CREATE STREAM "O" (t VARCHAR(8)); CREATE PUMP "P" AS INSERT INTO "COMPANIES" SELECT STREAM "TICKER", 'x', 1 FROM "S";"#,
    );
    assert!(e.message.contains("cannot INSERT"), "{e}");
    let e = refuse(&format!(
        r#"{head} "S"."TICKER" FROM "S" JOIN "S" AS s2 ON "S"."QTY" = s2."QTY";"#
    ));
    assert!(
        e.message.contains("needs a window on at least one side"),
        "{e}"
    );
    let e = refuse(&format!(
        r#"{head} a."TICKER" FROM "S" OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS a JOIN (SELECT STREAM * FROM "S") AS b ON a."QTY" = b."QTY";"#
    ));
    assert_eq!(e.kind, ValidationKind::Unsupported, "{e}");
    assert!(
        e.message.contains("JOIN of a subquery") && e.message.contains("does not support"),
        "{e}"
    );
    let e = refuse(&format!(
        r#"{head} "TICKER" FROM "S" OVER (ROWS 2 PRECEDING);"#
    ));
    assert!(e.message.contains("window of a JOIN of two streams"), "{e}");
}

#[test]
fn two_streams_join_over_windows_at_the_later_rowtime() {
    // Orders and shipments as two streams; orders kept for a minute. LEFT OUTER: an order
    // that no shipment matches within its minute is emitted with NULLs when the minute ends.
    let code = r#"CREATE STREAM "ORDERS" (id INTEGER);
CREATE STREAM "SHIPMENTS" (id INTEGER);
CREATE PUMP "A" AS INSERT INTO "ORDERS" SELECT STREAM "QTY" FROM "S" WHERE "TICKER" = 'order';
CREATE PUMP "B" AS INSERT INTO "SHIPMENTS" SELECT STREAM "QTY" FROM "S" WHERE "TICKER" = 'ship';
CREATE STREAM "O" (id INTEGER, ordered TIMESTAMP, shipped TIMESTAMP, at_ TIMESTAMP);
CREATE PUMP "J" AS INSERT INTO "O"
  SELECT STREAM o.id, o.ROWTIME, s.ROWTIME, ROWTIME
  FROM "ORDERS" OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS o
  LEFT OUTER JOIN "SHIPMENTS" AS s ON o.id = s.id;"#;
    let program = check_with_table(code, ORDERS, None, &["O"]).unwrap();
    let mut e = Engine::new(program, 1).unwrap();
    push(&mut e, T0, "order", 1);
    push(&mut e, T0 + 10_000, "order", 2);
    push(&mut e, T0 + 30_000, "ship", 1); // within order 1's minute
    push(&mut e, T0 + 90_000, "ship", 2); // order 2's minute ended at +70 s
    let ts = Value::Timestamp;
    assert_eq!(
        values(&mut e),
        vec![
            (
                T0 + 30_000,
                vec![Value::Int(1), ts(T0), ts(T0 + 30_000), ts(T0 + 30_000)]
            ),
            (
                T0 + 70_000,
                vec![Value::Int(2), ts(T0 + 10_000), Value::Null, ts(T0 + 70_000)]
            ),
        ]
    );
}

#[test]
fn a_values_list_is_a_constant_table_to_join() {
    let code = r#"CREATE STREAM "O" (ticker VARCHAR(8), label VARCHAR(8), weight DECIMAL(4,2));
CREATE PUMP "P" AS INSERT INTO "O"
  SELECT STREAM "S"."TICKER", t.label, t.w
  FROM "S" LEFT JOIN (VALUES ('AMZN', 'big', 1.5), ('MSFT', 'bigger', 2.25)) AS t (k, label, w)
  ON "S"."TICKER" = t.k;"#;
    let program = check_with_table(code, ORDERS, None, &["O"]).unwrap();
    let mut e = Engine::new(program, 1).unwrap();
    push(&mut e, T0, "MSFT", 1);
    push(&mut e, T0 + 1, "ORCL", 1);
    let dec = |s: &str| Value::Decimal(s.parse().unwrap());
    assert_eq!(
        values(&mut e),
        vec![
            (
                T0,
                vec![Value::str("MSFT"), Value::str("bigger"), dec("2.25")]
            ),
            (T0 + 1, vec![Value::str("ORCL"), Value::Null, Value::Null]),
        ]
    );
    let e = check_with_table(
        r#"CREATE STREAM "O" (x INTEGER); CREATE PUMP "P" AS INSERT INTO "O" SELECT STREAM * FROM (VALUES (1), (2));"#,
        ORDERS,
        None,
        &[],
    )
    .unwrap_err();
    assert!(e.message.contains("VALUES is a constant table"), "{e}");
}

#[test]
fn a_relational_select_of_the_table_filters_and_projects_its_rows() {
    let code = r#"CREATE STREAM "O" (ticker VARCHAR(8), shout VARCHAR(32));
CREATE PUMP "P" AS INSERT INTO "O"
  SELECT STREAM "S"."TICKER", c.shout
  FROM "S" JOIN (SELECT "TICKER" AS t, UPPER("NAME") AS shout FROM "COMPANIES" WHERE "MIN_QTY" > 1) AS c
  ON "S"."TICKER" = c.t;"#;
    let mut e = engine(code);
    push(&mut e, T0, "AMZN", 1); // only "Amazon again" (min 5) passes the WHERE
    push(&mut e, T0 + 1, "MSFT", 1);
    assert_eq!(
        values(&mut e),
        vec![
            (T0, vec![Value::str("AMZN"), Value::str("AMAZON AGAIN")]),
            (T0 + 1, vec![Value::str("MSFT"), Value::str("MICROSOFT")]),
        ]
    );
}
