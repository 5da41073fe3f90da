//! The C ABI adapter with the example C firmware (examples/c-firmware), built here with the
//! machine's C compiler (`$CC`, else `cc`): it passes the scenario's checks, a wrong ABI version,
//! struct size or a missing symbol is refused with a clear error, and instances never share the
//! firmware's statics. Without a C compiler every test says what it skipped and passes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use pumprig::controller::{
    CABI_VERSION, CabiController, Controller, FwActuator, SensorFrame, buttons,
};
use pumprig::runner::{self, RunOutcome, Sample};
use pumprig::scenario::{self, LoadedScenario};
use pumprig::session;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The C compiler command (`$CC` may carry flags), if one runs.
fn c_compiler() -> Option<Vec<String>> {
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let words: Vec<String> = cc.split_whitespace().map(str::to_owned).collect();
    let (prog, args) = words.split_first()?;
    let ok = Command::new(prog)
        .args(args)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(words)
}

/// A library built for one test, deleted when the test ends.
struct Built(PathBuf);

impl std::ops::Deref for Built {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Built {
    fn drop(&mut self) {
        // Each build has its own directory, so tests running in parallel never remove a
        // directory another is about to write into.
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Builds the example firmware with extra `-D` defines into a fresh file; `None` (after saying
/// so) when there is no C compiler.
fn build(test: &str, defines: &[&str]) -> Option<Built> {
    static N: AtomicU32 = AtomicU32::new(0);
    let Some(cc) = c_compiler() else {
        // Straight to stderr, past the test harness's capture, so the skip is seen.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED rig/tests/cabi.rs {test}: no C compiler (set CC or install cc)"
        );
        return None;
    };
    let dir = std::env::temp_dir().join(format!(
        "pumprig-cabi-tests-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join(format!("{test}.so"));
    let src = repo().join("examples/c-firmware");
    let o = Command::new(&cc[0])
        .args(&cc[1..])
        .args(["-shared", "-fPIC", "-O2", "-std=c99", "-Wall"])
        .arg("-I")
        .arg(repo().join("rig/include"))
        .args(defines)
        .arg("-o")
        .arg(&out)
        .arg(src.join("pump.c"))
        .arg(src.join("hal_shim.c"))
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "building the C firmware failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    Some(Built(out))
}

fn c_firmware_scenario(lib: &Path) -> LoadedScenario {
    let mut loaded = scenario::load(&repo().join("scenarios/c-firmware.toml")).unwrap();
    assert!(loaded.scenario.controller.kind.starts_with("cabi:"));
    loaded.scenario.controller.kind = format!("cabi:{}", lib.display());
    loaded
}

fn run(loaded: &LoadedScenario) -> (RunOutcome, Vec<Sample>) {
    let mut ctl = session::build_controller(loaded).unwrap();
    let mut samples = Vec::new();
    let out = runner::run(loaded, &mut *ctl, &mut samples).unwrap();
    (out, samples)
}

fn load_err(lib: &Path) -> String {
    let settings = pumprig_firmware::Settings::default();
    match CabiController::load(lib, &settings) {
        Ok(_) => panic!("{} loaded", lib.display()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_c_example_passes_the_scenario_checks() {
    let Some(lib) = build("checks", &[]) else {
        return;
    };
    let loaded = c_firmware_scenario(&lib);
    let (out, _) = run(&loaded);
    let failed: Vec<_> = out.metrics.checks.iter().filter(|c| !c.pass).collect();
    assert!(failed.is_empty(), "{failed:#?}");
    assert_eq!(out.metrics.checks.len(), 8);
    let ctl = session::build_controller(&loaded).unwrap();
    let id = ctl.identity();
    assert_eq!(id.adapter, "cabi");
    assert_eq!(id.name, "pumprig-example-c-firmware");
    assert!(
        id.build_id.starts_with("example-c-firmware 0.1.0"),
        "{id:?}"
    );
}

#[test]
fn abi_version_mismatch_is_refused_naming_both_versions() {
    let Some(lib) = build("abi", &["-DPUMPRIG_TEST_ABI_VERSION=99u"]) else {
        return;
    };
    let e = load_err(&lib);
    assert!(e.contains("ABI version mismatch"), "{e}");
    assert!(
        e.contains(&format!("expects PUMPRIG_FW_ABI_VERSION {CABI_VERSION}")),
        "{e}"
    );
    assert!(e.contains("built for 99"), "{e}");
    assert!(e.contains(&lib.display().to_string()), "{e}");
}

#[test]
fn struct_size_mismatch_is_refused_naming_the_struct_and_both_sizes() {
    let Some(lib) = build("size", &["-DPUMPRIG_TEST_ACTUATOR_EXTRA_BYTES=4u"]) else {
        return;
    };
    let e = load_err(&lib);
    let rig = size_of::<FwActuator>();
    assert!(e.contains("struct size mismatch"), "{e}");
    assert!(
        e.contains(&format!(
            "sizeof(struct pumprig_fw_actuator) is {rig} bytes in the rig, {} in the library",
            rig + 4
        )),
        "{e}"
    );
}

#[test]
fn a_missing_symbol_is_named() {
    let Some(lib) = build("symbol", &["-DPUMPRIG_TEST_OMIT_BUILD_ID"]) else {
        return;
    };
    let e = load_err(&lib);
    assert!(e.contains("missing symbol `pumprig_fw_build_id`"), "{e}");
}

#[test]
fn two_instances_in_parallel_threads_match_one_at_a_time() {
    let Some(lib) = build("parallel", &[]) else {
        return;
    };
    let loaded = c_firmware_scenario(&lib);
    let (_, alone) = run(&loaded);
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| run(&loaded).1);
        let b = s.spawn(|| run(&loaded).1);
        (a.join().unwrap(), b.join().unwrap())
    });
    assert!(alone.len() > 1000);
    assert!(a == alone, "thread A differs from a run alone");
    assert!(b == alone, "thread B differs from a run alone");
}

#[test]
fn two_instances_stepped_in_turn_do_not_share_statics() {
    let Some(lib) = build("interleaved", &[]) else {
        return;
    };
    let settings = pumprig_firmware::Settings::default();
    let mut solo = CabiController::load(&lib, &settings).unwrap();
    let mut a = CabiController::load(&lib, &settings).unwrap();
    let mut b = CabiController::load(&lib, &settings).unwrap();
    // Power held for 50 ms, then a reading that climbs: the program and the loop both advance.
    for k in 0..5_000u64 {
        let frame = SensorFrame {
            time_ns: k * 1_000_000,
            pressure_counts: 248 + (k % 700) as u16,
            buttons: if k < 50 { buttons::POWER } else { 0 },
            supply_mv: 12_000,
        };
        let want = solo.step(&frame).unwrap();
        assert_eq!(a.step(&frame).unwrap(), want, "instance A at tick {k}");
        assert_eq!(b.step(&frame).unwrap(), want, "instance B at tick {k}");
    }
}

#[test]
fn run_controller_flag_overrides_the_scenario_kind() {
    let Some(lib) = build("cli", &[]) else {
        return;
    };
    let out = std::env::temp_dir().join(format!("pumprig-cabi-cli-{}", std::process::id()));
    let o = Command::new(env!("CARGO_BIN_EXE_pumprig"))
        .arg("run")
        .arg(repo().join("scenarios/quickstart.toml"))
        .arg("--controller")
        .arg(format!("cabi:{}", lib.display()))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let record = std::fs::read_to_string(out.join("record.json")).unwrap();
    assert!(record.contains("\"adapter\": \"cabi\""), "{record}");
    std::fs::remove_dir_all(&out).unwrap();

    let bad = Command::new(env!("CARGO_BIN_EXE_pumprig"))
        .arg("run")
        .arg(repo().join("scenarios/quickstart.toml"))
        .args(["--controller", "cabi:/nonexistent/libpump.so"])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("/nonexistent/libpump.so"), "{err}");
    assert!(!out.exists());
}
