//! The tolerance band around a baseline signal and the comparison of a run's signal with it, as
//! Simulink's Simulation Data Inspector defines them (MathWorks, "How the Simulation Data
//! Inspector Compares Data"):
//!
//! 1. The baseline is interpolated onto the run's time stamps: linearly, or by zero-order hold
//!    for a discrete signal (valve state, firmware phase), which keeps each value until the next
//!    sample.
//! 2. The tolerance at a time is `max(abs, rel × |baseline|)`, in the signal's unit.
//! 3. A lead/lag tolerance `lag` widens the band in time: at time `t` the band reaches from the
//!    lowest `baseline − tolerance` to the highest `baseline + tolerance` over
//!    `[t − lag, t + lag]`, so a curve shifted by up to `lag` stays inside it.
//! 4. The run passes where `lower ≤ run ≤ upper`; the excess at a time is how far the run lies
//!    outside the band (negative inside: the margin left).
//!
//! Only times both signals cover are compared; [`compare`] says which span that was. Times are
//! matched to within half a nanosecond (the rig's clock is integer nanoseconds), so a run
//! compared with its own baseline matches sample for sample and passes with zero tolerance.

/// Two times closer than this are the same instant, s (half the rig's 1 ns clock step).
pub const TIME_EPS_S: f64 = 0.5e-9;

/// How one signal may differ from its baseline.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tolerance {
    /// Absolute tolerance, in the signal's unit; ≥ 0.
    pub abs: f64,
    /// Relative tolerance, a fraction of `|baseline|`; ≥ 0.
    pub rel: f64,
    /// Lead/lag allowed in time, s; ≥ 0.
    pub lag_s: f64,
    /// Zero-order hold (a discrete signal) instead of linear interpolation.
    pub hold: bool,
}

impl Tolerance {
    /// No difference allowed at all.
    pub const EXACT: Tolerance = Tolerance {
        abs: 0.0,
        rel: 0.0,
        lag_s: 0.0,
        hold: false,
    };

    /// `max(abs, rel × |value|)`.
    pub fn at(&self, value: f64) -> f64 {
        self.abs.max(self.rel * value.abs())
    }
}

/// A sampled baseline signal: times non-decreasing, as many values as times, at least one.
#[derive(Clone, Copy, Debug)]
pub struct Signal<'a> {
    pub time_s: &'a [f64],
    pub value: &'a [f64],
}

impl Signal<'_> {
    fn len(&self) -> usize {
        self.time_s.len().min(self.value.len())
    }

    /// First and last time stamp.
    pub fn span(&self) -> Option<(f64, f64)> {
        let n = self.len();
        (n > 0).then(|| (self.time_s[0], self.time_s[n - 1]))
    }

    /// The value at `t`: linear between samples, or the last sample at or before `t` (`hold`).
    /// Before the first sample the first value, after the last the last.
    pub fn value_at(&self, t: f64, hold: bool) -> f64 {
        let n = self.len();
        let (ts, ys) = (&self.time_s[..n], &self.value[..n]);
        // Samples at or before t.
        let at_or_before = ts.partition_point(|&s| s <= t + TIME_EPS_S);
        if at_or_before == 0 {
            return ys[0];
        }
        let i = at_or_before - 1;
        if hold || i + 1 == n || (t - ts[i]).abs() <= TIME_EPS_S {
            return ys[i];
        }
        let (t0, t1, y0, y1) = (ts[i], ts[i + 1], ys[i], ys[i + 1]);
        if t1 > t0 {
            y0 + (y1 - y0) * (t - t0) / (t1 - t0)
        } else {
            y1
        }
    }

    /// Lowest and highest value over `[a, b]` (clipped to the signal's span): the values at both
    /// ends and every sample between. Between samples a linear signal is a straight line and a
    /// held one constant, so nothing between them can be lower or higher.
    pub fn range_over(&self, a: f64, b: f64, hold: bool) -> (f64, f64) {
        let n = self.len();
        let (first, last) = (self.time_s[0], self.time_s[n - 1]);
        let (a, b) = (a.clamp(first, last), b.clamp(first, last));
        let (va, vb) = (self.value_at(a, hold), self.value_at(b, hold));
        let (mut lo, mut hi) = (va.min(vb), va.max(vb));
        let start = self.time_s[..n].partition_point(|&s| s < a - TIME_EPS_S);
        let end = self.time_s[..n].partition_point(|&s| s <= b + TIME_EPS_S);
        for &v in &self.value[start..end] {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        (lo, hi)
    }
}

