//! Air as an ideal gas at constant temperature (isothermal kit: small volumes, thin walls, slow
//! cycles; docs/model.md §2).

/// Specific gas constant of dry air, J/(kg·K).
pub const R_AIR_J_PER_KG_K: f64 = 287.058;
/// Ratio of specific heats of air.
pub const GAMMA_AIR: f64 = 1.4;
/// Dynamic viscosity of air near 22 °C, Pa·s.
pub const MU_AIR_PA_S: f64 = 1.83e-5;

/// Ambient conditions the kit sits in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ambient {
    pub pressure_pa: f64,
    pub temperature_k: f64,
}

impl Ambient {
    /// R·T, J/kg: the isothermal link between pressure and density (p = ρ·R·T).
    #[inline]
    pub fn rt_j_per_kg(&self) -> f64 {
        R_AIR_J_PER_KG_K * self.temperature_k
    }

    /// Density of ambient air, kg/m³.
    #[inline]
    pub fn density_kg_m3(&self) -> f64 {
        self.pressure_pa / self.rt_j_per_kg()
    }

    /// Converts a mass flow to free-air volume flow at ambient conditions, mL/min.
    #[inline]
    pub fn free_air_ml_min(&self, mass_flow_kg_s: f64) -> f64 {
        mass_flow_kg_s / self.density_kg_m3() * 1e6 * 60.0
    }
}
