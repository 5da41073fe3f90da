//! Cost of the serial adapter (figures in README "Performance" and docs/protocol.md "What the
//! link can carry"):
//!
//! - `serial/pty round trip, echo board`: one lockstep `step` of [`SerialController`] over a raw
//!   pty pair to a virtual board on a thread that answers at once without running firmware: the
//!   rig's whole overhead per round trip, kernel pty hand-offs and two thread wake-ups included;
//! - `serial/pty round trip, rig thread CPU time`: the same exchange, but what criterion times is
//!   the CPU time the rig's thread ran (from the scheduler, /proc/thread-self/schedstat): the
//!   rig-side overhead proper, without the wait for the board or for other processes;
//! - `serial/rig frame work`: the rig's own CPU work per round trip without I/O (encode the
//!   Sensor, decode an Actuator byte stream), the part the rig's code decides;
//! - `serial/qemu 1 s at 1 kHz`: one simulated second of a running pump (1000 lockstep ticks)
//!   against the board image in QEMU; real-time factor = 1 s / this time. Skipped (said so)
//!   without `qemu-system-arm` or the image.
//!
//! `cargo bench -p pumprig --bench serial_link`.

#[path = "../tests/support/virtual_board.rs"]
mod virtual_board;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use pumprig::controller::serial::{SerialOptions, qemu_binary};
use pumprig::controller::{Controller, SensorFrame, SerialController};
use pumprig::runner::{self, NoSink};
use pumprig::scenario;
use pumprig_link::{Actuator, Frame, MAX_FRAME_LEN, Message, Sensor, StreamDecoder, encode};

fn pty_round_trip(c: &mut Criterion) {
    let (port, name, board) = virtual_board::spawn(virtual_board::Faults {
        echo: true,
        ..Default::default()
    });
    let mut ctl = SerialController::connect(port, &name, SerialOptions::new(1000)).unwrap();
    let mut k = 0u64;
    c.bench_function("serial/pty round trip, echo board", |b| {
        b.iter(|| {
            k += 1;
            let frame = SensorFrame {
                time_ns: k * 1_000_000,
                pressure_counts: 248 + (k % 1500) as u16,
                buttons: 0,
                supply_mv: 12_000,
            };
            black_box(ctl.step(&frame).unwrap())
        })
    });
    // The rig's own cost, free of the wait for the board and of other processes on the machine:
    // the CPU time the calling thread ran (user and kernel: encode, write, poll, read, decode)
    // per round trip, from the scheduler's account (/proc/thread-self/schedstat, ns).
    if thread_cpu_ns().is_some() {
        c.bench_function("serial/pty round trip, rig thread CPU time", |b| {
            b.iter_custom(|iters| {
                let start = thread_cpu_ns().unwrap_or(0);
                for _ in 0..iters {
                    k += 1;
                    let frame = SensorFrame {
                        time_ns: k * 1_000_000,
                        pressure_counts: 248 + (k % 1500) as u16,
                        buttons: 0,
                        supply_mv: 12_000,
                    };
                    black_box(ctl.step(&frame).unwrap());
                }
                Duration::from_nanos(thread_cpu_ns().unwrap_or(0).saturating_sub(start))
            })
        });
    }
    let h = ctl.health();
    eprintln!(
        "pty round trip percentiles over {} exchanges: p50 {} µs, p90 {} µs, p99 {} µs, max {} µs; \
         resends {}",
        h.round_trip_us.count,
        h.round_trip_us.p50,
        h.round_trip_us.p90,
        h.round_trip_us.p99,
        h.round_trip_us.max,
        h.resends
    );
    drop(ctl);
    board.finish();
}

/// CPU time this thread has run, ns (Linux schedstat), or `None` elsewhere.
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn frame_work(c: &mut Criterion) {
    // A typical Actuator on the wire, as the board sends it.
    let mut actuator_wire = [0u8; MAX_FRAME_LEN];
    let an = encode(
        &Frame::new(
            123_456,
            123_456_000_000,
            Message::Actuator(Actuator {
                motor_duty_permille: 650,
                valve_open: false,
                state: 2,
                cycle_phase: 1,
                fault: 0,
                target_vacuum_dmmhg: 1900,
                measured_vacuum_dmmhg: 1875,
                level_vacuum_mmhg: 190,
                cycles_per_min: 54,
            }),
        ),
        &mut actuator_wire,
    )
    .unwrap();
    let mut rx: StreamDecoder = StreamDecoder::new();
    let mut seq = 0u32;
    c.bench_function(
        "serial/rig frame work (encode Sensor + decode Actuator)",
        |b| {
            b.iter(|| {
                seq = seq.wrapping_add(1);
                let mut wire = [0u8; MAX_FRAME_LEN];
                let n = encode(
                    &Frame::new(
                        seq,
                        u64::from(seq) * 1_000_000,
                        Message::Sensor(Sensor {
                            pressure_counts: 1234,
                            buttons: 0,
                            supply_mv: 12_000,
                        }),
                    ),
                    &mut wire,
                )
                .unwrap();
                black_box(&wire[..n]);
                black_box(rx.feed(black_box(&actuator_wire[..an])).next())
            })
        },
    );
}

fn board_image() -> Option<PathBuf> {
    let elf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../boards/lm3s6965/target/thumbv7m-none-eabi/release/pumprig-board-lm3s6965");
    let qemu = std::process::Command::new(qemu_binary())
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    match (qemu, elf.is_file()) {
        (true, true) => Some(elf),
        (false, _) => {
            eprintln!("SKIPPED serial/qemu: qemu-system-arm not found (or PUMPRIG_QEMU)");
            None
        }
        (_, false) => {
            eprintln!(
                "SKIPPED serial/qemu: board image not built ({})",
                elf.display()
            );
            None
        }
    }
}

fn qemu_lockstep(c: &mut Criterion) {
    let Some(elf) = board_image() else {
        return;
    };
    // One simulated second of double pumping, POWER pressed at the start: the board runs its
    // vacuum loop on every tick, as in a session.
    let sc = scenario::load_str(
        Path::new("qemu-bench.toml"),
        "name = \"qemu-bench\"\nduration_s = 1.0\n[plant.kit]\nshields = 2\n\
         [[events]]\nat_s = 0.0\npress = \"power\"\n",
    )
    .unwrap();
    let mut ctl = SerialController::launch_qemu(&elf, SerialOptions::new(1000)).unwrap();
    let mut g = c.benchmark_group("serial/qemu");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("1 s at 1 kHz, lockstep", |b| {
        b.iter(|| black_box(runner::run(&sc, &mut ctl, &mut NoSink).unwrap().ticks))
    });
    g.finish();
    let h = ctl.health();
    eprintln!(
        "qemu round trip percentiles over {} ticks: p50 {} µs, p90 {} µs, p99 {} µs, max {} µs; \
         resends {}",
        h.round_trip_us.count,
        h.round_trip_us.p50,
        h.round_trip_us.p90,
        h.round_trip_us.p99,
        h.round_trip_us.max,
        h.resends
    );
}

criterion_group!(benches, frame_work, pty_round_trip, qemu_lockstep);
criterion_main!(benches);
