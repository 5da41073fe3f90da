//! Loading scenarios: one test per class of error (asserting file, line and key), defaults,
//! resolution, the timeline, round trips.

use std::path::Path;

use pumprig_sim::{PlantFault, SensorFault, Side};

use super::*;
use crate::controller::buttons;

/// A valid scenario using every table; line numbers in the tests below refer to it.
const FULL: &str = r#"name = "full-1"
description = "every table"
duration_s = 300.0
seed = 7
tick_hz = 1000

[output]
sample_rate_hz = 200.0
zoom_window_s = [125.0, 130.0]

[plant.kit]
shields = 2

[plant.left]
chamber_volume_ml = 40.0

[controller]
kind = "reference"

[controller.settings.expression]
vacuum_mmhg = 200

[[events]]
at_s = 60.0
leak_onset = { side = "left", area_mm2 = 0.3 }

[[events]]
at_s = 1.0
press = "power"

[[events]]
at_s = 60.0
sensor_fault = "stuck"

[[events]]
at_s = 60.0
press = "level_up"
hold_ms = 250

[[checks]]
name = "peak"
metric = "peak_vacuum"
at = "left_nipple"
window_s = [5.0, 100.0]
min = 170.0
max = 230.0
unit = "mmHg"
marginal_min = 175.0
marginal_max = 225.0
"#;

fn load_ok(src: &str) -> LoadedScenario {
    load_str(Path::new("t.toml"), src).unwrap_or_else(|e| panic!("should load:\n{e}"))
}

fn load_err(src: &str) -> ScenarioError {
    match load_str(Path::new("scenarios/bad.toml"), src) {
        Ok(_) => panic!("should fail:\n{src}"),
        Err(e) => e,
    }
}

/// Asserts the error's line, key, and that its message contains every `needle`.
#[track_caller]
fn assert_err(e: &ScenarioError, line: usize, key: &str, needles: &[&str]) {
    let shown = e.to_string();
    assert_eq!(e.line, Some(line), "line of: {shown}");
    assert_eq!(e.key.as_deref(), Some(key), "key of: {shown}");
    assert!(
        shown.starts_with(&format!("scenarios/bad.toml:{line}:")),
        "file:line prefix: {shown}"
    );
    for n in needles {
        assert!(shown.contains(n), "expected `{n}` in: {shown}");
    }
}

fn replace_once(src: &str, from: &str, to: &str) -> String {
    assert_eq!(src.matches(from).count(), 1, "`{from}` must occur once");
    src.replacen(from, to, 1)
}

// ---- valid files ----

#[test]
fn a_full_scenario_loads_with_every_value() {
    let l = load_ok(FULL);
    let sc = &l.scenario;
    assert_eq!(sc.name, "full-1");
    assert_eq!(sc.description, "every table");
    assert_eq!(sc.duration_s, 300.0);
    assert_eq!((sc.seed, sc.tick_hz), (7, 1000));
    assert_eq!(sc.output.sample_rate_hz, 200.0);
    assert_eq!(sc.output.zoom_window_s, Some([125.0, 130.0]));
    assert_eq!(sc.plant.kit.shields, 2);
    assert_eq!(sc.plant.left.chamber_volume_ml, 40.0);
    assert_eq!(sc.controller.kind, "reference");
    assert_eq!(sc.controller.settings.expression.vacuum_mmhg, 200);
    // A partial expression table keeps the expression defaults for the rest.
    assert_eq!(sc.controller.settings.expression.cycles_per_min, 54);
    assert_eq!(sc.events.len(), 4);
    assert_eq!(sc.checks.len(), 1);
    assert_eq!(l.path, Path::new("t.toml"));
    assert_eq!(l.source, FULL);
}

#[test]
fn defaults_fill_in() {
    let l = load_ok("name = \"min\"\nduration_s = 10\n");
    let sc = &l.scenario;
    assert_eq!(sc.duration_s, 10.0, "an integer is accepted for a number");
    assert_eq!(sc.description, "");
    assert_eq!(sc.seed, DEFAULT_SEED);
    assert_eq!(sc.tick_hz, DEFAULT_TICK_HZ);
    assert_eq!(
        sc.output,
        OutputSpec {
            sample_rate_hz: 100.0,
            zoom_window_s: None
        }
    );
    assert_eq!(sc.plant, pumprig_sim::PlantParams::default());
    assert_eq!(sc.controller.kind, "reference");
    assert_eq!(
        sc.controller.settings,
        pumprig_firmware::Settings::default()
    );
    assert!(sc.events.is_empty() && sc.checks.is_empty() && l.timeline.is_empty());
}

