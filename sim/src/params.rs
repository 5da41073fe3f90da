//! Plant parameters as a scenario states them: practical units in every field name (mL, mm, mmHg,
//! g·cm²), documented defaults, and validation that names the offending key. `Plant::new` turns
//! them into SI. Sources and the reasoning behind each default: docs/model.md §10.

use crate::flange::FitModel;

macro_rules! serde_struct {
    ($(#[$m:meta])* pub struct $name:ident { $($body:tt)* }) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        #[cfg_attr(feature = "serde", serde(deny_unknown_fields, default))]
        pub struct $name { $($body)* }
    };
}

serde_struct! {
    /// Everything the plant needs, grouped by physical part.
    #[derive(Default)]
    pub struct PlantParams {
        pub ambient: AmbientParams,
        pub motor: MotorParams,
        pub pump: PumpParams,
        pub kit: KitParams,
        pub release_valve: ReleaseValveParams,
        pub relief_valve: ReliefValveParams,
        /// Left shield (always present).
        pub left: SideParams,
        /// Right shield (used when `kit.shields = 2`).
        pub right: SideParams,
        pub fit: FitParams,
        pub sensor: SensorParams,
        pub integration: IntegrationParams,
        /// The mother: lactation state, stress, galactagogue, storage capacity (docs/model.md §13–§18).
        pub mother: crate::physiology::MotherParams,
    }
}

serde_struct! {
    pub struct AmbientParams {
        /// Atmospheric pressure, kPa (default: standard atmosphere).
        pub pressure_kpa: f64,
        /// Air temperature in the kit, °C.
        pub temperature_c: f64,
    }
}

serde_struct! {
    /// Brushed DC motor and its supply. Plausible values for a 12 V pump motor (modelling choice).
    pub struct MotorParams {
        pub supply_v: f64,
        pub resistance_ohm: f64,
        /// Torque constant (= back-EMF constant in SI), N·m/A.
        pub torque_constant_nm_per_a: f64,
        /// Rotor + eccentric + diaphragm inertia, g·cm².
        pub inertia_g_cm2: f64,
        pub viscous_friction_nm_s: f64,
        pub coulomb_friction_nm: f64,
    }
}

serde_struct! {
    /// Diaphragm pump head (modelling choice: no published stroke or dead volume for breast pumps).
    pub struct PumpParams {
        /// Swept volume per motor revolution, mL.
        pub stroke_volume_ml: f64,
        /// Clearance (dead) volume left at the end of the stroke, mL.
        pub dead_volume_ml: f64,
        /// Polytropic exponent of compression and re-expansion (1 = isothermal).
        pub polytropic_exponent: f64,
    }
}

serde_struct! {
    /// Collection kit: manifold in the pump, tubing, shields (modelling choice, no published volumes).
    pub struct KitParams {
        /// 1 = single pumping (left only), 2 = double pumping.
        pub shields: u8,
        /// Pump head, manifold and transducer port, mL.
        pub manifold_volume_ml: f64,
        /// Each tube from the manifold to a shield: length, m, and bore, mm.
        pub tube_length_m: f64,
        pub tube_inner_diameter_mm: f64,
    }
}

serde_struct! {
    /// Solenoid release valve on the manifold (plausible values for a small 2/2 valve).
    pub struct ReleaseValveParams {
        pub orifice_diameter_mm: f64,
        pub discharge_coefficient: f64,
        pub open_time_ms: f64,
        pub close_time_ms: f64,
    }
}

serde_struct! {
    /// Mechanical relief valve on the manifold: the last line of defence above the firmware's limit.
    pub struct ReliefValveParams {
        pub cracking_vacuum_mmhg: f64,
        pub full_open_vacuum_mmhg: f64,
        pub full_open_area_mm2: f64,
        pub discharge_coefficient: f64,
    }
}

serde_struct! {
    /// One side: the shield chamber and the breast it sits on.
    pub struct SideParams {
        /// Air volume of the shield and its connector with no tissue drawn in, mL (the duckbill
        /// valve closes under vacuum, so the bottle is not evacuated).
        pub chamber_volume_ml: f64,
        /// Shield tunnel diameter, mm (sizes sold: 21, 24, 27, 30, 36; CALIBRATION F2).
        pub tunnel_diameter_mm: f64,
        /// Nipple base diameter at rest, mm (23.4 ± 3.0; CALIBRATION F1).
        pub nipple_base_diameter_mm: f64,
        /// Nipple length at rest, mm (modelling choice).
        pub nipple_length_mm: f64,
        /// Fixed leak of the kit on this side (membrane, connectors), mm² of orifice (modelling choice).
        pub kit_leak_area_mm2: f64,
    }
}

serde_struct! {
    /// The fit hypothesis (docs/model.md §8). Anchored values cite CALIBRATION; the rest are choices.
    pub struct FitParams {
        /// Nipple widening at full suction, mm (F3).
        pub swell_max_mm: f64,
        /// Nipple length under full suction over length at rest (F3: about doubles).
        pub elongation_ratio: f64,
        /// Vacuum at which 63 % of the swelling has happened, mmHg (choice).
        pub swell_vacuum_scale_mmhg: f64,
        /// Largest recommended clearance between swollen nipple and tunnel, mm (F4).
        pub clearance_max_mm: f64,
        /// Depth of areola drawn in per mm of clearance beyond the recommended band, mm/mm (choice).
        pub areola_draw_mm_per_mm: f64,
        /// Seal leak with a good fit, mm² (choice).
        pub seal_leak_base_mm2: f64,
        /// Extra seal leak per mm of clearance beyond the recommended band, mm²/mm (choice).
        pub seal_leak_mm2_per_mm: f64,
        pub seal_leak_discharge_coefficient: f64,
        /// Squeeze or areola draw-in at which half the duct flow is lost (openness 0.5), mm (choice).
        pub compression_scale_mm: f64,
        /// Squeeze giving maximal pain, mm (choice).
        pub pain_compression_mm: f64,
        /// Areola draw-in giving maximal pain, mm (choice).
        pub pain_excess_mm: f64,
        /// Mother's maximum comfortable vacuum, mmHg (Kent 2008: about 190; S2: pain beyond ~200).
        pub comfortable_vacuum_mmhg: f64,
        /// Vacuum above the comfortable level at which pain is maximal, mmHg (choice).
        pub painful_vacuum_span_mmhg: f64,
    }
}

serde_struct! {
    /// Gauge vacuum transducer and ADC (plausible values for an MPXV6050-class part on 3.3 V).
    pub struct SensorParams {
        /// Output at zero vacuum, V.
        pub zero_v: f64,
        /// Sensitivity, mV per mmHg of vacuum.
        pub sensitivity_mv_per_mmhg: f64,
        /// Offset error added to the output, mV.
        pub offset_error_mv: f64,
        /// Gain error, % of sensitivity.
        pub gain_error_pct: f64,
        /// White noise on the output, mV RMS (seeded).
        pub noise_mv_rms: f64,
        /// First-order lag of the sensor and its anti-alias filter, ms.
        pub lag_ms: f64,
        pub adc_reference_v: f64,
        pub adc_bits: u8,
    }
}

serde_struct! {
    /// Numerical method settings (docs/model.md §7).
    pub struct IntegrationParams {
        /// Implicit substeps per control tick.
        pub substeps_per_tick: u32,
        /// Step of the mother's session model (stimulus, oxytocin, milk flow; §13–§16), ms,
        /// rounded to whole control ticks (at least one): her rates are below 1/s, so she needs
        /// no 1 kHz step (§7.7 gives the bound).
        pub mother_step_ms: f64,
    }
}

impl Default for AmbientParams {
    fn default() -> Self {
        Self {
            pressure_kpa: 101.325,
            temperature_c: 22.0,
        }
    }
}

impl Default for MotorParams {
    fn default() -> Self {
        Self {
            supply_v: 12.0,
            resistance_ohm: 4.0,
            torque_constant_nm_per_a: 0.012,
            inertia_g_cm2: 8.0,
            viscous_friction_nm_s: 1.0e-6,
            coulomb_friction_nm: 2.0e-3,
        }
    }
}

impl Default for PumpParams {
    fn default() -> Self {
        Self {
            stroke_volume_ml: 1.2,
            dead_volume_ml: 0.84,
            polytropic_exponent: 1.0,
        }
    }
}

impl Default for KitParams {
    fn default() -> Self {
        Self {
            shields: 2,
            manifold_volume_ml: 6.0,
            tube_length_m: 1.0,
            tube_inner_diameter_mm: 3.0,
        }
    }
}

impl Default for ReleaseValveParams {
    fn default() -> Self {
        Self {
            orifice_diameter_mm: 1.5,
            discharge_coefficient: 0.7,
            open_time_ms: 4.0,
            close_time_ms: 6.0,
        }
    }
}

impl Default for ReliefValveParams {
    fn default() -> Self {
        Self {
            cracking_vacuum_mmhg: 300.0,
            full_open_vacuum_mmhg: 320.0,
            full_open_area_mm2: 4.0,
            discharge_coefficient: 0.6,
        }
    }
}

impl Default for SideParams {
    fn default() -> Self {
        Self {
            chamber_volume_ml: 40.0,
            tunnel_diameter_mm: 27.0,
            nipple_base_diameter_mm: 23.4,
            nipple_length_mm: 10.0,
            kit_leak_area_mm2: 0.002,
        }
    }
}

impl Default for FitParams {
    fn default() -> Self {
        Self {
            swell_max_mm: 3.0,
            elongation_ratio: 2.0,
            swell_vacuum_scale_mmhg: 50.0,
            clearance_max_mm: 4.0,
            areola_draw_mm_per_mm: 0.8,
            seal_leak_base_mm2: 0.0,
            seal_leak_mm2_per_mm: 0.02,
            seal_leak_discharge_coefficient: 0.6,
            compression_scale_mm: 3.0,
            pain_compression_mm: 3.0,
            pain_excess_mm: 6.0,
            comfortable_vacuum_mmhg: 190.0,
            painful_vacuum_span_mmhg: 60.0,
        }
    }
}

impl Default for SensorParams {
    fn default() -> Self {
        Self {
            zero_v: 0.2,
            sensitivity_mv_per_mmhg: 8.0,
            offset_error_mv: 0.0,
            gain_error_pct: 0.0,
            noise_mv_rms: 1.0,
            lag_ms: 2.0,
            adc_reference_v: 3.3,
            adc_bits: 12,
        }
    }
}

/// Longest step of the mother's session model, ms: a tenth of her fastest time scale (the 1-s
/// slow update, §7.7), so an ejection's timing stays finer than anything she resolves.
pub const MAX_MOTHER_STEP_MS: f64 = 100.0;

impl Default for IntegrationParams {
    fn default() -> Self {
        Self {
            substeps_per_tick: 1,
            mother_step_ms: 10.0,
        }
    }
}

impl FitParams {
    /// The fit model for one side.
    pub fn model(&self, side: &SideParams) -> FitModel {
        FitModel {
            tunnel_diameter_mm: side.tunnel_diameter_mm,
            nipple_base_diameter_mm: side.nipple_base_diameter_mm,
            nipple_length_mm: side.nipple_length_mm,
            swell_max_mm: self.swell_max_mm,
            elongation_ratio: self.elongation_ratio,
            swell_vacuum_scale_mmhg: self.swell_vacuum_scale_mmhg,
            clearance_max_mm: self.clearance_max_mm,
            areola_draw_mm_per_mm: self.areola_draw_mm_per_mm,
            seal_leak_base_mm2: self.seal_leak_base_mm2,
            seal_leak_mm2_per_mm: self.seal_leak_mm2_per_mm,
            seal_leak_cd: self.seal_leak_discharge_coefficient,
            compression_scale_mm: self.compression_scale_mm,
            pain_compression_mm: self.pain_compression_mm,
            pain_excess_mm: self.pain_excess_mm,
            comfortable_vacuum_mmhg: self.comfortable_vacuum_mmhg,
            painful_vacuum_span_mmhg: self.painful_vacuum_span_mmhg,
        }
    }
}

/// A parameter the plant cannot run with, by its key path in the scenario (`plant.` omitted).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("`{key}` = {value}: {reason}")]
pub struct ParamError {
    /// Dotted key path, e.g. `left.chamber_volume_ml`.
    pub key: String,
    pub value: f64,
    pub reason: &'static str,
}

struct Checker(Vec<ParamError>);

impl Checker {
    fn finite(&mut self, key: &str, value: f64) -> bool {
        if value.is_finite() {
            true
        } else {
            self.0.push(ParamError {
                key: key.into(),
                value,
                reason: "must be a finite number",
            });
            false
        }
    }
    fn positive(&mut self, key: &str, value: f64) {
        if self.finite(key, value) && value <= 0.0 {
            self.0.push(ParamError {
                key: key.into(),
                value,
                reason: "must be greater than zero",
            });
        }
    }
    fn non_negative(&mut self, key: &str, value: f64) {
        if self.finite(key, value) && value < 0.0 {
            self.0.push(ParamError {
                key: key.into(),
                value,
                reason: "must not be negative",
            });
        }
    }
    /// A discharge coefficient: in (0, 1].
    fn coefficient(&mut self, key: &str, value: f64) {
        self.range(key, value, 0.01, 1.0, "must be in (0, 1]");
    }
    fn range(&mut self, key: &str, value: f64, lo: f64, hi: f64, reason: &'static str) {
        if self.finite(key, value) && !(lo..=hi).contains(&value) {
            self.0.push(ParamError {
                key: key.into(),
                value,
                reason,
            });
        }
    }
}

impl PlantParams {
    /// Every problem with these parameters (empty when the plant can run them).
    pub fn validate(&self) -> Vec<ParamError> {
        let mut c = Checker(Vec::new());
        c.range(
            "ambient.pressure_kpa",
            self.ambient.pressure_kpa,
            50.0,
            120.0,
            "must be between 50 and 120 kPa",
        );
        c.range(
            "ambient.temperature_c",
            self.ambient.temperature_c,
            -20.0,
            60.0,
            "must be between -20 and 60 °C",
        );
        let m = &self.motor;
        c.positive("motor.supply_v", m.supply_v);
        c.positive("motor.resistance_ohm", m.resistance_ohm);
        c.positive("motor.torque_constant_nm_per_a", m.torque_constant_nm_per_a);
        c.positive("motor.inertia_g_cm2", m.inertia_g_cm2);
        c.non_negative("motor.viscous_friction_nm_s", m.viscous_friction_nm_s);
        c.non_negative("motor.coulomb_friction_nm", m.coulomb_friction_nm);
        c.positive("pump.stroke_volume_ml", self.pump.stroke_volume_ml);
        c.non_negative("pump.dead_volume_ml", self.pump.dead_volume_ml);
        c.range(
            "pump.polytropic_exponent",
            self.pump.polytropic_exponent,
            1.0,
            1.4,
            "must be between 1 (isothermal) and 1.4 (adiabatic)",
        );
        if !(1..=2).contains(&self.kit.shields) {
            c.0.push(ParamError {
                key: "kit.shields".into(),
                value: self.kit.shields as f64,
                reason: "must be 1 or 2",
            });
        }
        c.positive("kit.manifold_volume_ml", self.kit.manifold_volume_ml);
        c.positive("kit.tube_length_m", self.kit.tube_length_m);
        c.positive(
            "kit.tube_inner_diameter_mm",
            self.kit.tube_inner_diameter_mm,
        );
        let rv = &self.release_valve;
        c.positive("release_valve.orifice_diameter_mm", rv.orifice_diameter_mm);
        c.coefficient(
            "release_valve.discharge_coefficient",
            rv.discharge_coefficient,
        );
        c.non_negative("release_valve.open_time_ms", rv.open_time_ms);
        c.non_negative("release_valve.close_time_ms", rv.close_time_ms);
        let rl = &self.relief_valve;
        c.positive("relief_valve.cracking_vacuum_mmhg", rl.cracking_vacuum_mmhg);
        if c.finite(
            "relief_valve.full_open_vacuum_mmhg",
            rl.full_open_vacuum_mmhg,
        ) && rl.full_open_vacuum_mmhg <= rl.cracking_vacuum_mmhg
        {
            c.0.push(ParamError {
                key: "relief_valve.full_open_vacuum_mmhg".into(),
                value: rl.full_open_vacuum_mmhg,
                reason: "must be above relief_valve.cracking_vacuum_mmhg",
            });
        }
        c.positive("relief_valve.full_open_area_mm2", rl.full_open_area_mm2);
        c.coefficient(
            "relief_valve.discharge_coefficient",
            rl.discharge_coefficient,
        );
        for (name, side) in [("left", &self.left), ("right", &self.right)] {
            c.positive(&format!("{name}.chamber_volume_ml"), side.chamber_volume_ml);
            c.range(
                &format!("{name}.tunnel_diameter_mm"),
                side.tunnel_diameter_mm,
                10.0,
                50.0,
                "must be between 10 and 50 mm",
            );
            c.range(
                &format!("{name}.nipple_base_diameter_mm"),
                side.nipple_base_diameter_mm,
                5.0,
                45.0,
                "must be between 5 and 45 mm",
            );
            c.range(
                &format!("{name}.nipple_length_mm"),
                side.nipple_length_mm,
                1.0,
                40.0,
                "must be between 1 and 40 mm",
            );
            c.non_negative(&format!("{name}.kit_leak_area_mm2"), side.kit_leak_area_mm2);
            // The tissue must leave air in the chamber.
            if self
                .fit
                .validate_side(side)
                .is_some_and(|v| v * 1e6 >= 0.8 * side.chamber_volume_ml)
            {
                c.0.push(ParamError {
                    key: format!("{name}.chamber_volume_ml"),
                    value: side.chamber_volume_ml,
                    reason: "too small for the tissue drawn in under vacuum (needs at least 1.25 × that volume)",
                });
            }
        }
        let f = &self.fit;
        c.non_negative("fit.swell_max_mm", f.swell_max_mm);
        c.range(
            "fit.elongation_ratio",
            f.elongation_ratio,
            1.0,
            4.0,
            "must be between 1 and 4",
        );
        c.positive("fit.swell_vacuum_scale_mmhg", f.swell_vacuum_scale_mmhg);
        c.non_negative("fit.clearance_max_mm", f.clearance_max_mm);
        c.non_negative("fit.areola_draw_mm_per_mm", f.areola_draw_mm_per_mm);
        c.non_negative("fit.seal_leak_base_mm2", f.seal_leak_base_mm2);
        c.non_negative("fit.seal_leak_mm2_per_mm", f.seal_leak_mm2_per_mm);
        c.coefficient(
            "fit.seal_leak_discharge_coefficient",
            f.seal_leak_discharge_coefficient,
        );
        c.positive("fit.compression_scale_mm", f.compression_scale_mm);
        c.positive("fit.pain_compression_mm", f.pain_compression_mm);
        c.positive("fit.pain_excess_mm", f.pain_excess_mm);
        c.positive("fit.comfortable_vacuum_mmhg", f.comfortable_vacuum_mmhg);
        c.positive("fit.painful_vacuum_span_mmhg", f.painful_vacuum_span_mmhg);
        let s = &self.sensor;
        c.finite("sensor.zero_v", s.zero_v);
        c.positive("sensor.sensitivity_mv_per_mmhg", s.sensitivity_mv_per_mmhg);
        c.finite("sensor.offset_error_mv", s.offset_error_mv);
        c.range(
            "sensor.gain_error_pct",
            s.gain_error_pct,
            -50.0,
            50.0,
            "must be between -50 and 50 %",
        );
        c.non_negative("sensor.noise_mv_rms", s.noise_mv_rms);
        c.non_negative("sensor.lag_ms", s.lag_ms);
        c.positive("sensor.adc_reference_v", s.adc_reference_v);
        if !(8..=16).contains(&s.adc_bits) {
            c.0.push(ParamError {
                key: "sensor.adc_bits".into(),
                value: s.adc_bits as f64,
                reason: "must be between 8 and 16",
            });
        }
        if !(1..=1000).contains(&self.integration.substeps_per_tick) {
            c.0.push(ParamError {
                key: "integration.substeps_per_tick".into(),
                value: self.integration.substeps_per_tick as f64,
                reason: "must be between 1 and 1000",
            });
        }
        let m = self.integration.mother_step_ms;
        if !(m > 0.0 && m <= MAX_MOTHER_STEP_MS) {
            c.0.push(ParamError {
                key: "integration.mother_step_ms".into(),
                value: m,
                reason: "must be above 0 and at most 100 ms",
            });
        }
        c.0.extend(self.mother.validate());
        c.0
    }
}

impl FitParams {
    /// Tissue volume at full suction for a side, m³, when the inputs are finite.
    fn validate_side(&self, side: &SideParams) -> Option<f64> {
        let v = self.model(side).tissue_volume_max_m3();
        v.is_finite().then_some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert_eq!(PlantParams::default().validate(), vec![]);
    }

    #[test]
    fn errors_name_the_key() {
        let mut p = PlantParams::default();
        p.left.chamber_volume_ml = -3.0;
        p.relief_valve.full_open_vacuum_mmhg = 250.0;
        p.sensor.noise_mv_rms = f64::NAN;
        let keys: Vec<_> = p.validate().into_iter().map(|e| e.key).collect();
        assert!(
            keys.contains(&"left.chamber_volume_ml".to_string()),
            "{keys:?}"
        );
        assert!(keys.contains(&"relief_valve.full_open_vacuum_mmhg".to_string()));
        assert!(keys.contains(&"sensor.noise_mv_rms".to_string()));
        for bad in [0.0, -1.0, 100.5, f64::NAN] {
            let mut p = PlantParams::default();
            p.integration.mother_step_ms = bad;
            let keys: Vec<_> = p.validate().into_iter().map(|e| e.key).collect();
            assert_eq!(keys, ["integration.mother_step_ms"], "{bad}");
        }
    }
}
