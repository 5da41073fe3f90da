//! The look shared by every figure: canvas size, fonts, colours, the title block, tick labels and
//! legends, so the three figures read as one set at a design review.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::PlotMeta;
use super::curves::Curves;
use super::figure::DrawFailure;
use super::font::FAMILY;

/// Canvas size of every figure, in pixels (PNG) or user units (SVG).
pub(super) const CANVAS_PX: (u32, u32) = (1600, 900);

/// Font sizes in pixels.
pub(super) const TITLE_PX: u32 = 32;
pub(super) const SUBTITLE_PX: u32 = 22;
pub(super) const AXIS_DESC_PX: u32 = 24;
pub(super) const TICK_PX: u32 = 20;
pub(super) const LEGEND_PX: u32 = 20;

/// Height of the title block above the panels.
const HEADER_PX: u32 = 92;
/// Width kept left of each panel for the tick labels and the rotated axis description; the same
/// for every panel so stacked panels share their time axis pixel for pixel.
pub(super) const LEFT_AXIS_PX: u32 = 140;
/// Blank space left of the rotated axis description.
pub(super) const LEFT_MARGIN_PX: u32 = 14;
/// Width right of each panel: room for a secondary axis, or just the last tick label.
pub(super) const RIGHT_AXIS_PX: u32 = 120;
pub(super) const RIGHT_MARGIN_PX: u32 = 40;
/// Height below a panel that shows the time ticks and "time [s]".
pub(super) const TIME_AXIS_PX: u32 = 76;
/// Height below a panel whose time axis is shown by the panel underneath.
pub(super) const HIDDEN_TIME_AXIS_PX: u32 = 8;

pub(super) const TIME_DESC: &str = "time [s]";
pub(super) const VACUUM_DESC: &str = "vacuum [mmHg below atmosphere]";

/// Series colours (a colour-blind-safe qualitative palette), black for the target.
pub(super) const TARGET: RGBColor = RGBColor(0, 0, 0);
pub(super) const SENSOR_PORT: RGBColor = RGBColor(0, 114, 178);
pub(super) const LEFT_NIPPLE: RGBColor = RGBColor(213, 94, 0);
pub(super) const RIGHT_NIPPLE: RGBColor = RGBColor(0, 158, 115);
/// The controller's own reading (after its calibration): where it parts from the sensor port, the
/// transducer or the firmware is wrong (a stuck sensor, a calibration error).
pub(super) const FIRMWARE_READING: RGBColor = RGBColor(120, 120, 120);
pub(super) const MOTOR_DUTY: RGBColor = RGBColor(0, 114, 178);
pub(super) const MOTOR_SPEED: RGBColor = RGBColor(230, 159, 0);
pub(super) const VALVE: RGBColor = RGBColor(204, 121, 167);
pub(super) const CONTROLLER_STATE: RGBColor = RGBColor(86, 80, 160);

pub(super) const LINE_PX: u32 = 2;
pub(super) const TARGET_LINE_PX: u32 = 3;
/// Dash and gap length of the target's dashed line, in pixels.
pub(super) const DASH_PX: i32 = 14;
pub(super) const GAP_PX: i32 = 8;

pub(super) fn font(size_px: u32) -> FontDesc<'static> {
    (FAMILY, size_px).into_font()
}

pub(super) fn grid_bold() -> ShapeStyle {
    BLACK.mix(0.18).stroke_width(1)
}

pub(super) fn grid_light() -> ShapeStyle {
    BLACK.mix(0.06).stroke_width(1)
}