#[test]
fn press_hold_defaults_to_100_ms_and_is_resolved_into_the_scenario() {
    let l = load_ok(FULL);
    let hold: Vec<_> = l.scenario.events.iter().map(|e| e.hold_ms).collect();
    assert_eq!(hold, [None, Some(100), None, Some(250)]);
}

#[test]
fn events_sort_by_time_stably_in_integer_nanoseconds() {
    let l = load_ok(FULL);
    let leak = EventAction::Plant(PlantFault::LeakOnset {
        side: Side::Left,
        area_mm2: 0.3,
    });
    assert_eq!(
        l.timeline,
        vec![
            TimedEvent {
                at_ns: 1_000_000_000,
                action: EventAction::Press {
                    buttons: buttons::POWER,
                    hold_ns: 100_000_000
                }
            },
            // Three events at 60 s stay in file order.
            TimedEvent {
                at_ns: 60_000_000_000,
                action: leak
            },
            TimedEvent {
                at_ns: 60_000_000_000,
                action: EventAction::Plant(PlantFault::Sensor(Some(SensorFault::Stuck)))
            },
            TimedEvent {
                at_ns: 60_000_000_000,
                action: EventAction::Press {
                    buttons: buttons::LEVEL_UP,
                    hold_ns: 250_000_000
                }
            },
        ]
    );
}

#[test]
fn every_event_kind_resolves() {
    let src = r#"name = "ev"
duration_s = 10
[plant.kit]
shields = 2
[[events]]
at_s = 0.5
press = "level_down"
[[events]]
at_s = 0.0005
press = "letdown"
[[events]]
at_s = 1
sensor_fault = "disconnected"
[[events]]
at_s = 2
sensor_fault = "shorted_high"
[[events]]
at_s = 3
sensor_fault = "cleared"
[[events]]
at_s = 4
leak_onset = { side = "right", area_mm2 = 1 }
"#;
    let t = load_ok(src).timeline;
    assert_eq!(
        t[0],
        TimedEvent {
            at_ns: 500_000,
            action: EventAction::Press {
                buttons: buttons::LETDOWN,
                hold_ns: 100_000_000
            }
        }
    );
    assert_eq!(
        t[1].action,
        EventAction::Press {
            buttons: buttons::LEVEL_DOWN,
            hold_ns: 100_000_000
        }
    );
    assert_eq!(
        t[2].action,
        EventAction::Plant(PlantFault::Sensor(Some(SensorFault::Disconnected)))
    );
    assert_eq!(
        t[3].action,
        EventAction::Plant(PlantFault::Sensor(Some(SensorFault::ShortedHigh)))
    );
    assert_eq!(t[4].action, EventAction::Plant(PlantFault::Sensor(None)));
    assert_eq!(
        t[5].action,
        EventAction::Plant(PlantFault::LeakOnset {
            side: Side::Right,
            area_mm2: 1.0
        })
    );
}

#[test]
fn a_full_scenario_round_trips_through_serialize() {
    let first = load_ok(FULL);
    let text = toml::to_string(&first.scenario).expect("serializes to TOML");
    let second = load_ok(&text);
    assert_eq!(first.scenario, second.scenario, "re-read from:\n{text}");
    // Through JSON too (record.json), back into the same scenario.
    let json = serde_json::to_string(&first.scenario).unwrap();
    assert_eq!(
        serde_json::from_str::<Scenario>(&json).unwrap(),
        first.scenario
    );
    assert_eq!(first.timeline, second.timeline);
    // And again: a fixed point.
    assert_eq!(text, toml::to_string(&second.scenario).unwrap());
}

#[test]
fn with_seed_overrides_the_files_seed() {
    let l = load_ok(FULL);
    assert_eq!(l.scenario.seed, 7);
    let l = l.with_seed(42);
    assert_eq!(l.scenario.seed, 42);
    assert_eq!(l.timeline.len(), 4, "nothing else changes");
}

#[test]
fn source_hash_is_stable_and_tells_edits_apart() {
    let a = load_ok(FULL);
    assert_eq!(a.source_hash(), load_ok(FULL).source_hash());
    assert_eq!(
        a.source_hash(),
        a.clone().with_seed(3).source_hash(),
        "hashes the file, not the seed"
    );
    let b = load_ok(&FULL.replace("seed = 7", "seed = 8"));
    assert_ne!(a.source_hash(), b.source_hash());
    assert!(a.source_hash().starts_with("fnv1a64:") && a.source_hash().len() == 8 + 16);
    // Reference value of FNV-1a 64 for "a".
    assert_eq!(
        crate::output::record::content_hash(b"a"),
        "fnv1a64:af63dc4c8601ec8c"
    );
}

