//! Suction-cycle detection from the physical vacuum at one location, streaming.
//!
//! The rule:
//! - A cycle starts at a trough: the lowest vacuum since the previous peak was confirmed (or
//!   since the run began). The trough is fixed once the vacuum has risen more than
//!   [`ARM_RISE_MMHG`] above it and above [`PEAK_FLOOR_MMHG`].
//! - Its peak is the highest vacuum after that trough. The peak is confirmed when the vacuum
//!   falls below `max(10 mmHg, 0.3 x peak)`.
//! - The cycle ends at the next trough (trough to trough), so it is reported when the next cycle
//!   starts, or at the end of the run.
//!
//! The rise of 10 mmHg above the trough before a new cycle starts is hysteresis: without it a
//! ripple on the falling edge just below `0.3 x peak` would start a spurious cycle.
//!
//! Per cycle: the peak and its time; the interval from the previous peak (cycle rate); the rise
//! time from 10 % to 90 % of the peak above the preceding trough, with the crossing times
//! interpolated linearly between ticks; the largest set-point seen from trough to trough.
//!
//! Memory: the rise time needs the rising edge, kept as the ticks where the vacuum reached a
//! new maximum since the trough (each with the tick before it, to interpolate the crossing
//! between adjacent samples), in a buffer allocated once. A rising edge longer than the buffer
//! (seconds of slow climb) is thinned by half and from then on only every other new maximum
//! is kept, so memory stays bounded; the crossings are then found to within that spacing.

/// The vacuum must exceed this, mmHg, to count as a peak; and falling below it confirms one.
pub const PEAK_FLOOR_MMHG: f64 = 10.0;
/// A peak is confirmed when the vacuum falls below this fraction of it (or the floor).
pub const PEAK_FALL_FRACTION: f64 = 0.3;
/// Rise above the trough, mmHg, that fixes the trough and starts a new cycle.
pub const ARM_RISE_MMHG: f64 = 10.0;
/// Points of the rising edge kept for the rise time before it is thinned.
const RISE_EDGE_CAPACITY: usize = 1 << 12;

/// One detected cycle, from trough to trough.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Cycle {
    pub peak_mmhg: f64,
    pub peak_ns: u64,
    /// The trough the cycle rose from, mmHg.
    pub trough_mmhg: f64,
    /// 10 % to 90 % rise time, ms.
    pub rise_time_ms: f64,
    /// 60 / (this peak - previous peak), cycles/min; `None` for the first cycle.
    pub rate_cpm: Option<f64>,
    /// Largest controller set-point from trough to trough, mmHg.
    pub max_target_mmhg: f64,
}

