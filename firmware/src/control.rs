//! Vacuum loop: feedforward plus PI on the error of a lead-predicted reading, in fixed point,
//! with conditional integration as anti-windup.
//!
//! ```text
//! predicted = measured + lead * (measured - measured[RATE_WINDOW ticks ago]) / RATE_WINDOW
//! error     = target - predicted
//! duty      = clamp(ff * target + kp * error + integral, 0, max_duty)    [permille; mmHg]
//! integral += ki * error * dt      unless the output is saturated in the error's direction
//! ```
//!
//! Why the lead: the pump can only remove air. Once it has overshot, a sealed kit holds the
//! overshoot until the release, so the loop must stop pulling before the target, while the motor
//! still coasts; acting on the reading predicted one coast time ahead does that.

use crate::divide::Divisor;
use crate::settings::ControlGains;
use crate::timing::ms_to_ticks;

/// Ticks over which the rate of change of the reading is measured (8 ms at 1 kHz): long enough
/// to average the transducer noise, short next to a pull.
const RATE_WINDOW: usize = 8;
/// `RATE_WINDOW - 1`, the ring's index mask.
const RING_MASK: usize = RATE_WINDOW - 1;
const _: () = assert!(RATE_WINDOW.is_power_of_two());

/// PI vacuum controller state.
#[derive(Clone, Debug)]
pub(crate) struct VacuumLoop {
    /// Gains, as set.
    gains: ControlGains,
    /// Integral term scaled by `scale`: permille * 10 * tick_hz.
    integral_scaled: i64,
    /// `integral_scaled / scale`, the integral term in permille: kept with `integral_scaled` so
    /// a tick divides once (when the integral changes), not once per use.
    integral_permille: i64,
    /// Division by `10 * tick_hz` (the scale), prepared once: turns `ki [permille/(mmHg s)] *
    /// error [0.1 mmHg]` summed per tick into permille.
    per_scale: Divisor,
    /// `max_duty_permille`, at most 1000.
    max_duty: i64,
    /// `max_duty * scale`: the integral's bound either side of zero.
    integral_bound: i64,
    /// Lead, ticks (0 = none).
    lead_ticks: i64,
    /// Last readings, a ring of `RATE_WINDOW`, 0.1 mmHg; `next` is the oldest.
    history: [i16; RATE_WINDOW],
    next: usize,
    /// Readings seen since the last reset (the prediction waits for a full window).
    seen: usize,
}

impl VacuumLoop {
    pub(crate) fn new(gains: &ControlGains, tick_hz: u16) -> Self {
        // At most 655,350: the integral's bound stays below 2^30, where `Divisor` is exact.
        let scale = u32::from(tick_hz).saturating_mul(10).max(1);
        let max_duty = i64::from(gains.max_duty_permille.min(1000));
        VacuumLoop {
            gains: *gains,
            integral_scaled: 0,
            integral_permille: 0,
            per_scale: Divisor::new(scale),
            max_duty,
            integral_bound: max_duty.saturating_mul(i64::from(scale)),
            lead_ticks: if gains.lead_ms == 0 {
                0
            } else {
                i64::from(ms_to_ticks(gains.lead_ms, tick_hz))
            },
            history: [0; RATE_WINDOW],
            next: 0,
            seen: 0,
        }
    }

    /// Clears the integral and the rate history (at the start of each pull).
    pub(crate) fn reset(&mut self) {
        self.integral_scaled = 0;
        self.integral_permille = 0;
        self.seen = 0;
    }

    /// Records a reading and returns it advanced by the lead along its recent rate, 0.1 mmHg.
    fn predict(&mut self, measured_dmmhg: i16) -> i64 {
        let now = i64::from(measured_dmmhg);
        // RATE_WINDOW is a power of two: the masked index is always in the ring, so the
        // lookups below cannot miss (and compile without a bounds check).
        let next = self.next & RING_MASK;
        let oldest = self
            .history
            .get(next)
            .copied()
            .map(i64::from)
            .unwrap_or(now);
        if let Some(slot) = self.history.get_mut(next) {
            *slot = measured_dmmhg;
        }
        self.next = next.wrapping_add(1) & RING_MASK;
        if self.seen < RATE_WINDOW {
            self.seen = self.seen.saturating_add(1);
            return now;
        }
        let window = RATE_WINDOW as i64;
        let lead = now.saturating_sub(oldest).saturating_mul(self.lead_ticks);
        now.saturating_add(lead.checked_div(window).unwrap_or(0))
    }