#[test]
fn tick_hz_stated_once_applies_to_both_places() {
    let l = load_ok("name = \"t\"\nduration_s = 1\ntick_hz = 2000\n");
    assert_eq!(l.scenario.controller.settings.tick_hz, 2000);
    let l = load_ok("name = \"t\"\nduration_s = 1\n[controller.settings]\ntick_hz = 500\n");
    assert_eq!(l.scenario.tick_hz, 500);
    let l = load_ok(
        "name = \"t\"\nduration_s = 1\ntick_hz = 500\n[controller.settings]\ntick_hz = 500\n",
    );
    assert_eq!(
        (l.scenario.tick_hz, l.scenario.controller.settings.tick_hz),
        (500, 500)
    );
}

#[test]
fn the_shipped_scenarios_load() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "toml") {
            load(&p).unwrap_or_else(|e| panic!("{e}"));
            n += 1;
        }
    }
    assert!(n >= 7, "found {n} scenarios in {}", dir.display());
}

// ---- errors: reading and syntax ----

#[test]
fn missing_file_names_the_file_and_the_os_error() {
    let e = load(Path::new("scenarios/nope.toml")).unwrap_err();
    assert_eq!((e.line, e.key.as_deref()), (None, None));
    let shown = e.to_string();
    assert!(
        shown.starts_with("scenarios/nope.toml: cannot read scenario file: "),
        "{shown}"
    );
    assert!(shown.contains("os error 2"), "{shown}");
}

#[test]
fn syntax_error_gives_line_and_column() {
    let e = load_err(&replace_once(FULL, "seed = 7", "seed = = 7"));
    assert_eq!((e.line, e.column), (Some(4), Some(8)), "{e}");
    assert!(e.to_string().contains("TOML syntax error"), "{e}");
    let e = load_err(&replace_once(FULL, "[plant.left]", "[plant.left"));
    assert_eq!(e.line, Some(14), "{e}");
    let e = load_err(&replace_once(FULL, "seed = 7", "seed = 7\nseed = 3"));
    assert!(e.to_string().contains("duplicate key"), "{e}");
}

// ---- errors: schema ----

#[test]
fn unknown_key_suggests_the_accepted_one() {
    // Unit typo, in a [table].
    let e = load_err(&replace_once(
        FULL,
        "chamber_volume_ml",
        "chamber_volume_mL",
    ));
    assert_err(
        &e,
        15,
        "plant.left.chamber_volume_mL",
        &["unknown key", "did you mean `chamber_volume_ml`?"],
    );
    assert_eq!(e.column, Some(1));
    // Misspelt, in a dotted key.
    let e = load_err(&replace_once(
        FULL,
        "[plant.kit]\nshields",
        "[plant]\nkit.shelds",
    ));
    assert_err(&e, 12, "plant.kit.shelds", &["did you mean `shields`?"]);
    // Top level.
    let e = load_err(&replace_once(FULL, "duration_s", "durations_s"));
    assert_err(&e, 3, "durations_s", &["did you mean `duration_s`?"]);
    // Firmware settings.
    let e = load_err(&replace_once(
        FULL,
        "vacuum_mmhg = 200",
        "vacuum_mmhgg = 200",
    ));
    assert_err(
        &e,
        21,
        "controller.settings.expression.vacuum_mmhgg",
        &["did you mean `vacuum_mmhg`?"],
    );
    // Inline table in an array of tables.
    let e = load_err(&replace_once(FULL, "area_mm2 = 0.3", "area_mm = 0.3"));
    assert_err(
        &e,
        25,
        "events[0].leak_onset.area_mm",
        &["did you mean `area_mm2`?"],
    );
    // Check spec.
    let e = load_err(&replace_once(FULL, "metric = ", "metrc = "));
    assert_err(&e, 42, "checks[0].metrc", &["did you mean `metric`?"]);
}

#[test]
fn unknown_key_with_nothing_close_lists_the_accepted_keys() {
    let e = load_err(&replace_once(
        FULL,
        "sample_rate_hz = 200.0",
        "rows = 200.0",
    ));
    assert_err(
        &e,
        8,
        "output.rows",
        &["accepted keys: `sample_rate_hz`, `zoom_window_s`"],
    );
}

