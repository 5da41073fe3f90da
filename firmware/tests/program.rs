//! Program flow: power-up, start/stop, debounce, cycle rate, the two-phase switch and levels.

mod common;

use common::{Bench, ZERO_COUNTS};
use pumprig_firmware::{Buttons, CyclePhase, Outputs, Settings, StartPhase, State};

/// A bench whose transducer reads atmosphere: no plant, so these tests see the program alone.
fn bench_with(settings: &Settings) -> Bench {
    let mut bench = Bench::new(settings);
    bench.forced_counts = Some(ZERO_COUNTS);
    bench
}

/// Default settings with the stuck check disabled (the forced reading never moves).
fn quiet_settings() -> Settings {
    let mut s = Settings::default();
    s.supervisor.stuck_min_duty_permille = 1001;
    s.supervisor.stuck_vent_min_vacuum_mmhg = 0;
    s
}

fn is_idle_safe(out: &Outputs) -> bool {
    out.telemetry.state == State::Idle
        && out.motor_duty_permille == 0
        && out.valve_open
        && out.telemetry.cycle_phase == CyclePhase::None
}

#[test]
fn powers_up_idle_vented_and_waits_for_power() {
    let mut bench = bench_with(&quiet_settings());
    for _ in 0..5_000 {
        assert!(is_idle_safe(&bench.step()));
    }
}

#[test]
fn start_on_power_up_runs_the_start_phase_from_the_first_tick() {
    let mut settings = quiet_settings();
    settings.program.start_on_power_up = true;
    let mut bench = bench_with(&settings);
    let first = bench.step();
    assert_eq!(first.telemetry.state, State::Stimulation);
    assert_eq!(first.telemetry.cycle_phase, CyclePhase::Pull);
    assert!(!first.valve_open);
}

#[test]
fn power_press_starts_on_the_debounce_tick_and_stop_vents_at_once() {
    let mut bench = bench_with(&quiet_settings());
    bench.held = Buttons(Buttons::POWER);
    for _ in 0..19 {
        assert!(is_idle_safe(&bench.step()));
    }
    let started = bench.step();
    assert_eq!(started.telemetry.state, State::Stimulation);
    assert_eq!(started.telemetry.cycle_phase, CyclePhase::Pull);
    assert_eq!(started.telemetry.level_vacuum_mmhg, 80);
    assert_eq!(started.telemetry.cycles_per_min, 110);
    // Holding the button does not toggle again.
    for _ in 0..2_000 {
        assert_eq!(bench.step().telemetry.state, State::Stimulation);
    }
    bench.held = Buttons(0);
    bench.run(100);
    // Stop in the middle of a pull: motor 0 and valve open on the very tick the press registers.
    while bench.step().telemetry.cycle_phase != CyclePhase::Pull {}
    bench.run(50);
    let before = bench.step();
    assert!(!before.valve_open && before.motor_duty_permille > 0);
    let stopped = bench.press(Buttons::POWER);
    assert!(is_idle_safe(&stopped));
    assert!(is_idle_safe(&bench.step()));
}

#[test]
fn debounce_rejects_a_5_ms_glitch_and_bounces() {
    let mut bench = bench_with(&quiet_settings());
    for _ in 0..10 {
        bench.press_for(Buttons::POWER, 5);
        bench.run(10);
    }
    // Contact bounce: 19 ms down, 1 ms up, repeatedly, never 20 ms in a row.
    for _ in 0..10 {
        bench.press_for(Buttons::POWER, 19);
    }
    assert!(is_idle_safe(&bench.step()));
    let out = bench.press(Buttons::POWER);
    assert_eq!(out.telemetry.state, State::Stimulation);
}

#[test]
fn expression_runs_exactly_54_cycles_a_minute() {
    let mut settings = quiet_settings();
    settings.program.start_phase = StartPhase::Expression;
    let mut bench = bench_with(&settings);
    bench.held = Buttons(Buttons::POWER);
    bench.run(19);
    let mut pull_starts = 0;
    let mut prev = CyclePhase::None;
    // The minute starts on the tick the press registers.
    for minute_tick in 0..60_000 * 3 {
        let out = bench.step();
        if out.telemetry.cycle_phase == CyclePhase::Pull && prev != CyclePhase::Pull {
            pull_starts += 1;
        }
        prev = out.telemetry.cycle_phase;
        if minute_tick % 60_000 == 59_999 {
            assert_eq!(pull_starts, 54 * (minute_tick / 60_000 + 1));
        }
    }
}

#[test]
fn stimulation_runs_exactly_110_cycles_a_minute() {
    let mut settings = quiet_settings();
    settings.program.stimulation_max_s = 0;
    let mut bench = bench_with(&settings);
    bench.held = Buttons(Buttons::POWER);
    bench.run(19);
    let mut pull_starts = 0;
    let mut prev = CyclePhase::None;
    for _ in 0..60_000 {
        let out = bench.step();
        assert_eq!(out.telemetry.state, State::Stimulation);
        if out.telemetry.cycle_phase == CyclePhase::Pull && prev != CyclePhase::Pull {
            pull_starts += 1;
        }
        prev = out.telemetry.cycle_phase;
    }
    assert_eq!(pull_starts, 110);
    // The next tick starts cycle 111.
    assert_eq!(bench.step().telemetry.cycle_phase, CyclePhase::Pull);
}

