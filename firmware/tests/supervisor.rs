//! Safety supervisor: each fault trips on the last tick of its window and not before, latches,
//! stops the motor and vents; a POWER press clears it to Idle.

mod common;

use common::{Bench, ZERO_COUNTS};
use pumprig_firmware::{Buttons, CyclePhase, Fault, Outputs, Settings, StartPhase, State};

/// Counts for a vacuum with the default calibration (9.930 counts/mmHg), rounded up.
fn counts_for_mmhg(mmhg: u32) -> u16 {
    (u32::from(ZERO_COUNTS) + (mmhg * 9930).div_ceil(1000)) as u16
}

fn assert_faulted(out: &Outputs, fault: Fault) {
    assert_eq!(out.telemetry.state, State::Fault);
    assert_eq!(out.telemetry.fault, fault);
    assert_eq!(out.telemetry.cycle_phase, CyclePhase::None);
    assert_eq!(out.motor_duty_permille, 0);
    assert!(out.valve_open);
}

fn assert_healthy(out: &Outputs) {
    assert_ne!(out.telemetry.state, State::Fault);
    assert_eq!(out.telemetry.fault, Fault::None);
}

/// Expression running on the fake plant, in the middle of a pull.
fn running_expression() -> Bench {
    running_expression_with_last().0
}

/// As [`running_expression`], with the last tick's outputs.
fn running_expression_with_last() -> (Bench, Outputs) {
    let mut settings = Settings::default();
    settings.program.start_phase = StartPhase::Expression;
    let mut bench = Bench::new(&settings);
    bench.press(Buttons::POWER);
    bench.run(3_000);
    while bench.step().telemetry.cycle_phase != CyclePhase::Pull {}
    bench.run(100);
    let out = bench.step();
    assert!(!out.valve_open && out.motor_duty_permille > 0);
    (bench, out)
}

/// Forces `counts` and checks the fault trips on exactly the `window_ticks`-th tick.
fn trips_on_last_tick_of_window(bench: &mut Bench, counts: u16, window_ticks: u32, fault: Fault) {
    bench.forced_counts = Some(counts);
    for _ in 1..window_ticks {
        assert_healthy(&bench.step());
    }
    assert_faulted(&bench.step(), fault);
}

#[test]
fn over_vacuum_trips_after_20_ms_above_275_mmhg() {
    let mut bench = running_expression();
    let above = counts_for_mmhg(276);
    trips_on_last_tick_of_window(&mut bench, above, 20, Fault::OverVacuum);
    // Latched: the reading recovers but the fault stays until POWER.
    bench.forced_counts = None;
    for _ in 0..5_000 {
        assert_faulted(&bench.step(), Fault::OverVacuum);
    }
}

#[test]
fn over_vacuum_excursion_shorter_than_the_window_does_not_trip() {
    let mut bench = running_expression();
    for _ in 0..20 {
        bench.forced_counts = Some(counts_for_mmhg(300));
        for _ in 0..19 {
            assert_healthy(&bench.step());
        }
        bench.forced_counts = Some(counts_for_mmhg(200));
        assert_healthy(&bench.step());
    }
    // Exactly at the limit is not above it.
    bench.forced_counts = Some(ZERO_COUNTS + 2731); // 275.0 mmHg
    assert_eq!(bench.step().telemetry.measured_vacuum_dmmhg, 2750);
    for _ in 0..100 {
        assert_healthy(&bench.step());
    }
}

#[test]
fn over_vacuum_is_watched_while_idle_too() {
    let mut bench = Bench::default_settings();
    bench.run(100);
    trips_on_last_tick_of_window(&mut bench, counts_for_mmhg(300), 20, Fault::OverVacuum);
}

#[test]
fn sensor_out_of_range_trips_after_10_ms_low_or_high() {
    let mut bench = running_expression();
    trips_on_last_tick_of_window(&mut bench, 99, 10, Fault::SensorOutOfRange);

    let mut bench = running_expression();
    trips_on_last_tick_of_window(&mut bench, 4001, 10, Fault::SensorOutOfRange);

    let mut idle = Bench::default_settings();
    trips_on_last_tick_of_window(&mut idle, 0, 10, Fault::SensorOutOfRange);
}

#[test]
fn valid_range_bounds_are_inclusive() {
    let mut bench = running_expression();
    bench.forced_counts = Some(100);
    bench.run(5);
    bench.forced_counts = Some(4000);
    bench.run(5);
    bench.forced_counts = Some(100);
    for _ in 0..100 {
        assert_healthy(&bench.step());
    }
}

/// Runs with a frozen reading from the next tick on and checks SensorStuck trips on the first
/// tick by which 300 "excited" ticks have been seen — ticks whose previous commands should have
/// moved a healthy reading: duty >= 500 permille, or the valve open with the reading at or above
/// 20 mmHg — and not a tick before. Unexcited ticks pause the count; they do not restart it.
fn stuck_trips_exactly_after_window(
    bench: &mut Bench,
    last: Outputs,
    readings: impl Fn(u64) -> u16,
) {
    let cal = pumprig_firmware::SensorCalibration::default();
    let (mut prev_duty, mut prev_valve) = (last.motor_duty_permille, last.valve_open);
    let mut excited = 0u32;
    for i in 0..10_000u64 {
        let counts = readings(i);
        bench.forced_counts = Some(counts);
        let venting = prev_valve && cal.vacuum_dmmhg(counts) >= 200;
        excited += u32::from(prev_duty >= 500 || venting);
        let out = bench.step();
        if excited >= 300 {
            assert_faulted(&out, Fault::SensorStuck);
            return;
        }
        assert_healthy(&out);
        (prev_duty, prev_valve) = (out.motor_duty_permille, out.valve_open);
    }
    panic!("stuck sensor never tripped");
}

