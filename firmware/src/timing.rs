//! Tick arithmetic: the controller never reads a clock, so every duration in the settings is
//! converted once into a count of control ticks.

/// Ticks spanning at least `ms` milliseconds at `tick_hz` (rounded up), never fewer than 1.
pub(crate) fn ms_to_ticks(ms: u16, tick_hz: u16) -> u32 {
    let product = u32::from(ms).saturating_mul(u32::from(tick_hz));
    product.div_ceil(1000).max(1)
}

/// Ticks in `s` seconds at `tick_hz` (exact).
pub(crate) fn s_to_ticks(s: u16, tick_hz: u16) -> u32 {
    u32::from(s).saturating_mul(u32::from(tick_hz))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_round_up_and_never_reach_zero() {
        assert_eq!(ms_to_ticks(20, 1000), 20);
        assert_eq!(ms_to_ticks(20, 1500), 30);
        assert_eq!(ms_to_ticks(1, 100), 1);
        assert_eq!(ms_to_ticks(0, 1000), 1);
        assert_eq!(ms_to_ticks(u16::MAX, u16::MAX), 4_294_837);
        assert_eq!(s_to_ticks(120, 1000), 120_000);
    }
}
