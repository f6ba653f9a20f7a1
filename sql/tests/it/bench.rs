//! The benchmark entry point the CLI calls, on a small given file.

use kdaflow_sql::bench::{ReviewGenerator, run};

#[test]
fn bench_runs_over_a_given_tab_separated_file() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join("kdaflow-sql-bench-input.tsv");
    let mut reviews = ReviewGenerator::new(1);
    let mut text = String::new();
    let mut line = String::new();
    for _ in 0..12_000 {
        reviews.next_into(&mut line);
        text.push_str(&line);
        text.push('\n');
    }
    text.push_str("BAD\tnot-a-number\tBooks\tbody\n");
    std::fs::write(&path, text).unwrap();
    let report = run(0, Some(&path), false).unwrap();
    assert_eq!(report.records, 12_001);
    assert_eq!(report.error_rows, 1);
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