#[test]
fn wrong_type_says_what_was_expected_and_found() {
    let e = load_err(&replace_once(
        FULL,
        "chamber_volume_ml = 40.0",
        "chamber_volume_ml = \"forty\"",
    ));
    assert_err(
        &e,
        15,
        "plant.left.chamber_volume_ml",
        &["`plant.left.chamber_volume_ml` = \"forty\": expected a number, found a string"],
    );
    assert_eq!(e.column, Some(21), "points at the value");
    let e = load_err(&replace_once(FULL, "shields = 2", "shields = 1.5"));
    assert_err(
        &e,
        12,
        "plant.kit.shields",
        &["expected a whole number in 0..=255, found a decimal number"],
    );
    let e = load_err(&replace_once(FULL, "shields = 2", "shields = -1"));
    assert_err(
        &e,
        12,
        "plant.kit.shields",
        &["= -1: expected a whole number in 0..=255, found -1"],
    );
    let e = load_err(&replace_once(
        FULL,
        "zoom_window_s = [125.0, 130.0]",
        "zoom_window_s = [125.0]",
    ));
    assert_err(
        &e,
        9,
        "output.zoom_window_s",
        &["expected an array of 2 values"],
    );
    let e = load_err(&replace_once(
        FULL,
        "[plant.left]\nchamber_volume_ml = 40.0",
        "[plant]\nleft = 3",
    ));
    assert_err(
        &e,
        15,
        "plant.left",
        &["expected a table, found an integer"],
    );
}

#[test]
fn unknown_value_suggests_the_accepted_one() {
    let e = load_err(&replace_once(FULL, "press = \"power\"", "press = \"powr\""));
    assert_err(
        &e,
        29,
        "events[1].press",
        &["`events[1].press` = \"powr\": unknown value; did you mean `power`?"],
    );
    let e = load_err(&replace_once(
        FULL,
        "sensor_fault = \"stuck\"",
        "sensor_fault = \"frozen\"",
    ));
    assert_err(
        &e,
        33,
        "events[2].sensor_fault",
        &["accepted values: `stuck`, `disconnected`, `shorted_high`, `cleared`"],
    );
    let e = load_err(&replace_once(FULL, "side = \"left\"", "side = \"lef\""));
    assert_err(
        &e,
        25,
        "events[0].leak_onset.side",
        &["did you mean `left`?"],
    );
    let e = load_err(&replace_once(FULL, "press = \"power\"", "press = 1"));
    assert_err(&e, 29, "events[1].press", &["expected a string"]);
}

#[test]
fn missing_required_keys_point_at_their_table() {
    let e = load_err(&replace_once(FULL, "name = \"full-1\"\n", ""));
    assert_eq!((e.line, e.key.as_deref()), (Some(1), Some("name")), "{e}");
    assert!(e.to_string().contains("missing required key `name`"), "{e}");
    let e = load_err(&replace_once(FULL, "at_s = 1.0\n", ""));
    assert_err(
        &e,
        27,
        "events[1].at_s",
        &["missing required key `at_s` in `events[1]`"],
    );
    let e = load_err(&replace_once(FULL, ", area_mm2 = 0.3", ""));
    assert_err(
        &e,
        25,
        "events[0].leak_onset.area_mm2",
        &["missing required key `area_mm2`"],
    );
}

// ---- errors: the scenario's own rules ----

#[test]
fn name_must_be_a_directory_name() {
    let e = load_err(&replace_once(
        FULL,
        "name = \"full-1\"",
        "name = \"Full 1\"",
    ));
    assert_err(
        &e,
        1,
        "name",
        &["`name` = \"Full 1\": must be lowercase letters"],
    );
    let e = load_err(&replace_once(FULL, "name = \"full-1\"", "name = \"\""));
    assert_err(&e, 1, "name", &["lowercase"]);
}

#[test]
fn duration_must_be_positive_and_at_most_a_week() {
    for bad in ["0.0", "-5", "nan", "700000.0"] {
        let e = load_err(&replace_once(
            FULL,
            "duration_s = 300.0",
            &format!("duration_s = {bad}"),
        ));
        assert_err(
            &e,
            3,
            "duration_s",
            &[&format!("`duration_s` = {bad}: must")],
        );
    }
}

