//! The bench board's "pins": on this image the pump's peripherals are the link. The sensor
//! readings come from the rig's `Sensor` frame, and the motor PWM and release valve are latched
//! for the `Actuator` answer, so the controller runs through the same `hal::run_tick` a board
//! with a real ADC, PWM and valve pin would use (replace these three types on such a board).

use core::convert::Infallible;

use embedded_hal::digital::{self, OutputPin};
use embedded_hal::pwm::{self, SetDutyCycle};
use pumprig_firmware::Buttons;
use pumprig_firmware::hal::PumpHal;
use pumprig_link::Sensor;

/// The inputs of one tick, as the rig's `Sensor` frame carries them.
pub struct LinkInputs(pub Sensor);

impl PumpHal for LinkInputs {
    fn read_pressure_counts(&mut self) -> u16 {
        self.0.pressure_counts
    }
    fn buttons(&mut self) -> Buttons {
        Buttons(self.0.buttons)
    }
    fn supply_mv(&mut self) -> u16 {
        self.0.supply_mv
    }
}

/// Motor PWM whose duty unit is the permille the `Actuator` frame carries (max 1000, so
/// `hal::duty_cycle_for` maps permille to itself).
#[derive(Default)]
pub struct LinkMotor {
    /// Commanded duty, permille.
    pub duty_permille: u16,
}

impl pwm::ErrorType for LinkMotor {
    type Error = Infallible;
}

impl SetDutyCycle for LinkMotor {
    fn max_duty_cycle(&self) -> u16 {
        1000
    }
    fn set_duty_cycle(&mut self, duty: u16) -> Result<(), Infallible> {
        self.duty_permille = duty;
        Ok(())
    }
}

/// Release-valve pin (high = open).
#[derive(Default)]
pub struct LinkValve {
    /// Commanded state: `true` = open.
    pub open: bool,
}

impl digital::ErrorType for LinkValve {
    type Error = Infallible;
}

impl OutputPin for LinkValve {
    fn set_low(&mut self) -> Result<(), Infallible> {
        self.open = false;
        Ok(())
    }
    fn set_high(&mut self) -> Result<(), Infallible> {
        self.open = true;
        Ok(())
    }
}
