//! The 20-minute bench session (scenarios/bench-session.toml): reference firmware at 1 kHz in
//! lockstep with the plant, metrics streaming — without output, and writing timeseries.csv at
//! 100 Hz to a file. Figures go into README.md.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use pumprig::controller::ReferenceController;
use pumprig::output::timeseries::CsvSink;
use pumprig::runner::{self, NoSink};
use pumprig::scenario;

fn bench_session(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/bench-session.toml");
    let loaded = scenario::load(&path).expect("bench scenario loads");
    let settings = loaded.scenario.controller.settings;
    let csv_path = std::env::temp_dir().join(format!("pumprig-bench-{}.csv", std::process::id()));
    let mut group = c.benchmark_group("bench_session_20min");
    group.sample_size(10);
    group.bench_function("no_output", |b| {
        b.iter(|| {
            let mut ctl = ReferenceController::new(&settings).unwrap();
            runner::run(&loaded, &mut ctl, &mut NoSink).unwrap()
        })
    });
    group.bench_function("csv_100hz", |b| {
        b.iter(|| {
            let mut ctl = ReferenceController::new(&settings).unwrap();
            let file = BufWriter::with_capacity(1 << 16, File::create(&csv_path).unwrap());
            let mut sink = CsvSink::new(file, loaded.scenario.plant.kit.shields).unwrap();
            let out = runner::run(&loaded, &mut ctl, &mut sink).unwrap();
            sink.into_inner().unwrap();
            out
        })
    });
    group.finish();
    let _ = std::fs::remove_file(&csv_path);
}

criterion_group!(benches, bench_session);
criterion_main!(benches);
