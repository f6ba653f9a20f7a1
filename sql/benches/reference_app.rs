//! `cargo bench -p kdaflow-sql`: the reference application over generated reviews, with and
//! without the random cut forest. Set `KDAFLOW_BENCH_RECORDS` to change the record count.

fn main() {
    let records = std::env::var("KDAFLOW_BENCH_RECORDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    for rcf in [false, true] {
        let n = if rcf { records / 4 } else { records };
        match kdaflow_sql::bench::run(n, None, rcf) {
            Ok(report) => println!("{report}\n"),
            Err(e) => {
                eprintln!("benchmark failed: {e}");
                std::process::exit(1);
            }
        }
    }
}