/// Fills the canvas white, draws the title (bold, shrunk to fit the width) and a subtitle line,
/// and returns the area below them for the panels.
pub(super) fn title_block<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
) -> Result<DrawingArea<DB, Shift>, DrawFailure> {
    root.fill(&WHITE)?;
    let (width, _) = root.dim_in_pixel();
    let centre = (width / 2) as i32;
    let fit = width.saturating_sub(60);
    let mut size = TITLE_PX;
    let title_font =
        |size: u32| FontDesc::new(FontFamily::Name(FAMILY), f64::from(size), FontStyle::Bold);
    while size > 14 && root.estimate_text_size(title, &title_font(size).into())?.0 > fit {
        size -= 1;
    }
    let top_centre = Pos::new(HPos::Center, VPos::Top);
    root.draw(&Text::new(
        title,
        (centre, 14),
        title_font(size).color(&BLACK).pos(top_centre),
    ))?;
    root.draw(&Text::new(
        subtitle,
        (centre, 58),
        font(SUBTITLE_PX).color(&BLACK.mix(0.75)).pos(top_centre),
    ))?;
    Ok(root.split_vertically(HEADER_PX).1)
}

/// Tick label: integers without decimals, others with up to three, no trailing zeros, no "-0".
pub(super) fn tick(value: &f64) -> String {
    let rounded = (value * 1000.0).round() / 1000.0;
    let text = format!("{rounded:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

/// Hides the tick labels of a time axis drawn by the panel below.
pub(super) fn no_tick(_: &f64) -> String {
    String::new()
}

/// Boxed legend in the panel's upper right corner.
pub(super) fn legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
) -> Result<(), DrawFailure> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .margin(12)
        .legend_area_size(44)
        .label_font(font(LEGEND_PX))
        .background_style(WHITE.mix(0.92))
        .border_style(BLACK.mix(0.4))
        .draw()?;
    Ok(())
}

/// Lowest and highest value among the points, `(0, 0)` when there are none.
pub(super) fn value_range<'a>(points: impl Iterator<Item = &'a (f64, f64)>) -> (f64, f64) {
    let (lo, hi) = points.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &(_, y)| {
        (lo.min(y), hi.max(y))
    });
    if lo <= hi { (lo, hi) } else { (0.0, 0.0) }
}

/// "controller: …, N rows over a to b s" — who produced the curves and what the file held.
pub(super) fn run_subtitle(meta: &PlotMeta, curves: &Curves) -> String {
    let (first, last) = curves.span_s;
    format!(
        "controller: {}   ·   {} samples, {} s to {} s",
        meta.controller,
        curves.time_s.len(),
        tick(&first),
        tick(&last)
    )
}

/// A panel's chart: time on the x axis over `window`, value on the y axis over `y_range`, with
/// the standard margins; the time axis' labels take room only when `time_axis` (the bottom panel).
pub(super) type TimeChart<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

pub(super) fn time_chart<'a, DB: DrawingBackend + 'a>(
    area: &DrawingArea<DB, Shift>,
    window: (f64, f64),
    y_range: std::ops::Range<f64>,
    time_axis: bool,
) -> Result<TimeChart<'a, DB>, DrawFailure> {
    Ok(ChartBuilder::on(area)
        .margin_left(LEFT_MARGIN_PX)
        .margin_right(RIGHT_MARGIN_PX)
        .margin_top(8)
        .x_label_area_size(if time_axis {
            TIME_AXIS_PX
        } else {
            HIDDEN_TIME_AXIS_PX
        })
        .y_label_area_size(LEFT_AXIS_PX)
        .build_cartesian_2d(window.0..window.1, y_range)?)
}

/// The grid and the axes of a [`time_chart`]: `y_labels` value labels; time labels only on the
/// bottom panel (`time_axis`), the others share its axis.
pub(super) fn time_mesh<DB: DrawingBackend>(
    chart: &mut TimeChart<'_, DB>,
    y_desc: &str,
    y_labels: usize,
    time_axis: bool,
) -> Result<(), DrawFailure> {
    let mut m = chart.configure_mesh();
    m.y_desc(y_desc)
        .y_label_formatter(&tick)
        .x_labels(12)
        .y_labels(y_labels)
        .label_style(font(TICK_PX))
        .axis_desc_style(font(AXIS_DESC_PX))
        .bold_line_style(grid_bold())
        .light_line_style(grid_light());
    if time_axis {
        m.x_desc(TIME_DESC).x_label_formatter(&tick);
    } else {
        m.x_label_formatter(&no_tick);
    }
    m.draw()?;
    Ok(())
}
