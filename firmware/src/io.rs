//! The firmware boundary: what the controller reads each tick ([`Inputs`]) and what it commands and
//! reports ([`Outputs`], [`Telemetry`]), plus the small status enums carried in telemetry.

/// Button bit set: a bit is set while that button is held down.
///
/// Bits other than the four named ones are ignored by the controller.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Buttons(pub u8);

impl Buttons {
    /// Start / stop the program; also clears a latched fault.
    pub const POWER: u8 = 1;
    /// Raise the current phase's vacuum level by one step.
    pub const LEVEL_UP: u8 = 2;
    /// Lower the current phase's vacuum level by one step.
    pub const LEVEL_DOWN: u8 = 4;
    /// Let-down: switch from stimulation to expression now.
    pub const LETDOWN: u8 = 8;

    /// `true` while every bit of `bit` is held down.
    pub fn is_down(self, bit: u8) -> bool {
        bit != 0 && self.0 & bit == bit
    }
}

/// Everything the controller sees on one control tick.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Inputs {
    /// Tick timestamp from the runner, nanoseconds. Informational only: all controller timing
    /// counts ticks.
    pub time_ns: u64,
    /// Raw 12-bit ADC reading of the vacuum transducer, counts (0..=4095 on real hardware; any
    /// value is accepted).
    pub pressure_counts: u16,
    /// Buttons held down at this tick.
    pub buttons: Buttons,
    /// Supply voltage, millivolts. Informational: the reference controller does not act on it.
    pub supply_mv: u16,
}

/// The controller's top-level state.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum State {
    /// Stopped: motor off, release valve open.
    #[default]
    Idle = 0,
    /// Fast, shallow cycles that trigger the milk ejection reflex.
    Stimulation = 1,
    /// Slow, deep cycles that remove milk.
    Expression = 2,
    /// A supervisor fault is latched: motor off, valve open until a POWER press.
    Fault = 3,
}

impl State {
    /// snake_case name, as used in telemetry columns and records.
    pub fn name(self) -> &'static str {
        match self {
            State::Idle => "idle",
            State::Stimulation => "stimulation",
            State::Expression => "expression",
            State::Fault => "fault",
        }
    }

    /// Wire code (the `repr(u8)` discriminant).
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// Inverse of [`State::code`]; `None` for an unknown code.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(State::Idle),
            1 => Some(State::Stimulation),
            2 => Some(State::Expression),
            3 => Some(State::Fault),
            _ => None,
        }
    }
}

/// Where the suction cycle is.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CyclePhase {
    /// Not cycling (idle or fault).
    #[default]
    None = 0,
    /// Valve closed, motor building vacuum towards the target.
    Pull = 1,
    /// Valve open, motor off: vacuum vents to atmosphere.
    Release = 2,
}

impl CyclePhase {
    /// snake_case name, as used in telemetry columns and records.
    pub fn name(self) -> &'static str {
        match self {
            CyclePhase::None => "none",
            CyclePhase::Pull => "pull",
            CyclePhase::Release => "release",
        }
    }

    /// Wire code (the `repr(u8)` discriminant).
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// Inverse of [`CyclePhase::code`]; `None` for an unknown code.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(CyclePhase::None),
            1 => Some(CyclePhase::Pull),
            2 => Some(CyclePhase::Release),
            _ => None,
        }
    }
}

/// A safety fault detected by the supervisor.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Fault {
    /// No fault.
    #[default]
    None = 0,
    /// The reading stayed above the supervisor's maximum vacuum.
    OverVacuum = 1,
    /// The transducer reading left its valid count range.
    SensorOutOfRange = 2,
    /// The motor ran hard but the reading did not move.
    SensorStuck = 3,
}

impl Fault {
    /// snake_case name, as used in telemetry columns and records.
    pub fn name(self) -> &'static str {
        match self {
            Fault::None => "none",
            Fault::OverVacuum => "over_vacuum",
            Fault::SensorOutOfRange => "sensor_out_of_range",
            Fault::SensorStuck => "sensor_stuck",
        }
    }

    /// Wire code (the `repr(u8)` discriminant).
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// Inverse of [`Fault::code`]; `None` for an unknown code.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(Fault::None),
            1 => Some(Fault::OverVacuum),
            2 => Some(Fault::SensorOutOfRange),
            3 => Some(Fault::SensorStuck),
            _ => None,
        }
    }
}

/// What the controller reports each tick, for plots and checks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Telemetry {
    /// Top-level state after this tick.
    pub state: State,
    /// Cycle phase after this tick ([`CyclePhase::None`] when idle or faulted).
    pub cycle_phase: CyclePhase,
    /// Latched fault while `state == State::Fault`, else [`Fault::None`].
    pub fault: Fault,
    /// Current vacuum set-point, 0.1 mmHg below atmosphere (0 outside Pull).
    pub target_vacuum_dmmhg: u16,
    /// The firmware's own reading after calibration, 0.1 mmHg below atmosphere (may be slightly
    /// negative).
    pub measured_vacuum_dmmhg: i16,
    /// The running phase's selected vacuum level (what the user set), mmHg; 0 when idle or faulted.
    pub level_vacuum_mmhg: u16,
    /// The running phase's cycle rate, cycles per minute; 0 when idle or faulted.
    pub cycles_per_min: u16,
}

/// What the controller commands on one control tick.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Outputs {
    /// Motor PWM duty, permille (0..=1000).
    pub motor_duty_permille: u16,
    /// `true` = release valve open (vents the kit to atmosphere).
    pub valve_open: bool,
    /// Status for plots and checks.
    pub telemetry: Telemetry,
}

impl Outputs {
    /// The safe output: motor off, valve open, telemetry otherwise default.
    pub(crate) fn safe() -> Self {
        Outputs {
            motor_duty_permille: 0,
            valve_open: true,
            telemetry: Telemetry::default(),
        }
    }
}
