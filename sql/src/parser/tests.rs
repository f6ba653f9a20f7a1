use super::*;
use crate::ast::{Expr, From, Statement};
use crate::error::ValidationKind;

#[test]
fn parses_stream_and_pump_with_step() {
    let code = r#"CREATE OR REPLACE STREAM "OUT" (avg_x DOUBLE, "t" VARCHAR(4) NOT NULL);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "OUT"
  SELECT STREAM AVG(CAST("x" AS DOUBLE)) AS avg_x, 'a' || 'b'
  FROM "S" WHERE "x" > 1 AND NOT "x" IS NULL
  GROUP BY STEP("S".ROWTIME BY INTERVAL '5' SECOND);"#;
    let stmts = parse(code).unwrap();
    assert_eq!(stmts.len(), 2);
    let Statement::CreateStream { name, columns, .. } = &stmts[0] else {
        panic!()
    };
    assert_eq!(name.name, "OUT");
    assert_eq!(columns[0].name.name, "AVG_X");
    assert!(columns[1].not_null);
    let Statement::CreatePump { query, .. } = &stmts[1] else {
        panic!()
    };
    assert!(query.stream);
    assert!(matches!(
        query.group_by[0],
        Expr::Step {
            by: 5000,
            interval: true,
            ..
        }
    ));
}

#[test]
fn parses_table_functions_and_windows() {
    let code = r#"CREATE PUMP "P" AS INSERT INTO "O"
  SELECT STREAM * FROM TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM "a" FROM "S"), 10, 20, 30, 1));
CREATE PUMP "Q" AS INSERT INTO "O"
  SELECT STREAM SUM("a") OVER (PARTITION BY "k" RANGE INTERVAL '1' MINUTE PRECEDING),
    FLOOR("S".ROWTIME TO MINUTE), FLOOR(2.5),
    CASE WHEN "a" BETWEEN 1 AND 2 THEN 'x' ELSE 'y' END
  FROM "S""#;
    let stmts = parse(code).unwrap();
    let Statement::CreatePump { query, .. } = &stmts[0] else {
        panic!()
    };
    let From::Table { func, args, .. } = &query.from else {
        panic!()
    };
    assert_eq!(func.name, "RANDOM_CUT_FOREST");
    assert_eq!(args.len(), 4);
    let Statement::CreatePump { query, .. } = &stmts[1] else {
        panic!()
    };
    assert_eq!(query.items.len(), 4);
}

#[test]
fn syntax_error_names_line_and_column() {
    let e = parse("CREATE STREAM \"S\" (a INTEGER);\nCREATE PUMP \"P\" AS INSERT INTO \"S\"\n  SELECT STREAM a FROM").unwrap_err();
    assert_eq!(e.kind, ValidationKind::Syntax);
    assert!(e.message.contains("line 3, column 23"), "{}", e.message);
    assert!(e.message.contains("end of input"), "{}", e.message);
}
