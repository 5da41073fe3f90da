//! The reference controller: composes sensor calibration, debounced buttons, the program state
//! machine, the cycle generators, the vacuum loop and the supervisor into one `step` per tick.

use crate::control::VacuumLoop;
use crate::io::{Buttons, CyclePhase, Fault, Inputs, Outputs, State, Telemetry};
use crate::profile::CycleGenerator;
use crate::program::{Debouncer, Program};
use crate::sensor::VacuumConverter;
use crate::settings::{Settings, SettingsError};
use crate::supervisor::Supervisor;

/// The reference pump controller. Call [`Controller::step`] exactly once per control tick.
#[derive(Clone, Debug)]
pub struct Controller {
    /// Validated settings.
    settings: Settings,
    /// The sensor calibration, prepared for one reading per tick.
    vacuum: VacuumConverter,
    /// Button debouncing.
    debouncer: Debouncer,
    /// Program state and levels.
    program: Program,
    /// Stimulation cycle timing.
    stimulation: CycleGenerator,
    /// Expression cycle timing.
    expression: CycleGenerator,
    /// PI vacuum loop.
    vacuum_loop: VacuumLoop,
    /// Safety checks.
    supervisor: Supervisor,
    /// Latched fault; `Fault::None` while healthy.
    fault: Fault,
    /// Duty commanded on the previous tick, permille.
    last_duty_permille: u16,
    /// Valve command of the previous tick (the stuck check needs what vented the plant).
    last_valve_open: bool,
}

impl Controller {
    /// Validates `settings` and builds a controller in its power-up state.
    pub fn new(settings: &Settings) -> Result<Self, SettingsError> {
        settings.validate()?;
        Ok(Controller {
            settings: *settings,
            vacuum: VacuumConverter::new(&settings.sensor),
            debouncer: Debouncer::new(settings.tick_hz),
            program: Program::new(settings),
            stimulation: CycleGenerator::new(&settings.stimulation, settings.tick_hz),
            expression: CycleGenerator::new(&settings.expression, settings.tick_hz),
            vacuum_loop: VacuumLoop::new(&settings.control, settings.tick_hz),
            supervisor: Supervisor::new(settings),
            fault: Fault::None,
            last_duty_permille: 0,
            last_valve_open: true,
        })
    }

    /// The settings this controller runs with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Exactly one control tick: reads `inputs`, returns the actuator commands and telemetry.
    pub fn step(&mut self, inputs: &Inputs) -> Outputs {
        let measured_dmmhg = self.vacuum.vacuum_dmmhg(inputs.pressure_counts);
        let presses = self.debouncer.update(inputs.buttons);
        let mut out = Outputs::safe();

        if self.fault == Fault::None {
            let motor_may_run = self.program.state() != State::Idle;
            let tripped = self.supervisor.check(
                inputs.pressure_counts,
                measured_dmmhg,
                self.last_duty_permille,
                self.last_valve_open,
                motor_may_run,
            );
            if let Some(fault) = tripped {
                // Highest priority: latch, and ignore this tick's buttons.
                self.fault = fault;
                self.program.stop();
            } else {
                let tick = self.program.update(presses);
                out = self.run_phase(tick.state, tick.entered, measured_dmmhg);
            }
        } else if presses.is_down(Buttons::POWER) {
            self.fault = Fault::None;
            self.supervisor.reset();
        }

        out.telemetry.measured_vacuum_dmmhg = measured_dmmhg;
        if self.fault != Fault::None {
            out.telemetry.state = State::Fault;
            out.telemetry.fault = self.fault;
        }
        self.last_duty_permille = out.motor_duty_permille;
        self.last_valve_open = out.valve_open;
        out
    }

    /// Cycle generator and vacuum loop for a running state; safe outputs in Idle.
    fn run_phase(&mut self, state: State, entered: bool, measured_dmmhg: i16) -> Outputs {
        let (generator, profile) = match state {
            State::Stimulation => (&mut self.stimulation, &self.settings.stimulation),
            State::Expression => (&mut self.expression, &self.settings.expression),
            State::Idle | State::Fault => return Outputs::safe(),
        };
        if entered {
            generator.restart();
        }
        let level_mmhg = self.program.level_mmhg();
        let sample = generator.step(level_mmhg);
        let mut out = Outputs::safe();
        if sample.phase == CyclePhase::Pull {
            if sample.pull_started {
                self.vacuum_loop.reset();
            }
            out.motor_duty_permille = self.vacuum_loop.update(sample.target_dmmhg, measured_dmmhg);
            out.valve_open = false;
        }
        out.telemetry = Telemetry {
            state,
            cycle_phase: sample.phase,
            fault: Fault::None,
            target_vacuum_dmmhg: sample.target_dmmhg,
            measured_vacuum_dmmhg: measured_dmmhg,
            level_vacuum_mmhg: level_mmhg,
            cycles_per_min: profile.cycles_per_min,
        };
        out
    }
}