/// The band at one time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BandPoint {
    /// The baseline interpolated at this time.
    pub baseline: f64,
    /// `max(abs, rel × |baseline|)` at this time.
    pub tolerance: f64,
    /// Lowest value allowed (with lag: over the lag window).
    pub lower: f64,
    /// Highest value allowed.
    pub upper: f64,
}

/// The band at time `t`.
pub fn band_at(base: &Signal, tol: &Tolerance, t: f64) -> BandPoint {
    let baseline = base.value_at(t, tol.hold);
    let tolerance = tol.at(baseline);
    if tol.lag_s <= 0.0 {
        return BandPoint {
            baseline,
            tolerance,
            lower: baseline - tolerance,
            upper: baseline + tolerance,
        };
    }
    // `b − tol(b)` rises and then (only for rel > 1) falls with b, `b + tol(b)` falls and then
    // rises: over the window's values [lo, hi] of b both extremes are at lo or hi.
    let (lo, hi) = base.range_over(t - tol.lag_s, t + tol.lag_s, tol.hold);
    let down = |b: f64| b - tol.at(b);
    let up = |b: f64| b + tol.at(b);
    BandPoint {
        baseline,
        tolerance,
        lower: down(lo).min(down(hi)),
        upper: up(lo).max(up(hi)),
    }
}

/// How far `value` lies outside the band: positive outside, negative inside (the margin to the
/// nearer edge), infinite for a value or band that is not a number.
pub fn excess(value: f64, band: &BandPoint) -> f64 {
    let e = (value - band.upper).max(band.lower - value);
    if e.is_nan() || !value.is_finite() {
        f64::INFINITY
    } else {
        e
    }
}

/// The point where the run came closest to leaving the band, or left it furthest.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Worst {
    /// Time, s.
    pub at_s: f64,
    /// The run's value there.
    pub run: f64,
    pub band: BandPoint,
    /// See [`excess`]; > 0 means the run left the band.
    pub excess: f64,
}

/// A run's signal against its baseline.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// The run never left the band (and there was something to compare).
    pub pass: bool,
    /// The span compared, s: the times both cover. `None` when they share none.
    pub span_s: Option<(f64, f64)>,
    /// The run's samples compared.
    pub compared: usize,
    /// Of those, outside the band.
    pub outside: usize,
    /// The run's first sample outside the band, s.
    pub first_outside_s: Option<f64>,
    /// Largest excess (first of equal ones).
    pub worst: Option<Worst>,
    /// Run samples (indices into the run's arrays) that were compared, with their band: for
    /// the overlay plot.
    pub first_index: usize,
    pub band: Vec<BandPoint>,
}

