//! The mother: nipple stimulation, oxytocin and milk ejection, prolactin, each breast's milk and its
//! secretory capacity over days (docs/model.md §13–§18). The plant steps it with the vacuum and fit
//! at each nipple every `integration.mother_step_ms` (10 ms, §7.7); between
//! sessions of a course it advances in large steps.
//!
//! Sources per part are in each module; CALIBRATION.md's targets are reproduced by
//! `pumprig calibrate` with this one default mother and one set of constants.

pub mod breast;
pub mod infant;
pub mod oxytocin;
pub mod params;
pub mod prolactin;
pub mod secretory;
pub mod stimulus;

use rand_chacha::ChaCha8Rng;

use crate::params::ParamError;
use crate::rng;
use breast::Breast;
use oxytocin::Oxytocin;
pub use params::{LactationState, MotherParams};
use prolactin::{Prolactin, ProlactinContext, SucklingHistory};
use secretory::Secretory;
use stimulus::StretchReceptor;

/// Seconds per day and per (average) month.
pub const DAY_S: f64 = 86_400.0;
pub const MONTH_S: f64 = 30.44 * DAY_S;
/// How often the slow parts (prolactin, synthesis, capacity) advance during a session, s.
const SLOW_STEP_S: f64 = 1.0;
/// Longest step of the slow parts between sessions, s.
const REST_STEP_S: f64 = 60.0;
/// Days of routine removals before a run that give an established mother a consistent state.
const BURN_IN_DAYS: f64 = 14.0;
/// Share of the stored milk a routine removal of the burn-in takes (a breastfeed, CALIBRATION M4)
/// and the stimulus it gives (a feed at the breast, §13.3: about 2.5 stretch units per s) over
/// 15 minutes (choices, docs/model.md §17.4).
const ROUTINE_REMOVAL_SHARE: f64 = 0.67;
const ROUTINE_DRIVE_STRETCH_PER_S: f64 = 2.0;
const ROUTINE_DURATION_S: f64 = 900.0;

/// What reaches one nipple during a tick: from a pump shield (the plant's chamber and fit) or an
/// infant's mouth.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Nipple {
    /// Vacuum at the end of the step, mmHg: what the receptors compare with the last step's
    /// (13.2).
    pub vacuum_mmhg: f64,
    /// Mean vacuum over the step, mmHg: what removes milk during it (16.3). The plant steps the
    /// mother every few control ticks (§7.7) and averages the ticks' vacuums.
    pub mean_vacuum_mmhg: f64,
    /// Share of the ducts the fit leaves open, 0..1 (§8).
    pub duct_openness: f64,
    /// 1 comfortable .. 0 maximal pain (§8).
    pub comfort: f64,
    /// Extra tactile stimulus (an infant's mouth), stretch units per s.
    pub tactile_stretch_per_s: f64,
}

/// The mother's observable state, for timeseries and metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MotherOutputs {
    /// Per breast (left, right): removal flow, mL/min; removed since the start, mL; in the breast, mL.
    pub milk_flow_ml_min: [f64; 2],
    pub milk_removed_ml: [f64; 2],
    pub milk_stored_ml: [f64; 2],
    pub oxytocin_pg_ml: f64,
    pub prolactin_ng_ml: f64,
    /// Myoepithelial contraction, 0..~1 (§14).
    pub contraction: f64,
    /// A milk ejection (oxytocin pulse) began in the last step.
    pub ejection_started: bool,
    /// Milk ejections since the start of the run.
    pub ejections: u32,
}

/// The mother, both breasts and her hormones.
#[derive(Clone, Debug)]
pub struct Mother {
    params: MotherParams,
    /// Time since the start of the run, s (negative during the burn-in).
    time_s: f64,
    breasts: [Breast; 2],
    secretory: [Secretory; 2],
    oxytocin: Oxytocin,
    prolactin: Prolactin,
    suckling: SucklingHistory,
    receptors: [StretchReceptor; 2],
    rng: ChaCha8Rng,
    slow_pending_s: f64,
    slow_stimulus: f64,
    out: MotherOutputs,
}

