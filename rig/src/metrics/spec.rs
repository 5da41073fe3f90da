//! What a scenario's `[[checks]]` entry says ([`CheckSpec`]), the metrics it may name
//! ([`Metric`]), and the validation that turns it into a [`ValidCheck`] or a [`CheckSpecError`]
//! naming the check, the key and the value.

use serde::{Deserialize, Serialize};

use super::Location;
use crate::controller::serial::LINK_METRICS;

/// Threshold of `release_time` when the check does not set `threshold_mmhg`, mmHg.
pub const DEFAULT_RELEASE_THRESHOLD_MMHG: f64 = 10.0;

/// One `[[checks]]` entry of a scenario, as written in the file.
///
/// ```toml
/// [[checks]]
/// name = "expression peak vacuum within ±20 mmHg of 190"
/// metric = "peak_vacuum"
/// at = "left_nipple"
/// window_s = [150.0, 600.0]
/// min = 170.0
/// max = 210.0
/// unit = "mmHg"
/// ```
///
/// Deserializing only checks the shape; [`MetricsEngine::new`](super::MetricsEngine::new) (or
/// [`validate_checks`](super::validate_checks)) checks the meaning.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckSpec {
    /// Free text, shown in messages and reports.
    pub name: String,
    /// One of the [`Metric`] names, e.g. `"peak_vacuum"`.
    pub metric: String,
    /// Where the vacuum is measured: required for vacuum metrics, rejected for the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Location>,
    /// `[start, end]` in simulated seconds (ticks with `start <= t < end` count; per-cycle
    /// metrics count the cycles whose peak lies there). Default: the whole run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_s: Option<[f64; 2]>,
    /// Lower limit, in `unit`. At least one of `min` and `max` is required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Upper limit, in `unit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Must be exactly the metric's unit ([`Metric::unit`]), e.g. `"mmHg"`.
    pub unit: String,
    /// Lower edge of the marginal band, in `unit` (as OpenHTF's marginal limits): a value that
    /// passes but lies below it is flagged `marginal`. Needs `min`; `min <= marginal_min`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marginal_min: Option<f64>,
    /// Upper edge of the marginal band, in `unit`: a passing value above it is flagged
    /// `marginal`. Needs `max`; `marginal_max <= max`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marginal_max: Option<f64>,
    /// Vacuum threshold, mmHg: for `release_time` (default 10) and `time_above` (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold_mmhg: Option<f64>,
}

/// A metric a check can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Each cycle's peak vacuum, mmHg.
    PeakVacuum,
    /// 60 / interval between a cycle's peak and the previous peak, cycles/min.
    CycleRate,
    /// Time from 10 % to 90 % of a cycle's peak above its preceding trough, ms.
    RiseTime,
    /// A cycle's peak minus the largest set-point seen during that cycle, mmHg.
    Overshoot,
    /// Highest vacuum in the window, mmHg.
    MaxVacuum,
    /// Time the vacuum exceeded `threshold_mmhg`, s.
    TimeAbove,
    /// Worst time from a stop (or a fault trip) to the vacuum falling below the threshold, ms.
    ReleaseTime,
    /// Worst time from an injected fault to the controller reporting a fault, ms.
    FaultLatency,
    /// Mean free-air leak flow into the chambers, mL/min.
    LeakFlow,
    /// Electrical energy drawn by the motor, J.
    MotorEnergy,
    /// Mean electrical power drawn by the motor, W.
    MeanMotorPower,
    /// Number of cycles whose peak lies in the window.
    CycleCount,
    /// Milk removed from both breasts over the run, mL (the mother's model, §15).
    MilkRemoved,
    /// Milk ejections (oxytocin pulses) over the run (§14).
    MilkEjections,
    /// Time from the pump's start (the controller first running a program) to the first milk
    /// ejection, s.
    FirstEjectionLatency,
    /// A link-health figure of a board on a serial link, over the whole run: the index of its
    /// name and unit in [`LINK_METRICS`] (`link_crc_errors`, `link_round_trip_p99`, ...).
    Link(u8),
}

impl Metric {
    /// Every metric, in the order error messages list them.
    pub const ALL: [Metric; 15] = [
        Metric::PeakVacuum,
        Metric::CycleRate,
        Metric::RiseTime,
        Metric::Overshoot,
        Metric::MaxVacuum,
        Metric::TimeAbove,
        Metric::ReleaseTime,
        Metric::FaultLatency,
        Metric::LeakFlow,
        Metric::MotorEnergy,
        Metric::MeanMotorPower,
        Metric::CycleCount,
        Metric::MilkRemoved,
        Metric::MilkEjections,
        Metric::FirstEjectionLatency,
    ];

