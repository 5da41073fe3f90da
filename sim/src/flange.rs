//! Breast-shield fit: the nipple swells and lengthens under vacuum inside the shield's tunnel; the
//! clearance between them sets the tissue volume drawn into the tunnel, the seal leak, a
//! duct-compression factor (for the milk model) and a comfort score. docs/model.md §8.
//!
//! **A documented hypothesis.** No controlled trial of tunnel size against milk output exists
//! (CALIBRATION F4). Measured anchors: nipple base width 23.4 ± 3.0 mm (F1), about 3 mm wider and
//! twice as long under suction (F3), a snug fit up to about 4 mm of clearance recommended (F4),
//! vacuum peaks near 200 mmHg in the painful-nipple group (S2). Everything else (how leak,
//! compression and pain grow outside the recommended band) is a modelling choice, each a parameter.

use crate::units::{PA_PER_MMHG, mm2_to_m2};

#[inline]
fn sq(x: f64) -> f64 {
    x * x
}

/// Shape of the fit response; defaults in `params::FitParams`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FitModel {
    pub tunnel_diameter_mm: f64,
    pub nipple_base_diameter_mm: f64,
    pub nipple_length_mm: f64,
    pub swell_max_mm: f64,
    pub elongation_ratio: f64,
    pub swell_vacuum_scale_mmhg: f64,
    pub clearance_max_mm: f64,
    pub areola_draw_mm_per_mm: f64,
    pub seal_leak_base_mm2: f64,
    pub seal_leak_mm2_per_mm: f64,
    pub seal_leak_cd: f64,
    pub compression_scale_mm: f64,
    pub pain_compression_mm: f64,
    pub pain_excess_mm: f64,
    pub comfortable_vacuum_mmhg: f64,
    pub painful_vacuum_span_mmhg: f64,
}

/// What the pneumatics need from the fit at one vacuum (evaluated every step).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FitMechanics {
    /// Swelling fraction s(v) in [0, 1), eq. (8.1).
    pub swell_fraction: f64,
    /// Tissue drawn into the tunnel, m³, and its derivative with respect to vacuum, m³/Pa (8.3).
    pub tissue_volume_m3: f64,
    pub d_tissue_volume_m3_per_pa: f64,
    /// Discharge coefficient × seal leak area, m² (8.4).
    pub seal_leak_cd_area_m2: f64,
}

/// What the breast is exposed to at one vacuum (evaluated once per tick, for outputs and the
/// physiology).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FitExposure {
    /// Nipple base diameter under vacuum, limited by the tunnel, mm (8.2).
    pub nipple_diameter_mm: f64,
    /// Tunnel minus unconstrained nipple diameter, mm (negative: the tunnel squeezes the nipple).
    pub clearance_mm: f64,
    /// Share of the milk ducts left open by the fit, 1 = unobstructed (8.5).
    pub duct_openness: f64,
    /// 1 = comfortable, 0 = maximal pain (8.6).
    pub comfort: f64,
}

impl FitModel {
    /// Tissue volume drawn in at full swelling, m³ (8.3): nipple elongation plus areola drawn into
    /// an oversized tunnel.
    pub fn tissue_volume_max_m3(&self) -> f64 {
        let d_full =
            (self.nipple_base_diameter_mm + self.swell_max_mm).min(self.tunnel_diameter_mm);
        let nipple_mm3 = core::f64::consts::FRAC_PI_4
            * d_full
            * d_full
            * self.nipple_length_mm
            * (self.elongation_ratio - 1.0);
        let excess = (self.tunnel_diameter_mm
            - (self.nipple_base_diameter_mm + self.swell_max_mm)
            - self.clearance_max_mm)
            .max(0.0);
        let areola_depth_mm = self.areola_draw_mm_per_mm * excess;
        let annulus_mm2 = core::f64::consts::FRAC_PI_4
            * (self.tunnel_diameter_mm * self.tunnel_diameter_mm - d_full * d_full).max(0.0);
        (nipple_mm3 + annulus_mm2 * areola_depth_mm) * 1e-9
    }

    /// Swelling fraction and the decay term exp(−v/v_s) (8.1).
    #[inline]
    fn swelling(&self, vacuum_mmhg: f64) -> (f64, f64) {
        let decay = (-vacuum_mmhg.max(0.0) / self.swell_vacuum_scale_mmhg).exp();
        (1.0 - decay, decay)
    }

    /// Clearance beyond the recommended band, mm, at swelling fraction `s` (8.2).
    #[inline]
    fn clearance_mm(&self, s: f64) -> f64 {
        self.tunnel_diameter_mm - (self.nipple_base_diameter_mm + self.swell_max_mm * s)
    }