impl Mother {
    /// The mother as the parameters describe her at the start of the run (§17.4): an established
    /// mother after two weeks of routine removals, the last `hours_since_last_removal` ago; a weaned
    /// one after that and `days_weaned` without any removal; one who never lactated at rest.
    pub fn new(params: &MotherParams, seed: u64) -> Result<Self, Vec<ParamError>> {
        let errors = params.validate();
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut rng = rng::stream(seed, "mother");
        let mut oxytocin = Oxytocin::new(&mut rng);
        oxytocin.set_months_postpartum(params.months_postpartum);
        oxytocin.redraw_threshold(&mut rng);
        let mut m = Self {
            params: params.clone(),
            time_s: 0.0,
            breasts: [Breast::new(params.storage_capacity_ml); 2],
            secretory: [Secretory::established(); 2],
            oxytocin,
            prolactin: Prolactin::default(),
            suckling: SucklingHistory::default(),
            receptors: [StretchReceptor::default(); 2],
            rng,
            slow_pending_s: 0.0,
            slow_stimulus: 0.0,
            out: MotherOutputs::default(),
        };
        match params.lactation {
            LactationState::Never => {
                m.secretory = [Secretory::never_lactated(); 2];
                m.rest(3600.0);
            }
            LactationState::Established => {
                m.suckling = SucklingHistory::full();
                m.burn_in(0.0);
            }
            LactationState::Weaned => {
                m.suckling = SucklingHistory::full();
                let weaned_s = params.days_weaned * DAY_S;
                m.burn_in(weaned_s);
                m.rest(weaned_s);
            }
        }
        m.time_s = 0.0;
        for b in &mut m.breasts {
            b.removed_ml = 0.0;
            b.synthesised_ml = 0.0;
            b.resorbed_ml = 0.0;
        }
        m.refresh_outputs(false);
        m.out.ejections = 0;
        Ok(m)
    }

    /// Routine removals every `hours_since_last_removal` hours for two weeks, ending that long
    /// before `-before_s` (the start of the run, or of weaning).
    fn burn_in(&mut self, before_s: f64) {
        let interval_s = (self.params.hours_since_last_removal * 3600.0).max(1800.0);
        let feeds = (BURN_IN_DAYS * DAY_S / interval_s).ceil() as u32;
        let start = -before_s
            - self.params.hours_since_last_removal * 3600.0
            - f64::from(feeds - 1) * interval_s
            - ROUTINE_DURATION_S;
        self.time_s = start;
        for b in &mut self.breasts {
            b.alveolar_ml = 0.5 * self.params.storage_capacity_ml;
        }
        for k in 0..feeds {
            // A routine feed: stimulus for its duration, then its share of the milk is removed.
            let mut left = ROUTINE_DURATION_S;
            while left > 0.0 {
                let h = left.min(30.0);
                self.slow_update(h, ROUTINE_DRIVE_STRETCH_PER_S * h);
                self.time_s += h;
                left -= h;
            }
            for b in &mut self.breasts {
                b.remove_share(ROUTINE_REMOVAL_SHARE);
            }
            let gap = if k + 1 < feeds {
                interval_s - ROUTINE_DURATION_S
            } else {
                -before_s - self.time_s
            };
            self.rest(gap.max(0.0));
        }
    }

