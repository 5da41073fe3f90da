//! Reducing a long series to what a plot of a given width can show, without losing peaks: when
//! there are more samples than pixel columns, each column keeps its lowest and its highest sample
//! (a min/max envelope); otherwise the samples are drawn as they are.

/// A series reduced for drawing on a plot of known width.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Trace {
    /// Few enough samples to draw as a line through each of them.
    Line(Vec<(f64, f64)>),
    /// More samples than pixels: the lowest and the highest sample of each pixel column, each at
    /// its own time, so every peak and trough of the full series is on one of the two lines.
    Band {
        lower: Vec<(f64, f64)>,
        upper: Vec<(f64, f64)>,
    },
}

impl Trace {
    /// Every point drawn, for scaling the axes.
    pub fn points(&self) -> impl Iterator<Item = &(f64, f64)> {
        let (a, b): (&[_], &[_]) = match self {
            Trace::Line(points) => (points, &[]),
            Trace::Band { lower, upper } => (lower, upper),
        };
        a.iter().chain(b)
    }

    /// Holds each value until the next sample, for discrete signals (valve, controller state).
    pub fn staircase(self) -> Self {
        match self {
            Trace::Line(points) => Trace::Line(staircase(&points)),
            Trace::Band { lower, upper } => Trace::Band {
                lower: staircase(&lower),
                upper: staircase(&upper),
            },
        }
    }
}

/// Samples with more than this many per pixel column are drawn as a [`Trace::Band`].
const LINE_SAMPLES_PER_COLUMN: usize = 2;

/// The samples of `(t, y)` in the time window `t_start..=t_end`, reduced for a plot `columns`
/// pixels wide. `t` must be non-decreasing. Samples with a non-finite value are skipped. A line
/// is interpolated onto the window's edges so it neither stops short of nor overshoots the plot.
pub(super) fn envelope(
    t: &[f64],
    y: &[f64],
    (t_start, t_end): (f64, f64),
    columns: usize,
) -> Trace {
    let n = t.len().min(y.len());
    let (t, y) = (&t[..n], &y[..n]);
    let lo = t.partition_point(|&v| v < t_start);
    let hi = t.partition_point(|&v| v <= t_end);
    let columns = columns.max(1);

    if hi - lo > LINE_SAMPLES_PER_COLUMN * columns && t_end > t_start {
        return band(&t[lo..hi], &y[lo..hi], (t_start, t_end), columns);
    }
    let mut out = Vec::with_capacity(hi - lo + 2);
    if lo > 0 && lo < n && t[lo] > t_start {
        push_finite(&mut out, (t_start, interpolate(t, y, lo - 1, t_start)));
    }
    for i in lo..hi {
        push_finite(&mut out, (t[i], y[i]));
    }
    if hi < n && hi > 0 && t[hi - 1] < t_end {
        push_finite(&mut out, (t_end, interpolate(t, y, hi - 1, t_end)));
    }
    Trace::Line(out)
}

/// Lowest and highest finite sample per pixel column; all of `t` lies in the window.
fn band(t: &[f64], y: &[f64], (t_start, t_end): (f64, f64), columns: usize) -> Trace {
    let scale = columns as f64 / (t_end - t_start);
    let column_of = |time: f64| (((time - t_start) * scale) as usize).min(columns - 1);
    let mut lower = Vec::with_capacity(columns);
    let mut upper = Vec::with_capacity(columns);
    let mut i = 0;
    while i < t.len() {
        let column = column_of(t[i]);
        let (mut min, mut max): (Option<usize>, Option<usize>) = (None, None);
        while i < t.len() && column_of(t[i]) == column {
            if y[i].is_finite() {
                if min.is_none_or(|m| y[i] < y[m]) {
                    min = Some(i);
                }
                if max.is_none_or(|m| y[i] > y[m]) {
                    max = Some(i);
                }
            }
            i += 1;
        }
        if let (Some(min), Some(max)) = (min, max) {
            lower.push((t[min], y[min]));
            upper.push((t[max], y[max]));
        }
    }
    Trace::Band { lower, upper }
}

