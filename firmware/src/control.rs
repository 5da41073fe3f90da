//! Vacuum loop: feedforward plus PI on the vacuum error, in fixed point, with conditional
//! integration as anti-windup.
//!
//! ```text
//! duty = clamp(ff * target + kp * error + integral, 0, max_duty)      [permille; mmHg]
//! integral += ki * error * dt      unless the output is saturated in the error's direction
//! ```

use crate::settings::ControlGains;

/// PI vacuum controller state.
#[derive(Clone, Debug)]
pub(crate) struct VacuumLoop {
    /// Gains, as set.
    gains: ControlGains,
    /// Integral term scaled by `scale`: permille * 10 * tick_hz.
    integral_scaled: i64,
    /// `10 * tick_hz`: turns `ki [permille/(mmHg s)] * error [0.1 mmHg]` summed per tick into
    /// permille.
    scale: i64,
}

impl VacuumLoop {
    pub(crate) fn new(gains: &ControlGains, tick_hz: u16) -> Self {
        VacuumLoop {
            gains: *gains,
            integral_scaled: 0,
            scale: i64::from(tick_hz).saturating_mul(10).max(1),
        }
    }

    /// Clears the integral (at the start of each pull).
    pub(crate) fn reset(&mut self) {
        self.integral_scaled = 0;
    }

    /// The integral term, permille.
    fn integral_permille(&self) -> i64 {
        self.integral_scaled.checked_div(self.scale).unwrap_or(0)
    }

    /// One control step: set-point and reading in 0.1 mmHg -> motor duty, permille.
    pub(crate) fn update(&mut self, target_dmmhg: u16, measured_dmmhg: i16) -> u16 {
        let max_duty = i64::from(self.gains.max_duty_permille.min(1000));
        let target = i64::from(target_dmmhg);
        let error = target.saturating_sub(i64::from(measured_dmmhg));
        // Gains are per mmHg and values in 0.1 mmHg, hence the / 10.
        let feedforward =
            i64::from(self.gains.feedforward_permille_per_mmhg).saturating_mul(target) / 10;
        let proportional = i64::from(self.gains.kp_permille_per_mmhg).saturating_mul(error) / 10;
        let unclamped = feedforward
            .saturating_add(proportional)
            .saturating_add(self.integral_permille());
        let pushing_past_max = unclamped >= max_duty && error > 0;
        let pushing_past_zero = unclamped <= 0 && error < 0;
        if !pushing_past_max && !pushing_past_zero {
            let bound = max_duty.saturating_mul(self.scale);
            self.integral_scaled = self
                .integral_scaled
                .saturating_add(i64::from(self.gains.ki_permille_per_mmhg_s).saturating_mul(error))
                .clamp(bound.saturating_neg(), bound);
        }
        let duty = feedforward
            .saturating_add(proportional)
            .saturating_add(self.integral_permille())
            .clamp(0, max_duty);
        u16::try_from(duty).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_add_up_in_permille() {
        let mut l = VacuumLoop::new(&ControlGains::default(), 1000);
        // ff 2 * 100 mmHg = 200, kp 20 * 10 mmHg = 200, integral after one tick: 60 * 10 / 1000 = 0.6 -> 0.
        assert_eq!(l.update(1000, 900), 400);
    }

    #[test]
    fn integral_does_not_wind_up_while_saturated() {
        let mut l = VacuumLoop::new(&ControlGains::default(), 1000);
        for _ in 0..10_000 {
            assert_eq!(l.update(1900, 0), 1000);
        }
        assert_eq!(l.integral_scaled, 0);
        // At the target the output is feedforward only: no stored windup to unwind.
        assert_eq!(l.update(1900, 1900), 380);
    }

    #[test]
    fn output_respects_max_duty() {
        let gains = ControlGains {
            max_duty_permille: 600,
            ..ControlGains::default()
        };
        let mut l = VacuumLoop::new(&gains, 1000);
        assert_eq!(l.update(2500, 0), 600);
        assert_eq!(l.update(0, 2500), 0);
    }
}
