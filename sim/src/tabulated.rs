//! Table-driven `e^(−u)` and `ln x` for the integrator's every step: the fit's swelling (8.1)
//! and the pump's isothermal work (5.4). docs/model.md §7 (numerics).
//!
//! Why: a libm call costs ~50 instructions, and because every floating-point register is
//! caller-saved it also forces the step to spill and reload its live values around the call;
//! these inline versions cost a table load and a short polynomial, with no call.
//!
//! How, and the bound (tests below, against `f64::exp`/`f64::ln` over their whole ranges):
//! - `exp_neg(u)`, u ≥ 0: `e^(−i/64)` from a table (i = ⌊64·u⌋, u < 16) times the degree-6
//!   Taylor polynomial of `e^(−f)`, f = u − i/64 ∈ [0, 1/64) (truncation error
//!   f⁷/7! < 5·10⁻¹⁷). Relative error under 10⁻¹⁵ (a few ulp).
//! - `ln(x)`, 1 ≤ x < 5: `ln(1 + i/256)` from a table (i = ⌊256·(x − 1)⌋) plus the degree-6
//!   series of `ln(1 + t)`, t = (x − x_i)/x_i ∈ [0, 1/256) (truncation t⁷/7 < 2·10⁻¹⁸);
//!   x − x_i is exact (Sterbenz). Absolute error under 10⁻¹⁵.
//! - `ln_fraction(y)`, 1/4 ≤ y < 1: the same with a table of `ln(i/1024)`; same bound.
//! - Outside those ranges (u ≥ 16: a vacuum of 16 swelling scales; x ≥ 5: a pump inlet below a
//!   fifth of an atmosphere, beyond dead head; NaN) both fall back to the libm function.
//!
//! The tables are filled once from libm on first use (no clocks, threads or I/O: the result
//! depends only on the arguments).

use std::sync::LazyLock;

/// Table steps per unit of `u` for `exp_neg`, and its range.
const EXP_STEPS: f64 = 64.0;
const EXP_LEN: usize = 16 * 64;
/// Table steps per unit of `x − 1` for `ln`, and its range (x < 5).
const LN_STEPS: f64 = 256.0;
const LN_LEN: usize = 4 * 256;

static EXP_NEG_TABLE: LazyLock<[f64; EXP_LEN]> =
    LazyLock::new(|| core::array::from_fn(|i| (-(i as f64) / EXP_STEPS).exp()));

/// (ln x_i, 1/x_i) at x_i = 1 + i/256.
static LN_TABLE: LazyLock<[(f64, f64); LN_LEN]> = LazyLock::new(|| {
    core::array::from_fn(|i| {
        let x = 1.0 + i as f64 / LN_STEPS;
        (x.ln(), 1.0 / x)
    })
});

/// `e^(−u)` for u ≥ 0 (negative u, beyond the table, and NaN: libm).
#[inline]
pub fn exp_neg(u: f64) -> f64 {
    let x = u * EXP_STEPS;
    // Also false for NaN.
    if !(x >= 0.0 && x < EXP_LEN as f64) {
        return (-u).exp();
    }
    // Through i32: one conversion instruction each way (usize <-> f64 takes a dozen on x86-64),
    // and the mask (a no-op, the range is checked above) drops the bounds check.
    let i = x as i32;
    let f = (x - f64::from(i)) * (1.0 / EXP_STEPS);
    // e^(−f) to degree 6 in Estrin's form: the step waits on this value, and the pairs are
    // independent, so its latency is about half of Horner's.
    let f2 = f * f;
    let f4 = f2 * f2;
    let p = ((1.0 - f) + f2 * (1.0 / 2.0 - f * (1.0 / 6.0)))
        + f4 * ((1.0 / 24.0 - f * (1.0 / 120.0)) + f2 * (1.0 / 720.0));
    EXP_NEG_TABLE[i as usize & (EXP_LEN - 1)] * p
}

/// `ln x` for 1 ≤ x < 5 (elsewhere and NaN: libm).
#[inline]
pub fn ln(x: f64) -> f64 {
    let y = (x - 1.0) * LN_STEPS;
    if !(y >= 0.0 && y < LN_LEN as f64) {
        return x.ln();
    }
    let i = y as i32;
    let (ln_xi, inv_xi) = LN_TABLE[i as usize & (LN_LEN - 1)];
    let t = (x - (1.0 + f64::from(i) * (1.0 / LN_STEPS))) * inv_xi;
    ln_xi + ln_1p_small(t)
}