#[test]
fn tick_rate_and_sample_rate_must_fit() {
    let e = load_err(&replace_once(FULL, "tick_hz = 1000", "tick_hz = 3000"));
    assert_err(&e, 5, "tick_hz", &["whole number of nanoseconds"]);
    let e = load_err(&replace_once(FULL, "tick_hz = 1000", "tick_hz = 100000"));
    assert_err(&e, 5, "tick_hz", &["at most 65535"]);
    let e = load_err(&replace_once(
        FULL,
        "sample_rate_hz = 200.0",
        "sample_rate_hz = 300.0",
    ));
    assert_err(
        &e,
        8,
        "output.sample_rate_hz",
        &["`output.sample_rate_hz` = 300.0: must divide the tick rate (`tick_hz` = 1000) exactly"],
    );
    let e = load_err(&replace_once(
        FULL,
        "sample_rate_hz = 200.0",
        "sample_rate_hz = 2000.0",
    ));
    assert_err(&e, 8, "output.sample_rate_hz", &["must not exceed"]);
    let e = load_err(&replace_once(
        FULL,
        "sample_rate_hz = 200.0",
        "sample_rate_hz = 0",
    ));
    assert_err(&e, 8, "output.sample_rate_hz", &["greater than zero"]);
    // Both places, different values.
    let e = load_err(&replace_once(
        FULL,
        "[controller.settings.expression]",
        "[controller.settings]\ntick_hz = 500\n[controller.settings.expression]",
    ));
    assert_err(
        &e,
        21,
        "controller.settings.tick_hz",
        &["= 500: must equal the scenario's `tick_hz` (1000)"],
    );
    // Stated in the settings only: the sample rate is checked against it.
    let src = "name = \"t\"\nduration_s = 1\n[output]\nsample_rate_hz = 300\n[controller.settings]\ntick_hz = 500\n";
    let e = load_err(src);
    assert_err(&e, 4, "output.sample_rate_hz", &["(`tick_hz` = 500)"]);
}

#[test]
fn zoom_window_must_lie_inside_the_run() {
    for bad in ["[125.0, 400.0]", "[130.0, 125.0]", "[-1.0, 5.0]"] {
        let e = load_err(&replace_once(
            FULL,
            "zoom_window_s = [125.0, 130.0]",
            &format!("zoom_window_s = {bad}"),
        ));
        assert_err(
            &e,
            9,
            "output.zoom_window_s",
            &[&format!("= {bad}: must be [start_s, end_s]"), "(300)"],
        );
    }
}

#[test]
fn event_times_must_lie_inside_the_run() {
    let e = load_err(&replace_once(FULL, "at_s = 1.0", "at_s = 300.0"));
    assert_err(
        &e,
        28,
        "events[1].at_s",
        &["`events[1].at_s` = 300.0: must lie in [0, duration_s) = [0, 300)"],
    );
    let e = load_err(&replace_once(FULL, "at_s = 1.0", "at_s = -0.5"));
    assert_err(&e, 28, "events[1].at_s", &["must lie in"]);
}

#[test]
fn an_event_does_exactly_one_thing() {
    let e = load_err(&replace_once(FULL, "press = \"power\"", ""));
    assert_err(&e, 27, "events[1]", &["`events[1]`: no action"]);
    let e = load_err(&replace_once(
        FULL,
        "sensor_fault = \"stuck\"",
        "sensor_fault = \"stuck\"\npress = \"power\"",
    ));
    assert_err(
        &e,
        33,
        "events[2].sensor_fault",
        &["also has `press`", "split it"],
    );
    let e = load_err(&replace_once(
        FULL,
        "sensor_fault = \"stuck\"",
        "sensor_fault = \"stuck\"\nhold_ms = 5",
    ));
    assert_err(&e, 34, "events[2].hold_ms", &["only applies to a `press`"]);
    let e = load_err(&replace_once(FULL, "hold_ms = 250", "hold_ms = 0"));
    assert_err(&e, 38, "events[3].hold_ms", &["at least 1 ms"]);
    let e = load_err(&replace_once(FULL, "hold_ms = 250", "hold_ms = 5"));
    assert_err(
        &e,
        38,
        "events[3].hold_ms",
        &["= 5: must be at least 20 ms", "bounce"],
    );
}

#[test]
fn leaks_need_an_area_and_an_existing_shield() {
    let e = load_err(&replace_once(FULL, "area_mm2 = 0.3", "area_mm2 = 0"));
    assert_err(
        &e,
        25,
        "events[0].leak_onset.area_mm2",
        &["= 0: must be greater than zero"],
    );
    let src = replace_once(
        &replace_once(FULL, "shields = 2", "shields = 1"),
        "side = \"left\"",
        "side = \"right\"",
    );
    let e = load_err(&src);
    assert_err(
        &e,
        25,
        "events[0].leak_onset.side",
        &["no right shield", "`plant.kit.shields`"],
    );
}

#[test]
fn controller_kind_must_be_known() {
    let e = load_err(&replace_once(
        FULL,
        "kind = \"reference\"",
        "kind = \"refrence\"",
    ));
    assert_err(
        &e,
        18,
        "controller.kind",
        &["`controller.kind` = \"refrence\": unknown controller kind; did you mean `reference`?"],
    );
    let e = load_err(&replace_once(
        FULL,
        "kind = \"reference\"",
        "kind = \"usb:fw.elf\"",
    ));
    assert_err(&e, 18, "controller.kind", &["accepted kinds: `reference`"]);
}