    /// Tissue volume and seal leak at a vacuum (mmHg below atmosphere; negative counts as zero).
    #[inline]
    pub fn mechanics(&self, vacuum_mmhg: f64, tissue_volume_max_m3: f64) -> FitMechanics {
        self.mechanics_kernel(tissue_volume_max_m3)
            .mechanics(vacuum_mmhg)
    }

    /// [`FitModel::mechanics`] with its constants folded, for the integrator's every step.
    pub fn mechanics_kernel(&self, tissue_volume_max_m3: f64) -> MechanicsKernel {
        MechanicsKernel {
            inv_swell_scale_mmhg: 1.0 / self.swell_vacuum_scale_mmhg,
            tissue_max_m3: tissue_volume_max_m3,
            d_tissue_scale_m3_per_pa: tissue_volume_max_m3
                / (self.swell_vacuum_scale_mmhg * PA_PER_MMHG),
            excess_at_rest_mm: self.tunnel_diameter_mm
                - self.nipple_base_diameter_mm
                - self.clearance_max_mm,
            swell_max_mm: self.swell_max_mm,
            seal_base_cd_area_m2: self.seal_leak_cd * mm2_to_m2(self.seal_leak_base_mm2),
            seal_cd_area_m2_per_mm: self.seal_leak_cd * mm2_to_m2(self.seal_leak_mm2_per_mm),
        }
    }

    /// Duct openness and comfort at a vacuum.
    pub fn exposure(&self, vacuum_mmhg: f64) -> FitExposure {
        let (s, _) = self.swelling(vacuum_mmhg.max(0.0));
        self.exposure_at(vacuum_mmhg, s)
    }

    /// [`Self::exposure`] at a swelling fraction already known (the plant's step has it, §8.1).
    #[inline]
    pub fn exposure_at(&self, vacuum_mmhg: f64, s: f64) -> FitExposure {
        let v = vacuum_mmhg.max(0.0);
        let clearance = self.clearance_mm(s);
        let squeeze = (-clearance).max(0.0);
        let drawn = (clearance - self.clearance_max_mm).max(0.0) * s;
        // The physiology asks every tick; most ticks a fit in the recommended band neither
        // squeezes nor draws tissue, and the vacuum is within comfort. Those terms are then
        // exactly 1 and 0 (every scale is validated positive), so they skip their divisions:
        // the same values, bit for bit.
        let (openness, fit_pain) = if squeeze == 0.0 && drawn == 0.0 {
            (1.0, 0.0)
        } else {
            // (8.5) ducts squeezed by a tight tunnel, or by areola drawn into a wide one.
            let openness = 1.0
                / (1.0 + sq(squeeze / self.compression_scale_mm))
                / (1.0 + sq(drawn / self.compression_scale_mm));
            // (8.6) pain from the fit ...
            let fit_pain = (squeeze / self.pain_compression_mm)
                .max(drawn / self.pain_excess_mm)
                .min(1.0);
            (openness, fit_pain)
        };
        // ... and from vacuum beyond the mother's comfortable level.
        let vacuum_pain = if v <= self.comfortable_vacuum_mmhg {
            0.0
        } else {
            ((v - self.comfortable_vacuum_mmhg) / self.painful_vacuum_span_mmhg).clamp(0.0, 1.0)
        };
        FitExposure {
            nipple_diameter_mm: (self.nipple_base_diameter_mm + self.swell_max_mm * s)
                .min(self.tunnel_diameter_mm),
            clearance_mm: clearance,
            duct_openness: openness,
            comfort: (1.0 - fit_pain) * (1.0 - vacuum_pain),
        }
    }
}

/// The fit's mechanics (8.1)–(8.4) with every constant folded: one `exp` and no division per
/// call ([`FitModel::mechanics_kernel`]).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MechanicsKernel {
    inv_swell_scale_mmhg: f64,
    tissue_max_m3: f64,
    /// V_t,max/(v_s·Pa per mmHg): dV_t/dp_vacuum = this × exp(−v/v_s).
    d_tissue_scale_m3_per_pa: f64,
    /// Clearance beyond the recommended band before swelling, mm: D − d₀ − c_max.
    excess_at_rest_mm: f64,
    swell_max_mm: f64,
    seal_base_cd_area_m2: f64,
    seal_cd_area_m2_per_mm: f64,
}

