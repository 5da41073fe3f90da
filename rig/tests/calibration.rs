//! Every target of CALIBRATION.md lands in its band with the one default mother and one set of
//! model constants (`pumprig calibrate`; docs/model.md §19). Heavy: runs every calibration
//! scenario, relactation courses included, with the firmware in the loop (release mode).

use std::path::Path;

#[test]
fn every_calibration_target_lands_in_its_band() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/calibration");
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let rows = pumprig::calibrate::run(&dir, jobs, None).expect("calibration scenarios run");
    let table = pumprig::calibrate::markdown(&rows);
    for group in [
        "S1", "P1", "P2", "P3", "P4", "M1", "M2", "M3", "M4", "H1", "H2", "H3", "R1", "R2", "R3",
    ] {
        assert!(
            rows.iter().any(|r| r.id == group),
            "no row for {group}\n{table}"
        );
    }
    let failed: Vec<_> = rows.iter().filter(|r| !r.pass).collect();
    assert!(
        failed.is_empty(),
        "{} target(s) out of band:\n{table}",
        failed.len()
    );
    // The table round-trips through its CSV with one line per row.
    assert_eq!(
        pumprig::calibrate::csv(&rows).lines().count(),
        rows.len() + 1
    );
}