    /// The name used in scenario files (`peak_vacuum`).
    pub fn name(self) -> &'static str {
        match self {
            Metric::PeakVacuum => "peak_vacuum",
            Metric::CycleRate => "cycle_rate",
            Metric::RiseTime => "rise_time",
            Metric::Overshoot => "overshoot",
            Metric::MaxVacuum => "max_vacuum",
            Metric::TimeAbove => "time_above",
            Metric::ReleaseTime => "release_time",
            Metric::FaultLatency => "fault_latency",
            Metric::LeakFlow => "leak_flow",
            Metric::MotorEnergy => "motor_energy",
            Metric::MeanMotorPower => "mean_motor_power",
            Metric::CycleCount => "cycle_count",
            Metric::MilkRemoved => "milk_removed",
            Metric::MilkEjections => "milk_ejections",
            Metric::FirstEjectionLatency => "first_ejection_latency",
            Metric::Link(i) => LINK_METRICS[usize::from(i)].0,
        }
    }

    /// The unit a check on this metric must state, exactly as it must be written.
    pub fn unit(self) -> &'static str {
        match self {
            Metric::PeakVacuum | Metric::Overshoot | Metric::MaxVacuum => "mmHg",
            Metric::CycleRate => "cycles/min",
            Metric::RiseTime | Metric::ReleaseTime | Metric::FaultLatency => "ms",
            Metric::TimeAbove | Metric::FirstEjectionLatency => "s",
            Metric::MilkRemoved => "mL",
            Metric::MilkEjections => "ejections",
            Metric::LeakFlow => "mL/min",
            Metric::MotorEnergy => "J",
            Metric::MeanMotorPower => "W",
            Metric::CycleCount => "cycles",
            Metric::Link(i) => LINK_METRICS[usize::from(i)].1,
        }
    }

    /// Looks a metric up by its scenario-file name.
    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL
            .into_iter()
            .chain(Metric::links())
            .find(|m| m.name() == name)
    }

    /// The link-health metrics ([`Metric::Link`]), in [`LINK_METRICS`] order.
    pub fn links() -> impl Iterator<Item = Metric> {
        (0..LINK_METRICS.len()).map(|i| Metric::Link(i as u8))
    }

    /// Whether the metric is measured at a location (`at` required) or not (`at` rejected).
    pub fn needs_location(self) -> bool {
        !matches!(
            self,
            Metric::FaultLatency
                | Metric::LeakFlow
                | Metric::MotorEnergy
                | Metric::MeanMotorPower
                | Metric::Link(_)
                | Metric::MilkRemoved
                | Metric::MilkEjections
                | Metric::FirstEjectionLatency
        )
    }

    /// Whether the metric is a figure of the whole run (`window_s` rejected): the link's health
    /// and the mother's totals.
    pub fn is_whole_run(self) -> bool {
        matches!(
            self,
            Metric::Link(_)
                | Metric::MilkRemoved
                | Metric::MilkEjections
                | Metric::FirstEjectionLatency
        )
    }

    /// Whether limits apply to every detected cycle (the reported value is the worst cycle).
    pub fn is_per_cycle(self) -> bool {
        matches!(
            self,
            Metric::PeakVacuum | Metric::CycleRate | Metric::RiseTime | Metric::Overshoot
        )
    }

    fn threshold_rule(self) -> ThresholdRule {
        match self {
            Metric::ReleaseTime => ThresholdRule::Optional(DEFAULT_RELEASE_THRESHOLD_MMHG),
            Metric::TimeAbove => ThresholdRule::Required,
            _ => ThresholdRule::Rejected,
        }
    }
}

impl std::fmt::Display for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

enum ThresholdRule {
    Optional(f64),
    Required,
    Rejected,
}

/// A check that does not make sense, with where it is: `checks[2].unit = "mmhg": ...`.
///
/// `index` is the check's position in the scenario's `[[checks]]` array and `field` the key
/// inside it (`None` when the check as a whole is at fault, e.g. it has neither `min` nor
/// `max`), so a scenario loader can point at the line.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}{}: {problem}", self.key(), self.value.as_ref().map(|v| format!(" = {v}")).unwrap_or_default())]
pub struct CheckSpecError {
    /// Position of the check in `[[checks]]`, from 0.
    pub index: usize,
    /// The offending key inside the check, or `None` for the check as a whole.
    pub field: Option<&'static str>,
    /// The offending value as written in TOML (`"mmhg"`, `[600, 150]`), or `None` if missing.
    pub value: Option<String>,
    pub problem: CheckSpecProblem,
}

impl CheckSpecError {
    /// The key path, e.g. `checks[2].unit`, or `checks[2]` for the check as a whole.
    pub fn key(&self) -> String {
        match self.field {
            Some(f) => format!("checks[{}].{f}", self.index),
            None => format!("checks[{}]", self.index),
        }
    }
}

