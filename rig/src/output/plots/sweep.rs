//! Plots of a whole sweep, drawn from its case rows (`cases.jsonl`) alone, so `pumprig sweep` and
//! `pumprig merge` draw the same bytes and memory holds a few numbers per case, never the rows:
//!
//! - `sweep-cN-<check>-vs-<key>`: check N's value against each numeric swept key, one line per
//!   value of the other key(s), the check's limits dashed, failing and marginal cases ringed;
//! - `sweep-heatmap-cN-<check>`: check N's value over the grid of a two-key sweep;
//! - `sweep-passfail`: every case on the parameter grid coloured pass / marginal / fail / error.
//!
//! The plotted metrics are the scenario's checks (the metrics someone chose to hold to a limit);
//! every other summary metric is in `summary.csv`. The swept keys are the grid axes: the first
//! key of each `[[sweep.zip]]` group stands for its group.

use std::path::{Path, PathBuf};

use super::figure::render;
use super::sweep_lines::LinesFigure;
use super::sweep_maps::{HeatmapFigure, PassFailFigure};
use super::{PlotError, font};
use crate::sweep::{Manifest, Outcome, RowStore};

/// One grid axis: a swept key and the values the cases here took, in display order.
pub(super) struct GridAxis {
    /// Short name, as in the case ids.
    pub short: String,
    /// The values as shown (strings without quotes), ascending when numeric.
    pub labels: Vec<String>,
    /// The values as numbers, when every one is a number.
    pub numbers: Option<Vec<f64>>,
}

/// One case on the grid: its position on each axis, outcome, and each check's value and limits.
pub(super) struct GridPoint {
    pub at: Vec<usize>,
    pub outcome: Outcome,
    pub checks: Vec<PointCheck>,
}

#[derive(Clone, Copy, Default)]
pub(super) struct PointCheck {
    pub value: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub pass: bool,
    pub marginal: bool,
}

/// A sweep's cases on its parameter grid.
pub(super) struct Grid {
    pub scenario: String,
    pub axes: Vec<GridAxis>,
    /// Check names and units, in scenario order.
    pub checks: Vec<(String, String)>,
    /// In case order.
    pub points: Vec<GridPoint>,
}

/// A parameter value as shown: TOML strings without their quotes.
fn label_of(toml_value: &str) -> String {
    crate::output::summary::param_text(toml_value)
}

impl Grid {
    /// Reads the rows of `store` once, in case order.
    pub fn from_rows(manifest: &Manifest, store: &RowStore) -> std::io::Result<Grid> {
        let leads: Vec<&str> = manifest
            .keys
            .iter()
            .filter(|k| k.lead)
            .map(|k| k.short.as_str())
            .collect();
        // Values in first-seen order, and each point's index into them.
        let mut seen: Vec<Vec<String>> = vec![Vec::new(); leads.len()];
        let mut points = Vec::new();
        store.for_each(&mut |r| {
            let mut at = Vec::with_capacity(leads.len());
            for (axis, short) in leads.iter().enumerate() {
                let value = r
                    .params
                    .iter()
                    .find(|p| p.lead && p.short == *short)
                    .map_or(String::new(), |p| p.value.clone());
                let values = &mut seen[axis];
                let i = values.iter().position(|v| *v == value).unwrap_or_else(|| {
                    values.push(value);
                    values.len() - 1
                });
                at.push(i);
            }
            let checks = (0..manifest.checks.len())
                .map(|i| {
                    r.checks
                        .get(i)
                        .map_or_else(PointCheck::default, |c| PointCheck {
                            value: c.value.filter(|v| v.is_finite()),
                            min: c.min,
                            max: c.max,
                            pass: c.pass,
                            marginal: c.marginal,
                        })
                })
                .collect();
            points.push(GridPoint {
                at,
                outcome: r.outcome,
                checks,
            });
            Ok(())
        })?;
        // Numeric axes in ascending order; the others as the sweep lists them.
        let mut axes = Vec::with_capacity(leads.len());
        for (axis, (short, values)) in leads.iter().zip(seen).enumerate() {
            let numbers: Option<Vec<f64>> = values
                .iter()
                .map(|v| v.parse::<f64>().ok().filter(|x| x.is_finite()))
                .collect();
            let mut order: Vec<usize> = (0..values.len()).collect();
            if let Some(n) = &numbers {
                order.sort_by(|&a, &b| n[a].total_cmp(&n[b]));
            }
            let mut rank = vec![0; values.len()];
            for (new, &old) in order.iter().enumerate() {
                rank[old] = new;
            }
            for p in &mut points {
                p.at[axis] = rank[p.at[axis]];
            }
            axes.push(GridAxis {
                short: (*short).to_owned(),
                labels: order.iter().map(|&i| label_of(&values[i])).collect(),
                numbers: numbers.map(|n| order.iter().map(|&i| n[i]).collect()),
            });
        }
        Ok(Grid {
            scenario: manifest.scenario.clone(),
            axes,
            checks: manifest
                .checks
                .iter()
                .map(|c| (c.name.clone(), c.unit.clone()))
                .collect(),
            points,
        })
    }

