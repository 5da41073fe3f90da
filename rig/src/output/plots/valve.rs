//! The release-valve panel, a 0/1 staircase shared by the zoom and actuator figures.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::curves::Curves;
use super::envelope::envelope;
use super::figure::DrawFailure;
use super::levels::Levels;
use super::pen::{Pen, draw_trace};
use super::style::*;

/// `valve_open` values 0 and 1.
const VALVE_LEVELS: [&str; 2] = ["closed", "open"];

/// The release valve as a 0/1 staircase; `time_axis` shows the time ticks and description.
pub(super) fn valve_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    c: &Curves,
    window: (f64, f64),
    right_px: u32,
    time_axis: bool,
) -> Result<(), DrawFailure> {
    let columns = area.dim_in_pixel().0 as usize;
    let valve = envelope(c.time_s, c.valve_open, window, columns).staircase();
    let y_range = Levels::new(&VALVE_LEVELS, -0.2..1.9);
    let mut chart = ChartBuilder::on(area)
        .margin_left(LEFT_MARGIN_PX)
        .margin_right(right_px)
        .x_label_area_size(if time_axis {
            TIME_AXIS_PX
        } else {
            HIDDEN_TIME_AXIS_PX
        })
        .y_label_area_size(LEFT_AXIS_PX)
        .build_cartesian_2d(window.0..window.1, y_range)?;
    let level_label = Levels::label(&VALVE_LEVELS);
    let mut mesh = chart.configure_mesh();
    mesh.y_desc("valve")
        .y_label_formatter(&level_label)
        .x_labels(12)
        .label_style(font(TICK_PX))
        .axis_desc_style(font(AXIS_DESC_PX))
        .bold_line_style(grid_bold())
        .light_line_style(grid_light());
    if time_axis {
        mesh.x_desc(TIME_DESC).x_label_formatter(&tick);
    } else {
        mesh.x_label_formatter(&no_tick);
    }
    mesh.draw()?;
    let pen = Pen::solid(VALVE, LINE_PX + 1);
    draw_trace(&mut chart, &valve, pen, "release valve (open / closed)")?;
    legend(&mut chart)
}
