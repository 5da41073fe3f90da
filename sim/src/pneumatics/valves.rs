//! The two valves on the pump manifold: the solenoid release valve the firmware commands, and the
//! mechanical spring relief valve that limits vacuum whatever the firmware does. Both vent to
//! atmosphere through an orifice (orifice.rs). docs/model.md §3.2–3.3.

/// Solenoid release valve: its effective area follows the command with first-order opening and
/// closing times (armature travel), integrated exactly over a step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReleaseValve {
    /// Discharge coefficient × full orifice area, m².
    pub full_cd_area_m2: f64,
    pub open_time_s: f64,
    pub close_time_s: f64,
}

impl ReleaseValve {
    /// Opening fraction (0 closed .. 1 open) after `dt_s` of holding the command.
    #[inline]
    pub fn step_opening(&self, opening: f64, open_cmd: bool, dt_s: f64) -> f64 {
        self.step_opening_with(opening, open_cmd, self.decays(dt_s))
    }

    /// exp(−dt/τ) for opening and closing: constant for a fixed step, so callers cache it.
    pub fn decays(&self, dt_s: f64) -> (f64, f64) {
        let decay = |tau: f64| if tau > 0.0 { (-dt_s / tau).exp() } else { 0.0 };
        (decay(self.open_time_s), decay(self.close_time_s))
    }

    /// As `step_opening`, with the decays of `decays(dt)` precomputed.
    #[inline]
    pub fn step_opening_with(&self, opening: f64, open_cmd: bool, decays: (f64, f64)) -> f64 {
        // Within 1e-9 of an end stop the armature is seated: snap, so a closed valve costs no
        // orifice evaluation and an open one has exactly its full area.
        let x = if open_cmd {
            1.0 + (opening - 1.0) * decays.0
        } else {
            opening * decays.1
        };
        if x < 1e-9 {
            0.0
        } else if x > 1.0 - 1e-9 {
            1.0
        } else {
            x
        }
    }

    #[inline]
    pub fn cd_area_m2(&self, opening: f64) -> f64 {
        self.full_cd_area_m2 * opening.clamp(0.0, 1.0)
    }
}

/// Spring relief valve: closed below its cracking vacuum, opening linearly to full area at its
/// full-open vacuum (3.4).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReliefValve {
    pub cracking_vacuum_pa: f64,
    pub full_open_vacuum_pa: f64,
    pub full_cd_area_m2: f64,
}

impl ReliefValve {
    #[inline]
    pub fn cd_area_m2(&self, vacuum_pa: f64) -> f64 {
        if vacuum_pa <= self.cracking_vacuum_pa {
            return 0.0;
        }
        let lift = (vacuum_pa - self.cracking_vacuum_pa)
            / (self.full_open_vacuum_pa - self.cracking_vacuum_pa);
        self.full_cd_area_m2 * lift.min(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opening_follows_exact_first_order_response() {
        let v = ReleaseValve {
            full_cd_area_m2: 1e-6,
            open_time_s: 0.005,
            close_time_s: 0.008,
        };
        let mut x = 0.0;
        for _ in 0..5 {
            x = v.step_opening(x, true, 0.001);
        }
        assert!((x - (1.0 - (-1.0f64).exp())).abs() < 1e-12);
        let y = v.step_opening(1.0, false, 0.008);
        assert!((y - (-1.0f64).exp()).abs() < 1e-12);
    }

    #[test]
    fn relief_closed_below_cracking_and_full_beyond() {
        let r = ReliefValve {
            cracking_vacuum_pa: 40_000.0,
            full_open_vacuum_pa: 42_000.0,
            full_cd_area_m2: 2e-6,
        };
        assert_eq!(r.cd_area_m2(39_999.0), 0.0);
        assert!((r.cd_area_m2(41_000.0) - 1e-6).abs() < 1e-18);
        assert_eq!(r.cd_area_m2(50_000.0), 2e-6);
    }
}
