//! What the README's 1,000-case sweep figure is made of, on 1 and 2 jobs:
//!
//! - `sweep_4x20min`: a whole sweep of 20-minute bench sessions (scenarios/bench-session.toml
//!   over 4 seeds), each case writing its record.json only: the cases and the sweep's end;
//! - `sweep_end_4_rows`: the end of that same sweep alone (`sweep::write_summaries`: cases.jsonl,
//!   summary.csv/.md, junit.xml, sweep.json and the sweep plots), so the case phase is the
//!   difference: CPU per case and the cases' parallel efficiency;
//! - `sweep_end_1000_rows`: the end of a 1,000-case sweep, from 1,000 rows made from the 4 real
//!   ones (values varied, some cases failing, a few errors), in two shapes: `seeds` (the issue's
//!   sweep, 1,000 seeds of the bench session: a pass/fail map and 8 line plots) and `grid_40x25`
//!   (expression vacuum × cycle rate: a pass/fail map, 8 heatmaps and 16 line plots).
//!
//! README "Performance" gives the figures: the efficiency from `sweep_4x20min`, and the 1,000-case
//! sweep timed whole (`pumprig sweep bench-1000.toml --jobs 2`), which these explain: about
//! 1,000 × CPU per case ÷ (2 × efficiency) + the 1,000-row end on 2 jobs.

use std::path::Path;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use pumprig::scenario;
use pumprig::session::OutputOptions;
use pumprig::sweep::{
    self, CaseRow, Manifest, ManifestKey, Outcome, Quiet, RowStore, SweepOptions,
};

/// Cases per iteration: enough to keep 2 jobs busy, few enough for `cargo bench` to finish.
const CASES: usize = 4;

fn bench_sweep(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/bench-session.toml");
    let seeds: Vec<String> = (1..=CASES).map(|s| s.to_string()).collect();
    let text = std::fs::read_to_string(&path).expect("bench scenario")
        + &format!("\n[sweep]\nseed = [{}]\n", seeds.join(", "));
    let loaded = scenario::load_str(&path, &text).expect("bench sweep loads");
    let prepared = sweep::prepare(&loaded, None, &[]).expect("bench sweep prepares");
    let scratch = std::env::temp_dir().join(format!("pumprig-bench-sweep-{}", std::process::id()));
    let out = scratch.join("sweep");
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

    // The real rows of the sweep above: its end alone, and the seeds of 1,000-row sweeps.
    let store = RowStore::open(&[out.join("cases.jsonl")]).expect("the sweep's rows");
    let mut real = Vec::new();
    store
        .for_each(&mut |r| {
            real.push(r.clone());
            Ok(())
        })
        .unwrap();
    let mut group = c.benchmark_group(format!("sweep_end_{CASES}_rows"));
    group.sample_size(10);
    bench_end(&mut group, &scratch, "seeds", &prepared.manifest, &real);
    group.finish();

    let mut group = c.benchmark_group("sweep_end_1000_rows");
    group.sample_size(10);
    let (manifest, rows) = seeds_sweep(&real, &prepared.manifest, 1000);
    bench_end(&mut group, &scratch, "seeds", &manifest, &rows);
    let (manifest, rows) = grid_sweep(&real, &prepared.manifest, 40, 25);
    bench_end(&mut group, &scratch, "grid_40x25", &manifest, &rows);
    group.finish();
    let _ = std::fs::remove_dir_all(&scratch);
}

/// The end of a sweep of `rows` (written to a file of their own first) on 1 and 2 jobs.
fn bench_end(
    group: &mut BenchmarkGroup<'_, WallTime>,
    scratch: &Path,
    shape: &str,
    manifest: &Manifest,
    rows: &[CaseRow],
) {
    let src = scratch.join(format!("{}-{shape}-rows", rows.len()));
    std::fs::create_dir_all(&src).unwrap();
    let file = src.join("cases.jsonl");
    let lines: String = rows.iter().map(CaseRow::to_line).collect();
    std::fs::write(&file, lines).unwrap();
    let store = RowStore::open(&[file]).unwrap();
    let dir = scratch.join(format!("{}-{shape}-end", rows.len()));
    std::fs::create_dir_all(&dir).unwrap();
    for jobs in [1, 2] {
        group.bench_function(format!("{shape}/jobs_{jobs}"), |b| {
            b.iter(|| sweep::write_summaries(&dir, manifest, &store, jobs).unwrap())
        });
    }
}

