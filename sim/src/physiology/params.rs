//! What a scenario (or a study) says about the mother: lactation state, infant age, gap since
//! weaning, stress, a galactagogue, breast storage capacity, time of day. Model constants are not
//! here: one set of constants serves every calibration target (docs/model.md §13–§18), so a scenario
//! can only describe the mother and her situation, never retune the model.

use crate::params::ParamError;

/// Where the mother is in her lactation when the scenario starts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "snake_case")
)]
pub enum LactationState {
    /// Breastfeeding or expressing with a healthy supply, `months_postpartum` after the birth.
    #[default]
    Established,
    /// A prior supply stopped completely `days_weaned` days ago (relactation).
    Weaned,
    /// Never lactated (induced lactation, e.g. an adoptive mother).
    Never,
}

/// `[plant.mother]`: the mother and her situation.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields, default)
)]
pub struct MotherParams {
    /// Lactation state at the start: `established`, `weaned` or `never`. Default established.
    pub lactation: LactationState,
    /// Months since the birth (the infant's age), 0..=36. Default 3.
    pub months_postpartum: f64,
    /// Days since milk removal stopped completely, for `lactation = "weaned"`, 0..=730. Default 0.
    pub days_weaned: f64,
    /// Hours since the last milk removal when the run starts (established lactation), 0..=24.
    /// Default 4 (a mother expressing or feeding six times a day).
    pub hours_since_last_removal: f64,
    /// Psychological stress during sessions, 0 calm .. 1 as stressed as the mental-arithmetic or
    /// noise conditions of Ueda 1994. Default 0.
    pub stress: f64,
    /// Factor a galactagogue applies to baseline prolactin (1 = none; domperidone in a responder
    /// about 2–4; a non-responder 1). Default 1.
    pub galactagogue_prolactin_factor: f64,
    /// Storage capacity of each breast, mL (CALIBRATION M3: 209.9 ± 11.0). Default 210.
    pub storage_capacity_ml: f64,
    /// Time of day at the start of the run, hours after midnight, 0..24. Default 9.
    pub clock_start_h: f64,
}

impl Default for MotherParams {
    fn default() -> Self {
        Self {
            lactation: LactationState::Established,
            months_postpartum: 3.0,
            days_weaned: 0.0,
            hours_since_last_removal: 4.0,
            stress: 0.0,
            galactagogue_prolactin_factor: 1.0,
            storage_capacity_ml: 210.0,
            clock_start_h: 9.0,
        }
    }
}

impl MotherParams {
    /// Every problem with these parameters, keyed below `mother.`.
    pub fn validate(&self) -> Vec<ParamError> {
        let mut errors = Vec::new();
        let mut range = |key: &str, value: f64, lo: f64, hi: f64, reason: &'static str| {
            if !value.is_finite() || !(lo..=hi).contains(&value) {
                errors.push(ParamError {
                    key: format!("mother.{key}"),
                    value,
                    reason,
                });
            }
        };
        range(
            "months_postpartum",
            self.months_postpartum,
            0.0,
            36.0,
            "must be between 0 and 36 months",
        );
        range(
            "days_weaned",
            self.days_weaned,
            0.0,
            730.0,
            "must be between 0 and 730 days",
        );
        range(
            "hours_since_last_removal",
            self.hours_since_last_removal,
            0.0,
            24.0,
            "must be between 0 and 24 h",
        );
        range("stress", self.stress, 0.0, 1.0, "must be between 0 and 1");
        range(
            "galactagogue_prolactin_factor",
            self.galactagogue_prolactin_factor,
            0.2,
            10.0,
            "must be between 0.2 and 10",
        );
        range(
            "storage_capacity_ml",
            self.storage_capacity_ml,
            30.0,
            600.0,
            "must be between 30 and 600 mL",
        );
        range(
            "clock_start_h",
            self.clock_start_h,
            0.0,
            24.0,
            "must be between 0 and 24 h",
        );
        errors
    }
}