/// Inserts a point before each change of value, so the value holds until the next sample and
/// transitions draw as vertical edges rather than slopes.
fn staircase(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len() * 2);
    for (i, &(t, v)) in points.iter().enumerate() {
        let previous = i.checked_sub(1).map(|p| points[p].1);
        if let Some(previous) = previous.filter(|&previous| previous != v) {
            out.push((t, previous));
        }
        out.push((t, v));
    }
    out
}

/// Value at `time` on the segment from sample `i` to sample `i + 1`.
fn interpolate(t: &[f64], y: &[f64], i: usize, time: f64) -> f64 {
    let (t0, t1, y0, y1) = (t[i], t[i + 1], y[i], y[i + 1]);
    if t1 > t0 {
        y0 + (y1 - y0) * (time - t0) / (t1 - t0)
    } else {
        y1
    }
}

fn push_finite(out: &mut Vec<(f64, f64)>, point: (f64, f64)) {
    if point.0.is_finite() && point.1.is_finite() {
        out.push(point);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_series_becomes_one_min_and_one_max_per_column_and_keeps_every_spike() {
        let t: Vec<f64> = (0..=120_000).map(|i| i as f64 * 0.01).collect();
        let mut y: Vec<f64> = t
            .iter()
            .map(|&t| 100.0 + 80.0 * (std::f64::consts::TAU * 1.1 * t).sin())
            .collect();
        // One-sample spikes must survive.
        y[54_321] = 400.0;
        y[99_999] = -50.0;
        y[7] = f64::NAN;
        let trace = envelope(&t, &y, (0.0, 1200.0), 1400);
        let Trace::Band { lower, upper } = &trace else {
            panic!("expected a band: {trace:?}")
        };
        assert_eq!((lower.len(), upper.len()), (1400, 1400));
        assert!(upper.contains(&(543.21, 400.0)));
        assert!(lower.contains(&(999.99, -50.0)));
        // Away from the spikes, each column spans the sine's full swing (a column is 0.86 s).
        assert!(upper[700..710].iter().all(|p| p.1 > 179.0));
        assert!(lower[700..710].iter().all(|p| p.1 < 21.0));
        assert!(trace.points().all(|p| p.1.is_finite()));
        assert!(upper.windows(2).all(|w| w[0].0 < w[1].0), "time order kept");
    }

    #[test]
    fn short_series_is_drawn_as_is_and_clipped_to_the_window_by_interpolation() {
        let t = [0.0, 1.0, 2.0, 3.0, 4.0];
        let y = [0.0, 10.0, 20.0, 30.0, 40.0];
        assert_eq!(
            envelope(&t, &y, (0.5, 3.25), 100),
            Trace::Line(vec![
                (0.5, 5.0),
                (1.0, 10.0),
                (2.0, 20.0),
                (3.0, 30.0),
                (3.25, 32.5)
            ])
        );
    }

    #[test]
    fn non_finite_samples_are_skipped() {
        let t = [0.0, 1.0, 2.0];
        let y = [1.0, f64::NAN, 3.0];
        assert_eq!(
            envelope(&t, &y, (0.0, 2.0), 10),
            Trace::Line(vec![(0.0, 1.0), (2.0, 3.0)])
        );
    }

    #[test]
    fn staircase_holds_each_value_until_the_next_sample() {
        let points = vec![(0.0, 0.0), (1.0, 0.0), (2.0, 1.0), (3.0, 1.0), (4.0, 0.0)];
        assert_eq!(
            Trace::Line(points).staircase(),
            Trace::Line(vec![
                (0.0, 0.0),
                (1.0, 0.0),
                (2.0, 0.0),
                (2.0, 1.0),
                (3.0, 1.0),
                (4.0, 1.0),
                (4.0, 0.0)
            ])
        );
    }
}
