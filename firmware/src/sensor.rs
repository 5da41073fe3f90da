//! Pressure transducer: raw ADC counts to vacuum in 0.1 mmHg using the calibration, and the
//! valid-range test the supervisor uses.

use crate::divide::Divisor;
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

/// [`SensorCalibration::vacuum_dmmhg`] with its division by the sensitivity prepared once
/// ([`Divisor`]): the same reading for every count, without a division per tick.
#[derive(Clone, Copy, Debug)]
pub(crate) struct VacuumConverter {
    zero_counts: u16,
    per_sensitivity: Divisor,
}

impl VacuumConverter {
    pub(crate) fn new(cal: &SensorCalibration) -> Self {
        VacuumConverter {
            zero_counts: cal.zero_counts,
            per_sensitivity: Divisor::new(cal.counts_per_mmhg_milli),
        }
    }

    /// Vacuum for a raw reading, 0.1 mmHg below atmosphere, as
    /// [`SensorCalibration::vacuum_dmmhg`].
    #[inline]
    pub(crate) fn vacuum_dmmhg(&self, counts: u16) -> i16 {
        let delta = i64::from(counts).saturating_sub(i64::from(self.zero_counts));
        saturate_i16(self.per_sensitivity.divide(delta.saturating_mul(10_000)))
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
    fn the_prepared_converter_reads_as_the_calibration_for_every_count() {
        let sensitivities = [
            0,
            1,
            2,
            3,
            7,
            9930,
            10_000,
            12_345,
            65_535,
            1 << 20,
            u32::MAX,
        ];
        for zero_counts in [0, 1, 248, 2048, 4095, u16::MAX] {
            for counts_per_mmhg_milli in sensitivities {
                let cal = SensorCalibration {
                    zero_counts,
                    counts_per_mmhg_milli,
                    ..SensorCalibration::default()
                };
                let converter = VacuumConverter::new(&cal);
                for counts in 0..=u16::MAX {
                    assert_eq!(
                        converter.vacuum_dmmhg(counts),
                        cal.vacuum_dmmhg(counts),
                        "{counts} counts, {cal:?}"
                    );
                }
            }
        }
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
