//! Gauge vacuum transducer read by a ratiometric ADC: first-order lag (sensor plus anti-alias
//! filter), linear transfer function with offset and gain error, seeded white noise, quantisation
//! and clamping to the converter's range, and injectable faults. docs/model.md §9.

use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::params::SensorParams;

/// A fault of the transducer or its wiring, injected by a scenario event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SensorFault {
    /// Output frozen at the last converted value.
    Stuck,
    /// Signal wire open: the ADC input is pulled to ground (0 counts).
    Disconnected,
    /// Output shorted to the reference: full-scale counts.
    ShortedHigh,
}

/// The transducer's state: lagged vacuum, noise stream, last conversion, active fault.
#[derive(Clone, Debug)]
pub struct Transducer {
    zero_v: f64,
    volts_per_mmhg: f64,
    noise_v_rms: f64,
    lag_s: f64,
    counts_per_v: f64,
    full_scale_counts: f64,
    lagged_vacuum_mmhg: f64,
    /// (dt, 1 − exp(−dt/τ)) of the last sample: the tick is fixed, so this is computed once.
    lag_alpha: (f64, f64),
    last_counts: u16,
    fault: Option<SensorFault>,
    rng: ChaCha8Rng,
}

impl Transducer {
    pub fn new(p: &SensorParams, rng: ChaCha8Rng) -> Self {
        let full_scale = f64::from((1u32 << p.adc_bits) - 1);
        Self {
            zero_v: p.zero_v + p.offset_error_mv * 1e-3,
            volts_per_mmhg: p.sensitivity_mv_per_mmhg * 1e-3 * (1.0 + p.gain_error_pct / 100.0),
            noise_v_rms: p.noise_mv_rms * 1e-3,
            lag_s: p.lag_ms * 1e-3,
            counts_per_v: (full_scale + 1.0) / p.adc_reference_v,
            full_scale_counts: full_scale,
            lagged_vacuum_mmhg: 0.0,
            lag_alpha: (f64::NAN, 0.0),
            last_counts: 0,
            fault: None,
            rng,
        }
    }

    /// Advances the lag over `dt_s` toward the true vacuum and converts once (9.1)–(9.3).
    #[inline(always)]
    pub fn sample(&mut self, true_vacuum_mmhg: f64, dt_s: f64) -> u16 {
        if self.lag_alpha.0 != dt_s {
            let alpha = if self.lag_s > 0.0 {
                1.0 - (-dt_s / self.lag_s).exp()
            } else {
                1.0
            };
            self.lag_alpha = (dt_s, alpha);
        }
        let alpha = self.lag_alpha.1;
        self.lagged_vacuum_mmhg += alpha * (true_vacuum_mmhg - self.lagged_vacuum_mmhg);
        // The noise stream advances every sample whatever the fault, so a fault does not shift
        // the noise of everything after it.
        let noise: f64 = StandardNormal.sample(&mut self.rng);
        let Some(fault) = self.fault else {
            let volts = self.zero_v
                + self.volts_per_mmhg * self.lagged_vacuum_mmhg
                + self.noise_v_rms * noise;
            // Round half up by truncation after the clamp (non-negative): the same as
            // `round()` here, without a libm call on CPUs lacking SSE4.1.
            let counts =
                ((volts * self.counts_per_v).clamp(0.0, self.full_scale_counts) + 0.5) as u16;
            self.last_counts = counts;
            return counts;
        };
        let counts = match fault {
            SensorFault::Stuck => return self.last_counts,
            SensorFault::Disconnected => 0,
            SensorFault::ShortedHigh => self.full_scale_counts as u16,
        };
        self.last_counts = counts;
        counts
    }

    pub fn inject(&mut self, fault: Option<SensorFault>) {
        self.fault = fault;
    }

    pub fn fault(&self) -> Option<SensorFault> {
        self.fault
    }

    /// The lagged vacuum the transducer currently senses, mmHg.
    pub fn lagged_vacuum_mmhg(&self) -> f64 {
        self.lagged_vacuum_mmhg
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::SeedableRng;

    fn quiet() -> SensorParams {
        SensorParams {
            noise_mv_rms: 0.0,
            lag_ms: 0.0,
            ..SensorParams::default()
        }
    }

    #[test]
    fn transfer_function_and_quantisation() {
        let mut t = Transducer::new(&quiet(), ChaCha8Rng::seed_from_u64(1));
        // 0.2 V at zero vacuum on a 3.3 V 12-bit ADC: round(0.2 × 4096 / 3.3) = 248.
        assert_eq!(t.sample(0.0, 1e-3), 248);
        // +8 mV/mmHg: 100 mmHg -> 1.0 V -> 1241.2 -> 1241.
        assert_eq!(t.sample(100.0, 1e-3), 1241);
        // Clamped at full scale.
        assert_eq!(t.sample(1000.0, 1e-3), 4095);
    }

    #[test]
    fn lag_is_first_order() {
        let p = SensorParams {
            lag_ms: 2.0,
            noise_mv_rms: 0.0,
            ..SensorParams::default()
        };
        let mut t = Transducer::new(&p, ChaCha8Rng::seed_from_u64(1));
        for _ in 0..2 {
            t.sample(100.0, 1e-3);
        }
        assert!((t.lagged_vacuum_mmhg() - 100.0 * (1.0 - (-1.0f64).exp())).abs() < 1e-9);
    }

    #[test]
    fn noise_has_the_stated_rms_and_depends_on_the_seed() {
        let p = SensorParams {
            lag_ms: 0.0,
            noise_mv_rms: 4.0,
            ..SensorParams::default()
        };
        let run = |seed| {
            let mut t = Transducer::new(&p, ChaCha8Rng::seed_from_u64(seed));
            (0..20_000)
                .map(|_| f64::from(t.sample(100.0, 1e-3)))
                .collect::<Vec<_>>()
        };
        let a = run(7);
        assert_eq!(a, run(7));
        assert_ne!(a, run(8));
        let mean = a.iter().sum::<f64>() / a.len() as f64;
        let rms_counts =
            (a.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / a.len() as f64).sqrt();
        let expected = 4e-3 * 4096.0 / 3.3; // 4.96 counts
        assert!(
            (rms_counts - expected).abs() / expected < 0.05,
            "{rms_counts} vs {expected}"
        );
    }

    #[test]
    fn faults_override_the_reading() {
        let mut t = Transducer::new(&quiet(), ChaCha8Rng::seed_from_u64(1));
        let held = t.sample(100.0, 1e-3);
        t.inject(Some(SensorFault::Stuck));
        assert_eq!(t.sample(200.0, 1e-3), held);
        t.inject(Some(SensorFault::Disconnected));
        assert_eq!(t.sample(200.0, 1e-3), 0);
        t.inject(None);
        assert!(t.sample(200.0, 1e-3) > held);
    }
}
