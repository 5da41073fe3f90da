//! The C ABI adapter with the example C firmware (examples/c-firmware), built here with the
//! machine's C compiler (`$CC`, else `cc`): it passes the scenario's checks, a wrong ABI version,
//! struct size or a missing symbol is refused with a clear error, and instances never share the
//! firmware's statics; a crash in the firmware (run in a child process by default) fails only its
//! run, naming the signal, and the isolated and in-process adapters give identical runs. Without a
//! C compiler every test says what it skipped and passes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

#[path = "support/c_firmware.rs"]
mod c_firmware;
use c_firmware::{build_example, c_compiler};
#[path = "support/csv.rs"]
mod csv;
use csv::column;

use pumprig::controller::{
    ActuatorFrame, CABI_VERSION, CabiController, Controller, ControllerError, ControllerIdentity,
    FwActuator, IsolatedCabiController, SensorFrame, buttons, set_worker_exe,
};
use pumprig::runner::{self, RunOutcome, Sample};
use pumprig::scenario::{self, LoadedScenario};
use pumprig::session;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
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
    build_example(&cc, defines, &out);
    Some(Built(out))
}

fn c_firmware_scenario(lib: &Path) -> LoadedScenario {
    let mut loaded = scenario::load(&repo().join("scenarios/c-firmware.toml")).unwrap();
    assert!(loaded.scenario.controller.kind.starts_with("cabi:"));
    loaded.scenario.controller.kind = format!("cabi:{}", lib.display());
    // Isolated controllers run `pumprig __cabi-worker`; this test binary is not pumprig.
    set_worker_exe(env!("CARGO_BIN_EXE_pumprig"));
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

/// `pumprig run scenarios/quickstart.toml --controller cabi:LIB --out OUT`.
fn run_quickstart_with(lib: &Path, out: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pumprig"))
        .arg("run")
        .arg(repo().join("scenarios/quickstart.toml"))
        .arg("--controller")
        .arg(format!("cabi:{}", lib.display()))
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

#[test]
fn run_controller_flag_overrides_the_scenario_kind() {
    let Some(lib) = build("cli", &[]) else {
        return;
    };
    let out = std::env::temp_dir().join(format!("pumprig-cabi-cli-{}", std::process::id()));
    let o = run_quickstart_with(&lib, &out);
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

/// Runs `loaded` to its end or its first error (as one case of a sweep does).
fn try_run(loaded: &LoadedScenario) -> Result<RunOutcome, String> {
    let mut ctl = session::build_controller(loaded).map_err(|e| e.to_string())?;
    runner::run(loaded, &mut *ctl, &mut Vec::<Sample>::new()).map_err(|e| e.to_string())
}

#[test]
fn a_segfault_fails_its_run_naming_the_signal_and_the_next_run_still_passes() {
    let (Some(crash), Some(good)) = (
        build("segv", &["-DPUMP_CRASH_AT_TICK=500"]),
        build("after-segv", &[]),
    ) else {
        return;
    };
    // A sweep of two cases in one process: the first crashes, the second must still run.
    let e = try_run(&c_firmware_scenario(&crash)).expect_err("the crashing firmware's run failed");
    assert!(
        e.contains("C firmware crashed: killed by signal 11 (SIGSEGV)"),
        "{e}"
    );
    assert!(e.contains("t = 0.500 s"), "{e}");
    let out = try_run(&c_firmware_scenario(&good)).expect("the next run completes");
    assert!(
        out.metrics.checks.iter().all(|c| c.pass),
        "{:#?}",
        out.metrics.checks
    );
}

#[test]
fn an_abort_fails_its_run_naming_sigabrt() {
    let Some(lib) = build("abort", &["-DPUMP_ABORT_AT_TICK=1200"]) else {
        return;
    };
    let e = try_run(&c_firmware_scenario(&lib)).expect_err("the aborting firmware's run failed");
    assert!(e.contains("killed by signal 6 (SIGABRT)"), "{e}");
    assert!(e.contains("t = 1.200 s"), "{e}");
}

#[test]
fn a_crash_on_the_command_line_fails_that_run_with_exit_code_1() {
    let Some(lib) = build("cli-segv", &["-DPUMP_CRASH_AT_TICK=100"]) else {
        return;
    };
    let out = std::env::temp_dir().join(format!("pumprig-cabi-segv-{}", std::process::id()));
    let o = run_quickstart_with(&lib, &out);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("(SIGSEGV)") && err.contains("t = 0.100 s"),
        "{err}"
    );
    assert!(!out.exists());
}

/// Every actuator frame a controller returns.
struct Recording<C> {
    inner: C,
    frames: Vec<ActuatorFrame>,
}

impl<C: Controller> Controller for Recording<C> {
    fn identity(&self) -> ControllerIdentity {
        self.inner.identity()
    }
    fn step(&mut self, frame: &SensorFrame) -> Result<ActuatorFrame, ControllerError> {
        let a = self.inner.step(frame)?;
        self.frames.push(a);
        Ok(a)
    }
}

#[test]
fn isolated_and_in_process_runs_are_identical_every_tick() {
    let Some(lib) = build("isolated-vs-in-process", &[]) else {
        return;
    };
    let loaded = c_firmware_scenario(&lib);
    let settings = &loaded.scenario.controller.settings;
    let mut direct = Recording {
        inner: CabiController::load(&lib, settings).unwrap(),
        frames: Vec::new(),
    };
    let mut isolated = Recording {
        inner: IsolatedCabiController::spawn(&lib, settings).unwrap(),
        frames: Vec::new(),
    };
    assert_eq!(direct.identity(), isolated.identity());
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let out_a = runner::run(&loaded, &mut direct, &mut a).unwrap();
    let out_b = runner::run(&loaded, &mut isolated, &mut b).unwrap();
    assert_eq!(out_a.ticks, out_b.ticks);
    assert_eq!(direct.frames.len() as u64, out_a.ticks);
    assert!(direct.frames == isolated.frames, "actuator frames differ");
    assert!(a == b, "timeseries differ");

    // And through the scenario key, as a user selects it.
    let mut in_process = loaded.clone();
    in_process.scenario.controller.isolation = "in-process".into();
    let (_, via_key) = run(&in_process);
    assert!(via_key == a, "isolation = \"in-process\" differs");
}

#[test]
fn run_in_process_flag_selects_the_in_process_adapter() {
    let Some(lib) = build("cli-in-process", &["-DPUMP_CRASH_AT_TICK=100"]) else {
        return;
    };
    // In-process, the crash takes pumprig itself down with SIGSEGV (why isolation is the default).
    let out = std::env::temp_dir().join(format!("pumprig-cabi-inproc-{}", std::process::id()));
    let o = Command::new(env!("CARGO_BIN_EXE_pumprig"))
        .arg("run")
        .arg(repo().join("scenarios/quickstart.toml"))
        .arg("--controller")
        .arg(format!("cabi:{}", lib.display()))
        .arg("--in-process")
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), None, "pumprig was killed by a signal");
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(o.status.signal(), Some(11));
    }
    assert!(!out.exists());
}

