//! An axis of a few discrete levels (valve closed/open, controller states): ticks and grid lines
//! only at the levels, labelled by name, with room above for the legend.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};

/// Levels `0, 1, …, names.len() - 1`, spanning `range`.
pub(super) struct Levels {
    range: Range<f64>,
    names: &'static [&'static str],
}

impl Levels {
    pub fn new(names: &'static [&'static str], range: Range<f64>) -> Self {
        Self { range, names }
    }

    /// The name of a level, or nothing between levels.
    pub fn label(names: &'static [&'static str]) -> impl Fn(&f64) -> String {
        move |value| {
            let level = value.round();
            if (value - level).abs() < 1e-9 && level >= 0.0 {
                names
                    .get(level as usize)
                    .copied()
                    .unwrap_or_default()
                    .to_owned()
            } else {
                String::new()
            }
        }
    }
}

impl Ranged for Levels {
    type ValueType = f64;
    type FormatOption = DefaultFormatting;

    fn map(&self, value: &f64, (low_px, high_px): (i32, i32)) -> i32 {
        let fraction = (value - self.range.start) / (self.range.end - self.range.start);
        (f64::from(low_px) + fraction * f64::from(high_px - low_px)).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            (0..self.names.len()).map(|level| level as f64).collect()
        }
    }

    fn range(&self) -> Range<f64> {
        self.range.clone()
    }
}
