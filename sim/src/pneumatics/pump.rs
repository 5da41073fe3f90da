//! Diaphragm pump: a positive-displacement stage whose dead volume re-expands on each intake
//! stroke, so the delivered flow falls as the vacuum deepens and reaches zero at the dead-head
//! vacuum. Polytropic compression and re-expansion; inlet and outlet check valves ideal.
//! docs/model.md §5.
//!
//! Stroke and dead volume are plausible choices (no published figure for breast-pump heads); they
//! are scenario parameters.

use super::flow::EdgeFlow;
use crate::ordered;

/// Geometry and thermodynamics of the pump head.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DiaphragmPump {
    /// Swept volume per revolution, m³.
    pub stroke_volume_m3: f64,
    /// Dead (clearance) volume over swept volume, ε.
    pub clearance_ratio: f64,
    /// Polytropic exponent n of compression and re-expansion (1 = isothermal).
    pub polytropic_exponent: f64,
}

impl DiaphragmPump {
    /// Volumetric efficiency η = 1 − ε·((p_out/p_in)^(1/n) − 1), clamped to [0, 1] (5.1).
    #[inline]
    fn efficiency(&self, ratio: f64) -> (f64, f64) {
        let n = self.polytropic_exponent;
        let re = if n == 1.0 { ratio } else { ratio.powf(1.0 / n) };
        let eta = 1.0 - self.clearance_ratio * (re - 1.0);
        (eta.clamp(0.0, 1.0), re)
    }

    /// Dead-head inlet pressure, Pa: where η reaches zero, p_out·(ε/(1+ε))^n (5.2).
    pub fn dead_head_pressure_pa(&self, outlet_pa: f64) -> f64 {
        let e = self.clearance_ratio;
        outlet_pa * (e / (1.0 + e)).powf(self.polytropic_exponent)
    }

    /// Mass flow drawn out of the manifold at inlet pressure `inlet_pa`, exhaust `outlet_pa`,
    /// shaft speed ω (positive = evacuating), with ∂ṁ/∂p_inlet in `d_dpa` (5.3).
    #[inline]
    pub fn flow(
        &self,
        inlet_pa: f64,
        outlet_pa: f64,
        speed_rad_s: f64,
        rt_j_per_kg: f64,
    ) -> EdgeFlow {
        self.at(inlet_pa, outlet_pa)
            .flow(speed_rad_s, 1.0 / rt_j_per_kg)
    }

    /// Shaft torque the gas loads the motor with, N·m: indicated work per revolution of the ideal
    /// polytropic cycle over 2π (5.4). Independent of speed.
    #[inline]
    pub fn torque_nm(&self, inlet_pa: f64, outlet_pa: f64) -> f64 {
        self.at(inlet_pa, outlet_pa).torque_nm
    }

    /// The pump at one inlet and outlet pressure: what its flow (any speed) and its torque share,
    /// so a step that needs both computes the pressure ratio and its logarithm once.
    #[inline]
    pub fn at(&self, inlet_pa: f64, outlet_pa: f64) -> PumpOperatingPoint {
        self.at_with_inverse(inlet_pa, outlet_pa, 1.0 / outlet_pa)
    }

    /// As [`DiaphragmPump::at`], with 1/p_out given (the atmosphere: a run constant). The
    /// isothermal pump (n = 1) then needs no division: p_in·η = p_in·(1 + ε) − ε·p_out (5.1)
    /// and ln(p_out/p_in) = −ln(p_in/p_out) (5.4), the same quantities rearranged.
    // Always inlined: the plant's step calls it once per tick, and LLVM otherwise keeps it a call.
    #[inline(always)]
    pub fn at_with_inverse(
        &self,
        inlet_pa: f64,
        outlet_pa: f64,
        inv_outlet_pa: f64,
    ) -> PumpOperatingPoint {
        let n = self.polytropic_exponent;
        let e = self.clearance_ratio;
        let (p_eta, d_p_eta, work_per_m3) = if n == 1.0 {
            // η clamped to [0, 1]: p_in·η to [0, p_in] (p_in ≥ p_out gives exactly p_in).
            let p_eta = ordered::min(inlet_pa * (1.0 + e) - e * outlet_pa, inlet_pa).max(0.0);
            let y = inlet_pa * inv_outlet_pa;
            // d(p·η)/dp = 1 + ε while 0 < η < 1.
            let (d_p_eta, ln_ratio) = if p_eta <= 0.0 {
                (0.0, 0.0)
            } else if y >= 1.0 {
                (1.0, 0.0)
            } else {
                (1.0 + e, -crate::tabulated::ln_fraction(y))
            };
            (p_eta, d_p_eta, p_eta * ln_ratio)
        } else {
            let ratio = (outlet_pa / inlet_pa).max(1.0);
            let (eta, re) = self.efficiency(ratio);
            // d(p·η)/dp = η + ε·(p_out/p)^(1/n)/n while 0 < η < 1.
            let d_p_eta = if eta <= 0.0 {
                0.0
            } else if eta >= 1.0 {
                1.0
            } else {
                eta + e * re / n
            };
            let work_per_m3 = if (n - 1.0).abs() < 1e-9 {
                inlet_pa * eta * crate::tabulated::ln(ratio)
            } else {
                n / (n - 1.0) * inlet_pa * eta * (ratio.powf((n - 1.0) / n) - 1.0)
            };
            (inlet_pa * eta, d_p_eta, work_per_m3)
        };
        PumpOperatingPoint {
            p_eta,
            d_p_eta,
            stroke_per_rad_m3: self.stroke_volume_m3 * INV_TAU,
            torque_nm: work_per_m3 * self.stroke_volume_m3 * INV_TAU,
        }
    }
}

