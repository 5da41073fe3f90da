//! One breast's milk: alveolar milk, milk pushed into the ducts by an ejection, synthesis with local
//! feedback, and removal by the suction at the nipple (docs/model.md §16).
//!
//! Most milk is stored in the alveoli and needs a milk ejection to reach the nipple; between
//! ejections milk in the ducts flows back into the breast (Geddes 2009; Ramsay 2004). While milk is
//! in the ducts the vacuum at the nipple removes it, faster at a deeper vacuum and less where the
//! fit compresses the ducts (§8): so a softer vacuum removes less of the available milk before it
//! flows back (CALIBRATION P2; Kent 2008: softer vacuums yielded less volume and a smaller share).
//! Synthesis slows as the breast fills (local feedback: Daly 1993, Cox 1996; M2) up to the storage
//! capacity (Kent 1999; M3). Rate constants are fitted to P1 and M4 (docs/model.md §18).

/// Rate at which a full contraction moves alveolar milk into the ducts, per s (fitted to P1).
pub const EJECT_RATE_PER_S: f64 = 0.005;
/// Milk the ducts hold at most, mL (choice: human ducts store little milk).
pub const DUCT_CAPACITY_ML: f64 = 30.0;
/// Rate at which ductal milk flows back into the alveoli when the contraction ends, per s (fitted).
pub const BACKFLOW_RATE_PER_S: f64 = 0.05;
/// Rate at which suction removes ductal milk at `REMOVAL_VACUUM_REF_MMHG` and open ducts, per s
/// (fitted to P1 and M4).
pub const REMOVAL_RATE_PER_S: f64 = 0.15;
pub const REMOVAL_VACUUM_REF_MMHG: f64 = 100.0;

/// A breast's milk.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Breast {
    pub alveolar_ml: f64,
    pub ductal_ml: f64,
    pub capacity_ml: f64,
    /// Milk removed since the start of the run, mL.
    pub removed_ml: f64,
    /// Milk synthesised since the start of the run, mL.
    pub synthesised_ml: f64,
    /// Milk resorbed by an involuting gland since the start of the run, mL.
    pub resorbed_ml: f64,
    /// Removal flow over the last step, mL/s.
    pub flow_ml_s: f64,
}

impl Breast {
    pub fn new(capacity_ml: f64) -> Self {
        Self {
            alveolar_ml: 0.0,
            ductal_ml: 0.0,
            capacity_ml,
            removed_ml: 0.0,
            synthesised_ml: 0.0,
            resorbed_ml: 0.0,
            flow_ml_s: 0.0,
        }
    }

    /// Milk in the breast, mL.
    #[inline]
    pub fn stored_ml(&self) -> f64 {
        self.alveolar_ml + self.ductal_ml
    }

    /// Degree of fullness, 0..1 (16.1).
    #[inline]
    pub fn fullness(&self) -> f64 {
        (self.stored_ml() / self.capacity_ml).clamp(0.0, 1.0)
    }

    /// One step of a session (16.2–16.4): ejection moves milk alveoli → ducts, suction removes it,
    /// the rest flows back as the contraction ends. `contraction` from §14, `vacuum_mmhg` at the
    /// nipple, `duct_openness` from §8 (0 when no shield or mouth is on this side).
    #[inline]
    pub fn step(&mut self, dt_s: f64, contraction: f64, vacuum_mmhg: f64, duct_openness: f64) {
        let room = (1.0 - self.ductal_ml / DUCT_CAPACITY_ML).max(0.0);
        let eject = EJECT_RATE_PER_S * contraction * self.alveolar_ml * room;
        let back = BACKFLOW_RATE_PER_S * (1.0 - contraction).max(0.0) * self.ductal_ml;
        let suction = vacuum_mmhg.max(0.0) * (1.0 / REMOVAL_VACUUM_REF_MMHG);
        let remove = REMOVAL_RATE_PER_S * suction * duct_openness * self.ductal_ml;
        // Explicit at a 1 ms step: every rate here is below 1/s, so the step is stable and the
        // volumes stay non-negative; mass is conserved exactly (what leaves one pool enters another).
        let to_ducts = (eject - back) * dt_s;
        let removed = crate::ordered::min(remove * dt_s, self.ductal_ml + to_ducts);
        self.alveolar_ml -= to_ducts;
        self.ductal_ml += to_ducts - removed;
        self.removed_ml += removed;
        self.flow_ml_s = removed / dt_s;
    }

    /// Between sessions: ductal milk flows back exactly, no removal (16.4).
    pub fn settle(&mut self, dt_s: f64) {
        let back = self.ductal_ml * (1.0 - (-BACKFLOW_RATE_PER_S * dt_s).exp());
        self.ductal_ml -= back;
        self.alveolar_ml += back;
        self.flow_ml_s = 0.0;
    }

    /// Adds synthesis at `rate_ml_s` (already limited by local feedback) and takes away resorption
    /// at `resorb_per_s` of the stored milk, over `dt_s` (16.5).
    pub fn synthesise(&mut self, dt_s: f64, rate_ml_s: f64, resorb_per_s: f64) {
        let made = (rate_ml_s * dt_s).min((self.capacity_ml - self.stored_ml()).max(0.0));
        let resorbed = self.alveolar_ml * (1.0 - (-resorb_per_s * dt_s).exp());
        self.alveolar_ml += made - resorbed;
        self.synthesised_ml += made;
        self.resorbed_ml += resorbed;
    }

    /// Removes a share of the stored milk at once (the abstract feeds of the burn-in, §17.4).
    pub fn remove_share(&mut self, share: f64) {
        let take_a = self.alveolar_ml * share;
        let take_d = self.ductal_ml * share;
        self.alveolar_ml -= take_a;
        self.ductal_ml -= take_d;
        self.removed_ml += take_a + take_d;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milk_is_conserved_and_needs_an_ejection() {
        let mut b = Breast::new(210.0);
        b.alveolar_ml = 90.0;
        // No ejection: nothing reaches the nipple whatever the vacuum.
        for _ in 0..60_000 {
            b.step(1e-3, 0.0, 190.0, 1.0);
        }
        assert_eq!(b.removed_ml, 0.0);
        // An ejection: milk flows, and every millilitre is accounted for.
        for k in 0..120_000 {
            let t = k as f64 * 1e-3 / 25.0;
            b.step(1e-3, t * (1.0 - t).exp(), 190.0, 1.0);
        }
        assert!(b.removed_ml > 5.0, "{b:?}");
        assert!((b.stored_ml() + b.removed_ml - 90.0).abs() < 1e-9);
        assert!(b.alveolar_ml >= 0.0 && b.ductal_ml >= 0.0);
    }

    #[test]
    fn deeper_vacuum_and_open_ducts_remove_more() {
        let run = |vacuum: f64, openness: f64| {
            let mut b = Breast::new(210.0);
            b.alveolar_ml = 90.0;
            for k in 0..180_000 {
                let t = k as f64 * 1e-3 / 25.0;
                b.step(1e-3, t * (1.0 - t).exp(), vacuum, openness);
            }
            b.removed_ml
        };
        assert!(run(190.0, 1.0) > run(120.0, 1.0));
        assert!(run(120.0, 1.0) > run(60.0, 1.0));
        assert!(run(190.0, 0.5) < run(190.0, 1.0));
    }

    #[test]
    fn synthesis_stops_at_capacity() {
        let mut b = Breast::new(100.0);
        b.synthesise(3600.0 * 24.0, 30.0 / 3600.0, 0.0);
        assert!((b.stored_ml() - 100.0).abs() < 1e-9);
    }
}
