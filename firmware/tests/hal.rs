//! HAL shim with mock peripherals: inputs reach the controller, permille maps onto the PWM's
//! range, the valve pin follows the controller, and actuator errors surface.

use core::convert::Infallible;

use embedded_hal::digital::{self, ErrorType as PinErrorType, OutputPin};
use embedded_hal::pwm::{self, ErrorType as PwmErrorType, SetDutyCycle};
use pumprig_firmware::hal::{HalError, PumpHal, duty_cycle_for, run_tick};
use pumprig_firmware::{Buttons, Controller, CyclePhase, Settings, StartPhase, State};

struct MockBoard {
    counts: u16,
    buttons: Buttons,
}

impl PumpHal for MockBoard {
    fn read_pressure_counts(&mut self) -> u16 {
        self.counts
    }
    fn buttons(&mut self) -> Buttons {
        self.buttons
    }
    fn supply_mv(&mut self) -> u16 {
        12_000
    }
}

struct MockPwm {
    max: u16,
    duty: u16,
    fail: bool,
}

#[derive(Debug)]
struct PwmFault;

impl pwm::Error for PwmFault {
    fn kind(&self) -> pwm::ErrorKind {
        pwm::ErrorKind::Other
    }
}

impl PwmErrorType for MockPwm {
    type Error = PwmFault;
}

impl SetDutyCycle for MockPwm {
    fn max_duty_cycle(&self) -> u16 {
        self.max
    }
    fn set_duty_cycle(&mut self, duty: u16) -> Result<(), PwmFault> {
        assert!(duty <= self.max, "duty {duty} above max {}", self.max);
        if self.fail {
            return Err(PwmFault);
        }
        self.duty = duty;
        Ok(())
    }
}

struct MockPin {
    high: Option<bool>,
}

impl PinErrorType for MockPin {
    type Error = Infallible;
}

impl OutputPin for MockPin {
    fn set_low(&mut self) -> Result<(), Infallible> {
        self.high = Some(false);
        Ok(())
    }
    fn set_high(&mut self) -> Result<(), Infallible> {
        self.high = Some(true);
        Ok(())
    }
}

fn expression_controller() -> Controller {
    let mut settings = Settings::default();
    settings.program.start_phase = StartPhase::Expression;
    settings.program.start_on_power_up = true;
    Controller::new(&settings).unwrap()
}

#[test]
fn duty_maps_permille_onto_the_pwm_range() {
    assert_eq!(duty_cycle_for(0, 4800), 0);
    assert_eq!(duty_cycle_for(500, 4800), 2400);
    assert_eq!(duty_cycle_for(1000, 4800), 4800);
    assert_eq!(duty_cycle_for(1000, u16::MAX), u16::MAX);
    assert_eq!(duty_cycle_for(u16::MAX, 255), 255);
    assert_eq!(duty_cycle_for(333, 255), 84);
}

#[test]
fn run_tick_drives_the_actuators_like_step() {
    let mut ctrl = expression_controller();
    let mut twin = expression_controller();
    let mut board = MockBoard {
        counts: 248,
        buttons: Buttons(0),
    };
    let mut motor = MockPwm {
        max: 4800,
        duty: 0,
        fail: false,
    };
    let mut valve = MockPin { high: None };
    let mut saw_pull = false;
    for tick in 0..2_000u64 {
        board.counts = 248 + (tick % 700) as u16; // something moving, in range
        let telemetry = run_tick(
            &mut ctrl,
            &mut board,
            &mut motor,
            &mut valve,
            tick * 1_000_000,
        )
        .expect("mocks do not fail");
        let expected = twin.step(&pumprig_firmware::Inputs {
            time_ns: tick * 1_000_000,
            pressure_counts: board.counts,
            buttons: board.buttons,
            supply_mv: 12_000,
        });
        assert_eq!(telemetry, expected.telemetry);
        assert_eq!(valve.high, Some(expected.valve_open));
        assert_eq!(
            u32::from(motor.duty),
            u32::from(expected.motor_duty_permille) * 4800 / 1000
        );
        saw_pull |= telemetry.cycle_phase == CyclePhase::Pull && motor.duty > 0;
    }
    assert!(saw_pull);
}

#[test]
fn a_failing_pwm_is_reported_and_the_valve_is_still_driven() {
    let mut ctrl = expression_controller();
    let mut board = MockBoard {
        counts: 248,
        buttons: Buttons(0),
    };
    let mut motor = MockPwm {
        max: 1000,
        duty: 0,
        fail: true,
    };
    let mut valve = MockPin { high: None };
    let result = run_tick(&mut ctrl, &mut board, &mut motor, &mut valve, 0);
    assert_eq!(result, Err(HalError::Motor(pwm::ErrorKind::Other)));
    assert_eq!(valve.high, Some(false), "pull closes the valve even so");
    assert!(
        HalError::Motor(pwm::ErrorKind::Other)
            .to_string()
            .contains("motor")
    );
    assert!(
        HalError::Valve(digital::ErrorKind::Other)
            .to_string()
            .contains("valve")
    );
}

#[test]
fn board_can_be_borrowed() {
    let mut ctrl = expression_controller();
    let mut board = MockBoard {
        counts: 248,
        buttons: Buttons(0),
    };
    let mut borrowed = &mut board;
    let mut motor = MockPwm {
        max: 100,
        duty: 0,
        fail: false,
    };
    let mut valve = MockPin { high: None };
    let t = run_tick(&mut ctrl, &mut borrowed, &mut motor, &mut valve, 0).unwrap();
    assert_eq!(t.state, State::Expression);
}