/// What is wrong with a check.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CheckSpecProblem {
    #[error(
        "unknown metric; the metrics are {}; for a board on a serial link also {}",
        Metric::ALL.map(|m| m.name()).join(", "),
        LINK_METRICS.map(|(name, _)| name).join(", ")
    )]
    UnknownMetric,
    #[error("{metric} is a figure of the whole run; remove `window_s`")]
    WindowNotAllowed { metric: Metric },
    #[error("{metric} is measured in \"{expected}\"; write unit = \"{expected}\"")]
    UnitMismatch {
        metric: Metric,
        expected: &'static str,
    },
    #[error(
        "{metric} is measured at a location: add at = \"sensor_port\", \"left_nipple\" or \"right_nipple\""
    )]
    LocationMissing { metric: Metric },
    #[error("{metric} is not measured at a location; remove `at`")]
    LocationNotAllowed { metric: Metric },
    #[error("the kit has {shields} shield(s), so there is no right nipple")]
    NoSuchShield { shields: u8 },
    #[error("the window must be [start, end] with 0 <= start < end, in simulated seconds")]
    BadWindow,
    #[error("min is above max = {max}")]
    MinAboveMax { max: f64 },
    #[error("a check needs at least one of min and max")]
    NoLimits,
    #[error("not a finite number")]
    NotFinite,
    #[error("{metric} takes no threshold_mmhg; only release_time and time_above do")]
    ThresholdNotAllowed { metric: Metric },
    #[error("{metric} needs threshold_mmhg, the vacuum it counts time above, mmHg")]
    ThresholdMissing { metric: Metric },
    #[error("threshold_mmhg must be above 0 mmHg")]
    ThresholdNotPositive,
    #[error("the check needs a name")]
    EmptyName,
    #[error("{edge} needs {limit}: the marginal band lies inside the limits")]
    MarginalWithoutLimit {
        edge: &'static str,
        limit: &'static str,
    },
    #[error("{edge} must lie within the limits [{}, {}]", opt(.min), opt(.max))]
    MarginalOutsideLimits {
        edge: &'static str,
        min: Option<f64>,
        max: Option<f64>,
    },
    #[error("marginal_min is above marginal_max = {marginal_max}")]
    MarginalMinAboveMax { marginal_max: f64 },
}

/// The marginal band lies inside the limits: `min <= marginal_min <= marginal_max <= max`, each
/// edge only with its limit. The error names the key and its value.
fn check_marginal(spec: &CheckSpec) -> Result<(), (&'static str, f64, CheckSpecProblem)> {
    let (min, max) = (spec.min, spec.max);
    for (edge, limit, x, has_limit) in [
        ("marginal_min", "min", spec.marginal_min, min.is_some()),
        ("marginal_max", "max", spec.marginal_max, max.is_some()),
    ] {
        let Some(x) = x else { continue };
        if !x.is_finite() {
            return Err((edge, x, CheckSpecProblem::NotFinite));
        }
        if !has_limit {
            return Err((
                edge,
                x,
                CheckSpecProblem::MarginalWithoutLimit { edge, limit },
            ));
        }
        if min.is_some_and(|lo| x < lo) || max.is_some_and(|hi| x > hi) {
            return Err((
                edge,
                x,
                CheckSpecProblem::MarginalOutsideLimits { edge, min, max },
            ));
        }
    }
    match (spec.marginal_min, spec.marginal_max) {
        (Some(a), Some(b)) if a > b => Err((
            "marginal_min",
            a,
            CheckSpecProblem::MarginalMinAboveMax { marginal_max: b },
        )),
        _ => Ok(()),
    }
}

/// A window of simulated time, ns: ticks with `start_ns <= t < end_ns` are inside.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Window {
    pub start_ns: u64,
    pub end_ns: u64,
}

impl Window {
    pub const WHOLE_RUN: Window = Window {
        start_ns: 0,
        end_ns: u64::MAX,
    };

    #[inline]
    pub fn contains(&self, t_ns: u64) -> bool {
        t_ns >= self.start_ns && t_ns < self.end_ns
    }
}

/// A check that passed validation, in the engine's terms.
#[derive(Clone, Debug)]
pub(crate) struct ValidCheck {
    pub spec: CheckSpec,
    pub metric: Metric,
    pub at: Option<Location>,
    pub window: Window,
    pub threshold_mmhg: Option<f64>,
}

/// A limit in a message: the number, or `none` for a side without one.
fn opt(x: &Option<f64>) -> String {
    x.map_or_else(|| "none".into(), toml_f64)
}

fn toml_f64(x: f64) -> String {
    if x.is_nan() {
        "nan".into()
    } else if x.is_infinite() {
        if x > 0.0 { "inf".into() } else { "-inf".into() }
    } else {
        format!("{x:?}")
    }
}

