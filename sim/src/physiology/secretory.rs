//! Secretory capacity over days: how much milk a breast can make (docs/model.md §17).
//!
//! Capacity = maximal rate × alveolar mass × secretory activation (17.1). Both grow with prolactin
//! above the non-lactating level — so frequent stimulation, a night session, double pumping and a
//! galactagogue all help, through the surges they drive (§15) — and both involute with milk stasis
//! (a full breast: local inhibition and pressure) and when prolactin stays low (17.2–17.3).
//! Growth is autocatalytic (proportional to what is already there): a gland that has involuted
//! restarts slowly from a small seed, which is why first drops come after days of stimulation and a
//! full supply after weeks to months (CALIBRATION R1–R3), and why a longer gap since weaning delays
//! it. Actual synthesis is the capacity times the room left in the breast (16.5, local feedback).
//! Rates are fitted to M1, M2, R1, R2 with the one default mother (docs/model.md §18).

/// Maximal synthesis rate of one fully developed, fully active breast, mL/h (fitted to M1/M2).
pub const MAX_SYNTHESIS_ML_H: f64 = 23.0;
/// Prolactin above the non-lactating level that gives half the maximal effect, ng/mL (fitted).
pub const PROLACTIN_HALF_EFFECT_NG_ML: f64 = 20.0;
const PER_DAY: f64 = 1.0 / 86_400.0;
/// Activation: growth with prolactin, loss when prolactin is low, loss with stasis, per day.
pub const ACTIVATION_GROWTH_PER_DAY: f64 = 1.6;
pub const ACTIVATION_LOSS_PER_DAY: f64 = 1.0;
pub const ACTIVATION_STASIS_PER_DAY: f64 = 2.0;
/// Alveolar mass: growth with prolactin, involution when prolactin is low, with stasis, per day.
pub const MASS_GROWTH_PER_DAY: f64 = 0.08;
pub const MASS_LOSS_PER_DAY: f64 = 0.04;
pub const MASS_STASIS_PER_DAY: f64 = 0.05;
/// Floors: the seed a restart grows from (choice).
pub const ACTIVATION_FLOOR: f64 = 1e-6;
pub const MASS_FLOOR: f64 = 0.02;
/// Alveolar mass of a gland that never lactated (choice; induced lactation starts here).
pub const MASS_NEVER_LACTATED: f64 = 0.05;
/// Stored milk resorbed per day by a fully inactive gland (choice: milk stasis after weaning).
pub const RESORPTION_PER_DAY: f64 = 0.5;

/// Effect of prolactin on the gland, 0..1 (17.2): saturating in prolactin above the non-lactating
/// level, so milk volume is not tied linearly to prolactin.
#[inline]
pub fn prolactin_effect(prolactin_ng_ml: f64) -> f64 {
    let p = (prolactin_ng_ml - super::prolactin::NON_LACTATING_NG_ML).max(0.0);
    p / (p + PROLACTIN_HALF_EFFECT_NG_ML)
}

/// One breast's secretory state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Secretory {
    /// Secretory activation of the lactocytes, 0..1.
    pub activation: f64,
    /// Alveolar mass relative to a fully developed lactating breast, 0..1.
    pub mass: f64,
}

impl Secretory {
    pub fn established() -> Self {
        Self {
            activation: 0.9,
            mass: 0.95,
        }
    }

    pub fn never_lactated() -> Self {
        Self {
            activation: ACTIVATION_FLOOR,
            mass: MASS_NEVER_LACTATED,
        }
    }

    /// Secretory capacity, mL/s (17.1).
    #[inline]
    pub fn capacity_ml_s(&self) -> f64 {
        MAX_SYNTHESIS_ML_H / 3600.0 * self.mass * self.activation
    }

    /// Secretory capacity, mL/h.
    pub fn capacity_ml_h(&self) -> f64 {
        MAX_SYNTHESIS_ML_H * self.mass * self.activation
    }

    /// Synthesis rate at a fullness, mL/s (16.5): capacity × room left.
    #[inline]
    pub fn synthesis_ml_s(&self, fullness: f64) -> f64 {
        self.capacity_ml_s() * (1.0 - fullness).max(0.0)
    }

    /// Resorption of stored milk, per s: an inactive gland resorbs its milk (17.4).
    #[inline]
    pub fn resorption_per_s(&self) -> f64 {
        RESORPTION_PER_DAY * PER_DAY * (1.0 - self.activation)
    }

    /// Advances over `dt_s` (up to minutes) at a prolactin level and fullness (17.2–17.3).
    pub fn step(&mut self, dt_s: f64, prolactin_ng_ml: f64, fullness: f64) {
        let p = prolactin_effect(prolactin_ng_ml);
        let stasis = fullness.powi(4);
        let a = self.activation;
        let m = self.mass;
        let da = a
            * (ACTIVATION_GROWTH_PER_DAY * p * (1.0 - a)
                - ACTIVATION_LOSS_PER_DAY * (1.0 - p)
                - ACTIVATION_STASIS_PER_DAY * stasis);
        let dm = m
            * (MASS_GROWTH_PER_DAY * p * (1.0 - m)
                - MASS_LOSS_PER_DAY * (1.0 - p)
                - MASS_STASIS_PER_DAY * stasis);
        self.activation = (a + da * PER_DAY * dt_s).clamp(ACTIVATION_FLOOR, 1.0);
        self.mass = (m + dm * PER_DAY * dt_s).clamp(MASS_FLOOR, 1.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prolactin_grows_the_gland_and_stasis_involutes_it() {
        let mut grow = Secretory {
            activation: 0.01,
            mass: 0.3,
        };
        let mut stasis = Secretory::established();
        for _ in 0..(14 * 24 * 60) {
            grow.step(60.0, 120.0, 0.1);
            stasis.step(60.0, 10.0, 1.0);
        }
        assert!(grow.activation > 0.5 && grow.mass > 0.4, "{grow:?}");
        assert!(stasis.activation < 0.01 && stasis.mass < 0.95, "{stasis:?}");
    }

    #[test]
    fn effect_saturates() {
        assert_eq!(prolactin_effect(5.0), 0.0);
        assert!(prolactin_effect(50.0) < prolactin_effect(200.0));
        assert!(prolactin_effect(1e6) < 1.0);
    }
}
