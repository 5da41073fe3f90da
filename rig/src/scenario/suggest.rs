//! "Did you mean …?": the accepted name closest to a misspelt one, by edit distance.

/// The candidate closest to `found`, if it is close enough to be the intended one. A difference
/// of letter case only (`chamber_volume_mL`) always matches; otherwise the distance must be at
/// most a third of the name's length (at least 1, at most 3 edits).
pub(crate) fn closest<'a>(
    found: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let found_lower = found.to_lowercase();
    let limit = (found.chars().count() / 3).clamp(1, 3);
    candidates
        .into_iter()
        .filter(|c| *c != found)
        .map(|c| {
            let d = if c.to_lowercase() == found_lower {
                0
            } else {
                levenshtein(&found_lower, &c.to_lowercase())
            };
            (d, c)
        })
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// Levenshtein distance in characters.
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let subst = prev[j] + usize::from(ca != cb);
            cur[j + 1] = subst.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIDE: [&str; 5] = [
        "chamber_volume_ml",
        "tunnel_diameter_mm",
        "nipple_base_diameter_mm",
        "nipple_length_mm",
        "kit_leak_area_mm2",
    ];

    #[test]
    fn suggests_the_intended_key() {
        assert_eq!(
            closest("chamber_volume_mL", SIDE),
            Some("chamber_volume_ml")
        );
        assert_eq!(closest("chamber_volum_ml", SIDE), Some("chamber_volume_ml"));
        assert_eq!(closest("nipple_lenght_mm", SIDE), Some("nipple_length_mm"));
        assert_eq!(
            closest("vacuum_mmhgg", ["vacuum_mmhg", "min_vacuum_mmhg"]),
            Some("vacuum_mmhg")
        );
        assert_eq!(
            closest("powr", ["power", "level_up", "level_down", "letdown"]),
            Some("power")
        );
    }

    #[test]
    fn stays_quiet_when_nothing_is_close() {
        assert_eq!(closest("volume", SIDE), None);
        assert_eq!(closest("x", ["power"]), None);
    }

    #[test]
    fn distance_is_symmetric_and_counts_characters() {
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("sitting", "kitten"), 3);
        assert_eq!(levenshtein("µm", "um"), 1);
        assert_eq!(levenshtein("", "abc"), 3);
    }
}
