//! `max` and `min` of two variables for the step's hot paths.
//!
//! Why: `f64::max`/`f64::min` implement IEEE maxNum/minNum (a NaN argument yields the other
//! argument), which x86-64 has no single instruction for: with two variable arguments each
//! compiles to a compare-and-blend of five instructions. These are the plain comparisons, one
//! `maxsd`/`minsd` each. They give the same value whenever neither argument is NaN (for equal
//! arguments either is the same number; ±0 cannot meet here, see the callers); with a NaN they
//! propagate it rather than hide it, which only helps the plant's non-physical-state checks.

/// The larger of `a` and `b` (`b` if they compare equal or either is NaN).
#[inline(always)]
pub(crate) fn max(a: f64, b: f64) -> f64 {
    if a > b { a } else { b }
}

/// The smaller of `a` and `b` (`b` if they compare equal or either is NaN).
#[inline(always)]
pub(crate) fn min(a: f64, b: f64) -> f64 {
    if a < b { a } else { b }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agree_with_std_on_numbers() {
        let xs = [
            -3.5,
            -1e-300,
            0.0,
            1e-300,
            2.0,
            7.25e10,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        for &a in &xs {
            for &b in &xs {
                assert_eq!(max(a, b).to_bits(), a.max(b).to_bits(), "max({a}, {b})");
                assert_eq!(min(a, b).to_bits(), a.min(b).to_bits(), "min({a}, {b})");
            }
        }
        assert!(max(f64::NAN, 1.0) == 1.0 && max(1.0, f64::NAN).is_nan());
    }
}
