//! Courses (scenarios/course-6-weeks.toml: 10 double-pumping sessions a day of 15 min, full plant
//! and reference firmware at 1 kHz). Criterion times one day of it (10 sessions, the rest between
//! them); the 6-week figure in README.md is 42 times that, checked against a timed
//! `pumprig run scenarios/course-6-weeks.toml`.

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use pumprig::course;
use pumprig::scenario;

fn bench_course(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/course-6-weeks.toml");
    let loaded = scenario::load(&path).expect("course scenario loads");
    let mut one_day = loaded.scenario.course.clone().expect("a course");
    one_day.days = 1;
    let mut group = c.benchmark_group("course");
    group.sample_size(10);
    group.bench_function("one_day_10_sessions_of_15_min", |b| {
        b.iter(|| course::run_course(&loaded, &one_day, |_| {}).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench_course);
criterion_main!(benches);
