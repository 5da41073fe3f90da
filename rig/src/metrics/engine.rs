//! The engine: one cycle detector per location, the standard summary accumulators, and one
//! accumulator per check, all fed from each tick.

use std::collections::BTreeMap;

use super::cycles::{Cycle, CycleDetector};
use super::format;
use super::per_cycle::{PerCycleAcc, RunningStats};
use super::report::{self, CheckOutcome, Finding, MetricsReport};
use super::spec::{
    self, CheckSpec, CheckSpecError, DEFAULT_RELEASE_THRESHOLD_MMHG, Metric, ValidCheck, Window,
};
use super::whole_window::{
    EpisodeTracker, Episodes, MaxTracker, ReleaseTracker, SumTracker, TimeAbove,
};
use super::{Location, TickView};
use crate::controller::LinkHealth;

/// Checks every check of a scenario for a kit of `shields` shields, as
/// [`MetricsEngine::new`] does, without building an engine (for the scenario loader).
pub fn validate_checks(checks: &[CheckSpec], shields: u8) -> Result<(), CheckSpecError> {
    checks
        .iter()
        .enumerate()
        .try_for_each(|(i, c)| spec::validate(i, c, shields).map(|_| ()))
}

/// What a [`MetricsEngine`] computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The summary and every check: a normal run.
    Full,
    /// The checks only, with an empty summary: for a caller that reads only the check outcomes
    /// (a course's sessions record how many failed). The checks' outcomes are the same as with
    /// `Full`; the per-tick work is what the checks need (no summary cycle detectors, maxima,
    /// release trackers or means).
    ChecksOnly,
}

/// Streaming metrics of one run: build it from the scenario's checks, [`observe`] every
/// control tick, [`finish`] for the report.
///
/// [`observe`]: MetricsEngine::observe
/// [`finish`]: MetricsEngine::finish
#[derive(Debug)]
pub struct MetricsEngine {
    tick_ns: u64,
    /// [`Scope::Full`]: the summary's accumulators run too.
    summary: bool,
    /// The sensor port, then each present nipple ([`Scope::ChecksOnly`]: only the locations
    /// whose cycles a check needs).
    locations: Vec<LocationState>,
    motor_power_w: SumTracker,
    leak_flow_ml_min: SumTracker,
    checks: Vec<CheckState>,
    /// Indices into `checks` of those with per-tick work (per-cycle checks are fed when a
    /// cycle ends): the tick loop skips the rest without looking at them.
    tick_checks: Vec<usize>,
    /// Checks whose accumulator would see exactly what a location's summary tracker sees (a
    /// whole-run `max_vacuum`, or a whole-run `release_time` at the default threshold): (check,
    /// location index). They are not fed per tick; [`finish`](Self::finish) copies the
    /// location's tracker into them.
    mirrored: Vec<(usize, usize)>,
    last_ns: Option<u64>,
    /// [`Scope::Full`]: no location's release tracker has a release pending.
    releases_idle: bool,
    /// (faulted, running) of the last tick the location release trackers saw: every one of
    /// them has these as its previous tick's flags.
    release_flags: (bool, bool),
}

/// What the mother gave over a run, read from the plant when the run ends (the milk metrics).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MilkTotals {
    /// Removed from each breast (left, right), mL.
    pub removed_ml: [f64; 2],
    pub ejections: u32,
    /// The first tick the controller ran a program, ns since the start of the run.
    pub pump_started_ns: Option<u64>,
    /// When the first ejection at or after that began, ns since the start of the run.
    pub first_ejection_ns: Option<u64>,
}

/// The standard metrics of one location over the whole run.
#[derive(Debug)]
struct LocationState {
    at: Location,
    detector: CycleDetector,
    peak_mmhg: RunningStats,
    rate_cpm: RunningStats,
    rise_ms: RunningStats,
    overshoot_mmhg: RunningStats,
    max_vacuum: MaxTracker,
    release: ReleaseTracker,
}

impl LocationState {
    fn fold(&mut self, c: &Cycle) {
        self.peak_mmhg.push(c.peak_mmhg);
        if let Some(r) = c.rate_cpm {
            self.rate_cpm.push(r);
        }
        self.rise_ms.push(c.rise_time_ms);
        self.overshoot_mmhg.push(c.overshoot_mmhg());
    }
}

