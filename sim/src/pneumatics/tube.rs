//! Tubing between the pump manifold and a shield: isothermal, laminar (Hagen–Poiseuille) flow of a
//! compressible gas, ṁ = π·d⁴·(p_a² − p_b²)/(256·μ·L·R·T). docs/model.md §4.
//!
//! Laminar holds for the kit's flows (Re ≈ 1,400 at 50 mL/s in a 3 mm tube); the tube's own air
//! volume is lumped half into each end node.

use super::flow::EdgeFlow;
use super::gas::MU_AIR_PA_S;

/// A round tube of fixed length and bore.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tube {
    /// π·d⁴/(256·μ·L·R·T), kg/(s·Pa²).
    conductance: f64,
}

impl Tube {
    pub fn new(inner_diameter_m: f64, length_m: f64, rt_j_per_kg: f64) -> Self {
        let d2 = inner_diameter_m * inner_diameter_m;
        let d4 = d2 * d2;
        Self {
            conductance: core::f64::consts::PI * d4
                / (256.0 * MU_AIR_PA_S * length_m * rt_j_per_kg),
        }
    }

    /// Air volume of a tube, m³.
    pub fn volume_m3(inner_diameter_m: f64, length_m: f64) -> f64 {
        core::f64::consts::FRAC_PI_4 * inner_diameter_m * inner_diameter_m * length_m
    }

    /// Mass flow from `a` to `b`, equation (4.1).
    #[inline]
    pub fn flow(&self, pa_pa: f64, pb_pa: f64) -> EdgeFlow {
        let g = self.conductance;
        EdgeFlow {
            kg_s: g * (pa_pa * pa_pa - pb_pa * pb_pa),
            d_dpa: 2.0 * g * pa_pa,
            d_dpb: -2.0 * g * pb_pa,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pneumatics::gas::R_AIR_J_PER_KG_K;

    #[test]
    fn small_pressure_drop_reduces_to_poiseuille() {
        let rt = R_AIR_J_PER_KG_K * 295.15;
        let (d, l) = (3e-3, 1.0);
        let t = Tube::new(d, l, rt);
        let p = 90_000.0;
        let dp = 10.0;
        let q_poiseuille = core::f64::consts::PI * d.powi(4) * dp / (128.0 * MU_AIR_PA_S * l);
        let rho_mean = (p + dp / 2.0) / rt;
        let f = t.flow(p + dp, p);
        assert!((f.kg_s - rho_mean * q_poiseuille).abs() / f.kg_s < 1e-9);
        assert!((t.flow(p, p + dp).kg_s + f.kg_s).abs() < 1e-18);
    }
}
