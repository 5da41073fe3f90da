//! Prolactin: baseline by stage of lactation, circadian rhythm and galactagogue, and the surge that
//! nipple stimulation drives (docs/model.md §15).
//!
//! Sources: the surge is about 8.5× baseline before 6 weeks postpartum and about 6× at 7–28 weeks,
//! peaking 10–15 min into the stimulus (Noel, Suh & Frantz 1974; CALIBRATION H1); clearance has a
//! half-life of about 37 min (H2); baseline prolactin roughly halves over the first six months while
//! milk production stays flat (Cox 1996; the warning not to tie volume linearly to
//! prolactin); prolactin is higher at night and galactagogues such as domperidone raise it
//! (clinical guidance in CALIBRATION.md). The surge comes from a releasable pituitary pool that
//! depletes during stimulation and refills over an hour: that is what makes the surge peak 10–15
//! min in rather than at the end of a long stimulus. Pool, gain and saturation constants are fitted
//! to H1 (docs/model.md §18); the circadian amplitude is a choice.

/// Clearance half-life of prolactin, s (H2: 37 ± 10 min).
pub const HALF_LIFE_S: f64 = 37.0 * 60.0;
/// Baseline prolactin of a fully lactating breast at birth, ng/mL (choice: only ratios are
/// calibrated, H1), halving every `BASELINE_HALVING_MONTHS`.
pub const BASELINE_AT_BIRTH_NG_ML: f64 = 80.0;
pub const BASELINE_HALVING_MONTHS: f64 = 6.0;
/// Baseline prolactin of a woman who is not lactating, ng/mL (normal range below about 25).
pub const NON_LACTATING_NG_ML: f64 = 10.0;
/// Surge secretion at full pool and saturating drive, ng/mL per s (fitted to H1).
pub const SURGE_GAIN_NG_ML_S: f64 = 6.0;
/// Months over which the pituitary's surge response halves (fitted: H1's 8.5× before 6 weeks and
/// 6× at 7–28 weeks, on a baseline that itself halves in 6 months).
pub const RESPONSE_HALVING_MONTHS: f64 = 2.9;
/// Stimulus rate (both sides, stretch units per s, §13) giving half the maximal secretion (fitted).
pub const DRIVE_HALF_STRETCH_PER_S: f64 = 1.0;
/// Time constant of the releasable pool's depletion while stimulated and its refill, s (fitted to
/// the 10–15 min peak of H1; refill a choice).
pub const POOL_DEPLETION_S: f64 = 300.0;
pub const POOL_REFILL_S: f64 = 3600.0;
/// Stimulus rate above which the pool counts as being drawn, stretch units per s (choice).
pub const DRIVE_ON_STRETCH_PER_S: f64 = 0.2;
/// Relative amplitude of the circadian rhythm, peaking at `CIRCADIAN_PEAK_H` (sleep-related rise;
/// choice).
pub const CIRCADIAN_AMPLITUDE: f64 = 0.3;
pub const CIRCADIAN_PEAK_H: f64 = 2.0;

/// Circadian factor at a time of day, hours after midnight (15.2).
pub fn circadian(hour_of_day: f64) -> f64 {
    1.0 + CIRCADIAN_AMPLITUDE
        * ((hour_of_day - CIRCADIAN_PEAK_H) * core::f64::consts::TAU / 24.0).cos()
}

/// Baseline prolactin of a fully lactating mother `months` after the birth, ng/mL, at circadian
/// factor 1 (15.1).
pub fn lactating_baseline_ng_ml(months_postpartum: f64) -> f64 {
    BASELINE_AT_BIRTH_NG_ML * (-months_postpartum / BASELINE_HALVING_MONTHS).exp2()
}

/// Plasma prolactin: the surge above baseline and the pituitary's releasable pool.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Prolactin {
    surge_ng_ml: f64,
    /// Releasable pool, 0..1.
    pool: f64,
    baseline_ng_ml: f64,
    /// Clearance decay per step, cached for a fixed step.
    clearance: (f64, f64),
}

impl Default for Prolactin {
    fn default() -> Self {
        Self {
            surge_ng_ml: 0.0,
            pool: 1.0,
            baseline_ng_ml: NON_LACTATING_NG_ML,
            clearance: (0.0, 1.0),
        }
    }
}

/// Time constant of the suckling history that holds baseline prolactin up, s (choice: baseline
/// falls over days after weaning).
pub const SUCKLING_MEMORY_S: f64 = 2.0 * 86_400.0;
/// Daily stimulus of a full routine (six 15-min feeds at 1.5 stretch units/s), stretch units: the
/// suckling history reaches 1 at this much stimulation a day (choice).
pub const FULL_ROUTINE_STRETCH_PER_DAY: f64 = 8_100.0;

/// Recent suckling relative to a full routine, 0..1 (15.5): holds the lactating baseline up, and
/// decays over days after weaning.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SucklingHistory {
    level: f64,
}

