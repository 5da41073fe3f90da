//! The one font every plot uses: DejaVu Sans, embedded from the `dejavu` crate and registered with
//! plotters' ab_glyph text renderer once per process, so no system font is needed.

use std::sync::OnceLock;

use plotters::style::{FontStyle, register_font};

use super::PlotError;

/// Family name the plots ask for. SVG files carry it as `font-family`, so viewers substitute their
/// own sans-serif face; PNGs are rasterised with the embedded DejaVu Sans.
pub(super) const FAMILY: &str = "sans-serif";

/// Registers DejaVu Sans (regular and bold) under [`FAMILY`]; later calls are free.
pub(super) fn ensure_registered() -> Result<(), PlotError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        register_font(FAMILY, FontStyle::Normal, dejavu::sans::regular()).is_ok()
            && register_font(FAMILY, FontStyle::Bold, dejavu::sans::bold()).is_ok()
    });
    if ok { Ok(()) } else { Err(PlotError::Font) }
}
