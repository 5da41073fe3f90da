//! Settings: defaults, validation errors that name the field, and (with `serde`) partial tables.

use pumprig_firmware::{
    Controller, NAME, PhaseProfile, Settings, SettingsError, StartPhase, VERSION,
};

fn rejected(settings: &Settings) -> SettingsError {
    let err = settings
        .validate()
        .expect_err("settings should be rejected");
    assert_eq!(Controller::new(settings).err(), Some(err));
    err
}

#[test]
fn defaults_are_the_reference_values_and_valid() {
    let s = Settings::default();
    assert_eq!(s.tick_hz, 1000);
    assert_eq!(s.sensor.zero_counts, 248);
    assert_eq!(s.sensor.counts_per_mmhg_milli, 9930);
    assert_eq!(
        (s.sensor.valid_min_counts, s.sensor.valid_max_counts),
        (100, 4000)
    );
    assert_eq!(s.stimulation, PhaseProfile::STIMULATION_DEFAULT);
    assert_eq!(s.expression, PhaseProfile::EXPRESSION_DEFAULT);
    assert_eq!(
        (
            s.stimulation.cycles_per_min,
            s.stimulation.vacuum_mmhg,
            s.stimulation.rise_percent
        ),
        (110, 80, 40)
    );
    assert_eq!(
        (
            s.expression.cycles_per_min,
            s.expression.vacuum_mmhg,
            s.expression.rise_percent
        ),
        (54, 190, 50)
    );
    assert_eq!(s.program.start_phase, StartPhase::Stimulation);
    assert_eq!(s.program.stimulation_max_s, 120);
    assert!(!s.program.start_on_power_up);
    assert_eq!(s.control.kp_permille_per_mmhg, 20);
    assert_eq!(s.control.ki_permille_per_mmhg_s, 20);
    assert_eq!(s.control.feedforward_permille_per_mmhg, 0);
    assert_eq!(s.control.lead_ms, 25);
    assert_eq!(s.control.max_duty_permille, 1000);
    assert_eq!(s.supervisor.max_vacuum_mmhg, 275);
    assert_eq!(s.supervisor.over_vacuum_ms, 20);
    assert_eq!(s.supervisor.stuck_window_ms, 300);
    assert_eq!(s.supervisor.stuck_min_duty_permille, 500);
    assert_eq!(s.supervisor.stuck_max_change_dmmhg, 20);
    assert_eq!(s.supervisor.out_of_range_ms, 10);
    assert_eq!(s.validate(), Ok(()));
    let ctrl = Controller::new(&s).unwrap();
    assert_eq!(ctrl.settings(), &s);
    assert_eq!(NAME, "pumprig-reference");
    assert!(!VERSION.is_empty());
}

#[test]
fn each_invalid_setting_is_named() {
    type Breakage = fn(&mut Settings);
    let cases: [(Breakage, &str); 16] = [
        (|s| s.tick_hz = 0, "tick_hz"),
        (
            |s| s.sensor.counts_per_mmhg_milli = 0,
            "sensor.counts_per_mmhg_milli",
        ),
        (|s| s.sensor.zero_counts = 4096, "sensor.zero_counts"),
        (
            |s| s.sensor.valid_max_counts = 5000,
            "sensor.valid_max_counts",
        ),
        (
            |s| s.sensor.valid_min_counts = 4001,
            "sensor.valid_min_counts",
        ),
        (
            |s| s.stimulation.cycles_per_min = 0,
            "stimulation.cycles_per_min",
        ),
        (
            |s| s.expression.cycles_per_min = 601,
            "expression.cycles_per_min",
        ),
        (
            |s| s.expression.min_vacuum_mmhg = 260,
            "expression.min_vacuum_mmhg",
        ),
        (
            |s| s.stimulation.vacuum_mmhg = 160,
            "stimulation.vacuum_mmhg",
        ),
        (|s| s.expression.vacuum_mmhg = 40, "expression.vacuum_mmhg"),
        (
            |s| s.stimulation.pull_percent = 0,
            "stimulation.pull_percent",
        ),
        (
            |s| s.expression.pull_percent = 100,
            "expression.pull_percent",
        ),
        (
            |s| s.expression.rise_percent = 101,
            "expression.rise_percent",
        ),
        (
            |s| s.control.max_duty_permille = 1001,
            "control.max_duty_permille",
        ),
        (
            |s| s.supervisor.max_vacuum_mmhg = 250,
            "supervisor.max_vacuum_mmhg",
        ),
        (
            |s| s.supervisor.stuck_window_ms = 0,
            "supervisor.stuck_window_ms",
        ),
    ];
    for (break_it, field) in cases {
        let mut s = Settings::default();
        break_it(&mut s);
        let err = rejected(&s);
        assert_eq!(err.field, field, "{err}");
        assert!(!err.reason.is_empty());
        let shown = err.to_string();
        assert!(
            shown.contains(field) && shown.contains(err.reason),
            "{shown}"
        );
    }
}