/// Table steps per unit of `y` for `ln_fraction`, and its range (1/4 ≤ y < 1).
const LN_FRACTION_STEPS: f64 = 1024.0;
const LN_FRACTION_FIRST: usize = 256;
const LN_FRACTION_LEN: usize = 1024;

/// (ln y_i, 1/y_i) at y_i = i/1024, for i from 256 (y = 1/4) to 1023.
static LN_FRACTION_TABLE: LazyLock<[(f64, f64); LN_FRACTION_LEN]> = LazyLock::new(|| {
    core::array::from_fn(|i| {
        let y = i.max(LN_FRACTION_FIRST) as f64 / LN_FRACTION_STEPS;
        (y.ln(), 1.0 / y)
    })
});

/// `ln y` for 1/4 ≤ y < 1 (elsewhere and NaN: libm): as `ln`, from a table of `ln(i/1024)`
/// (t = (y − y_i)/y_i ∈ [0, 1/256), the same bound). The pump's ln(p_out/p_in) is
/// −ln(p_in/p_out), with p_in/p_out a multiplication by the run constant 1/p_atm.
#[inline]
pub fn ln_fraction(y: f64) -> f64 {
    let x = y * LN_FRACTION_STEPS;
    if !(x >= LN_FRACTION_FIRST as f64 && x < LN_FRACTION_LEN as f64) {
        return y.ln();
    }
    let i = x as i32;
    let (ln_yi, inv_yi) = LN_FRACTION_TABLE[i as usize & (LN_FRACTION_LEN - 1)];
    let t = (y - f64::from(i) * (1.0 / LN_FRACTION_STEPS)) * inv_yi;
    ln_yi + ln_1p_small(t)
}

/// ln(1 + t) for 0 ≤ t < 1/256 to degree 6 (truncation t⁷/7 < 2·10⁻¹⁸), in Estrin's form:
/// the step waits on this value, and the pairs are independent, so its latency is about half
/// of Horner's.
#[inline(always)]
fn ln_1p_small(t: f64) -> f64 {
    let t2 = t * t;
    let t4 = t2 * t2;
    (t - t2 * (1.0 / 2.0 - t * (1.0 / 3.0)))
        - t4 * ((1.0 / 4.0 - t * (1.0 / 5.0)) + t2 * (1.0 / 6.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_neg_is_within_1e_15_relative_of_libm_over_its_range() {
        let mut worst = 0.0f64;
        for k in 0..=2_000_000u32 {
            // Dense, plus the table's nodes and the points just below them.
            let u = f64::from(k) * (16.5 / 2_000_000.0);
            for u in [
                u,
                (u * 64.0).floor() / 64.0,
                (u * 64.0).floor() / 64.0 - 1e-12,
            ] {
                if u < 0.0 {
                    continue;
                }
                let rel = (exp_neg(u) - (-u).exp()).abs() / (-u).exp();
                worst = worst.max(rel);
            }
        }
        assert!(worst < 1e-15, "worst relative error {worst:e}");
        assert_eq!(exp_neg(0.0), 1.0);
        assert!(exp_neg(f64::NAN).is_nan());
        assert_eq!(exp_neg(800.0), 0.0);
    }

    #[test]
    fn ln_is_within_1e_15_of_libm_over_its_range() {
        let mut worst = 0.0f64;
        for k in 0..=2_000_000u32 {
            let x = 1.0 + f64::from(k) * (4.5 / 2_000_000.0);
            for x in [x, 1.0 + ((x - 1.0) * 256.0).floor() / 256.0] {
                worst = worst.max((ln(x) - x.ln()).abs());
            }
        }
        assert!(worst < 1e-15, "worst absolute error {worst:e}");
        assert_eq!(ln(1.0), 0.0);
        assert!(ln(f64::NAN).is_nan());
        assert_eq!(ln(0.5), 0.5f64.ln());
    }

    #[test]
    fn ln_fraction_is_within_1e_15_of_libm_over_its_range() {
        let mut worst = 0.0f64;
        for k in 0..=2_000_000u32 {
            let y = 0.24 + f64::from(k) * (0.76 / 2_000_000.0);
            for y in [y, (y * 1024.0).floor() / 1024.0] {
                worst = worst.max((ln_fraction(y) - y.ln()).abs());
            }
        }
        assert!(worst < 1e-15, "worst absolute error {worst:e}");
        assert_eq!(ln_fraction(1.0), 0.0);
        assert_eq!(ln_fraction(0.1), 0.1f64.ln());
    }
}
