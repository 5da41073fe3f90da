//! Division by a divisor fixed when the controller is set up, as a multiply and a shift: the
//! per-tick divisions of the calibration (`/ counts_per_mmhg_milli`) and of the integral
//! (`/ (10 * tick_hz)`) by a runtime setting. A Cortex-M3 divides in up to 12 cycles, an x86
//! core in tens; a multiply takes one to four.
//!
//! Exactness (Granlund & Montgomery, "Division by invariant integers using multiplication",
//! PLDI 1994, Theorem 4.2): for a divisor `d >= 1`, `l = ceil(log2 d)` and
//! `m = ceil(2^(N + l) / d)`, `2^(N + l) <= m * d <= 2^(N + l) + 2^l`, hence
//! `floor(n / d) = floor(m * n / 2^(N + l))` for every `0 <= n < 2^N`. Here `N = 30`: both
//! dividends stay below 2^30 in magnitude (at most 65,535 counts x 10,000 = 655,350,000; the
//! integral is clamped to 1,000 permille x 655,350 = 655,350,000), `m <= 2^31`, so `m * n`
//! fits in 64 bits. Outside that range the quotient falls back to the division. The tests
//! compare it with the division over the whole `u16` counts range.

/// Magnitudes below `2^DIVIDEND_BITS` divide exactly by the multiply-shift.
const DIVIDEND_BITS: u32 = 30;

/// `n / d` truncated toward zero (as `i64::checked_div`, 0 for `d == 0`) for a fixed `d`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Divisor {
    /// The divisor (0 divides to 0).
    divisor: u64,
    /// `ceil(2^shift / divisor)`; 0 for a zero divisor.
    multiplier: u64,
    /// `DIVIDEND_BITS + ceil(log2 divisor)`.
    shift: u32,
}

impl Divisor {
    /// Prepares division by `divisor` (one division, at set-up).
    pub(crate) fn new(divisor: u32) -> Self {
        // ceil(log2 d): 0 for d = 1; 32 - leading zeros of d - 1 otherwise.
        let log2 = u32::BITS.saturating_sub(divisor.saturating_sub(1).leading_zeros());
        let shift = DIVIDEND_BITS.saturating_add(log2);
        let d = u64::from(divisor);
        let multiplier = 1u64
            .checked_shl(shift)
            .unwrap_or(0)
            .saturating_add(d.saturating_sub(1))
            .checked_div(d)
            .unwrap_or(0);
        Divisor {
            divisor: d,
            multiplier,
            shift,
        }
    }

    /// `n / divisor`, truncated toward zero; 0 for a zero divisor.
    #[inline]
    pub(crate) fn divide(&self, n: i64) -> i64 {
        let magnitude = n.unsigned_abs();
        let quotient = if magnitude >> DIVIDEND_BITS == 0 {
            // magnitude < 2^30 and multiplier <= 2^31: the product fits.
            magnitude
                .wrapping_mul(self.multiplier)
                .wrapping_shr(self.shift)
        } else {
            magnitude.checked_div(self.divisor).unwrap_or(0)
        };
        // quotient <= magnitude; a quotient of 2^63 (i64::MIN / 1) wraps to i64::MIN and
        // negates to itself, the division's value.
        let q = quotient as i64;
        if n < 0 { q.wrapping_neg() } else { q }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(d: u32, n: i64) {
        let expected = n.checked_div(i64::from(d)).unwrap_or(0);
        assert_eq!(Divisor::new(d).divide(n), expected, "{n} / {d}");
    }

    #[test]
    fn matches_the_division_at_the_edges() {
        let divisors = [
            0,
            1,
            2,
            3,
            7,
            10,
            1000,
            9930,
            10_000,
            65_535,
            655_350,
            1 << 20,
        ]
        .into_iter()
        .chain([
            (1u32 << 31) - 1,
            1 << 31,
            (1 << 31) + 1,
            u32::MAX - 1,
            u32::MAX,
        ]);
        for d in divisors {
            for n in [
                0,
                1,
                -1,
                (1 << 30) - 1,
                -(1 << 30) + 1,
                1 << 30,
                -(1 << 30),
                i64::MAX,
                i64::MIN,
                i64::MIN + 1,
            ] {
                check(d, n);
            }
            for k in 1..64 {
                for n in [(1i64 << k) / 3, (1i64 << (k - 1)) + 1, i64::MAX >> (63 - k)] {
                    check(d, n);
                    check(d, -n);
                }
            }
        }
    }

    #[test]
    fn matches_the_division_below_2_pow_30_for_many_divisors() {
        // Every divisor up to 4096 and a scramble of larger ones, each over dividends spread
        // across the exact range (its top included).
        let mut x: u64 = 7;
        let mut next = || {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            x >> 16
        };
        let larger: [u32; 64] = core::array::from_fn(|_| next() as u32);
        for d in (1..=4096u32).chain(larger) {
            let div = Divisor::new(d);
            for _ in 0..200 {
                let n = (next() % (1 << 30)) as i64;
                for n in [n, -n, (1 << 30) - 1 - n] {
                    assert_eq!(div.divide(n), n / i64::from(d), "{n} / {d}");
                }
            }
        }
    }
}
