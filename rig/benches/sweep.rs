//! A sweep of 20-minute bench sessions (scenarios/bench-session.toml, swept over 4 seeds), each
//! case writing its record.json only, on 1 and 2 jobs: the time per case and the parallel
//! efficiency that the README's 1,000-case figure is extrapolated from (and checked against a
//! real 1,000-case run, see README "Sweeps in CI").

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use pumprig::scenario;
use pumprig::session::OutputOptions;
use pumprig::sweep::{self, Quiet, SweepOptions};

/// Cases per iteration: enough to keep 2 jobs busy, few enough for `cargo bench` to finish.
const CASES: usize = 4;

fn bench_sweep(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/bench-session.toml");
    let seeds: Vec<String> = (1..=CASES).map(|s| s.to_string()).collect();
    let text = std::fs::read_to_string(&path).expect("bench scenario")
        + &format!("\n[sweep]\nseed = [{}]\n", seeds.join(", "));
    let loaded = scenario::load_str(&path, &text).expect("bench sweep loads");
    let prepared = sweep::prepare(&loaded, None, &[]).expect("bench sweep prepares");
    let out = std::env::temp_dir().join(format!("pumprig-bench-sweep-{}", std::process::id()));
    let mut group = c.benchmark_group(format!("sweep_{CASES}x20min"));
    group.sample_size(10);
    for jobs in [1, 2] {
        group.bench_function(format!("jobs_{jobs}"), |b| {
            b.iter(|| {
                let options = SweepOptions {
                    jobs,
                    outputs: OutputOptions::RECORD_ONLY,
                };
                let done = sweep::run(
                    &prepared.plan,
                    &prepared.cases,
                    &prepared.manifest,
                    &out,
                    options,
                    &Quiet,
                )
                .unwrap();
                assert!(done.passed());
                done
            })
        });
    }
    group.finish();
    let _ = std::fs::remove_dir_all(&out);
}

criterion_group!(benches, bench_sweep);
criterion_main!(benches);
