//! In-process adapter: Rust firmware compiled for the host and called directly, one `step` per
//! control tick. Any `no_std` controller crate plugs in by implementing [`Firmware`] over the
//! reference firmware's boundary types ([`fw::Inputs`] in, [`fw::Outputs`] out); the reference
//! firmware itself runs as [`ReferenceController`], a thin wrapper of
//! `InProcess<pumprig_firmware::Controller>` built from the scenario's settings.

use pumprig_firmware as fw;

use super::cabi::{TELEMETRY_MAX, check_telemetry_name};
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
    /// Names of the firmware's own telemetry values, each recorded as the column `fw_<name>` of
    /// `timeseries.csv` and plotted in `firmware.png`, under the C ABI's rules
    /// (docs/firmware.md, "Named telemetry values"): lower-case letters, digits and `_`, starting
    /// with a letter, at most 40 bytes, unique, at most 16 names; by convention each ends with its
    /// unit. Default:
    /// none.
    const TELEMETRY: &'static [&'static str] = &[];
    /// One control tick.
    fn step(&mut self, inputs: &fw::Inputs) -> fw::Outputs;
    /// Writes the values named by [`Firmware::TELEMETRY`] as of the last [`Firmware::step`] into
    /// `values`, one per name in their order. The rig calls it only after the steps of the ticks
    /// it records, so it reads the state and must not change it. Default: writes nothing.
    fn telemetry(&self, values: &mut [f64]) {
        let _ = values;
    }
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
    /// The firmware's telemetry values of the last recorded tick (room for the most allowed).
    telemetry: [f64; TELEMETRY_MAX],
}

impl<F: Firmware> InProcess<F> {
    /// Wraps a firmware instance (already configured) for the runner.
    ///
    /// # Panics
    /// If [`Firmware::TELEMETRY`] breaks the naming rules, with the name and the reason: the
    /// names are constants of the firmware's code. [`InProcess::try_new`] returns the error.
    pub fn new(firmware: F) -> Self {
        Self::try_new(firmware).unwrap_or_else(|e| panic!("{e}"))
    }

    /// [`InProcess::new`], or why the firmware's telemetry names are refused.
    pub fn try_new(firmware: F) -> Result<Self, ControllerError> {
        check_telemetry_names(F::NAME, F::TELEMETRY)?;
        Ok(Self {
            inner: firmware,
            telemetry: [0.0; TELEMETRY_MAX],
        })
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

/// The C ABI's rules for the names of a Rust firmware's telemetry (count, characters, length,
/// uniqueness), with the name that breaks one.
fn check_telemetry_names(firmware: &str, names: &[&str]) -> Result<(), ControllerError> {
    let bad =
        |why: String| ControllerError::Load(format!("Rust firmware {firmware}: telemetry: {why}"));
    if names.len() > TELEMETRY_MAX {
        return Err(bad(format!(
            "{} names in TELEMETRY; at most {TELEMETRY_MAX}",
            names.len()
        )));
    }
    for (i, name) in names.iter().enumerate() {
        check_telemetry_name(name)
            .map_err(|why| bad(format!("TELEMETRY[{i}] is \"{name}\": {why}")))?;
        if let Some(first) = names[..i].iter().position(|n| n == name) {
            return Err(bad(format!(
                "TELEMETRY[{i}] is \"{name}\", as is TELEMETRY[{first}]: names must be unique"
            )));
        }
    }
    Ok(())
}

/// The reference firmware running in the rig's process: [`InProcess`] over
/// `pumprig_firmware::Controller`, built from the scenario's `[controller.settings]`.
pub struct ReferenceController(InProcess<fw::Controller>);

impl ReferenceController {
    pub fn new(settings: &fw::Settings) -> Result<Self, ControllerError> {
        fw::Controller::new(settings)
            .map(|inner| {
                Self(InProcess {
                    inner,
                    telemetry: [0.0; TELEMETRY_MAX],
                })
            })
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

    fn firmware_telemetry_names(&self) -> Vec<String> {
        F::TELEMETRY.iter().map(|n| (*n).to_owned()).collect()
    }

    fn firmware_telemetry(&mut self) -> &[f64] {
        let values = &mut self.telemetry[..F::TELEMETRY.len()];
        self.inner.telemetry(values);
        values
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
