//! Pressure transducer: raw ADC counts to vacuum in 0.1 mmHg using the calibration, and the
//! valid-range test the supervisor uses.

use crate::settings::SensorCalibration;

impl SensorCalibration {
    /// Vacuum for a raw reading, 0.1 mmHg below atmosphere:
    /// `(counts - zero_counts) * 10_000 / counts_per_mmhg_milli`, truncated toward zero and
    /// saturated to the `i16` range. A zero sensitivity (rejected by validation) reads 0.
    pub fn vacuum_dmmhg(&self, counts: u16) -> i16 {
        let delta = i64::from(counts).saturating_sub(i64::from(self.zero_counts));
        let scaled = delta.saturating_mul(10_000);
        let vacuum = scaled
            .checked_div(i64::from(self.counts_per_mmhg_milli))
            .unwrap_or(0);
        saturate_i16(vacuum)
    }

    /// `true` when `counts` lies within `[valid_min_counts, valid_max_counts]`.
    pub fn counts_valid(&self, counts: u16) -> bool {
        (self.valid_min_counts..=self.valid_max_counts).contains(&counts)
    }
}

fn saturate_i16(v: i64) -> i16 {
    i16::try_from(v).unwrap_or(if v < 0 { i16::MIN } else { i16::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_reads_zero_and_sensitivity_scales() {
        let cal = SensorCalibration::default();
        assert_eq!(cal.vacuum_dmmhg(248), 0);
        // 190 mmHg * 9.930 counts/mmHg = 1886.7 counts above zero.
        assert_eq!(cal.vacuum_dmmhg(248 + 1887), 1900);
        assert_eq!(cal.vacuum_dmmhg(238), -10);
        assert_eq!(cal.vacuum_dmmhg(0), -249);
    }

    #[test]
    fn extreme_calibration_saturates() {
        let cal = SensorCalibration {
            zero_counts: 0,
            counts_per_mmhg_milli: 1,
            ..SensorCalibration::default()
        };
        assert_eq!(cal.vacuum_dmmhg(u16::MAX), i16::MAX);
        let cal = SensorCalibration {
            zero_counts: u16::MAX,
            counts_per_mmhg_milli: 1,
            ..SensorCalibration::default()
        };
        assert_eq!(cal.vacuum_dmmhg(0), i16::MIN);
        let cal = SensorCalibration {
            counts_per_mmhg_milli: 0,
            ..SensorCalibration::default()
        };
        assert_eq!(cal.vacuum_dmmhg(4000), 0);
    }
}
