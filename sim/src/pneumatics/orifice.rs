//! Compressible flow of air through a sharp orifice: choked and subsonic regimes of the ideal
//! nozzle (ISO 6358 form), with a linear laminar region near zero pressure drop so the flow stays
//! differentiable where the square-root law has an infinite slope. docs/model.md §3.
//!
//! Sources: ISO 6358-1:2013; the laminar transition follows MathWorks Simscape's pneumatic orifice
//! (linear below a pressure ratio of 0.999).
//!
//! The slopes returned for the implicit step are not the tangent where the flow law is concave
//! (square-root like): there the tangent's zero lies up to twice as far as the equilibrium, and a
//! large implicit step would overshoot atmosphere. The larger of tangent and chord (flow/Δp) is
//! used instead (docs/model.md §7.3); Rosenbrock–Euler stays first-order consistent with any
//! slope, and the chord makes it monotone.

use super::flow::EdgeFlow;
use super::gas::GAMMA_AIR;

/// Pressure ratio p_down/p_up at and below which the flow is choked: (2/(γ+1))^(γ/(γ−1)).
pub const CRITICAL_PRESSURE_RATIO: f64 = 0.528_281_787_717_174_5;
/// Pressure ratio above which the flow is treated as laminar (linear in Δp).
pub const LAMINAR_PRESSURE_RATIO: f64 = 0.999;

const A_EXP: f64 = 2.0 / GAMMA_AIR; // 10/7
const B_EXP: f64 = (GAMMA_AIR + 1.0) / GAMMA_AIR; // 12/7

/// ψ(r) = sqrt(r^(2/γ) − r^((γ+1)/γ)) and dψ/dr, for CRITICAL ≤ r < 1.
#[inline]
fn psi_and_slope(r: f64) -> (f64, f64) {
    // One powf: r^(2/γ) = q², r^((γ+1)/γ) = r·q with q = r^(1/γ).
    let q = r.powf(1.0 / GAMMA_AIR);
    let ra = q * q;
    let rb = r * q;
    let psi = (ra - rb).max(0.0).sqrt();
    // dψ/dr = (A·r^(A−1) − B·r^(B−1))/(2ψ) with r^(B−1) = q and r^(A−1) = q²/r.
    let dpsi = if psi > 0.0 {
        (A_EXP * ra / r - B_EXP * q) * 0.5 / psi
    } else {
        0.0
    };
    (psi, dpsi)
}

/// ψ at the critical ratio (choked flow function).
fn psi_critical() -> f64 {
    psi_and_slope(CRITICAL_PRESSURE_RATIO).0
}

/// An orifice of fixed geometry: effective area Cd·A and the flow constant sqrt(2γ/((γ−1)·R·T)).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Orifice {
    /// sqrt(2γ/((γ−1)·R·T)), s/m.
    k_s_per_m: f64,
    psi_crit: f64,
    psi_lam: f64,
}

impl Orifice {
    /// `rt_j_per_kg` is R·T of the air upstream (isothermal kit: the same everywhere).
    pub fn new(rt_j_per_kg: f64) -> Self {
        Self {
            k_s_per_m: (2.0 * GAMMA_AIR / ((GAMMA_AIR - 1.0) * rt_j_per_kg)).sqrt(),
            psi_crit: psi_critical(),
            psi_lam: psi_and_slope(LAMINAR_PRESSURE_RATIO).0,
        }
    }

    /// Mass flow from `a` to `b` through an effective area `cd_area_m2` (discharge coefficient ×
    /// geometric area), either direction. Equation (3.1)–(3.3) of docs/model.md.
    #[inline]
    pub fn flow(&self, cd_area_m2: f64, pa_pa: f64, pb_pa: f64) -> EdgeFlow {
        if cd_area_m2 <= 0.0 {
            return EdgeFlow::ZERO;
        }
        if pa_pa >= pb_pa {
            self.forward(cd_area_m2, pa_pa, pb_pa)
        } else {
            self.forward(cd_area_m2, pb_pa, pa_pa).reversed()
        }
    }

    /// Flow from upstream `pu` to downstream `pd` with pu ≥ pd, with implicit-step slopes.
    #[inline]
    fn forward(&self, cd_area_m2: f64, pu: f64, pd: f64) -> EdgeFlow {
        let f = self.tangent(cd_area_m2, pu, pd);
        let dp = pu - pd;
        if dp <= 0.0 {
            return f;
        }
        let chord = f.kg_s / dp;
        EdgeFlow {
            kg_s: f.kg_s,
            d_dpa: f.d_dpa.max(chord),
            d_dpb: f.d_dpb.min(-chord),
        }
    }

