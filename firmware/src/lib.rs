//! pumprig-firmware: the reference breast-pump controller.
//!
//! Written as MCU firmware is: `no_std`, no allocation, integer and fixed-point arithmetic only
//! (no `f32`/`f64`, so host and board runs agree bit for bit), saturating arithmetic so no input
//! can panic it, and timing counted in control ticks (it never reads a clock).
//!
//! One [`Controller::step`] per control tick (`Settings::tick_hz`, default 1 kHz) takes
//! [`Inputs`] (transducer counts, buttons, supply voltage) and returns [`Outputs`] (motor duty in
//! permille, release valve, [`Telemetry`]). Inside:
//!
//! - `sensor`: counts -> vacuum in 0.1 mmHg ([`SensorCalibration::vacuum_dmmhg`]);
//! - `program`: debounced buttons, Idle / Stimulation / Expression, per-phase levels, the
//!   two-phase switch;
//! - `profile`: the cycle generator (pull/release windows, target ramp);
//! - `control`: feedforward + PI vacuum loop with anti-windup;
//! - `supervisor`: over-vacuum, sensor out-of-range and stuck-sensor faults, latched;
//! - [`hal`]: the shim that runs the same controller on a board through embedded-hal.
//!
//! ```
//! use pumprig_firmware::{Buttons, Controller, Inputs, Settings, State};
//!
//! let mut ctrl = Controller::new(&Settings::default()).unwrap();
//! let press = Inputs { pressure_counts: 248, buttons: Buttons(Buttons::POWER), ..Inputs::default() };
//! for _ in 0..20 {
//!     ctrl.step(&press);
//! }
//! let out = ctrl.step(&Inputs { pressure_counts: 248, ..Inputs::default() });
//! assert_eq!(out.telemetry.state, State::Stimulation);
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::float_arithmetic,
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::unreachable
    )
)]
#![warn(missing_docs)]

mod control;
mod controller;
mod divide;
pub mod hal;
mod io;
mod profile;
mod program;
mod sensor;
mod settings;
mod supervisor;
mod timing;

pub use controller::Controller;
pub use io::{Buttons, CyclePhase, Fault, Inputs, Outputs, State, Telemetry};
pub use program::DEBOUNCE_MS;
pub use settings::{
    ADC_MAX_COUNTS, ATMOSPHERE_MMHG, ControlGains, MIN_CYCLE_TICKS, PhaseProfile, ProgramSettings,
    SensorCalibration, Settings, SettingsError, StartPhase, SupervisorSettings,
};

/// Controller identity, recorded with every run.
pub const NAME: &str = "pumprig-reference";
/// Firmware version (the crate version).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
