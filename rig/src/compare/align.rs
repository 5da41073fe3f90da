//! Aligning runs for an overlay. In time, every run is drawn at its own time stamps over the
//! span all runs cover. Cycle by cycle, each run's pump cycles are laid onto the first run's:
//! cycle k of a run starts where cycle k of the first run starts, so firmware that pumps at a
//! slightly different rate does not drift out of phase over the run and each cycle can be
//! compared with its counterpart.
//!
//! A cycle starts when the release valve closes (`valve_open` goes from 1 to 0): the start of a
//! pull in every pumping program, read from the actuator itself rather than from a vacuum
//! threshold, so it does not move when the vacuum curve does.

/// Start times of the pump cycles: the samples where `valve_open` falls from open to closed.
pub fn cycle_starts(time_s: &[f64], valve_open: &[f64]) -> Vec<f64> {
    let n = time_s.len().min(valve_open.len());
    (1..n)
        .filter(|&i| valve_open[i - 1] >= 0.5 && valve_open[i] < 0.5)
        .map(|i| time_s[i])
        .collect()
}

/// The run's samples moved onto the reference's cycles: a sample in the run's cycle k
/// (`starts[k] ≤ t < starts[k + 1]`) goes to `reference[k] + (t − starts[k])`, and is dropped
/// when that reaches the reference's next cycle (a longer cycle is cut, a shorter one leaves a
/// gap), so the new times still increase. Samples before the first cycle keep their offset to
/// it; cycles the reference does not have are dropped. Returns the new times and the indices of
/// the samples kept.
pub fn onto_reference(time_s: &[f64], starts: &[f64], reference: &[f64]) -> (Vec<f64>, Vec<usize>) {
    let mut times = Vec::with_capacity(time_s.len());
    let mut kept = Vec::with_capacity(time_s.len());
    let (Some(&first), Some(&ref_first)) = (starts.first(), reference.first()) else {
        return (times, kept);
    };
    let mut k = 0usize;
    for (i, &t) in time_s.iter().enumerate() {
        if t < first {
            let x = ref_first + (t - first);
            times.push(x);
            kept.push(i);
            continue;
        }
        while k + 1 < starts.len() && t >= starts[k + 1] {
            k += 1;
        }
        let Some(&ref_start) = reference.get(k) else {
            break;
        };
        // The last cycle of either ends with the run.
        let ref_end = reference.get(k + 1).copied().unwrap_or(f64::INFINITY);
        let x = ref_start + (t - starts[k]);
        if x < ref_end {
            times.push(x);
            kept.push(i);
        }
    }
    (times, kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles_start_where_the_valve_closes() {
        let t = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
        let v = [1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0];
        assert_eq!(cycle_starts(&t, &v), vec![0.1, 0.5]);
        assert!(cycle_starts(&t, &[1.0; 7]).is_empty());
    }

    #[test]
    fn a_slower_run_is_laid_cycle_by_cycle_onto_the_reference() {
        // Reference cycles of 1 s from 0.5 s; the run's of 1.2 s from 0.7 s.
        let reference = [0.5, 1.5, 2.5];
        let starts = [0.7, 1.9, 3.1];
        let t: Vec<f64> = (0..40).map(|i| f64::from(i) * 0.1).collect();
        let (x, kept) = onto_reference(&t, &starts, &reference);
        // Before the first cycle: shifted by −0.2 s.
        assert!((x[0] + 0.2).abs() < 1e-12 && kept[0] == 0);
        // t = 0.7 (cycle 0 start) → 0.5; t = 1.9 (cycle 1 start) → 1.5; 3.1 → 2.5.
        let at = |t0: f64| {
            let i = t.iter().position(|&v| (v - t0).abs() < 1e-9).unwrap();
            kept.iter().position(|&k| k == i).map(|j| x[j])
        };
        assert!((at(0.7).unwrap() - 0.5).abs() < 1e-12);
        assert!((at(1.9).unwrap() - 1.5).abs() < 1e-12);
        assert!((at(3.1).unwrap() - 2.5).abs() < 1e-12);
        // The run's cycle 0 lasts 1.2 s: its last 0.2 s would overlap the reference's cycle 1.
        assert_eq!(at(1.8), None);
        assert!(x.windows(2).all(|w| w[0] < w[1]), "times still increase");
        // No cycles: nothing to align.
        assert!(onto_reference(&t, &[], &reference).0.is_empty());
    }
}
