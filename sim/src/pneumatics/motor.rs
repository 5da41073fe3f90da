//! Brushed DC motor on a single low-side PWM switch with a freewheeling diode, averaged over the
//! PWM period: terminal voltage d·V, current never negative (no regenerative braking), electrical
//! inductance neglected (L/R ≈ 0.1 ms ≪ the 1 ms tick). docs/model.md §6.

/// Motor constants (SI).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DcMotor {
    pub resistance_ohm: f64,
    /// Torque constant = back-EMF constant, N·m/A = V·s/rad.
    pub k_nm_per_a: f64,
    /// Rotor, eccentric and diaphragm inertia, kg·m².
    pub inertia_kg_m2: f64,
    /// Viscous friction, N·m·s/rad.
    pub viscous_nm_s: f64,
    /// Coulomb (dry) friction, N·m.
    pub coulomb_nm: f64,
}

/// Electrical side of one step.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MotorElectrical {
    pub current_a: f64,
    /// Power drawn from the supply (supply current = duty × motor current), W.
    pub supply_power_w: f64,
}

impl DcMotor {
    /// Advances the shaft speed over `dt_s` with duty `duty` (0..1) on `supply_v` against a load
    /// torque, implicit in the speed-proportional terms (back-EMF damping is stiff), eq. (6.1)–(6.3).
    #[inline]
    pub fn step(&self, speed_rad_s: f64, duty: f64, supply_v: f64, load_nm: f64, dt_s: f64) -> f64 {
        self.stepper(dt_s)
            .step(speed_rad_s, duty, supply_v, load_nm)
    }

    /// The constants of [`DcMotor::step`] for a step of `dt_s`: a run's step is fixed, so the
    /// plant computes them once instead of dividing every step.
    pub fn stepper(&self, dt_s: f64) -> MotorStepper {
        let k = self.k_nm_per_a;
        let k_over_r = k / self.resistance_ohm;
        let h_j = dt_s / self.inertia_kg_m2;
        MotorStepper {
            k_nm_per_a: k,
            k_over_r,
            inv_r: 1.0 / self.resistance_ohm,
            coulomb_nm: self.coulomb_nm,
            h_j,
            inv_conducting: 1.0 / (1.0 + h_j * (k * k_over_r + self.viscous_nm_s)),
            inv_coasting: 1.0 / (1.0 + h_j * self.viscous_nm_s),
        }
    }

    /// Current and supply power at a speed and duty, (6.2).
    #[inline]
    pub fn electrical(&self, speed_rad_s: f64, duty: f64, supply_v: f64) -> MotorElectrical {
        electrical(
            self.k_nm_per_a,
            1.0 / self.resistance_ohm,
            speed_rad_s,
            duty,
            supply_v,
        )
    }
}

/// (6.2) with 1/R given: `i = max(0, (d·V − k·ω)/R)`, supply power `V·d·i`.
#[inline]
fn electrical(k: f64, inv_r: f64, speed_rad_s: f64, duty: f64, supply_v: f64) -> MotorElectrical {
    let d = duty.clamp(0.0, 1.0);
    let current_a = ((d * supply_v - k * speed_rad_s) * inv_r).max(0.0);
    MotorElectrical {
        current_a,
        supply_power_w: supply_v * d * current_a,
    }
}

/// [`DcMotor::step`] for one fixed step length, with its divisions done once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MotorStepper {
    k_nm_per_a: f64,
    k_over_r: f64,
    inv_r: f64,
    coulomb_nm: f64,
    /// dt/J.
    h_j: f64,
    /// 1/(1 + (dt/J)·(k²/R + b)) and 1/(1 + (dt/J)·b): the implicit denominators.
    inv_conducting: f64,
    inv_coasting: f64,
}

impl MotorStepper {
    /// The speed after one step, eq. (6.1)–(6.3): implicit in the speed-proportional terms.
    #[inline]
    pub fn step(&self, speed_rad_s: f64, duty: f64, supply_v: f64, load_nm: f64) -> f64 {
        let v = duty.clamp(0.0, 1.0) * supply_v;
        let h_j = self.h_j;
        // Conducting: J·ω̇ = k·(v − k·ω)/r − b·ω − T_c − T_load.
        let drive = self.k_over_r * v - self.coulomb_nm - load_nm;
        let conducting = (speed_rad_s + h_j * drive) * self.inv_conducting;
        let next = if v - self.k_nm_per_a * conducting >= 0.0 {
            conducting
        } else {
            // Back-EMF above the applied voltage: the diode blocks, the motor coasts.
            (speed_rad_s - h_j * (self.coulomb_nm + load_nm)) * self.inv_coasting
        };
        // The pump's check valves make it a one-way machine: no reverse rotation.
        next.max(0.0)
    }

    /// Current and supply power at a speed and duty, (6.2), as [`DcMotor::electrical`].
    #[inline]
    pub fn electrical(&self, speed_rad_s: f64, duty: f64, supply_v: f64) -> MotorElectrical {
        electrical(self.k_nm_per_a, self.inv_r, speed_rad_s, duty, supply_v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn motor() -> DcMotor {
        DcMotor {
            resistance_ohm: 4.0,
            k_nm_per_a: 0.012,
            inertia_kg_m2: 8e-7,
            viscous_nm_s: 1e-6,
            coulomb_nm: 0.0,
        }
    }

    #[test]
    fn spins_up_to_the_analytic_no_load_speed_with_the_analytic_time_constant() {
        let m = motor();
        // ω∞ = k·V/(k² + b·R), τ = J·R/(k² + b·R).
        let denom = m.k_nm_per_a.powi(2) + m.viscous_nm_s * m.resistance_ohm;
        let w_inf = m.k_nm_per_a * 12.0 / denom;
        let tau = m.inertia_kg_m2 * m.resistance_ohm / denom;
        let dt = 1e-6;
        let mut w = 0.0;
        let mut t = 0.0;
        while t < tau {
            w = m.step(w, 1.0, 12.0, 0.0, dt);
            t += dt;
        }
        let expected = w_inf * (1.0 - (-t / tau).exp());
        assert!((w - expected).abs() / expected < 1e-3, "{w} vs {expected}");
        for _ in 0..(20.0 * tau / dt) as usize {
            w = m.step(w, 1.0, 12.0, 0.0, dt);
        }
        assert!((w - w_inf).abs() / w_inf < 1e-6);
    }

    #[test]
    fn coasts_without_negative_current_and_never_reverses() {
        let m = DcMotor {
            coulomb_nm: 2e-3,
            ..motor()
        };
        let mut w = 900.0;
        for _ in 0..10_000 {
            w = m.step(w, 0.0, 12.0, 5e-3, 1e-4);
            assert!(w >= 0.0);
            assert_eq!(m.electrical(w, 0.0, 12.0).current_a, 0.0);
        }
        assert_eq!(w, 0.0);
    }
}
