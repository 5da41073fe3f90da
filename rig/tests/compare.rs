//! `pumprig compare` as a user meets it: overlays of the chosen signals across runs, the metric
//! table with differences from the first run (Markdown and self-contained HTML), cycle alignment,
//! runs of different length and sample rate, and bad input naming the run directory.

#[path = "support/cli.rs"]
mod cli;
use cli::{pumprig, s, scratch, text};
use std::fs;
use std::path::{Path, PathBuf};

/// A short expression session; `EXTRA` is appended.
const SHORT: &str = r#"name = "NAME"
duration_s = DURATION
seed = 1

[output]
sample_rate_hz = RATE

[plant.kit]
shields = 2

[controller.settings.program]
start_phase = "expression"

[[events]]
at_s = 0.5
press = "power"

[[checks]]
name = "expression peak vacuum within ±20 mmHg of 190"
metric = "peak_vacuum"
at = "left_nipple"
window_s = [3.0, 9.0]
min = 170.0
max = 210.0
unit = "mmHg"
"#;

/// Runs a short session into `dir/NAME`.
fn run(dir: &Path, name: &str, duration_s: f64, rate_hz: f64, extra: &str) -> PathBuf {
    let text = SHORT
        .replace("NAME", name)
        .replace("DURATION", &format!("{duration_s:.1}"))
        .replace("RATE", &format!("{rate_hz:.1}"))
        + extra;
    let file = dir.join(format!("{name}.toml"));
    fs::write(&file, text).unwrap();
    let out = dir.join(name);
    let o = pumprig(&["run", s(&file), "--out", s(&out)]);
    assert!(
        o.status.code().is_some_and(|c| c <= 1),
        "{}",
        self::text(&o)
    );
    out
}

