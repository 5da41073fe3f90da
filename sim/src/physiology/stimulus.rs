//! Nipple stimulation: what the suction reaching each nipple signals to the mother's brain.
//!
//! Rapidly adapting mechanoreceptors of the nipple and areola fire on *changes* of stretch, not on
//! a held stretch, so each side contributes the total variation of a saturating stretch signal
//! (docs/model.md §13, eq. 13.1–13.2). Per suction cycle that is twice the stretch at the peak
//! above the stretch at the trough: the stimulus grows with the cycle rate and, with diminishing
//! returns, with the amplitude — the two settings a stimulation phase trades (CALIBRATION P4, S3).
//! The saturation scale is a modelling choice (docs/model.md §18).

/// Vacuum at which the receptors' stretch signal is half of its maximum, mmHg (choice, §18).
pub const STRETCH_HALF_VACUUM_MMHG: f64 = 100.0;

/// Stretch signal of the nipple at a vacuum, 0..1 (13.1): x = v / (v + v½), v ≥ 0.
#[inline]
pub fn stretch(vacuum_mmhg: f64) -> f64 {
    let v = vacuum_mmhg.max(0.0);
    v / (v + STRETCH_HALF_VACUUM_MMHG)
}

/// One nipple's receptors: remembers the last stretch to measure its change, and the change
/// sensed on control ticks since the mother's last step (§7.7: she steps every few ticks, but the
/// receptors see every tick, or a step would cut the peaks off the stretch's variation).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StretchReceptor {
    last_stretch: f64,
    sensed_stretch: f64,
}

impl StretchReceptor {
    /// Registers the vacuum of one control tick between the mother's steps (13.2).
    #[inline(always)]
    pub fn sense(&mut self, vacuum_mmhg: f64) {
        self.sense_stretch(stretch(vacuum_mmhg));
    }

    /// [`Self::sense`] with the stretch x(v) already computed (both nipples at one vacuum).
    #[inline(always)]
    pub fn sense_stretch(&mut self, x: f64) {
        self.sensed_stretch += (x - self.last_stretch).abs();
        self.last_stretch = x;
    }

    /// Stimulus delivered over one step ending at `vacuum_mmhg`, stretch units (13.2): the sum
    /// of |x(v) − x(v_prev)| over the ticks sensed in the step and its end.
    #[inline]
    pub fn step(&mut self, vacuum_mmhg: f64) -> f64 {
        self.sense(vacuum_mmhg);
        core::mem::take(&mut self.sensed_stretch)
    }

    /// The nipple left the shield (or the infant let go): stretch relaxes without a stimulus.
    pub fn release(&mut self) {
        self.last_stretch = 0.0;
        self.sensed_stretch = 0.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A square-wave cycle between 0 and v delivers 2·x(v): rate × amplitude, saturating.
    #[test]
    fn one_cycle_delivers_twice_the_peak_stretch() {
        let mut r = StretchReceptor::default();
        let total: f64 = [0.0, 190.0, 0.0].iter().map(|&v| r.step(v)).sum();
        assert!((total - 2.0 * stretch(190.0)).abs() < 1e-12);
        assert!(stretch(250.0) > stretch(190.0) && stretch(250.0) < 1.0);
        // Holding a vacuum stimulates nothing.
        assert_eq!(r.step(0.0), 0.0);
    }

    /// Ticks sensed between steps count as if each had been a step: a peak inside a step is not
    /// cut off.
    #[test]
    fn sensed_ticks_add_up_to_the_per_tick_steps() {
        let path = [0.0, 60.0, 190.0, 150.0, 20.0, 80.0, 0.0];
        let mut each = StretchReceptor::default();
        let per_tick: f64 = path.iter().map(|&v| each.step(v)).sum();
        let mut grouped = StretchReceptor::default();
        let mut total = 0.0;
        for chunk in path.chunks(3) {
            let (&end, inner) = chunk.split_last().unwrap();
            inner.iter().for_each(|&v| grouped.sense(v));
            total += grouped.step(end);
        }
        assert!((total - per_tick).abs() < 1e-15, "{total} vs {per_tick}");
        assert!(
            (per_tick - 2.0 * stretch(190.0) - 2.0 * (stretch(80.0) - stretch(20.0))).abs() < 1e-15
        );
    }
}
