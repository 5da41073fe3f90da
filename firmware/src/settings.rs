//! Controller settings: every tunable number as an integer with its unit, their defaults, and the
//! validation [`crate::Controller::new`] runs before accepting them.

use core::fmt;

/// Vacuum can never exceed one atmosphere below ambient, mmHg.
pub const ATMOSPHERE_MMHG: u16 = 760;
/// Largest reading a 12-bit ADC can produce, counts.
pub const ADC_MAX_COUNTS: u16 = 4095;
/// A cycle must span at least this many ticks, so that pull/rise percentages resolve.
pub const MIN_CYCLE_TICKS: u32 = 100;

/// All controller settings. `Default` gives the reference pump's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields, default)
)]
pub struct Settings {
    /// Control tick rate, Hz (ticks per second). Default 1000.
    pub tick_hz: u16,
    /// Pressure-transducer calibration.
    pub sensor: SensorCalibration,
    /// Stimulation (let-down) phase profile. A partial table fills from the stimulation defaults.
    pub stimulation: PhaseProfile,
    /// Expression phase profile. A partial table fills from the expression defaults.
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "expression_serde::deserialize")
    )]
    pub expression: PhaseProfile,
    /// Program flow: start phase, automatic switch, power-up behaviour.
    pub program: ProgramSettings,
    /// Vacuum loop gains.
    pub control: ControlGains,
    /// Safety supervisor limits.
    pub supervisor: SupervisorSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            tick_hz: 1000,
            sensor: SensorCalibration::default(),
            stimulation: PhaseProfile::STIMULATION_DEFAULT,
            expression: PhaseProfile::EXPRESSION_DEFAULT,
            program: ProgramSettings::default(),
            control: ControlGains::default(),
            supervisor: SupervisorSettings::default(),
        }
    }
}

/// Linear calibration of the vacuum transducer:
/// `vacuum_dmmhg = (counts - zero_counts) * 10_000 / counts_per_mmhg_milli`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields, default)
)]
pub struct SensorCalibration {
    /// Reading at zero vacuum (atmosphere), counts. Default 248.
    pub zero_counts: u16,
    /// Sensitivity, thousandths of a count per mmHg of vacuum (9930 = 9.930 counts/mmHg). Default 9930.
    pub counts_per_mmhg_milli: u32,
    /// Lowest plausible reading, counts; below it the sensor is out of range. Default 100.
    pub valid_min_counts: u16,
    /// Highest plausible reading, counts; above it the sensor is out of range. Default 4000.
    pub valid_max_counts: u16,
}

impl Default for SensorCalibration {
    fn default() -> Self {
        SensorCalibration {
            zero_counts: 248,
            counts_per_mmhg_milli: 9930,
            valid_min_counts: 100,
            valid_max_counts: 4000,
        }
    }
}

/// The suction profile of one program phase. `Default` is the stimulation profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields, default)
)]
pub struct PhaseProfile {
    /// Cycle rate, cycles per minute. Stimulation 110, expression 54.
    pub cycles_per_min: u16,
    /// Starting vacuum level, mmHg. Stimulation 80, expression 190.
    pub vacuum_mmhg: u16,
    /// Lowest level the user can select, mmHg. Stimulation 30, expression 50.
    pub min_vacuum_mmhg: u16,
    /// Highest level the user can select, mmHg. Stimulation 150, expression 250.
    pub max_vacuum_mmhg: u16,
    /// Level change per LEVEL_UP / LEVEL_DOWN press, mmHg (0 locks the level). Both 10.
    pub level_step_mmhg: u16,
    /// Share of the cycle spent pulling, percent (1..=99); the rest is release. Both 50.
    pub pull_percent: u8,
    /// Share of the pull window over which the target ramps linearly from 0 to the level,
    /// percent (0..=100; 0 = step). Stimulation 40, expression 50.
    pub rise_percent: u8,
}

impl PhaseProfile {
    /// Reference stimulation profile: 110 cpm, 80 mmHg (30..=150, step 10), pull 50 %, rise 40 %.
    pub const STIMULATION_DEFAULT: PhaseProfile = PhaseProfile {
        cycles_per_min: 110,
        vacuum_mmhg: 80,
        min_vacuum_mmhg: 30,
        max_vacuum_mmhg: 150,
        level_step_mmhg: 10,
        pull_percent: 50,
        rise_percent: 40,
    };

    /// Reference expression profile: 54 cpm, 190 mmHg (50..=250, step 10), pull 50 %, rise 50 %.
    pub const EXPRESSION_DEFAULT: PhaseProfile = PhaseProfile {
        cycles_per_min: 54,
        vacuum_mmhg: 190,
        min_vacuum_mmhg: 50,
        max_vacuum_mmhg: 250,
        level_step_mmhg: 10,
        pull_percent: 50,
        rise_percent: 50,
    };
}

impl Default for PhaseProfile {
    fn default() -> Self {
        PhaseProfile::STIMULATION_DEFAULT
    }
}

