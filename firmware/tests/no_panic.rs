//! Property tests: no settings and no input sequence can panic the controller, and every output
//! stays in range and consistent with the state it reports.

use proptest::prelude::*;
use pumprig_firmware::{
    Buttons, ControlGains, Controller, CyclePhase, Fault, Inputs, Outputs, PhaseProfile,
    ProgramSettings, SensorCalibration, Settings, StartPhase, State, SupervisorSettings,
};

fn any_phase() -> impl Strategy<Value = PhaseProfile> {
    (
        any::<u16>(),
        any::<u16>(),
        any::<u16>(),
        any::<u16>(),
        any::<u16>(),
        any::<u8>(),
        any::<u8>(),
    )
        .prop_map(|(cpm, v, min, max, step, pull, rise)| PhaseProfile {
            cycles_per_min: cpm,
            vacuum_mmhg: v,
            min_vacuum_mmhg: min,
            max_vacuum_mmhg: max,
            level_step_mmhg: step,
            pull_percent: pull,
            rise_percent: rise,
        })
}

/// Any bit pattern at all, mostly invalid.
fn any_settings() -> impl Strategy<Value = Settings> {
    (
        any::<u16>(),
        (any::<u16>(), any::<u32>(), any::<u16>(), any::<u16>()),
        any_phase(),
        any_phase(),
        (any::<bool>(), any::<u16>(), any::<bool>()),
        (any::<u16>(), any::<u16>(), any::<u16>(), any::<u16>()),
        (
            any::<u16>(),
            any::<u16>(),
            any::<u16>(),
            any::<u16>(),
            any::<u16>(),
            any::<u16>(),
        ),
    )
        .prop_map(
            |(tick_hz, sensor, stimulation, expression, program, control, sup)| Settings {
                tick_hz,
                sensor: SensorCalibration {
                    zero_counts: sensor.0,
                    counts_per_mmhg_milli: sensor.1,
                    valid_min_counts: sensor.2,
                    valid_max_counts: sensor.3,
                },
                stimulation,
                expression,
                program: ProgramSettings {
                    start_phase: if program.0 {
                        StartPhase::Stimulation
                    } else {
                        StartPhase::Expression
                    },
                    stimulation_max_s: program.1,
                    start_on_power_up: program.2,
                },
                control: ControlGains {
                    kp_permille_per_mmhg: control.0,
                    ki_permille_per_mmhg_s: control.1,
                    feedforward_permille_per_mmhg: control.2,
                    lead_ms: control.0 % 100,
                    max_duty_permille: control.3,
                },
                supervisor: SupervisorSettings {
                    max_vacuum_mmhg: sup.0,
                    over_vacuum_ms: sup.1,
                    stuck_window_ms: sup.2,
                    stuck_min_duty_permille: sup.3,
                    stuck_vent_min_vacuum_mmhg: sup.3 % 40,
                    stuck_max_change_dmmhg: sup.4,
                    out_of_range_ms: sup.5,
                },
            },
        )
}

/// Valid settings spread around the defaults, including extreme gains and calibrations.
fn valid_settings() -> impl Strategy<Value = Settings> {
    (
        prop_oneof![Just(1000u16), 100u16..=20_000],
        (0u16..=4095, 1u32..=1_000_000),
        (1u16..=60, 1u8..=99, 0u8..=100),
        (1u16..=60, 1u8..=99, 0u8..=100),
        (any::<bool>(), 0u16..=3, any::<bool>()),
        (any::<u16>(), any::<u16>(), any::<u16>(), 0u16..=1000),
        (0u16..=50, 0u16..=50, 1u16..=500, 0u16..=1200, any::<u16>()),
    )
        .prop_map(|(tick_hz, cal, stim, expr, program, gains, sup)| {
            let d = Settings::default();
            Settings {
                tick_hz,
                sensor: SensorCalibration {
                    zero_counts: cal.0,
                    counts_per_mmhg_milli: cal.1,
                    ..d.sensor
                },
                // Cycles stay at least 100 ticks long at any tick rate drawn here.
                stimulation: PhaseProfile {
                    cycles_per_min: stim.0,
                    pull_percent: stim.1,
                    rise_percent: stim.2,
                    ..d.stimulation
                },
                expression: PhaseProfile {
                    cycles_per_min: expr.0,
                    pull_percent: expr.1,
                    rise_percent: expr.2,
                    ..d.expression
                },
                program: ProgramSettings {
                    start_phase: if program.0 {
                        StartPhase::Stimulation
                    } else {
                        StartPhase::Expression
                    },
                    stimulation_max_s: program.1,
                    start_on_power_up: program.2,
                },
                control: ControlGains {
                    kp_permille_per_mmhg: gains.0,
                    ki_permille_per_mmhg_s: gains.1,
                    feedforward_permille_per_mmhg: gains.2,
                    lead_ms: gains.0 % 100,
                    max_duty_permille: gains.3,
                },
                supervisor: SupervisorSettings {
                    over_vacuum_ms: sup.0,
                    out_of_range_ms: sup.1,
                    stuck_window_ms: sup.2,
                    stuck_min_duty_permille: sup.3,
                    stuck_vent_min_vacuum_mmhg: sup.3 % 40,
                    stuck_max_change_dmmhg: sup.4,
                    ..d.supervisor
                },
            }
        })
}

