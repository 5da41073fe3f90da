//! Conversions to and from the reference firmware's boundary types (feature `firmware`), so a
//! board image moves `Inputs`/`Outputs` through the link without hand-copying fields.

use pumprig_firmware::{Buttons, CyclePhase, Fault, Inputs, Outputs, State, Telemetry};

use crate::{Actuator, Frame, Message, Sensor};

impl Sensor {
    /// The firmware's inputs for this reading at simulated time `time_ns` (the frame's time).
    pub fn to_inputs(self, time_ns: u64) -> Inputs {
        Inputs {
            time_ns,
            pressure_counts: self.pressure_counts,
            buttons: Buttons(self.buttons),
            supply_mv: self.supply_mv,
        }
    }
}

impl From<&Inputs> for Sensor {
    fn from(inputs: &Inputs) -> Self {
        Sensor {
            pressure_counts: inputs.pressure_counts,
            buttons: inputs.buttons.0,
            supply_mv: inputs.supply_mv,
        }
    }
}

impl Frame {
    /// A [`Message::Sensor`] frame number `seq` carrying `inputs` (time from `inputs.time_ns`).
    pub fn from_inputs(seq: u32, inputs: &Inputs) -> Self {
        Frame::new(seq, inputs.time_ns, Message::Sensor(Sensor::from(inputs)))
    }

    /// The firmware's inputs if this is a [`Message::Sensor`] frame.
    pub fn to_inputs(&self) -> Option<Inputs> {
        match self.message {
            Message::Sensor(sensor) => Some(sensor.to_inputs(self.time_ns)),
            _ => None,
        }
    }
}

impl From<&Outputs> for Actuator {
    fn from(out: &Outputs) -> Self {
        let t = &out.telemetry;
        Actuator {
            motor_duty_permille: out.motor_duty_permille,
            valve_open: out.valve_open,
            state: t.state.code(),
            cycle_phase: t.cycle_phase.code(),
            fault: t.fault.code(),
            target_vacuum_dmmhg: t.target_vacuum_dmmhg,
            measured_vacuum_dmmhg: t.measured_vacuum_dmmhg,
            level_vacuum_mmhg: t.level_vacuum_mmhg,
            cycles_per_min: t.cycles_per_min,
        }
    }
}

/// An [`Actuator`] field holds a code the firmware's enums do not define.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnknownCode {
    /// Which field: `"state"`, `"cycle_phase"` or `"fault"`.
    pub field: &'static str,
    /// The code received.
    pub code: u8,
}

impl core::fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "unknown {} code {}", self.field, self.code)
    }
}

impl core::error::Error for UnknownCode {}

impl TryFrom<Actuator> for Outputs {
    type Error = UnknownCode;

    fn try_from(a: Actuator) -> Result<Self, UnknownCode> {
        let unknown = |field, code| UnknownCode { field, code };
        Ok(Outputs {
            motor_duty_permille: a.motor_duty_permille,
            valve_open: a.valve_open,
            telemetry: Telemetry {
                state: State::from_code(a.state).ok_or(unknown("state", a.state))?,
                cycle_phase: CyclePhase::from_code(a.cycle_phase)
                    .ok_or(unknown("cycle_phase", a.cycle_phase))?,
                fault: Fault::from_code(a.fault).ok_or(unknown("fault", a.fault))?,
                target_vacuum_dmmhg: a.target_vacuum_dmmhg,
                measured_vacuum_dmmhg: a.measured_vacuum_dmmhg,
                level_vacuum_mmhg: a.level_vacuum_mmhg,
                cycles_per_min: a.cycles_per_min,
            },
        })
    }
}