#[test]
fn switches_to_expression_at_exactly_120_s() {
    let mut bench = bench_with(&quiet_settings());
    bench.held = Buttons(Buttons::POWER);
    bench.run(19);
    let start = bench.step();
    assert_eq!(start.telemetry.state, State::Stimulation);
    bench.held = Buttons(0);
    // Ticks 1..=119_999 after the start are stimulation; tick 120_000 is expression's first pull.
    for _ in 1..120_000 {
        assert_eq!(bench.step().telemetry.state, State::Stimulation);
    }
    let switched = bench.step();
    assert_eq!(switched.telemetry.state, State::Expression);
    assert_eq!(switched.telemetry.cycle_phase, CyclePhase::Pull);
    assert_eq!(
        switched.telemetry.target_vacuum_dmmhg, 0,
        "new cycle ramps from 0"
    );
    assert_eq!(switched.telemetry.level_vacuum_mmhg, 190);
    assert_eq!(switched.telemetry.cycles_per_min, 54);
}

#[test]
fn zero_stimulation_max_never_switches_automatically() {
    let mut settings = quiet_settings();
    settings.program.stimulation_max_s = 0;
    let mut bench = bench_with(&settings);
    bench.press(Buttons::POWER);
    for _ in 0..200_000 {
        assert_eq!(bench.step().telemetry.state, State::Stimulation);
    }
}

#[test]
fn letdown_switches_at_once_and_does_nothing_in_expression() {
    let mut bench = bench_with(&quiet_settings());
    bench.press(Buttons::POWER);
    bench.run(5_000);
    let switched = bench.press(Buttons::LETDOWN);
    assert_eq!(switched.telemetry.state, State::Expression);
    assert_eq!(switched.telemetry.cycle_phase, CyclePhase::Pull);
    bench.run(200);

    // From here, a twin bench without LETDOWN presses must produce identical outputs.
    let mut twin = bench_with(&quiet_settings());
    twin.press(Buttons::POWER);
    twin.run(5_000);
    twin.press(Buttons::LETDOWN);
    twin.run(200);
    for _ in 0..5 {
        bench.held = Buttons(Buttons::LETDOWN);
        for _ in 0..40 {
            assert_eq!(bench.step(), twin.step());
        }
        bench.held = Buttons(0);
        for _ in 0..300 {
            assert_eq!(bench.step(), twin.step());
        }
    }
}

#[test]
fn letdown_restarts_the_cycle_at_pull_even_mid_release() {
    let mut bench = bench_with(&quiet_settings());
    bench.press(Buttons::POWER);
    while bench.step().telemetry.cycle_phase != CyclePhase::Release {}
    bench.held = Buttons(Buttons::LETDOWN);
    bench.run(19);
    let out = bench.step();
    assert_eq!(out.telemetry.state, State::Expression);
    assert_eq!(out.telemetry.cycle_phase, CyclePhase::Pull);
}

#[test]
fn levels_step_clamp_and_are_remembered_per_phase() {
    let mut bench = bench_with(&quiet_settings());
    bench.press(Buttons::POWER);
    for expected in [90, 100, 110, 120, 130, 140, 150, 150, 150] {
        let out = bench.press(Buttons::LEVEL_UP);
        assert_eq!(out.telemetry.level_vacuum_mmhg, expected);
    }
    for _ in 0..20 {
        bench.press(Buttons::LEVEL_DOWN);
    }
    assert_eq!(bench.step().telemetry.level_vacuum_mmhg, 30);
    bench.press(Buttons::LEVEL_UP);
    assert_eq!(bench.step().telemetry.level_vacuum_mmhg, 40);

    bench.press(Buttons::LETDOWN);
    assert_eq!(bench.step().telemetry.level_vacuum_mmhg, 190);
    for _ in 0..10 {
        bench.press(Buttons::LEVEL_UP);
    }
    assert_eq!(bench.step().telemetry.level_vacuum_mmhg, 250);
    for _ in 0..30 {
        bench.press(Buttons::LEVEL_DOWN);
    }
    assert_eq!(bench.step().telemetry.level_vacuum_mmhg, 50);

    // Stop and start again: each phase still has its own level.
    bench.press(Buttons::POWER);
    let out = bench.press(Buttons::POWER);
    assert_eq!(out.telemetry.state, State::Stimulation);
    assert_eq!(out.telemetry.level_vacuum_mmhg, 40);
    bench.press(Buttons::LETDOWN);
    assert_eq!(bench.step().telemetry.level_vacuum_mmhg, 50);
}

#[test]
fn level_buttons_are_ignored_while_idle() {
    let mut bench = bench_with(&quiet_settings());
    for _ in 0..5 {
        bench.press(Buttons::LEVEL_UP);
    }
    let out = bench.press(Buttons::POWER);
    assert_eq!(out.telemetry.level_vacuum_mmhg, 80);
}

#[test]
fn target_never_exceeds_the_level_and_ramps_from_zero() {
    let mut bench = bench_with(&quiet_settings());
    bench.press(Buttons::POWER);
    let mut prev_target = 0;
    for _ in 0..10_000 {
        let t = bench.step().telemetry;
        assert!(t.target_vacuum_dmmhg <= t.level_vacuum_mmhg * 10);
        if t.cycle_phase == CyclePhase::Pull {
            assert!(t.target_vacuum_dmmhg >= prev_target || t.target_vacuum_dmmhg == 0);
        }
        prev_target = t.target_vacuum_dmmhg;
    }
}
