//! Rows that fail to parse, convert or compute go to error_stream with the service's columns.

use kdaflow_sql::coerce::hex;
use kdaflow_sql::{Engine, RecordParser, Value};

use crate::common::{T0, check, reference_program};

#[test]
fn bad_records_go_to_error_stream() {
    let mut engine = Engine::new(reference_program(), 1).unwrap();
    let parser = RecordParser::new(&crate::reference_app::schema()).unwrap();
    let stream = engine.input_id(&crate::reference_app::stream()).unwrap();
    let data = "R1\t5\tBooks\tgood\nR2\tfive\tBooks\tbad rating\nR3\t4\tBooks\n";
    let accepted = engine
        .push_record(stream, T0 + 10, &parser, data.as_bytes())
        .unwrap();
    assert_eq!(accepted, 1);
    let errors = engine.drain_errors();
    assert_eq!(errors.len(), 2);
    let cols = engine.program().columns("error_stream").unwrap();
    let names: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "ERROR_TIME",
            "ERROR_LEVEL",
            "ERROR_NAME",
            "MESSAGE",
            "DATA_ROWTIME",
            "DATA_ROW",
            "PUMP_NAME"
        ]
    );
    let e = &errors[0].values;
    assert_eq!(e[0], Value::Timestamp(T0 + 10));
    assert_eq!(e[1], Value::str("ERROR"));
    assert_eq!(e[2], Value::str("Type conversion error"));
    assert!(e[3].to_string().contains("star_rating"), "{}", e[3]);
    assert_eq!(e[4], Value::Timestamp(T0 + 10));
    assert_eq!(e[5], Value::str(&hex(b"R2\tfive\tBooks\tbad rating")));
    assert_eq!(e[6], Value::Null);
    assert!(
        errors[1].values[3].to_string().contains("3 columns"),
        "{:?}",
        errors[1]
    );
    // The good row still counts.
    engine.advance_to(T0 + 5000).unwrap();
    let avg = engine.drain("AVG_STAR_RATING_SQL_STREAM");
    assert_eq!(avg[0].values, vec![Value::Double(5.0)]);
}

#[test]
fn division_by_zero_names_the_pump() {
    let code = "CREATE STREAM \"O\" (r DOUBLE);\nCREATE PUMP \"DIV_PUMP\" AS INSERT INTO \"O\" SELECT STREAM 10 / \"n\" FROM \"S\";";
    let program = check(code, &[("n", "INTEGER")], &["O"]).unwrap();
    let mut engine = Engine::new(program, 1).unwrap();
    engine.push_row("S", T0, vec![Value::Int(0)]).unwrap();
    engine.push_row("S", T0 + 1, vec![Value::Int(5)]).unwrap();
    assert_eq!(engine.drain("O")[0].values, vec![Value::Double(2.0)]);
    let errors = engine.drain_errors();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].values[3], Value::str("Divide by zero"));
    assert_eq!(errors[0].values[6], Value::str("DIV_PUMP"));
}

#[test]
fn time_must_not_go_back() {
    let mut engine = Engine::new(reference_program(), 1).unwrap();
    engine.advance_to(T0).unwrap();
    assert!(engine.advance_to(T0 - 1).is_err());
}
