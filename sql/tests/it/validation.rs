//! A CodeValidationException for each kind of bad code, with line and column.

use kdaflow_sql::ValidationKind;

use crate::common::check;

const COLS: &[(&str, &str)] = &[
    ("ticker", "VARCHAR(4)"),
    ("price", "DOUBLE"),
    ("n", "INTEGER"),
];

fn fails(code: &str, outputs: &[&str], kind: ValidationKind, at: Option<(u32, u32)>, needle: &str) {
    let e = check(code, COLS, outputs).expect_err("code must be rejected");
    assert_eq!(e.kind, kind, "{}", e.message);
    if let Some((l, c)) = at {
        assert!(
            e.message.contains(&format!("line {l}, column {c}")),
            "{}",
            e.message
        );
    }
    assert!(e.message.contains(needle), "{}", e.message);
}

const OK: &str = r#"CREATE OR REPLACE STREAM "DEST" (t VARCHAR(4), p DOUBLE);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
  SELECT STREAM "ticker", "price" FROM "S" WHERE "price" > 10;"#;

#[test]
fn good_code_validates() {
    let p = check(OK, COLS, &["DEST", "error_stream"]).unwrap();
    assert_eq!(p.pumps.len(), 1);
}

#[test]
fn syntax_error() {
    let code = "CREATE OR REPLACE STREAM \"DEST\" (t VARCHAR(4));\nCREATE PUMP \"P\" AS INSERT INTO \"DEST\"\n  SELECT STREAM \"ticker\", FROM \"S\";";
    fails(
        code,
        &[],
        ValidationKind::Syntax,
        Some((3, 27)),
        "Encountered FROM but expected an expression",
    );
}

#[test]
fn unknown_stream() {
    let code = OK.replace("FROM \"S\"", "FROM \"SOURCE\"");
    fails(
        &code,
        &[],
        ValidationKind::UnknownStream,
        Some((3, 40)),
        "SOURCE",
    );
    let code = OK.replace("FROM \"S\"", "FROM \"s\"");
    fails(
        &code,
        &[],
        ValidationKind::UnknownStream,
        None,
        "did you mean \"S\"",
    );
}

#[test]
fn unknown_column() {
    let code = OK.replace("\"price\" FROM", "price FROM");
    fails(
        &code,
        &[],
        ValidationKind::UnknownColumn,
        Some((3, 27)),
        "Column 'PRICE' not found",
    );
}

#[test]
fn insert_and_select_do_not_match() {
    let code = OK.replace("\"ticker\", \"price\" FROM", "\"ticker\" FROM");
    fails(
        &code,
        &[],
        ValidationKind::InsertMismatch,
        Some((3, 3)),
        "(2) does not equal number of source items (1)",
    );
    let code = OK.replace("\"ticker\", \"price\" FROM", "\"price\", \"ticker\" FROM");
    fails(
        &code,
        &[],
        ValidationKind::InsertMismatch,
        Some((3, 17)),
        "Cannot assign to target field 'T' of type VARCHAR(4)",
    );
}

#[test]
fn output_stream_missing_is_case_sensitive() {
    fails(
        OK,
        &["dest"],
        ValidationKind::MissingOutputStream,
        None,
        "'dest'",
    );
    fails(
        OK,
        &["NOPE"],
        ValidationKind::MissingOutputStream,
        None,
        "the code creates: 'DEST'",
    );
}