#[derive(Debug)]
struct CheckState {
    check: ValidCheck,
    /// The check's location (the sensor port for metrics without one; unused there).
    at: Location,
    acc: Acc,
}

#[derive(Debug)]
enum Acc {
    PerCycle {
        acc: PerCycleAcc,
        without_value: u64,
    },
    CycleCount(u64),
    MaxVacuum(MaxTracker),
    TimeAbove(TimeAbove),
    Release(ReleaseTracker),
    FaultLatency(EpisodeTracker),
    LeakFlow(SumTracker),
    MotorPower(SumTracker),
    /// Judged at the end from the controller's link health.
    Link,
    /// Judged at the end from the mother's totals.
    Milk,
}

impl CheckState {
    fn fold_cycle(&mut self, c: &Cycle) {
        if !self.check.window.contains(c.peak_ns) {
            return;
        }
        match &mut self.acc {
            Acc::PerCycle { acc, without_value } => {
                let value = match self.check.metric {
                    Metric::PeakVacuum => Some(c.peak_mmhg),
                    Metric::CycleRate => c.rate_cpm,
                    Metric::RiseTime => Some(c.rise_time_ms),
                    Metric::Overshoot => Some(c.overshoot_mmhg()),
                    _ => unreachable!("only per-cycle metrics have a per-cycle accumulator"),
                };
                match value {
                    Some(x) => acc.push(x, c.peak_ns),
                    None => *without_value += 1,
                }
            }
            Acc::CycleCount(n) => *n += 1,
            _ => {}
        }
    }
}

impl MetricsEngine {
    /// Validates `checks` for a kit of `shields` shields (1 or 2) and builds the engine for a
    /// control tick of `tick_ns` nanoseconds. The error names the first bad check, its key and
    /// value.
    pub fn new(checks: &[CheckSpec], shields: u8, tick_ns: u64) -> Result<Self, CheckSpecError> {
        Self::with_scope(checks, shields, tick_ns, Scope::Full)
    }

    /// [`MetricsEngine::new`] computing what `scope` asks for.
    pub fn with_scope(
        checks: &[CheckSpec],
        shields: u8,
        tick_ns: u64,
        scope: Scope,
    ) -> Result<Self, CheckSpecError> {
        let checks = checks
            .iter()
            .enumerate()
            .map(|(i, c)| spec::validate(i, c, shields).map(CheckState::new))
            .collect::<Result<Vec<_>, _>>()?;
        let summary = scope == Scope::Full;
        let locations = locations_of(shields)
            .iter()
            .filter(|&&at| {
                summary
                    || checks.iter().any(|c| {
                        c.at == at && matches!(c.acc, Acc::PerCycle { .. } | Acc::CycleCount(_))
                    })
            })
            .map(|&at| LocationState {
                at,
                detector: CycleDetector::new(),
                peak_mmhg: RunningStats::default(),
                rate_cpm: RunningStats::default(),
                rise_ms: RunningStats::default(),
                overshoot_mmhg: RunningStats::default(),
                max_vacuum: MaxTracker::default(),
                release: ReleaseTracker::new(DEFAULT_RELEASE_THRESHOLD_MMHG),
            })
            .collect();
        let mirror_of = |c: &CheckState| {
            if !summary || c.check.window != Window::WHOLE_RUN {
                return None;
            }
            let same = match &c.acc {
                Acc::MaxVacuum(_) => true,
                Acc::Release(r) => r.threshold_mmhg == DEFAULT_RELEASE_THRESHOLD_MMHG,
                _ => false,
            };
            // Full scope: every present location has its trackers, in `Location::ALL` order.
            same.then(|| locations_of(shields).iter().position(|&at| at == c.at))
                .flatten()
        };
        let mirrored: Vec<(usize, usize)> = checks
            .iter()
            .enumerate()
            .filter_map(|(i, c)| mirror_of(c).map(|l| (i, l)))
            .collect();
        let tick_checks = checks
            .iter()
            .enumerate()
            .filter(|(i, c)| {
                !matches!(
                    c.acc,
                    Acc::PerCycle { .. } | Acc::CycleCount(_) | Acc::Link | Acc::Milk
                ) && !mirrored.iter().any(|&(m, _)| m == *i)
            })
            .map(|(i, _)| i)
            .collect();
        Ok(Self {
            tick_ns,
            summary,
            locations,
            motor_power_w: SumTracker::default(),
            leak_flow_ml_min: SumTracker::default(),
            checks,
            tick_checks,
            mirrored,
            last_ns: None,
            releases_idle: true,
            release_flags: (false, false),
        })
    }