#[test]
fn controller_isolation_defaults_to_process_and_must_be_known() {
    assert_eq!(load_ok(FULL).scenario.controller.isolation, "process");
    let l = load_ok(&replace_once(
        FULL,
        "kind = \"reference\"",
        "kind = \"reference\"\nisolation = \"in-process\"",
    ));
    assert_eq!(l.scenario.controller.isolation, "in-process");
    let e = load_err(&replace_once(
        FULL,
        "kind = \"reference\"",
        "kind = \"reference\"\nisolation = \"in-proces\"",
    ));
    assert_err(
        &e,
        19,
        "controller.isolation",
        &["unknown isolation; did you mean `in-process`?"],
    );
}

// ---- errors: plant, firmware and checks validation ----

#[test]
fn plant_parameter_errors_name_the_key_and_value() {
    let e = load_err(&replace_once(
        FULL,
        "chamber_volume_ml = 40.0",
        "chamber_volume_ml = -40.0",
    ));
    assert_err(
        &e,
        15,
        "plant.left.chamber_volume_ml",
        &["`plant.left.chamber_volume_ml` = -40.0: must be greater than zero"],
    );
    assert_eq!(e.column, Some(21));
    let e = load_err(&replace_once(FULL, "shields = 2", "shields = 3"));
    assert_err(&e, 12, "plant.kit.shields", &["= 3: must be 1 or 2"]);
}

#[test]
fn plant_errors_in_defaults_point_at_the_table_and_say_default() {
    // A relief valve cracking above its full-open point: the full-open default is then wrong.
    let src = replace_once(
        FULL,
        "[plant.left]",
        "[plant.relief_valve]\ncracking_vacuum_mmhg = 5000.0\n\n[plant.left]",
    );
    let e = load_err(&src);
    let shown = e.to_string();
    let full_open = e
        .all()
        .find(|e| e.key.as_deref() == Some("plant.relief_valve.full_open_vacuum_mmhg"));
    let full_open = full_open.unwrap_or_else(|| panic!("no full_open error in:\n{shown}"));
    assert_eq!(full_open.line, Some(14), "{shown}");
    assert!(full_open.message.contains("(default)"), "{shown}");
}

#[test]
fn every_plant_problem_is_reported_in_file_order() {
    let src = replace_once(
        &replace_once(
            FULL,
            "chamber_volume_ml = 40.0",
            "chamber_volume_ml = -40.0",
        ),
        "shields = 2",
        "shields = 0",
    );
    let e = load_err(&src);
    let lines: Vec<_> = e.all().map(|e| e.line).collect();
    assert_eq!(lines, [Some(12), Some(15)], "{e}");
    assert_eq!(e.to_string().lines().count(), 2);
}

#[test]
fn firmware_setting_errors_map_to_controller_settings() {
    let e = load_err(&replace_once(
        FULL,
        "vacuum_mmhg = 200",
        "vacuum_mmhg = 300",
    ));
    assert_err(
        &e,
        21,
        "controller.settings.expression.vacuum_mmhg",
        &["= 300: must lie within [min_vacuum_mmhg, max_vacuum_mmhg]"],
    );
    // A setting the file does not state: at its table, as a default.
    let e = load_err(&replace_once(
        FULL,
        "vacuum_mmhg = 200",
        "vacuum_mmhg = 200\nmin_vacuum_mmhg = 260",
    ));
    assert_err(
        &e,
        22,
        "controller.settings.expression.min_vacuum_mmhg",
        &["= 260: must not exceed max_vacuum_mmhg"],
    );
    let e = load_err(&replace_once(
        FULL,
        "[controller.settings.expression]",
        "[controller.settings.supervisor]\nmax_vacuum_mmhg = 240\n[controller.settings.expression]",
    ));
    assert_err(
        &e,
        21,
        "controller.settings.supervisor.max_vacuum_mmhg",
        &["= 240: must be above every phase's max_vacuum_mmhg"],
    );
}

#[test]
fn firmware_errors_on_defaults_say_default() {
    // The stimulation level is not stated; lowering its ceiling below it makes the default wrong.
    let src = replace_once(
        FULL,
        "[controller.settings.expression]",
        "[controller.settings.stimulation]\nmax_vacuum_mmhg = 60\n\n[controller.settings.expression]",
    );
    let e = load_err(&src);
    assert_err(
        &e,
        20,
        "controller.settings.stimulation.vacuum_mmhg",
        &["= 80 (default): must lie within"],
    );
}

