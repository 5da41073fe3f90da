//! One plant tick: transducer sample plus one 1 ms step, while pulling and while venting.

use criterion::{Criterion, criterion_group, criterion_main};
use pumprig_sim::{Plant, PlantParams, StepInput};
use std::hint::black_box;

fn plant_tick(c: &mut Criterion) {
    let mut group = c.benchmark_group("plant_tick");
    for (name, duty, open) in [("pulling", 0.8, false), ("venting", 0.0, true)] {
        let mut plant = Plant::new(&PlantParams::default(), 1).unwrap();
        // Start from a realistic mid-cycle state.
        for _ in 0..200 {
            plant
                .step(&StepInput {
                    motor_duty: 1.0,
                    valve_open: false,
                    dt_s: 1e-3,
                })
                .unwrap();
        }
        let mut k = 0u32;
        group.bench_function(name, |b| {
            b.iter(|| {
                k = k.wrapping_add(1);
                // Alternate around the operating point so the state stays bounded.
                let pull = if k % 400 < 200 { duty } else { 1.0 - duty };
                black_box(plant.sample_sensor(1e-3));
                black_box(
                    plant
                        .step(&StepInput {
                            motor_duty: pull,
                            valve_open: open == (k % 400 < 200),
                            dt_s: 1e-3,
                        })
                        .unwrap(),
                );
            })
        });
    }
    group.finish();
}

criterion_group!(benches, plant_tick);
criterion_main!(benches);