/// Which phase a POWER press starts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "snake_case")
)]
pub enum StartPhase {
    /// Start with stimulation, then switch to expression.
    #[default]
    Stimulation,
    /// Start directly with expression.
    Expression,
}

/// Program flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields, default)
)]
pub struct ProgramSettings {
    /// Phase a POWER press starts. Default stimulation.
    pub start_phase: StartPhase,
    /// Stimulation switches to expression after this long, seconds; 0 = never automatically,
    /// only on the LETDOWN button. Default 120.
    pub stimulation_max_s: u16,
    /// `true`: start the start phase on power-up; `false`: wait in Idle for a POWER press.
    /// Default false.
    pub start_on_power_up: bool,
}

impl Default for ProgramSettings {
    fn default() -> Self {
        ProgramSettings {
            start_phase: StartPhase::Stimulation,
            stimulation_max_s: 120,
            start_on_power_up: false,
        }
    }
}

/// Gains of the vacuum loop:
/// `duty = clamp(ff * target + kp * error + integral, 0, max_duty)`, errors in mmHg.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields, default)
)]
pub struct ControlGains {
    /// Proportional gain, permille duty per mmHg of error. Default 20.
    pub kp_permille_per_mmhg: u16,
    /// Integral gain, permille duty per mmHg of error per second. Default 20.
    pub ki_permille_per_mmhg_s: u16,
    /// Feedforward, permille duty per mmHg of target. Default 0: a sealed kit needs almost no
    /// flow to hold a level, so a level-proportional feedforward only overshoots.
    pub feedforward_permille_per_mmhg: u16,
    /// Lead: the loop acts on the reading predicted this far ahead from its recent rate of
    /// change, ms. It anticipates the motor coasting on after the duty drops (the pump's
    /// mechanical time constant). 0 = plain PI. Default 25.
    pub lead_ms: u16,
    /// Highest duty the loop may command, permille (0..=1000). Default 1000.
    pub max_duty_permille: u16,
}

impl Default for ControlGains {
    fn default() -> Self {
        ControlGains {
            kp_permille_per_mmhg: 20,
            ki_permille_per_mmhg_s: 20,
            feedforward_permille_per_mmhg: 0,
            lead_ms: 25,
            max_duty_permille: 1000,
        }
    }
}

/// Safety supervisor limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields, default)
)]
pub struct SupervisorSettings {
    /// Vacuum the reading must not stay above, mmHg; above every phase's max level and at most
    /// 760. Default 275.
    pub max_vacuum_mmhg: u16,
    /// Trip OverVacuum when the reading stays above `max_vacuum_mmhg` this long, ms. Default 20.
    pub over_vacuum_ms: u16,
    /// Stuck-sensor window: ticks on which the reading must move (pump pulling hard, or valve
    /// venting a vacuum) accumulated while the reading stays flat, ms (at least 1). Default 300.
    pub stuck_window_ms: u16,
    /// Duty at or above which the reading must move (the pump is pulling), permille; above
    /// `max_duty_permille` disables this half of the check. Default 500.
    pub stuck_min_duty_permille: u16,
    /// Reading at or above which it must fall while the release valve is open (the kit is
    /// venting), mmHg; 0 disables this half of the check. Default 20.
    pub stuck_vent_min_vacuum_mmhg: u16,
    /// Trip SensorStuck when the reading's range (max - min) over the window stays at or below
    /// this, 0.1 mmHg. Default 20 (2 mmHg).
    pub stuck_max_change_dmmhg: u16,
    /// Trip SensorOutOfRange when the counts stay outside the valid range this long, ms. Default 10.
    pub out_of_range_ms: u16,
}

impl Default for SupervisorSettings {
    fn default() -> Self {
        SupervisorSettings {
            max_vacuum_mmhg: 275,
            over_vacuum_ms: 20,
            stuck_window_ms: 300,
            stuck_min_duty_permille: 500,
            stuck_vent_min_vacuum_mmhg: 20,
            stuck_max_change_dmmhg: 20,
            out_of_range_ms: 10,
        }
    }
}

/// A rejected setting: which field (dotted path, e.g. `expression.min_vacuum_mmhg`) and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SettingsError {
    /// Dotted path of the offending field.
    pub field: &'static str,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid setting `{}`: {}", self.field, self.reason)
    }
}

impl core::error::Error for SettingsError {}

fn err(field: &'static str, reason: &'static str) -> Result<(), SettingsError> {
    Err(SettingsError { field, reason })
}

/// Names a field of the stimulation or expression profile.
macro_rules! phase_field {
    ($which:expr, $name:literal) => {
        match $which {
            StartPhase::Stimulation => concat!("stimulation.", $name),
            StartPhase::Expression => concat!("expression.", $name),
        }
    };
}