    /// Folds one control tick in. Ticks come in time order, one per control tick. No
    /// allocation, sorting or formatting.
    pub fn observe(&mut self, tick: &TickView) {
        let t = tick.time_ns;
        self.last_ns = Some(t);
        let vacuum = tick.vacuums_mmhg();
        // The scope is fixed for the run: one branch per tick, and loops without it.
        if self.summary {
            self.observe_summary(tick, &vacuum);
        } else {
            for loc in &mut self.locations {
                let v = vacuum[loc.at.index()];
                if let Some(cycle) = loc.detector.observe(t, v, tick.target_vacuum_mmhg) {
                    fold_cycle(loc, &mut self.checks, &cycle);
                }
            }
        }
        if !self.tick_checks.is_empty() {
            self.observe_checks(tick, &vacuum);
        }
    }

    /// [`Scope::Full`]: every location's cycles, maximum and release, and the means.
    fn observe_summary(&mut self, tick: &TickView, vacuum: &[f64; 3]) {
        let t = tick.time_ns;
        // With no release pending, no stop and the flags as on the last tick, a release
        // tracker's push changes nothing (no edge, nothing starts, nothing to close): skip the
        // pushes. Every location's tracker saw every other tick, so all agree on the flags.
        let flags = (tick.faulted, tick.running);
        let releases = !(self.releases_idle && !tick.stop_commanded && flags == self.release_flags);
        for loc in &mut self.locations {
            let v = vacuum[loc.at.index()];
            if let Some(cycle) = loc.detector.observe(t, v, tick.target_vacuum_mmhg) {
                fold_cycle(loc, &mut self.checks, &cycle);
            }
            loc.max_vacuum.push(v, t);
            if releases {
                loc.release
                    .push(t, v, tick.stop_commanded, tick.faulted, tick.running, true);
            }
        }
        if releases {
            self.release_flags = flags;
            self.releases_idle = self.locations.iter().all(|l| l.release.is_idle());
        }
        self.motor_power_w.push(tick.motor_power_w);
        self.leak_flow_ml_min.push(tick.leak_flow_ml_min);
    }

    /// The checks with per-tick work.
    fn observe_checks(&mut self, tick: &TickView, vacuum: &[f64; 3]) {
        let t = tick.time_ns;
        for &i in &self.tick_checks {
            let c = &mut self.checks[i];
            let inside = c.check.window.contains(t);
            let v = vacuum[c.at.index()];
            match &mut c.acc {
                Acc::PerCycle { .. } | Acc::CycleCount(_) => {}
                Acc::MaxVacuum(m) if inside => m.push(v, t),
                Acc::TimeAbove(a) if inside => a.push(v),
                Acc::Release(r) => r.push(
                    t,
                    v,
                    tick.stop_commanded,
                    tick.faulted,
                    tick.running,
                    inside,
                ),
                Acc::FaultLatency(e) => e.push(t, inside && tick.fault_injected, tick.faulted),
                Acc::LeakFlow(s) if inside => s.push(tick.leak_flow_ml_min),
                Acc::MotorPower(s) if inside => s.push(tick.motor_power_w),
                _ => {}
            }
        }
    }

    /// Ends the run: the last cycles are closed, the summary built and every check judged.
    pub fn finish(self) -> MetricsReport {
        self.finish_with(None, None)
    }

