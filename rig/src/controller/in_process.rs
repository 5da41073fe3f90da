//! In-process adapter: Rust firmware compiled for the host and called directly, one `step` per
//! control tick. Any `no_std` controller crate plugs in by implementing [`Firmware`] over the
//! reference firmware's boundary types ([`fw::Inputs`] in, [`fw::Outputs`] out); the reference
//! firmware itself runs as [`ReferenceController`], a thin wrapper of
//! `InProcess<pumprig_firmware::Controller>` built from the scenario's settings.

use pumprig_firmware as fw;

use super::{
    ActuatorFrame, Controller, ControllerError, ControllerIdentity, ControllerState, SensorFrame,
    Telemetry,
};

/// A Rust controller the rig can run in its own process: one control step per call, from the
/// tick's [`fw::Inputs`] (transducer counts, buttons, supply voltage) to [`fw::Outputs`] (motor
/// duty in permille, release valve, [`fw::Telemetry`]). The rig owns the clock: count ticks, never
/// read a clock.
pub trait Firmware {
    /// Firmware name, recorded in `record.json`.
    const NAME: &'static str;
    /// Firmware version, recorded in `record.json`.
    const VERSION: &'static str;
    /// One control tick.
    fn step(&mut self, inputs: &fw::Inputs) -> fw::Outputs;
}

impl Firmware for fw::Controller {
    const NAME: &'static str = fw::NAME;
    const VERSION: &'static str = fw::VERSION;
    #[inline]
    fn step(&mut self, inputs: &fw::Inputs) -> fw::Outputs {
        fw::Controller::step(self, inputs)
    }
}

/// A [`Firmware`] running in the rig's process, as a [`Controller`].
pub struct InProcess<F: Firmware> {
    inner: F,
}

impl<F: Firmware> InProcess<F> {
    /// Wraps a firmware instance (already configured) for the runner.
    pub fn new(firmware: F) -> Self {
        Self { inner: firmware }
    }

    /// The firmware inside.
    pub fn firmware(&self) -> &F {
        &self.inner
    }

    /// The firmware inside, mutably.
    pub fn firmware_mut(&mut self) -> &mut F {
        &mut self.inner
    }

    /// Unwraps the firmware.
    pub fn into_inner(self) -> F {
        self.inner
    }
}

/// The reference firmware running in the rig's process: [`InProcess`] over
/// `pumprig_firmware::Controller`, built from the scenario's `[controller.settings]`.
pub struct ReferenceController(InProcess<fw::Controller>);

impl ReferenceController {
    pub fn new(settings: &fw::Settings) -> Result<Self, ControllerError> {
        fw::Controller::new(settings)
            .map(|inner| Self(InProcess::new(inner)))
            .map_err(|e| ControllerError::Settings(e.to_string()))
    }

    /// The generic adapter inside.
    pub fn into_inner(self) -> InProcess<fw::Controller> {
        self.0
    }
}

impl Controller for ReferenceController {
    fn identity(&self) -> ControllerIdentity {
        self.0.identity()
    }

    #[inline]
    fn step(&mut self, frame: &SensorFrame) -> Result<ActuatorFrame, ControllerError> {
        self.0.step(frame)
    }
}

impl<F: Firmware> Controller for InProcess<F> {
    fn identity(&self) -> ControllerIdentity {
        ControllerIdentity {
            adapter: "in-process".into(),
            name: F::NAME.into(),
            version: F::VERSION.into(),
            // Linked into this binary: the source commit it was built from identifies it.
            build_id: format!("{}+{}", F::VERSION, env!("PUMPRIG_BUILD_ID")),
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

/// `permille / 1000` for every permille, computed at compile time: bit for bit the division's
/// values, without a division on the path from the firmware's decision to the plant's step.
static DUTY_OF_PERMILLE: [f64; 1001] = {
    let mut table = [0.0; 1001];
    let mut permille = 0;
    while permille <= 1000 {
        table[permille] = permille as f64 / 1000.0;
        permille += 1;
    }
    table
};

/// Maps the firmware's integer outputs to the rig's frame (shared by every adapter that speaks
/// the reference firmware's telemetry).
#[inline]
pub fn actuators_from_firmware(out: &fw::Outputs) -> ActuatorFrame {
    let t = &out.telemetry;
    ActuatorFrame {
        motor_duty: DUTY_OF_PERMILLE[usize::from(out.motor_duty_permille.min(1000))],
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_duty_table_holds_exactly_the_divisions() {
        for permille in 0..=1000u16 {
            let divided = f64::from(permille) / 1000.0;
            assert_eq!(
                DUTY_OF_PERMILLE[usize::from(permille)].to_bits(),
                divided.to_bits()
            );
        }
    }
}
