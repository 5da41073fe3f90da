//! Cycle generator: splits time into suction cycles of `60 s / cycles_per_min` (in whole ticks,
//! with the remainder spread Bresenham-style so the long-run rate is exact), each a Pull window
//! with a linear target ramp followed by a Release window.

use crate::io::CyclePhase;
use crate::settings::PhaseProfile;

/// One tick of the cycle generator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CycleSample {
    /// Pull or Release.
    pub phase: CyclePhase,
    /// Vacuum set-point for this tick, 0.1 mmHg (0 during Release).
    pub target_dmmhg: u16,
    /// `true` on the first tick of a Pull window (a new cycle).
    pub pull_started: bool,
}

/// Generates the pull/release timing and target ramp of one phase profile.
#[derive(Clone, Debug)]
pub(crate) struct CycleGenerator {
    /// Ticks per minute (60 * tick_hz), ticks.
    ticks_per_min: u32,
    /// Cycle rate, cycles per minute (validated nonzero).
    cycles_per_min: u32,
    /// Pull share of the cycle, percent.
    pull_percent: u32,
    /// Ramp share of the pull window, percent.
    rise_percent: u32,
    /// Length of the current cycle, ticks.
    cycle_ticks: u32,
    /// Length of the current pull window, ticks.
    pull_ticks: u32,
    /// Length of the current target ramp, ticks.
    rise_ticks: u32,
    /// Position in the current cycle, ticks since its first tick.
    tick_in_cycle: u32,
    /// Bresenham accumulator of the per-cycle remainder, in units of 1/cycles_per_min tick.
    remainder: u32,
}

impl CycleGenerator {
    pub(crate) fn new(profile: &PhaseProfile, tick_hz: u16) -> Self {
        let mut generator = CycleGenerator {
            ticks_per_min: u32::from(tick_hz).saturating_mul(60),
            cycles_per_min: u32::from(profile.cycles_per_min).max(1),
            pull_percent: u32::from(profile.pull_percent),
            rise_percent: u32::from(profile.rise_percent),
            cycle_ticks: 0,
            pull_ticks: 0,
            rise_ticks: 0,
            tick_in_cycle: 0,
            remainder: 0,
        };
        generator.restart();
        generator
    }

    /// Starts a fresh cycle at Pull on the next [`CycleGenerator::step`].
    pub(crate) fn restart(&mut self) {
        self.remainder = 0;
        self.begin_cycle();
    }

    fn begin_cycle(&mut self) {
        let base = self
            .ticks_per_min
            .checked_div(self.cycles_per_min)
            .unwrap_or(0);
        let rem = self
            .ticks_per_min
            .checked_rem(self.cycles_per_min)
            .unwrap_or(0);
        self.remainder = self.remainder.saturating_add(rem);
        self.cycle_ticks = if self.remainder >= self.cycles_per_min {
            self.remainder = self.remainder.saturating_sub(self.cycles_per_min);
            base.saturating_add(1)
        } else {
            base
        };
        let pull = self.cycle_ticks.saturating_mul(self.pull_percent) / 100;
        // Both windows get at least one tick.
        self.pull_ticks = pull.clamp(1, self.cycle_ticks.saturating_sub(1).max(1));
        self.rise_ticks = self.pull_ticks.saturating_mul(self.rise_percent.min(100)) / 100;
        self.tick_in_cycle = 0;
    }

    /// Advances one tick with the phase's current level, mmHg.
    pub(crate) fn step(&mut self, level_mmhg: u16) -> CycleSample {
        if self.tick_in_cycle >= self.cycle_ticks {
            self.begin_cycle();
        }
        let t = self.tick_in_cycle;
        self.tick_in_cycle = self.tick_in_cycle.saturating_add(1);
        let level_dmmhg = u32::from(level_mmhg).saturating_mul(10);
        if t < self.pull_ticks {
            let target = if t >= self.rise_ticks {
                level_dmmhg
            } else {
                // t < rise_ticks, so rise_ticks > 0 and the ratio is below 1.
                level_dmmhg
                    .saturating_mul(t)
                    .checked_div(self.rise_ticks)
                    .unwrap_or(level_dmmhg)
            };
            CycleSample {
                phase: CyclePhase::Pull,
                target_dmmhg: u16::try_from(target).unwrap_or(u16::MAX),
                pull_started: t == 0,
            }
        } else {
            CycleSample {
                phase: CyclePhase::Release,
                target_dmmhg: 0,
                pull_started: false,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_and_ramp_follow_the_profile() {
        let profile = PhaseProfile::EXPRESSION_DEFAULT; // 54 cpm: 1111.1 ticks, pull 50 %, rise 50 %
        let mut g = CycleGenerator::new(&profile, 1000);
        let samples: [CycleSample; 1111] = core::array::from_fn(|_| g.step(190));
        assert!(samples[0].pull_started);
        assert_eq!(samples[0].target_dmmhg, 0);
        assert_eq!(samples[138].target_dmmhg, 946); // 1900 * 138 / 277, truncated
        assert_eq!(samples[277].target_dmmhg, 1900);
        assert_eq!(samples[554].phase, CyclePhase::Pull);
        assert_eq!(samples[555].phase, CyclePhase::Release);
        assert_eq!(samples[555].target_dmmhg, 0);
        // The first cycle is 1111 ticks; the next starts right after.
        assert!(g.step(190).pull_started);
    }

    #[test]
    fn zero_rise_is_a_step() {
        let profile = PhaseProfile {
            rise_percent: 0,
            ..PhaseProfile::EXPRESSION_DEFAULT
        };
        let mut g = CycleGenerator::new(&profile, 1000);
        assert_eq!(g.step(190).target_dmmhg, 1900);
    }
}
