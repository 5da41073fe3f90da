//! Golden baselines as a user meets them: `pumprig baseline save`, a scenario's `[baseline]`, and
//! the issue's done-criterion — a baseline check passes on a re-run and fails when a firmware
//! change moves the curve beyond tolerance, naming the signal, with exit code 1 and an overlay
//! plot. The firmware change is the example C firmware rebuilt with `-DPUMP_KP_PERCENT=50` (its
//! proportional gain halved): the scenario file stays byte for byte the same, as in a CI job
//! that holds a new firmware build to the committed baseline. Without a C compiler that test says
//! it skipped; the same criterion with the reference firmware (a changed setting) always runs.

#[path = "support/cli.rs"]
mod cli;
use cli::{pumprig, s, scratch};
#[path = "support/c_firmware.rs"]
mod c_firmware;
use c_firmware::{build_example, c_compiler};

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

/// A 30-s copy of the quickstart (stimulation for 10 s, then expression, stop at 28 s), with
/// `CONTROLLER` to fill in.
const SESSION: &str = r#"name = "golden"
duration_s = 30.0
seed = 1

[plant.kit]
shields = 2

[controller]
kind = "CONTROLLER"

[controller.settings.stimulation]
cycles_per_min = 110
vacuum_mmhg = 80

[controller.settings.expression]
cycles_per_min = 54
vacuum_mmhg = 190

[controller.settings.program]
stimulation_max_s = 10

[[events]]
at_s = 0.5
press = "power"

[[events]]
at_s = 28.0
press = "power"

[[checks]]
name = "expression peak vacuum at the left nipple within ±20 mmHg of 190"
metric = "peak_vacuum"
at = "left_nipple"
window_s = [14.0, 27.0]
min = 170.0
max = 210.0
unit = "mmHg"
"#;

/// The tolerances a firmware engineer would start from: a few mmHg and 5 % on the nipple
/// vacuum with 20 ms of lag, the motor duty within 2 points, the valve exact.
const BASELINE: &str = r#"
[baseline]
dir = "baselines/golden"

[baseline.signals.vacuum_left_nipple_mmhg]
abs = 3.0
rel = 0.05
lag_ms = 20

[baseline.signals.motor_duty_pct]
abs = 2.0

[baseline.signals.valve_open]
hold = true
"#;

fn session(controller: &str) -> String {
    SESSION.replace("CONTROLLER", controller)
}

/// Runs the scenario text (written to `dir/NAME.toml`) into `dir/runs/OUT`.
fn run(dir: &Path, name: &str, text: &str, out: &str) -> (Output, PathBuf) {
    let file = dir.join(format!("{name}.toml"));
    fs::write(&file, text).unwrap();
    let out = dir.join("runs").join(out);
    (pumprig(&["run", s(&file), "--out", s(&out)]), out)
}

/// Saves `run` as `dir/baselines/golden`, checking what is kept.
fn save(dir: &Path, run: &Path) -> PathBuf {
    let golden = dir.join("baselines/golden");
    let o = pumprig(&["baseline", "save", s(run), s(&golden)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("saved baseline"), "{}", stdout(&o));
    let mut files: Vec<String> = fs::read_dir(&golden)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["manifest.json", "record.json", "timeseries.csv"]);
    assert_eq!(
        fs::read(golden.join("timeseries.csv")).unwrap(),
        fs::read(run.join("timeseries.csv")).unwrap(),
        "the curves are kept as they are"
    );
    golden
}

/// Checks a run that stayed in its baseline band, returns its `baseline.json`.
fn assert_passed(o: &Output, out: &Path) -> String {
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(o), stderr(o));
    let text = stdout(o);
    for signal in ["vacuum_left_nipple_mmhg", "motor_duty_pct", "valve_open"] {
        assert!(
            text.contains(&format!("PASS {signal} within the baseline band")),
            "{text}"
        );
    }
    let result = json(&out.join("baseline.json"));
    assert_eq!(result["pass"], true);
    assert_eq!(result["baseline_dir"], "baselines/golden");
    assert_eq!(result["signals"].as_array().unwrap().len(), 3);
    let record = json(&out.join("record.json"));
    assert_eq!(record["passed"], true);
    assert_eq!(
        record["baseline"], result,
        "record.json holds the same result"
    );
    fs::read_to_string(out.join("baseline.json")).unwrap()
}