    /// [`Self::finish`] with what only the end of the run knows: the link's health for `link_*`
    /// checks (`None`: the controller has no link, and such checks fail saying so) and the
    /// mother's totals for the milk checks.
    pub fn finish_with(
        mut self,
        link: Option<&LinkHealth>,
        milk: Option<&MilkTotals>,
    ) -> MetricsReport {
        for &(i, l) in &self.mirrored {
            let loc = &self.locations[l];
            match &mut self.checks[i].acc {
                Acc::MaxVacuum(m) => *m = loc.max_vacuum,
                Acc::Release(r) => *r = loc.release,
                _ => unreachable!("only maxima and releases are mirrored"),
            }
        }
        for loc in &mut self.locations {
            let detector = std::mem::replace(&mut loc.detector, CycleDetector::new());
            if let Some(cycle) = detector.finish() {
                fold_cycle(loc, &mut self.checks, &cycle);
            }
        }
        let mut summary = self.summary();
        // (A checks-only engine has no summary; a full one has the port and every nipple.)
        if let Some(m) = milk.filter(|_| self.summary) {
            let sides = self.locations.len() - 1;
            summary.insert("milk_removed_ml".into(), m.removed_ml.iter().sum());
            summary.insert("milk_removed_ml_left".into(), m.removed_ml[0]);
            if sides > 1 {
                summary.insert("milk_removed_ml_right".into(), m.removed_ml[1]);
            }
            summary.insert("milk_ejections".into(), f64::from(m.ejections));
            if let Some(latency) = ejection_latency_s(m) {
                summary.insert("first_ejection_latency_s".into(), latency);
            }
        }
        let checks = self
            .checks
            .iter()
            .map(|c| self.judge(c, link, milk))
            .collect();
        MetricsReport { summary, checks }
    }

    fn tick_s(&self) -> f64 {
        self.tick_ns as f64 * 1e-9
    }

    fn summary(&self) -> BTreeMap<String, f64> {
        let mut s = BTreeMap::new();
        if !self.summary {
            return s;
        }
        let mut put = |key: String, value: Option<f64>| {
            if let Some(v) = value.filter(|v| v.is_finite()) {
                s.insert(key, v);
            }
        };
        for loc in &self.locations {
            let at = loc.at.as_str();
            put(
                format!("cycle_count_{at}"),
                Some(loc.peak_mmhg.count as f64),
            );
            put(format!("peak_vacuum_mean_mmhg_{at}"), loc.peak_mmhg.mean());
            put(
                format!("peak_vacuum_min_mmhg_{at}"),
                loc.peak_mmhg.mean().map(|_| loc.peak_mmhg.min),
            );
            put(
                format!("peak_vacuum_max_mmhg_{at}"),
                loc.peak_mmhg.mean().map(|_| loc.peak_mmhg.max),
            );
            put(format!("cycle_rate_mean_cpm_{at}"), loc.rate_cpm.mean());
            put(format!("rise_time_mean_ms_{at}"), loc.rise_ms.mean());
            put(
                format!("overshoot_max_mmhg_{at}"),
                loc.overshoot_mmhg.mean().map(|_| loc.overshoot_mmhg.max),
            );
            put(
                format!("max_vacuum_mmhg_{at}"),
                loc.max_vacuum.get().map(|(v, _)| v),
            );
            if let Episodes::Worst { worst_ns, .. } = loc.release.result() {
                put(
                    format!("release_time_max_ms_{at}"),
                    Some(worst_ns as f64 * 1e-6),
                );
            }
        }
        put(
            "motor_energy_j".into(),
            self.motor_power_w.integral(self.tick_s()),
        );
        put("mean_motor_power_w".into(), self.motor_power_w.mean());
        put("leak_flow_mean_ml_min".into(), self.leak_flow_ml_min.mean());
        s
    }

    /// Why a window has no ticks: `no ticks in 600–700 s: the run ended at t = 300.00 s`.
    fn no_ticks(&self, window_s: Option<[f64; 2]>) -> String {
        match self.last_ns {
            None => "the run had no ticks".into(),
            Some(t) => format!(
                "no ticks {}: the run ended at t = {} s",
                format::window(window_s),
                format::time_s(t)
            ),
        }
    }

