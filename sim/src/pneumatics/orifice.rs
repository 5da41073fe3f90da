//! Compressible flow of air through an orifice or valve: the ISO 6358-1 model — choked flow below
//! the critical pressure ratio b, an elliptic subsonic law above it — with a linear laminar region
//! near zero pressure drop so the flow stays differentiable where the square-root law has an
//! infinite slope. docs/model.md §3.
//!
//! Sources: ISO 6358-1:2013 (sonic conductance C and critical ratio b, the form pneumatic valve
//! datasheets use); C is taken from the ideal nozzle, C·ρ₀ = Cd·A·sqrt(γ/(R·T))·(2/(γ+1))^((γ+1)/(2(γ−1))),
//! and b = 0.528, so choked flow is the ideal nozzle's exactly and subsonic flow is within 1 % of
//! it (test); the ellipse needs one square root where the nozzle law needs a `powf`. The laminar
//! transition follows MathWorks Simscape's pneumatic orifice (linear above a ratio of 0.999).
//!
//! The slopes returned for the implicit step are not the tangent where the flow law is concave
//! (square-root like): there the tangent's zero lies up to twice as far as the equilibrium, and a
//! large implicit step would overshoot atmosphere. The larger of tangent and chord (flow/Δp) is
//! used instead (docs/model.md §7.3); Rosenbrock–Euler stays first-order consistent with any
//! slope, and the chord makes it monotone.

use super::flow::EdgeFlow;
use super::gas::GAMMA_AIR;
use crate::ordered;

/// Pressure ratio p_down/p_up at and below which the flow is choked: (2/(γ+1))^(γ/(γ−1)).
pub const CRITICAL_PRESSURE_RATIO: f64 = 0.528_281_787_717_174_5;
/// Pressure ratio above which the flow is treated as laminar (linear in Δp).
pub const LAMINAR_PRESSURE_RATIO: f64 = 0.999;

/// Subsonic flow function of ISO 6358 normalised to choked flow: sqrt(1 − ((r − b)/(1 − b))²),
/// and its derivative, for b ≤ r < 1.
#[inline]
fn ellipse_and_slope(r: f64) -> (f64, f64) {
    const SPAN: f64 = 1.0 - CRITICAL_PRESSURE_RATIO;
    let x = (r - CRITICAL_PRESSURE_RATIO) * (1.0 / SPAN);
    let e = (1.0 - x * x).max(0.0).sqrt();
    let de = if e > 0.0 { -x * (1.0 / SPAN) / e } else { 0.0 };
    (e, de)
}

/// The flow constants of an orifice in air at one temperature; the effective area Cd·A is given
/// per call (valves open and close, leaks grow).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Orifice {
    /// Choked mass flow per unit Cd·A and upstream pressure, sqrt(γ/(R·T))·(2/(γ+1))^((γ+1)/(2(γ−1))), s/m.
    choked_s_per_m: f64,
    /// Laminar slope ∂ṁ/∂Δp per unit Cd·A, e(0.999)·choked/(1 − 0.999), s/m/Pa·Pa: continuous
    /// with (3.1) at the laminar boundary.
    laminar_s_per_m: f64,
}

impl Orifice {
    /// `rt_j_per_kg` is R·T of the air upstream (isothermal kit: the same everywhere).
    pub fn new(rt_j_per_kg: f64) -> Self {
        let g = GAMMA_AIR;
        let choked_s_per_m =
            (g / rt_j_per_kg).sqrt() * (2.0 / (g + 1.0)).powf((g + 1.0) / (2.0 * (g - 1.0)));
        Self {
            choked_s_per_m,
            laminar_s_per_m: choked_s_per_m * ellipse_and_slope(LAMINAR_PRESSURE_RATIO).0
                / (1.0 - LAMINAR_PRESSURE_RATIO),
        }
    }

    /// Mass flow from `a` to `b` through an effective area `cd_area_m2` (discharge coefficient ×
    /// geometric area), either direction. Equation (3.1)–(3.3) of docs/model.md.
    #[inline(always)]
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

    /// As [`Orifice::flow`] from the atmosphere (`ambient_pa`, with its reciprocal
    /// `inv_ambient_pa`, a run constant) into a node at `p_pa`: the pressure ratio of the usual
    /// direction is then a multiplication instead of a division (rounding-level difference).
    #[inline(always)]
    pub fn flow_from_ambient(
        &self,
        cd_area_m2: f64,
        ambient_pa: f64,
        inv_ambient_pa: f64,
        p_pa: f64,
    ) -> EdgeFlow {
        if cd_area_m2 <= 0.0 {
            return EdgeFlow::ZERO;
        }
        if ambient_pa >= p_pa {
            self.forward_at_ratio(cd_area_m2, ambient_pa, p_pa, p_pa * inv_ambient_pa)
        } else {
            self.forward(cd_area_m2, p_pa, ambient_pa).reversed()
        }
    }

    /// Flow from upstream `pu` to downstream `pd` with pu ≥ pd, with implicit-step slopes: the
    /// larger of tangent and chord (docs/model.md §7.3).
    #[inline(always)]
    fn forward(&self, cd_area_m2: f64, pu: f64, pd: f64) -> EdgeFlow {
        self.forward_at_ratio(cd_area_m2, pu, pd, pd / pu)
    }