#[test]
fn supervisor_limit_must_clear_both_phases_and_stay_below_one_atmosphere() {
    let mut s = Settings::default();
    s.supervisor.max_vacuum_mmhg = 250; // equal to expression max: not above it
    assert_eq!(rejected(&s).field, "supervisor.max_vacuum_mmhg");
    s.supervisor.max_vacuum_mmhg = 761;
    assert_eq!(rejected(&s).field, "supervisor.max_vacuum_mmhg");
    s.supervisor.max_vacuum_mmhg = 251;
    assert_eq!(s.validate(), Ok(()));
}

#[test]
fn boundary_values() {
    let mut s = Settings {
        tick_hz: 1,
        ..Settings::default()
    };
    s.stimulation.cycles_per_min = 1; // 60 ticks a minute: too short a cycle
    assert_eq!(rejected(&s).field, "stimulation.cycles_per_min");
    let mut s = Settings::default();
    s.expression.cycles_per_min = 600; // exactly 100 ticks a cycle at 1 kHz
    s.expression.pull_percent = 99;
    s.expression.rise_percent = 100;
    s.stimulation.pull_percent = 1;
    s.stimulation.rise_percent = 0;
    s.stimulation.level_step_mmhg = 0;
    s.supervisor.over_vacuum_ms = 0;
    s.supervisor.out_of_range_ms = 0;
    assert_eq!(s.validate(), Ok(()));
}

#[cfg(feature = "serde")]
mod serde_support {
    use super::*;

    #[test]
    fn empty_document_gives_defaults() {
        let s: Settings = serde_json::from_str("{}").unwrap();
        assert_eq!(s, Settings::default());
    }

    #[test]
    fn partial_phase_tables_fill_from_their_own_phase_defaults() {
        let s: Settings = serde_json::from_str(
            r#"{ "stimulation": { "cycles_per_min": 100 }, "expression": { "vacuum_mmhg": 200 } }"#,
        )
        .unwrap();
        assert_eq!(s.stimulation.cycles_per_min, 100);
        assert_eq!(s.stimulation.max_vacuum_mmhg, 150);
        assert_eq!(
            s.expression,
            PhaseProfile {
                vacuum_mmhg: 200,
                ..PhaseProfile::EXPRESSION_DEFAULT
            }
        );
        assert_eq!(s.validate(), Ok(()));
    }

    #[test]
    fn start_phase_is_snake_case_and_unknown_fields_are_rejected() {
        let s: Settings =
            serde_json::from_str(r#"{ "program": { "start_phase": "expression" } }"#).unwrap();
        assert_eq!(s.program.start_phase, StartPhase::Expression);
        assert!(serde_json::from_str::<Settings>(r#"{ "tick_rate": 1000 }"#).is_err());
        assert!(serde_json::from_str::<Settings>(r#"{ "expression": { "cpm": 54 } }"#).is_err());
        assert!(
            serde_json::from_str::<Settings>(r#"{ "supervisor": { "max_vacuum": 275 } }"#).is_err()
        );
    }

    #[test]
    fn round_trips() {
        let mut s = Settings::default();
        s.expression.level_step_mmhg = 5;
        s.program.start_phase = StartPhase::Expression;
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.contains(r#""start_phase":"expression""#), "{json}");
        assert_eq!(serde_json::from_str::<Settings>(&json).unwrap(), s);
    }
}
