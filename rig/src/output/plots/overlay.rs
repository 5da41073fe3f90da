//! Overlays of one signal from different sources on a shared time axis:
//!
//! - `baseline-<signal>.png/.svg`: a run against its golden baseline, the tolerance band shaded,
//!   the worst point marked, with a second panel zoomed around that point;
//! - `compare-<signal>.png/.svg`: the same signal from several runs (`pumprig compare`), one
//!   colour per run, aligned in time or cycle by cycle.
//!
//! Built from the same pieces as the run's own figures (title block, envelope reduction, pens,
//! legends), so they read as one set.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use super::PlotError;
use super::envelope::{Trace, envelope};
use super::figure::{DrawFailure, Figure, render};
use super::font;
use super::pen::{Pen, draw_trace};
use super::style::*;

/// Half-width of the zoom panel around the worst point, s.
const ZOOM_HALF_WIDTH_S: f64 = 1.5;

/// Colour of the baseline and its band.
const BASELINE: RGBColor = RGBColor(0, 0, 0);
const BAND: RGBColor = RGBColor(0, 114, 178);
const RUN: RGBColor = RGBColor(213, 94, 0);
const WORST: RGBColor = RGBColor(200, 0, 0);

/// Colours of runs in a comparison, in order (a colour-blind-safe qualitative palette).
const RUN_COLOURS: [RGBColor; 8] = [
    RGBColor(0, 0, 0),
    RGBColor(213, 94, 0),
    RGBColor(0, 114, 178),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(120, 120, 120),
];

/// A run's signal against its baseline and tolerance band, all at the run's time stamps.
pub struct BandOverlay<'a> {
    pub title: String,
    pub subtitle: String,
    /// Axis description, with the unit: `vacuum_left_nipple_mmhg [mmHg]`.
    pub y_desc: String,
    pub time_s: &'a [f64],
    pub run: &'a [f64],
    pub baseline: &'a [f64],
    pub lower: &'a [f64],
    pub upper: &'a [f64],
    /// Legend labels of the run and the baseline (who produced them).
    pub run_label: String,
    pub baseline_label: String,
    /// Draw the curves as staircases (a discrete signal).
    pub hold: bool,
    /// The worst point: time, run value, and its legend label.
    pub worst: Option<(f64, f64, String)>,
}

/// Writes `dir/{stem}.png` and `.svg`.
pub fn write_band_overlay(
    overlay: &BandOverlay,
    dir: &Path,
    stem: &str,
) -> Result<[PathBuf; 2], PlotError> {
    font::ensure_registered()?;
    if overlay.time_s.is_empty() {
        return Err(PlotError::Empty {
            origin: stem.to_owned(),
        });
    }
    render(overlay, dir, stem)
}

impl Figure for BandOverlay<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawFailure> {
        let body = title_block(root, &self.title, &self.subtitle)?;
        let t = self.time_s;
        let full = time_window(t);
        let Some((worst_t, _, _)) = &self.worst else {
            return self.panel(&body, full, true);
        };
        let (_, height) = body.dim_in_pixel();
        let (top, bottom) = body.split_vertically(height * 55 / 100);
        self.panel(&top, full, true)?;
        let zoom = (
            (worst_t - ZOOM_HALF_WIDTH_S).max(full.0),
            (worst_t + ZOOM_HALF_WIDTH_S).min(full.1),
        );
        let zoom = if zoom.1 > zoom.0 { zoom } else { full };
        self.panel(&bottom, zoom, false)
    }
}

impl BandOverlay<'_> {
    /// One panel over `window`; the legend (long: it names both builds) only on the first.
    fn panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        window: (f64, f64),
        with_legend: bool,
    ) -> Result<(), DrawFailure> {
        let time_axis = true;
        let columns = area.dim_in_pixel().0 as usize;
        let shape = |trace: Trace| if self.hold { trace.staircase() } else { trace };
        let curve = |y: &[f64]| shape(envelope(self.time_s, y, window, columns));
        let run = curve(self.run);
        let baseline = curve(self.baseline);
        let lower = curve(self.lower);
        let upper = curve(self.upper);
        let (lo, hi) = value_range(
            [&run, &baseline, &lower, &upper]
                .into_iter()
                .flat_map(|tr| tr.points()),
        );
        let y_range = padded(lo, hi);
        let mut chart = time_chart(area, window, y_range.clone(), time_axis)?;
        time_mesh(&mut chart, &self.y_desc, 6, time_axis)?;

        // The band: from the lowest lower edge to the highest upper edge in each pixel column.
        let outline: Vec<(f64, f64)> = top_line(&upper)
            .iter()
            .chain(bottom_line(&lower).iter().rev())
            .copied()
            .collect();
        chart
            .draw_series(std::iter::once(Polygon::new(
                outline,
                BAND.mix(0.22).filled(),
            )))?
            .label("tolerance band")
            .legend(|(x, y)| Rectangle::new([(x, y - 8), (x + 36, y + 8)], BAND.mix(0.3).filled()));
        draw_trace(
            &mut chart,
            &baseline,
            Pen::dashed(BASELINE, LINE_PX),
            &self.baseline_label,
        )?;
        draw_trace(&mut chart, &run, Pen::solid(RUN, LINE_PX), &self.run_label)?;
        if let Some((t, v, label)) = &self.worst
            && window.0 <= *t
            && *t <= window.1
        {
            let (t, v) = (*t, *v);
            chart
                .draw_series([
                    PathElement::new(
                        vec![(t, y_range.start), (t, y_range.end)],
                        WORST.mix(0.5).stroke_width(1),
                    )
                    .into_dyn(),
                    Circle::new((t, v), 7, WORST.stroke_width(3)).into_dyn(),
                ])?
                .label(label)
                .legend(|(x, y)| Circle::new((x + 18, y), 6, WORST.stroke_width(3)));
        }
        if with_legend {
            legend(&mut chart)?;
        }
        Ok(())
    }
}

