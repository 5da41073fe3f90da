//! Feature `firmware`: frames carry the reference firmware's Inputs and Outputs losslessly.

use proptest::prelude::*;
use pumprig_firmware::{Buttons, CyclePhase, Fault, Inputs, Outputs, State, Telemetry};
use pumprig_link::*;

fn arb_outputs() -> impl Strategy<Value = Outputs> {
    (
        any::<u16>(),
        any::<bool>(),
        0u8..4,
        0u8..3,
        0u8..4,
        any::<u16>(),
        any::<i16>(),
        any::<u16>(),
        any::<u16>(),
    )
        .prop_map(|(d, v, s, c, f, t, m, l, r)| Outputs {
            motor_duty_permille: d,
            valve_open: v,
            telemetry: Telemetry {
                state: State::from_code(s).unwrap(),
                cycle_phase: CyclePhase::from_code(c).unwrap(),
                fault: Fault::from_code(f).unwrap(),
                target_vacuum_dmmhg: t,
                measured_vacuum_dmmhg: m,
                level_vacuum_mmhg: l,
                cycles_per_min: r,
            },
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn inputs_survive_the_wire(time_ns in any::<u64>(), p in any::<u16>(), b in any::<u8>(), mv in any::<u16>(), seq in any::<u32>()) {
        let inputs = Inputs { time_ns, pressure_counts: p, buttons: Buttons(b), supply_mv: mv };
        let frame = Frame::from_inputs(seq, &inputs);
        let mut w = [0u8; MAX_FRAME_LEN];
        let n = encode(&frame, &mut w).unwrap();
        let back = decode(&w[..n]).unwrap();
        prop_assert_eq!(back.seq, seq);
        prop_assert_eq!(back.to_inputs(), Some(inputs));
    }

    #[test]
    fn outputs_survive_the_wire(out in arb_outputs()) {
        let frame = Frame::new(1, 0, Message::Actuator(Actuator::from(&out)));
        let mut w = [0u8; MAX_FRAME_LEN];
        let n = encode(&frame, &mut w).unwrap();
        let Message::Actuator(a) = decode(&w[..n]).unwrap().message else { panic!("not an actuator") };
        prop_assert_eq!(Outputs::try_from(a), Ok(out));
    }
}

#[test]
fn unknown_codes_are_refused_by_name() {
    let a = Actuator {
        state: 9,
        ..Actuator::default()
    };
    let e = Outputs::try_from(a).unwrap_err();
    assert_eq!(
        e,
        UnknownCode {
            field: "state",
            code: 9
        }
    );
    assert_eq!(e.to_string(), "unknown state code 9");
    let a = Actuator {
        cycle_phase: 3,
        ..Actuator::default()
    };
    assert_eq!(Outputs::try_from(a).unwrap_err().field, "cycle_phase");
    let a = Actuator {
        fault: 4,
        ..Actuator::default()
    };
    assert_eq!(Outputs::try_from(a).unwrap_err().field, "fault");
    assert_eq!(
        Frame::new(0, 0, Message::Ready).to_inputs(),
        None,
        "only a Sensor frame has inputs"
    );
}

#[test]
fn the_reference_firmware_runs_through_the_link() {
    use pumprig_firmware::{Controller, Settings};
    let mut ctrl = Controller::new(&Settings::default()).unwrap();
    let mut direct = Controller::new(&Settings::default()).unwrap();
    let mut w = [0u8; MAX_FRAME_LEN];
    for seq in 1..=200u32 {
        let inputs = Inputs {
            time_ns: u64::from(seq) * 1_000_000,
            pressure_counts: 248,
            buttons: Buttons(if seq < 30 { Buttons::POWER } else { 0 }),
            supply_mv: 5000,
        };
        // Rig side: Sensor out.
        let n = encode(&Frame::from_inputs(seq, &inputs), &mut w).unwrap();
        // Board side: decode, one step, Actuator back with the same seq and time.
        let rx = decode(&w[..n]).unwrap();
        let out = ctrl.step(&rx.to_inputs().unwrap());
        let n = encode(
            &Frame::new(rx.seq, rx.time_ns, Message::Actuator(Actuator::from(&out))),
            &mut w,
        )
        .unwrap();
        // Rig side again.
        let back = decode(&w[..n]).unwrap();
        assert_eq!(back.seq, seq);
        let Message::Actuator(a) = back.message else {
            panic!("not an actuator")
        };
        assert_eq!(Outputs::try_from(a).unwrap(), direct.step(&inputs));
    }
}