#[test]
fn two_firmware_settings_compared_in_time_with_a_metric_table() {
    let dir = scratch("time");
    let a = run(&dir, "lead-25", 10.0, 100.0, "");
    let b = run(
        &dir,
        "lead-0",
        10.0,
        100.0,
        "\n[controller.settings.control]\nlead_ms = 0\n",
    );
    let out = dir.join("cmp");
    let o = pumprig(&["compare", s(&a), s(&b), "--out", s(&out)]);
    assert!(o.status.success(), "{}", text(&o));
    // The default signals, each as PNG and SVG.
    for signal in [
        "vacuum_left_nipple_mmhg",
        "vacuum_right_nipple_mmhg",
        "sensor_reading_mmhg",
        "motor_duty_pct",
        "valve_open",
    ] {
        for ext in ["png", "svg"] {
            let f = out.join(format!("compare-{signal}.{ext}"));
            assert!(fs::metadata(&f).is_ok_and(|m| m.len() > 5_000), "{f:?}");
        }
    }
    let svg = fs::read_to_string(out.join("compare-vacuum_left_nipple_mmhg.svg")).unwrap();
    // Labelled by run and controller.
    assert!(
        svg.contains("lead-25 — pumprig-reference"),
        "legend names the runs"
    );
    assert!(svg.contains("lead-0 — pumprig-reference"));

    let md = fs::read_to_string(out.join("compare.md")).unwrap();
    assert!(
        md.contains("| metric | lead-25 | lead-0 | Δ lead-0 | % lead-0 |"),
        "{md}"
    );
    // Each metric: both values, the difference and the % from the first run, computed here
    // again from the records.
    let metric = |run: &Path, key: &str| -> f64 {
        let r: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(run.join("record.json")).unwrap()).unwrap();
        r["metrics"][key].as_f64().unwrap()
    };
    let key = "overshoot_max_mmhg_left_nipple";
    let (va, vb) = (metric(&a, key), metric(&b, key));
    let row = md
        .lines()
        .find(|l| l.starts_with(&format!("| {key} |")))
        .unwrap_or_else(|| panic!("no row for {key}:\n{md}"));
    let cells: Vec<&str> = row.split('|').map(str::trim).collect();
    let num = |c: &str| c.trim_end_matches(" %").parse::<f64>().unwrap();
    assert!(
        (num(cells[2]) - va).abs() <= 0.01 * va.abs().max(0.01),
        "{row}"
    );
    assert!(
        (num(cells[3]) - vb).abs() <= 0.01 * vb.abs().max(0.01),
        "{row}"
    );
    assert!(
        (num(cells[4]) - (vb - va)).abs() <= 0.01 * (vb - va).abs().max(0.01),
        "{row}"
    );
    let pct = (vb - va) / va.abs() * 100.0;
    assert!(
        (num(cells[5]) - pct).abs() <= 0.06 + 0.001 * pct.abs(),
        "{row}"
    );
    assert!(vb > va, "no lead prediction overshoots more: {row}");
    assert!(md.contains("## Checks"), "{md}");

    // The HTML page stands alone: the overlays inline, no scripts, nothing fetched.
    let html = fs::read_to_string(out.join("compare.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(html.matches("<svg").count(), 5, "one inline SVG per signal");
    assert!(!html.contains("<script"));
    assert!(!html.contains("<img"));
    assert!(!html.contains("src="));
    assert!(!html.contains("<link"));
    assert!(html.contains("overshoot_max_mmhg_left_nipple"));
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn runs_of_different_length_and_rate_compare_over_their_common_span_and_by_cycle() {
    let dir = scratch("spans");
    let a = run(&dir, "long", 10.0, 100.0, "");
    let b = run(&dir, "short", 8.0, 50.0, "");
    let out = dir.join("cmp");
    let o = pumprig(&[
        "compare",
        s(&a),
        s(&b),
        "--out",
        s(&out),
        "--signals",
        "vacuum_left_nipple_mmhg,controller_state",
        "--align",
        "cycle",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let said = text(&o);
    assert!(said.contains("different spans"), "{said}");
    assert!(said.contains("different sample rates"), "{said}");
    assert!(said.contains("Aligned cycle by cycle"), "{said}");
    let md = fs::read_to_string(out.join("compare.md")).unwrap();
    assert!(
        md.contains("0.00–7.98 s"),
        "the common span is stated: {md}"
    );
    assert!(
        md.contains("| 50 Hz |") && md.contains("| 100 Hz |"),
        "{md}"
    );
    let mut files: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "compare-controller_state.png",
            "compare-controller_state.svg",
            "compare-vacuum_left_nipple_mmhg.png",
            "compare-vacuum_left_nipple_mmhg.svg",
            "compare.html",
            "compare.md"
        ]
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_input_names_the_run_directory_and_writes_nothing() {
    let dir = scratch("bad");
    let a = run(&dir, "a", 6.0, 100.0, "");
    let out = dir.join("cmp");
    let refused = |args: &[&str], needles: &[&str]| {
        let o = pumprig(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        for n in needles {
            assert!(
                text(&o).contains(n),
                "{args:?}: missing {n:?} in {}",
                text(&o)
            );
        }
        assert!(!out.exists(), "nothing written");
    };
    let missing = dir.join("missing");
    refused(
        &["compare", s(&a), s(&missing), "--out", s(&out)],
        &[s(&missing), "not a run directory"],
    );
    let empty = dir.join("empty");
    fs::create_dir_all(&empty).unwrap();
    refused(
        &["compare", s(&a), s(&empty), "--out", s(&out)],
        &[s(&empty), "record.json"],
    );
    let no_csv = dir.join("no-csv");
    fs::create_dir_all(&no_csv).unwrap();
    fs::copy(a.join("record.json"), no_csv.join("record.json")).unwrap();
    refused(
        &["compare", s(&a), s(&no_csv), "--out", s(&out)],
        &[s(&no_csv), "timeseries.csv"],
    );
    refused(
        &[
            "compare",
            s(&a),
            "--out",
            s(&out),
            "--signals",
            "vacuum_left_nippel_mmhg",
        ],
        &[
            s(&a),
            "vacuum_left_nippel_mmhg",
            "not a column",
            "vacuum_left_nipple_mmhg",
        ],
    );
    refused(
        &["compare", s(&a), "--out", s(&out), "--align", "phase"],
        &["invalid value 'phase'"],
    );
    fs::remove_dir_all(&dir).unwrap();
}
