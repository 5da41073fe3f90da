//! Oxytocin pulses and milk ejections (docs/model.md §14).
//!
//! The oxytocin neurons integrate the nipple stimulus (§13) and fire in bursts: an
//! integrate-and-fire unit with a leak and a refractory period, whose threshold is redrawn after
//! every pulse (lognormal jitter, seeded), so ejections come at irregular intervals as in every
//! ultrasound study. Stress and pain (low comfort) inhibit the integration (Ueda et al. 1994: mental
//! arithmetic or noise nearly halved the pulse rate; CALIBRATION H3). Each pulse raises plasma
//! oxytocin (half-life of minutes) and starts a milk ejection: a contraction of the myoepithelium
//! shaped as an alpha function that peaks about half a minute in and lasts one to three minutes
//! (Geddes 2009: a milk ejection lasts 45 s to 3.5 min).
//! The threshold, leak, refractoriness and jitter are calibrated to CALIBRATION P1/P3/H3 with the
//! one default mother; see docs/model.md §18 for which are fitted and which are choices.

use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal};

/// Stimulus (stretch units, §13) the neurons must integrate for a pulse, median (fitted, §18).
pub const THRESHOLD_STRETCH: f64 = 250.0;
/// The milk-ejection reflex matures over the first postpartum weeks (it becomes conditioned): the
/// threshold is `1 + REFLEX_IMMATURITY·exp(−m / REFLEX_MATURATION_MONTHS)` times `THRESHOLD_STRETCH`
/// at `m` months (choice; fitted to Ueda 1994's pulse rate in puerperal women, H3).
pub const REFLEX_IMMATURITY: f64 = 2.0;
pub const REFLEX_MATURATION_MONTHS: f64 = 0.5;

/// Threshold factor of an immature reflex at `months_postpartum` (14.1).
pub fn reflex_factor(months_postpartum: f64) -> f64 {
    1.0 + REFLEX_IMMATURITY * (-months_postpartum.max(0.0) / REFLEX_MATURATION_MONTHS).exp()
}

/// Spread of the threshold between pulses: σ of its logarithm (choice).
pub const THRESHOLD_LOG_SD: f64 = 0.35;
/// Time constant of the integrator's leak, s (fitted: weak stimulation never triggers a pulse).
pub const LEAK_TIME_S: f64 = 600.0;
/// Refractory period after a pulse, s (fitted to the spacing of ejections, P1/P3).
pub const REFRACTORY_S: f64 = 80.0;
/// Time to peak contraction of a milk ejection, s (alpha function; Geddes 2009: 45 s–3.5 min).
pub const EJECTION_PEAK_S: f64 = 25.0;
/// Share of the stimulus lost at full stress (Ueda 1994: 1.1–1.3 vs 2.25 pulses per 20 min).
pub const STRESS_INHIBITION: f64 = 0.5;
/// Exponent of comfort in the inhibition by pain (choice): pain inhibits let-down.
pub const PAIN_EXPONENT: f64 = 2.0;
/// Plasma oxytocin half-life, s (about 3 min; choice within the 1–6 min reported).
pub const PLASMA_HALF_LIFE_S: f64 = 180.0;
/// Plasma oxytocin between pulses and the rise one pulse brings, pg/mL (choice, for plots).
pub const PLASMA_BASELINE_PG_ML: f64 = 5.0;
pub const PULSE_BOLUS_PG_ML: f64 = 20.0;

/// How much of the stimulus reaches the oxytocin neurons, 0..1 (14.2).
#[inline]
pub fn inhibition_factor(stress: f64, comfort: f64) -> f64 {
    (1.0 - STRESS_INHIBITION * stress.clamp(0.0, 1.0)) * comfort.clamp(0.0, 1.0).powf(PAIN_EXPONENT)
}

/// Per-step decay factors, cached for a fixed step.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Decays {
    dt_s: f64,
    /// dt/t_peak: the second stage's input per step.
    dt_over_peak: f64,
    leak: f64,
    ejection: f64,
    plasma: f64,
}

impl Decays {
    fn new(dt_s: f64) -> Self {
        Self {
            dt_s,
            dt_over_peak: dt_s / EJECTION_PEAK_S,
            leak: (-dt_s / LEAK_TIME_S).exp(),
            ejection: (-dt_s / EJECTION_PEAK_S).exp(),
            plasma: (-dt_s * core::f64::consts::LN_2 / PLASMA_HALF_LIFE_S).exp(),
        }
    }
}

/// The oxytocin system: integrator, refractoriness, the ejection's contraction, plasma level.
#[derive(Clone, Debug)]
pub struct Oxytocin {
    integrated_stretch: f64,
    threshold_stretch: f64,
    refractory_left_s: f64,
    /// Two cascaded first-order stages; `e·stage2` is the alpha-shaped contraction (14.3).
    stage1: f64,
    stage2: f64,
    plasma_above_baseline_pg_ml: f64,
    decays: Decays,
    jitter: LogNormal<f64>,
    /// [`reflex_factor`] at the current stage of lactation.
    reflex: f64,
}

impl Oxytocin {
    pub fn new(rng: &mut ChaCha8Rng) -> Self {
        let jitter = LogNormal::new(0.0, THRESHOLD_LOG_SD).expect("constant σ is valid");
        let threshold_stretch = THRESHOLD_STRETCH * jitter.sample(rng);
        Self {
            integrated_stretch: 0.0,
            threshold_stretch,
            refractory_left_s: 0.0,
            stage1: 0.0,
            stage2: 0.0,
            plasma_above_baseline_pg_ml: 0.0,
            decays: Decays::new(1e-3),
            jitter,
            reflex: 1.0,
        }
    }

