//! The serial adapter against a virtual board on a raw pty pair (tests/support/virtual_board.rs):
//! a clean board gives the in-process result tick for tick; every fault of issue 4 item 6 is
//! detected, counted in the link health and either recovered (same result as in-process, no
//! double step on the board) or reported as a failure naming it. Short wall-clock watchdogs keep
//! a broken test from hanging; nothing asserts how long anything took.

mod support;

use std::path::Path;
use std::time::Duration;

use pumprig::controller::serial::{Mode, SerialOptions};
use pumprig::controller::{Controller, ControllerError, ReferenceController, SerialController};
use pumprig::runner::{self, RunError, Sample};
use pumprig::scenario::{self, LoadedScenario};
use support::virtual_board::{self, BoardReport, Faults};

/// Three seconds of double pumping (power at 0.5 s): 3000 ticks, the pump running for 2.5 s.
const SHORT: &str = r#"name = "serial-short"
duration_s = 3.0
[plant.kit]
shields = 2
[[events]]
at_s = 0.5
press = "power"
[[checks]]
name = "no CRC errors on the link"
metric = "link_crc_errors"
max = 0.0
unit = "count"
"#;

fn loaded(text: &str) -> LoadedScenario {
    scenario::load_str(Path::new("serial-short.toml"), text).unwrap()
}

fn options() -> SerialOptions {
    SerialOptions {
        // Generous: a watchdog firing on a loaded CI machine would be a false failure.
        timeout: Duration::from_millis(5000),
        startup_timeout: Duration::from_millis(3000),
        resend_after: Duration::from_millis(100),
        ..SerialOptions::new(1000)
    }
}

/// The reference firmware in-process: what every recovered serial run must equal.
fn in_process(sc: &LoadedScenario) -> Vec<Sample> {
    let mut c = ReferenceController::new(&sc.scenario.controller.settings).unwrap();
    let mut samples = Vec::new();
    runner::run(sc, &mut c, &mut samples).unwrap();
    samples
}

struct Serial {
    samples: Vec<Sample>,
    outcome: Result<runner::RunOutcome, RunError>,
    board: BoardReport,
}

fn run_serial(faults: Faults, options: SerialOptions) -> Serial {
    let sc = loaded(SHORT);
    let (port, name, board) = virtual_board::spawn(faults);
    let mut c = SerialController::connect(port, &name, options).expect("handshake");
    let mut samples = Vec::new();
    let outcome = runner::run(&sc, &mut c, &mut samples);
    drop(c);
    Serial {
        samples,
        outcome,
        board: board.finish(),
    }
}

/// A recovered run: same samples as in-process, one board step per tick, and its link health.
///
/// A loaded machine may delay an answer past the resend timeout, so a resend can happen on any
/// run; what always holds is conservation of frames: every Sensor the rig sent reached the board
/// as a step, a repeat (answered without stepping) or a bad frame; every frame the board sent
/// reached the rig as a valid frame or a dropped one (the last duplicate perhaps after the end).
fn recovered(faults: Faults) -> (pumprig::controller::LinkHealth, BoardReport) {
    let sc = loaded(SHORT);
    let r = run_serial(faults, options());
    let outcome = r.outcome.expect("the run recovers");
    assert!(
        r.samples == in_process(&sc),
        "a recovered serial run differs from the in-process run"
    );
    assert_eq!(r.board.steps, outcome.ticks, "one control step per tick");
    let h = outcome.link.expect("a serial run reports link health");
    let b = &r.board;
    assert_eq!(
        h.frames_sent,
        b.steps + b.repeats + b.bad_frames,
        "{h:?} {b:?}"
    );
    let board_sent = b.steps + b.repeats - b.dropped + b.duplicated + b.bad_frames;
    let rig_got = h.frames_received + h.resyncs;
    assert!(
        rig_got == board_sent || rig_got + 1 == board_sent,
        "{h:?} {b:?}"
    );
    (h, r.board)
}

fn failure(r: Serial) -> String {
    match r.outcome {
        Err(RunError::Controller(ControllerError::Fault { message, .. })) => message,
        Err(e) => panic!("expected a controller fault, got {e}"),
        Ok(_) => panic!("the run should have failed"),
    }
}

#[test]
fn a_clean_board_gives_the_in_process_run_tick_for_tick() {
    let (h, _) = recovered(Faults::default());
    assert_eq!(h.mode, "lockstep");
    assert_eq!(h.round_trip_us.count, 3000);
    assert_eq!(h.frames_sent, 3000 + h.resends);
    assert_eq!(h.frames_received, 3000 + h.duplicates);
    for name in [
        "link_crc_errors",
        "link_cobs_errors",
        "link_malformed_frames",
        "link_oversize_frames",
        "link_resyncs",
        "link_frames_missed",
        "link_board_resets",
        "link_board_errors",
        "link_deadline_misses",
        "link_late_actuators",
    ] {
        assert_eq!(h.metric(name), Some(0.0), "{name}");
    }
    assert!(h.round_trip_us.p50 > 0.0 && h.round_trip_us.max >= h.round_trip_us.p99);
}

