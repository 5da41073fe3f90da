//! `course.png`/`.svg`: a course over days: milk removed per day (each breast and in total) with the
//! day of first drops marked, each breast's secretory capacity, and mean prolactin.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use super::PlotError;
use super::figure::{DrawFailure, Figure, render};
use super::font;
use super::style::*;
use crate::course::{CourseMetric, CourseRun, CourseSpec, metric_value};

struct CourseFigure<'a> {
    run: &'a CourseRun,
    title: String,
    subtitle: String,
    first_drops_day: Option<f64>,
}

/// Writes `course.png` and `course.svg` into `dir`.
pub fn write_course_plots(
    run: &CourseRun,
    name: &str,
    course: &CourseSpec,
    dir: &Path,
) -> Result<[PathBuf; 2], PlotError> {
    font::ensure_registered()?;
    let first = metric_value(run, course, CourseMetric::FirstDropsDay, None, None);
    let subtitle = format!(
        "{} days, {} sessions   ·   first drops (≥ {} mL in a session): {}",
        course.days,
        run.sessions.len(),
        course.first_drops_ml,
        first.map_or("not within the course".to_owned(), |d| format!(
            "day {d:.0}"
        ))
    );
    render(
        &CourseFigure {
            run,
            title: format!("Milk supply over the course — {name}"),
            subtitle,
            first_drops_day: first,
        },
        dir,
        "course",
    )
}

type Series<'a> = (&'a str, RGBColor, Vec<(f64, f64)>);

impl Figure for CourseFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawFailure> {
        let body = title_block(root, &self.title, &self.subtitle)?;
        let (_, height) = body.dim_in_pixel();
        let (volume, rest) = body.split_vertically(height * 46 / 100);
        let (capacity, prolactin) = rest.split_vertically(height * 27 / 100);
        let days = &self.run.days;
        let pts = |f: &dyn Fn(&crate::course::DayRecord) -> f64| -> Vec<(f64, f64)> {
            days.iter().map(|d| (f64::from(d.day), f(d))).collect()
        };
        let last_day = days.last().map_or(1.0, |d| f64::from(d.day));
        let x = 0.5..last_day + 0.5;
        panel(
            &volume,
            x.clone(),
            "milk removed [mL/day]",
            &[
                ("total", TARGET, pts(&|d| d.removed_total_ml())),
                ("left breast", LEFT_NIPPLE, pts(&|d| d.removed_ml[0])),
                ("right breast", RIGHT_NIPPLE, pts(&|d| d.removed_ml[1])),
            ],
            self.first_drops_day,
            false,
        )?;
        panel(
            &capacity,
            x.clone(),
            "secretory capacity [mL/h]",
            &[
                ("left breast", LEFT_NIPPLE, pts(&|d| d.capacity_ml_h[0])),
                ("right breast", RIGHT_NIPPLE, pts(&|d| d.capacity_ml_h[1])),
            ],
            None,
            false,
        )?;
        panel(
            &prolactin,
            x,
            "mean prolactin [ng/mL]",
            &[("daily mean", SENSOR_PORT, pts(&|d| d.mean_prolactin_ng_ml))],
            None,
            true,
        )
    }
}

fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x: std::ops::Range<f64>,
    y_desc: &str,
    series: &[Series],
    marker_day: Option<f64>,
    with_x_axis: bool,
) -> Result<(), DrawFailure> {
    let hi = series
        .iter()
        .flat_map(|s| s.2.iter().map(|p| p.1))
        .fold(0.0f64, f64::max)
        .max(1e-3);
    let mut chart = ChartBuilder::on(area)
        .margin_left(LEFT_MARGIN_PX)
        .margin_right(RIGHT_AXIS_PX)
        .margin_top(8)
        .x_label_area_size(if with_x_axis {
            TIME_AXIS_PX
        } else {
            HIDDEN_TIME_AXIS_PX
        })
        .y_label_area_size(LEFT_AXIS_PX)
        .build_cartesian_2d(x.clone(), 0.0..hi * 1.3)?;
    let mut mesh = chart.configure_mesh();
    mesh.y_desc(y_desc)
        .y_label_formatter(&tick)
        .x_labels(((x.end - x.start) as usize).clamp(2, 22))
        .y_labels(6)
        .label_style(font(TICK_PX))
        .axis_desc_style(font(AXIS_DESC_PX))
        .bold_line_style(grid_bold())
        .light_line_style(grid_light());
    if with_x_axis {
        mesh.x_desc("day of the course")
            .x_label_formatter(&|v: &f64| format!("{v:.0}"));
    } else {
        mesh.x_label_formatter(&no_tick);
    }
    mesh.draw()?;
    if let Some(day) = marker_day {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(day, 0.0), (day, hi * 1.3)],
                BLACK.mix(0.5).stroke_width(LINE_PX),
            )))?
            .label(format!("first drops: day {day:.0}"))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 30, y)], BLACK.mix(0.5)));
    }
    for (name, color, pts) in series {
        let style = color.stroke_width(LINE_PX + 1);
        chart
            .draw_series(LineSeries::new(pts.iter().copied(), style))?
            .label(*name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 30, y)], style));
        chart.draw_series(pts.iter().map(|&p| Circle::new(p, 3, color.filled())))?;
    }
    legend(&mut chart)
}
