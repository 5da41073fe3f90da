//! A finished run's `timeseries.csv` against the baseline its scenario names: one result per
//! signal (pass, the worst point with the values there), one check outcome per signal for the
//! report, `junit.xml` and sweep summaries, overlay plots, and `baseline.json`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use serde::Serialize;

use super::band::{self, Comparison, Signal};
use super::spec::{BaselineSpec, SignalSpec, column_unit};
use super::{BaselineError, MANIFEST, TIMESERIES};
use crate::metrics::CheckOutcome;
use crate::output::plots::TimeSeries;
use crate::output::plots::overlay::{BandOverlay, write_band_overlay};

/// `baseline.json` and the `baseline` section of `record.json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BaselineReport {
    /// As the scenario states it (relative to the scenario file).
    pub baseline_dir: String,
    pub pass: bool,
    /// The baseline's controller (from its `manifest.json`), to see what the run was held to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_controller: Option<serde_json::Value>,
    pub signals: Vec<SignalReport>,
}

/// One signal's comparison.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SignalReport {
    pub signal: String,
    /// The column's unit (from its name), for every value below but `rel` and `lag_ms`.
    pub unit: String,
    pub pass: bool,
    pub abs: f64,
    pub rel: f64,
    pub lag_ms: f64,
    pub hold: bool,
    /// How far the run was outside the band at its worst point; negative when it stayed
    /// inside (the smallest margin to the band's edge). `null` when nothing was compared or a
    /// value was not a number.
    pub max_excess: Option<f64>,
    /// Where: time, s.
    pub at_s: Option<f64>,
    /// The run's value there.
    pub run: Option<f64>,
    /// The baseline interpolated there.
    pub baseline: Option<f64>,
    /// `max(abs, rel × |baseline|)` there.
    pub tolerance: Option<f64>,
    /// The band's edges there (wider than baseline ± tolerance with a lag).
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    /// The span compared (the times both cover), s.
    pub compared_s: Option<[f64; 2]>,
    /// Samples compared, and how many of them were outside the band.
    pub points: usize,
    pub outside: usize,
    /// The first time the run was outside the band, s.
    pub first_outside_s: Option<f64>,
    /// The overlay plot (`baseline-<signal>.svg`, beside a `.png`), when drawn.
    pub plot: Option<String>,
    /// One line for the report.
    pub message: String,
}

/// A comparison done, with what its plots need.
pub struct Compared {
    pub report: BaselineReport,
    comparisons: Vec<Comparison>,
}

/// Compares `run` (a run's `timeseries.csv`) with the baseline of `spec`, whose `dir` is
/// relative to the scenario file at `scenario_path`.
pub fn compare_run(
    spec: &BaselineSpec,
    scenario_path: &Path,
    run: &TimeSeries,
) -> Result<Compared, BaselineError> {
    let dir = spec.resolve_dir(scenario_path);
    let csv = dir.join(TIMESERIES);
    let bad = |path: &Path, reason: String| BaselineError::BadInput {
        path: path.to_path_buf(),
        reason,
    };
    let base = read_baseline(&csv, &spec.columns()).map_err(|e| bad(&csv, e.to_string()))?;
    let base_t = base
        .column("time_s")
        .ok_or_else(|| bad(&csv, "has no `time_s` column".into()))?;
    if base_t.is_empty() {
        return Err(bad(&csv, "has no data rows".into()));
    }
    let run_t = run
        .column("time_s")
        .ok_or_else(|| bad(Path::new(run.origin()), "has no `time_s` column".into()))?;
    let baseline_controller = std::fs::read_to_string(dir.join(MANIFEST))
        .ok()
        .and_then(|m| serde_json::from_str::<serde_json::Value>(&m).ok())
        .and_then(|m| m.get("controller").cloned());

    let mut signals = Vec::new();
    let mut comparisons = Vec::new();
    for (name, s) in &spec.signals {
        let base_y = base.column(name).ok_or_else(|| {
            bad(
                &csv,
                format!("has no column `{name}` (named in [baseline.signals])"),
            )
        })?;
        let run_y = run.column(name).ok_or_else(|| {
            bad(
                Path::new(run.origin()),
                format!("has no column `{name}` (named in [baseline.signals])"),
            )
        })?;
        let baseline = Signal {
            time_s: base_t,
            value: base_y,
        };
        let c = band::compare(run_t, run_y, &baseline, &s.tolerance());
        let run_span = (run_t.first().copied(), run_t.last().copied());
        let covered = match (run_span, baseline.span()) {
            ((Some(r0), Some(r1)), Some((b0, b1))) => {
                r0 >= b0 - band::TIME_EPS_S && r1 <= b1 + band::TIME_EPS_S
            }
            _ => false,
        };
        signals.push(report(name, s, &c, covered, run_span, baseline.span()));
        comparisons.push(c);
    }
    Ok(Compared {
        report: BaselineReport {
            baseline_dir: spec.dir.clone(),
            pass: signals.iter().all(|s| s.pass),
            baseline_controller,
            signals,
        },
        comparisons,
    })
}