/// 1/(2π): the pump's displacement and work are per revolution.
const INV_TAU: f64 = 1.0 / core::f64::consts::TAU;

/// The pump head at one inlet and outlet pressure ([`DiaphragmPump::at`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PumpOperatingPoint {
    /// Inlet pressure times volumetric efficiency (5.1), Pa.
    p_eta: f64,
    /// d(p_in·η)/dp_in.
    d_p_eta: f64,
    /// Swept volume per radian, m³.
    stroke_per_rad_m3: f64,
    /// Load torque on the motor, N·m (5.4).
    pub torque_nm: f64,
}

impl PumpOperatingPoint {
    /// Mass flow out of the manifold at shaft speed ω, with ∂ṁ/∂p_inlet in `d_dpa` (5.3);
    /// `inv_rt` is 1/(R·T).
    #[inline]
    pub fn flow(&self, speed_rad_s: f64, inv_rt: f64) -> EdgeFlow {
        let swept_mass_per_pa = self.stroke_per_rad_m3 * speed_rad_s.max(0.0) * inv_rt;
        EdgeFlow {
            kg_s: self.p_eta * swept_mass_per_pa,
            d_dpa: swept_mass_per_pa * self.d_p_eta,
            d_dpb: 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RT: f64 = 287.058 * 295.15;

    fn pump() -> DiaphragmPump {
        DiaphragmPump {
            stroke_volume_m3: 1.2e-6,
            clearance_ratio: 0.7,
            polytropic_exponent: 1.0,
        }
    }

    #[test]
    fn flow_falls_with_vacuum_to_zero_at_dead_head() {
        let p = pump();
        let atm = 101_325.0;
        let dead = p.dead_head_pressure_pa(atm);
        assert!((dead - atm * 0.7 / 1.7).abs() < 1e-6);
        let mut last = f64::INFINITY;
        for k in 0..=20 {
            let pin = atm - (atm - dead) * k as f64 / 20.0;
            let f = p.flow(pin, atm, 800.0, RT).kg_s;
            assert!(f <= last + 1e-18, "flow must fall as vacuum deepens");
            last = f;
        }
        assert!(last.abs() < 1e-12, "no flow at dead head: {last}");
        assert_eq!(p.flow(dead * 0.9, atm, 800.0, RT).kg_s, 0.0);
    }

    #[test]
    fn free_flow_is_displacement_times_speed() {
        let p = pump();
        let atm = 101_325.0;
        let f = p.flow(atm, atm, 2.0 * core::f64::consts::PI * 100.0, RT);
        let expected = atm / RT * 1.2e-6 * 100.0;
        assert!((f.kg_s - expected).abs() / expected < 1e-12);
        assert!(
            p.torque_nm(atm, atm).abs() < 1e-15,
            "no pressure ratio, no work"
        );
        // Isothermal cycle: work per revolution = p_in·η·V_s·ln(p_out/p_in).
        let pin = 80_000.0;
        let eta = 1.0 - 0.7 * (atm / pin - 1.0);
        let w = pin * eta * 1.2e-6 * (atm / pin).ln();
        assert!((p.torque_nm(pin, atm) * core::f64::consts::TAU - w).abs() < 1e-12);
    }

    #[test]
    fn derivative_matches_finite_difference() {
        for n in [1.0, 1.2] {
            let p = DiaphragmPump {
                polytropic_exponent: n,
                ..pump()
            };
            let pin = 80_000.0;
            let h = 1e-2;
            let fd = (p.flow(pin + h, 101_325.0, 700.0, RT).kg_s
                - p.flow(pin - h, 101_325.0, 700.0, RT).kg_s)
                / (2.0 * h);
            let an = p.flow(pin, 101_325.0, 700.0, RT).d_dpa;
            assert!((fd - an).abs() / an < 1e-6, "n = {n}: {fd} vs {an}");
        }
    }
}
