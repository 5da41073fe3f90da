//! Vacuum figures: the whole run (`vacuum.png`) and a few pump cycles (`zoom.png`) with the valve
//! underneath, where the lag from the sensor port to the nipples is visible.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::PlotMeta;
use super::curves::Curves;
use super::envelope::envelope;
use super::figure::{DrawFailure, Figure};
use super::pen::{Pen, draw_trace};
use super::style::*;
use super::valve::valve_panel;

/// Narrowest drawn width of the zoom window's shading on the overview.
const ZOOM_BAND_MIN_PX: f64 = 6.0;

/// `vacuum.png`: target, sensor port and nipple vacuum over the whole run.
pub(super) struct VacuumFigure<'a> {
    pub curves: &'a Curves<'a>,
    pub meta: &'a PlotMeta,
    /// The zoom figure's window, shaded so a reader knows where `zoom.png` comes from.
    pub zoom_window_s: (f64, f64),
}

impl Figure for VacuumFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawFailure> {
        let title = format!(
            "Vacuum at sensor and nipples vs target — {}",
            self.meta.title
        );
        let body = title_block(root, &title, &run_subtitle(self.meta, self.curves))?;
        let window = self.curves.full_window();
        vacuum_panel(&body, self.curves, window, Some(self.zoom_window_s), true)
    }
}

/// `zoom.png`: the vacuum curves over the zoom window, with the valve state below.
pub(super) struct ZoomFigure<'a> {
    pub curves: &'a Curves<'a>,
    pub meta: &'a PlotMeta,
    pub window_s: (f64, f64),
}

impl Figure for ZoomFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawFailure> {
        let (start, end) = self.window_s;
        let title = format!(
            "Vacuum at sensor and nipples vs target, {} s to {} s — {}",
            tick(&start),
            tick(&end),
            self.meta.title
        );
        let body = title_block(root, &title, &run_subtitle(self.meta, self.curves))?;
        let (_, height) = body.dim_in_pixel();
        let (top, bottom) = body.split_vertically(height * 7 / 10);
        vacuum_panel(&top, self.curves, self.window_s, None, false)?;
        valve_panel(&bottom, self.curves, self.window_s, RIGHT_MARGIN_PX, true)
    }
}

/// Vacuum curves on one panel. `zoom_band` shades a time window; `time_axis` shows the time
/// ticks and description (otherwise the panel below shows them).
fn vacuum_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    c: &Curves,
    window: (f64, f64),
    zoom_band: Option<(f64, f64)>,
    time_axis: bool,
) -> Result<(), DrawFailure> {
    let columns = area.dim_in_pixel().0 as usize;
    let curve = |y: &[f64]| envelope(c.time_s, y, window, columns);
    let target = curve(c.target_mmhg);
    let port = curve(c.sensor_port_mmhg);
    let left = curve(c.left_nipple_mmhg);
    let right = c.right_nipple_mmhg.map(curve);
    let reading = c.firmware_reading_mmhg.map(curve);

    let all = [
        Some(&target),
        Some(&port),
        Some(&left),
        right.as_ref(),
        reading.as_ref(),
    ];
    let (lo, hi) = value_range(all.iter().flatten().flat_map(|trace| trace.points()));
    let lo = lo.min(0.0);
    let span = (hi - lo).max(10.0);
    // Headroom above the curves for the legend box.
    let y_range = (lo - if lo < 0.0 { 0.03 * span } else { 0.0 })..(lo + span * 1.32);

    let mut chart = time_chart(area, window, y_range.clone(), time_axis)?;
    time_mesh(&mut chart, VACUUM_DESC, 8, time_axis)?;

    if let Some((a, b)) = zoom_band {
        // At least a few pixels wide, so a window of a few seconds in a long run stays visible.
        let min_width = (window.1 - window.0) * ZOOM_BAND_MIN_PX / columns.max(1) as f64;
        let grow = (min_width - (b - a)).max(0.0) / 2.0;
        let (a, b) = ((a - grow).max(window.0), (b + grow).min(window.1));
        if a < b {
            let corners = [(a, y_range.start), (b, y_range.end)];
            chart.draw_series([
                Rectangle::new(corners, BLACK.mix(0.10).filled()),
                Rectangle::new(corners, BLACK.mix(0.35).stroke_width(1)),
            ])?;
            chart.draw_series(std::iter::once(Text::new(
                " zoom.png",
                (a, y_range.end),
                font(TICK_PX - 4)
                    .color(&BLACK.mix(0.6))
                    .pos(Pos::new(HPos::Left, VPos::Top)),
            )))?;
        }
    }

    draw_trace(
        &mut chart,
        &port,
        Pen::solid(SENSOR_PORT, LINE_PX),
        "sensor port",
    )?;
    draw_trace(
        &mut chart,
        &left,
        Pen::solid(LEFT_NIPPLE, LINE_PX),
        "left nipple",
    )?;
    if let Some(right) = right {
        draw_trace(
            &mut chart,
            &right,
            Pen::solid(RIGHT_NIPPLE, LINE_PX),
            "right nipple",
        )?;
    }
    if let Some(reading) = reading {
        draw_trace(
            &mut chart,
            &reading,
            Pen::dashed(FIRMWARE_READING, LINE_PX),
            "firmware's reading",
        )?;
    }
    draw_trace(
        &mut chart,
        &target,
        Pen::dashed(TARGET, TARGET_LINE_PX),
        "target",
    )?;
    legend(&mut chart)
}