/// The baseline's time series, parsed once per process and file version: every case of a sweep
/// is compared with the same baseline, and parsing it again per case would cost more than the
/// comparison.
fn read_baseline(
    csv: &Path,
    columns: &[&str],
) -> Result<Arc<TimeSeries>, crate::output::plots::PlotError> {
    type Key = (PathBuf, Option<SystemTime>, u64, String);
    static CACHE: Mutex<Vec<(Key, Arc<TimeSeries>)>> = Mutex::new(Vec::new());
    let meta = std::fs::metadata(csv).ok();
    let key: Key = (
        csv.to_path_buf(),
        meta.as_ref().and_then(|m| m.modified().ok()),
        meta.as_ref().map_or(0, |m| m.len()),
        columns.join(","),
    );
    if let Some((_, series)) = CACHE
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .find(|(k, _)| *k == key)
    {
        return Ok(series.clone());
    }
    let series = Arc::new(TimeSeries::read_csv_columns(csv, columns)?);
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    // A few baselines at most in one process; keep the latest.
    if cache.len() >= 4 {
        cache.remove(0);
    }
    cache.push((key, series.clone()));
    Ok(series)
}

impl Compared {
    /// Draws `baseline-<signal>.png/.svg` into `dir` for every signal (`all`) or only the failed
    /// ones, and notes each plot in the report. `run_label` names the run's controller and
    /// build.
    pub fn write_overlays(
        &mut self,
        run: &TimeSeries,
        dir: &Path,
        scenario: &str,
        run_label: &str,
        all: bool,
    ) -> Result<(), BaselineError> {
        let Some(run_t) = run.column("time_s") else {
            return Ok(());
        };
        let base_label = self
            .report
            .baseline_controller
            .as_ref()
            .map(|c| {
                let f = |k: &str| c.get(k).and_then(|v| v.as_str()).unwrap_or("?").to_owned();
                format!(
                    "{} {} ({}), build {}",
                    f("name"),
                    f("version"),
                    f("adapter"),
                    f("build_id")
                )
            })
            .unwrap_or_else(|| "?".into());
        for (s, c) in self.report.signals.iter_mut().zip(&self.comparisons) {
            if (s.pass && !all) || c.band.is_empty() {
                continue;
            }
            let Some(run_y) = run.column(&s.signal) else {
                continue;
            };
            let range = c.first_index..c.first_index + c.band.len();
            let col = |f: fn(&band::BandPoint) -> f64| c.band.iter().map(f).collect::<Vec<_>>();
            let (baseline, lower, upper) =
                (col(|b| b.baseline), col(|b| b.lower), col(|b| b.upper));
            let unit = if s.unit.is_empty() {
                String::new()
            } else {
                format!(" [{}]", s.unit)
            };
            let overlay = BandOverlay {
                title: format!(
                    "{} against the baseline — {scenario}: {}",
                    s.signal,
                    if s.pass { "PASS" } else { "FAIL" }
                ),
                subtitle: format!(
                    "baseline {}   ·   {}",
                    self.report.baseline_dir,
                    tolerance_text(s)
                ),
                y_desc: format!("{}{unit}", s.signal),
                time_s: &run_t[range.clone()],
                run: &run_y[range],
                baseline: &baseline,
                lower: &lower,
                upper: &upper,
                run_label: format!("run — {run_label}"),
                baseline_label: format!("baseline — {base_label}"),
                hold: s.hold,
                worst: c.worst.map(|w| {
                    let label = if w.excess > 0.0 {
                        format!(
                            "furthest outside: {} at {:.2} s",
                            with_unit(w.excess, &s.unit),
                            w.at_s
                        )
                    } else {
                        format!("closest to the edge: {:.2} s", w.at_s)
                    };
                    (w.at_s, w.run, label)
                }),
            };
            let stem = format!("baseline-{}", s.signal);
            write_band_overlay(&overlay, dir, &stem)?;
            s.plot = Some(format!("{stem}.svg"));
        }
        Ok(())
    }

