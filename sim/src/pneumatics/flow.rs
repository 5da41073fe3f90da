//! A mass flow along one edge of the pneumatic network, with its sensitivities to the pressures at
//! both ends: the linearly implicit integrator (docs/model.md §7) needs both.

/// Mass flow from end `a` to end `b` of an edge (negative when air flows from `b` to `a`), and its
/// partial derivatives with respect to the absolute pressures at `a` and `b`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct EdgeFlow {
    pub kg_s: f64,
    /// ∂ṁ/∂p_a, kg/(s·Pa).
    pub d_dpa: f64,
    /// ∂ṁ/∂p_b, kg/(s·Pa).
    pub d_dpb: f64,
}

impl EdgeFlow {
    pub const ZERO: Self = Self {
        kg_s: 0.0,
        d_dpa: 0.0,
        d_dpb: 0.0,
    };

    /// The same edge seen from the other end.
    #[inline]
    pub fn reversed(self) -> Self {
        Self {
            kg_s: -self.kg_s,
            d_dpa: -self.d_dpb,
            d_dpb: -self.d_dpa,
        }
    }

    /// First-order estimate of the flow after the end pressures move by `dpa` and `dpb`: the flow
    /// the implicit step actually transfers (docs/model.md §7).
    #[inline]
    pub fn linearised(self, dpa: f64, dpb: f64) -> f64 {
        self.kg_s + self.d_dpa * dpa + self.d_dpb * dpb
    }
}