    fn judge(
        &self,
        c: &CheckState,
        link: Option<&LinkHealth>,
        milk: Option<&MilkTotals>,
    ) -> CheckOutcome {
        let check = &c.check;
        let window_s = check.spec.window_s;
        let window = format::window(window_s);
        let scalar = |value: f64, at_ns: Option<u64>, context: String| {
            if value.is_finite() {
                Finding::Scalar {
                    value,
                    at_ns,
                    cycles: None,
                    context,
                }
            } else {
                Finding::Missing {
                    reason: format!("the value is not a number ({value}) {window}"),
                    at_ns,
                }
            }
        };
        let finding = match &c.acc {
            Acc::PerCycle { acc, without_value } => {
                if acc.stats.count == 0
                    && *without_value == 0
                    && window_after_run(&check.window, self.last_ns)
                {
                    Finding::Missing {
                        reason: format!("no cycles detected: {}", self.no_ticks(window_s)),
                        at_ns: None,
                    }
                } else {
                    Finding::PerCycle {
                        acc: *acc,
                        cycles_without_value: *without_value,
                    }
                }
            }
            Acc::CycleCount(n) => Finding::Scalar {
                value: *n as f64,
                at_ns: None,
                cycles: Some(*n),
                context: window,
            },
            Acc::MaxVacuum(m) => match m.get() {
                Some((v, t)) => scalar(
                    v,
                    Some(t),
                    format!("at t = {} s {window}", format::time_s(t)),
                ),
                None => Finding::Missing {
                    reason: self.no_ticks(window_s),
                    at_ns: None,
                },
            },
            Acc::TimeAbove(a) if a.ticks == 0 => Finding::Missing {
                reason: self.no_ticks(window_s),
                at_ns: None,
            },
            Acc::TimeAbove(a) => scalar(
                a.ticks_above as f64 * self.tick_s(),
                None,
                format!("above {} mmHg {window}", format::num(a.threshold_mmhg)),
            ),
            Acc::Release(r) => {
                let threshold = format::num(r.threshold_mmhg);
                match r.result() {
                    Episodes::None => Finding::Missing {
                        reason: format!("no stop {window}"),
                        at_ns: None,
                    },
                    Episodes::Unfinished {
                        start_ns,
                        restarted_ns: Some(restart_ns),
                        ..
                    } => Finding::Missing {
                        reason: format!(
                            "not released before the pump was started again at t = {} s: after the stop at \
                             t = {} s the vacuum did not fall below {threshold} mmHg and stay there",
                            format::time_s(restart_ns),
                            format::time_s(start_ns),
                        ),
                        at_ns: Some(start_ns),
                    },
                    Episodes::Unfinished { start_ns, .. } => Finding::Missing {
                        reason: format!(
                            "not released by end of run: after the stop at t = {} s the vacuum was still {} mmHg \
                             (threshold {threshold} mmHg) when the run ended at t = {} s",
                            format::time_s(start_ns),
                            format::num(r.last_vacuum_mmhg),
                            format::time_s(self.last_ns.unwrap_or(start_ns)),
                        ),
                        at_ns: Some(start_ns),
                    },
                    Episodes::Worst {
                        worst_ns,
                        start_ns,
                        count,
                    } => scalar(
                        worst_ns as f64 * 1e-6,
                        Some(start_ns),
                        format!(
                            "after the stop at t = {} s to below {threshold} mmHg (worst of {count} stop(s) {window})",
                            format::time_s(start_ns)
                        ),
                    ),
                }
            }
            Acc::FaultLatency(e) => match e.result() {
                Episodes::None => Finding::Missing {
                    reason: format!("no fault injected {window}"),
                    at_ns: None,
                },
                Episodes::Unfinished { start_ns, .. } => Finding::Missing {
                    reason: format!(
                        "supervisor never tripped after the fault injected at t = {} s",
                        format::time_s(start_ns)
                    ),
                    at_ns: Some(start_ns),
                },
                Episodes::Worst {
                    worst_ns,
                    start_ns,
                    count,
                } => scalar(
                    worst_ns as f64 * 1e-6,
                    Some(start_ns),
                    format!(
                        "after the fault injected at t = {} s (worst of {count} fault(s) {window})",
                        format::time_s(start_ns)
                    ),
                ),
            },
            Acc::LeakFlow(s) | Acc::MotorPower(s) if s.ticks == 0 => Finding::Missing {
                reason: self.no_ticks(window_s),
                at_ns: None,
            },
            Acc::LeakFlow(s) => {
                scalar(s.sum / s.ticks as f64, None, format!("on average {window}"))
            }
            Acc::MotorPower(s) if check.metric == Metric::MotorEnergy => {
                scalar(s.sum * self.tick_s(), None, window.clone())
            }
            Acc::MotorPower(s) => {
                scalar(s.sum / s.ticks as f64, None, format!("on average {window}"))
            }
            Acc::Milk => match (milk, check.metric) {
                (None, _) => Finding::Missing {
                    reason: "the run has no mother model".into(),
                    at_ns: None,
                },
                (Some(m), Metric::MilkRemoved) => scalar(
                    m.removed_ml.iter().sum(),
                    None,
                    "from both breasts over the run".into(),
                ),
                (Some(m), Metric::MilkEjections) => {
                    scalar(f64::from(m.ejections), None, "over the run".into())
                }
                (Some(m), _) => match (m.pump_started_ns, ejection_latency_s(m)) {
                    (None, _) => Finding::Missing {
                        reason: "the pump never ran".into(),
                        at_ns: None,
                    },
                    (Some(start), None) => Finding::Missing {
                        reason: format!(
                            "no milk ejection after the pump started at t = {} s",
                            format::time_s(start)
                        ),
                        at_ns: Some(start),
                    },
                    (Some(start), Some(latency)) => scalar(
                        latency,
                        Some(start),
                        format!(
                            "from the pump's start at t = {} s to the first milk ejection",
                            format::time_s(start)
                        ),
                    ),
                },
            },
            Acc::Link => match link.and_then(|h| h.metric(check.metric.name())) {
                Some(v) => scalar(v, None, "over the run".into()),
                None => Finding::Missing {
                    reason: "the controller has no serial link (link metrics apply to `qemu:` \
                             and `serial:` controllers)"
                        .into(),
                    at_ns: None,
                },
            },
        };
        report::outcome(check, finding)
    }
}