    /// One step of a session (a few control ticks, §7.7): stimulus, oxytocin, ejection, removal
    /// (§13–§16). A `None`
    /// side has nothing on it (single pumping, or the other breast during a feed).
    #[inline]
    pub fn step(&mut self, dt_s: f64, nipples: &[Option<Nipple>; 2]) -> &MotherOutputs {
        let mut stimulus = 0.0;
        let mut comfort: f64 = 1.0;
        for (k, n) in nipples.iter().enumerate() {
            match n {
                Some(n) => {
                    stimulus +=
                        self.receptors[k].step(n.vacuum_mmhg) + n.tactile_stretch_per_s * dt_s;
                    comfort = crate::ordered::min(comfort, n.comfort);
                }
                None => self.receptors[k].release(),
            }
        }
        let inhibition = oxytocin::inhibition_factor(self.params.stress, comfort);
        let pulse = self
            .oxytocin
            .step(dt_s, stimulus * inhibition, &mut self.rng);
        let contraction = self.oxytocin.contraction();
        // An ejection is bilateral; milk leaves only where there is suction.
        for (k, n) in nipples.iter().enumerate() {
            let (v, open) = n.map_or((0.0, 0.0), |n| (n.mean_vacuum_mmhg, n.duct_openness));
            self.breasts[k].step(dt_s, contraction, v, open);
        }
        self.time_s += dt_s;
        self.slow_pending_s += dt_s;
        self.slow_stimulus += stimulus;
        if self.slow_pending_s >= SLOW_STEP_S {
            let (h, s) = (self.slow_pending_s, self.slow_stimulus);
            self.slow_pending_s = 0.0;
            self.slow_stimulus = 0.0;
            self.slow_update(h, s);
        }
        self.refresh_outputs(pulse);
        &self.out
    }

    /// The receptors of `side` register the vacuum of a control tick between the mother's steps
    /// (§7.7): they respond to every change, while the rest of her steps every few ticks.
    #[inline(always)]
    pub fn sense(&mut self, side: usize, vacuum_mmhg: f64) {
        self.receptors[side].sense(vacuum_mmhg);
    }

    /// [`Self::sense`] for both sides at one vacuum (a double kit built alike): the stretch is
    /// computed once.
    #[inline(always)]
    pub fn sense_both(&mut self, vacuum_mmhg: f64) {
        let x = stimulus::stretch(vacuum_mmhg);
        for r in &mut self.receptors {
            r.sense_stretch(x);
        }
    }

    /// Swaps her left and right breasts: their milk, secretory capacity and nipple receptors (and
    /// the per-breast outputs). The plant's one-shield kit always sits on its first chamber; a
    /// course pumps the right breast with it by presenting the mother mirrored and swapping back
    /// afterwards (docs/model.md §13). Hormones are systemic and stay as they are.
    pub fn swap_breasts(&mut self) {
        self.breasts.swap(0, 1);
        self.secretory.swap(0, 1);
        self.receptors.swap(0, 1);
        let o = &mut self.out;
        o.milk_flow_ml_min.swap(0, 1);
        o.milk_removed_ml.swap(0, 1);
        o.milk_stored_ml.swap(0, 1);
    }

    /// Prolactin, synthesis and capacity over `h` s with `stimulus` stretch units delivered in it.
    fn slow_update(&mut self, h: f64, stimulus: f64) {
        self.suckling.step(h, stimulus);
        let ctx = ProlactinContext {
            months_postpartum: self.months_postpartum(),
            suckling: self.suckling.level(),
            circadian: prolactin::circadian(self.hour_of_day()),
            galactagogue_factor: self.params.galactagogue_prolactin_factor,
        };
        self.prolactin.step(h, stimulus / h, &ctx);
        let prl = self.prolactin.plasma_ng_ml();
        for (b, s) in self.breasts.iter_mut().zip(&mut self.secretory) {
            let fullness = b.fullness();
            s.step(h, prl, fullness);
            b.synthesise(h, s.synthesis_ml_s(fullness), s.resorption_per_s());
        }
    }

    /// Advances `duration_s` with nothing on either breast (between sessions), in steps of at most
    /// a minute.
    pub fn rest(&mut self, duration_s: f64) {
        if self.slow_pending_s > 0.0 {
            let (h, s) = (self.slow_pending_s, self.slow_stimulus);
            self.slow_pending_s = 0.0;
            self.slow_stimulus = 0.0;
            self.slow_update(h, s);
        }
        for r in &mut self.receptors {
            r.release();
        }
        if duration_s > 0.0 {
            self.oxytocin
                .set_months_postpartum(self.months_postpartum());
            self.oxytocin.redraw_threshold(&mut self.rng);
        }
        let mut left = duration_s;
        while left > 0.0 {
            let h = left.min(REST_STEP_S);
            for b in &mut self.breasts {
                b.settle(h);
            }
            self.oxytocin.relax(h);
            self.slow_update(h, 0.0);
            self.time_s += h;
            left -= h;
        }
        self.refresh_outputs(false);
    }

