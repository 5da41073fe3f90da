//! Streaming metrics and pass/fail checks, computed while the run goes, at the control tick rate.
//!
//! The runner builds one [`MetricsEngine`] from the scenario's `[[checks]]` ([`CheckSpec`]),
//! hands it a [`TickView`] every control tick, and calls [`MetricsEngine::finish`] at the end for
//! a [`MetricsReport`]: a fixed summary of the run plus one [`CheckOutcome`] per check.
//!
//! Cost and memory: [`MetricsEngine::observe`] does not allocate, sort or format; it folds each
//! tick into running sums, minima and maxima, and each detected suction cycle into running
//! per-cycle statistics (plus the worst cycle's value and time). Memory does not grow with the
//! length of the run.
//!
//! Cycles are detected from the physical vacuum at a location (not from the controller's
//! telemetry); `cycles.rs` states the exact rule.

mod cycles;
mod engine;
mod format;
mod per_cycle;
mod report;
mod spec;
mod whole_window;

#[cfg(test)]
mod tests;

pub use engine::{MetricsEngine, MilkTotals, Scope, validate_checks};
pub use report::{CheckOutcome, MetricsReport};
pub use spec::{
    CheckSpec, CheckSpecError, CheckSpecProblem, DEFAULT_RELEASE_THRESHOLD_MMHG, Metric,
};

/// Where a vacuum is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    SensorPort,
    LeftNipple,
    RightNipple,
}

impl Location {
    /// Every location, in the order the summary lists them.
    pub const ALL: [Location; 3] = [
        Location::SensorPort,
        Location::LeftNipple,
        Location::RightNipple,
    ];

    /// The name used in scenario files, summary keys and messages (`left_nipple`).
    pub fn as_str(self) -> &'static str {
        match self {
            Location::SensorPort => "sensor_port",
            Location::LeftNipple => "left_nipple",
            Location::RightNipple => "right_nipple",
        }
    }

    /// This location's index in [`TickView::vacuums_mmhg`] (and in [`Location::ALL`]).
    #[inline]
    fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the metric accumulators see each control tick.
#[derive(Clone, Copy, Debug, Default)]
pub struct TickView {
    pub time_ns: u64,
    /// True vacuum at the transducer port (pump manifold), mmHg below atmosphere.
    pub vacuum_sensor_port_mmhg: f64,
    /// True vacuum in each shield chamber (= at the nipple), mmHg; index 0 left, 1 right. Only the first `shields` are meaningful.
    pub vacuum_nipple_mmhg: [f64; 2],
    pub shields: u8, // 1 or 2
    /// Controller's set-point (telemetry), mmHg.
    pub target_vacuum_mmhg: f64,
    /// Controller is running a suction program (telemetry state stimulation/expression).
    pub running: bool,
    /// Controller is latched in a fault (telemetry).
    pub faulted: bool,
    pub motor_duty: f64,    // 0..=1
    pub motor_power_w: f64, // electrical power drawn from the supply by the motor, W
    pub valve_open: bool,
    /// Free-air leak flow into the chambers (seal, kit and injected leaks), mL/min at atmospheric conditions.
    pub leak_flow_ml_min: f64,
    /// A stop was commanded on this tick (POWER pressed while running).
    pub stop_commanded: bool,
    /// A fault was injected into the plant on this tick (sensor stuck, leak onset, ...).
    pub fault_injected: bool,
}

impl TickView {
    /// The true vacuum at each location, mmHg, in [`Location::ALL`] order.
    #[inline]
    fn vacuums_mmhg(&self) -> [f64; 3] {
        [
            self.vacuum_sensor_port_mmhg,
            self.vacuum_nipple_mmhg[0],
            self.vacuum_nipple_mmhg[1],
        ]
    }
}