    /// Integrates `stimulus_stretch` (already inhibited) over `dt_s`; true when a pulse fires (14.1).
    #[inline]
    pub fn step(&mut self, dt_s: f64, stimulus_stretch: f64, rng: &mut ChaCha8Rng) -> bool {
        if self.decays.dt_s != dt_s {
            self.decays = Decays::new(dt_s);
        }
        let d = self.decays;
        // (14.3) alpha-shaped contraction: exact for a fixed step.
        self.stage2 = d.ejection * (self.stage2 + d.dt_over_peak * self.stage1);
        self.stage1 *= d.ejection;
        self.plasma_above_baseline_pg_ml *= d.plasma;
        if self.refractory_left_s > 0.0 {
            self.refractory_left_s -= dt_s;
            return false;
        }
        self.integrated_stretch = self.integrated_stretch * d.leak + stimulus_stretch;
        if self.integrated_stretch < self.threshold_stretch {
            return false;
        }
        self.integrated_stretch = 0.0;
        self.refractory_left_s = REFRACTORY_S;
        self.threshold_stretch = THRESHOLD_STRETCH * self.reflex * self.jitter.sample(rng);
        self.stage1 += 1.0;
        self.plasma_above_baseline_pg_ml += PULSE_BOLUS_PG_ML;
        true
    }

    /// Advances a long stretch without stimulation (between sessions), in one exact step.
    pub fn relax(&mut self, dt_s: f64) {
        let d = Decays::new(dt_s);
        self.integrated_stretch *= d.leak;
        self.stage2 = d.ejection * (self.stage2 + d.dt_over_peak * self.stage1);
        self.stage1 *= d.ejection;
        self.plasma_above_baseline_pg_ml *= d.plasma;
        self.refractory_left_s = (self.refractory_left_s - dt_s).max(0.0);
    }

    /// A new session begins after a rest: the neurons' excitability is drawn afresh, so one
    /// unlucky threshold cannot silence every later session.
    pub fn redraw_threshold(&mut self, rng: &mut ChaCha8Rng) {
        self.threshold_stretch = THRESHOLD_STRETCH * self.reflex * self.jitter.sample(rng);
    }

    /// Sets the stage of lactation (the reflex's maturity) for thresholds drawn from now on.
    pub fn set_months_postpartum(&mut self, months: f64) {
        self.reflex = reflex_factor(months);
    }

    /// Myoepithelial contraction, 0..~1 (1 at the peak of a single ejection) (14.3).
    #[inline]
    pub fn contraction(&self) -> f64 {
        core::f64::consts::E * self.stage2
    }

    /// Plasma oxytocin, pg/mL.
    pub fn plasma_pg_ml(&self) -> f64 {
        PLASMA_BASELINE_PG_ML + self.plasma_above_baseline_pg_ml
    }
}

/// Oxytocin pulses a study would detect in plasma sampled every `interval_s` (Ueda 1994: 2 min):
/// a sample counts as a pulse when it exceeds the one before by more than `rise_fraction` (14.4).
/// The simulated H3 figure is measured this way, as the study measured it.
pub fn detected_pulses(samples_pg_ml: &[f64], rise_fraction: f64) -> usize {
    samples_pg_ml
        .windows(2)
        .filter(|w| w[1] > w[0] * (1.0 + rise_fraction))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::SeedableRng;

    #[test]
    fn contraction_is_an_alpha_function_peaking_at_one() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut ox = Oxytocin::new(&mut rng);
        ox.threshold_stretch = 1.0;
        let dt = 1e-3;
        assert!(ox.step(dt, 2.0, &mut rng));
        let mut peak = (0.0, 0.0);
        for k in 1..200_000 {
            ox.step(dt, 0.0, &mut rng);
            if ox.contraction() > peak.1 {
                peak = (k as f64 * dt, ox.contraction());
            }
        }
        assert!((peak.0 - EJECTION_PEAK_S).abs() < 0.01, "{peak:?}");
        assert!((peak.1 - 1.0).abs() < 1e-3, "{peak:?}");
    }

    #[test]
    fn no_pulse_during_refractory_period_and_none_without_stimulus() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let mut ox = Oxytocin::new(&mut rng);
        let dt = 1e-3;
        let mut pulses = Vec::new();
        for k in 0..600_000 {
            // A strong stimulus: 1 stretch unit per second per... (0.01 per ms = 10/s).
            if ox.step(dt, 0.01, &mut rng) {
                pulses.push(k as f64 * dt);
            }
        }
        assert!(pulses.len() >= 2);
        for w in pulses.windows(2) {
            assert!(w[1] - w[0] >= REFRACTORY_S);
        }
        let mut quiet = Oxytocin::new(&mut rng);
        assert!(!(0..600_000).any(|_| quiet.step(dt, 0.0, &mut rng)));
    }

    #[test]
    fn stress_and_pain_inhibit() {
        assert_eq!(inhibition_factor(0.0, 1.0), 1.0);
        assert!((inhibition_factor(1.0, 1.0) - 0.5).abs() < 1e-12);
        assert!(inhibition_factor(0.0, 0.5) < 0.5);
    }

    #[test]
    fn detection_counts_rises() {
        assert_eq!(
            detected_pulses(&[5.0, 20.0, 12.0, 8.0, 25.0, 15.0], 0.25),
            2
        );
    }
}
