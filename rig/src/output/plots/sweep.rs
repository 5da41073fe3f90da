//! Plots of a whole sweep, drawn from its case rows (`cases.jsonl`) alone, so `pumprig sweep` and
//! `pumprig merge` draw the same bytes and memory holds a few numbers per case, never the rows:
//!
//! - `sweep-cN-<check>-vs-<key>`: check N's value against each numeric swept key, one line per
//!   value of the other key(s), the check's limits dashed (its marginal band lighter), failing
//!   cases crossed and marginal ones ringed;
//! - `sweep-heatmap-cN-<check>`: check N's value over the grid of a two-key sweep;
//! - `sweep-passfail`: every case on the parameter grid coloured pass / marginal / fail / error.
//!
//! The plotted metrics are the scenario's checks (the metrics someone chose to hold to a limit);
//! every other summary metric is in `summary.csv`. The lead swept keys are the grid axes: the
//! first key of each `[[sweep.zip]]` group stands for its group, with the next ones while it
//! repeats a value (each an axis; combinations the group does not hold stay empty).

use std::path::{Path, PathBuf};

use super::figure::{Format, render_one};
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
    pub marginal_min: Option<f64>,
    pub marginal_max: Option<f64>,
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
                            marginal_min: c.marginal_min,
                            marginal_max: c.marginal_max,
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

/// A sweep's plots, read from its rows and ready to draw: every file (PNG and SVG of each
/// figure) is drawn on its own from the shared grid, so the files can be drawn on several
/// threads and come out the same bytes whichever thread draws them.
pub struct SweepPlots {
    grid: Grid,
    figures: Vec<(String, Plot)>,
}

impl SweepPlots {
    /// Reads the rows of `store` once (`dir` names their file in an error).
    pub fn read(manifest: &Manifest, store: &RowStore, dir: &Path) -> Result<Self, PlotError> {
        font::ensure_registered()?;
        let grid = Grid::from_rows(manifest, store).map_err(|source| PlotError::Io {
            path: dir.join("cases.jsonl"),
            source,
        })?;
        // A sweep without cases draws nothing.
        let figures = if grid.points.is_empty() {
            Vec::new()
        } else {
            stems(&grid)
        };
        Ok(Self { grid, figures })
    }

    /// How many files there are to draw.
    pub fn files(&self) -> usize {
        self.figures.len() * Format::BOTH.len()
    }

    /// Draws file `file` (`0..files()`: each figure's PNG, then its SVG, figures in the order a
    /// report shows them) into `dir`; returns its path.
    pub fn draw(&self, file: usize, dir: &Path) -> Result<PathBuf, PlotError> {
        let (stem, plot) = &self.figures[file / Format::BOTH.len()];
        let format = Format::BOTH[file % Format::BOTH.len()];
        let grid = &self.grid;
        match *plot {
            Plot::PassFail => render_one(&PassFailFigure { grid }, dir, stem, format),
            Plot::Heatmap(check) => render_one(&HeatmapFigure { grid, check }, dir, stem, format),
            Plot::Lines { check, axis } => {
                render_one(&LinesFigure { grid, check, axis }, dir, stem, format)
            }
        }
    }
}