impl Cycle {
    /// Peak minus the largest set-point seen during the cycle, mmHg.
    pub fn overshoot_mmhg(&self) -> f64 {
        self.peak_mmhg - self.max_target_mmhg
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Phase {
    /// Looking for the trough (after a confirmed peak, or at the start).
    Falling,
    /// The trough is fixed; tracking the peak until it is confirmed.
    Rising,
}

/// Streaming cycle detector for one location.
#[derive(Debug)]
pub(crate) struct CycleDetector {
    phase: Phase,
    trough_mmhg: f64,
    /// Running maximum since the trough (the peak candidate) and its time.
    peak_mmhg: f64,
    peak_ns: u64,
    /// `max(PEAK_FLOOR_MMHG, PEAK_FALL_FRACTION * peak_mmhg)`: a vacuum below it confirms the
    /// peak. Set when the rise is armed and kept with the peak while rising, so it is computed
    /// when the peak moves, not every tick.
    confirm_below_mmhg: f64,
    /// The rising edge: each new maximum since the trough, the trough first.
    edge: Vec<EdgePoint>,
    /// The previous sample (time, vacuum).
    prev: (u64, f64),
    /// Keep every `edge_stride`-th new maximum (1 until the edge has been thinned).
    edge_stride: u32,
    /// New maxima skipped since the last kept one.
    edge_skipped: u32,
    /// Largest set-point of the cycle being built (Rising), from its trough.
    target_cycle: f64,
    /// Falling: largest set-point since the current trough candidate (belongs to the next cycle).
    target_since_trough: f64,
    /// Confirmed cycle waiting for its end trough (Falling phase).
    confirmed: Option<Cycle>,
    last_peak_ns: Option<u64>,
}

impl CycleDetector {
    pub fn new() -> Self {
        Self {
            phase: Phase::Falling,
            trough_mmhg: f64::INFINITY,
            peak_mmhg: f64::NEG_INFINITY,
            peak_ns: 0,
            confirm_below_mmhg: confirm_below(f64::NEG_INFINITY),
            edge: Vec::with_capacity(RISE_EDGE_CAPACITY),
            target_cycle: f64::NEG_INFINITY,
            target_since_trough: f64::NEG_INFINITY,
            confirmed: None,
            last_peak_ns: None,
            prev: (0, f64::NAN),
            edge_stride: 1,
            edge_skipped: 0,
        }
    }

    /// Folds one tick in; returns a cycle when one ends (its end trough was just fixed).
    /// Non-finite samples are ignored.
    #[inline(always)]
    pub fn observe(&mut self, t_ns: u64, vacuum_mmhg: f64, target_mmhg: f64) -> Option<Cycle> {
        let v = vacuum_mmhg;
        if !v.is_finite() {
            return None;
        }
        let (prev_t_ns, prev_mmhg) = self.prev;
        self.prev = (t_ns, v);
        // The tick as a point of the rising edge, built only on the ticks that keep it.
        let here = EdgePoint {
            t_ns,
            mmhg: v,
            prev_t_ns,
            prev_mmhg,
        };
        match self.phase {
            Phase::Falling => {
                // This tick's set-point counts for the cycle being confirmed, and for the next
                // one when the tick is a new trough candidate.
                self.target_since_trough = self.target_since_trough.max(target_mmhg);
                if v < self.trough_mmhg {
                    // New trough candidate: what came before it belongs to the confirmed cycle.
                    // (The set-point maxima only feed `peak - max_target`, with a peak above
                    // 10 mmHg: the grouping of the maxima cannot change it.)
                    if let Some(c) = &mut self.confirmed {
                        c.max_target_mmhg = c.max_target_mmhg.max(self.target_since_trough);
                    }
                    self.target_since_trough = target_mmhg;
                    self.restart_at_trough(here);
                    return None;
                }
                self.track_peak::<false>(here);
                if v > PEAK_FLOOR_MMHG && v - self.trough_mmhg > ARM_RISE_MMHG {
                    self.phase = Phase::Rising;
                    self.confirm_below_mmhg = confirm_below(self.peak_mmhg);
                    self.target_cycle = self.target_since_trough;
                    return self.confirmed.take();
                }
                None
            }
            Phase::Rising => {
                self.target_cycle = self.target_cycle.max(target_mmhg);
                self.track_peak::<true>(here);
                if v < self.confirm_below_mmhg {
                    self.confirm(here, target_mmhg);
                }
                None
            }
        }
    }

    /// The last cycle, if its peak was confirmed (its end trough is the lowest vacuum since).
    pub fn finish(self) -> Option<Cycle> {
        self.confirmed
    }

    /// Makes `p` the trough candidate: the rising edge and the peak candidate start there.
    fn restart_at_trough(&mut self, p: EdgePoint) {
        self.trough_mmhg = p.mmhg;
        self.peak_mmhg = p.mmhg;
        self.peak_ns = p.t_ns;
        self.edge.clear();
        self.edge.push(EdgePoint {
            prev_t_ns: p.t_ns,
            prev_mmhg: p.mmhg,
            ..p
        });
        self.edge_stride = 1;
        self.edge_skipped = 0;
    }

    /// A new maximum since the trough: the peak candidate, and a point of the rising edge.
    /// `RISING`: the phase that confirms peaks, which keeps the confirm level with the peak.
    #[inline(always)]
    fn track_peak<const RISING: bool>(&mut self, p: EdgePoint) {
        if p.mmhg > self.peak_mmhg {
            self.peak_mmhg = p.mmhg;
            if RISING {
                self.confirm_below_mmhg = confirm_below(p.mmhg);
            }
            self.peak_ns = p.t_ns;
            self.edge_skipped += 1;
            if self.edge_skipped < self.edge_stride {
                return;
            }
            self.edge_skipped = 0;
            if self.edge.len() == self.edge.capacity() {
                thin(&mut self.edge);
                self.edge_stride = self.edge_stride.saturating_mul(2);
            }
            self.edge.push(p);
        }
    }

    /// Once a cycle: kept out of the per-tick path.
    #[inline(never)]
    fn confirm(&mut self, here: EdgePoint, target_mmhg: f64) {
        let rate_cpm = self
            .last_peak_ns
            .filter(|&prev| self.peak_ns > prev)
            .map(|prev| 60e9 / (self.peak_ns - prev) as f64);
        self.last_peak_ns = Some(self.peak_ns);
        let span = self.peak_mmhg - self.trough_mmhg;
        let t10 = crossing_ns(&self.edge, self.trough_mmhg + 0.1 * span);
        let t90 = crossing_ns(&self.edge, self.trough_mmhg + 0.9 * span);
        self.confirmed = Some(Cycle {
            peak_mmhg: self.peak_mmhg,
            peak_ns: self.peak_ns,
            trough_mmhg: self.trough_mmhg,
            rise_time_ms: ((t90 - t10) * 1e-6).max(0.0),
            rate_cpm,
            max_target_mmhg: self.target_cycle,
        });
        // Look for the end trough from here.
        self.phase = Phase::Falling;
        self.target_since_trough = target_mmhg;
        self.restart_at_trough(here);
    }
}

/// The vacuum below which a peak of `peak_mmhg` is confirmed.
#[inline]
fn confirm_below(peak_mmhg: f64) -> f64 {
    PEAK_FLOOR_MMHG.max(PEAK_FALL_FRACTION * peak_mmhg)
}

/// A new maximum on the rising edge, with the sample just before it.
#[derive(Clone, Copy, Debug, PartialEq)]
struct EdgePoint {
    t_ns: u64,
    mmhg: f64,
    prev_t_ns: u64,
    prev_mmhg: f64,
}

/// Halves a full rising edge, keeping the first and last points (the caller then keeps only
/// every other new maximum, so the spacing stays even).
#[cold]
fn thin(edge: &mut Vec<EdgePoint>) {
    let last = edge.len() - 1;
    let mut i = 0usize;
    edge.retain(|_| {
        let keep = i % 2 == 0 || i == last;
        i += 1;
        keep
    });
}

/// Time, ns (fractional), at which the rising edge first reaches `level`: between the first
/// kept point at or above it and the sample just before that point, interpolated linearly.
/// The edge's values increase strictly, so a binary search finds the point.
fn crossing_ns(edge: &[EdgePoint], level: f64) -> f64 {
    let i = edge.partition_point(|p| p.mmhg < level);
    let Some(p) = edge.get(i).or(edge.last()) else {
        return 0.0;
    };
    if p.prev_mmhg < level && level <= p.mmhg && p.mmhg > p.prev_mmhg {
        p.prev_t_ns as f64
            + (level - p.prev_mmhg) / (p.mmhg - p.prev_mmhg) * (p.t_ns - p.prev_t_ns) as f64
    } else {
        p.t_ns as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    fn run(samples: impl IntoIterator<Item = f64>, target: f64) -> Vec<Cycle> {
        let mut d = CycleDetector::new();
        let mut out = Vec::new();
        for (k, v) in samples.into_iter().enumerate() {
            out.extend(d.observe(k as u64 * MS, v, target));
        }
        out.extend(d.finish());
        out
    }

    #[test]
    fn ripple_on_the_falling_edge_does_not_start_a_cycle() {
        // Rise to 190, fall to 56.9 (just below 0.3 x 190 = 57), ripple up to 58, then release.
        let mut s: Vec<f64> = (0..=190).map(f64::from).collect();
        s.extend((57..190).rev().map(f64::from));
        s.extend([56.9, 58.0, 56.5, 57.5, 50.0, 30.0, 5.0, 2.0, 2.0]);
        let cycles = run(s, 190.0);
        assert_eq!(cycles.len(), 1, "{cycles:?}");
        assert_eq!(cycles[0].peak_mmhg, 190.0);
    }

    #[test]
    fn a_vacuum_that_never_falls_is_not_a_cycle() {
        let cycles = run((0..1000).map(|k| f64::from(k.min(200))), 200.0);
        assert!(cycles.is_empty());
    }

    #[test]
    fn small_wiggles_below_the_floor_are_not_cycles() {
        let cycles = run(
            (0..1000).map(|k| 5.0 + 4.0 * (f64::from(k) * 0.05).sin()),
            0.0,
        );
        assert!(cycles.is_empty());
    }

    #[test]
    fn a_lower_program_after_a_higher_one_is_still_detected() {
        // Two cycles peaking at 250 with full release, then cycles peaking at 40 (below 0.3 x 250).
        let tri = |peak: u32| {
            (0..=peak)
                .chain((0..peak).rev())
                .map(f64::from)
                .collect::<Vec<_>>()
        };
        let mut s = Vec::new();
        for _ in 0..2 {
            s.extend(tri(250));
        }
        for _ in 0..3 {
            s.extend(tri(40));
        }
        s.push(0.0);
        let peaks: Vec<f64> = run(s, 0.0).iter().map(|c| c.peak_mmhg).collect();
        assert_eq!(peaks, vec![250.0, 250.0, 40.0, 40.0, 40.0]);
    }

    #[test]
    fn thinning_keeps_the_ends() {
        let pt = |k: u64| EdgePoint {
            t_ns: k,
            mmhg: k as f64,
            prev_t_ns: k,
            prev_mmhg: k as f64,
        };
        let mut e: Vec<EdgePoint> = (0..9).map(pt).collect();
        thin(&mut e);
        assert_eq!(
            e.iter().map(|p| p.t_ns).collect::<Vec<_>>(),
            vec![0, 2, 4, 6, 8]
        );
        let mut e: Vec<EdgePoint> = (0..8).map(pt).collect();
        thin(&mut e);
        assert_eq!(
            e.iter().map(|p| p.t_ns).collect::<Vec<_>>(),
            vec![0, 2, 4, 6, 7]
        );
    }

    #[test]
    fn a_long_slow_rise_stays_within_the_buffer() {
        // 100 s of slow climb at 1 kHz, then release: the edge is thinned, not grown.
        let n = 100_000;
        let mut s: Vec<f64> = (0..n).map(|k| 200.0 * k as f64 / n as f64).collect();
        s.extend([0.0, 0.0]);
        let mut d = CycleDetector::new();
        let cap = d.edge.capacity();
        let mut cycles = Vec::new();
        for (k, v) in s.into_iter().enumerate() {
            cycles.extend(d.observe(k as u64 * MS, v, 0.0));
            assert!(d.edge.capacity() == cap);
        }
        cycles.extend(d.finish());
        assert_eq!(cycles.len(), 1);
        // 10 %..90 % of a linear ramp over 100 s: 80 s, to within the thinned spacing.
        assert!(
            (cycles[0].rise_time_ms - 80_000.0).abs() < 100.0,
            "{}",
            cycles[0].rise_time_ms
        );
    }
}
