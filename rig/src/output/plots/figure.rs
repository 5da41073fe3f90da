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

/// Draws `figure` into `dir/{stem}.png` and `dir/{stem}.svg`; returns both paths.
pub(super) fn render(
    figure: &impl Figure,
    dir: &Path,
    stem: &str,
) -> Result<[PathBuf; 2], PlotError> {
    let png = dir.join(format!("{stem}.png"));
    let svg = dir.join(format!("{stem}.svg"));
    let failed = |path: &Path, e: DrawFailure| PlotError::Draw {
        path: path.to_path_buf(),
        message: e.0,
    };

    {
        let root = BitMapBackend::new(&png, CANVAS_PX).into_drawing_area();
        figure.draw(&root).map_err(|e| failed(&png, e))?;
        root.present().map_err(|e| failed(&png, e.into()))?;
    }
    {
        let root = SVGBackend::new(&svg, CANVAS_PX).into_drawing_area();
        figure.draw(&root).map_err(|e| failed(&svg, e))?;
        root.present().map_err(|e| failed(&svg, e.into()))?;
    }
    Ok([png, svg])
}
