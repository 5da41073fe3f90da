//! The columns the figures draw, looked up by name once and checked, so each figure works on
//! plain slices and a missing column is reported before any file is written.

use super::{PlotError, TimeSeries};

/// Column names in `timeseries.csv` (see `output::timeseries::header`).
pub(super) mod column {
    pub const TIME: &str = "time_s";
    pub const TARGET: &str = "target_vacuum_mmhg";
    pub const SENSOR_PORT: &str = "vacuum_sensor_port_mmhg";
    pub const FIRMWARE_READING: &str = "sensor_reading_mmhg";
    pub const LEFT_NIPPLE: &str = "vacuum_left_nipple_mmhg";
    pub const RIGHT_NIPPLE: &str = "vacuum_right_nipple_mmhg";
    pub const MOTOR_DUTY: &str = "motor_duty_pct";
    pub const MOTOR_SPEED: &str = "motor_speed_rpm";
    pub const VALVE: &str = "valve_open";
    pub const CONTROLLER_STATE: &str = "controller_state";
}

const VACUUM_PLOTS: &str = "vacuum.png and zoom.png";
const ACTUATOR_PLOT: &str = "actuators.png";
const ACTUATOR_AND_ZOOM_PLOTS: &str = "actuators.png and zoom.png";

/// Borrowed columns of one run.
pub(super) struct Curves<'a> {
    pub time_s: &'a [f64],
    pub target_mmhg: &'a [f64],
    pub sensor_port_mmhg: &'a [f64],
    /// The controller's own reading; optional (a controller may not report it).
    pub firmware_reading_mmhg: Option<&'a [f64]>,
    pub left_nipple_mmhg: &'a [f64],
    /// Absent for a single shield.
    pub right_nipple_mmhg: Option<&'a [f64]>,
    pub motor_duty_pct: &'a [f64],
    pub motor_speed_rpm: &'a [f64],
    pub valve_open: &'a [f64],
    pub controller_state: &'a [f64],
    /// First and last time stamp.
    pub span_s: (f64, f64),
}

impl<'a> Curves<'a> {
    pub fn new(series: &'a TimeSeries) -> Result<Self, PlotError> {
        let time_s = series.require(column::TIME, "every plot")?;
        let curves = Self {
            time_s,
            target_mmhg: series.require(column::TARGET, VACUUM_PLOTS)?,
            sensor_port_mmhg: series.require(column::SENSOR_PORT, VACUUM_PLOTS)?,
            firmware_reading_mmhg: series.column(column::FIRMWARE_READING),
            left_nipple_mmhg: series.require(column::LEFT_NIPPLE, VACUUM_PLOTS)?,
            right_nipple_mmhg: series.column(column::RIGHT_NIPPLE),
            motor_duty_pct: series.require(column::MOTOR_DUTY, ACTUATOR_PLOT)?,
            motor_speed_rpm: series.require(column::MOTOR_SPEED, ACTUATOR_PLOT)?,
            valve_open: series.require(column::VALVE, ACTUATOR_AND_ZOOM_PLOTS)?,
            controller_state: series.require(column::CONTROLLER_STATE, ACTUATOR_PLOT)?,
            span_s: (0.0, 0.0),
        };
        let (Some(&first), Some(&last)) = (time_s.first(), time_s.last()) else {
            return Err(PlotError::Empty {
                origin: series.origin().to_owned(),
            });
        };
        let mut previous = f64::NEG_INFINITY;
        for (i, &t) in time_s.iter().enumerate() {
            if !t.is_finite() || t < previous {
                return Err(PlotError::TimeNotIncreasing {
                    origin: series.origin().to_owned(),
                    row: i + 1,
                    value: t,
                    previous,
                });
            }
            previous = t;
        }
        Ok(Self {
            span_s: (first, last),
            ..curves
        })
    }

    /// The time axis of the full run: never zero-width, even for a single row.
    pub fn full_window(&self) -> (f64, f64) {
        let (first, last) = self.span_s;
        if last > first {
            (first, last)
        } else {
            (first, first + 1.0)
        }
    }

    /// `window` clipped to the run.
    pub fn clip(&self, (start, end): (f64, f64)) -> Result<(f64, f64), PlotError> {
        let (first, last) = self.full_window();
        let (a, b) = (start.max(first), end.min(last));
        if start.is_finite() && end.is_finite() && a < b {
            Ok((a, b))
        } else {
            Err(PlotError::ZoomWindow {
                start,
                end,
                first,
                last,
            })
        }
    }
}