    /// One check outcome per signal, in the report's order: `value` is the largest excess
    /// (≤ 0 passes), `max` 0.
    pub fn checks(&self) -> Vec<CheckOutcome> {
        self.report
            .signals
            .iter()
            .map(|s| CheckOutcome {
                name: format!("baseline: {}", s.signal),
                metric: "baseline".into(),
                at: None,
                unit: s.unit.clone(),
                window_s: s.compared_s,
                min: None,
                max: Some(0.0),
                marginal_min: None,
                marginal_max: None,
                threshold_mmhg: None,
                value: s.max_excess,
                at_time_s: s.at_s,
                cycles: None,
                cycle_mean: None,
                cycle_min: None,
                cycle_max: None,
                pass: s.pass,
                marginal: false,
                message: s.message.clone(),
            })
            .collect()
    }

    /// `baseline.json`: the report, pretty-printed, ending in a newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(&self.report).expect("a report serializes");
        s.push('\n');
        s
    }
}

/// "abs 3 mmHg, rel 5 %, lag ±20 ms, hold".
fn tolerance_text(s: &SignalReport) -> String {
    let unit = if s.unit.is_empty() {
        String::new()
    } else {
        format!(" {}", s.unit)
    };
    let mut parts = vec![format!("abs {}{unit}", num(s.abs))];
    if s.rel > 0.0 {
        parts.push(format!("rel {} %", num(s.rel * 100.0)));
    }
    if s.lag_ms > 0.0 {
        parts.push(format!("lag ±{} ms", num(s.lag_ms)));
    }
    if s.hold {
        parts.push("zero-order hold".into());
    }
    format!("tolerance: {}", parts.join(", "))
}

fn report(
    name: &str,
    s: &SignalSpec,
    c: &Comparison,
    covered: bool,
    run_span: (Option<f64>, Option<f64>),
    base_span: Option<(f64, f64)>,
) -> SignalReport {
    let unit = column_unit(name);
    let u = |v: f64| with_unit(v, unit);
    let w = c.worst;
    let finite = |v: f64| v.is_finite().then_some(v);
    let message = match (w, c.span_s) {
        _ if !covered => {
            let span = |(a, b): (f64, f64)| format!("{a:.2}–{b:.2} s");
            let run = match run_span {
                (Some(a), Some(b)) => span((a, b)),
                _ => "nothing".into(),
            };
            let base = base_span.map_or("nothing".into(), span);
            format!(
                "{name}: the run covers {run} but the baseline only {base}: the scenario's \
                 duration or sample rate changed since the baseline was saved; save it again"
            )
        }
        (Some(w), _) if w.excess > 0.0 => {
            let b = w.band;
            let lag = if s.lag_ms > 0.0 {
                format!(
                    "; band {}–{} with ±{} ms lag",
                    num(b.lower),
                    num(b.upper),
                    num(s.lag_ms)
                )
            } else {
                String::new()
            };
            let more = if c.outside > 1 {
                format!(
                    "; outside at {} of {} points, first at t = {:.2} s",
                    c.outside,
                    c.compared,
                    c.first_outside_s.unwrap_or(w.at_s)
                )
            } else {
                String::new()
            };
            let by = if w.excess.is_finite() {
                u(w.excess)
            } else {
                "a value that is not a number".into()
            };
            format!(
                "{name} left the baseline band at t = {:.2} s by {by} (run {}, baseline {} ± {}{lag}){more}",
                w.at_s,
                num(w.run),
                num(b.baseline),
                num(b.tolerance),
            )
        }
        (Some(w), Some((a, b))) => format!(
            "{name} within the baseline band over {a:.2}–{b:.2} s ({} points; closest to its \
             edge at t = {:.2} s, {} inside)",
            c.compared,
            w.at_s,
            // `+ 0.0`: no "-0.0" for a run exactly on a zero-width band.
            u(-w.excess + 0.0)
        ),
        _ => format!("{name}: the run and the baseline share no time span"),
    };
    SignalReport {
        signal: name.to_owned(),
        unit: unit.to_owned(),
        pass: c.pass && covered,
        abs: s.abs,
        rel: s.rel,
        lag_ms: s.lag_ms,
        hold: s.hold,
        max_excess: w.and_then(|w| finite(w.excess)),
        at_s: w.map(|w| w.at_s),
        run: w.and_then(|w| finite(w.run)),
        baseline: w.and_then(|w| finite(w.band.baseline)),
        tolerance: w.and_then(|w| finite(w.band.tolerance)),
        lower: w.and_then(|w| finite(w.band.lower)),
        upper: w.and_then(|w| finite(w.band.upper)),
        compared_s: c.span_s.map(|(a, b)| [a, b]),
        points: c.compared,
        outside: c.outside,
        first_outside_s: c.first_outside_s,
        plot: None,
        message,
    }
}