impl MechanicsKernel {
    /// Tissue volume and seal leak at a vacuum (mmHg below atmosphere; negative counts as zero).
    #[inline]
    pub fn mechanics(&self, vacuum_mmhg: f64) -> FitMechanics {
        // (8.1) s = 1 − exp(−v/v_s).
        let decay = crate::tabulated::exp_neg(vacuum_mmhg.max(0.0) * self.inv_swell_scale_mmhg);
        let s = 1.0 - decay;
        // (8.2) excess clearance, (8.4) seal leak.
        let excess = (self.excess_at_rest_mm - self.swell_max_mm * s).max(0.0);
        let d_tissue = if vacuum_mmhg > 0.0 {
            self.d_tissue_scale_m3_per_pa * decay
        } else {
            0.0
        };
        FitMechanics {
            swell_fraction: s,
            tissue_volume_m3: self.tissue_max_m3 * s,
            d_tissue_volume_m3_per_pa: d_tissue,
            seal_leak_cd_area_m2: self.seal_base_cd_area_m2 + self.seal_cd_area_m2_per_mm * excess,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{FitParams, SideParams};

    fn model(tunnel_mm: f64) -> FitModel {
        let side = SideParams {
            tunnel_diameter_mm: tunnel_mm,
            ..SideParams::default()
        };
        FitParams::default().model(&side)
    }

    #[test]
    fn nipple_widens_about_three_mm_and_doubles_in_length_at_full_suction() {
        let m = model(30.0);
        let st = m.exposure(250.0);
        assert!((st.nipple_diameter_mm - m.nipple_base_diameter_mm - 3.0).abs() < 0.1); // F3
        assert!(m.mechanics(250.0, m.tissue_volume_max_m3()).swell_fraction > 0.95);
    }

    #[test]
    fn recommended_fit_is_comfortable_leak_tight_and_open() {
        // F1 mean nipple 23.4 mm, +3 mm swelling: a 27 mm tunnel leaves ~0.6 mm at full suction.
        let m = model(27.0);
        let st = m.exposure(150.0);
        assert!(st.comfort > 0.99, "{st:?}");
        assert!(st.duct_openness > 0.9, "{st:?}");
        assert!(
            m.mechanics(150.0, m.tissue_volume_max_m3())
                .seal_leak_cd_area_m2
                <= 1e-8
        );
    }

    #[test]
    fn too_small_and_too_large_tunnels_hurt_and_obstruct() {
        let good = model(27.0);
        let g = good.exposure(150.0);
        for tunnel in [21.0, 36.0] {
            let st = model(tunnel).exposure(150.0);
            assert!(st.comfort < g.comfort - 0.2, "tunnel {tunnel}: {st:?}");
            assert!(
                st.duct_openness < g.duct_openness,
                "tunnel {tunnel}: {st:?}"
            );
        }
        let leak = |m: FitModel| {
            m.mechanics(150.0, m.tissue_volume_max_m3())
                .seal_leak_cd_area_m2
        };
        assert!(leak(model(36.0)) > leak(good));
    }

    /// The shortcut for a fit in the band and a comfortable vacuum gives what the full
    /// formulas give, bit for bit, across tunnels and vacuums.
    #[test]
    fn exposure_shortcut_is_the_formula() {
        let sq = |x: f64| x * x;
        for tunnel in [20.0, 23.0, 25.0, 27.0, 28.5, 30.0, 33.0, 36.0] {
            let m = model(tunnel);
            for k in 0..=3000 {
                let v = f64::from(k) * 0.1 - 5.0;
                let (s, _) = m.swelling(v.max(0.0));
                let got = m.exposure_at(v, s);
                let clearance = m.clearance_mm(s);
                let squeeze = (-clearance).max(0.0);
                let drawn = (clearance - m.clearance_max_mm).max(0.0) * s;
                let openness = 1.0
                    / (1.0 + sq(squeeze / m.compression_scale_mm))
                    / (1.0 + sq(drawn / m.compression_scale_mm));
                let fit_pain = (squeeze / m.pain_compression_mm)
                    .max(drawn / m.pain_excess_mm)
                    .min(1.0);
                let vacuum_pain = ((v.max(0.0) - m.comfortable_vacuum_mmhg)
                    / m.painful_vacuum_span_mmhg)
                    .clamp(0.0, 1.0);
                let comfort = (1.0 - fit_pain) * (1.0 - vacuum_pain);
                assert_eq!(
                    got.duct_openness.to_bits(),
                    openness.to_bits(),
                    "{tunnel} {v}"
                );
                assert_eq!(got.comfort.to_bits(), comfort.to_bits(), "{tunnel} {v}");
            }
        }
    }

    #[test]
    fn vacuum_beyond_comfort_hurts() {
        let m = model(27.0);
        assert!(m.exposure(240.0).comfort < m.exposure(150.0).comfort);
    }

    #[test]
    fn tissue_volume_derivative_matches_finite_difference() {
        let m = model(30.0);
        let vmax = m.tissue_volume_max_m3();
        let v = 120.0;
        let h = 1e-3;
        let fd = (m.mechanics(v + h, vmax).tissue_volume_m3
            - m.mechanics(v - h, vmax).tissue_volume_m3)
            / (2.0 * h * PA_PER_MMHG);
        let an = m.mechanics(v, vmax).d_tissue_volume_m3_per_pa;
        assert!((fd - an).abs() / an < 1e-6);
    }
}