/// Runs of identical inputs: (counts, buttons, ticks held).
fn input_runs() -> impl Strategy<Value = Vec<(u16, u8, u16)>> {
    let counts = prop_oneof![any::<u16>(), 0u16..=4095, 240u16..=3000, Just(248u16)];
    let buttons = prop_oneof![
        Just(0u8),
        Just(Buttons::POWER),
        Just(Buttons::LETDOWN),
        any::<u8>()
    ];
    proptest::collection::vec((counts, buttons, 1u16..=400), 1..200)
}

fn check_invariants(s: &Settings, inputs: &Inputs, out: &Outputs) {
    let t = &out.telemetry;
    assert!(out.motor_duty_permille <= s.control.max_duty_permille.min(1000));
    assert_eq!(
        t.measured_vacuum_dmmhg,
        s.sensor.vacuum_dmmhg(inputs.pressure_counts)
    );
    assert_eq!(t.state == State::Fault, t.fault != Fault::None);
    match t.state {
        State::Idle | State::Fault => {
            assert_eq!(out.motor_duty_permille, 0);
            assert!(out.valve_open);
            assert_eq!(t.cycle_phase, CyclePhase::None);
            assert_eq!(t.target_vacuum_dmmhg, 0);
        }
        State::Stimulation | State::Expression => {
            let p = if t.state == State::Stimulation {
                &s.stimulation
            } else {
                &s.expression
            };
            assert_eq!(t.cycles_per_min, p.cycles_per_min);
            assert!((p.min_vacuum_mmhg..=p.max_vacuum_mmhg).contains(&t.level_vacuum_mmhg));
            assert!(u32::from(t.target_vacuum_dmmhg) <= u32::from(t.level_vacuum_mmhg) * 10);
            match t.cycle_phase {
                CyclePhase::Pull => assert!(!out.valve_open),
                CyclePhase::Release => {
                    assert!(out.valve_open);
                    assert_eq!(out.motor_duty_permille, 0);
                    assert_eq!(t.target_vacuum_dmmhg, 0);
                }
                CyclePhase::None => panic!("running without a cycle phase"),
            }
        }
    }
}

fn drive(settings: &Settings, runs: &[(u16, u8, u16)]) {
    let Ok(mut ctrl) = Controller::new(settings) else {
        return;
    };
    let mut time_ns = 0u64;
    for &(counts, buttons, ticks) in runs {
        for _ in 0..ticks {
            let inputs = Inputs {
                time_ns,
                pressure_counts: counts,
                buttons: Buttons(buttons),
                supply_mv: counts,
            };
            let out = ctrl.step(&inputs);
            check_invariants(settings, &inputs, &out);
            time_ns = time_ns.wrapping_add(1_000_000);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_settings_never_panic(settings in any_settings(), runs in input_runs()) {
        // Mostly rejected; whatever is accepted must run cleanly.
        drive(&settings, &runs);
    }

    #[test]
    fn valid_settings_and_random_inputs_never_panic(settings in valid_settings(), runs in input_runs()) {
        prop_assert_eq!(settings.validate(), Ok(()));
        drive(&settings, &runs);
    }
}

/// One long session (about 20 simulated minutes) of pseudo-random inputs with the defaults.
#[test]
fn long_random_session_with_defaults() {
    let settings = Settings::default();
    let mut ctrl = Controller::new(&settings).unwrap();
    let mut x = 0x2545_f491_4f6c_dd1du64; // xorshift64
    let mut held = Inputs::default();
    for tick in 0..1_200_000u64 {
        if tick % 37 == 0 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            held.pressure_counts = (x % 4200) as u16;
            held.buttons = Buttons(if x % 5 == 0 { (x >> 32) as u8 } else { 0 });
        }
        held.time_ns = tick * 1_000_000;
        let out = ctrl.step(&held);
        check_invariants(&settings, &held, &out);
    }
}
