//! `sweep-cN-<check>-vs-<key>`: one check's value against one numeric swept key, one line per
//! value of the other key(s), the check's limits dashed (the marginal band's edges lighter),
//! marginal cases ringed and failing ones crossed, so the reader sees where along the parameter the firmware leaves its band.

use std::collections::BTreeMap;

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::figure::{DrawFailure, Figure};
use super::style::*;
use super::sweep::{Grid, PointCheck};
use super::sweep_maps::{FAIL, MARGINAL};

/// Line colours, one per value of the other key(s) (Okabe–Ito, then repeating).
const LINES: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
    RGBColor(86, 80, 160),
    RGBColor(0, 0, 0),
];

/// At most this many lines get a legend entry (the rest are drawn, unlabelled).
const LEGEND_LINES: usize = 10;

const LIMIT: RGBColor = RGBColor(90, 90, 90);
/// The marginal band's edges: lighter than the limits.
const MARGINAL_EDGE: RGBColor = RGBColor(165, 165, 165);

pub(super) struct LinesFigure<'a> {
    pub grid: &'a Grid,
    pub check: usize,
    pub axis: usize,
}

type Point<'a> = (f64, f64, &'a PointCheck);

impl LinesFigure<'_> {
    /// Points with a value, grouped by the other axes' positions (sorted), each group by x.
    fn groups(&self) -> BTreeMap<Vec<usize>, Vec<Point<'_>>> {
        let xs = self.grid.axes[self.axis]
            .numbers
            .as_deref()
            .unwrap_or_default();
        let mut groups: BTreeMap<Vec<usize>, Vec<Point>> = BTreeMap::new();
        for p in &self.grid.points {
            let c = &p.checks[self.check];
            let Some(y) = c.value else { continue };
            let other: Vec<usize> = (0..p.at.len())
                .filter(|&a| a != self.axis)
                .map(|a| p.at[a])
                .collect();
            groups
                .entry(other)
                .or_default()
                .push((xs[p.at[self.axis]], y, c));
        }
        for g in groups.values_mut() {
            g.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
        groups
    }

    /// `key=value, key=value` of a group's other axes.
    fn group_label(&self, other: &[usize]) -> String {
        let names: Vec<String> = (0..self.grid.axes.len())
            .filter(|&a| a != self.axis)
            .zip(other)
            .map(|(a, &i)| {
                let axis = &self.grid.axes[a];
                format!("{}={}", axis.short, axis.labels[i])
            })
            .collect();
        if names.is_empty() {
            "cases".into()
        } else {
            names.join(", ")
        }
    }
}

/// The value shared by every case, if there is one.
fn common(values: impl Iterator<Item = Option<f64>>) -> Option<Option<f64>> {
    let mut first: Option<Option<f64>> = None;
    for v in values {
        match first {
            None => first = Some(v),
            Some(f) if f == v => {}
            Some(_) => return None,
        }
    }
    first
}

fn padded(lo: f64, hi: f64, fraction: f64) -> (f64, f64) {
    if hi > lo {
        let pad = (hi - lo) * fraction;
        (lo - pad, hi + pad)
    } else {
        let pad = (lo.abs() * 0.1).max(1.0);
        (lo - pad, hi + pad)
    }
}

impl Figure for LinesFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawFailure> {
        let g = self.grid;
        let axis = &g.axes[self.axis];
        let groups = self.groups();
        let drawn: usize = groups.values().map(Vec::len).sum();
        let others: Vec<&str> = (0..g.axes.len())
            .filter(|&a| a != self.axis)
            .map(|a| g.axes[a].short.as_str())
            .collect();
        let mut subtitle = format!("{} case(s)", g.points.len());
        if !others.is_empty() {
            subtitle += &format!("   ·   one line per {}", others.join(" × "));
        }
        subtitle += "   ·   limits dashed (marginal band lighter), marginal ringed, failed crossed";
        let entries_limits = 4;
        if drawn < g.points.len() {
            subtitle += &format!("   ·   {} without a value", g.points.len() - drawn);
        }
        let title = format!(
            "{} vs {} — {}",
            g.check_label(self.check),
            axis.short,
            g.scenario
        );
        let body = title_block(root, &title, &subtitle)?;

