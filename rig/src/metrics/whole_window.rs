//! Accumulators of whole-window scalars: the highest vacuum, time above a threshold, means and
//! integrals, release after a stop, and the supervisor's fault latency.
//!
//! Each tick counts for the time `[t, t + tick)` it starts (the runner's state at `t` is held
//! over the tick), so integrals over adjacent windows add up exactly.

/// Highest value and the time it was first reached.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MaxTracker {
    pub max: f64,
    pub at_ns: u64,
}

impl Default for MaxTracker {
    fn default() -> Self {
        Self {
            max: f64::NEG_INFINITY,
            at_ns: 0,
        }
    }
}

impl MaxTracker {
    #[inline]
    pub fn push(&mut self, x: f64, t_ns: u64) {
        if x > self.max {
            self.max = x;
            self.at_ns = t_ns;
        }
    }

    pub fn get(&self) -> Option<(f64, u64)> {
        self.max.is_finite().then_some((self.max, self.at_ns))
    }
}

/// Sum and count of per-tick values: a mean, or an integral given the tick length.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct SumTracker {
    pub sum: f64,
    pub ticks: u64,
}

impl SumTracker {
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.sum += x;
        self.ticks += 1;
    }

    pub fn mean(&self) -> Option<f64> {
        (self.ticks > 0)
            .then(|| self.sum / self.ticks as f64)
            .filter(|m| m.is_finite())
    }

    /// Integral over the ticks seen, `sum x * tick` (W -> J with a tick in seconds).
    pub fn integral(&self, tick_s: f64) -> Option<f64> {
        (self.ticks > 0)
            .then_some(self.sum * tick_s)
            .filter(|m| m.is_finite())
    }
}

/// Time the vacuum is above a threshold, counted in ticks.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TimeAbove {
    pub threshold_mmhg: f64,
    pub ticks_above: u64,
    pub ticks: u64,
}

impl TimeAbove {
    pub fn new(threshold_mmhg: f64) -> Self {
        Self {
            threshold_mmhg,
            ticks_above: 0,
            ticks: 0,
        }
    }

    #[inline]
    pub fn push(&mut self, vacuum_mmhg: f64) {
        self.ticks += 1;
        self.ticks_above += u64::from(vacuum_mmhg > self.threshold_mmhg);
    }
}

/// What a release or latency tracker found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Episodes {
    /// No start event in the window.
    None,
    /// Every episode completed; the worst took `worst_ns`, starting at `start_ns`.
    Worst {
        worst_ns: u64,
        start_ns: u64,
        count: u64,
    },
    /// The episode started at `start_ns` did not complete: the run ended first, or the pump
    /// was started again at `restarted_ns` first.
    Unfinished {
        start_ns: u64,
        count: u64,
        restarted_ns: Option<u64>,
    },
}

/// The worst (longest) of completed episodes: (duration ns, start ns).
fn fold_worst(worst: &mut Option<(u64, u64)>, took_ns: u64, start_ns: u64) {
    if worst.is_none_or(|(w, _)| took_ns > w) {
        *worst = Some((took_ns, start_ns));
    }
}

/// From a start event to the first tick a condition holds, worst over the episodes whose
/// start lies in the window. A start while an episode is pending does not restart the clock.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct EpisodeTracker {
    pending_ns: Option<u64>,
    worst: Option<(u64, u64)>,
    count: u64,
}

impl EpisodeTracker {
    /// `start`: an episode may start now (and the tick is in the window); `done`: the
    /// condition that ends it holds now (checked on the start tick too: 0 ns).
    #[inline]
    pub fn push(&mut self, t_ns: u64, start: bool, done: bool) {
        if start && self.pending_ns.is_none() {
            self.pending_ns = Some(t_ns);
            self.count += 1;
        }
        if let Some(s) = self.pending_ns.filter(|_| done) {
            fold_worst(&mut self.worst, t_ns - s, s);
            self.pending_ns = None;
        }
    }

    pub fn result(&self) -> Episodes {
        match (self.pending_ns, self.worst) {
            (Some(start_ns), _) => Episodes::Unfinished {
                start_ns,
                count: self.count,
                restarted_ns: None,
            },
            (None, Some((worst_ns, start_ns))) => Episodes::Worst {
                worst_ns,
                start_ns,
                count: self.count,
            },
            (None, None) => Episodes::None,
        }
    }
}

/// Release after a stop: starts on a commanded stop or when the controller's fault latches;
/// ends on the first tick the vacuum is below the threshold, provided it then stays below
/// until the pump is started again (telemetry `running` rising) or the run ends.
///
/// The proviso keeps a stop that lands in a cycle's trough (already below the threshold) from
/// passing as "released in 0 ms" when the pump keeps pumping afterwards: the vacuum rising
/// above the threshold again without a restart reopens the release.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ReleaseTracker {
    pub threshold_mmhg: f64,
    was_faulted: bool,
    was_running: bool,
    pending_ns: Option<u64>,
    /// Pending: the first tick of the current run of ticks below the threshold.
    below_since_ns: Option<u64>,
    worst: Option<(u64, u64)>,
    count: u64,
    /// The first episode that failed by a restart before release: (start, restart).
    restarted: Option<(u64, u64)>,
    /// Last vacuum seen while a release was pending, mmHg, for "not released" messages.
    pub last_vacuum_mmhg: f64,
}

