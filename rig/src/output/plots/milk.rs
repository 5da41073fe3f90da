//! `milk.png`: what the suction did for the mother, under the vacuum curve on one time axis: milk
//! flow from each breast, prolactin with plasma oxytocin, and the milk ejections (contraction).
//! Written when `timeseries.csv` has the mother's columns.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::PlotMeta;
use super::curves::Curves;
use super::envelope::envelope;
use super::figure::{DrawFailure, Figure};
use super::pen::{Pen, draw_trace};
use super::style::*;
use super::{PlotError, TimeSeries};

/// The mother's columns (see `output::timeseries::header`).
pub(super) struct MilkCurves<'a> {
    pub flow_left: &'a [f64],
    pub flow_right: Option<&'a [f64]>,
    pub oxytocin: &'a [f64],
    pub prolactin: &'a [f64],
    pub contraction: &'a [f64],
}

impl<'a> MilkCurves<'a> {
    pub fn new(series: &'a TimeSeries) -> Result<Self, PlotError> {
        const PLOT: &str = "milk.png";
        Ok(Self {
            flow_left: series.require("milk_flow_left_ml_min", PLOT)?,
            flow_right: series.column("milk_flow_right_ml_min"),
            oxytocin: series.require("oxytocin_pg_ml", PLOT)?,
            prolactin: series.require("prolactin_ng_ml", PLOT)?,
            contraction: series.require("ejection_contraction", PLOT)?,
        })
    }
}

pub(super) struct MilkFigure<'a> {
    pub curves: &'a Curves<'a>,
    pub milk: &'a MilkCurves<'a>,
    pub meta: &'a PlotMeta,
}

const OXYTOCIN: RGBColor = RGBColor(204, 121, 167);
const PROLACTIN: RGBColor = RGBColor(86, 80, 160);

impl Figure for MilkFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawFailure> {
        let title = format!("Vacuum, milk flow and hormones — {}", self.meta.title);
        let body = title_block(root, &title, &run_subtitle(self.meta, self.curves))?;
        let (_, height) = body.dim_in_pixel();
        let (vacuum, rest) = body.split_vertically(height * 30 / 100);
        let (flow, rest) = rest.split_vertically(height * 26 / 100);
        let (ejection, hormones) = rest.split_vertically(height * 16 / 100);
        let c = self.curves;
        let m = self.milk;
        let window = c.full_window();
        let mut nipples = vec![("left nipple [mmHg]", LEFT_NIPPLE, c.left_nipple_mmhg)];
        if let Some(r) = c.right_nipple_mmhg {
            nipples.push(("right nipple [mmHg]", RIGHT_NIPPLE, r));
        }
        panel(&vacuum, c.time_s, window, "vacuum [mmHg]", &nipples, false)?;
        let mut flows = vec![("left breast [mL/min]", LEFT_NIPPLE, m.flow_left)];
        if let Some(r) = m.flow_right {
            flows.push(("right breast [mL/min]", RIGHT_NIPPLE, r));
        }
        panel(&flow, c.time_s, window, "milk flow [mL/min]", &flows, false)?;
        panel(
            &ejection,
            c.time_s,
            window,
            "ejection [0–1]",
            &[(
                "myoepithelial contraction (milk ejection)",
                TARGET,
                m.contraction,
            )],
            false,
        )?;
        panel(
            &hormones,
            c.time_s,
            window,
            "plasma level",
            &[
                ("prolactin [ng/mL]", PROLACTIN, m.prolactin),
                ("oxytocin [pg/mL]", OXYTOCIN, m.oxytocin),
            ],
            true,
        )
    }
}

/// One stacked panel of traces sharing the time window (zero always on the value axis).
pub(super) fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    time_s: &[f64],
    window: (f64, f64),
    y_desc: &str,
    traces: &[(&str, RGBColor, &[f64])],
    time_axis: bool,
) -> Result<(), DrawFailure> {
    let columns = area.dim_in_pixel().0 as usize;
    let drawn: Vec<_> = traces
        .iter()
        .map(|(name, color, y)| (*name, *color, envelope(time_s, y, window, columns)))
        .collect();
    let (lo, hi) = value_range(drawn.iter().flat_map(|t| t.2.points()));
    let lo = lo.min(0.0);
    let span = (hi - lo).max(1e-3);
    let mut chart = time_chart(area, window, lo..lo + span * 1.45, time_axis)?;
    time_mesh(&mut chart, y_desc, 5, time_axis)?;
    for (name, color, trace) in &drawn {
        draw_trace(&mut chart, trace, Pen::solid(*color, LINE_PX), name)?;
    }
    legend(&mut chart)
}