/// Checks a run that left its band on the nipple vacuum.
fn assert_failed_on_vacuum(o: &Output, out: &Path) {
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(o), stderr(o));
    let text = stdout(o);
    let line = text
        .lines()
        .find(|l| l.starts_with("FAIL vacuum_left_nipple_mmhg left the baseline band at t = "))
        .unwrap_or_else(|| panic!("no failure line for the vacuum:\n{text}"));
    // "… by 18.3 mmHg (run 55.0, baseline 77.1 ± 3.9; band …)": where, by how much, the values.
    for part in [" s by ", " mmHg (run ", ", baseline ", " ± "] {
        assert!(line.contains(part), "{line}");
    }
    assert!(text.contains("PASS valve_open"), "{text}");
    let result = json(&out.join("baseline.json"));
    assert_eq!(result["pass"], false);
    let vacuum = result["signals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["signal"] == "vacuum_left_nipple_mmhg")
        .unwrap()
        .clone();
    assert_eq!(vacuum["pass"], false);
    let excess = vacuum["max_excess"].as_f64().unwrap();
    let (run, base, tol) = (
        vacuum["run"].as_f64().unwrap(),
        vacuum["baseline"].as_f64().unwrap(),
        vacuum["tolerance"].as_f64().unwrap(),
    );
    assert!(excess > 1.0, "{vacuum}");
    // Outside baseline ± tolerance at least by the excess (the lag only widens the band).
    assert!((run - base).abs() - tol >= excess - 1e-9, "{vacuum}");
    assert!(vacuum["at_s"].as_f64().unwrap() > 0.0);
    assert_eq!(vacuum["plot"], "baseline-vacuum_left_nipple_mmhg.svg");
    for ext in ["png", "svg"] {
        let plot = out.join(format!("baseline-vacuum_left_nipple_mmhg.{ext}"));
        assert!(fs::metadata(&plot).unwrap().len() > 10_000, "{plot:?}");
    }
    let record = json(&out.join("record.json"));
    assert_eq!(record["passed"], false);
    assert_eq!(record["baseline"]["pass"], false);
    let junit = fs::read_to_string(out.join("junit.xml")).unwrap();
    assert!(
        junit.contains(r#"<testcase name="baseline: vacuum_left_nipple_mmhg" classname="golden">"#),
        "{junit}"
    );
    assert!(junit.contains("left the baseline band at t = "), "{junit}");
    assert!(junit.contains(r#"<testcase name="baseline: valve_open" classname="golden"/>"#));
}

#[test]
fn a_firmware_change_fails_the_baseline_and_a_rerun_passes() {
    let Some(cc) = c_compiler() else {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED rig/tests/baseline.rs a_firmware_change_fails_the_baseline_and_a_rerun_passes: \
             no C compiler (set CC or install cc)"
        );
        return;
    };
    let dir = scratch("c-firmware");
    let release = dir.join("libpump.so");
    build_example(&cc, &[], &release);
    // The release firmware's run becomes the baseline.
    let (o, first) = run(
        &dir,
        "golden",
        &session(&format!("cabi:{}", release.display())),
        "first",
    );
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    save(&dir, &first);
    // The scenario names it; the same firmware passes, twice, with the same result.
    let with_baseline = session("cabi:FIRMWARE") + BASELINE;
    let scenario = |lib: &Path| with_baseline.replace("FIRMWARE", s(lib));
    let (o, again) = run(&dir, "golden", &scenario(&release), "again");
    let result = assert_passed(&o, &again);
    let (o, third) = run(&dir, "golden", &scenario(&release), "third");
    assert_eq!(
        assert_passed(&o, &third),
        result,
        "a re-run gives the same result"
    );
    // A new firmware build with half the proportional gain in place of the old one, the
    // scenario unchanged: the vacuum leaves the band.
    build_example(&cc, &["-DPUMP_KP_PERCENT=50"], &release);
    let (o, regressed) = run(&dir, "golden", &scenario(&release), "regressed");
    assert_failed_on_vacuum(&o, &regressed);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_changed_reference_firmware_setting_fails_the_baseline() {
    let dir = scratch("reference");
    let (o, first) = run(&dir, "golden", &session("reference"), "first");
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    save(&dir, &first);
    let with_baseline = session("reference") + BASELINE;
    let (o, again) = run(&dir, "golden", &with_baseline, "again");
    assert_passed(&o, &again);
    // The loop without its lead prediction overshoots at every pull.
    let no_lead = with_baseline.clone() + "\n[controller.settings.control]\nlead_ms = 0\n";
    let (o, regressed) = run(&dir, "golden", &no_lead, "regressed");
    assert_failed_on_vacuum(&o, &regressed);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_sweep_compares_every_case_and_keeps_its_curves() {
    let dir = scratch("sweep");
    let (o, first) = run(&dir, "golden", &session("reference"), "first");
    assert!(o.status.success(), "{}", stderr(&o));
    save(&dir, &first);
    let text = session("reference")
        + BASELINE
        + "\n[sweep]\n\"controller.settings.control.lead_ms\" = [25, 0]\n";
    let file = dir.join("sweep.toml");
    fs::write(&file, text).unwrap();
    let out = dir.join("sweep");
    let o = pumprig(&["sweep", s(&file), "--out", s(&out), "--jobs", "2"]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let summary = fs::read_to_string(out.join("summary.csv")).unwrap();
    let mut rows = summary.lines().skip(1);
    assert!(rows.next().unwrap().contains(",pass,"), "{summary}");
    assert!(rows.next().unwrap().contains(",fail,"), "{summary}");
    assert!(
        stdout(&o).contains("vacuum_left_nipple_mmhg left the baseline band"),
        "{}",
        stdout(&o)
    );
    for case in fs::read_dir(out.join("cases")).unwrap() {
        let case = case.unwrap().path();
        // No --timeseries, but a baseline needs the curves: kept, with the result.
        assert!(case.join("timeseries.csv").is_file(), "{case:?}");
        let result = json(&case.join("baseline.json"));
        // Without --plots only the failed signals get an overlay.
        let plots = result["signals"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| !s["plot"].is_null())
            .count();
        let failed = result["signals"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["pass"] == false)
            .count();
        assert_eq!(plots, failed, "{result}");
    }
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn saving_is_deterministic_and_refuses_what_is_not_a_run() {
    let dir = scratch("save");
    let (o, first) = run(&dir, "golden", &session("reference"), "first");
    assert!(o.status.success(), "{}", stderr(&o));
    let golden = save(&dir, &first);
    let bytes = |d: &Path| {
        ["manifest.json", "record.json", "timeseries.csv"].map(|f| fs::read(d.join(f)).unwrap())
    };
    let before = bytes(&golden);
    // Saved again (replacing it): the same bytes, no date.
    save(&dir, &first);
    assert_eq!(bytes(&golden), before);
    let manifest = json(&golden.join("manifest.json"));
    assert_eq!(manifest["scenario"], "golden");
    assert_eq!(manifest["controller"]["name"], "pumprig-reference");
    assert!(manifest["controller"]["build_id"].is_string());
    assert_eq!(manifest["span_s"], serde_json::json!([0.0, 29.99]));
    assert_eq!(manifest["rows"], 3000);

    let refused = |args: &[&str], needle: &str| {
        let o = pumprig(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
    };
    let target = dir.join("nothing-here");
    // Not a directory, not a run directory, a run without curves.
    refused(
        &["baseline", "save", s(&dir.join("nope")), s(&target)],
        "is not a run directory",
    );
    let not_a_run = dir.join("not-a-run");
    fs::create_dir_all(&not_a_run).unwrap();
    refused(
        &["baseline", "save", s(&not_a_run), s(&target)],
        "has no record.json",
    );
    let record_only = dir.join("record-only");
    fs::create_dir_all(&record_only).unwrap();
    fs::copy(first.join("record.json"), record_only.join("record.json")).unwrap();
    refused(
        &["baseline", "save", s(&record_only), s(&target)],
        "has no timeseries.csv",
    );
    assert!(!target.exists(), "nothing written");
    // A directory of something else is not replaced.
    let docs = dir.join("docs");
    fs::create_dir_all(&docs).unwrap();
    fs::write(docs.join("keep.md"), "mine").unwrap();
    refused(
        &["baseline", "save", s(&first), s(&docs)],
        "exists and is not a baseline",
    );
    assert_eq!(fs::read_to_string(docs.join("keep.md")).unwrap(), "mine");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_bad_baseline_table_is_bad_input_naming_the_key() {
    let dir = scratch("bad");
    let (o, first) = run(&dir, "golden", &session("reference"), "first");
    assert!(o.status.success(), "{}", stderr(&o));
    save(&dir, &first);
    let file = dir.join("bad.toml");
    let check = |baseline: &str, needles: &[&str]| {
        fs::write(&file, session("reference") + baseline).unwrap();
        let o = pumprig(&["check", s(&file)]);
        assert_eq!(o.status.code(), Some(2), "{baseline}: {}", stdout(&o));
        for n in needles {
            assert!(
                stderr(&o).contains(n),
                "{baseline}: missing {n:?} in {}",
                stderr(&o)
            );
        }
        // `run` refuses it too, writing nothing.
        let out = dir.join("never");
        let o = pumprig(&["run", s(&file), "--out", s(&out)]);
        assert_eq!(o.status.code(), Some(2));
        assert!(!out.exists());
    };
    check(
        "[baseline]\ndir = \"baselines/golden\"\n[baseline.signals.vacuum_left_nippel_mmhg]\nabs = 3.0\n",
        &[
            "`baseline.signals.vacuum_left_nippel_mmhg`",
            "is not a column of timeseries.csv",
            "vacuum_left_nipple_mmhg, vacuum_right_nipple_mmhg",
        ],
    );
    check(
        "[baseline]\ndir = \"baselines/golden\"\n[baseline.signals.motor_duty_pct]\nabs = -2.0\n",
        &[
            "bad.toml:",
            "`baseline.signals.motor_duty_pct.abs` = -2.0",
            "0 or more",
        ],
    );
    check(
        "[baseline]\ndir = \"baselines/golden\"\n[baseline.signals.motor_duty_pct]\nlag_ms = 40000\n",
        &[
            "`baseline.signals.motor_duty_pct.lag_ms` = 40000",
            "shorter than the run",
        ],
    );
    check(
        "[baseline]\ndir = \"baselines/missing\"\n[baseline.signals.motor_duty_pct]\nabs = 2\n",
        &[
            "`baseline.dir` = \"baselines/missing\"",
            "no baseline directory at",
            "baselines/missing",
        ],
    );
    check(
        "[baseline]\ndir = \"baselines/golden\"\n[baseline.signals.motor_duty_pct]\nabsolute = 2\n",
        &["unknown key", "absolute"],
    );
    check(
        "[baseline]\ndir = \"baselines/golden\"\nsignals = {}\n",
        &["`baseline.signals`", "at least one signal"],
    );
    fs::remove_dir_all(&dir).unwrap();
}

/// A C firmware's own telemetry (`fw_` columns) is a signal like the rig's: its integral term
/// stays on its baseline with the same build and leaves it with half the proportional gain.
#[test]
fn a_firmware_telemetry_column_can_be_held_to_its_baseline() {
    let Some(cc) = c_compiler() else {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED rig/tests/baseline.rs a_firmware_telemetry_column_can_be_held_to_its_baseline: \
             no C compiler (set CC or install cc)"
        );
        return;
    };
    let dir = scratch("fw-telemetry");
    let lib = dir.join("libpump.so");
    build_example(&cc, &[], &lib);
    let controller = format!("cabi:{}", lib.display());
    let (o, first) = run(&dir, "golden", &session(&controller), "first");
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    save(&dir, &first);
    let scenario = session(&controller)
        + r#"
[baseline]
dir = "baselines/golden"
[baseline.signals.fw_integral_duty_permille]
abs = 5.0
"#;
    let (o, again) = run(&dir, "golden", &scenario, "again");
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(
        again
            .join("baseline-fw_integral_duty_permille.svg")
            .is_file()
    );
    build_example(&cc, &["-DPUMP_KP_PERCENT=50"], &lib);
    let (o, changed) = run(&dir, "golden", &scenario, "changed");
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("FAIL fw_integral_duty_permille left the baseline band"),
        "{}",
        stdout(&o)
    );
    let result = json(&changed.join("baseline.json"));
    assert_eq!(result["signals"][0]["signal"], "fw_integral_duty_permille");
    assert_eq!(result["signals"][0]["pass"], false);
    fs::remove_dir_all(&dir).unwrap();
}
