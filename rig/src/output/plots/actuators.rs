//! `actuators.png`: what the controller commanded and where it was, on stacked panels sharing
//! the time axis: motor duty with the resulting motor speed, the release valve, and the
//! controller state.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::PlotMeta;
use super::curves::Curves;
use super::envelope::envelope;
use super::figure::{DrawFailure, Figure};
use super::levels::Levels;
use super::pen::{Pen, draw_trace};
use super::style::*;
use super::valve::valve_panel;

/// Controller state codes in `controller_state`, in order.
const STATE_NAMES: [&str; 4] = ["idle", "stimulation", "expression", "fault"];

pub(super) struct ActuatorsFigure<'a> {
    pub curves: &'a Curves<'a>,
    pub meta: &'a PlotMeta,
}

impl Figure for ActuatorsFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawFailure> {
        let title = format!(
            "Motor, release valve and controller state — {}",
            self.meta.title
        );
        let body = title_block(root, &title, &run_subtitle(self.meta, self.curves))?;
        let (_, height) = body.dim_in_pixel();
        let (motor, rest) = body.split_vertically(height * 45 / 100);
        let (valve, state) = rest.split_vertically(height * 19 / 100);
        let window = self.curves.full_window();
        motor_panel(&motor, self.curves, window)?;
        valve_panel(&valve, self.curves, window, RIGHT_AXIS_PX, false)?;
        state_panel(&state, self.curves, window)
    }
}

/// Motor duty [%] on the left axis, motor speed [rpm] on the right.
fn motor_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    c: &Curves,
    window: (f64, f64),
) -> Result<(), DrawFailure> {
    let columns = area.dim_in_pixel().0 as usize;
    let duty = envelope(c.time_s, c.motor_duty_pct, window, columns);
    let speed = envelope(c.time_s, c.motor_speed_rpm, window, columns);
    let (duty_lo, duty_hi) = value_range(duty.points());
    let duty_lo = duty_lo.min(0.0);
    let duty_hi = duty_hi.max(100.0);
    let (speed_lo, speed_hi) = value_range(speed.points());
    let speed_lo = speed_lo.min(0.0);
    let speed_span = (speed_hi - speed_lo).max(100.0);
    // Headroom above the curves for the legend box.
    let duty_range = duty_lo..duty_lo + (duty_hi - duty_lo) * 1.35;
    let speed_range = speed_lo..speed_lo + speed_span * 1.35;

    let mut chart = ChartBuilder::on(area)
        .margin_left(LEFT_MARGIN_PX)
        .margin_right(RIGHT_MARGIN_PX)
        .margin_top(8)
        .x_label_area_size(HIDDEN_TIME_AXIS_PX)
        .y_label_area_size(LEFT_AXIS_PX)
        .right_y_label_area_size(RIGHT_AXIS_PX - RIGHT_MARGIN_PX)
        .build_cartesian_2d(window.0..window.1, duty_range)?
        .set_secondary_coord(window.0..window.1, speed_range);
    chart
        .configure_mesh()
        .y_desc("motor duty [%]")
        .x_label_formatter(&no_tick)
        .y_label_formatter(&tick)
        .x_labels(12)
        .y_labels(8)
        .label_style(font(TICK_PX))
        .axis_desc_style(font(AXIS_DESC_PX))
        .bold_line_style(grid_bold())
        .light_line_style(grid_light())
        .draw()?;
    chart
        .configure_secondary_axes()
        .y_desc("motor speed [rpm]")
        .y_label_formatter(&tick)
        .y_labels(8)
        .label_style(font(TICK_PX))
        .axis_desc_style(font(AXIS_DESC_PX))
        .draw()?;
    let speed_pen = Pen::solid(MOTOR_SPEED, LINE_PX);
    let elements = speed_pen.elements::<DB>(&speed, |p| chart.borrow_secondary().backend_coord(p));
    chart
        .draw_secondary_series(elements)?
        .label("motor speed [rpm], right axis")
        .legend(speed_pen.icon());
    draw_trace(
        &mut chart,
        &duty,
        Pen::solid(MOTOR_DUTY, LINE_PX),
        "motor duty [%], left axis",
    )?;
    legend(&mut chart)
}

/// Controller state as a staircase over its named levels.
fn state_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    c: &Curves,
    window: (f64, f64),
) -> Result<(), DrawFailure> {
    let columns = area.dim_in_pixel().0 as usize;
    let state = envelope(c.time_s, c.controller_state, window, columns).staircase();
    let y_range = Levels::new(&STATE_NAMES, -0.4..4.4);
    let mut chart = ChartBuilder::on(area)
        .margin_left(LEFT_MARGIN_PX)
        .margin_right(RIGHT_AXIS_PX)
        .x_label_area_size(TIME_AXIS_PX)
        .y_label_area_size(LEFT_AXIS_PX)
        .build_cartesian_2d(window.0..window.1, y_range)?;
    chart
        .configure_mesh()
        .x_desc(TIME_DESC)
        .y_desc("controller state")
        .x_label_formatter(&tick)
        .y_label_formatter(&Levels::label(&STATE_NAMES))
        .x_labels(12)
        .label_style(font(TICK_PX))
        .axis_desc_style(font(AXIS_DESC_PX))
        .bold_line_style(grid_bold())
        .light_line_style(grid_light())
        .draw()?;
    let pen = Pen::solid(CONTROLLER_STATE, LINE_PX + 1);
    draw_trace(&mut chart, &state, pen, "controller state")?;
    legend(&mut chart)
}
