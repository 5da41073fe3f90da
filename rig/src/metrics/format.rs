//! Numbers and phrases for check messages (at the end of a run only, never per tick).

/// A number for a person: integers without decimals, others with about four significant
/// digits, trailing zeros trimmed (`170`, `162.4`, `0.1235`).
pub(crate) fn num(x: f64) -> String {
    num_with(x, default_decimals(x))
}

/// Like [`num`], but with enough decimals that `x` does not print the same as `limit` when it
/// differs from it (210.04 against a max of 210 prints `210.04`, not `210`).
pub(crate) fn num_vs(x: f64, limit: f64) -> String {
    let mut decimals = default_decimals(x);
    let mut s = num_with(x, decimals);
    while x != limit && decimals < 9 && s == num_with(limit, decimals.max(default_decimals(limit)))
    {
        decimals += 1;
        s = num_with(x, decimals);
    }
    s
}

fn default_decimals(x: f64) -> usize {
    let a = x.abs();
    if a >= 100.0 {
        1
    } else if a >= 10.0 {
        2
    } else if a >= 1.0 {
        3
    } else {
        4
    }
}

fn num_with(x: f64, decimals: usize) -> String {
    if x == x.trunc() && x.abs() < 1e15 {
        return format!("{x:.0}");
    }
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    if s == "-0" { "0".into() } else { s.into() }
}

/// A time of the run, `143.21` (seconds, two decimals: ticks are at least 10 µs apart in
/// practice, and a person reads centiseconds).
pub(crate) fn time_s(t_ns: u64) -> String {
    format!("{:.2}", t_ns as f64 * 1e-9)
}

/// `in 150–600 s`, or `over the whole run`.
pub(crate) fn window(w: Option<[f64; 2]>) -> String {
    match w {
        Some([a, b]) => format!("in {}–{} s", num(a), num(b)),
        None => "over the whole run".into(),
    }
}

/// `within 170–210 mmHg`, `at least 100 mL/min`, `at most 275 mmHg`.
pub(crate) fn limits(min: Option<f64>, max: Option<f64>, unit: &str) -> String {
    match (min, max) {
        (Some(lo), Some(hi)) => format!("within {}–{} {unit}", num(lo), num(hi)),
        (Some(lo), None) => format!("at least {} {unit}", num(lo)),
        (None, Some(hi)) => format!("at most {} {unit}", num(hi)),
        (None, None) => "no limits".into(),
    }
}

/// How `x` breaks the limits: `below min 170 mmHg` or `above max 210 mmHg`; `None` if within.
pub(crate) fn breach(x: f64, min: Option<f64>, max: Option<f64>, unit: &str) -> Option<String> {
    if let Some(lo) = min.filter(|&lo| x < lo) {
        return Some(format!("below min {} {unit}", num(lo)));
    }
    if let Some(hi) = max.filter(|&hi| x > hi) {
        return Some(format!("above max {} {unit}", num(hi)));
    }
    None
}

/// How values spanning `lo..=hi` (one value: `lo == hi`; per-cycle: the lowest and highest
/// cycle) leave the marginal band: `172.1 mmHg below marginal_min 175 mmHg`; `None` if inside.
/// The edge prints as written (`189.99`, not rounded to `190`), the value so as not to look
/// equal to it.
pub(crate) fn marginal_breach(
    lo: f64,
    hi: f64,
    marginal_min: Option<f64>,
    marginal_max: Option<f64>,
    unit: &str,
) -> Option<String> {
    let below = marginal_min
        .filter(|&m| lo < m)
        .map(|m| format!("{} {unit} below marginal_min {m} {unit}", num_vs(lo, m)));
    let above = marginal_max
        .filter(|&m| hi > m)
        .map(|m| format!("{} {unit} above marginal_max {m} {unit}", num_vs(hi, m)));
    match (below, above) {
        (Some(b), Some(a)) => Some(format!("{b}, {a}")),
        (b, a) => b.or(a),
    }
}

/// The value printed against the limit it is nearest to, so a near miss does not look equal.
pub(crate) fn value(x: f64, min: Option<f64>, max: Option<f64>) -> String {
    let nearest = [min, max]
        .into_iter()
        .flatten()
        .min_by(|a, b| (x - a).abs().total_cmp(&(x - b).abs()));
    match nearest {
        Some(limit) => num_vs(x, limit),
        None => num(x),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(num(170.0), "170");
        assert_eq!(num(162.4), "162.4");
        assert_eq!(num(162.44), "162.4");
        assert_eq!(num(54.0545), "54.05");
        assert_eq!(num(0.12345), "0.1235");
        assert_eq!(num(-0.00001), "0");
        assert_eq!(num(1.5e9), "1500000000");
    }

    #[test]
    fn a_near_miss_does_not_print_as_the_limit() {
        assert_eq!(num_vs(210.04, 210.0), "210.04");
        assert_eq!(num_vs(209.96, 210.0), "209.96");
        assert_eq!(num_vs(210.0, 210.0), "210");
        assert_eq!(value(169.99, Some(170.0), Some(210.0)), "169.99");
    }

    #[test]
    fn limits_and_windows() {
        assert_eq!(
            limits(Some(170.0), Some(210.0), "mmHg"),
            "within 170–210 mmHg"
        );
        assert_eq!(limits(None, Some(275.0), "mmHg"), "at most 275 mmHg");
        assert_eq!(window(Some([150.0, 600.0])), "in 150–600 s");
        assert_eq!(window(None), "over the whole run");
        assert_eq!(time_s(143_214_000_000), "143.21");
        assert_eq!(
            breach(162.4, Some(170.0), None, "mmHg").as_deref(),
            Some("below min 170 mmHg")
        );
    }
}