#[test]
fn a_firmware_that_stops_answering_is_killed_by_the_watchdog() {
    let Some(lib) = build("hang", &["-DPUMP_HANG_AT_TICK=300"]) else {
        return;
    };
    let loaded = c_firmware_scenario(&lib);
    let mut ctl = IsolatedCabiController::spawn_with(
        Path::new(env!("CARGO_BIN_EXE_pumprig")),
        &lib,
        &loaded.scenario.controller.settings,
        std::time::Duration::from_millis(500),
    )
    .unwrap();
    // No timed assertion (shared machines): the watchdog's message proves it fired.
    let e = runner::run(&loaded, &mut ctl, &mut Vec::<Sample>::new())
        .expect_err("the hanging firmware's run failed")
        .to_string();
    assert!(e.contains("t = 0.300 s"), "{e}");
    assert!(
        e.contains("stopped answering") && e.contains("watchdog"),
        "{e}"
    );
}

/// The run's timeseries.csv as the rig writes it (with the firmware's `fw_` columns), in memory.
fn csv_of(loaded: &LoadedScenario, ctl: &mut dyn Controller) -> String {
    use pumprig::output::timeseries::CsvSink;
    let names = ctl.firmware_telemetry_names();
    let mut sink =
        CsvSink::with_firmware(Vec::new(), loaded.scenario.plant.kit.shields, &names).unwrap();
    runner::run(loaded, ctl, &mut sink).unwrap();
    String::from_utf8(sink.into_inner().unwrap()).unwrap()
}

