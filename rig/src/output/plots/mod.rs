//! Plots of a run for design review: vacuum at the sensor port and the nipples against the
//! target (`vacuum`), motor, valve and controller state (`actuators`), and a few pump cycles up
//! close (`zoom`), each as PNG and SVG with the same content; overlays of one signal against a
//! baseline or across runs (`overlay`).
//!
//! Text uses DejaVu Sans embedded in the binary, so plotting needs no system fonts. Long series
//! are reduced to a min/max envelope per pixel column before drawing, so peaks survive and a
//! 20-minute run at 100 Hz draws in milliseconds. Output is byte-for-byte deterministic.

mod actuators;
pub mod course;
mod curves;
mod envelope;
mod error;
mod figure;
mod firmware;
mod font;
mod levels;
mod milk;
pub mod overlay;
mod pen;
mod series;
mod style;
pub mod sweep;
mod sweep_lines;
mod sweep_maps;
mod vacuum;
mod valve;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

pub use error::PlotError;
pub use series::TimeSeries;

use actuators::ActuatorsFigure;
use curves::Curves;
use figure::render;
use vacuum::{VacuumFigure, ZoomFigure};

/// What the plots say about the run besides its curves.
#[derive(Debug, Clone, PartialEq)]
pub struct PlotMeta {
    /// Scenario name, shown in every title.
    pub title: String,
    /// Controller identity, e.g. `"pumprig-reference 0.1.0"`, shown under every title.
    pub controller: String,
    /// Time window of `zoom` in seconds (a few pump cycles); clipped to the run.
    pub zoom_window_s: (f64, f64),
}

/// Writes `vacuum`, `actuators` and `zoom` as `.png` (1600x900, white) and `.svg` into `dir`,
/// which must exist; returns the paths written, PNG before SVG for each figure.
///
/// Columns are looked up by name (see `timeseries.csv`); `vacuum_right_nipple_mmhg` is optional,
/// every other column drawn is required and its absence is reported, naming the column, before
/// anything is written.
pub fn write_plots(
    series: &TimeSeries,
    meta: &PlotMeta,
    dir: &Path,
) -> Result<Vec<PathBuf>, PlotError> {
    font::ensure_registered()?;
    let curves = Curves::new(series)?;
    let zoom_window_s = curves.clip(meta.zoom_window_s)?;

    let mut written = Vec::with_capacity(6);
    let vacuum = VacuumFigure {
        curves: &curves,
        meta,
        zoom_window_s,
    };
    written.extend(render(&vacuum, dir, "vacuum")?);
    written.extend(render(
        &ActuatorsFigure {
            curves: &curves,
            meta,
        },
        dir,
        "actuators",
    )?);
    let zoom = ZoomFigure {
        curves: &curves,
        meta,
        window_s: zoom_window_s,
    };
    written.extend(render(&zoom, dir, "zoom")?);
    // The mother's panel, when the run recorded her (every run of this version does).
    if series.column("milk_flow_left_ml_min").is_some() {
        let milk = milk::MilkCurves::new(series)?;
        written.extend(render(
            &milk::MilkFigure {
                curves: &curves,
                milk: &milk,
                meta,
            },
            dir,
            "milk",
        )?);
    }
    // The firmware's own telemetry (`fw_` columns), when it reported any.
    let values = firmware::firmware_columns(series);
    let pages: Vec<_> = values.chunks(firmware::PANELS_PER_PAGE).collect();
    for (i, page) in pages.iter().enumerate() {
        let stem = if i == 0 {
            "firmware".to_owned()
        } else {
            format!("firmware-{}", i + 1)
        };
        let figure = firmware::FirmwareFigure {
            curves: &curves,
            meta,
            values: page,
            page: (i + 1, pages.len()),
        };
        written.extend(render(&figure, dir, &stem)?);
    }
    Ok(written)
}