    /// `forward` with the pressure ratio r = pd/pu given. One division: a reciprocal that gives
    /// both 1/e and the chord's 1/Δp, independent of the square root.
    #[inline(always)]
    fn forward_at_ratio(&self, cd_area_m2: f64, pu: f64, pd: f64, r: f64) -> EdgeFlow {
        let c = cd_area_m2 * self.choked_s_per_m;
        let dp = pu - pd;
        if r >= LAMINAR_PRESSURE_RATIO || dp <= 0.0 {
            // (3.3) linear in Δp: tangent and chord coincide.
            let slope = cd_area_m2 * self.laminar_s_per_m;
            return EdgeFlow {
                kg_s: slope * dp,
                d_dpa: slope,
                d_dpb: -slope,
            };
        }
        if r > CRITICAL_PRESSURE_RATIO {
            // (3.1) subsonic: ṁ = c·p_u·e(r); ∂/∂p_d = c·e'(r), ∂/∂p_u = c·(e − r·e'),
            // e' = −x/(span·e); chord ṁ/Δp.
            const INV_SPAN: f64 = 1.0 / (1.0 - CRITICAL_PRESSURE_RATIO);
            let x = (r - CRITICAL_PRESSURE_RATIO) * INV_SPAN;
            // r < 0.999 keeps x < 1 and e > 0. 1/(e·Δp) = e/(q·Δp): the division runs
            // alongside the square root instead of after it.
            let q = 1.0 - x * x;
            let e = q.sqrt();
            let inv_e_dp = e * (1.0 / (q * dp));
            let de = -x * INV_SPAN * (dp * inv_e_dp);
            let kg_s = c * pu * e;
            let chord = kg_s * (e * inv_e_dp);
            EdgeFlow {
                kg_s,
                d_dpa: ordered::max(c * (e - r * de), chord),
                d_dpb: ordered::min(c * de, -chord),
            }
        } else {
            // (3.2) choked: independent of the downstream pressure; the chord c·p_u/Δp is
            // steeper than the tangent c since p_u > Δp.
            let kg_s = c * pu;
            let chord = kg_s / dp;
            EdgeFlow {
                kg_s,
                d_dpa: ordered::max(c, chord),
                d_dpb: (-chord).min(0.0),
            }
        }
    }

    /// Flow from `pu` to `pd` (pu ≥ pd) with its true partial derivatives.
    #[inline]
    pub fn tangent(&self, cd_area_m2: f64, pu: f64, pd: f64) -> EdgeFlow {
        let c = cd_area_m2 * self.choked_s_per_m;
        let r = pd / pu;
        if r >= LAMINAR_PRESSURE_RATIO {
            // (3.3) linear in Δp, continuous with (3.1) at r = 0.999.
            let slope = cd_area_m2 * self.laminar_s_per_m;
            EdgeFlow {
                kg_s: slope * (pu - pd),
                d_dpa: slope,
                d_dpb: -slope,
            }
        } else if r > CRITICAL_PRESSURE_RATIO {
            // (3.1) subsonic: ṁ = c·p_u·e(r); ∂/∂p_d = c·e'(r), ∂/∂p_u = c·(e − r·e').
            let (e, de) = ellipse_and_slope(r);
            EdgeFlow {
                kg_s: c * pu * e,
                d_dpa: c * (e - r * de),
                d_dpb: c * de,
            }
        } else {
            // (3.2) choked: independent of the downstream pressure.
            EdgeFlow {
                kg_s: c * pu,
                d_dpa: c,
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

    /// Ideal nozzle (de Saint-Venant–Wantzel): ṁ = Cd·A·p_u·sqrt(2γ/((γ−1)RT))·sqrt(r^(2/γ) − r^((γ+1)/γ)).
    fn ideal_nozzle(cda: f64, pu: f64, pd: f64) -> f64 {
        let g = GAMMA_AIR;
        let r = (pd / pu).max(CRITICAL_PRESSURE_RATIO);
        cda * pu
            * (2.0 * g / ((g - 1.0) * RT)).sqrt()
            * (r.powf(2.0 / g) - r.powf((g + 1.0) / g)).sqrt()
    }

    #[test]
    fn iso_6358_ellipse_stays_within_one_percent_of_the_ideal_nozzle() {
        let o = Orifice::new(RT);
        let pu = 101_325.0;
        let mut worst = 0.0f64;
        for k in 0..=470 {
            let r = CRITICAL_PRESSURE_RATIO
                + (LAMINAR_PRESSURE_RATIO - CRITICAL_PRESSURE_RATIO) * k as f64 / 470.0;
            let iso = o.flow(1e-6, pu, r * pu).kg_s;
            let ideal = ideal_nozzle(1e-6, pu, r * pu);
            worst = worst.max((iso - ideal).abs() / ideal);
        }
        assert!(worst < 0.01, "worst relative difference {worst}");
        assert!(
            worst > 0.0,
            "the ellipse is an approximation; a zero difference means the test compares the same thing"
        );
    }

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
    fn flow_from_ambient_agrees_with_flow_to_rounding() {
        let o = Orifice::new(RT);
        let atm = 101_325.0;
        for p in [20_000.0, 60_000.0, 90_000.0, 101_300.0, atm, 101_400.0] {
            let a = o.flow(1e-6, atm, p);
            let b = o.flow_from_ambient(1e-6, atm, 1.0 / atm, p);
            for (x, y) in [(a.kg_s, b.kg_s), (a.d_dpa, b.d_dpa), (a.d_dpb, b.d_dpb)] {
                assert!((x - y).abs() <= 1e-14 * x.abs(), "p {p}: {x} vs {y}");
            }
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
                let p = crate::units::absolute_pa(atm, vac);
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