#[test]
fn named_telemetry_is_recorded_as_fw_columns_of_the_same_tick() {
    let Some(lib) = build("telemetry", &[]) else {
        return;
    };
    let loaded = c_firmware_scenario(&lib);
    let settings = &loaded.scenario.controller.settings;
    let mut isolated = IsolatedCabiController::spawn(&lib, settings).unwrap();
    let names = [
        "predicted_vacuum_mmhg",
        "integral_duty_permille",
        "cycle_position_pct",
    ];
    assert_eq!(isolated.firmware_telemetry_names(), names);
    let csv = csv_of(&loaded, &mut isolated);
    let header = csv.lines().next().unwrap();
    assert!(
        header.ends_with(
            ",milk_ejections,fw_predicted_vacuum_mmhg,fw_integral_duty_permille,fw_cycle_position_pct"
        ),
        "{header}"
    );

    // The values are the firmware's state on the very tick of their row: the valve is shut
    // exactly while the cycle position is inside the phase's pull share.
    let state = column(&csv, "controller_state");
    let valve = column(&csv, "valve_open");
    let position = column(&csv, "fw_cycle_position_pct");
    let integral = column(&csv, "fw_integral_duty_permille");
    let predicted = column(&csv, "fw_predicted_vacuum_mmhg");
    let reading = column(&csv, "sensor_reading_mmhg");
    let (mut pulls, mut releases) = (0, 0);
    for k in 0..state.len() {
        let pull_pct = match state[k] as u8 {
            1 => f64::from(settings.stimulation.pull_percent),
            2 => f64::from(settings.expression.pull_percent),
            _ => {
                // Stopped: no cycle, and the loop acts on nothing but the reading.
                assert_eq!(position[k], 0.0, "row {k}");
                assert_eq!(predicted[k], reading[k], "row {k}");
                continue;
            }
        };
        assert!((0.0..100.0).contains(&position[k]), "row {k}");
        let pulling = position[k] < pull_pct;
        assert_eq!(
            valve[k] == 0.0,
            pulling,
            "row {k}: position {}",
            position[k]
        );
        if pulling {
            pulls += 1
        } else {
            releases += 1
        }
        let max = f64::from(settings.control.max_duty_permille);
        assert!((-max..=max).contains(&integral[k]), "row {k}");
    }
    assert!(
        pulls > 5000 && releases > 5000,
        "{pulls} pulls, {releases} releases"
    );
    // The integral term builds up in expression (190 mmHg) beyond stimulation's (80 mmHg).
    let peak = |s: u8| {
        (0..state.len())
            .filter(|&k| state[k] as u8 == s)
            .map(|k| integral[k])
            .fold(f64::MIN, f64::max)
    };
    assert!(
        peak(2) > peak(1) && peak(1) > 0.0,
        "{} vs {}",
        peak(2),
        peak(1)
    );

    // In-process gives the same bytes; a build without telemetry the same run minus fw_ columns.
    let mut direct = CabiController::load(&lib, settings).unwrap();
    assert_eq!(csv_of(&loaded, &mut direct), csv);
    let Some(plain) = build("no-telemetry", &["-DPUMPRIG_TEST_OMIT_TELEMETRY"]) else {
        return;
    };
    let mut plain = CabiController::load(&plain, settings).unwrap();
    assert!(plain.firmware_telemetry_names().is_empty());
    let without: String = csv
        .lines()
        .map(|l| {
            let fields: Vec<&str> = l.split(',').collect();
            fields[..fields.len() - 3].join(",") + "\n"
        })
        .collect();
    assert_eq!(csv_of(&loaded, &mut plain), without);
}

