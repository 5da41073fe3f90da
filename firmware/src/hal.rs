//! HAL shim: the same controller on a board. A [`PumpHal`] supplies the sensor and buttons, an
//! embedded-hal PWM drives the motor and an embedded-hal output pin drives the release valve;
//! [`run_tick`] runs one control tick across them.

use core::fmt;

use embedded_hal::digital::{self, OutputPin};
use embedded_hal::pwm::{self, SetDutyCycle};

use crate::controller::Controller;
use crate::io::{Buttons, Inputs, Telemetry};

/// The board's inputs, sampled once per tick.
pub trait PumpHal {
    /// Latest vacuum-transducer conversion, raw 12-bit ADC counts (0..=4095).
    fn read_pressure_counts(&mut self) -> u16;
    /// Buttons held down right now (active bits set); debouncing is the controller's job.
    fn buttons(&mut self) -> Buttons;
    /// Supply voltage, millivolts.
    fn supply_mv(&mut self) -> u16;
}

impl<T: PumpHal + ?Sized> PumpHal for &mut T {
    fn read_pressure_counts(&mut self) -> u16 {
        T::read_pressure_counts(self)
    }
    fn buttons(&mut self) -> Buttons {
        T::buttons(self)
    }
    fn supply_mv(&mut self) -> u16 {
        T::supply_mv(self)
    }
}

/// An actuator refused a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HalError {
    /// Setting the motor PWM duty failed.
    Motor(pwm::ErrorKind),
    /// Driving the valve pin failed.
    Valve(digital::ErrorKind),
}

impl fmt::Display for HalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HalError::Motor(kind) => write!(f, "motor PWM: {kind}"),
            HalError::Valve(kind) => write!(f, "release valve pin: {kind}"),
        }
    }
}

impl core::error::Error for HalError {}

/// Motor duty in the PWM's own units: `permille * max_duty / 1000`, never above `max_duty`.
pub fn duty_cycle_for(permille: u16, max_duty_cycle: u16) -> u16 {
    let scaled = u32::from(permille.min(1000)).saturating_mul(u32::from(max_duty_cycle)) / 1000;
    u16::try_from(scaled).unwrap_or(max_duty_cycle)
}

/// One control tick on a board: samples `hal`, steps `ctrl`, then drives the valve (pin high =
/// release valve open; invert in your pin type if the board differs) and the motor PWM.
///
/// Both actuators are always commanded, even if the first one fails, so a failing PWM cannot
/// keep the valve closed; the first error is returned.
pub fn run_tick<H: PumpHal, M: SetDutyCycle, V: OutputPin>(
    ctrl: &mut Controller,
    hal: &mut H,
    motor: &mut M,
    valve: &mut V,
    time_ns: u64,
) -> Result<Telemetry, HalError> {
    let inputs = Inputs {
        time_ns,
        pressure_counts: hal.read_pressure_counts(),
        buttons: hal.buttons(),
        supply_mv: hal.supply_mv(),
    };
    let out = ctrl.step(&inputs);
    let valve_result = if out.valve_open {
        valve.set_high()
    } else {
        valve.set_low()
    }
    .map_err(|e| HalError::Valve(digital::Error::kind(&e)));
    let duty = duty_cycle_for(out.motor_duty_permille, motor.max_duty_cycle());
    let motor_result = motor
        .set_duty_cycle(duty)
        .map_err(|e| HalError::Motor(pwm::Error::kind(&e)));
    valve_result?;
    motor_result?;
    Ok(out.telemetry)
}
