//! The firmware boundary: what a pump MCU sees ([`SensorFrame`]) and commands ([`ActuatorFrame`]),
//! and the [`Controller`] trait every adapter (in-process, C ABI, serial) implements.
//!
//! The runner owns the clock; a controller runs exactly one control step per call and never reads
//! a clock of its own.

mod cabi;
mod cabi_isolated;
mod in_process;
pub mod serial;

use std::path::{Path, PathBuf};

pub use cabi::{
    ABI_VERSION as CABI_VERSION, CabiController, CabiError, FwActuator, FwPhase, FwSensor,
    FwSettings, TELEMETRY_MAX, TELEMETRY_NAME_MAX, check_telemetry_name,
};
pub use cabi_isolated::{
    DEFAULT_WATCHDOG, IsolatedCabiController, WORKER_SUBCOMMAND, describe_exit, serve_worker,
    set_worker_exe, worker_exe,
};
pub use in_process::{Firmware, InProcess, ReferenceController, actuators_from_firmware};
pub use serial::{LinkHealth, SerialController};

/// What `controller.kind` (or `pumprig run --controller`) names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ControllerKind {
    /// `reference`: the reference firmware, in-process.
    Reference,
    /// `cabi:PATH`: C firmware built as a shared library implementing `pumprig_fw.h`.
    Cabi(PathBuf),
    /// `qemu:PATH`: the board image (ELF) at PATH, run in QEMU's lm3s6965evb, over a pty.
    Qemu(PathBuf),
    /// `serial:DEVICE`: a bench board on the serial device DEVICE (`/dev/ttyUSB0`).
    Serial(PathBuf),
}

impl ControllerKind {
    /// Parses a kind; a relative `cabi:` or `qemu:` path is taken relative to `base_dir` (a
    /// `serial:` device path is used as written).
    pub fn parse(kind: &str, base_dir: &Path) -> Result<Self, String> {
        let path = |rest: &str, what: &str| {
            if rest.trim().is_empty() {
                Err(format!(
                    "`{}` needs {what}",
                    &kind[..kind.len() - rest.len()]
                ))
            } else {
                Ok(PathBuf::from(rest))
            }
        };
        if let Some(rest) = kind.strip_prefix("cabi:") {
            path(rest, "the path of the C firmware's shared library")
                .map(|p| Self::Cabi(base_dir.join(p)))
        } else if let Some(rest) = kind.strip_prefix("qemu:") {
            path(rest, "the path of the board image (ELF)").map(|p| Self::Qemu(base_dir.join(p)))
        } else if let Some(rest) = kind.strip_prefix("serial:") {
            path(rest, "the serial device, e.g. `serial:/dev/ttyUSB0`").map(Self::Serial)
        } else if kind == "reference" {
            Ok(Self::Reference)
        } else {
            Err(format!(
                "unknown controller kind `{kind}`: accepted kinds: `reference`, `cabi:PATH`, \
                 `qemu:PATH`, `serial:DEVICE`"
            ))
        }
    }

    /// The kind as `controller.kind` writes it, paths as resolved.
    pub fn to_kind_string(&self) -> String {
        match self {
            Self::Reference => "reference".into(),
            Self::Cabi(p) => format!("cabi:{}", p.display()),
            Self::Qemu(p) => format!("qemu:{}", p.display()),
            Self::Serial(p) => format!("serial:{}", p.display()),
        }
    }

    /// A board on a serial link (`qemu:` or `serial:`).
    pub fn is_board(&self) -> bool {
        matches!(self, Self::Qemu(_) | Self::Serial(_))
    }
}

/// Button bits of [`SensorFrame::buttons`]: a bit is set while the button is held down.
/// (The same bits as the reference firmware's `Buttons`, which every adapter speaks.)
pub mod buttons {
    use pumprig_firmware::Buttons;
    pub const POWER: u8 = Buttons::POWER;
    pub const LEVEL_UP: u8 = Buttons::LEVEL_UP;
    pub const LEVEL_DOWN: u8 = Buttons::LEVEL_DOWN;
    pub const LETDOWN: u8 = Buttons::LETDOWN;
}