impl ReleaseTracker {
    pub fn new(threshold_mmhg: f64) -> Self {
        Self {
            threshold_mmhg,
            was_faulted: false,
            was_running: false,
            pending_ns: None,
            below_since_ns: None,
            worst: None,
            count: 0,
            restarted: None,
            last_vacuum_mmhg: f64::NAN,
        }
    }

    /// One tick: `stop_commanded` and `faulted` (a rising edge) start a release if `in_window`;
    /// `running` rising closes a pending one.
    #[inline]
    pub fn push(
        &mut self,
        t_ns: u64,
        vacuum_mmhg: f64,
        stop_commanded: bool,
        faulted: bool,
        running: bool,
        in_window: bool,
    ) {
        let trip = faulted && !self.was_faulted;
        let restart = running && !self.was_running;
        self.was_faulted = faulted;
        self.was_running = running;
        let starts = in_window && (stop_commanded || trip);
        if self.pending_ns.is_none() && !starts {
            // Nothing pending and nothing starting: a restart has nothing to close and the
            // vacuum is only remembered for a pending release. The common tick.
            return;
        }
        self.last_vacuum_mmhg = vacuum_mmhg;
        if restart {
            if let Some(s) = self.pending_ns.take() {
                match self.below_since_ns.take() {
                    Some(b) => fold_worst(&mut self.worst, b - s, s),
                    None => {
                        self.restarted.get_or_insert((s, t_ns));
                    }
                }
            }
        }
        if starts && self.pending_ns.is_none() {
            self.pending_ns = Some(t_ns);
            self.below_since_ns = None;
            self.count += 1;
        }
        if self.pending_ns.is_some() {
            if vacuum_mmhg < self.threshold_mmhg {
                self.below_since_ns.get_or_insert(t_ns);
            } else {
                self.below_since_ns = None;
            }
        }
    }

    /// No release pending: then a tick without a stop, with the same fault and running flags
    /// as the tick before, leaves the tracker as it is.
    #[inline]
    pub fn is_idle(&self) -> bool {
        self.pending_ns.is_none()
    }

    /// The episodes, the one still pending at the end of the run included.
    pub fn result(&self) -> Episodes {
        let count = self.count;
        if let Some((start_ns, r)) = self.restarted {
            return Episodes::Unfinished {
                start_ns,
                count,
                restarted_ns: Some(r),
            };
        }
        let mut worst = self.worst;
        if let Some(s) = self.pending_ns {
            match self.below_since_ns {
                Some(b) => fold_worst(&mut worst, b - s, s),
                None => {
                    return Episodes::Unfinished {
                        start_ns: s,
                        count,
                        restarted_ns: None,
                    };
                }
            }
        }
        match worst {
            Some((worst_ns, start_ns)) => Episodes::Worst {
                worst_ns,
                start_ns,
                count,
            },
            None => Episodes::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn episodes_take_the_worst_and_flag_the_unfinished() {
        let mut e = EpisodeTracker::default();
        assert_eq!(e.result(), Episodes::None);
        e.push(10, true, false);
        e.push(15, true, false); // pending: does not restart
        e.push(30, false, true);
        e.push(40, true, true); // done on the start tick: 0
        assert_eq!(
            e.result(),
            Episodes::Worst {
                worst_ns: 20,
                start_ns: 10,
                count: 2
            }
        );
        e.push(50, true, false);
        assert_eq!(
            e.result(),
            Episodes::Unfinished {
                start_ns: 50,
                count: 3,
                restarted_ns: None
            }
        );
    }

    #[test]
    fn a_latched_fault_counts_as_a_stop_once() {
        let mut r = ReleaseTracker::new(10.0);
        r.push(0, 100.0, false, true, false, true);
        r.push(1, 100.0, false, true, false, true);
        r.push(2, 5.0, false, true, false, true);
        assert_eq!(
            r.result(),
            Episodes::Worst {
                worst_ns: 2,
                start_ns: 0,
                count: 1
            }
        );
    }

    #[test]
    fn a_release_that_does_not_last_is_not_a_release() {
        // Stop in a trough (already below), but the pump keeps running and the vacuum rises.
        let mut r = ReleaseTracker::new(10.0);
        r.push(0, 5.0, false, false, true, true);
        r.push(1, 5.0, true, false, true, true);
        r.push(2, 50.0, false, false, true, true);
        r.push(3, 150.0, false, false, true, true);
        assert_eq!(
            r.result(),
            Episodes::Unfinished {
                start_ns: 1,
                count: 1,
                restarted_ns: None
            }
        );
        // It vents at last, and stays vented to the end: released at 4.
        r.push(4, 5.0, false, false, false, true);
        r.push(5, 4.0, false, false, false, true);
        assert_eq!(
            r.result(),
            Episodes::Worst {
                worst_ns: 3,
                start_ns: 1,
                count: 1
            }
        );
        // A restart after the release closes it; the new rise does not reopen it.
        r.push(6, 50.0, false, false, true, true);
        assert_eq!(
            r.result(),
            Episodes::Worst {
                worst_ns: 3,
                start_ns: 1,
                count: 1
            }
        );
    }

    #[test]
    fn a_restart_before_the_release_fails_it() {
        let mut r = ReleaseTracker::new(10.0);
        r.push(0, 150.0, true, false, true, true);
        r.push(1, 150.0, false, false, false, true);
        r.push(2, 150.0, false, false, true, true);
        r.push(3, 5.0, false, false, false, true);
        assert_eq!(
            r.result(),
            Episodes::Unfinished {
                start_ns: 0,
                count: 1,
                restarted_ns: Some(2)
            }
        );
    }
}
