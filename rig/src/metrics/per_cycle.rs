//! Folding per-cycle values (peak, rate, rise time, overshoot) into running statistics and the
//! worst cycle, without storing the cycles.

/// Count, mean, minimum and maximum of a stream of values.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RunningStats {
    pub count: u64,
    sum: f64,
    pub min: f64,
    pub max: f64,
}

impl Default for RunningStats {
    fn default() -> Self {
        Self {
            count: 0,
            sum: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }
}

impl RunningStats {
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.count += 1;
        self.sum += x;
        self.min = self.min.min(x);
        self.max = self.max.max(x);
    }

    /// Mean, or `None` with no values.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum / self.count as f64)
    }

    /// (mean, min, max), or `None` with no values.
    pub fn summary(&self) -> Option<(f64, f64, f64)> {
        self.mean().map(|m| (m, self.min, self.max))
    }
}

/// A per-cycle check's accumulator: statistics over the cycles, the worst cycle, and how many
/// cycles broke the limits.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PerCycleAcc {
    min: Option<f64>,
    max: Option<f64>,
    pub stats: RunningStats,
    /// The cycle furthest outside the limits, or closest to one if all pass:
    /// (value, peak time ns, excess over the limits).
    pub worst: Option<(f64, u64, f64)>,
    /// Cycles whose value broke a limit.
    pub outside: u64,
}

impl PerCycleAcc {
    pub fn new(min: Option<f64>, max: Option<f64>) -> Self {
        Self {
            min,
            max,
            stats: RunningStats::default(),
            worst: None,
            outside: 0,
        }
    }

    /// How far `x` lies outside the limits (positive) or inside them (negative: minus the
    /// distance to the nearest limit).
    pub fn excess(&self, x: f64) -> f64 {
        let below = self.min.map_or(f64::NEG_INFINITY, |lo| lo - x);
        let above = self.max.map_or(f64::NEG_INFINITY, |hi| x - hi);
        below.max(above)
    }

    /// Folds one cycle's value (peak time `t_ns`) in. Non-finite values are skipped.
    pub fn push(&mut self, x: f64, t_ns: u64) {
        if !x.is_finite() {
            return;
        }
        self.stats.push(x);
        let e = self.excess(x);
        if e > 0.0 {
            self.outside += 1;
        }
        if self.worst.is_none_or(|(_, _, worst)| e > worst) {
            self.worst = Some((x, t_ns, e));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_is_furthest_outside_then_closest_inside() {
        let mut a = PerCycleAcc::new(Some(170.0), Some(210.0));
        for (x, t) in [(190.0, 1), (205.0, 2), (175.0, 3)] {
            a.push(x, t);
        }
        // All pass: 205 is 5 from max, 175 is 5 from min; the first of equals is kept.
        assert_eq!(a.worst.map(|w| (w.0, w.1)), Some((205.0, 2)));
        assert_eq!(a.outside, 0);
        a.push(168.0, 4);
        a.push(213.0, 5);
        assert_eq!(a.worst.map(|w| (w.0, w.1)), Some((213.0, 5)));
        assert_eq!(a.outside, 2);
        assert_eq!(a.stats.count, 5);
        assert_eq!((a.stats.min, a.stats.max), (168.0, 213.0));
    }
}