#[test]
fn stuck_sensor_trips_after_300_ms_of_high_duty_without_movement() {
    let (mut bench, last) = running_expression_with_last();
    stuck_trips_exactly_after_window(&mut bench, last, |_| ZERO_COUNTS + 500);
}

#[test]
fn stuck_sensor_with_a_flickering_lsb_still_trips() {
    let (mut bench, last) = running_expression_with_last();
    stuck_trips_exactly_after_window(&mut bench, last, |i| ZERO_COUNTS + 500 + (i % 2) as u16);
}

#[test]
fn a_moving_reading_is_not_stuck() {
    let mut bench = running_expression();
    // Swings of 3 mmHg (more than the 2 mmHg band) every 100 ms, duty pinned high.
    for i in 0..20_000u64 {
        let swing = if (i / 100) % 2 == 0 { 0 } else { 30 };
        bench.forced_counts = Some(ZERO_COUNTS + 500 + swing);
        assert_healthy(&bench.step());
    }
}

#[test]
fn healthy_plant_runs_a_full_session_without_faults() {
    let mut bench = Bench::default_settings();
    bench.press(Buttons::POWER);
    for _ in 0..300_000 {
        assert_healthy(&bench.step());
    }
    assert_eq!(bench.step().telemetry.state, State::Expression);
}

#[test]
fn power_clears_the_fault_to_idle_and_the_pump_can_restart() {
    let mut bench = running_expression();
    trips_on_last_tick_of_window(&mut bench, 50, 10, Fault::SensorOutOfRange);
    bench.forced_counts = None;
    // Level buttons and LETDOWN do nothing in Fault.
    bench.press(Buttons::LEVEL_UP);
    bench.press(Buttons::LETDOWN);
    assert_faulted(&bench.step(), Fault::SensorOutOfRange);
    let cleared = bench.press(Buttons::POWER);
    assert_eq!(cleared.telemetry.state, State::Idle);
    assert_eq!(cleared.telemetry.fault, Fault::None);
    assert!(cleared.valve_open && cleared.motor_duty_permille == 0);
    bench.run(100);
    let restarted = bench.press(Buttons::POWER);
    assert_eq!(restarted.telemetry.state, State::Expression);
    assert_eq!(restarted.telemetry.level_vacuum_mmhg, 190);
}

#[test]
fn a_persisting_condition_trips_again_after_clearing() {
    let mut bench = running_expression();
    trips_on_last_tick_of_window(&mut bench, 50, 10, Fault::SensorOutOfRange);
    // The press registers on its 20th tick; the window restarts from there.
    bench.held = Buttons(Buttons::POWER);
    bench.run(19);
    assert_eq!(bench.step().telemetry.state, State::Idle);
    for _ in 1..10 {
        assert_healthy(&bench.step());
    }
    assert_faulted(&bench.step(), Fault::SensorOutOfRange);
}

/// Ticks until the supervisor latches SensorStuck with the reading frozen at `mmhg`, starting
/// from `bench` as it is; None if it never trips within 10 s.
fn ticks_to_stuck_trip(bench: &mut Bench, mmhg: u32) -> Option<u64> {
    bench.forced_counts = Some(counts_for_mmhg(mmhg));
    (1..=10_000).find(|_| bench.step().telemetry.fault == Fault::SensorStuck)
}

#[test]
fn a_reading_stuck_during_stimulation_is_caught_across_short_pulls() {
    // At 110 cycles/min a pull (272 ms) is shorter than the 300 ms window: the excited ticks of
    // successive pulls and vents must add up.
    let mut bench = Bench::new(&Settings::default());
    bench.press(Buttons::POWER);
    bench.run(3_000);
    let ticks = ticks_to_stuck_trip(&mut bench, 60).expect("stuck reading caught");
    assert!(ticks <= 1_200, "took {ticks} ticks");
}

#[test]
fn a_reading_stuck_high_while_venting_is_caught() {
    // Frozen at the top of a pull: the firmware then sees the target reached (duty falls) and
    // the valve opening must bring it down. Only the vent half of the check can see this.
    let mut settings = Settings::default();
    settings.program.start_phase = StartPhase::Expression;
    let mut bench = Bench::new(&settings);
    bench.press(Buttons::POWER);
    bench.run(3_000);
    while bench.step().telemetry.cycle_phase != CyclePhase::Release {}
    let ticks = ticks_to_stuck_trip(&mut bench, 190).expect("stuck-high reading caught");
    assert!(ticks <= 1_500, "took {ticks} ticks");
    // With the vent half disabled it is not caught this way: the check has teeth.
    settings.supervisor.stuck_vent_min_vacuum_mmhg = 0;
    let mut bench = Bench::new(&settings);
    bench.press(Buttons::POWER);
    bench.run(3_000);
    while bench.step().telemetry.cycle_phase != CyclePhase::Release {}
    assert_eq!(ticks_to_stuck_trip(&mut bench, 190), None);
}
