//! One linearly implicit (Rosenbrock–Euler) step of the kit's star network: the manifold (hub)
//! joined by a tube to each shield chamber (spokes). docs/model.md §7.
//!
//! Why implicit: the manifold is a few mL swept by a pump moving ~100 mL/s, so its time constant
//! is tens of µs, and an open release valve empties a small kit in ms; an explicit method at the
//! 1 ms control tick would be unstable. Linearising every edge flow about the start of the step
//! and solving (C − h·J)·Δp = h·F is L-stable, needs no iteration, and for a star the solve is
//! O(spokes): each spoke's row is eliminated into the hub's.
//!
//! Why it conserves air exactly: each edge's transferred mass is its linearised flow evaluated
//! with the solved Δp, added to one node and subtracted from the other (see `plant.rs`).

use crate::pneumatics::flow::EdgeFlow;
use crate::pneumatics::motor::{DcMotor, MotorStepper};
use crate::pneumatics::valves::ReleaseValve;

/// What a step needs that depends only on its length: a run's step is fixed, so the plant
/// computes this once (and again only if the length changes) instead of an `exp` and a few
/// divisions every step.
#[derive(Clone, Copy, Debug)]
pub struct FixedStep {
    /// Step length, s (NaN until first used).
    pub h_s: f64,
    /// Release valve's exp(−h/τ) while opening and closing.
    pub valve_decays: (f64, f64),
    pub motor: MotorStepper,
}

impl FixedStep {
    pub fn new(h_s: f64, motor: &DcMotor, release: &ReleaseValve) -> Self {
        Self {
            h_s,
            valve_decays: release.decays(h_s),
            motor: motor.stepper(h_s),
        }
    }
}

impl Default for FixedStep {
    fn default() -> Self {
        let idle = DcMotor {
            resistance_ohm: 1.0,
            k_nm_per_a: 0.0,
            inertia_kg_m2: 1.0,
            viscous_nm_s: 0.0,
            coulomb_nm: 0.0,
        };
        Self {
            h_s: f64::NAN,
            valve_decays: (0.0, 0.0),
            motor: idle.stepper(0.0),
        }
    }
}

/// A spoke (shield chamber) as the step sees it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Spoke {
    /// dm/dp of the chamber, kg/Pa (tissue volume changes included).
    pub capacitance_kg_per_pa: f64,
    /// Net flow into the chamber from atmosphere (leaks), kg/s, and ∂/∂p_chamber.
    pub boundary_kg_s: f64,
    pub boundary_d_dp: f64,
    /// Tube flow from this chamber (a) to the hub (b).
    pub tube: EdgeFlow,
}

/// The hub as the step sees it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Hub {
    pub capacitance_kg_per_pa: f64,
    /// Net flow into the hub from atmosphere and the pump (valves in, pump out), kg/s, and ∂/∂p_hub.
    pub boundary_kg_s: f64,
    pub boundary_d_dp: f64,
}

/// Pressure changes over the step, Pa: (hub, each spoke). Equation (7.2)–(7.3).
///
/// The hub row is scaled by D = Π d_k (the spokes' diagonals) so that eliminating the spokes
/// needs no 1/d_k first: Δp_hub is one division after the products, and 1/D (for the spokes'
/// back-substitution) is computed alongside it rather than before it. Same system, same
/// solution up to rounding; the step's critical path is one division shorter.
#[inline]
pub fn solve_star(hub: &Hub, spokes: &[Spoke], h_s: f64) -> (f64, [f64; 2]) {
    // Spoke k: d_k·Δp_k − h·b_k·Δp_h = h·F_k, d_k = C_k − h·a_k, F_k = B_k − T_k.
    // Hub:     (C_h − h·a_h)·Δp_h − Σ h·c_k·Δp_k = h·F_h with F_h = B_h + Σ T_k.
    let n = spokes.len().min(2);
    let mut d = [1.0; 2];
    let mut f = [0.0; 2];
    let mut b = [0.0; 2];
    let mut c = [0.0; 2];
    let mut lhs = hub.capacitance_kg_per_pa - h_s * hub.boundary_d_dp;
    let mut rhs = h_s * hub.boundary_kg_s;
    for (k, s) in spokes.iter().take(2).enumerate() {
        d[k] = s.capacitance_kg_per_pa - h_s * (s.boundary_d_dp - s.tube.d_dpa);
        b[k] = -s.tube.d_dpb;
        c[k] = s.tube.d_dpa;
        f[k] = s.boundary_kg_s - s.tube.kg_s;
        // Hub terms from this spoke's tube.
        lhs -= h_s * s.tube.d_dpb;
        rhs += h_s * s.tube.kg_s;
    }
    // D and, per spoke, the product of the other diagonals (D/d_k).
    let big_d = d[0] * d[1];
    let others = [d[1], d[0]];
    let h2 = h_s * h_s;
    let mut lhs_d = lhs * big_d;
    let mut rhs_d = rhs * big_d;
    for k in 0..n {
        let w = h2 * c[k] * others[k];
        lhs_d -= w * b[k];
        rhs_d += w * f[k];
    }
    let dp_hub = rhs_d / lhs_d;
    let inv_big_d = 1.0 / big_d;
    let mut dp = [0.0; 2];
    for k in 0..n {
        dp[k] = h_s * (f[k] + b[k] * dp_hub) * (others[k] * inv_big_d);
    }
    (dp_hub, dp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_the_linear_system_it_claims_to() {
        let hub = Hub {
            capacitance_kg_per_pa: 7e-11,
            boundary_kg_s: -1e-4,
            boundary_d_dp: -3e-9,
        };
        let spokes = [
            Spoke {
                capacitance_kg_per_pa: 5e-10,
                boundary_kg_s: 2e-7,
                boundary_d_dp: -1e-11,
                tube: EdgeFlow {
                    kg_s: 3e-5,
                    d_dpa: 1.2e-7,
                    d_dpb: -1.1e-7,
                },
            },
            Spoke {
                capacitance_kg_per_pa: 4e-10,
                boundary_kg_s: 0.0,
                boundary_d_dp: 0.0,
                tube: EdgeFlow {
                    kg_s: 2e-5,
                    d_dpa: 1.3e-7,
                    d_dpb: -1.2e-7,
                },
            },
        ];
        let h = 1e-3;
        let (dh, dk) = solve_star(&hub, &spokes, h);
        // Residual of each row: C·Δp = h·(F + J·Δp).
        let mut hub_flow = hub.boundary_kg_s + hub.boundary_d_dp * dh;
        for (k, s) in spokes.iter().enumerate() {
            let t = s.tube.linearised(dk[k], dh);
            hub_flow += t;
            let spoke_flow = s.boundary_kg_s + s.boundary_d_dp * dk[k] - t;
            assert!((s.capacitance_kg_per_pa * dk[k] - h * spoke_flow).abs() < 1e-18);
        }
        assert!((hub.capacitance_kg_per_pa * dh - h * hub_flow).abs() < 1e-18);
    }
}
