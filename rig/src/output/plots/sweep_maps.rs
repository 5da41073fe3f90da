//! The sweep's grid drawn as cells, one column per value of the first swept key and one row per
//! value of the second: `sweep-heatmap-cN-<check>` (a check's value, viridis, with the value
//! written in each cell) and `sweep-passfail` (each case's outcome). Cells are evenly spaced and
//! labelled with the values, so uneven grids (tunnel sizes 21, 24, 27, 30, 36) stay readable.

use std::collections::BTreeMap;
use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;
use plotters::style::colors::colormaps::ViridisRGB;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::figure::{DrawFailure, Figure};
use super::style::*;
use super::sweep::Grid;
use crate::output::summary::md_num;
use crate::sweep::Outcome;

/// Outcome colours (Okabe–Ito: told apart with the common colour-vision deficiencies); every cell
/// also says its outcome in words.
pub(super) const PASS: RGBColor = RGBColor(0, 158, 115);
pub(super) const MARGINAL: RGBColor = RGBColor(230, 159, 0);
pub(super) const FAIL: RGBColor = RGBColor(213, 94, 0);
pub(super) const ERROR: RGBColor = RGBColor(90, 90, 90);

/// Text on an outcome's colour: black on the light marginal orange, white on the others.
fn ink(o: Outcome) -> &'static RGBColor {
    if o == Outcome::Marginal {
        &BLACK
    } else {
        &WHITE
    }
}

fn outcome_color(o: Outcome) -> RGBColor {
    match o {
        Outcome::Pass => PASS,
        Outcome::Marginal => MARGINAL,
        Outcome::Fail => FAIL,
        Outcome::Error => ERROR,
    }
}

/// Most tick labels on a cell axis; with more cells every k-th is labelled.
const MAX_CELL_LABELS: usize = 24;

/// An axis of `n` evenly spaced cells: cell `i` spans `i..i + 1`, its tick sits at `i + 0.5`.
struct Cells(usize);

impl Ranged for Cells {
    type ValueType = f64;
    type FormatOption = DefaultFormatting;

    fn map(&self, value: &f64, (low_px, high_px): (i32, i32)) -> i32 {
        let fraction = value / self.0.max(1) as f64;
        (f64::from(low_px) + fraction * f64::from(high_px - low_px)).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            return Vec::new();
        }
        let step = self.0.div_ceil(MAX_CELL_LABELS).max(1);
        (0..self.0).step_by(step).map(|i| i as f64 + 0.5).collect()
    }

    fn range(&self) -> Range<f64> {
        0.0..self.0 as f64
    }
}

/// The label of the cell a tick sits in.
fn cell_label(labels: &[String]) -> impl Fn(&f64) -> String + '_ {
    move |v| {
        labels
            .get(v.floor().max(0.0) as usize)
            .cloned()
            .unwrap_or_default()
    }
}

/// What the cells' columns and rows are: the first two axes (a single row for a one-key sweep).
struct Layout<'a> {
    x_labels: &'a [String],
    x_desc: &'a str,
    y_labels: Vec<String>,
    y_desc: &'a str,
}

impl<'a> Layout<'a> {
    fn of(grid: &'a Grid) -> Self {
        let x = &grid.axes[0];
        match grid.axes.get(1) {
            Some(y) => Layout {
                x_labels: &x.labels,
                x_desc: &x.short,
                y_labels: y.labels.clone(),
                y_desc: &y.short,
            },
            None => Layout {
                x_labels: &x.labels,
                x_desc: &x.short,
                y_labels: vec![String::new()],
                y_desc: "",
            },
        }
    }

    fn cell(at: &[usize]) -> (usize, usize) {
        (at[0], at.get(1).copied().unwrap_or(0))
    }
}

/// A chart of cells on `area`, with its axes drawn; the x axis spans `x_labels`, y `y_labels`.
fn cell_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    layout: &Layout,
    right_px: u32,
) -> Result<ChartContext<'a, DB, Cartesian2d<Cells, Cells>>, DrawFailure> {
    let mut chart = ChartBuilder::on(area)
        .margin_left(LEFT_MARGIN_PX)
        .margin_right(right_px)
        .margin_top(12)
        .x_label_area_size(TIME_AXIS_PX)
        .y_label_area_size(LEFT_AXIS_PX + 40)
        .build_cartesian_2d(Cells(layout.x_labels.len()), Cells(layout.y_labels.len()))?;
    let x_label = cell_label(layout.x_labels);
    let y_label = cell_label(&layout.y_labels);
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(layout.x_desc)
        .y_desc(layout.y_desc)
        .x_label_formatter(&x_label)
        .y_label_formatter(&y_label)
        .label_style(font(TICK_PX))
        .axis_desc_style(font(AXIS_DESC_PX))
        .draw()?;
    Ok(chart)
}