/// One run's curve in a comparison.
pub struct RunCurve<'a> {
    /// Legend label: run name and controller.
    pub label: String,
    pub time_s: &'a [f64],
    pub value: &'a [f64],
}

/// One signal across runs.
pub struct RunsOverlay<'a> {
    pub title: String,
    pub subtitle: String,
    pub y_desc: String,
    /// Time axis description (`time [s]`, or `time in cycle [s]` when aligned by cycle).
    pub x_desc: String,
    pub window_s: (f64, f64),
    /// A few cycles up close, drawn in a second panel below the whole span.
    pub zoom_s: Option<(f64, f64)>,
    pub hold: bool,
    pub curves: Vec<RunCurve<'a>>,
}

/// Writes `dir/{stem}.png` and `.svg`.
pub fn write_runs_overlay(
    overlay: &RunsOverlay,
    dir: &Path,
    stem: &str,
) -> Result<[PathBuf; 2], PlotError> {
    font::ensure_registered()?;
    render(overlay, dir, stem)
}

impl Figure for RunsOverlay<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawFailure> {
        let body = title_block(root, &self.title, &self.subtitle)?;
        let whole = if self.window_s.1 > self.window_s.0 {
            self.window_s
        } else {
            (self.window_s.0, self.window_s.0 + 1.0)
        };
        match self.zoom_s.filter(|z| z.1 > z.0) {
            None => self.panel(&body, whole),
            Some(zoom) => {
                let (_, height) = body.dim_in_pixel();
                let (top, bottom) = body.split_vertically(height / 2);
                self.panel(&top, whole)?;
                self.panel(&bottom, zoom)
            }
        }
    }
}

impl RunsOverlay<'_> {
    fn panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        window: (f64, f64),
    ) -> Result<(), DrawFailure> {
        let columns = area.dim_in_pixel().0 as usize;
        let traces: Vec<(String, Trace)> = self
            .curves
            .iter()
            .map(|c| {
                let trace = envelope(c.time_s, c.value, window, columns);
                let trace = if self.hold { trace.staircase() } else { trace };
                (c.label.clone(), trace)
            })
            .collect();
        let (lo, hi) = value_range(traces.iter().flat_map(|(_, t)| t.points()));
        let mut chart = time_chart(area, window, padded(lo, hi), true)?;
        let mut m = chart.configure_mesh();
        m.y_desc(&self.y_desc)
            .x_desc(&self.x_desc)
            .y_label_formatter(&tick)
            .x_label_formatter(&tick)
            .x_labels(12)
            .y_labels(6)
            .label_style(font(TICK_PX))
            .axis_desc_style(font(AXIS_DESC_PX))
            .bold_line_style(grid_bold())
            .light_line_style(grid_light());
        m.draw()?;
        for (i, (label, trace)) in traces.iter().enumerate() {
            let colour = RUN_COLOURS[i % RUN_COLOURS.len()];
            // The first run is the reference: dashed, so the others show through it.
            let pen = if i == 0 {
                Pen::dashed(colour, LINE_PX)
            } else {
                Pen::solid(colour, LINE_PX)
            };
            draw_trace(&mut chart, trace, pen, label)?;
        }
        legend(&mut chart)
    }
}

/// The time axis of a series: never zero-width.
fn time_window(t: &[f64]) -> (f64, f64) {
    let (first, last) = (t[0], t[t.len() - 1]);
    if last > first {
        (first, last)
    } else {
        (first, first + 1.0)
    }
}

/// A value axis around `[lo, hi]` with headroom above for the legend.
fn padded(lo: f64, hi: f64) -> std::ops::Range<f64> {
    let span = (hi - lo).max(1e-3 * hi.abs().max(1.0));
    (lo - 0.05 * span)..(hi + 0.6 * span)
}

/// The upper edge of a trace: a band's upper line, or the line itself.
fn top_line(trace: &Trace) -> &[(f64, f64)] {
    match trace {
        Trace::Line(points) => points,
        Trace::Band { upper, .. } => upper,
    }
}

/// The lower edge of a trace.
fn bottom_line(trace: &Trace) -> &[(f64, f64)] {
    match trace {
        Trace::Line(points) => points,
        Trace::Band { lower, .. } => lower,
    }
}