#[test]
fn corrupted_actuators_are_dropped_counted_and_asked_for_again() {
    let (h, board) = recovered(Faults {
        corrupt_tx_every: Some(97),
        ..Faults::default()
    });
    assert!(board.corrupted >= 30, "{board:?}");
    assert_eq!(h.resyncs, board.corrupted, "{h:?}");
    assert_eq!(
        h.crc_errors + h.cobs_errors + h.malformed_frames,
        board.corrupted
    );
    assert!(h.crc_errors > 0);
    assert_eq!(h.resends_after_error, board.corrupted);
}

#[test]
fn corrupted_sensors_are_reported_by_the_board_and_resent() {
    let (h, board) = recovered(Faults {
        corrupt_rx_every: Some(89),
        ..Faults::default()
    });
    assert!(board.bad_frames >= 30, "{board:?}");
    assert_eq!(h.board_errors.get("bad_frame"), Some(&board.bad_frames));
    assert_eq!(h.resends_after_error, board.bad_frames);
    assert_eq!(h.metric("link_board_errors"), Some(board.bad_frames as f64));
}

#[test]
fn dropped_actuators_are_resent_after_the_frame_timeout() {
    let (h, board) = recovered(Faults {
        drop_every: Some(300),
        ..Faults::default()
    });
    assert_eq!(board.dropped, 10, "{board:?}");
    // Each lost Actuator cost one resend after the timeout (a slow machine may add some).
    assert!(h.resends_after_timeout >= board.dropped, "{h:?}");
    assert_eq!(h.resyncs, 0);
}

#[test]
fn duplicated_actuators_are_counted_and_ignored() {
    let (h, board) = recovered(Faults {
        duplicate_every: Some(50),
        ..Faults::default()
    });
    assert_eq!(board.duplicated, 60);
    assert!(h.duplicates >= 59, "{h:?}");
}

#[test]
fn a_board_reset_mid_run_fails_the_run_naming_it() {
    let r = run_serial(
        Faults {
            reset_at_seq: Some(1000),
            ..Faults::default()
        },
        options(),
    );
    let m = failure(r);
    assert!(m.contains("reset itself mid-run"), "{m}");
    assert!(m.contains("seq 1000"), "{m}");
    assert!(m.contains("board_resets 1"), "{m}");
}

#[test]
fn a_closed_port_fails_the_run_naming_it() {
    let r = run_serial(
        Faults {
            close_at_seq: Some(500),
            ..Faults::default()
        },
        options(),
    );
    let m = failure(r);
    assert!(m.contains("serial link closed"), "{m}");
    assert!(m.contains("closed the port"), "{m}");
}

#[test]
fn a_board_that_goes_silent_is_caught_by_the_watchdog() {
    let r = run_serial(
        Faults {
            silent_from_seq: Some(100),
            ..Faults::default()
        },
        SerialOptions {
            timeout: Duration::from_millis(300),
            resend_after: Duration::from_millis(50),
            ..options()
        },
    );
    assert_eq!(r.samples.len(), 10, "rows up to the silent tick");
    let m = failure(r);
    assert!(m.contains("board silent"), "{m}");
    assert!(m.contains("Sensor seq 100"), "{m}");
    assert!(m.contains("controller.timeout_ms` = 300"), "{m}");
    assert!(m.contains("resends"), "{m}");
}

#[test]
fn a_board_that_never_answers_fails_the_handshake() {
    let (port, name, board) = virtual_board::spawn(Faults {
        hello_at_start: false,
        mute: true,
        ..Faults::default()
    });
    let err = SerialController::connect(
        port,
        &name,
        SerialOptions {
            startup_timeout: Duration::from_millis(600),
            ..options()
        },
    )
    .err()
    .expect("no handshake with a mute board");
    let board = board.finish();
    let ControllerError::Connect(m) = err else {
        panic!("expected a connect error, got {err}")
    };
    assert!(m.contains("did not say Hello"), "{m}");
    assert!(m.contains("Reset(s) sent"), "{m}");
    assert!(board.resets >= 1, "the rig sent Reset: {board:?}");
}

#[test]
fn a_board_that_booted_before_the_rig_is_woken_by_a_reset() {
    let (port, name, board) = virtual_board::spawn(Faults {
        hello_at_start: false,
        ..Faults::default()
    });
    let mut c = SerialController::connect(port, &name, options()).expect("handshake after Reset");
    let id = c.identity();
    assert_eq!(
        (id.adapter.as_str(), id.name.as_str()),
        ("serial", "virtual-board")
    );
    assert_eq!(id.build_id, "test-build");
    c.step(&pumprig::controller::SensorFrame::default())
        .unwrap();
    drop(c);
    assert_eq!(board.finish().resets, 1);
}