        // Limits the same for every case are lines across; limits that move with the
        // parameters are short dashes at each case's x.
        let checks = || g.points.iter().map(|p| &p.checks[self.check]);
        let xs = axis.numbers.as_deref().unwrap_or_default();
        let (x_lo, x_hi) = padded(
            xs.first().copied().unwrap_or(0.0),
            xs.last().copied().unwrap_or(1.0),
            0.05,
        );
        let mut ys: Vec<f64> = groups.values().flatten().map(|p| p.1).collect();
        for c in checks() {
            ys.extend(
                [c.min, c.max, c.marginal_min, c.marginal_max]
                    .into_iter()
                    .flatten(),
            );
        }
        let (lo, hi) = ys
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &y| {
                (l.min(y), h.max(y))
            });
        let (y_lo, y_hi) = if lo <= hi {
            padded(lo, hi, 0.08)
        } else {
            (0.0, 1.0)
        };
        // Headroom for the legend box: a line of it per entry.
        let entries = groups.len().min(LEGEND_LINES + 1) + entries_limits + 2;
        let y_hi = y_hi + (y_hi - y_lo) * (0.07 * entries as f64).min(0.9);

        let mut chart = ChartBuilder::on(&body)
            .margin_left(LEFT_MARGIN_PX)
            .margin_right(RIGHT_MARGIN_PX)
            .margin_top(8)
            .x_label_area_size(TIME_AXIS_PX)
            .y_label_area_size(LEFT_AXIS_PX)
            .build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)?;
        chart
            .configure_mesh()
            .x_desc(axis.short.as_str())
            .y_desc(g.check_label(self.check))
            .x_label_formatter(&tick)
            .y_label_formatter(&tick)
            .x_labels(12)
            .y_labels(8)
            .label_style(font(TICK_PX))
            .axis_desc_style(font(AXIS_DESC_PX))
            .bold_line_style(grid_bold())
            .light_line_style(grid_light())
            .draw()?;

        type Pick = fn(&PointCheck) -> Option<f64>;
        let limits: [(&str, Pick, RGBColor); 4] = [
            ("lower limit", |c| c.min, LIMIT),
            ("upper limit", |c| c.max, LIMIT),
            ("marginal band, lower", |c| c.marginal_min, MARGINAL_EDGE),
            ("marginal band, upper", |c| c.marginal_max, MARGINAL_EDGE),
        ];
        for (which, pick, color) in limits {
            let dash = color.stroke_width(LINE_PX);
            match common(checks().map(pick)) {
                None | Some(None) if checks().all(|c| pick(c).is_none()) => {}
                Some(Some(v)) => {
                    chart
                        .draw_series(std::iter::once(DashedPathElement::new(
                            vec![(x_lo, v), (x_hi, v)],
                            DASH_PX,
                            GAP_PX,
                            dash,
                        )))?
                        .label(format!("{which} {}", tick(&v)))
                        .legend(move |(x, y)| {
                            DashedPathElement::new(vec![(x, y), (x + 36, y)], 12, 6, dash)
                        });
                }
                _ => {
                    // One dash per distinct (x, limit), a few percent of the axis wide.
                    let half = (x_hi - x_lo) * 0.02;
                    let mut marks: Vec<(f64, f64)> = g
                        .points
                        .iter()
                        .filter_map(|p| {
                            pick(&p.checks[self.check]).map(|v| (xs[p.at[self.axis]], v))
                        })
                        .collect();
                    marks.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
                    marks.dedup();
                    chart
                        .draw_series(marks.into_iter().map(|(x, v)| {
                            PathElement::new(vec![(x - half, v), (x + half, v)], dash)
                        }))?
                        .label(format!("{which} (per case)"))
                        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 36, y)], dash));
                }
            }
        }

        for (k, (other, points)) in groups.iter().enumerate() {
            let color = LINES[k % LINES.len()];
            let style = color.stroke_width(LINE_PX + 1);
            let series =
                chart.draw_series(LineSeries::new(points.iter().map(|p| (p.0, p.1)), style))?;
            if k < LEGEND_LINES {
                series
                    .label(self.group_label(other))
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 36, y)], style));
            }
            chart.draw_series(
                points
                    .iter()
                    .map(|p| Circle::new((p.0, p.1), 5, color.filled())),
            )?;
        }
        if groups.len() > LEGEND_LINES {
            chart
                .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
                .label(format!(
                    "… {} more lines (summary.csv)",
                    groups.len() - LEGEND_LINES
                ))
                .legend(|(x, y)| Circle::new((x, y), 0, WHITE.filled()));
        }
        let all = || groups.values().flatten();
        let marginal = MARGINAL.stroke_width(3);
        if all().any(|p| p.2.pass && p.2.marginal) {
            chart
                .draw_series(
                    all()
                        .filter(|p| p.2.pass && p.2.marginal)
                        .map(|p| Circle::new((p.0, p.1), 11, marginal)),
                )?
                .label("marginal")
                .legend(move |(x, y)| Circle::new((x + 18, y), 8, marginal));
        }
        let fail = FAIL.stroke_width(4);
        if all().any(|p| !p.2.pass) {
            chart
                .draw_series(
                    all()
                        .filter(|p| !p.2.pass)
                        .map(|p| Cross::new((p.0, p.1), 10, fail)),
                )?
                .label("failed")
                .legend(move |(x, y)| Cross::new((x + 18, y), 8, fail));
        }
        legend(&mut chart)
    }
}
