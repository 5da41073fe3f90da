//! Rendering one figure to both a PNG and an SVG with the same content.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use super::PlotError;
use super::style::CANVAS_PX;

/// A figure that can draw itself on any plotters backend.
pub(super) trait Figure {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawFailure>;
}

/// A drawing error with the backend type erased, so figure code can use `?` on any backend.
#[derive(Debug)]
pub(super) struct DrawFailure(pub(super) String);

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for DrawFailure {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        Self(e.to_string())
    }
}

/// The two files every figure is drawn to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Format {
    Png,
    Svg,
}

impl Format {
    pub(super) const BOTH: [Format; 2] = [Format::Png, Format::Svg];

    fn extension(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Svg => "svg",
        }
    }
}

/// Draws `figure` into `dir/{stem}.png` and `dir/{stem}.svg`; returns both paths.
pub(super) fn render(
    figure: &impl Figure,
    dir: &Path,
    stem: &str,
) -> Result<[PathBuf; 2], PlotError> {
    Ok([
        render_one(figure, dir, stem, Format::Png)?,
        render_one(figure, dir, stem, Format::Svg)?,
    ])
}

/// Draws `figure` into `dir/{stem}.png` or `.svg`; returns the path. The two files of a figure
/// are independent, so a caller may draw them on different threads.
pub(super) fn render_one(
    figure: &impl Figure,
    dir: &Path,
    stem: &str,
    format: Format,
) -> Result<PathBuf, PlotError> {
    let path = dir.join(format!("{stem}.{}", format.extension()));
    let failed = |e: DrawFailure| PlotError::Draw {
        path: path.clone(),
        message: e.0,
    };
    match format {
        Format::Png => {
            let root = BitMapBackend::new(&path, CANVAS_PX).into_drawing_area();
            figure.draw(&root).map_err(failed)?;
            root.present().map_err(|e| failed(e.into()))?;
        }
        Format::Svg => {
            let root = SVGBackend::new(&path, CANVAS_PX).into_drawing_area();
            figure.draw(&root).map_err(failed)?;
            root.present().map_err(|e| failed(e.into()))?;
        }
    }
    Ok(path)
}