    /// The integral term, permille, of the current `integral_scaled`.
    fn integral_permille(&self) -> i64 {
        self.per_scale.divide(self.integral_scaled)
    }

    /// One control step: set-point and reading in 0.1 mmHg -> motor duty, permille.
    #[inline]
    pub(crate) fn update(&mut self, target_dmmhg: u16, measured_dmmhg: i16) -> u16 {
        let max_duty = self.max_duty;
        let target = i64::from(target_dmmhg);
        let error = target.saturating_sub(self.predict(measured_dmmhg));
        // Gains are per mmHg and values in 0.1 mmHg, hence the / 10.
        let feedforward =
            i64::from(self.gains.feedforward_permille_per_mmhg).saturating_mul(target) / 10;
        let proportional = i64::from(self.gains.kp_permille_per_mmhg).saturating_mul(error) / 10;
        let unclamped = feedforward
            .saturating_add(proportional)
            .saturating_add(self.integral_permille);
        let pushing_past_max = unclamped >= max_duty && error > 0;
        let pushing_past_zero = unclamped <= 0 && error < 0;
        if !pushing_past_max && !pushing_past_zero {
            let bound = self.integral_bound;
            self.integral_scaled = self
                .integral_scaled
                .saturating_add(i64::from(self.gains.ki_permille_per_mmhg_s).saturating_mul(error))
                .clamp(bound.saturating_neg(), bound);
            self.integral_permille = self.integral_permille();
        }
        let duty = feedforward
            .saturating_add(proportional)
            .saturating_add(self.integral_permille)
            .clamp(0, max_duty);
        u16::try_from(duty).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lead_predicts_along_the_recent_rate() {
        let gains = ControlGains {
            kp_permille_per_mmhg: 10,
            ki_permille_per_mmhg_s: 0,
            lead_ms: 16,
            ..ControlGains::default()
        };
        let mut l = VacuumLoop::new(&gains, 1000);
        // Rising 1 mmHg (10 dmmHg) per tick: after a full window the prediction is 16 ticks ahead.
        let mut duty = 0;
        for k in 0..=RATE_WINDOW as i16 {
            duty = l.update(2000, 1000 + 10 * k);
        }
        // measured 1080, predicted 1080 + 160 = 1240, error 760 dmmHg -> kp 10 * 76 = 760 permille.
        assert_eq!(duty, 760);
        l.reset();
        // After a reset the first window uses the plain reading.
        assert_eq!(l.update(2000, 1500), 500);
    }

    #[test]
    fn terms_add_up_in_permille() {
        let gains = ControlGains {
            feedforward_permille_per_mmhg: 2,
            ki_permille_per_mmhg_s: 60,
            ..ControlGains::default()
        };
        let mut l = VacuumLoop::new(&gains, 1000);
        // ff 2 * 100 mmHg = 200, kp 20 * 10 mmHg = 200, integral after one tick: 60 * 10 / 1000 = 0.6 -> 0.
        assert_eq!(l.update(1000, 900), 400);
    }

    #[test]
    fn integral_does_not_wind_up_while_saturated() {
        let gains = ControlGains {
            feedforward_permille_per_mmhg: 2,
            ki_permille_per_mmhg_s: 60,
            lead_ms: 0,
            ..ControlGains::default()
        };
        let mut l = VacuumLoop::new(&gains, 1000);
        for _ in 0..10_000 {
            assert_eq!(l.update(1900, 0), 1000);
        }
        assert_eq!(l.integral_scaled, 0);
        // At the target the output is feedforward only: no stored windup to unwind.
        assert_eq!(l.update(1900, 1900), 380);
    }

    #[test]
    fn the_kept_integral_term_is_always_the_division() {
        let gains = ControlGains {
            ki_permille_per_mmhg_s: 60,
            ..ControlGains::default()
        };
        let mut l = VacuumLoop::new(&gains, 1000);
        let mut x: u32 = 12345;
        for k in 0..50_000u32 {
            // A deterministic scramble of targets and readings, with resets now and then.
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            if k % 997 == 0 {
                l.reset();
            }
            l.update((x >> 8) as u16 % 3000, ((x >> 20) % 3000) as i16);
            assert_eq!(l.integral_permille, l.integral_permille());
            assert_eq!(
                l.integral_permille,
                l.integral_scaled / 10_000 // scale at 1 kHz
            );
        }
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
