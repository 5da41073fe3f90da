//! `firmware.png`: the firmware's own named telemetry values (the `fw_` columns a C firmware
//! reports through `pumprig_fw_telemetry`), one panel each under the set-point and the firmware's
//! reading, on one time axis. At most [`PANELS_PER_PAGE`] values per figure: more go on
//! `firmware-2.png`, `firmware-3.png`. Written only when the run has such columns.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::PlotMeta;
use super::curves::Curves;
use super::figure::{DrawFailure, Figure};
use super::milk::panel;
use super::style::*;
use crate::output::timeseries::FIRMWARE_COLUMN_PREFIX;

/// Telemetry panels on one figure, so each stays tall enough to read.
pub(super) const PANELS_PER_PAGE: usize = 5;

/// Colours cycled through the telemetry panels.
const COLOURS: [RGBColor; 5] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 80, 160),
];

/// The `fw_` columns of a series, in file order: (name without the prefix, values).
pub(super) fn firmware_columns(series: &super::TimeSeries) -> Vec<(&str, &[f64])> {
    series
        .column_names()
        .filter_map(|n| {
            n.strip_prefix(FIRMWARE_COLUMN_PREFIX)
                .map(|short| (n, short))
        })
        .filter_map(|(n, short)| series.column(n).map(|c| (short, c)))
        .collect()
}

pub(super) struct FirmwareFigure<'a> {
    pub curves: &'a Curves<'a>,
    pub meta: &'a PlotMeta,
    /// This page's values: (name without `fw_`, values).
    pub values: &'a [(&'a str, &'a [f64])],
    /// 1-based page and page count, shown in the title when there is more than one.
    pub page: (usize, usize),
}

impl Figure for FirmwareFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawFailure> {
        let page = if self.page.1 > 1 {
            format!(" ({} of {})", self.page.0, self.page.1)
        } else {
            String::new()
        };
        let title = format!("Firmware telemetry{page} — {}", self.meta.title);
        let body = title_block(root, &title, &run_subtitle(self.meta, self.curves))?;
        let (_, height) = body.dim_in_pixel();
        let c = self.curves;
        let window = c.full_window();
        // The set-point panel gets a share and a half; the last panel carries the time axis.
        let shares = 3 + 2 * self.values.len() as u32;
        let (top, mut rest) = body.split_vertically(height * 3 / shares);
        let mut vacuum = vec![("set-point [mmHg]", TARGET, c.target_mmhg)];
        if let Some(r) = c.firmware_reading_mmhg {
            vacuum.push(("firmware's reading [mmHg]", FIRMWARE_READING, r));
        }
        panel(
            &top,
            c.time_s,
            window,
            "vacuum [mmHg]",
            &vacuum,
            self.values.is_empty(),
        )?;
        for (i, (name, values)) in self.values.iter().enumerate() {
            let last = i + 1 == self.values.len();
            let (area, below) = if last {
                let (_, h) = rest.dim_in_pixel();
                rest.split_vertically(h)
            } else {
                rest.split_vertically(height * 2 / shares)
            };
            let colour = COLOURS[i % COLOURS.len()];
            // The axis gets the unit (the name's last word, as the ABI asks names to end);
            // the full name, too long for a rotated axis label, goes in the legend.
            let unit = format!("[{}]", name.rsplit('_').next().unwrap_or(name));
            // NaN or infinite values cannot be drawn: say how many, rather than a silent gap.
            let non_finite = values.iter().filter(|v| !v.is_finite()).count();
            let label = if non_finite > 0 {
                format!("{name} ({non_finite} non-finite samples not drawn)")
            } else {
                (*name).to_owned()
            };
            panel(
                &area,
                c.time_s,
                window,
                &unit,
                &[(&label, colour, values)],
                last,
            )?;
            rest = below;
        }
        Ok(())
    }
}