    /// `name [unit]` of check `i`.
    pub fn check_label(&self, i: usize) -> String {
        let (name, unit) = &self.checks[i];
        format!("{name} [{unit}]")
    }
}

/// A file-name part from free text: lower-case letters and digits, runs of anything else one
/// `-`, at most 40 characters, cut at a word boundary where there is one.
pub(super) fn slug(text: &str) -> String {
    let mut s = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() || c == '_' {
            s.push(c);
        } else if !s.ends_with('-') {
            s.push('-');
        }
    }
    let s = s.trim_matches('-');
    if s.len() <= 40 {
        return s.to_owned();
    }
    let cut = &s[..40];
    match cut.rfind('-') {
        Some(i) if i >= 20 => cut[..i].to_owned(),
        _ => cut.trim_end_matches('-').to_owned(),
    }
}

/// The stems of the files [`write_sweep_plots`] writes for `grid`, in the order a report shows
/// them: the pass/fail map, the heatmaps, the line plots.
fn stems(grid: &Grid) -> Vec<(String, Plot)> {
    let mut out = vec![("sweep-passfail".to_owned(), Plot::PassFail)];
    if grid.axes.len() == 2 {
        for c in 0..grid.checks.len() {
            let stem = format!("sweep-heatmap-c{}-{}", c + 1, slug(&grid.checks[c].0));
            out.push((stem, Plot::Heatmap(c)));
        }
    }
    for (a, axis) in grid.axes.iter().enumerate() {
        if axis.numbers.is_none() {
            continue;
        }
        for c in 0..grid.checks.len() {
            let stem = format!(
                "sweep-c{}-{}-vs-{}",
                c + 1,
                slug(&grid.checks[c].0),
                slug(&axis.short)
            );
            out.push((stem, Plot::Lines { check: c, axis: a }));
        }
    }
    out
}

#[derive(Clone, Copy)]
enum Plot {
    PassFail,
    Heatmap(usize),
    Lines { check: usize, axis: usize },
}

/// Writes the sweep's plots (PNG and SVG) into `dir` from the rows of `store`; returns the paths
/// written, PNG before SVG for each figure. A sweep without cases draws nothing.
pub fn write_sweep_plots(
    manifest: &Manifest,
    store: &RowStore,
    dir: &Path,
) -> Result<Vec<PathBuf>, PlotError> {
    font::ensure_registered()?;
    let grid = Grid::from_rows(manifest, store).map_err(|source| PlotError::Io {
        path: dir.join("cases.jsonl"),
        source,
    })?;
    let mut written = Vec::new();
    if grid.points.is_empty() {
        return Ok(written);
    }
    for (stem, plot) in stems(&grid) {
        let files = match plot {
            Plot::PassFail => render(&PassFailFigure { grid: &grid }, dir, &stem)?,
            Plot::Heatmap(check) => render(&HeatmapFigure { grid: &grid, check }, dir, &stem)?,
            Plot::Lines { check, axis } => render(
                &LinesFigure {
                    grid: &grid,
                    check,
                    axis,
                },
                dir,
                &stem,
            )?,
        };
        written.extend(files);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_short_file_safe_and_stable() {
        assert_eq!(
            slug("peak vacuum <within> ±20 mmHg of 190 & \"quoted\""),
            "peak-vacuum-within-20-mmhg-of-190-quoted"
        );
        assert_eq!(slug("tunnel_diameter_mm"), "tunnel_diameter_mm");
        assert_eq!(slug("--a--"), "a");
        assert_eq!(
            slug("vacuum at the sensor port never above the 275 mmHg safety limit"),
            "vacuum-at-the-sensor-port-never-above"
        );
        assert!(slug(&"x y ".repeat(40)).len() <= 40);
        assert!(!slug(&"x y ".repeat(40)).ends_with('-'));
    }
}
