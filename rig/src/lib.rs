//! pumprig: a hardware-in-the-loop simulator and test rig for electric breast-pump firmware.
//!
//! A scenario (TOML) names the plant, the controller and its settings, a timeline of events and
//! the checks; the lockstep [`runner`] drives the controller against the `pumprig-sim` plant on
//! one integer-nanosecond clock; [`session`] writes the run directory (CSV, record, plots).

pub mod baseline;
pub mod calibrate;
pub mod compare;
pub mod controller;
pub mod course;
pub mod metrics;
pub mod output;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod session;
pub mod sweep;

/// Process exit codes of the `pumprig` binary.
pub mod exit_code {
    /// Every check passed.
    pub const OK: i32 = 0;
    /// A check failed, or the run was stopped by a fault (plant, controller, output).
    pub const FAILED: i32 = 1;
    /// Bad input or usage: the scenario or the command line is wrong; nothing was written.
    pub const BAD_INPUT: i32 = 2;
}