    fn refresh_outputs(&mut self, pulse: bool) {
        let o = &mut self.out;
        for (k, b) in self.breasts.iter().enumerate() {
            o.milk_flow_ml_min[k] = b.flow_ml_s * 60.0;
            o.milk_removed_ml[k] = b.removed_ml;
            o.milk_stored_ml[k] = b.stored_ml();
        }
        o.oxytocin_pg_ml = self.oxytocin.plasma_pg_ml();
        o.prolactin_ng_ml = self.prolactin.plasma_ng_ml();
        o.contraction = self.oxytocin.contraction();
        o.ejection_started = pulse;
        o.ejections += u32::from(pulse);
    }

    pub fn outputs(&self) -> &MotherOutputs {
        &self.out
    }

    pub fn params(&self) -> &MotherParams {
        &self.params
    }

    /// Time since the start of the run, s.
    pub fn time_s(&self) -> f64 {
        self.time_s
    }

    /// Hours after midnight now.
    pub fn hour_of_day(&self) -> f64 {
        (self.params.clock_start_h + self.time_s / 3600.0).rem_euclid(24.0)
    }

    /// The infant's age now, months.
    pub fn months_postpartum(&self) -> f64 {
        (self.params.months_postpartum + self.time_s / MONTH_S).max(0.0)
    }

    pub fn breast(&self, side: usize) -> &Breast {
        &self.breasts[side]
    }

    pub fn secretory(&self, side: usize) -> &Secretory {
        &self.secretory[side]
    }

    /// Milk in both breasts, mL.
    pub fn stored_ml(&self) -> f64 {
        self.breasts.iter().map(Breast::stored_ml).sum()
    }

    /// Debug view of the oxytocin system.
    pub fn oxytocin_debug(&self) -> String {
        format!("{:?}", self.oxytocin)
    }