    /// Flow from `pu` to `pd` (pu ≥ pd) with its true partial derivatives.
    #[inline]
    pub fn tangent(&self, cd_area_m2: f64, pu: f64, pd: f64) -> EdgeFlow {
        let c = cd_area_m2 * self.k_s_per_m;
        let r = pd / pu;
        if r >= LAMINAR_PRESSURE_RATIO {
            // (3.3) linear in Δp, continuous with (3.1) at r = 0.999.
            let slope = c * self.psi_lam / (1.0 - LAMINAR_PRESSURE_RATIO);
            EdgeFlow {
                kg_s: slope * (pu - pd),
                d_dpa: slope,
                d_dpb: -slope,
            }
        } else if r > CRITICAL_PRESSURE_RATIO {
            // (3.1) subsonic.
            let (psi, dpsi) = psi_and_slope(r);
            EdgeFlow {
                kg_s: c * pu * psi,
                d_dpa: c * (psi - r * dpsi),
                d_dpb: c * dpsi,
            }
        } else {
            // (3.2) choked: independent of the downstream pressure.
            EdgeFlow {
                kg_s: c * pu * self.psi_crit,
                d_dpa: c * self.psi_crit,
                d_dpb: 0.0,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pneumatics::gas::R_AIR_J_PER_KG_K;

    const RT: f64 = R_AIR_J_PER_KG_K * 295.15;

    #[test]
    fn choked_flow_matches_textbook_formula() {
        // ṁ* = Cd·A·p0·sqrt(γ/(R·T))·(2/(γ+1))^((γ+1)/(2(γ−1))).
        let o = Orifice::new(RT);
        let cda = 0.7 * 1e-6;
        let p0 = 200_000.0;
        let expected = cda * p0 * (GAMMA_AIR / RT).sqrt() * (2.0 / (GAMMA_AIR + 1.0)).powf(3.0);
        for pd in [10_000.0, 50_000.0, 105_000.0] {
            let f = o.flow(cda, p0, pd);
            assert!(
                (f.kg_s - expected).abs() / expected < 1e-9,
                "{pd}: {} vs {expected}",
                f.kg_s
            );
            assert_eq!(
                o.tangent(cda, p0, pd).d_dpb,
                0.0,
                "choked flow must not depend on downstream pressure"
            );
        }
    }

    #[test]
    fn subsonic_flow_below_choked_and_approaches_incompressible_limit() {
        let o = Orifice::new(RT);
        let cda = 1e-6;
        let pu = 101_325.0;
        let choked = o.flow(cda, pu, 0.3 * pu).kg_s;
        let sub = o.flow(cda, pu, 0.8 * pu).kg_s;
        assert!(sub < choked && sub > 0.0);
        // Small Δp: ṁ ≈ Cd·A·sqrt(2·ρ·Δp) (Bernoulli) within the compressibility correction.
        let dp = 500.0; // r = 0.995: subsonic, just below the laminar region
        let f = o.flow(cda, pu, pu - dp).kg_s;
        let rho = pu / RT;
        let bernoulli = cda * (2.0 * rho * dp).sqrt();
        assert!(
            (f - bernoulli).abs() / bernoulli < 0.01,
            "{f} vs {bernoulli}"
        );
    }

    #[test]
    fn flow_is_continuous_across_regime_boundaries() {
        let o = Orifice::new(RT);
        let pu = 100_000.0;
        for r in [CRITICAL_PRESSURE_RATIO, LAMINAR_PRESSURE_RATIO] {
            let lo = o.flow(1e-6, pu, pu * (r - 1e-9)).kg_s;
            let hi = o.flow(1e-6, pu, pu * (r + 1e-9)).kg_s;
            assert!((lo - hi).abs() / lo < 1e-5, "jump at r = {r}: {lo} vs {hi}");
        }
    }

    #[test]
    fn reverse_flow_is_antisymmetric_and_tangents_match_finite_differences() {
        let o = Orifice::new(RT);
        for (pu, pd) in [
            (101_325.0, 80_000.0),
            (101_325.0, 40_000.0),
            (100_000.0, 99_950.0),
        ] {
            let f = o.flow(2e-6, pu, pd);
            let g = o.flow(2e-6, pd, pu);
            assert!((f.kg_s + g.kg_s).abs() < 1e-15);
            let t = o.tangent(2e-6, pu, pd);
            let h = 1e-3;
            let dpa = (o.flow(2e-6, pu + h, pd).kg_s - o.flow(2e-6, pu - h, pd).kg_s) / (2.0 * h);
            let dpb = (o.flow(2e-6, pu, pd + h).kg_s - o.flow(2e-6, pu, pd - h).kg_s) / (2.0 * h);
            assert!(
                (dpa - t.d_dpa).abs() <= 1e-6 * t.d_dpa.abs(),
                "{pu},{pd}: {dpa} vs {}",
                t.d_dpa
            );
            assert!(
                (dpb - t.d_dpb).abs() <= 1e-6 * t.d_dpa.abs(),
                "{pu},{pd}: {dpb} vs {}",
                t.d_dpb
            );
            // Implicit slopes are at least as steep as the tangent and the chord.
            let chord = f.kg_s / (pu - pd);
            assert!(-f.d_dpb >= chord * (1.0 - 1e-12) && -f.d_dpb >= -t.d_dpb);
        }
    }

    #[test]
    fn an_implicit_step_of_any_length_never_overshoots_equilibrium() {
        // A node venting to atmosphere through the orifice: (C − h·∂F/∂p)·Δp = h·F.
        let o = Orifice::new(RT);
        let atm = 101_325.0;
        let c = 1e-6 / RT; // 1 mL
        for vac in [0.5, 5.0, 50.0, 400.0] {
            for h in [1e-6, 1e-4, 1e-2, 1.0] {
                let p = atm - vac * 133.3;
                let f = o.flow(1e-6, atm, p);
                let dp = h * f.kg_s / (c - h * f.d_dpb);
                assert!(
                    dp > 0.0 && p + dp <= atm * (1.0 + 1e-12),
                    "vac {vac}, h {h}: overshoot to {}",
                    p + dp
                );
            }
        }
    }
}