#[test]
fn check_spec_errors_name_the_check_key() {
    let e = load_err(&replace_once(FULL, "unit = \"mmHg\"", "unit = \"mmhg\""));
    assert_err(
        &e,
        47,
        "checks[0].unit",
        &["`checks[0].unit` = \"mmhg\"", "write unit = \"mmHg\""],
    );
    let e = load_err(&replace_once(
        FULL,
        "window_s = [5.0, 100.0]",
        "window_s = [300.0, 400.0]",
    ));
    let why =
        "= [300.0, 400.0]: starts at 300 s, at or after the end of the run (duration_s = 300)";
    assert_err(&e, 44, "checks[0].window_s", &[why]);
    // A window past the end is cut at the end.
    load_ok(&replace_once(
        FULL,
        "window_s = [5.0, 100.0]",
        "window_s = [5.0, 400.0]",
    ));
    let e = load_err(&replace_once(
        FULL,
        "window_s = [5.0, 100.0]",
        "window_s = [100.0, 5.0]",
    ));
    assert_err(
        &e,
        44,
        "checks[0].window_s",
        &["= [100.0, 5.0]: the window must be [start, end]"],
    );
    // A key the check does not state: at the check's header.
    let e = load_err(&replace_once(FULL, "at = \"left_nipple\"\n", ""));
    let why = "`checks[0].at` is not set: peak_vacuum is measured at a location";
    assert_err(&e, 40, "checks[0].at", &[why]);
    // The check as a whole.
    let e = load_err(&replace_once(FULL, "min = 170.0\nmax = 230.0\n", ""));
    assert_err(
        &e,
        40,
        "checks[0]",
        &["`checks[0]`: a check needs at least one of min and max"],
    );
    // Serde-level: a location that does not exist.
    let e = load_err(&replace_once(
        FULL,
        "at = \"left_nipple\"",
        "at = \"left_nippel\"",
    ));
    assert_err(&e, 43, "checks[0].at", &["did you mean `left_nipple`?"]);
}

#[test]
fn the_format_reference_names_every_key() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/scenarios.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let mut missing = Vec::new();
    // Tables as `[path`, keys as `` `key` ``; inside [[events]] and [[checks]] all as `` `key` ``.
    fn walk(
        path: &str,
        v: &serde_json::Value,
        in_array: bool,
        doc: &str,
        missing: &mut Vec<String>,
    ) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    let full = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    let named = if v.is_object() && !in_array {
                        doc.contains(&format!("[{full}")) || doc.contains(&format!("`[{full}"))
                    } else {
                        doc.contains(&format!("`{k}`"))
                    };
                    if !named {
                        missing.push(full.clone());
                    }
                    walk(&full, v, in_array, doc, missing);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| walk(path, v, true, doc, missing)),
            _ => {}
        }
    }
    let full = serde_json::to_value(&load_ok(FULL).scenario).unwrap();
    walk("", &full, false, &doc, &mut missing);
    for m in crate::metrics::Metric::ALL {
        if !doc.contains(&format!("| `{}` | `{}` |", m.name(), m.unit())) {
            missing.push(format!("metric {m} in {}", m.unit()));
        }
    }
    assert!(
        missing.is_empty(),
        "docs/scenarios.md does not name {missing:?}"
    );
    let values = [
        "power",
        "level_up",
        "level_down",
        "letdown",
        "stuck",
        "disconnected",
        "shorted_high",
        "cleared",
    ];
    for v in values
        .iter()
        .chain(&["left", "right", "reference", "stimulation", "expression"])
    {
        assert!(
            doc.contains(&format!("\"{v}\"")),
            "docs/scenarios.md does not name \"{v}\""
        );
    }
}

#[test]
fn the_format_reference_documents_sweeps_and_marginal_bands() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/scenarios.md");
    let doc = std::fs::read_to_string(path).unwrap();
    for needle in [
        "## `[sweep]`",
        "[[sweep.zip]]",
        "`marginal_min`",
        "`marginal_max`",
        "pumprig sweep",
        "pumprig merge",
        "--shard K/N",
        "--case",
        "--plots",
        "summary.csv",
        "junit.xml",
    ] {
        assert!(
            doc.contains(needle),
            "docs/scenarios.md does not name {needle}"
        );
    }
    // The scenario the docs point to as the example loads, with its sweep.
    let sweep = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/sweep-vacuum.toml");
    assert!(doc.contains("scenarios/sweep-vacuum.toml"));
    assert!(load(&sweep).unwrap().scenario.sweep.is_some());
}