/// Compares the run's samples that lie within the baseline's span with the band around the
/// baseline. `run_t` must be non-decreasing.
pub fn compare(run_t: &[f64], run_y: &[f64], base: &Signal, tol: &Tolerance) -> Comparison {
    let n = run_t.len().min(run_y.len());
    let Some((first, last)) = base.span() else {
        return Comparison {
            pass: false,
            span_s: None,
            compared: 0,
            outside: 0,
            first_outside_s: None,
            worst: None,
            first_index: 0,
            band: Vec::new(),
        };
    };
    let lo = run_t[..n].partition_point(|&t| t < first - TIME_EPS_S);
    let hi = run_t[..n].partition_point(|&t| t <= last + TIME_EPS_S);
    let mut band = Vec::with_capacity(hi.saturating_sub(lo));
    let (mut outside, mut first_outside_s, mut worst) = (0, None, None::<Worst>);
    for i in lo..hi {
        let b = band_at(base, tol, run_t[i]);
        let e = excess(run_y[i], &b);
        if e > 0.0 {
            outside += 1;
            first_outside_s.get_or_insert(run_t[i]);
        }
        if worst.is_none_or(|w| e > w.excess) {
            worst = Some(Worst {
                at_s: run_t[i],
                run: run_y[i],
                band: b,
                excess: e,
            });
        }
        band.push(b);
    }
    let compared = hi.saturating_sub(lo);
    Comparison {
        pass: compared > 0 && outside == 0,
        span_s: (compared > 0).then(|| (run_t[lo], run_t[hi - 1])),
        compared,
        outside,
        first_outside_s,
        worst,
        first_index: lo,
        band,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const T: [f64; 4] = [0.0, 1.0, 2.0, 3.0];
    const Y: [f64; 4] = [0.0, 10.0, 10.0, -20.0];

    fn base() -> Signal<'static> {
        Signal {
            time_s: &T,
            value: &Y,
        }
    }

    fn tol(abs: f64, rel: f64, lag_s: f64, hold: bool) -> Tolerance {
        Tolerance {
            abs,
            rel,
            lag_s,
            hold,
        }
    }

    #[test]
    fn linear_and_hold_interpolation_with_edges() {
        let b = base();
        assert_eq!(b.value_at(0.25, false), 2.5);
        assert_eq!(b.value_at(0.25, true), 0.0);
        assert_eq!(b.value_at(2.5, false), -5.0);
        assert_eq!(b.value_at(2.5, true), 10.0);
        // At a sample time both give the sample, even a hair before it (clock rounding).
        assert_eq!(b.value_at(3.0 - 1e-10, false), -20.0);
        assert_eq!(b.value_at(3.0 - 1e-10, true), -20.0);
        assert_eq!(b.value_at(1.0, true), 10.0);
        // Outside the span: the end values.
        assert_eq!(b.value_at(-1.0, false), 0.0);
        assert_eq!(b.value_at(9.0, false), -20.0);
        assert_eq!(b.value_at(9.0, true), -20.0);
    }

    #[test]
    fn tolerance_is_the_larger_of_absolute_and_relative() {
        let t = tol(3.0, 0.05, 0.0, false);
        assert_eq!(t.at(40.0), 3.0, "5 % of 40 is 2: the absolute 3 wins");
        assert_eq!(t.at(-200.0), 10.0, "5 % of |−200| is 10");
        assert_eq!(t.at(60.0), 3.0, "equal at 60");
        let b = band_at(&base(), &tol(1.0, 0.5, 0.0, false), 2.5);
        // baseline −5, tolerance max(1, 2.5) = 2.5.
        assert_eq!(
            b,
            BandPoint {
                baseline: -5.0,
                tolerance: 2.5,
                lower: -7.5,
                upper: -2.5
            }
        );
    }

    #[test]
    fn lag_widens_the_band_to_the_extremes_of_the_window() {
        // t = 0.5, lag 0.75: window [−0.25, 1.25] clipped to [0, 1.25]; linear values 0 … 10
        // (sample at 1) … 10 at 1.25: lo 0, hi 10. abs 1: band [−1, 11].
        let b = band_at(&base(), &tol(1.0, 0.0, 0.75, false), 0.5);
        assert_eq!((b.baseline, b.tolerance), (5.0, 1.0));
        assert_eq!((b.lower, b.upper), (-1.0, 11.0));
        // t = 2.5, lag 0.25: window [2.25, 2.75], linear 10 → −20: 2.5 at 2.25, −12.5 at 2.75.
        let b = band_at(&base(), &tol(0.0, 0.0, 0.25, false), 2.5);
        assert_eq!((b.lower, b.upper), (-12.5, 2.5));
        // Held, the same window sees only 10.
        let b = band_at(&base(), &tol(0.0, 0.0, 0.25, true), 2.5);
        assert_eq!((b.lower, b.upper), (10.0, 10.0));
        // Held, a window reaching the step at 3 sees both values.
        let b = band_at(&base(), &tol(0.0, 0.0, 0.5, true), 2.5);
        assert_eq!((b.lower, b.upper), (-20.0, 10.0));
        // Relative tolerance over the window: lo −20 → −20 − 10 = −30; hi 10 → 10 + 5 = 15.
        let b = band_at(&base(), &tol(0.0, 0.5, 0.5, true), 2.5);
        assert_eq!((b.lower, b.upper), (-30.0, 15.0));
    }

    #[test]
    fn a_relative_tolerance_above_one_still_bounds_by_the_window_ends() {
        // rel 2: b − 2|b| is largest at b = 0; over b ∈ [−20, 10] the lowest lower edge is at
        // b = −20 (−60), the highest upper edge at b = −20 too (+20) vs b = 10 (30).
        let b = band_at(&base(), &tol(0.0, 2.0, 0.5, true), 2.5);
        assert_eq!((b.lower, b.upper), (-60.0, 30.0));
    }

    #[test]
    fn excess_is_distance_outside_and_margin_inside() {
        let b = BandPoint {
            baseline: 144.8,
            tolerance: 3.0,
            lower: 141.8,
            upper: 147.8,
        };
        assert!((excess(152.1, &b) - 4.3).abs() < 1e-9);
        assert!((excess(140.0, &b) - 1.8).abs() < 1e-9);
        assert!((excess(145.8, &b) + 2.0).abs() < 1e-9);
        assert_eq!(excess(f64::NAN, &b), f64::INFINITY);
    }

    #[test]
    fn compares_only_the_common_span_and_finds_the_worst_point() {
        // Baseline 0..3 s; run 0..4 s at 0.5 s with one excursion at 2.5 s.
        let run_t = [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0];
        let run_y = [0.0, 5.0, 10.0, 10.0, 10.0, 1.0, -20.0, 99.0, 99.0];
        let c = compare(&run_t, &run_y, &base(), &tol(2.0, 0.0, 0.0, false));
        assert_eq!(c.span_s, Some((0.0, 3.0)));
        assert_eq!((c.compared, c.outside, c.first_index), (7, 1, 0));
        let w = c.worst.unwrap();
        // At 2.5 the baseline is −5, band [−7, −3]: 1 is 4 above.
        assert_eq!(
            (w.at_s, w.run, w.band.baseline, w.excess),
            (2.5, 1.0, -5.0, 4.0)
        );
        assert!(!c.pass);
        assert_eq!(c.first_outside_s, Some(2.5));
        // With 0.5 s of lag the window around 2.5 reaches 10 at 2.0: inside.
        let c = compare(&run_t, &run_y, &base(), &tol(2.0, 0.0, 0.5, false));
        assert!(c.pass, "{c:?}");
        // No overlap: nothing compared, a failure.
        let c = compare(&[5.0, 6.0], &[0.0, 0.0], &base(), &Tolerance::EXACT);
        assert!(!c.pass && c.span_s.is_none() && c.worst.is_none());
    }

    fn series() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
        (2usize..200).prop_flat_map(|n| {
            (
                prop::collection::vec(-500.0f64..500.0, n),
                prop::collection::vec(0.001f64..0.05, n),
            )
                .prop_map(|(y, dt)| {
                    let mut t = Vec::with_capacity(dt.len());
                    let mut now = 0.0;
                    for d in dt {
                        t.push(now);
                        now += d;
                    }
                    (t, y)
                })
        })
    }

    proptest! {
        #[test]
        fn a_signal_compared_with_itself_passes_with_zero_tolerance(
            (t, y) in series(), hold in any::<bool>()
        ) {
            let base = Signal { time_s: &t, value: &y };
            let c = compare(&t, &y, &base, &Tolerance { hold, ..Tolerance::EXACT });
            prop_assert!(c.pass);
            prop_assert_eq!(c.compared, t.len());
            prop_assert_eq!(c.worst.unwrap().excess, 0.0);
        }

        /// A rising baseline delayed by `k` samples of 10 ms passes iff the lag covers the delay.
        #[test]
        fn a_delayed_signal_passes_iff_the_lag_covers_the_delay(
            steps in prop::collection::vec(0.1f64..10.0, 10..150),
            k in 1usize..8,
            lag_samples in 0usize..12,
            hold in any::<bool>(),
        ) {
            let t: Vec<f64> = (0..steps.len()).map(|i| i as f64 * 0.01).collect();
            let y: Vec<f64> = steps.iter().scan(0.0, |s, d| { *s += d; Some(*s) }).collect();
            let delayed: Vec<f64> = (0..y.len()).map(|i| y[i.saturating_sub(k)]).collect();
            let base = Signal { time_s: &t, value: &y };
            let lag_ms = lag_samples as f64 * 10.0;
            let tol = Tolerance { lag_s: lag_ms / 1000.0, hold, ..Tolerance::EXACT };
            let c = compare(&t, &delayed, &base, &tol);
            prop_assert_eq!(c.pass, lag_samples >= k, "lag {} ms, delay {} samples: {:?}", lag_ms, k, c.worst);
        }

        /// Any run inside `baseline ± abs` passes with `abs`; one that leaves it by more fails.
        #[test]
        fn the_absolute_band_holds_what_it_says(
            (t, y) in series(), abs in 0.1f64..50.0, frac in -0.99f64..0.99, at in any::<prop::sample::Index>()
        ) {
            let base = Signal { time_s: &t, value: &y };
            let tol = Tolerance { abs, ..Tolerance::EXACT };
            let inside: Vec<f64> = y.iter().map(|v| v + frac * abs).collect();
            prop_assert!(compare(&t, &inside, &base, &tol).pass);
            let mut out = y.clone();
            let i = at.index(y.len());
            out[i] += abs * 1.01;
            let c = compare(&t, &out, &base, &tol);
            prop_assert!(!c.pass);
            prop_assert_eq!(c.worst.unwrap().at_s, t[i]);
        }
    }
}
