//! What a run's metrics come to: the summary and one [`CheckOutcome`] per check, with the
//! message a firmware engineer reads.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Location;
use super::format;
use super::per_cycle::PerCycleAcc;
use super::spec::ValidCheck;

/// Everything the metrics engine reports at the end of a run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricsReport {
    /// The standard metrics of the whole run, keys with units (`peak_vacuum_mean_mmhg_left_nipple`).
    /// Only defined values are present (no NaN): a run without cycles has no cycle means.
    pub summary: BTreeMap<String, f64>,
    /// One outcome per check, in the scenario's order.
    pub checks: Vec<CheckOutcome>,
}

impl MetricsReport {
    /// Whether every check passed (true with no checks).
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.pass)
    }

    /// Number of checks that passed inside their limits but outside their marginal band.
    pub fn marginal_count(&self) -> usize {
        self.checks.iter().filter(|c| c.marginal).count()
    }
}

/// The outcome of one check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckOutcome {
    pub name: String,
    pub metric: String,
    pub at: Option<Location>,
    pub unit: String,
    pub window_s: Option<[f64; 2]>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// The marginal band's edges, in `unit` (`None`: no band on that side).
    #[serde(default)]
    pub marginal_min: Option<f64>,
    #[serde(default)]
    pub marginal_max: Option<f64>,
    /// The threshold used by `release_time` and `time_above`, mmHg.
    pub threshold_mmhg: Option<f64>,
    /// The measured value in `unit`; for per-cycle metrics, the worst cycle's. `None` when
    /// nothing could be measured (no cycles, no stop, not released, ...): the check fails.
    pub value: Option<f64>,
    /// When the value was measured, simulated s: the worst cycle's peak, the time of the
    /// highest vacuum, the stop or the fault injection the worst time was measured from.
    pub at_time_s: Option<f64>,
    /// Number of cycles the value was taken over (per-cycle metrics and `cycle_count`).
    pub cycles: Option<u64>,
    /// Mean, minimum and maximum over the cycles (per-cycle metrics).
    pub cycle_mean: Option<f64>,
    pub cycle_min: Option<f64>,
    pub cycle_max: Option<f64>,
    pub pass: bool,
    /// Passed, but outside the marginal band (for per-cycle metrics: some cycle was). Never
    /// set on a failed check.
    #[serde(default)]
    pub marginal: bool,
    /// One line: for a failure, which check, the value with its unit, the limit it broke and
    /// where; for a pass, a summary.
    pub message: String,
}

/// What the engine measured for one check, before it is judged against the limits.
pub(crate) enum Finding {
    /// Per-cycle metric: the folded cycles. `cycles_without_value` counts cycles in the window
    /// that had no value (the first cycle has no rate).
    PerCycle {
        acc: PerCycleAcc,
        cycles_without_value: u64,
    },
    /// A scalar, with when it was measured and how to say where it comes from
    /// (`at t = 12.00 s in 5–168 s`).
    Scalar {
        value: f64,
        at_ns: Option<u64>,
        cycles: Option<u64>,
        context: String,
    },
    /// Nothing measurable: why (`no stop in 150–600 s`).
    Missing { reason: String, at_ns: Option<u64> },
}

fn ns_to_s(t_ns: u64) -> f64 {
    t_ns as f64 * 1e-9
}

/// Judges a finding against the check's limits and writes its outcome.
pub(crate) fn outcome(check: &ValidCheck, finding: Finding) -> CheckOutcome {
    let spec = &check.spec;
    let unit = check.metric.unit();
    let (min, max) = (spec.min, spec.max);
    let subject = match check.at {
        Some(at) => format!("{} at {at}", check.metric),
        None => check.metric.to_string(),
    };
    let window = format::window(spec.window_s);
    let mut out = CheckOutcome {
        name: spec.name.clone(),
        metric: spec.metric.clone(),
        at: check.at,
        unit: spec.unit.clone(),
        window_s: spec.window_s,
        min,
        max,
        marginal_min: spec.marginal_min,
        marginal_max: spec.marginal_max,
        threshold_mmhg: check.threshold_mmhg,
        value: None,
        at_time_s: None,
        cycles: None,
        cycle_mean: None,
        cycle_min: None,
        cycle_max: None,
        pass: false,
        marginal: false,
        message: String::new(),
    };
    let failed = |detail: String| format!("check \"{}\" failed: {subject}{detail}", spec.name);
    let passed = |detail: String| format!("check \"{}\" passed: {subject}{detail}", spec.name);
    match finding {
        Finding::PerCycle {
            acc,
            cycles_without_value,
        } => {
            let Some((value, t_ns, excess)) = acc.worst else {
                let reason = if cycles_without_value > 0 {
                    format!(
                        ": no cycle interval {window}: only {cycles_without_value} cycle(s) detected, a rate needs two in a row"
                    )
                } else {
                    format!(": no cycles detected {window}")
                };
                out.message = failed(reason);
                return out;
            };
            let (mean, lo, hi) = acc.stats.summary().expect("a worst cycle implies cycles");
            out.value = Some(value);
            out.at_time_s = Some(ns_to_s(t_ns));
            out.cycles = Some(acc.stats.count);
            (out.cycle_mean, out.cycle_min, out.cycle_max) = (Some(mean), Some(lo), Some(hi));
            let stats = format!(
                "mean {}, min {}, max {} {unit}",
                format::num(mean),
                format::num(lo),
                format::num(hi)
            );
            let n = acc.stats.count;
            out.pass = excess <= 0.0;
            let marginal = out
                .pass
                .then(|| {
                    format::marginal_breach(lo, hi, spec.marginal_min, spec.marginal_max, unit)
                })
                .flatten();
            out.marginal = marginal.is_some();
            out.message = if out.pass {
                let note = marginal
                    .map(|m| format!("; marginal: {m}"))
                    .unwrap_or_default();
                passed(format!(
                    " {} in all {n} cycles {window} ({stats}; closest to a limit: {} {unit} in the cycle at t = {} s){note}",
                    format::limits(min, max, unit),
                    format::value(value, min, max),
                    format::time_s(t_ns),
                ))
            } else {
                failed(format!(
                    " was {} {unit} in the cycle at t = {} s, {} ({} of {n} cycles {window} broke the limits; {stats})",
                    format::value(value, min, max),
                    format::time_s(t_ns),
                    format::breach(value, min, max, unit).unwrap_or_default(),
                    acc.outside,
                ))
            };
        }
        Finding::Scalar {
            value,
            at_ns,
            cycles,
            context,
        } => {
            out.value = Some(value);
            out.at_time_s = at_ns.map(ns_to_s);
            out.cycles = cycles;
            let shown = format::value(value, min, max);
            match format::breach(value, min, max, unit) {
                Some(breach) => {
                    out.message = failed(format!(" was {shown} {unit} {context}, {breach}"))
                }
                None => {
                    out.pass = true;
                    let marginal = format::marginal_breach(
                        value,
                        value,
                        spec.marginal_min,
                        spec.marginal_max,
                        unit,
                    );
                    out.marginal = marginal.is_some();
                    let note = marginal
                        .map(|m| format!("; marginal: {m}"))
                        .unwrap_or_default();
                    out.message = passed(format!(
                        " was {shown} {unit} {context}; limit: {}{note}",
                        format::limits(min, max, unit)
                    ));
                }
            }
        }
        Finding::Missing { reason, at_ns } => {
            out.at_time_s = at_ns.map(ns_to_s);
            out.message = failed(format!(": {reason}"));
        }
    }
    out
}