/// Writes the sweep's plots (PNG and SVG) into `dir` from the rows of `store`, drawing the files
/// on up to `jobs` threads; returns the paths written, PNG before SVG for each figure. A sweep
/// without cases draws nothing.
pub fn write_sweep_plots(
    manifest: &Manifest,
    store: &RowStore,
    dir: &Path,
    jobs: usize,
) -> Result<Vec<PathBuf>, PlotError> {
    let plots = SweepPlots::read(manifest, store, dir)?;
    crate::sweep::map_indexed(jobs, plots.files(), |file| plots.draw(file, dir))
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::{CaseRow, ManifestCheck, ManifestKey, RowCheck, RowParam};
    use plotters::style::RGBColor;

    fn scratch(name: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("pumprig-sweepplots-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    /// A sweep of `keys` (short name, values as TOML) in grid order, the last key fastest; the
    /// one check's value is the case index and fails above `fail_above`.
    fn sweep(dir: &Path, keys: &[(&str, &[&str])], fail_above: usize) -> (Manifest, RowStore) {
        let total: usize = keys.iter().map(|k| k.1.len()).product();
        let mut lines = String::new();
        for index in 0..total {
            let mut rest = index;
            let mut params = vec![];
            for (short, values) in keys.iter().rev() {
                params.push(RowParam {
                    key: format!("x.{short}"),
                    short: (*short).into(),
                    value: values[rest % values.len()].into(),
                    lead: true,
                });
                rest /= values.len();
            }
            params.reverse();
            let pass = index <= fail_above;
            let row = CaseRow {
                index,
                id: format!("case-{index}"),
                params,
                outcome: if pass { Outcome::Pass } else { Outcome::Fail },
                error: None,
                checks: vec![RowCheck {
                    name: "value".into(),
                    unit: "mmHg".into(),
                    value: Some(index as f64),
                    min: None,
                    max: Some(fail_above as f64),
                    marginal_min: None,
                    marginal_max: None,
                    pass,
                    marginal: false,
                    message: String::new(),
                }],
                metrics: Default::default(),
            };
            lines.push_str(&row.to_line());
        }
        let rows = dir.join("cases.jsonl");
        std::fs::write(&rows, lines).unwrap();
        let manifest = Manifest {
            pumprig_version: "0".into(),
            scenario: "t".into(),
            scenario_file: "t.toml".into(),
            scenario_hash: "h".into(),
            total_cases: total,
            cases: total,
            shard: None,
            filter: vec![],
            keys: keys
                .iter()
                .map(|(s, _)| ManifestKey {
                    key: format!("x.{s}"),
                    short: (*s).into(),
                    lead: true,
                })
                .collect(),
            checks: vec![ManifestCheck {
                name: "value".into(),
                unit: "mmHg".into(),
            }],
        };
        (manifest, RowStore::open(&[rows]).unwrap())
    }

    fn names(paths: &[PathBuf]) -> Vec<String> {
        paths
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn numeric_axes_are_sorted_and_string_axes_keep_their_order() {
        let d = scratch("grid");
        let (m, store) = sweep(
            &d,
            &[
                ("vacuum_mmhg", &["230", "150", "190"]),
                ("phase", &["\"b\"", "\"a\""]),
            ],
            3,
        );
        let g = Grid::from_rows(&m, &store).unwrap();
        assert_eq!(g.axes[0].labels, ["150", "190", "230"]);
        assert_eq!(
            g.axes[0].numbers.as_deref(),
            Some(&[150.0, 190.0, 230.0][..])
        );
        assert_eq!(g.axes[1].labels, ["b", "a"], "as listed, without quotes");
        assert!(g.axes[1].numbers.is_none());
        // Case 0 is vacuum 230 (third when sorted), phase "b" (first).
        assert_eq!(g.points[0].at, [2, 0]);
        assert_eq!(g.points[3].at, [0, 1]);
        // Two keys: a heatmap; lines against the numeric key only.
        let written = names(&write_sweep_plots(&m, &store, &d, 2).unwrap());
        assert_eq!(
            written,
            [
                "sweep-passfail.png",
                "sweep-passfail.svg",
                "sweep-heatmap-c1-value.png",
                "sweep-heatmap-c1-value.svg",
                "sweep-c1-value-vs-vacuum_mmhg.png",
                "sweep-c1-value-vs-vacuum_mmhg.svg",
            ]
        );
        // The same rows draw the same bytes, on one thread as on two (or more than files).
        let read = |dir: &Path| -> Vec<Vec<u8>> {
            written
                .iter()
                .map(|n| std::fs::read(dir.join(n)).unwrap())
                .collect()
        };
        let first = read(&d);
        for jobs in [1, 7] {
            let again = d.join(format!("jobs-{jobs}"));
            std::fs::create_dir(&again).unwrap();
            let paths = write_sweep_plots(&m, &store, &again, jobs).unwrap();
            assert_eq!(names(&paths), written, "jobs {jobs}");
            assert!(read(&again) == first, "jobs {jobs}: different bytes");
        }
        let svg = std::fs::read_to_string(d.join("sweep-heatmap-c1-value.svg")).unwrap();
        assert!(
            svg.contains("2 ✗") || svg.contains("4 ✗"),
            "failing cells marked"
        );
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn three_keys_draw_a_pass_fail_map_of_the_first_two_and_no_heatmap() {
        let d = scratch("three");
        let (m, store) = sweep(
            &d,
            &[
                ("a", &["1", "2"]),
                ("b", &["10", "20"]),
                ("c", &["0.5", "1.5"]),
            ],
            5,
        );
        let written = names(&write_sweep_plots(&m, &store, &d, 2).unwrap());
        assert!(!written.iter().any(|n| n.contains("heatmap")));
        assert_eq!(written.iter().filter(|n| n.ends_with(".svg")).count(), 4);
        let map = std::fs::read_to_string(d.join("sweep-passfail.svg")).unwrap();
        // Cases 6 and 7 fail: the cell a=2, b=20 holds both; the others pass.
        assert!(map.contains("0/2 pass"), "{map}");
        assert_eq!(map.matches("2/2 pass").count(), 3);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_one_key_sweep_of_hundreds_of_values_still_shows_every_outcome_on_the_map() {
        let d = scratch("many");
        let seeds: Vec<String> = (1..=600).map(|s| s.to_string()).collect();
        let seeds: Vec<&str> = seeds.iter().map(String::as_str).collect();
        let (m, store) = sweep(&d, &[("seed", &seeds)], 449);
        write_sweep_plots(&m, &store, &d, 2).unwrap();
        let map = std::fs::read_to_string(d.join("sweep-passfail.svg")).unwrap();
        // About 2 px a cell: no white gaps (they would cover the cells), every cell filled in
        // its outcome's colour: 450 pass, 150 fail.
        assert!(
            !map.contains(r##"stroke="#FFFFFF""##),
            "no gaps between 2-px cells"
        );
        let fills = |color: RGBColor| {
            let fill = format!(r##"fill="#{:02X}{:02X}{:02X}""##, color.0, color.1, color.2);
            map.lines()
                .filter(|l| l.starts_with("<rect") && l.contains(&fill))
                .count()
        };
        // One more of each for the key beside the map.
        assert_eq!(fills(super::super::sweep_maps::PASS), 450 + 1);
        assert_eq!(fills(super::super::sweep_maps::FAIL), 150 + 1);
        // A small grid keeps its gaps.
        let (m, store) = sweep(&d, &[("seed", &seeds[..5])], 2);
        write_sweep_plots(&m, &store, &d, 1).unwrap();
        let map = std::fs::read_to_string(d.join("sweep-passfail.svg")).unwrap();
        assert_eq!(map.matches(r##"stroke="#FFFFFF""##).count(), 5);
        std::fs::remove_dir_all(&d).unwrap();
    }

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