/// Font size for text in a cell of `w × h` pixels holding about `chars` characters, or `None`
/// when it would be too small to read.
fn cell_font_px(w: i32, h: i32, chars: usize) -> Option<u32> {
    let by_width = f64::from(w) * 0.9 / (chars.max(1) as f64 * 0.6);
    let size = by_width.min(f64::from(h) * 0.3).min(26.0);
    (size >= 11.0).then_some(size as u32)
}

/// Width and height in pixels of the cell whose corner is at (`x0`, `y0`).
fn cell_px<DB: DrawingBackend>(
    chart: &ChartContext<'_, DB, Cartesian2d<Cells, Cells>>,
    x0: f64,
    y0: f64,
) -> (i32, i32) {
    let (a, b) = (
        chart.backend_coord(&(x0, y0)),
        chart.backend_coord(&(x0 + 1.0, y0 + 1.0)),
    );
    ((b.0 - a.0).abs(), (b.1 - a.1).abs())
}

/// Narrowest cell (pixels) drawn with a white gap around it. Narrower cells — a one-key sweep
/// of hundreds of values, 1–2 px a column — are drawn edge to edge: a 2-px gap would paint over
/// the whole cell and leave a blank map.
const GAPPED_CELL_PX: i32 = 6;

fn gapped(w: i32, h: i32) -> bool {
    w.min(h) >= GAPPED_CELL_PX
}

fn centred() -> Pos {
    Pos::new(HPos::Center, VPos::Center)
}

/// `sweep-passfail`: every case on the grid coloured by its outcome. With more than two swept
/// keys a cell holds every case with its first two values and shows the worst outcome and how
/// many of its cases passed.
pub(super) struct PassFailFigure<'a> {
    pub grid: &'a Grid,
}

impl Figure for PassFailFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawFailure> {
        let g = self.grid;
        let count = |o: Outcome| g.points.iter().filter(|p| p.outcome == o).count();
        let mut subtitle = format!(
            "{} case(s): {} pass, {} marginal, {} fail, {} error",
            g.points.len(),
            count(Outcome::Pass),
            count(Outcome::Marginal),
            count(Outcome::Fail),
            count(Outcome::Error)
        );
        if g.axes.len() > 2 {
            subtitle += &format!(
                "   ·   a cell: every {} — worst outcome, cases passed",
                g.axes[2..]
                    .iter()
                    .map(|a| a.short.as_str())
                    .collect::<Vec<_>>()
                    .join(" × ")
            );
        }
        let title = format!("Pass / fail over the sweep grid — {}", g.scenario);
        let body = title_block(root, &title, &subtitle)?;
        let layout = Layout::of(g);
        let chart = cell_chart(&body, &layout, RIGHT_AXIS_PX + 120)?;