/// One control tick's inputs, stamped with the simulated time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SensorFrame {
    /// Simulated time of this tick, nanoseconds since the start of the run.
    pub time_ns: u64,
    /// Raw ADC reading of the vacuum transducer, counts (12-bit: 0..=4095).
    pub pressure_counts: u16,
    /// Buttons held down, bit set of [`buttons`].
    pub buttons: u8,
    /// Supply voltage, millivolts.
    pub supply_mv: u16,
}

/// Controller state as reported by telemetry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ControllerState {
    #[default]
    Idle,
    Stimulation,
    Expression,
    Fault,
}

impl ControllerState {
    /// Stable integer code written to `timeseries.csv` (`controller_state` column).
    pub fn code(self) -> u8 {
        match self {
            Self::Idle => 0,
            Self::Stimulation => 1,
            Self::Expression => 2,
            Self::Fault => 3,
        }
    }

    /// True while the pump is running a suction program.
    pub fn is_running(self) -> bool {
        matches!(self, Self::Stimulation | Self::Expression)
    }
}

/// What the controller reports about itself each tick, for plots and metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Telemetry {
    pub state: ControllerState,
    /// Fault name when `state` is `Fault` (e.g. `"sensor_stuck"`), else `""`.
    pub fault: &'static str,
    /// Current vacuum set-point, mmHg below atmosphere.
    pub target_vacuum_mmhg: f64,
    /// The controller's own reading after its calibration, mmHg below atmosphere.
    pub measured_vacuum_mmhg: f64,
}

/// One control tick's outputs.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ActuatorFrame {
    /// Motor PWM duty, 0.0..=1.0.
    pub motor_duty: f64,
    /// Release valve open (vents the kit to atmosphere).
    pub valve_open: bool,
    pub telemetry: Telemetry,
}

/// Who is in the loop, recorded in `record.json`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ControllerIdentity {
    /// Adapter kind: `in-process`, `cabi`, `qemu` or `serial`.
    pub adapter: String,
    pub name: String,
    pub version: String,
    /// Build id or hash identifying the exact firmware build.
    pub build_id: String,
}

/// A controller failure (a crashed C firmware, a dead board). Never swallowed: the run fails.
#[derive(Debug, thiserror::Error)]
pub enum ControllerError {
    #[error("controller settings rejected: {0}")]
    Settings(String),
    /// The controller could not be loaded (a C firmware library missing, or built for another ABI).
    #[error("{0}")]
    Load(String),
    #[error("controller fault at t = {time_s:.3} s: {message}")]
    Fault { time_s: f64, message: String },
    /// A board could not be brought into the loop (silent, wrong protocol version, port
    /// closed, QEMU died): a run fault, not bad input.
    #[error("{0}")]
    Connect(String),
}

/// Something that takes a [`SensorFrame`] and returns an [`ActuatorFrame`]: one control step.
pub trait Controller {
    fn identity(&self) -> ControllerIdentity;
    fn step(&mut self, frame: &SensorFrame) -> Result<ActuatorFrame, ControllerError>;
    /// Health of the link to the controller, for a controller behind one (a serial board):
    /// recorded in `record.json` and checkable (`link_*` metrics). Default: no link.
    fn link_health(&self) -> Option<LinkHealth> {
        None
    }
    /// Names of the firmware's own telemetry values (C ABI `pumprig_fw_telemetry_name`), recorded
    /// as `fw_<name>` columns of `timeseries.csv`. Default: none.
    fn firmware_telemetry_names(&self) -> Vec<String> {
        Vec::new()
    }
    /// Those values as of the last [`Controller::step`], in the order of the names. Called only on
    /// the ticks the rig records.
    fn firmware_telemetry(&mut self) -> &[f64] {
        &[]
    }
}

impl<C: Controller + ?Sized> Controller for &mut C {
    fn identity(&self) -> ControllerIdentity {
        (**self).identity()
    }
    fn step(&mut self, frame: &SensorFrame) -> Result<ActuatorFrame, ControllerError> {
        (**self).step(frame)
    }
    fn link_health(&self) -> Option<LinkHealth> {
        (**self).link_health()
    }
    fn firmware_telemetry_names(&self) -> Vec<String> {
        (**self).firmware_telemetry_names()
    }
    fn firmware_telemetry(&mut self) -> &[f64] {
        (**self).firmware_telemetry()
    }
}