#[test]
fn another_protocol_version_is_refused_naming_both() {
    let (port, name, board) = virtual_board::spawn(Faults {
        protocol_version: 2,
        ..Faults::default()
    });
    let err = SerialController::connect(port, &name, options())
        .err()
        .expect("version 2 is refused");
    let m = err.to_string();
    assert!(m.contains("protocol version 2"), "{m}");
    assert!(m.contains("speaks version 1"), "{m}");
    let board = board.finish();
    // Error unsupported_version (1), detail = the rig's version (1).
    assert_eq!(board.errors_received, [(1, 1)]);
}

#[test]
fn a_board_at_another_tick_rate_is_refused_as_bad_input() {
    let (port, name, _board) = virtual_board::spawn(Faults {
        tick_hz: 500,
        ..Faults::default()
    });
    let err = SerialController::connect(port, &name, options())
        .err()
        .expect("500 Hz board for a 1000 Hz scenario");
    let ControllerError::Settings(m) = err else {
        panic!("expected a settings error, got {err}")
    };
    assert!(
        m.contains("tick_hz = 500") && m.contains("`tick_hz` is 1000"),
        "{m}"
    );
}

#[test]
fn real_time_with_a_slow_board_counts_deadline_misses_and_holds_the_last_actuator() {
    // A board that needs 3 ms per step cannot answer a 1 kHz tick in time: at most one tick in
    // three can be on time, so at least 2/3 of the ticks are misses, whatever the machine.
    let sc = loaded(&SHORT.replace("duration_s = 3.0", "duration_s = 0.6"));
    let (port, name, board) = virtual_board::spawn(Faults {
        step_delay: Some(Duration::from_millis(3)),
        ..Faults::default()
    });
    let mut c = SerialController::connect(
        port,
        &name,
        SerialOptions {
            mode: Mode::RealTime,
            ..options()
        },
    )
    .unwrap();
    let mut samples = Vec::new();
    let outcome = runner::run(&sc, &mut c, &mut samples).expect("misses do not fail the run");
    drop(c);
    board.finish();
    let h = outcome.link.unwrap();
    assert_eq!(h.mode, "real-time");
    assert!(h.deadline_misses >= 400, "{h:?}");
    assert!(h.late_actuators > 0, "{h:?}");
    assert_eq!(h.round_trip_us.count + h.deadline_misses, 600);
    assert_eq!(h.send_lateness_us.count, 600);
    assert_eq!(h.resends, 0, "no resends in real time");
}

#[test]
fn real_time_with_a_clean_board_completes_and_accounts_for_every_tick() {
    let sc = loaded(&SHORT.replace("duration_s = 3.0", "duration_s = 0.7"));
    let (port, name, board) = virtual_board::spawn(Faults::default());
    let mut c = SerialController::connect(
        port,
        &name,
        SerialOptions {
            mode: Mode::RealTime,
            ..options()
        },
    )
    .unwrap();
    let outcome = runner::run(&sc, &mut c, &mut Vec::new()).unwrap();
    drop(c);
    let board = board.finish();
    let h = outcome.link.unwrap();
    assert_eq!(h.round_trip_us.count + h.deadline_misses, 700);
    assert_eq!(board.steps, 700, "every Sensor stepped once");
}

#[test]
fn link_health_is_checkable_and_recorded() {
    let sc = loaded(SHORT);
    // A clean link passes `link_crc_errors <= 0`...
    let (port, name, board) = virtual_board::spawn(Faults::default());
    let mut c = SerialController::connect(port, &name, options()).unwrap();
    let dir = std::env::temp_dir().join(format!("pumprig-serial-record-{}", std::process::id()));
    let done = pumprig::session::run_controller_to_dir(&sc, &mut c, &dir).unwrap();
    drop(c);
    board.finish();
    assert!(done.passed(), "{:?}", done.metrics.checks);
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("record.json")).unwrap()).unwrap();
    let health = &record["link_health"];
    assert_eq!(health["crc_errors"], 0);
    assert_eq!(health["mode"], "lockstep");
    assert!(health["round_trip_us"]["p99"].as_f64().unwrap() > 0.0);
    assert_eq!(record["controller"]["adapter"], "serial");
    std::fs::remove_dir_all(&dir).unwrap();

    // ... a corrupting one fails it, with the count ...
    let r = run_serial(
        Faults {
            corrupt_tx_every: Some(500),
            ..Faults::default()
        },
        options(),
    );
    let check = &r.outcome.unwrap().metrics.checks[0];
    assert!(!check.pass);
    assert!(check.value.unwrap() >= 1.0, "{check:?}");
    assert!(
        check.message.contains("link_crc_errors was"),
        "{}",
        check.message
    );

    // ... and without a link the check fails saying why.
    let mut c = ReferenceController::new(&sc.scenario.controller.settings).unwrap();
    let outcome = runner::run(&sc, &mut c, &mut Vec::new()).unwrap();
    let check = &outcome.metrics.checks[0];
    assert!(!check.pass);
    assert!(
        check.message.contains("no serial link"),
        "{}",
        check.message
    );
}
