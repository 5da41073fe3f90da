//! The lockstep runner: one clock in integer nanoseconds, one loop. Each control tick:
//! sample the sensor, run one controller step, apply the scenario events due, integrate the plant
//! over the tick with the actuators held, and let the metrics and the recorder see the tick.
//! Nothing here reads a wall clock; results are identical whatever the machine or its load.

use pumprig_sim::{Plant, PlantError, PlantOutputs, StepInput};

use crate::controller::{
    ActuatorFrame, Controller, ControllerError, LinkHealth, SensorFrame, buttons,
};
use crate::metrics::{MetricsEngine, MetricsReport, MilkTotals, Scope, TickView};
use crate::scenario::{EventAction, LoadedScenario};

/// One decimated row of the run, as `timeseries.csv` writes it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sample {
    pub time_ns: u64,
    pub actuators: ActuatorFrame,
    pub sensor_counts: u16,
    pub plant: PlantOutputs,
}

/// Receives the decimated rows while the run streams (a CSV writer, a buffer in tests, nothing).
pub trait SampleSink {
    fn record(&mut self, sample: &Sample) -> std::io::Result<()>;
    /// [`SampleSink::record`] with the firmware's own named telemetry values of the same tick
    /// (C ABI `pumprig_fw_telemetry`; empty for a firmware without). Default: ignores them.
    fn record_with_firmware(&mut self, sample: &Sample, firmware: &[f64]) -> std::io::Result<()> {
        let _ = firmware;
        self.record(sample)
    }
}

/// A sink that drops every row (benchmarks of the loop alone).
pub struct NoSink;

impl SampleSink for NoSink {
    #[inline]
    fn record(&mut self, _: &Sample) -> std::io::Result<()> {
        Ok(())
    }
}

impl SampleSink for Vec<Sample> {
    fn record(&mut self, sample: &Sample) -> std::io::Result<()> {
        self.push(*sample);
        Ok(())
    }
}

/// Why a run stopped before its end.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("plant fault at t = {time_s:.3} s: {source}")]
    Plant { time_s: f64, source: PlantError },
    #[error(transparent)]
    Controller(#[from] ControllerError),
    #[error("writing samples at t = {time_s:.3} s: {source}")]
    Output { time_s: f64, source: std::io::Error },
}

/// What a completed run produced besides its samples.
#[derive(Debug)]
pub struct RunOutcome {
    pub metrics: MetricsReport,
    /// The plant's own ledger of motor energy, J (the metrics integrate the same power per tick).
    pub plant_motor_energy_j: f64,
    pub ticks: u64,
    pub tick_ns: u64,
    /// The controller's link health, for a board on a serial link.
    pub link: Option<LinkHealth>,
}

/// Control tick length, ns, for a tick rate (the scenario guarantees it divides 1 s exactly or
/// close enough: 1 kHz -> 1,000,000 ns).
pub fn tick_ns(tick_hz: u32) -> u64 {
    1_000_000_000 / u64::from(tick_hz)
}

/// Runs a loaded scenario against a controller, streaming decimated samples into `sink`.
pub fn run<C: Controller + ?Sized, S: SampleSink + ?Sized>(
    loaded: &LoadedScenario,
    controller: &mut C,
    sink: &mut S,
) -> Result<RunOutcome, RunError> {
    let sc = &loaded.scenario;
    let mut plant = Plant::new(&sc.plant, sc.seed).map_err(|source| RunError::Plant {
        time_s: 0.0,
        source,
    })?;
    run_with_plant(loaded, &mut plant, controller, sink, Scope::Full)
}

