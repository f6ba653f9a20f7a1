//! The benchmark entry point the CLI calls, over the reference application and given records.

use kdaflow_sql::bench::{join_app, run};
use kdaflow_workflow::sample::Reviews;

use crate::reference_app::bench_app;

#[test]
fn bench_runs_the_reference_application_over_given_records() {
    let mut records: Vec<String> = Reviews::new(1, 50).take(12_000).map(|r| r.line()).collect();
    records.push("BAD\tnot-a-number\tBooks\tbody\n".to_string());
    let report = run(&bench_app(false), &mut records.into_iter(), usize::MAX).unwrap();
    assert_eq!(report.records, 12_001);
    assert_eq!(report.error_rows, 1);
    assert!(!report.rcf);
    // 12,001 ms of virtual time: windows ending at 5 s, 10 s and 15 s (the last closed at the end).
    assert_eq!(
        report.output_rows,
        vec![
            ("AVG_STAR_RATING_SQL_STREAM".to_string(), 3),
            ("APPROXIMATE_COUNT_SQL_STREAM".to_string(), 3)
        ]
    );
    assert_eq!(report.max_window_delay_ms, 0);
    assert!(report.records_per_sec > 0.0);
    assert!(report.to_string().contains("records/s"));
}

#[test]
fn a_limit_stops_an_endless_source() {
    let mut reviews = Reviews::new(2, 50).map(|r| r.line());
    let report = run(&bench_app(true), &mut reviews, 3_000).unwrap();
    assert_eq!(report.records, 3_000);
    assert!(report.rcf);
    assert_eq!(report.output_rows.len(), 3);
}

#[test]
fn the_join_benchmark_joins_every_record_with_the_table() {
    // Every other review's id is in the table: those get its values, the rest NULLs.
    let keys: Vec<String> = Reviews::new(3, 50)
        .take(1_000)
        .step_by(2)
        .map(|r| r.review_id)
        .collect();
    let app = join_app(&bench_app(false), keys);
    let mut reviews = Reviews::new(3, 50).map(|r| r.line());
    let report = run(&app, &mut reviews, 1_000).unwrap();
    assert_eq!(report.reference.map(|r| r.0), Some(500));
    assert_eq!(report.output_rows, vec![("JOINED".to_string(), 1_000)]);
    assert_eq!(report.error_rows, 0);
    assert!(
        report.to_string().contains("500-row reference table"),
        "{report}"
    );
}
