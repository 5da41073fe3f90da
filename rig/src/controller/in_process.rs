//! In-process adapter: the reference firmware (`pumprig-firmware`) compiled for the host and
//! called directly, one `step` per control tick.

use pumprig_firmware as fw;

use super::{
    ActuatorFrame, Controller, ControllerError, ControllerIdentity, ControllerState, SensorFrame,
    Telemetry,
};

/// The reference controller running in the rig's process.
pub struct ReferenceController {
    inner: fw::Controller,
}

impl ReferenceController {
    pub fn new(settings: &fw::Settings) -> Result<Self, ControllerError> {
        fw::Controller::new(settings)
            .map(|inner| Self { inner })
            .map_err(|e| ControllerError::Settings(e.to_string()))
    }
}

impl Controller for ReferenceController {
    fn identity(&self) -> ControllerIdentity {
        ControllerIdentity {
            adapter: "in-process".into(),
            name: fw::NAME.into(),
            version: fw::VERSION.into(),
            // Linked into this binary: the source commit it was built from identifies it.
            build_id: format!("{}+{}", fw::VERSION, env!("PUMPRIG_BUILD_ID")),
        }
    }

    #[inline]
    fn step(&mut self, frame: &SensorFrame) -> Result<ActuatorFrame, ControllerError> {
        let out = self.inner.step(&fw::Inputs {
            time_ns: frame.time_ns,
            pressure_counts: frame.pressure_counts,
            buttons: fw::Buttons(frame.buttons),
            supply_mv: frame.supply_mv,
        });
        Ok(actuators_from_firmware(&out))
    }
}

/// Maps the firmware's integer outputs to the rig's frame (shared by every adapter that speaks
/// the reference firmware's telemetry).
pub fn actuators_from_firmware(out: &fw::Outputs) -> ActuatorFrame {
    let t = &out.telemetry;
    ActuatorFrame {
        motor_duty: f64::from(out.motor_duty_permille.min(1000)) / 1000.0,
        valve_open: out.valve_open,
        telemetry: Telemetry {
            state: match t.state {
                fw::State::Idle => ControllerState::Idle,
                fw::State::Stimulation => ControllerState::Stimulation,
                fw::State::Expression => ControllerState::Expression,
                fw::State::Fault => ControllerState::Fault,
            },
            fault: if t.state == fw::State::Fault {
                t.fault.name()
            } else {
                ""
            },
            target_vacuum_mmhg: f64::from(t.target_vacuum_dmmhg) / 10.0,
            measured_vacuum_mmhg: f64::from(t.measured_vacuum_dmmhg) / 10.0,
        },
    }
}