#[test]
fn telemetry_shows_in_the_run_directory_and_its_record() {
    let Some(lib) = build("telemetry-dir", &[]) else {
        return;
    };
    let mut loaded = c_firmware_scenario(&lib);
    loaded.scenario.duration_s = 20.0;
    loaded.scenario.output.zoom_window_s = Some([10.0, 12.0]);
    loaded.scenario.checks.clear();
    let dir = std::env::temp_dir().join(format!("pumprig-cabi-telemetry-{}", std::process::id()));
    let finished = session::run_to_dir(&loaded, &dir).unwrap();
    let record = std::fs::read_to_string(finished.dir.join("record.json")).unwrap();
    let record: serde_json::Value = serde_json::from_str(&record).unwrap();
    assert_eq!(
        record["firmware_telemetry"],
        serde_json::json!([
            "fw_predicted_vacuum_mmhg",
            "fw_integral_duty_permille",
            "fw_cycle_position_pct"
        ])
    );
    let svg = std::fs::read_to_string(finished.dir.join("firmware.svg")).unwrap();
    for name in [
        "predicted_vacuum_mmhg",
        "integral_duty_permille",
        "cycle_position_pct",
    ] {
        assert!(svg.contains(name), "firmware.svg lacks {name}");
    }
    assert!(finished.dir.join("firmware.png").is_file());
    std::fs::remove_dir_all(&finished.dir).unwrap();
}

#[test]
fn a_bad_telemetry_name_is_refused_naming_it_and_its_index() {
    let Some(lib) = build(
        "bad-name",
        &["-DPUMPRIG_TEST_BAD_TELEMETRY_NAME=\"Pressure-kPa\""],
    ) else {
        return;
    };
    let e = load_err(&lib);
    assert!(
        e.contains("telemetry: pumprig_fw_telemetry_name(0) is \"Pressure-kPa\": must start with a lower-case letter"),
        "{e}"
    );
    let Some(dup) = build(
        "dup-name",
        &["-DPUMPRIG_TEST_BAD_TELEMETRY_NAME=\"cycle_position_pct\""],
    ) else {
        return;
    };
    let e = load_err(&dup);
    assert!(
        e.contains("pumprig_fw_telemetry_name(2) is \"cycle_position_pct\", as is pumprig_fw_telemetry_name(0): names must be unique"),
        "{e}"
    );
}

#[test]
fn a_partial_set_of_telemetry_functions_names_the_missing_one() {
    let Some(lib) = build("partial", &["-DPUMPRIG_TEST_OMIT_TELEMETRY_COUNT"]) else {
        return;
    };
    let e = load_err(&lib);
    assert!(
        e.contains("exports `pumprig_fw_telemetry_name` but not `pumprig_fw_telemetry_count`"),
        "{e}"
    );
}

#[test]
fn a_telemetry_count_above_the_maximum_is_refused() {
    let Some(lib) = build("count", &["-DPUMPRIG_TEST_TELEMETRY_COUNT=17u"]) else {
        return;
    };
    let e = load_err(&lib);
    assert!(
        e.contains("pumprig_fw_telemetry_count() is 17; at most PUMPRIG_FW_TELEMETRY_MAX = 16"),
        "{e}"
    );
}

#[test]
fn bad_telemetry_is_refused_the_same_way_through_the_isolating_worker() {
    let Some(lib) = build(
        "bad-name-isolated",
        &["-DPUMPRIG_TEST_BAD_TELEMETRY_NAME=\"p-kpa\""],
    ) else {
        return;
    };
    set_worker_exe(env!("CARGO_BIN_EXE_pumprig"));
    let settings = pumprig_firmware::Settings::default();
    let e = match IsolatedCabiController::spawn(&lib, &settings) {
        Ok(_) => panic!("loaded"),
        Err(e) => e.to_string(),
    };
    assert_eq!(e, load_err(&lib));
    assert!(
        e.contains("pumprig_fw_telemetry_name(0) is \"p-kpa\": character '-' not allowed"),
        "{e}"
    );
}
