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

/// One nipple's receptors: remembers the last stretch to measure its change.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StretchReceptor {
    last_stretch: f64,
}

impl StretchReceptor {
    /// Stimulus delivered over one step, stretch units (13.2): |x(v) − x(v_prev)|.
    #[inline]
    pub fn step(&mut self, vacuum_mmhg: f64) -> f64 {
        let x = stretch(vacuum_mmhg);
        let d = (x - self.last_stretch).abs();
        self.last_stretch = x;
        d
    }

    /// The nipple left the shield (or the infant let go): stretch relaxes without a stimulus.
    pub fn release(&mut self) {
        self.last_stretch = 0.0;
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
}