/// Row `index` made from a real row: each check value moved by up to ±`spread`, one case in 53
/// failing a check, one in 211 stopped on a fault (no values).
fn varied(real: &CaseRow, index: usize, spread: f64) -> CaseRow {
    let mut row = real.clone();
    row.index = index;
    for (k, c) in row.checks.iter_mut().enumerate() {
        c.value = c
            .value
            .map(|v| v * (1.0 + spread * (0.37 * index as f64 + k as f64).sin()));
    }
    if index % 53 == 7 {
        let k = index % row.checks.len();
        let c = &mut row.checks[k];
        if let (Some(max), Some(_)) = (c.max, c.value) {
            c.value = Some(max * 1.05);
            c.pass = false;
        }
    }
    row.outcome = if row.checks.iter().any(|c| !c.pass) {
        Outcome::Fail
    } else {
        Outcome::Pass
    };
    if index % 211 == 13 {
        row.outcome = Outcome::Error;
        row.error = Some("synthetic fault".into());
        for c in &mut row.checks {
            c.value = None;
            c.pass = false;
        }
    }
    row
}

/// The sweep: `n` seeds of the bench session.
fn seeds_sweep(real: &[CaseRow], manifest: &Manifest, n: usize) -> (Manifest, Vec<CaseRow>) {
    let rows = (0..n)
        .map(|i| {
            let mut row = varied(&real[i % real.len()], i, 0.02);
            row.params[0].value = (i + 1).to_string();
            row.id = format!(
                "seed={}-{:08x}",
                i + 1,
                i.wrapping_mul(2_654_435_761) as u32
            );
            row
        })
        .collect();
    let mut manifest = manifest.clone();
    (manifest.total_cases, manifest.cases) = (n, n);
    (manifest, rows)
}

/// A two-key grid over the bench session: `nx` expression vacuums × `ny` expression cycle rates.
fn grid_sweep(
    real: &[CaseRow],
    manifest: &Manifest,
    nx: usize,
    ny: usize,
) -> (Manifest, Vec<CaseRow>) {
    let keys = [
        ("controller.settings.expression.vacuum_mmhg", "vacuum_mmhg"),
        (
            "controller.settings.expression.cycles_per_min",
            "cycles_per_min",
        ),
    ];
    let mut rows = Vec::with_capacity(nx * ny);
    for x in 0..nx {
        for y in 0..ny {
            let i = x * ny + y;
            let mut row = varied(&real[i % real.len()], i, 0.04);
            let values = [(100 + 5 * x).to_string(), (40 + y).to_string()];
            let template = row.params[0].clone();
            row.params = keys
                .iter()
                .zip(&values)
                .map(|(&(key, short), value)| sweep::RowParam {
                    key: key.into(),
                    short: short.into(),
                    value: value.clone(),
                    ..template.clone()
                })
                .collect();
            row.id = format!(
                "vacuum_mmhg={},cycles_per_min={}-{:08x}",
                values[0],
                values[1],
                i.wrapping_mul(2_654_435_761) as u32
            );
            rows.push(row);
        }
    }
    let mut manifest = manifest.clone();
    (manifest.total_cases, manifest.cases) = (nx * ny, nx * ny);
    manifest.keys = keys
        .iter()
        .map(|&(key, short)| ManifestKey {
            key: key.into(),
            short: short.into(),
            lead: true,
        })
        .collect();
    (manifest, rows)
}

criterion_group!(benches, bench_sweep);
criterion_main!(benches);
