//! Cost of one control step of the C ABI adapter: the example C firmware (examples/c-firmware,
//! built here with `$CC`, else `cc`) in-process and isolated in a `pumprig __cabi-worker` child
//! process, next to the reference firmware in-process; and what the optional named telemetry
//! costs (read every tick in-process; carried in every isolated reply, against a build without
//! it). Figures go into docs/firmware.md.
//!
//! `cargo bench -p pumprig --bench cabi_step`. Without a C compiler it says so and measures only
//! the reference firmware.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;

use criterion::{Criterion, criterion_group, criterion_main};
use pumprig::controller::{
    CabiController, Controller, DEFAULT_WATCHDOG, IsolatedCabiController, ReferenceController,
    SensorFrame, buttons,
};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Builds the example firmware with extra `-D` defines as `stem.so`; `None` (after saying why)
/// without a working C compiler.
fn build_example(stem: &str, defines: &[&str]) -> Option<PathBuf> {
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let words: Vec<&str> = cc.split_whitespace().collect();
    let (prog, args) = words.split_first()?;
    let dir = std::env::temp_dir().join(format!("pumprig-bench-cabi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let out = dir.join(format!("{stem}.so"));
    let src = repo().join("examples/c-firmware");
    let built = Command::new(prog)
        .args(args)
        .args(["-shared", "-fPIC", "-O2", "-std=c99"])
        .arg("-I")
        .arg(repo().join("rig/include"))
        .args(defines)
        .arg("-o")
        .arg(&out)
        .arg(src.join("pump.c"))
        .arg(src.join("hal_shim.c"))
        .output();
    match built {
        Ok(o) if o.status.success() => Some(out),
        Ok(o) => {
            eprintln!(
                "SKIPPED cabi_step C benchmarks: building the example failed:\n{}",
                String::from_utf8_lossy(&o.stderr)
            );
            None
        }
        Err(e) => {
            eprintln!("SKIPPED cabi_step C benchmarks: no C compiler `{cc}` ({e}); set CC");
            None
        }
    }
}

/// Steps `ctl` with a running pump: POWER held for the first 50 ticks, then a reading that climbs;
/// with `telemetry`, also reads the firmware's named values after every step.
fn bench_steps(c: &mut Criterion, name: &str, ctl: &mut dyn Controller, telemetry: bool) {
    let mut k = 0u64;
    c.bench_function(name, |b| {
        b.iter(|| {
            let frame = SensorFrame {
                time_ns: k * 1_000_000,
                pressure_counts: 248 + (k % 700) as u16,
                buttons: if k < 50 { buttons::POWER } else { 0 },
                supply_mv: 12_000,
            };
            k += 1;
            let out = ctl.step(black_box(&frame)).unwrap();
            if telemetry {
                black_box(ctl.firmware_telemetry());
            }
            black_box(out)
        })
    });
}

fn cabi_step(c: &mut Criterion) {
    let settings = pumprig_firmware::Settings::default();
    let mut reference = ReferenceController::new(&settings).unwrap();
    bench_steps(c, "step/reference_in_process", &mut reference, false);
    let Some(lib) = build_example("libpump", &[]) else {
        return;
    };
    let Some(plain) = build_example("libpump-plain", &["-DPUMPRIG_TEST_OMIT_TELEMETRY"]) else {
        return;
    };
    let mut in_process = CabiController::load(&lib, &settings).unwrap();
    bench_steps(c, "step/cabi_in_process", &mut in_process, false);
    bench_steps(c, "step/cabi_in_process_telemetry", &mut in_process, true);
    drop(in_process);
    let exe = Path::new(env!("CARGO_BIN_EXE_pumprig"));
    for (name, lib) in [
        ("step/cabi_isolated", &lib),
        ("step/cabi_isolated_no_telemetry", &plain),
    ] {
        let mut isolated =
            IsolatedCabiController::spawn_with(exe, lib, &settings, DEFAULT_WATCHDOG).unwrap();
        bench_steps(c, name, &mut isolated, false);
    }
    if let Some(dir) = lib.parent() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

criterion_group!(benches, cabi_step);
criterion_main!(benches);