        // (worst outcome, cases, cases passed) per cell.
        let mut cells: BTreeMap<(usize, usize), (Outcome, usize, usize)> = BTreeMap::new();
        for p in &g.points {
            let e = cells
                .entry(Layout::cell(&p.at))
                .or_insert((Outcome::Pass, 0, 0));
            e.0 = e.0.max(p.outcome);
            e.1 += 1;
            e.2 += usize::from(p.outcome.passed());
        }
        let plot = chart.plotting_area();
        for (&(x, y), &(outcome, n, passed)) in &cells {
            let (x0, y0) = (x as f64, y as f64);
            let (w, h) = cell_px(&chart, x0, y0);
            plot.draw(&Rectangle::new(
                [(x0, y0), (x0 + 1.0, y0 + 1.0)],
                outcome_color(outcome).mix(0.85).filled(),
            ))?;
            if gapped(w, h) {
                plot.draw(&Rectangle::new(
                    [(x0, y0), (x0 + 1.0, y0 + 1.0)],
                    WHITE.stroke_width(2),
                ))?;
            }
            let text = if n == 1 {
                outcome.label().to_owned()
            } else {
                format!("{passed}/{n} pass")
            };
            if let Some(px) = cell_font_px(w, h, text.len()) {
                plot.draw(&Text::new(
                    text,
                    (x0 + 0.5, y0 + 0.5),
                    font(px).color(ink(outcome)).pos(centred()),
                ))?;
            }
        }
        // The key, right of the grid.
        let (w, _) = body.dim_in_pixel();
        let key_x = w as i32 - RIGHT_AXIS_PX as i32 - 100;
        for (i, o) in [
            Outcome::Pass,
            Outcome::Marginal,
            Outcome::Fail,
            Outcome::Error,
        ]
        .into_iter()
        .enumerate()
        {
            let y = 30 + 40 * i as i32;
            body.draw(&Rectangle::new(
                [(key_x, y), (key_x + 28, y + 28)],
                outcome_color(o).mix(0.85).filled(),
            ))?;
            body.draw(&Text::new(
                o.label().to_lowercase(),
                (key_x + 38, y + 14),
                font(LEGEND_PX)
                    .color(&BLACK)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
        Ok(())
    }
}

/// `sweep-heatmap-cN-<check>`: check N's value over a two-key sweep's grid, each cell written
/// with its value, failing cells marked ✗ and framed, marginal ones marked ~.
pub(super) struct HeatmapFigure<'a> {
    pub grid: &'a Grid,
    pub check: usize,
}

/// Width of the colour bar and its labels, right of the grid.
const BAR_AREA_PX: u32 = 250;

impl Figure for HeatmapFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawFailure> {
        let g = self.grid;
        let values: Vec<f64> = g
            .points
            .iter()
            .filter_map(|p| p.checks[self.check].value)
            .collect();
        let (lo, hi) = values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
                (l.min(v), h.max(v))
            });
        let (lo, hi) = if lo > hi {
            (0.0, 1.0)
        } else if hi > lo {
            (lo, hi)
        } else {
            (lo - 0.5, hi + 0.5)
        };
        let title = format!("{} — {}", g.check_label(self.check), g.scenario);
        let subtitle = format!(
            "{} case(s)   ·   ✗ failed (framed), ~ marginal   ·   range {} to {}",
            g.points.len(),
            md_num(lo),
            md_num(hi)
        );
        let body = title_block(root, &title, &subtitle)?;
        let (w, _) = body.dim_in_pixel();
        let (grid_area, bar_area) = body.split_horizontally(w - BAR_AREA_PX);
        let layout = Layout::of(g);
        let chart = cell_chart(&grid_area, &layout, 20)?;
        let plot = chart.plotting_area();
        let color = |v: f64| ViridisRGB::get_color_normalized(v, lo, hi);
        for p in &g.points {
            let (x, y) = Layout::cell(&p.at);
            let (x0, y0) = (x as f64, y as f64);
            let c = &p.checks[self.check];
            let corners = [(x0, y0), (x0 + 1.0, y0 + 1.0)];
            let (fill, text, ink) = match c.value {
                Some(v) => {
                    let mark = if !c.pass {
                        " ✗"
                    } else if c.marginal {
                        " ~"
                    } else {
                        ""
                    };
                    // Dark text on the light (yellow) end of the map, white on the dark end.
                    let light = (v - lo) / (hi - lo) > 0.6;
                    (
                        color(v),
                        format!("{}{mark}", md_num(v)),
                        if light { BLACK } else { WHITE },
                    )
                }
                None => (
                    RGBColor(220, 220, 220),
                    p.outcome.label().to_lowercase(),
                    BLACK,
                ),
            };
            let (w, h) = cell_px(&chart, x0, y0);
            plot.draw(&Rectangle::new(corners, fill.filled()))?;
            if gapped(w, h) {
                plot.draw(&Rectangle::new(corners, WHITE.stroke_width(2)))?;
            }
            if !c.pass {
                let inset = [(x0 + 0.04, y0 + 0.04), (x0 + 0.96, y0 + 0.96)];
                plot.draw(&Rectangle::new(inset, FAIL.stroke_width(5)))?;
            }
            if let Some(px) = cell_font_px(w, h, text.len()) {
                plot.draw(&Text::new(
                    text,
                    (x0 + 0.5, y0 + 0.5),
                    font(px).color(&ink).pos(centred()),
                ))?;
            }
        }
        // The colour bar.
        let mut bar = ChartBuilder::on(&bar_area)
            .margin_top(12)
            .margin_bottom(TIME_AXIS_PX)
            .margin_right(RIGHT_MARGIN_PX + 90)
            .y_label_area_size(0)
            .right_y_label_area_size(110)
            .build_cartesian_2d(0.0..1.0, lo..hi)?;
        bar.configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .y_labels(8)
            .y_label_formatter(&|v| md_num(*v))
            .label_style(font(TICK_PX))
            .draw()?;
        const STEPS: usize = 120;
        let step = (hi - lo) / STEPS as f64;
        bar.draw_series((0..STEPS).map(|i| {
            let v0 = lo + step * i as f64;
            Rectangle::new(
                [(0.0, v0), (1.0, v0 + step)],
                color(v0 + step / 2.0).filled(),
            )
        }))?;
        Ok(())
    }
}
