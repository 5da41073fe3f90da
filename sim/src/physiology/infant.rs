//! An infant at the breast as a source of suction and touch (docs/model.md §13.3).
//!
//! Intra-oral vacuum at the breast: a baseline of about 30–60 mmHg held between sucks and peaks of
//! about 120–165 mmHg (Geddes 2008, 2012; McClellan 2008; CALIBRATION S1), at about one suck per
//! second while feeding and about two per second, lighter, in comfort (non-nutritive) sucking. The
//! mouth also touches and warms the areola: a tactile stimulus the pump lacks (choice, §18).

/// How the infant sucks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "snake_case")
)]
pub enum SuckingMode {
    /// A feed: nutritive sucking.
    #[default]
    Feed,
    /// Comfort nursing: non-nutritive sucking.
    Comfort,
}

/// Tactile stimulus of the infant's mouth, stretch units per s (choice, §18).
pub const TACTILE_STRETCH_PER_S: f64 = 2.0;

/// The sucking pattern's shape.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SuckingPattern {
    pub baseline_mmhg: f64,
    pub peak_mmhg: f64,
    pub sucks_per_min: f64,
}

impl SuckingPattern {
    /// Mid-range of the published envelope (S1): baseline 45, peak 145 mmHg, 60 sucks/min; comfort
    /// sucking 30/90 mmHg at 120/min.
    pub fn of(mode: SuckingMode) -> Self {
        match mode {
            SuckingMode::Feed => Self {
                baseline_mmhg: 45.0,
                peak_mmhg: 145.0,
                sucks_per_min: 60.0,
            },
            SuckingMode::Comfort => Self {
                baseline_mmhg: 30.0,
                peak_mmhg: 90.0,
                sucks_per_min: 120.0,
            },
        }
    }

    /// Intra-oral vacuum `t_s` into the feed, mmHg (13.3): the baseline plus a raised-sine suck.
    #[inline]
    pub fn vacuum_mmhg(&self, t_s: f64) -> f64 {
        let phase = (t_s * self.sucks_per_min / 60.0).fract();
        let s = (phase * core::f64::consts::PI).sin();
        self.baseline_mmhg + (self.peak_mmhg - self.baseline_mmhg) * s * s
    }

    /// Mean intra-oral vacuum from `t0_s` to `t1_s` into the feed, mmHg: (13.3) integrated
    /// exactly, `∫ sin²(π·f·t) dt = t/2 − sin(2π·f·t)/(4π·f)`, for a mother stepped over the
    /// interval (§7.7).
    pub fn mean_vacuum_mmhg(&self, t0_s: f64, t1_s: f64) -> f64 {
        let span_s = t1_s - t0_s;
        if span_s <= 0.0 {
            return self.vacuum_mmhg(t0_s);
        }
        let f_hz = self.sucks_per_min / 60.0;
        // Phases within a cycle keep the sines accurate however long the feed.
        let sin2 = |t: f64| ((t * f_hz).fract() * core::f64::consts::TAU).sin();
        let mean_sin_sq =
            0.5 - (sin2(t1_s) - sin2(t0_s)) / (2.0 * core::f64::consts::TAU * f_hz * span_s);
        self.baseline_mmhg + (self.peak_mmhg - self.baseline_mmhg) * mean_sin_sq
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The closed-form mean equals the midpoint rule on a fine grid, over whole and partial
    /// sucks, late in a feed as early.
    #[test]
    fn mean_vacuum_is_the_integral_of_the_pattern() {
        for mode in [SuckingMode::Feed, SuckingMode::Comfort] {
            let p = SuckingPattern::of(mode);
            for (t0, t1) in [
                (0.0, 0.01),
                (0.123, 0.133),
                (0.0, 1.0),
                (599.995, 600.005),
                (3.0, 3.7),
            ] {
                let n = 100_000;
                let h = (t1 - t0) / f64::from(n);
                let numeric = (0..n)
                    .map(|k| p.vacuum_mmhg(t0 + (f64::from(k) + 0.5) * h))
                    .sum::<f64>()
                    / f64::from(n);
                let exact = p.mean_vacuum_mmhg(t0, t1);
                assert!(
                    (exact - numeric).abs() < 1e-6,
                    "{mode:?} {t0}..{t1}: {exact} vs {numeric}"
                );
            }
            // A whole number of sucks averages to the midpoint of baseline and peak.
            let whole = 60.0 / p.sucks_per_min * 3.0;
            let mid = 0.5 * (p.baseline_mmhg + p.peak_mmhg);
            assert!((p.mean_vacuum_mmhg(10.0, 10.0 + whole) - mid).abs() < 1e-9);
        }
    }

    #[test]
    fn feed_stays_in_the_published_envelope() {
        let p = SuckingPattern::of(SuckingMode::Feed);
        let (mut lo, mut hi) = (f64::MAX, f64::MIN);
        for k in 0..10_000 {
            let v = p.vacuum_mmhg(k as f64 * 1e-3);
            lo = lo.min(v);
            hi = hi.max(v);
        }
        assert!(
            (30.0..=60.0).contains(&lo) && (120.0..=165.0).contains(&hi),
            "{lo} {hi}"
        );
    }
}