#[test]
fn problems_in_different_parts_are_all_reported() {
    let src = replace_once(
        &replace_once(
            FULL,
            "chamber_volume_ml = 40.0",
            "chamber_volume_ml = -40.0",
        ),
        "unit = \"mmHg\"",
        "unit = \"mmhg\"",
    );
    let src = replace_once(&src, "at_s = 1.0", "at_s = 301.0");
    let e = load_err(&src);
    let keys: Vec<_> = e
        .all()
        .map(|e| (e.line.unwrap(), e.key.clone().unwrap()))
        .collect();
    let expected = [
        (15, "plant.left.chamber_volume_ml"),
        (28, "events[1].at_s"),
        (47, "checks[0].unit"),
    ];
    assert_eq!(keys, expected.map(|(l, k)| (l, k.to_owned())), "{e}");
}

/// The defaults docs/scenarios.md states for `[plant.*]` and `[controller.settings.*]` are the
/// ones the code uses.
#[test]
fn the_format_reference_states_the_defaults_the_code_uses() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/scenarios.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let defaults =
        serde_json::to_value(&load_ok("name = \"d\"\nduration_s = 1\n").scenario).unwrap();
    let mut tables: Vec<String> = Vec::new();
    let (mut checked, mut wrong) = (0, Vec::new());
    for line in doc.lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 5 {
            continue;
        }
        let (table, key, stated) = (cells[1], cells[2], cells[3]);
        if table.starts_with("`[plant") || table.starts_with("`[controller.settings") {
            tables = table
                .split('`')
                .filter(|t| t.starts_with('[') && t.ends_with(']'))
                .map(|t| t.trim_matches(['[', ']']).to_owned())
                .collect();
        } else if !table.is_empty() {
            tables.clear();
        }
        let Some(key) = key.strip_prefix('`').and_then(|k| k.strip_suffix('`')) else {
            continue;
        };
        for t in &tables {
            let full = format!("{t}.{key}");
            let Some(code) = super::validate::json_at(&defaults, &full) else {
                wrong.push(format!("{full}: documented but not a key"));
                continue;
            };
            let stated = stated.trim_matches('`').trim_matches('"');
            let same = match code {
                serde_json::Value::Number(n) => match stated.parse::<f64>() {
                    Ok(x) => (x - n.as_f64().unwrap()).abs() <= 1e-12 * x.abs().max(1.0),
                    Err(_) => stated.starts_with('='), // "= `tick_hz`": resolved from elsewhere
                },
                serde_json::Value::Bool(b) => stated == b.to_string(),
                serde_json::Value::String(s) => stated == s,
                _ => false,
            };
            checked += 1;
            if !same {
                wrong.push(format!("{full}: docs say {stated}, code says {code}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "docs/scenarios.md defaults are stale:\n{}",
        wrong.join("\n")
    );
    assert!(checked > 80, "only {checked} defaults found in the tables");
}

/// docs/scenarios.md names every key of `[baseline]` and its signal tables, and what a run with
/// one writes.
#[test]
fn the_format_reference_documents_baselines() {
    let dir =
        std::env::temp_dir().join(format!("pumprig-scenario-baseline-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("golden")).unwrap();
    let header = crate::output::timeseries::header(2).join(",");
    std::fs::write(dir.join("golden/timeseries.csv"), header + "\n").unwrap();
    let src = "name = \"b\"\nduration_s = 1\n[baseline]\ndir = \"golden\"\n\
               [baseline.signals.valve_open]\nhold = true\n";
    let loaded = load_str(&dir.join("b.toml"), src).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let spec = loaded.scenario.baseline.expect("the table is kept");
    assert_eq!(
        spec.signals["valve_open"].abs, 0.0,
        "tolerances default to 0"
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/scenarios.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let v = serde_json::to_value(&spec).unwrap();
    let signal = &v["signals"]["valve_open"];
    let keys = v
        .as_object()
        .unwrap()
        .keys()
        .chain(signal.as_object().unwrap().keys());
    for key in keys {
        assert!(
            doc.contains(&format!("| `{key}` |")),
            "docs/scenarios.md does not name baseline key `{key}`"
        );
    }
    for needle in [
        "## `[baseline]`",
        "[baseline.signals.",
        "pumprig baseline save",
        "baseline.json",
        "baseline-<signal>.png",
        "max(abs, rel × |baseline|)",
        "max_excess",
    ] {
        assert!(
            doc.contains(needle),
            "docs/scenarios.md does not name {needle}"
        );
    }
}
