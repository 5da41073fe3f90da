//! The lockstep loop with stand-in controllers: faults are reported with their time, never
//! swallowed; the clock and the event timeline are exact.

use std::path::Path;

use pumprig::controller::{
    ActuatorFrame, Controller, ControllerError, ControllerIdentity, SensorFrame, buttons,
};
use pumprig::runner::{self, RunError, Sample};
use pumprig::scenario;

/// Plays back a fixed duty, fails or misbehaves on request, and remembers what it saw.
struct Scripted {
    duty: f64,
    fail_at_ns: Option<u64>,
    seen: Vec<SensorFrame>,
}

impl Controller for Scripted {
    fn identity(&self) -> ControllerIdentity {
        ControllerIdentity {
            adapter: "test".into(),
            name: "scripted".into(),
            version: "0".into(),
            build_id: "0".into(),
        }
    }
    fn step(&mut self, frame: &SensorFrame) -> Result<ActuatorFrame, ControllerError> {
        self.seen.push(*frame);
        if self.fail_at_ns.is_some_and(|t| frame.time_ns >= t) {
            return Err(ControllerError::Fault {
                time_s: frame.time_ns as f64 * 1e-9,
                message: "board went silent".into(),
            });
        }
        Ok(ActuatorFrame {
            motor_duty: self.duty,
            valve_open: false,
            ..ActuatorFrame::default()
        })
    }
}

fn loaded(text: &str) -> scenario::LoadedScenario {
    scenario::load_str(Path::new("runner.toml"), text).unwrap()
}

const TWO_SECONDS: &str = r#"name = "runner"
duration_s = 2.0
[output]
sample_rate_hz = 10.0
[[events]]
at_s = 0.5
press = "level_up"
hold_ms = 30
"#;

#[test]
fn the_clock_and_the_button_timeline_are_exact() {
    let mut c = Scripted {
        duty: 0.3,
        fail_at_ns: None,
        seen: Vec::new(),
    };
    let mut rows: Vec<Sample> = Vec::new();
    let out = runner::run(&loaded(TWO_SECONDS), &mut c, &mut rows).unwrap();
    assert_eq!(out.ticks, 2000);
    assert_eq!(c.seen.len(), 2000);
    assert!(
        c.seen
            .iter()
            .enumerate()
            .all(|(k, f)| f.time_ns == k as u64 * 1_000_000)
    );
    // Pressed at 0.5 s: visible from the next tick for exactly 30 ticks.
    let held: Vec<u64> = c
        .seen
        .iter()
        .filter(|f| f.buttons & buttons::LEVEL_UP != 0)
        .map(|f| f.time_ns / 1_000_000)
        .collect();
    assert_eq!(held, (501..=530).collect::<Vec<_>>());
    // Decimated to 10 Hz: rows at 0, 100, ... 1900 ms.
    assert_eq!(rows.len(), 20);
    assert!(
        rows.iter()
            .enumerate()
            .all(|(k, r)| r.time_ns == k as u64 * 100_000_000)
    );
    // A pump at 30 % duty with the valve shut pulls a vacuum.
    assert!(rows.last().unwrap().plant.shields[0].vacuum_mmhg > 50.0);
}

#[test]
fn a_controller_failure_stops_the_run_with_its_time() {
    let mut c = Scripted {
        duty: 0.3,
        fail_at_ns: Some(1_234_000_000),
        seen: Vec::new(),
    };
    let err = runner::run(&loaded(TWO_SECONDS), &mut c, &mut Vec::<Sample>::new()).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, RunError::Controller(_)), "{msg}");
    assert!(
        msg.contains("1.234") && msg.contains("board went silent"),
        "{msg}"
    );
    assert_eq!(c.seen.len(), 1235, "nothing runs after the failure");
}

#[test]
fn a_non_finite_or_out_of_range_duty_is_a_reported_fault_not_clamped() {
    for duty in [f64::NAN, 1.5, -0.1] {
        let mut c = Scripted {
            duty,
            fail_at_ns: None,
            seen: Vec::new(),
        };
        let err = runner::run(&loaded(TWO_SECONDS), &mut c, &mut Vec::<Sample>::new()).unwrap_err();
        assert!(err.to_string().contains("motor duty"), "{duty}: {err}");
        assert_eq!(c.seen.len(), 1, "stops at the first bad command");
    }
}