#[test]
fn parameters_out_of_range() {
    let rcf = |args: &str| {
        format!(
            "CREATE STREAM \"O\" (p DOUBLE, s DOUBLE);\nCREATE PUMP \"P\" AS INSERT INTO \"O\" SELECT STREAM * FROM TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM \"price\" FROM \"S\"){args}));"
        )
    };
    check(&rcf(", 100, 256, 100000, 1"), COLS, &[]).unwrap();
    fails(
        &rcf(", 0"),
        &[],
        ValidationKind::ParameterOutOfRange,
        Some((2, 121)),
        "numberOfTrees must be between 1 and 1000, got 0",
    );
    fails(
        &rcf(", 1001"),
        &[],
        ValidationKind::ParameterOutOfRange,
        None,
        "numberOfTrees",
    );
    fails(
        &rcf(", 10, 9"),
        &[],
        ValidationKind::ParameterOutOfRange,
        None,
        "subSampleSize must be between 10 and 1000",
    );
    fails(
        &rcf(", 10, 300, 200"),
        &[],
        ValidationKind::ParameterOutOfRange,
        None,
        "must be less than timeDecay",
    );
    fails(
        &rcf(", 10, 100, 1000, 31"),
        &[],
        ValidationKind::ParameterOutOfRange,
        None,
        "shingleSize",
    );
    let distinct = |w: &str| {
        format!(
            "CREATE STREAM \"O\" (n BIGINT);\nCREATE PUMP \"P\" AS INSERT INTO \"O\" SELECT STREAM * FROM TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM \"S\"), 'ticker', {w}));"
        )
    };
    check(&distinct("3600"), COLS, &[]).unwrap();
    fails(
        &distinct("3601"),
        &[],
        ValidationKind::ParameterOutOfRange,
        None,
        "windowSize must be between 1 and 3600",
    );
    fails(
        &distinct("0"),
        &[],
        ValidationKind::ParameterOutOfRange,
        None,
        "windowSize",
    );
    let topk = |k: &str| {
        format!(
            "CREATE STREAM \"O\" (t VARCHAR(4), c BIGINT);\nCREATE PUMP \"P\" AS INSERT INTO \"O\" SELECT STREAM * FROM TABLE(TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM \"S\"), 'ticker', {k}, 60));"
        )
    };
    check(&topk("100000"), COLS, &[]).unwrap();
    fails(
        &topk("100001"),
        &[],
        ValidationKind::ParameterOutOfRange,
        None,
        "K must be between 1 and 100000",
    );
}

#[test]
fn other_semantic_errors() {
    let agg = "CREATE STREAM \"O\" (c BIGINT);\nCREATE PUMP \"P\" AS INSERT INTO \"O\" SELECT STREAM COUNT(*) FROM \"S\";";
    fails(
        agg,
        &[],
        ValidationKind::Semantic,
        Some((2, 50)),
        "needs GROUP BY a ROWTIME window",
    );
    let nogroup = "CREATE STREAM \"O\" (t VARCHAR(4), c BIGINT);\nCREATE PUMP \"P\" AS INSERT INTO \"O\" SELECT STREAM \"ticker\", COUNT(*) FROM \"S\" GROUP BY \"ticker\";";
    fails(
        nogroup,
        &[],
        ValidationKind::Semantic,
        None,
        "monotonic expression on ROWTIME",
    );
    let ungrouped = "CREATE STREAM \"O\" (t VARCHAR(4), c BIGINT);\nCREATE PUMP \"P\" AS INSERT INTO \"O\" SELECT STREAM \"ticker\", COUNT(*) FROM \"S\" GROUP BY STEP(\"S\".ROWTIME BY INTERVAL '1' MINUTE);";
    fails(
        ungrouped,
        &[],
        ValidationKind::Semantic,
        Some((2, 50)),
        "'ticker' is not being grouped",
    );
    let write_err = "CREATE PUMP \"P\" AS INSERT INTO \"error_stream\" SELECT STREAM * FROM \"S\";";
    fails(
        write_err,
        &[],
        ValidationKind::Semantic,
        None,
        "written only by the system",
    );
    let types = "CREATE STREAM \"O\" (b BOOLEAN);\nCREATE PUMP \"P\" AS INSERT INTO \"O\" SELECT STREAM \"ticker\" + 1 > 2 FROM \"S\";";
    fails(
        types,
        &[],
        ValidationKind::Semantic,
        Some((2, 59)),
        "Cannot apply '+'",
    );
}