/// Validates one check (`index` is its position in `[[checks]]`) for a kit of `shields` shields.
pub(crate) fn validate(
    index: usize,
    spec: &CheckSpec,
    shields: u8,
) -> Result<ValidCheck, CheckSpecError> {
    let err = |field: Option<&'static str>, value: Option<String>, problem| CheckSpecError {
        index,
        field,
        value,
        problem,
    };
    if spec.name.trim().is_empty() {
        return Err(err(
            Some("name"),
            Some(format!("{:?}", spec.name)),
            CheckSpecProblem::EmptyName,
        ));
    }
    let metric = Metric::from_name(&spec.metric).ok_or_else(|| {
        err(
            Some("metric"),
            Some(format!("{:?}", spec.metric)),
            CheckSpecProblem::UnknownMetric,
        )
    })?;
    if spec.unit != metric.unit() {
        return Err(err(
            Some("unit"),
            Some(format!("{:?}", spec.unit)),
            CheckSpecProblem::UnitMismatch {
                metric,
                expected: metric.unit(),
            },
        ));
    }
    match (metric.needs_location(), spec.at) {
        (true, None) => {
            return Err(err(
                Some("at"),
                None,
                CheckSpecProblem::LocationMissing { metric },
            ));
        }
        (false, Some(at)) => {
            return Err(err(
                Some("at"),
                Some(format!("{:?}", at.as_str())),
                CheckSpecProblem::LocationNotAllowed { metric },
            ));
        }
        (true, Some(Location::RightNipple)) if shields < 2 => {
            return Err(err(
                Some("at"),
                Some("\"right_nipple\"".into()),
                CheckSpecProblem::NoSuchShield { shields },
            ));
        }
        _ => {}
    }
    let window = match spec.window_s {
        None => Window::WHOLE_RUN,
        Some([start, end]) if metric.is_whole_run() => {
            return Err(err(
                Some("window_s"),
                Some(format!("[{}, {}]", toml_f64(start), toml_f64(end))),
                CheckSpecProblem::WindowNotAllowed { metric },
            ));
        }
        Some([start, end]) => {
            let value = Some(format!("[{}, {}]", toml_f64(start), toml_f64(end)));
            if !start.is_finite() || !end.is_finite() || start < 0.0 || start >= end {
                return Err(err(Some("window_s"), value, CheckSpecProblem::BadWindow));
            }
            // `as` saturates, so an end beyond u64 nanoseconds means "to the end of the run".
            Window {
                start_ns: (start * 1e9).round() as u64,
                end_ns: (end * 1e9).round() as u64,
            }
        }
    };
    for (field, limit) in [("min", spec.min), ("max", spec.max)] {
        if let Some(x) = limit.filter(|x| !x.is_finite()) {
            return Err(err(
                Some(field),
                Some(toml_f64(x)),
                CheckSpecProblem::NotFinite,
            ));
        }
    }
    match (spec.min, spec.max) {
        (None, None) => return Err(err(None, None, CheckSpecProblem::NoLimits)),
        (Some(lo), Some(hi)) if lo > hi => {
            return Err(err(
                Some("min"),
                Some(toml_f64(lo)),
                CheckSpecProblem::MinAboveMax { max: hi },
            ));
        }
        _ => {}
    }
    check_marginal(spec)
        .map_err(|(field, x, problem)| err(Some(field), Some(toml_f64(x)), problem))?;
    let threshold_mmhg = match (metric.threshold_rule(), spec.threshold_mmhg) {
        (ThresholdRule::Rejected, None) => None,
        (ThresholdRule::Rejected, Some(x)) => {
            return Err(err(
                Some("threshold_mmhg"),
                Some(toml_f64(x)),
                CheckSpecProblem::ThresholdNotAllowed { metric },
            ));
        }
        (ThresholdRule::Required, None) => {
            return Err(err(
                Some("threshold_mmhg"),
                None,
                CheckSpecProblem::ThresholdMissing { metric },
            ));
        }
        (ThresholdRule::Optional(default), None) => Some(default),
        (_, Some(x)) if !x.is_finite() => {
            return Err(err(
                Some("threshold_mmhg"),
                Some(toml_f64(x)),
                CheckSpecProblem::NotFinite,
            ));
        }
        (_, Some(x)) if x <= 0.0 => {
            return Err(err(
                Some("threshold_mmhg"),
                Some(toml_f64(x)),
                CheckSpecProblem::ThresholdNotPositive,
            ));
        }
        (_, Some(x)) => Some(x),
    };
    Ok(ValidCheck {
        spec: spec.clone(),
        metric,
        at: spec.at,
        window,
        threshold_mmhg,
    })
}
