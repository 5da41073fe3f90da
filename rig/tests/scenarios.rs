//! Closed-loop acceptance: every shipped scenario passes its own checks with the reference
//! firmware, and the pump envelope covers CALIBRATION S3–S5 with the acceptance band of cleared
//! devices (±20 mmHg, ±5 cycles/min).

use std::path::Path;

use pumprig::controller::ReferenceController;
use pumprig::course;
use pumprig::runner::{self, NoSink, RunOutcome};
use pumprig::scenario::{self, LoadedScenario};

fn run(loaded: &LoadedScenario) -> RunOutcome {
    let mut ctl = ReferenceController::new(&loaded.scenario.controller.settings).unwrap();
    runner::run(loaded, &mut ctl, &mut NoSink).unwrap()
}

fn assert_all_pass(name: &str, out: &RunOutcome) {
    let failed: Vec<_> = out
        .metrics
        .checks
        .iter()
        .filter(|c| !c.pass)
        .map(|c| c.message.clone())
        .collect();
    assert!(failed.is_empty(), "{name}: {failed:#?}");
    assert!(!out.metrics.checks.is_empty(), "{name} has no checks");
}

#[test]
fn every_shipped_scenario_passes_its_checks() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "toml") {
            let loaded = scenario::load(&p).unwrap();
            if loaded.scenario.course.is_none() {
                assert_all_pass(&p.display().to_string(), &run(&loaded));
                n += 1;
            }
        }
    }
    assert!(n >= 7, "expected the seven foundation scenarios, found {n}");
}

/// Every shipped course passes its own course checks and every session its scenario's checks
/// (courses run in parallel: each is weeks of sessions with the firmware in the loop).
#[test]
fn every_shipped_course_passes_its_checks() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let courses: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| (p.clone(), scenario::load(&p).unwrap()))
        .filter(|(_, l)| l.scenario.course.is_some())
        .collect();
    assert!(
        courses.len() >= 3,
        "expected the relactation courses, found {}",
        courses.len()
    );
    std::thread::scope(|s| {
        for (p, loaded) in &courses {
            s.spawn(move || {
                let spec = loaded.scenario.course.as_ref().unwrap();
                let run = course::run_course(loaded, spec, |_| {}).unwrap();
                let failed: Vec<_> = course::judge(&run, spec)
                    .into_iter()
                    .filter(|c| !c.pass)
                    .map(|c| c.message)
                    .collect();
                assert!(failed.is_empty(), "{}: {failed:#?}", p.display());
                assert!(
                    run.sessions.iter().all(|s| s.checks_failed == 0),
                    "{}",
                    p.display()
                );
                assert!(
                    !spec.checks.is_empty(),
                    "{} has no course checks",
                    p.display()
                );
            });
        }
    });
}

/// A one-phase session at a setting, with the S5 acceptance checks at both nipples.
fn envelope_case(phase: &str, cpm: u32, vacuum: u32, shields: u8) -> LoadedScenario {
    let right = if shields > 1 {
        format!(
            r#"
[[checks]]
name = "peak right"
metric = "peak_vacuum"
at = "right_nipple"
window_s = [5.0, 29.0]
min = {lo}
max = {hi}
unit = "mmHg"
"#,
            lo = vacuum as f64 - 20.0,
            hi = vacuum as f64 + 20.0
        )
    } else {
        String::new()
    };
    let (stim_max, start) = if phase == "stimulation" {
        (0, "stimulation")
    } else {
        (120, "expression")
    };
    let text = format!(
        r#"name = "envelope"
duration_s = 30.0
[plant.kit]
shields = {shields}
[controller.settings.{phase}]
cycles_per_min = {cpm}
vacuum_mmhg = {vacuum}
[controller.settings.program]
start_phase = "{start}"
stimulation_max_s = {stim_max}
[[events]]
at_s = 0.1
press = "power"
[[checks]]
name = "peak left"
metric = "peak_vacuum"
at = "left_nipple"
window_s = [5.0, 29.0]
min = {lo}
max = {hi}
unit = "mmHg"
[[checks]]
name = "rate"
metric = "cycle_rate"
at = "left_nipple"
window_s = [5.0, 29.0]
min = {rlo}
max = {rhi}
unit = "cycles/min"
{right}"#,
        lo = vacuum as f64 - 20.0,
        hi = vacuum as f64 + 20.0,
        rlo = cpm as f64 - 5.0,
        rhi = cpm as f64 + 5.0,
    );
    scenario::load_str(Path::new("envelope.toml"), &text).unwrap()
}

