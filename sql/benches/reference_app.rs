//! `cargo bench -p kdaflow-sql`: the reference application (its one source,
//! workflow/examples/reference-app.toml) over the reference sample reviews, with and without
//! the random cut forest, and the join of the same records with a 100,000-row reference table.
//! Set `KDAFLOW_BENCH_RECORDS` to change the record count.

#[path = "../tests/it/reference_app.rs"]
mod reference_app;

fn main() {
    let records = std::env::var("KDAFLOW_BENCH_RECORDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    for rcf in [false, true] {
        let n = if rcf { records / 4 } else { records };
        let mut reviews = kdaflow_workflow::sample::Reviews::new(7, 50).map(|r| r.line());
        match kdaflow_sql::bench::run(&reference_app::bench_app(rcf), &mut reviews, n) {
            Ok(report) => println!("{report}\n"),
            Err(e) => {
                eprintln!("benchmark failed: {e}");
                std::process::exit(1);
            }
        }
    }
    let mut reviews = kdaflow_workflow::sample::Reviews::new(7, 50).map(|r| r.line());
    let app = kdaflow_sql::bench::join_app(&reference_app::bench_app(false), join_keys(7, 100_000));
    match kdaflow_sql::bench::run(&app, &mut reviews, records) {
        Ok(report) => println!("{report}"),
        Err(e) => {
            eprintln!("join benchmark failed: {e}");
            std::process::exit(1);
        }
    }
}

/// The ids of every 10th review the generator with `seed` makes, `rows` of them.
fn join_keys(seed: u64, rows: usize) -> Vec<String> {
    kdaflow_workflow::sample::Reviews::new(seed, 50)
        .step_by(10)
        .take(rows)
        .map(|r| r.review_id)
        .collect()
}