    /// Surge of prolactin above baseline now, ng/mL.
    pub fn prolactin_surge_ng_ml(&self) -> f64 {
        self.prolactin.surge_ng_ml()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pumping-like stimulation: a square wave between 0 and `vacuum` at `cpm`, on both sides.
    fn session(m: &mut Mother, minutes: f64, vacuum: f64, cpm: f64) -> f64 {
        let dt = 1e-3;
        let before = m.breast(0).removed_ml + m.breast(1).removed_ml;
        for k in 0..(minutes * 60.0 / dt) as u64 {
            let phase = (k as f64 * dt * cpm / 60.0).fract();
            let v = if phase < 0.5 { vacuum } else { 0.0 };
            let n = Some(Nipple {
                vacuum_mmhg: v,
                mean_vacuum_mmhg: v,
                duct_openness: 1.0,
                comfort: 1.0,
                tactile_stretch_per_s: 0.0,
            });
            m.step(dt, &[n, n]);
        }
        m.breast(0).removed_ml + m.breast(1).removed_ml - before
    }

    fn weaned(galactagogue: f64) -> Mother {
        let p = MotherParams {
            lactation: LactationState::Weaned,
            days_weaned: 28.0,
            galactagogue_prolactin_factor: galactagogue,
            clock_start_h: 0.0,
            ..MotherParams::default()
        };
        Mother::new(&p, 5).unwrap()
    }

    /// Eight 10-minute sessions a day for `days`; the milk removed on the last day.
    fn course(m: &mut Mother, days: u32) -> f64 {
        let mut last = 0.0;
        for day in 0..days {
            last = 0.0;
            for s in 0..8 {
                let start = f64::from(day) * DAY_S + f64::from(s) * 3.0 * 3600.0;
                m.rest((start - m.time_s()).max(0.0));
                last += session(m, 10.0, 190.0, 54.0);
            }
        }
        last
    }

    #[test]
    fn a_weaned_breast_is_empty_and_inactive_and_stimulation_restarts_it() {
        let mut m = weaned(1.0);
        assert!(m.stored_ml() < 1.0, "{}", m.stored_ml());
        assert!(m.secretory(0).capacity_ml_h() < 0.01);
        let day12 = course(&mut m, 12);
        assert!(day12 > 20.0, "{day12} mL on day 12");
    }

    #[test]
    fn a_galactagogue_brings_relactation_forward() {
        let (mut plain, mut drug) = (weaned(1.0), weaned(3.0));
        let (a, b) = (course(&mut plain, 9), course(&mut drug, 9));
        assert!(b > a, "galactagogue {b} mL vs none {a} mL on day 9");
    }

    /// Pumping the right breast is pumping the left of the mirrored mother, bit for bit (with
    /// the other side at another vacuum, then bare).
    #[test]
    fn a_swapped_mother_pumped_on_the_left_is_the_mother_pumped_on_the_right() {
        let p = MotherParams {
            clock_start_h: 0.0,
            ..MotherParams::default()
        };
        let mut right = Mother::new(&p, 9).unwrap();
        // Unequal breasts, so that a swap that forgot a part would show.
        right.breasts[0].alveolar_ml *= 0.5;
        right.secretory[1] = Secretory::never_lactated();
        let n = |v: f64| {
            Some(Nipple {
                vacuum_mmhg: v,
                mean_vacuum_mmhg: v,
                duct_openness: 0.8,
                comfort: 0.9,
                tactile_stretch_per_s: 0.0,
            })
        };
        // Receptors in different states, too.
        right.step(1e-3, &[n(150.0), n(30.0)]);
        let mut mirrored = right.clone();
        mirrored.swap_breasts();
        let same = |right: &Mother, mirrored: &Mother| {
            let mut m = mirrored.clone();
            m.swap_breasts();
            for k in 0..2 {
                assert_eq!(right.breast(k), m.breast(k), "breast {k}");
                assert_eq!(right.secretory(k), m.secretory(k), "secretory {k}");
                assert_eq!(right.receptors[k], m.receptors[k], "receptor {k}");
            }
            assert_eq!(right.outputs(), m.outputs());
        };
        for k in 0..300_000u32 {
            let v = if (k / 550) % 2 == 0 { 190.0 } else { 5.0 };
            right.step(1e-3, &[n(40.0), n(v)]);
            mirrored.step(1e-3, &[n(v), n(40.0)]);
        }
        same(&right, &mirrored);
        for k in 0..300_000u32 {
            let v = if (k / 550) % 2 == 0 { 190.0 } else { 5.0 };
            right.step(1e-3, &[None, n(v)]);
            mirrored.step(1e-3, &[n(v), None]);
        }
        same(&right, &mirrored);
        right.rest(3600.0);
        mirrored.rest(3600.0);
        same(&right, &mirrored);
        assert!(right.breast(1).removed_ml > 1.0, "{:?}", right.breast(1));
    }

    #[test]
    fn milk_is_conserved_over_days() {
        let mut m = Mother::new(&MotherParams::default(), 2).unwrap();
        let start = [m.breast(0).stored_ml(), m.breast(1).stored_ml()];
        course(&mut m, 10);
        for (k, initial) in start.iter().enumerate() {
            let b = m.breast(k);
            let balance = initial + b.synthesised_ml - b.resorbed_ml - b.removed_ml - b.stored_ml();
            assert!(balance.abs() < 1e-6, "breast {k}: {balance}");
        }
    }

    #[test]
    fn an_established_supply_follows_demand() {
        let p = MotherParams {
            clock_start_h: 0.0,
            ..MotherParams::default()
        };
        let (mut often, mut rarely) = (Mother::new(&p, 1).unwrap(), Mother::new(&p, 1).unwrap());
        let daily = |m: &mut Mother, per_day: u32| {
            let mut total = 0.0;
            for day in 0..5 {
                total = 0.0;
                for s in 0..per_day {
                    let start = f64::from(day) * DAY_S + f64::from(s) * DAY_S / f64::from(per_day);
                    m.rest((start - m.time_s()).max(0.0));
                    total += session(m, 15.0, 190.0, 54.0);
                }
            }
            total
        };
        let (a, b) = (daily(&mut often, 8), daily(&mut rarely, 3));
        assert!(a > b * 1.3, "8 a day: {a} mL/day; 3 a day: {b} mL/day");
    }
}