/// "18.3 mmHg", or the bare number for a dimensionless signal.
fn with_unit(v: f64, unit: &str) -> String {
    if unit.is_empty() {
        num(v)
    } else {
        format!("{} {unit}", num(v))
    }
}

/// A value for a message: one decimal from 1 up (and for 0), three below.
pub(crate) fn num(v: f64) -> String {
    if !v.is_finite() {
        format!("{v}")
    } else if v == 0.0 || v.abs() >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comparison_reads_only_its_columns() {
        let path = std::env::temp_dir().join(format!("pumprig-cols-{}.csv", std::process::id()));
        std::fs::write(&path, "time_s,a,b,c\n0.0,1,x,3\n0.01,2,y,4\n").unwrap();
        // `b` is not a number, but it is not read.
        let series = TimeSeries::read_csv_columns(&path, &["c", "time_s"]).unwrap();
        assert_eq!(series.column_names().collect::<Vec<_>>(), ["time_s", "c"]);
        assert_eq!(series.column("c"), Some(&[3.0, 4.0][..]));
        let e = TimeSeries::read_csv_columns(&path, &["time_s", "b"]).unwrap_err();
        assert!(e.to_string().contains("column `b`"), "{e}");
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn a_failure_message_names_signal_time_excess_and_values() {
        let t = [0.0, 1.0, 2.0];
        let base_y = [144.8, 144.8, 144.8];
        let run_y = [144.8, 152.1, 144.8];
        let s = SignalSpec {
            abs: 3.0,
            rel: 0.0,
            lag_ms: 0.0,
            hold: false,
        };
        let base = Signal {
            time_s: &t,
            value: &base_y,
        };
        let c = band::compare(&t, &run_y, &base, &s.tolerance());
        let r = report(
            "vacuum_left_nipple_mmhg",
            &s,
            &c,
            true,
            (Some(0.0), Some(2.0)),
            base.span(),
        );
        assert!(!r.pass);
        assert_eq!(
            r.message,
            "vacuum_left_nipple_mmhg left the baseline band at t = 1.00 s by 4.3 mmHg \
             (run 152.1, baseline 144.8 ± 3.0)"
        );
        assert_eq!(
            (r.at_s, r.run, r.baseline, r.tolerance),
            (Some(1.0), Some(152.1), Some(144.8), Some(3.0))
        );
        // A run longer than its baseline fails, whatever the values.
        let r = report(
            "valve_open",
            &s,
            &c,
            false,
            (Some(0.0), Some(9.0)),
            base.span(),
        );
        assert!(!r.pass);
        assert!(
            r.message
                .contains("the run covers 0.00–9.00 s but the baseline only 0.00–2.00 s"),
            "{}",
            r.message
        );
    }
}
