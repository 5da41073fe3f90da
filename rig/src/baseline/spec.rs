//! The scenario's `[baseline]` table: which saved run to compare with, and per signal (a column
//! of `timeseries.csv`) how far the run may differ. docs/scenarios.md is the user's reference.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::band::Tolerance;

/// `[baseline]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineSpec {
    /// The baseline directory (`pumprig baseline save`), relative to the scenario file.
    pub dir: String,
    /// `[baseline.signals.<column>]`: the signals compared, by `timeseries.csv` column, each with
    /// its tolerances. Compared in name order.
    pub signals: BTreeMap<String, SignalSpec>,
}

/// `[baseline.signals.<column>]`: tolerance = max(abs, rel × |baseline|), widened by `lag_ms`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignalSpec {
    /// Absolute tolerance in the column's unit. Default 0.
    #[serde(default)]
    pub abs: f64,
    /// Relative tolerance, a fraction of |baseline| (0.05 = 5 %). Default 0.
    #[serde(default)]
    pub rel: f64,
    /// Lead or lag allowed in time, ms. Default 0.
    #[serde(default)]
    pub lag_ms: f64,
    /// A discrete signal (valve, state): zero-order hold instead of linear interpolation.
    /// Default false.
    #[serde(default)]
    pub hold: bool,
}

impl SignalSpec {
    pub fn tolerance(&self) -> Tolerance {
        Tolerance {
            abs: self.abs,
            rel: self.rel,
            lag_s: self.lag_ms / 1000.0,
            hold: self.hold,
        }
    }
}

impl BaselineSpec {
    /// The `timeseries.csv` columns a comparison reads: `time_s` and every signal.
    pub fn columns(&self) -> Vec<&str> {
        std::iter::once("time_s")
            .chain(self.signals.keys().map(String::as_str))
            .collect()
    }

    /// The baseline directory, resolved against the directory of the scenario file at
    /// `scenario_path`.
    pub fn resolve_dir(&self, scenario_path: &Path) -> PathBuf {
        scenario_path
            .parent()
            .unwrap_or(Path::new(""))
            .join(&self.dir)
    }
}

/// The unit of a `timeseries.csv` column, from its name's suffix (`_mmhg` → `mmHg`); empty for a
/// dimensionless one (`valve_open`, `controller_state`).
pub fn column_unit(column: &str) -> &'static str {
    const SUFFIXES: [(&str, &str); 11] = [
        ("_mmhg", "mmHg"),
        ("_pct", "%"),
        ("_rpm", "rpm"),
        ("_ml_min", "mL/min"),
        ("_pg_ml", "pg/mL"),
        ("_ng_ml", "ng/mL"),
        ("_ml", "mL"),
        ("_a", "A"),
        ("_s", "s"),
        ("_counts", "counts"),
        ("_ejections", "count"),
    ];
    SUFFIXES
        .iter()
        .find(|(suffix, _)| column.ends_with(suffix))
        .map_or("", |(_, unit)| unit)
}

/// A problem with the `[baseline]` table, for the scenario validator to place in the file.
pub(crate) struct Problem {
    pub key: String,
    pub reason: String,
    /// About a table as a whole (`baseline.signals.x`) rather than a value.
    pub table: bool,
}

/// Checks a `[baseline]`: the directory exists and holds a baseline, every signal is a column
/// of this scenario's `timeseries.csv` and of the baseline's, every number is a finite
/// non-negative one.
pub(crate) fn problems(
    spec: &BaselineSpec,
    scenario_path: &Path,
    duration_s: f64,
    shields: u8,
) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut push =
        |key: String, reason: String, table: bool| out.push(Problem { key, reason, table });
    let columns = crate::output::timeseries::header(shields);
    if spec.signals.is_empty() {
        push(
            "baseline.signals".into(),
            "name at least one signal to compare: [baseline.signals.<column>]".into(),
            true,
        );
    }
    for (name, s) in &spec.signals {
        let at = format!("baseline.signals.{name}");
        // A firmware's own telemetry columns (`fw_<name>`) are known only once it is loaded: the
        // comparison reports one the run lacks; the baseline's own columns are checked below.
        let firmware_column =
            name.starts_with(crate::output::timeseries::FIRMWARE_COLUMN_PREFIX) && name.len() > 3;
        if name == "time_s" || !(columns.contains(&name.as_str()) || firmware_column) {
            let known: Vec<&str> = columns.iter().copied().filter(|c| *c != "time_s").collect();
            push(
                at.clone(),
                format!(
                    "`{name}` is not a column of timeseries.csv{}; the columns are: {} (and a C \
                     firmware's own telemetry values as fw_<name>)",
                    if shields < 2 && name.contains("right") {
                        " with one shield"
                    } else {
                        ""
                    },
                    known.join(", ")
                ),
                true,
            );
        }
        for (key, v) in [("abs", s.abs), ("rel", s.rel), ("lag_ms", s.lag_ms)] {
            if !v.is_finite() || v < 0.0 {
                push(
                    format!("{at}.{key}"),
                    "must be a finite number, 0 or more".into(),
                    false,
                );
            }
        }
        if s.lag_ms.is_finite() && duration_s.is_finite() && s.lag_ms >= duration_s * 1000.0 {
            push(
                format!("{at}.lag_ms"),
                format!("must be shorter than the run (duration_s = {duration_s})"),
                false,
            );
        }
    }
    let dir = spec.resolve_dir(scenario_path);
    match baseline_columns(&dir) {
        Err(reason) => push("baseline.dir".into(), reason, false),
        Ok(saved) => {
            for name in spec.signals.keys() {
                if columns.contains(&name.as_str()) && !saved.iter().any(|c| c == name) {
                    push(
                        format!("baseline.signals.{name}"),
                        format!(
                            "the baseline at {} has no column `{name}` (it has: {}); save it again \
                             with that signal",
                            dir.display(),
                            saved.join(", ")
                        ),
                        true,
                    );
                }
            }
        }
    }
    out
}

/// The column names of a baseline directory's `timeseries.csv`, or why it is not a baseline.
fn baseline_columns(dir: &Path) -> Result<Vec<String>, String> {
    if !dir.is_dir() {
        return Err(format!(
            "no baseline directory at {} (save one with `pumprig baseline save RUN {}`)",
            dir.display(),
            dir.display()
        ));
    }
    let csv = dir.join(super::TIMESERIES);
    let file = std::fs::File::open(&csv).map_err(|e| {
        format!(
            "{} is not a baseline: cannot read {}: {e}",
            dir.display(),
            csv.display()
        )
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(std::io::BufReader::new(file));
    let header = reader
        .headers()
        .map_err(|e| format!("{}: cannot read its header: {e}", csv.display()))?;
    Ok(header.iter().map(str::to_owned).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_come_from_the_column_names() {
        let cases = [
            ("vacuum_left_nipple_mmhg", "mmHg"),
            ("motor_duty_pct", "%"),
            ("motor_speed_rpm", "rpm"),
            ("motor_current_a", "A"),
            ("milk_flow_left_ml_min", "mL/min"),
            ("milk_removed_left_ml", "mL"),
            ("oxytocin_pg_ml", "pg/mL"),
            ("prolactin_ng_ml", "ng/mL"),
            ("sensor_counts", "counts"),
            ("milk_ejections", "count"),
            ("valve_open", ""),
            ("controller_state", ""),
            ("ejection_contraction", ""),
        ];
        for (column, unit) in cases {
            assert_eq!(column_unit(column), unit, "{column}");
        }
    }
}
