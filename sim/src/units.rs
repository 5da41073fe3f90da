//! Unit conversions at the plant's surface. Inside the plant everything is SI (Pa absolute, m³,
//! kg, s); at user surfaces vacuum is a positive number in mmHg below atmosphere (docs/model.md §1).

/// One millimetre of mercury, in pascals (conventional, 13.5951 g/cm³ at standard gravity).
pub const PA_PER_MMHG: f64 = 133.322_387_415;

/// Vacuum below a given ambient pressure, mmHg, from an absolute pressure in Pa.
#[inline]
pub fn vacuum_mmhg(ambient_pa: f64, absolute_pa: f64) -> f64 {
    (ambient_pa - absolute_pa) * (1.0 / PA_PER_MMHG)
}

/// Absolute pressure in Pa for a vacuum in mmHg below a given ambient pressure.
#[inline]
pub fn absolute_pa(ambient_pa: f64, vacuum_mmhg: f64) -> f64 {
    ambient_pa - vacuum_mmhg * PA_PER_MMHG
}

/// Millilitres to cubic metres.
#[inline]
pub fn ml_to_m3(volume_ml: f64) -> f64 {
    volume_ml * 1e-6
}

/// Square millimetres to square metres.
#[inline]
pub fn mm2_to_m2(area_mm2: f64) -> f64 {
    area_mm2 * 1e-6
}

/// Area of a circle of the given diameter in millimetres, in m².
#[inline]
pub fn circle_area_m2(diameter_mm: f64) -> f64 {
    let d_m = diameter_mm * 1e-3;
    core::f64::consts::FRAC_PI_4 * d_m * d_m
}

/// Shaft speed in revolutions per minute from rad/s.
#[inline]
pub fn rad_s_to_rpm(speed_rad_s: f64) -> f64 {
    speed_rad_s * (60.0 / core::f64::consts::TAU)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vacuum_round_trip() {
        let ambient = 101_325.0;
        for v in [0.0, 10.0, 190.0, 300.0] {
            assert!((vacuum_mmhg(ambient, absolute_pa(ambient, v)) - v).abs() < 1e-9);
        }
        // 760 mmHg is one standard atmosphere.
        assert!((760.0 * PA_PER_MMHG - 101_325.0).abs() < 0.02);
    }
}