impl SucklingHistory {
    pub fn full() -> Self {
        Self { level: 1.0 }
    }

    /// Adds `stimulus` stretch units delivered over `dt_s` (15.5): `dL/dt = g·rate − L/τ`, with
    /// `g` such that a full routine every day holds `L` at 1; exact for a constant rate over the step.
    pub fn step(&mut self, dt_s: f64, stimulus: f64) {
        let gain = 86_400.0 / (FULL_ROUTINE_STRETCH_PER_DAY * SUCKLING_MEMORY_S);
        let decay = (-dt_s / SUCKLING_MEMORY_S).exp();
        let rate = stimulus / dt_s;
        self.level = self.level * decay + gain * rate * SUCKLING_MEMORY_S * (1.0 - decay);
    }

    /// Level used for the baseline, 0..1.
    pub fn level(&self) -> f64 {
        self.level.min(1.0)
    }
}

/// What the surge depends on besides the stimulus (15.3).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProlactinContext {
    pub months_postpartum: f64,
    /// Recent suckling relative to a full routine, 0..1 (15.5): it keeps the baseline up.
    pub suckling: f64,
    pub circadian: f64,
    pub galactagogue_factor: f64,
}

impl ProlactinContext {
    /// Baseline, ng/mL (15.1): non-lactating level plus the lactating excess in proportion to the
    /// recent suckling, times the circadian and galactagogue factors.
    pub fn baseline_ng_ml(&self) -> f64 {
        let lactating = lactating_baseline_ng_ml(self.months_postpartum);
        (NON_LACTATING_NG_ML + (lactating - NON_LACTATING_NG_ML).max(0.0) * self.suckling)
            * self.circadian
            * self.galactagogue_factor
    }

    /// Pituitary surge gain, ng/mL per s at a full pool and saturating drive (15.3).
    pub fn surge_gain_ng_ml_s(&self) -> f64 {
        SURGE_GAIN_NG_ML_S
            * (-self.months_postpartum / RESPONSE_HALVING_MONTHS).exp2()
            * self.circadian
    }
}

impl Prolactin {
    /// Advances over `dt_s` with a stimulus rate (both sides, stretch units per s) (15.3–15.4).
    /// Exact for the clearance and the pool at a constant drive; fine for steps up to a minute.
    pub fn step(&mut self, dt_s: f64, drive_stretch_per_s: f64, ctx: &ProlactinContext) {
        if self.clearance.0 != dt_s {
            self.clearance = (dt_s, (-dt_s * core::f64::consts::LN_2 / HALF_LIFE_S).exp());
        }
        self.baseline_ng_ml = ctx.baseline_ng_ml();
        let drive = drive_stretch_per_s.max(0.0);
        let saturation = drive / (drive + DRIVE_HALF_STRETCH_PER_S);
        let secretion = ctx.surge_gain_ng_ml_s() * saturation * self.pool;
        let drawn = (drive / DRIVE_ON_STRETCH_PER_S).min(1.0);
        // (15.4) The pool is drawn while stimulated and refills only at rest.
        self.pool += dt_s
            * ((1.0 - drawn) * (1.0 - self.pool) / POOL_REFILL_S
                - drawn * self.pool / POOL_DEPLETION_S);
        self.pool = self.pool.clamp(0.0, 1.0);
        self.surge_ng_ml = self.surge_ng_ml * self.clearance.1 + secretion * dt_s;
    }

    /// Plasma prolactin, ng/mL.
    pub fn plasma_ng_ml(&self) -> f64 {
        self.baseline_ng_ml + self.surge_ng_ml
    }

    pub fn surge_ng_ml(&self) -> f64 {
        self.surge_ng_ml
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(months: f64) -> ProlactinContext {
        ProlactinContext {
            months_postpartum: months,
            suckling: 1.0,
            circadian: 1.0,
            galactagogue_factor: 1.0,
        }
    }

    #[test]
    fn clearance_has_the_published_half_life() {
        let mut p = Prolactin {
            surge_ng_ml: 100.0,
            ..Prolactin::default()
        };
        for _ in 0..(37 * 60) {
            p.step(1.0, 0.0, &ctx(3.0));
        }
        assert!((p.surge_ng_ml() - 50.0).abs() < 0.01, "{p:?}");
    }

    #[test]
    fn baseline_halves_in_six_months_and_rises_at_night_and_with_a_galactagogue() {
        let b = |m: f64| ctx(m).baseline_ng_ml();
        assert!(
            (lactating_baseline_ng_ml(6.0) / lactating_baseline_ng_ml(0.0) - 0.5).abs() < 1e-12
        );
        assert!(b(6.0) < b(3.0) && b(3.0) < b(0.0));
        assert!(circadian(2.0) > circadian(14.0));
        let drug = ProlactinContext {
            galactagogue_factor: 3.0,
            ..ctx(3.0)
        };
        assert!((drug.baseline_ng_ml() / b(3.0) - 3.0).abs() < 1e-12);
    }
}
