//! Closed-loop acceptance: every shipped scenario passes its own checks with the reference
//! firmware, and the pump envelope covers CALIBRATION S3–S5 with the acceptance band of cleared
//! devices (±20 mmHg, ±5 cycles/min).

use std::path::Path;

use pumprig::controller::ReferenceController;
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
            assert_all_pass(&p.display().to_string(), &run(&loaded));
            n += 1;
        }
    }
    assert!(n >= 7, "expected the seven foundation scenarios, found {n}");
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