impl Settings {
    /// Checks every constraint; the first violation is returned.
    pub fn validate(&self) -> Result<(), SettingsError> {
        if self.tick_hz == 0 {
            return err("tick_hz", "must be at least 1 Hz");
        }
        self.validate_sensor()?;
        validate_phase(&self.stimulation, StartPhase::Stimulation, self.tick_hz)?;
        validate_phase(&self.expression, StartPhase::Expression, self.tick_hz)?;
        if self.control.max_duty_permille > 1000 {
            return err("control.max_duty_permille", "must not exceed 1000");
        }
        let sup = &self.supervisor;
        if sup.max_vacuum_mmhg > ATMOSPHERE_MMHG {
            return err(
                "supervisor.max_vacuum_mmhg",
                "cannot exceed one atmosphere (760 mmHg)",
            );
        }
        if sup.max_vacuum_mmhg <= self.stimulation.max_vacuum_mmhg
            || sup.max_vacuum_mmhg <= self.expression.max_vacuum_mmhg
        {
            return err(
                "supervisor.max_vacuum_mmhg",
                "must be above every phase's max_vacuum_mmhg",
            );
        }
        if sup.stuck_window_ms == 0 {
            return err("supervisor.stuck_window_ms", "must be at least 1 ms");
        }
        Ok(())
    }

    fn validate_sensor(&self) -> Result<(), SettingsError> {
        let s = &self.sensor;
        if s.counts_per_mmhg_milli == 0 {
            return err("sensor.counts_per_mmhg_milli", "must be above zero");
        }
        if s.zero_counts > ADC_MAX_COUNTS {
            return err(
                "sensor.zero_counts",
                "must be within the 12-bit ADC range 0..=4095",
            );
        }
        if s.valid_max_counts > ADC_MAX_COUNTS {
            return err(
                "sensor.valid_max_counts",
                "must be within the 12-bit ADC range 0..=4095",
            );
        }
        if s.valid_min_counts > s.valid_max_counts {
            return err(
                "sensor.valid_min_counts",
                "must not exceed valid_max_counts",
            );
        }
        Ok(())
    }
}

fn validate_phase(p: &PhaseProfile, which: StartPhase, tick_hz: u16) -> Result<(), SettingsError> {
    if p.cycles_per_min == 0 {
        return err(phase_field!(which, "cycles_per_min"), "must be above zero");
    }
    let ticks_per_min = u32::from(tick_hz).saturating_mul(60);
    if u32::from(p.cycles_per_min).saturating_mul(MIN_CYCLE_TICKS) > ticks_per_min {
        return err(
            phase_field!(which, "cycles_per_min"),
            "too fast for tick_hz: a cycle must span at least 100 ticks",
        );
    }
    if p.min_vacuum_mmhg > p.max_vacuum_mmhg {
        return err(
            phase_field!(which, "min_vacuum_mmhg"),
            "must not exceed max_vacuum_mmhg",
        );
    }
    if p.vacuum_mmhg < p.min_vacuum_mmhg || p.vacuum_mmhg > p.max_vacuum_mmhg {
        return err(
            phase_field!(which, "vacuum_mmhg"),
            "must lie within [min_vacuum_mmhg, max_vacuum_mmhg]",
        );
    }
    if !(1..=99).contains(&p.pull_percent) {
        return err(phase_field!(which, "pull_percent"), "must be in 1..=99");
    }
    if p.rise_percent > 100 {
        return err(phase_field!(which, "rise_percent"), "must be in 0..=100");
    }
    Ok(())
}

/// Deserializes the expression profile so that fields missing from a partial table take the
/// expression defaults, not [`PhaseProfile::default`] (which is the stimulation profile).
#[cfg(feature = "serde")]
mod expression_serde {
    use super::PhaseProfile;

    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields, default)]
    struct ExpressionProfile {
        cycles_per_min: u16,
        vacuum_mmhg: u16,
        min_vacuum_mmhg: u16,
        max_vacuum_mmhg: u16,
        level_step_mmhg: u16,
        pull_percent: u8,
        rise_percent: u8,
    }

    impl Default for ExpressionProfile {
        fn default() -> Self {
            let d = PhaseProfile::EXPRESSION_DEFAULT;
            ExpressionProfile {
                cycles_per_min: d.cycles_per_min,
                vacuum_mmhg: d.vacuum_mmhg,
                min_vacuum_mmhg: d.min_vacuum_mmhg,
                max_vacuum_mmhg: d.max_vacuum_mmhg,
                level_step_mmhg: d.level_step_mmhg,
                pull_percent: d.pull_percent,
                rise_percent: d.rise_percent,
            }
        }
    }

    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> Result<PhaseProfile, D::Error> {
        let e = <ExpressionProfile as serde::Deserialize>::deserialize(deserializer)?;
        Ok(PhaseProfile {
            cycles_per_min: e.cycles_per_min,
            vacuum_mmhg: e.vacuum_mmhg,
            min_vacuum_mmhg: e.min_vacuum_mmhg,
            max_vacuum_mmhg: e.max_vacuum_mmhg,
            level_step_mmhg: e.level_step_mmhg,
            pull_percent: e.pull_percent,
            rise_percent: e.rise_percent,
        })
    }
}