#[test]
fn the_pump_covers_the_commercial_envelope_within_the_acceptance_band() {
    // S3: stimulation 60–120 cycles/min, expression 10–70; S4: up to 250 mmHg; S5: ±20 mmHg, ±5 cpm.
    for (phase, cpm, vacuum) in [
        ("stimulation", 120, 60),
        ("stimulation", 120, 120),
        ("stimulation", 60, 100),
        ("expression", 70, 150),
        ("expression", 54, 190),
        ("expression", 30, 250),
        ("expression", 10, 250),
    ] {
        for shields in [1, 2] {
            let loaded = envelope_case(phase, cpm, vacuum, shields);
            assert_all_pass(
                &format!("{phase} {cpm} cpm {vacuum} mmHg, {shields} shield(s)"),
                &run(&loaded),
            );
        }
    }
}

fn short_expression(hold_ms: u32) -> LoadedScenario {
    let text = format!(
        r#"name = "press"
duration_s = 5.0
[controller.settings.program]
start_phase = "expression"
[[events]]
at_s = 0.1
press = "power"
hold_ms = {hold_ms}
[[checks]]
name = "pumps"
metric = "cycle_count"
at = "left_nipple"
min = 3.0
unit = "cycles"
"#
    );
    scenario::load_str(Path::new("press.toml"), &text).unwrap()
}

#[test]
fn a_press_held_exactly_the_debounce_time_registers() {
    let debounce = u32::from(pumprig_firmware::DEBOUNCE_MS);
    assert_all_pass("hold = debounce", &run(&short_expression(debounce)));
}

#[test]
fn streamed_motor_energy_equals_the_plants_own_ledger() {
    let loaded =
        scenario::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/quickstart.toml"))
            .unwrap();
    let out = run(&loaded);
    let streamed = out.metrics.summary["motor_energy_j"];
    assert!(
        out.plant_motor_energy_j > 100.0,
        "a 4-minute session draws real energy"
    );
    let rel = (streamed - out.plant_motor_energy_j).abs() / out.plant_motor_energy_j;
    assert!(
        rel < 1e-9,
        "metrics {streamed} J vs plant {} J",
        out.plant_motor_energy_j
    );
}

/// Summary metric of a run of `text` (a scenario), by key.
fn summary_of(text: &str, key: &str) -> f64 {
    let loaded = scenario::load_str(Path::new("direction.toml"), text).unwrap();
    let out = run(&loaded);
    *out.metrics
        .summary
        .get(key)
        .unwrap_or_else(|| panic!("no {key} in {:?}", out.metrics.summary.keys()))
}

fn expression_text(extra: &str) -> String {
    format!(
        r#"name = "direction"
duration_s = 40.0
[plant.kit]
shields = 1
{extra}
[controller.settings.program]
start_phase = "expression"
[[events]]
at_s = 0.1
press = "power"
"#
    )
}

#[test]
fn a_leak_costs_motor_power_and_shows_as_leak_flow() {
    let sealed = expression_text("");
    let leaky = expression_text("[plant.left]\nkit_leak_area_mm2 = 0.3\n");
    assert!(
        summary_of(&leaky, "mean_motor_power_w") > 1.1 * summary_of(&sealed, "mean_motor_power_w")
    );
    assert!(
        summary_of(&leaky, "leak_flow_mean_ml_min")
            > 100.0 * summary_of(&sealed, "leak_flow_mean_ml_min").max(0.01)
    );
    // The loop compensates: the nipple still gets its vacuum.
    let peak = summary_of(&leaky, "peak_vacuum_mean_mmhg_left_nipple");
    assert!((peak - 190.0).abs() < 20.0, "{peak}");
}

#[test]
fn an_oversized_tunnel_leaks_more_than_a_fitting_one() {
    let fitting = expression_text(
        "[plant.left]\ntunnel_diameter_mm = 24.0\nnipple_base_diameter_mm = 19.0\n",
    );
    let oversized = expression_text(
        "[plant.left]\ntunnel_diameter_mm = 36.0\nnipple_base_diameter_mm = 19.0\n",
    );
    let (a, b) = (
        summary_of(&fitting, "leak_flow_mean_ml_min"),
        summary_of(&oversized, "leak_flow_mean_ml_min"),
    );
    assert!(
        b > 10.0 * a.max(0.1),
        "fitting {a} mL/min, oversized {b} mL/min"
    );
}

#[test]
fn a_reading_stuck_during_stimulation_trips_the_supervisor_and_vents_the_kit() {
    let text = r#"name = "stuck-stim"
duration_s = 20.0
[controller.settings.program]
stimulation_max_s = 0
[[events]]
at_s = 0.1
press = "power"
[[events]]
at_s = 10.0
sensor_fault = "stuck"
[[checks]]
name = "caught"
metric = "fault_latency"
max = 1500.0
unit = "ms"
[[checks]]
name = "vented"
metric = "release_time"
at = "left_nipple"
window_s = [9.0, 20.0]
max = 500.0
unit = "ms"
"#;
    let loaded = scenario::load_str(Path::new("stuck-stim.toml"), text).unwrap();
    assert_all_pass("stuck in stimulation", &run(&loaded));
}