/// A cycle that ended at `loc`: into the location's summary and that location's checks.
#[cold]
fn fold_cycle(loc: &mut LocationState, checks: &mut [CheckState], cycle: &Cycle) {
    loc.fold(cycle);
    for c in checks.iter_mut().filter(|c| c.at == loc.at) {
        c.fold_cycle(cycle);
    }
}

/// The locations of a kit of `shields` shields: the sensor port, then each present nipple.
fn locations_of(shields: u8) -> &'static [Location] {
    &Location::ALL[..1 + usize::from(shields.clamp(1, 2))]
}

/// Seconds from the pump's start to the first ejection after it.
fn ejection_latency_s(m: &MilkTotals) -> Option<f64> {
    Some(m.first_ejection_ns?.checked_sub(m.pump_started_ns?)? as f64 * 1e-9)
}

/// True if the run ended before the window began (or had no ticks).
fn window_after_run(w: &Window, last_ns: Option<u64>) -> bool {
    last_ns.is_none_or(|t| t < w.start_ns)
}

impl CheckState {
    fn new(check: ValidCheck) -> Self {
        let (min, max) = (check.spec.min, check.spec.max);
        let acc = match check.metric {
            m if m.is_per_cycle() => Acc::PerCycle {
                acc: PerCycleAcc::new(min, max),
                without_value: 0,
            },
            Metric::CycleCount => Acc::CycleCount(0),
            Metric::MaxVacuum => Acc::MaxVacuum(MaxTracker::default()),
            Metric::TimeAbove => {
                Acc::TimeAbove(TimeAbove::new(check.threshold_mmhg.unwrap_or_default()))
            }
            Metric::ReleaseTime => Acc::Release(ReleaseTracker::new(
                check
                    .threshold_mmhg
                    .unwrap_or(DEFAULT_RELEASE_THRESHOLD_MMHG),
            )),
            Metric::FaultLatency => Acc::FaultLatency(EpisodeTracker::default()),
            Metric::LeakFlow => Acc::LeakFlow(SumTracker::default()),
            Metric::Link(_) => Acc::Link,
            Metric::MilkRemoved | Metric::MilkEjections | Metric::FirstEjectionLatency => Acc::Milk,
            _ => Acc::MotorPower(SumTracker::default()),
        };
        Self {
            at: check.at.unwrap_or(Location::SensorPort),
            check,
            acc,
        }
    }
}
