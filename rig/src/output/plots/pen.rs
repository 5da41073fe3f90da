//! Turning a [`Trace`] into plotters elements: a light fill between the two lines of a band, and
//! lines broken at sharp turns. Plotters widens lines thicker than one pixel into polygons whose
//! corners at near reversals shoot far out of the plot, so such lines are drawn as separate pieces
//! that meet at the turn.

use plotters::chart::ChartContext;
use plotters::coord::ranged1d::Ranged;
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::envelope::Trace;
use super::figure::DrawFailure;
use super::style::{DASH_PX, GAP_PX};

/// A line joint turning further than this (cosine of the turn angle, here about 110 degrees)
/// ends one piece of the line and starts the next.
const SHARPEST_JOINT_COS: f64 = -0.34;

/// A band whose lines are on average further apart than this is drawn with thin lines.
const THIN_BAND_PX: f64 = 4.0;

/// Opacity of the fill between a band's lower and upper line.
const BAND_FILL_ALPHA: f64 = 0.16;

/// How a trace is drawn.
#[derive(Debug, Clone, Copy)]
pub(super) struct Pen {
    pub color: RGBColor,
    pub width_px: u32,
    pub dashed: bool,
    /// Fill between a band's lines (not for the target, whose band would hide the others).
    pub fill_band: bool,
}

impl Pen {
    pub const fn solid(color: RGBColor, width_px: u32) -> Self {
        Self {
            color,
            width_px,
            dashed: false,
            fill_band: true,
        }
    }

    pub const fn dashed(color: RGBColor, width_px: u32) -> Self {
        Self {
            color,
            width_px,
            dashed: true,
            fill_band: false,
        }
    }

    /// Legend icon in this pen's style.
    pub fn icon<DB: DrawingBackend>(
        self,
    ) -> impl Fn((i32, i32)) -> DynElement<'static, DB, (i32, i32)> {
        let style = self.color.stroke_width(self.width_px + 1);
        move |(x, y)| {
            let line = vec![(x, y), (x + 36, y)];
            if self.dashed {
                DashedPathElement::new(line, 12, 6, style).into_dyn()
            } else {
                PathElement::new(line, style).into_dyn()
            }
        }
    }

    /// The elements that draw `trace`; `to_px` maps a data point to canvas pixels.
    pub fn elements<DB: DrawingBackend>(
        self,
        trace: &Trace,
        to_px: impl Fn(&(f64, f64)) -> (i32, i32),
    ) -> Vec<DynElement<'static, DB, (f64, f64)>> {
        let mut elements = Vec::new();
        let lines: Vec<&[(f64, f64)]> = match trace {
            Trace::Line(points) => vec![points],
            Trace::Band { lower, upper } => {
                if self.fill_band {
                    let outline = upper
                        .iter()
                        .chain(lower.iter().rev())
                        .copied()
                        .collect::<Vec<_>>();
                    let fill = self.color.mix(BAND_FILL_ALPHA).filled();
                    elements.push(Polygon::new(outline, fill).into_dyn());
                }
                vec![lower, upper]
            }
        };
        // The lines of a wide band zigzag from column to column; at full width they would merge
        // into a solid block, so they are drawn thin and the fill carries the colour. A narrow
        // band is a line at this scale and is drawn as one.
        let width_px = match trace {
            Trace::Band { lower, upper } if mean_height_px(lower, upper, &to_px) > THIN_BAND_PX => {
                1
            }
            _ => self.width_px,
        };
        let style = self.color.stroke_width(width_px);
        for piece in lines.into_iter().flat_map(|line| pieces(line, &to_px)) {
            elements.push(if self.dashed {
                DashedPathElement::new(piece, DASH_PX, GAP_PX, style).into_dyn()
            } else {
                PathElement::new(piece, style).into_dyn()
            });
        }
        elements
    }
}

/// Draws `trace` on the chart's (primary) axes with a legend entry.
pub(super) fn draw_trace<'a, DB, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordf64, Y>>,
    trace: &Trace,
    pen: Pen,
    label: &str,
) -> Result<(), DrawFailure>
where
    DB: DrawingBackend + 'a,
    Y: Ranged<ValueType = f64>,
{
    let elements = pen.elements::<DB>(trace, |p| chart.backend_coord(p));
    chart.draw_series(elements)?.label(label).legend(pen.icon());
    Ok(())
}

/// Mean vertical distance in pixels between a band's lower and upper line.
fn mean_height_px(
    lower: &[(f64, f64)],
    upper: &[(f64, f64)],
    to_px: impl Fn(&(f64, f64)) -> (i32, i32),
) -> f64 {
    let total: f64 = lower
        .iter()
        .zip(upper)
        .map(|(l, u)| f64::from((to_px(l).1 - to_px(u).1).abs()))
        .sum();
    total / lower.len().max(1) as f64
}

/// Splits a line into pieces at joints sharper than [`SHARPEST_JOINT_COS`], measured in pixels;
/// consecutive points on the same pixel are merged. Each piece has at least two points.
fn pieces(line: &[(f64, f64)], to_px: impl Fn(&(f64, f64)) -> (i32, i32)) -> Vec<Vec<(f64, f64)>> {
    let mut pieces = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    let mut last: Option<((f64, f64), (i32, i32))> = None;
    let mut last_direction: Option<(f64, f64)> = None;
    for &point in line {
        let px = to_px(&point);
        let Some((previous, previous_px)) = last else {
            current.push(point);
            last = Some((point, px));
            continue;
        };
        if px == previous_px {
            continue;
        }
        let (dx, dy) = (
            f64::from(px.0 - previous_px.0),
            f64::from(px.1 - previous_px.1),
        );
        let length = dx.hypot(dy);
        let direction = (dx / length, dy / length);
        let turn_cos = last_direction.map(|(ux, uy)| ux * direction.0 + uy * direction.1);
        if turn_cos.is_some_and(|cos| cos < SHARPEST_JOINT_COS) {
            pieces.push(std::mem::take(&mut current));
            current.push(previous);
        }
        current.push(point);
        last = Some((point, px));
        last_direction = Some(direction);
    }
    pieces.push(current);
    pieces.retain(|piece| piece.len() >= 2);
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_break_at_reversals_only() {
        let px = |p: &(f64, f64)| (p.0 as i32, p.1 as i32);
        // Right, right, down (90 degrees: kept), then back up (180 degrees: split).
        let line = [
            (0.0, 0.0),
            (5.0, 0.0),
            (10.0, 0.0),
            (10.0, 5.0),
            (10.0, 0.0),
            (10.2, 0.3),
        ];
        assert_eq!(
            pieces(&line, px),
            vec![
                vec![(0.0, 0.0), (5.0, 0.0), (10.0, 0.0), (10.0, 5.0)],
                vec![(10.0, 5.0), (10.0, 0.0)]
            ]
        );
        assert!(pieces(&[(1.0, 1.0)], px).is_empty());
    }
}