/// [`run`] on a plant the caller built (a course carries the mother from one session's plant to
/// the next, §17); the plant must have been built from `loaded.scenario.plant`. `scope` says
/// which metrics to compute (a course reads only its sessions' check outcomes).
pub fn run_with_plant<C: Controller + ?Sized, S: SampleSink + ?Sized>(
    loaded: &LoadedScenario,
    plant: &mut Plant,
    controller: &mut C,
    sink: &mut S,
    scope: Scope,
) -> Result<RunOutcome, RunError> {
    let sc = &loaded.scenario;
    let tick = tick_ns(sc.tick_hz);
    let dt_s = tick as f64 * 1e-9;
    let ticks = (sc.duration_s * f64::from(sc.tick_hz)).round() as u64;
    let decimation = (f64::from(sc.tick_hz) / sc.output.sample_rate_hz)
        .round()
        .max(1.0) as u64;
    let shields = plant.shield_count();
    let mut metrics = MetricsEngine::with_scope(&sc.checks, shields, tick, scope)
        .expect("checks are validated when the scenario is loaded");
    let supply_mv = plant.supply_mv();
    let timeline = &loaded.timeline;
    let mut next_event = 0usize;
    // When the next event is due (the timeline is in time order): one comparison per tick.
    let event_ns = |i: usize| timeline.get(i).map_or(u64::MAX, |e| e.at_ns);
    let mut next_event_ns = event_ns(0);
    // Buttons held down: (bits, released at ns). A handful at most.
    let mut held: Vec<(u8, u64)> = Vec::new();

    let mut buttons_down = 0u8;
    let mut until_sample = 0u64;
    let milk_start = plant.outputs().mother;
    // The pump's start (the first running tick) and the first ejection after it: the latency.
    let mut pump_started_ns: Option<u64> = None;
    let mut first_ejection_ns: Option<u64> = None;
    for k in 0..ticks {
        let now = k * tick;
        if !held.is_empty() {
            held.retain(|&(_, until)| until > now);
            buttons_down = held.iter().fold(0u8, |acc, &(bits, _)| acc | bits);
        }
        // 1. Sensor.
        let counts = plant.sample_sensor(dt_s);
        let frame = SensorFrame {
            time_ns: now,
            pressure_counts: counts,
            buttons: buttons_down,
            supply_mv,
        };
        // 2. One control step.
        let act = controller.step(&frame)?;
        if !(0.0..=1.0).contains(&act.motor_duty) {
            // NaN or out of range: a broken controller, reported rather than clamped away.
            return Err(RunError::Controller(ControllerError::Fault {
                time_s: now as f64 * 1e-9,
                message: format!("commanded motor duty {} outside 0..=1", act.motor_duty),
            }));
        }
        // 3. Events due now.
        let mut stop_commanded = false;
        let mut fault_injected = false;
        while next_event_ns <= now {
            let ev = &timeline[next_event];
            match ev.action {
                EventAction::Press {
                    buttons: bits,
                    hold_ns,
                } => {
                    if bits & buttons::POWER != 0 && act.telemetry.state.is_running() {
                        stop_commanded = true;
                    }
                    // The controller first sees the press on the next tick; hold it for exactly
                    // `hold_ns` of control ticks from there.
                    held.push((bits, now + tick + hold_ns));
                    buttons_down |= bits;
                }
                EventAction::Plant(fault) => {
                    plant.inject(fault);
                    fault_injected = true;
                }
            }
            next_event += 1;
            next_event_ns = event_ns(next_event);
        }
        // 4. Plant over the tick with the actuators held. The metrics see the state at `now`
        //    (taken before the step: a few values, not a copy of every output) and the motor
        //    power this tick's decision drew over the tick; the recorder sees the state at `now`
        //    on its decimated ticks only.
        let before = plant.outputs();
        let mut view = tick_view(now, &act, before, stop_commanded, fault_injected);
        // A countdown instead of `k % decimation`: no integer division per tick.
        let recorded = if until_sample == 0 {
            Some(*before)
        } else {
            None
        };
        let after = plant
            .step(&StepInput {
                motor_duty: act.motor_duty,
                valve_open: act.valve_open,
                dt_s,
            })
            .map_err(|source| RunError::Plant {
                time_s: (now + tick) as f64 * 1e-9,
                source,
            })?;
        view.motor_power_w = after.motor_power_w;
        if view.running && pump_started_ns.is_none() {
            pump_started_ns = Some(now);
        }
        if after.mother.ejection_started && pump_started_ns.is_some() && first_ejection_ns.is_none()
        {
            // It began during this tick's step: stamp it at the step's end.
            first_ejection_ns = Some(now + tick);
        }
        view.leak_flow_ml_min = after.total_leak_flow_ml_min();
        // 5. Metrics and recorder.
        metrics.observe(&view);
        if let Some(before) = recorded {
            until_sample = decimation;
            let sample = Sample {
                time_ns: now,
                actuators: act,
                sensor_counts: counts,
                plant: before,
            };
            sink.record_with_firmware(&sample, controller.firmware_telemetry())
                .map_err(|source| RunError::Output {
                    time_s: now as f64 * 1e-9,
                    source,
                })?;
        }
        until_sample -= 1;
    }
    // The run may end between two of the mother's steps (§7.7): her last partial step.
    plant.finish_mother();
    let link = controller.link_health();
    // The mother's totals over this run only (a course's mother arrives with earlier sessions').
    let end = plant.outputs();
    let milk = MilkTotals {
        removed_ml: [
            end.mother.milk_removed_ml[0] - milk_start.milk_removed_ml[0],
            end.mother.milk_removed_ml[1] - milk_start.milk_removed_ml[1],
        ],
        ejections: end.mother.ejections - milk_start.ejections,
        pump_started_ns,
        first_ejection_ns,
    };
    Ok(RunOutcome {
        plant_motor_energy_j: end.motor_energy_j,
        metrics: metrics.finish_with(link.as_ref(), Some(&milk)),
        ticks,
        tick_ns: tick,
        link,
    })
}

/// What the metrics see of a tick, from the plant's state at `now` (the motor power and leak
/// flow over the tick are filled in after the step).
#[inline]
fn tick_view(
    now: u64,
    act: &ActuatorFrame,
    out: &PlantOutputs,
    stop: bool,
    fault: bool,
) -> TickView {
    TickView {
        time_ns: now,
        vacuum_sensor_port_mmhg: out.vacuum_manifold_mmhg,
        vacuum_nipple_mmhg: [out.shields[0].vacuum_mmhg, out.shields[1].vacuum_mmhg],
        shields: out.shield_count,
        target_vacuum_mmhg: act.telemetry.target_vacuum_mmhg,
        running: act.telemetry.state.is_running(),
        faulted: act.telemetry.state == crate::controller::ControllerState::Fault,
        motor_duty: act.motor_duty,
        motor_power_w: 0.0,
        valve_open: act.valve_open,
        leak_flow_ml_min: 0.0,
        stop_commanded: stop,
        fault_injected: fault,
    }
}
