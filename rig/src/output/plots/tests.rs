//! End-to-end tests: synthetic `timeseries.csv` files with known curves in, six files out.

use std::f64::consts::TAU;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use super::*;

const FULL_HEADER: [&str; 13] = [
    "time_s",
    "target_vacuum_mmhg",
    "vacuum_sensor_port_mmhg",
    "sensor_reading_mmhg",
    "sensor_counts",
    "vacuum_left_nipple_mmhg",
    "vacuum_right_nipple_mmhg",
    "motor_duty_pct",
    "motor_speed_rpm",
    "motor_current_a",
    "valve_open",
    "controller_state",
    "leak_flow_ml_min",
];

/// A fresh, empty directory under the system temp dir, unique to this test.
fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pumprig-plots-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Values of every column at time `t`: a 1.25 Hz pump cycle with a 250 mmHg peak at the sensor
/// port, the nipples following 80 ms and 120 ms later at 90 % and 85 % of it, a 1 s stimulation
/// phase at 100 mmHg then expression at 250 mmHg, and the release valve open while vacuum falls.
fn row(t: f64) -> [(&'static str, f64); 13] {
    let expression = t >= 1.0;
    let peak = if expression { 250.0 } else { 100.0 };
    let pump = |lag: f64| peak * 0.5 * (1.0 - (TAU * 1.25 * (t - lag)).cos());
    let falling = (TAU * 1.25 * t).sin() < 0.0;
    [
        ("time_s", t),
        ("target_vacuum_mmhg", if falling { 0.0 } else { peak }),
        ("vacuum_sensor_port_mmhg", pump(0.0)),
        ("sensor_reading_mmhg", pump(0.005)),
        ("sensor_counts", (pump(0.005) * 10.0).round()),
        ("vacuum_left_nipple_mmhg", 0.90 * pump(0.080)),
        ("vacuum_right_nipple_mmhg", 0.85 * pump(0.120)),
        ("motor_duty_pct", if falling { 0.0 } else { 80.0 }),
        ("motor_speed_rpm", if falling { 300.0 } else { 2400.0 }),
        ("motor_current_a", if falling { 0.05 } else { 0.6 }),
        ("valve_open", f64::from(u8::from(falling))),
        ("controller_state", if expression { 2.0 } else { 1.0 }),
        ("leak_flow_ml_min", 3.5),
    ]
}

/// CSV text of `rows` samples at 100 Hz with the given columns, in the given order.
fn synthetic_csv(columns: &[&str], rows: usize) -> String {
    let mut csv = columns.join(",");
    csv.push('\n');
    for i in 0..rows {
        let values = row(i as f64 * 0.01);
        let fields: Vec<String> = columns
            .iter()
            .map(|c| {
                let (_, v) = values
                    .iter()
                    .find(|(name, _)| name == c)
                    .expect("known column");
                format!("{v:.3}")
            })
            .collect();
        writeln!(csv, "{}", fields.join(",")).unwrap();
    }
    csv
}

fn write_csv(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("timeseries.csv");
    fs::write(&path, text).unwrap();
    path
}

fn meta() -> PlotMeta {
    PlotMeta {
        title: "synthetic double pumping".to_owned(),
        controller: "test-controller 9.9.9".to_owned(),
        zoom_window_s: (2.0, 5.2),
    }
}

/// Width and height from a PNG's IHDR chunk, after checking the signature.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR", "IHDR is the first chunk");
    let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    (be(16), be(20))
}

/// True when `svg` has a `<text>` element whose content is exactly `text`.
fn has_text(svg: &str, text: &str) -> bool {
    svg.contains(&format!(">\n{text}\n</text>")) || svg.contains(&format!(">{text}\n</text>"))
}

fn plot(dir: &Path, csv: &str, meta: &PlotMeta) -> Result<Vec<PathBuf>, PlotError> {
    let series = TimeSeries::read_csv(&write_csv(dir, csv))?;
    write_plots(&series, meta, dir)
}

#[test]
fn writes_six_files_with_the_right_size_titles_axes_and_legends() {
    let dir = scratch_dir("six-files");
    let written = plot(&dir, &synthetic_csv(&FULL_HEADER, 3000), &meta()).unwrap();
    let names: Vec<String> = written
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "vacuum.png",
            "vacuum.svg",
            "actuators.png",
            "actuators.svg",
            "zoom.png",
            "zoom.svg"
        ]
    );

    for path in written.iter().filter(|p| p.extension().unwrap() == "png") {
        assert_eq!(
            png_size(&fs::read(path).unwrap()),
            (1600, 900),
            "{}",
            path.display()
        );
    }

    let svg = |name: &str| {
        let text = fs::read_to_string(dir.join(name)).unwrap();
        assert!(
            text.starts_with("<svg") && text.trim_end().ends_with("</svg>"),
            "{name}"
        );
        assert!(text.contains(r#"width="1600" height="900""#), "{name} size");
        text
    };
    let vacuum = svg("vacuum.svg");
    let actuators = svg("actuators.svg");
    let zoom = svg("zoom.svg");
    let subtitle = "controller: test-controller 9.9.9   ·   3000 samples, 0 s to 29.99 s";
    for (name, text) in [
        ("vacuum", &vacuum),
        ("actuators", &actuators),
        ("zoom", &zoom),
    ] {
        assert!(has_text(text, subtitle), "{name}: subtitle");
        assert!(has_text(text, "time [s]"), "{name}: time axis");
    }

    assert!(has_text(
        &vacuum,
        "Vacuum at sensor and nipples vs target — synthetic double pumping"
    ));
    assert!(has_text(
        &zoom,
        "Vacuum at sensor and nipples vs target, 2 s to 5.2 s — synthetic double pumping"
    ));
    for text in [&vacuum, &zoom] {
        assert!(has_text(text, "vacuum [mmHg below atmosphere]"));
        for legend in ["target", "sensor port", "left nipple", "right nipple"] {
            assert!(has_text(text, legend), "legend entry {legend}");
        }
    }
    assert!(
        has_text(&vacuum, " zoom.png"),
        "the zoom window is marked on the overview"
    );
    assert!(has_text(&zoom, "release valve (open / closed)"));
    assert!(has_text(&zoom, "open") && has_text(&zoom, "closed"));

    assert!(has_text(
        &actuators,
        "Motor, release valve and controller state — synthetic double pumping"
    ));
    for text in [
        "motor duty [%]",
        "motor speed [rpm]",
        "valve",
        "controller state",
        "motor duty [%], left axis",
        "motor speed [rpm], right axis",
        "release valve (open / closed)",
        "idle",
        "stimulation",
        "expression",
        "fault",
    ] {
        assert!(has_text(&actuators, text), "actuators: {text}");
    }
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn writing_twice_gives_byte_identical_files() {
    let (a, b) = (scratch_dir("twice-a"), scratch_dir("twice-b"));
    let csv = synthetic_csv(&FULL_HEADER, 2000);
    let first = plot(&a, &csv, &meta()).unwrap();
    let second = plot(&b, &csv, &meta()).unwrap();
    for (x, y) in first.iter().zip(&second) {
        assert_eq!(
            fs::read(x).unwrap(),
            fs::read(y).unwrap(),
            "{}",
            x.display()
        );
    }
    // And again into the same directory, over the files already there.
    let again = plot(&a, &csv, &meta()).unwrap();
    for (x, y) in again.iter().zip(&second) {
        assert_eq!(
            fs::read(x).unwrap(),
            fs::read(y).unwrap(),
            "{}",
            x.display()
        );
    }
    fs::remove_dir_all(&a).unwrap();
    fs::remove_dir_all(&b).unwrap();
}

#[test]
fn single_shield_and_reordered_columns_with_extras_are_fine() {
    let dir = scratch_dir("single-shield");
    let mut columns: Vec<&str> = FULL_HEADER
        .iter()
        .copied()
        .filter(|c| *c != "vacuum_right_nipple_mmhg")
        .rev()
        .collect();
    columns.insert(3, "leak_flow_ml_min"); // a duplicate stands in for a column added later
    let csv = synthetic_csv(&columns, 800).replacen("leak_flow_ml_min", "future_column_x", 1);
    plot(&dir, &csv, &meta()).unwrap();
    let vacuum = fs::read_to_string(dir.join("vacuum.svg")).unwrap();
    assert!(has_text(&vacuum, "left nipple"));
    assert!(!vacuum.contains("right nipple"));
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_missing_column_is_named_before_anything_is_written() {
    let dir = scratch_dir("missing-column");
    let columns: Vec<&str> = FULL_HEADER
        .iter()
        .copied()
        .filter(|c| *c != "vacuum_left_nipple_mmhg")
        .collect();
    let error = plot(&dir, &synthetic_csv(&columns, 100), &meta()).unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, PlotError::MissingColumn { ref column, .. } if column == "vacuum_left_nipple_mmhg")
    );
    assert!(
        message.contains("no column `vacuum_left_nipple_mmhg`"),
        "{message}"
    );
    assert!(message.contains("timeseries.csv"), "{message}");
    assert!(!dir.join("vacuum.png").exists());
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_field_that_is_not_a_number_names_the_line_row_and_column() {
    let dir = scratch_dir("bad-number");
    let csv = synthetic_csv(&FULL_HEADER, 10);
    let mut lines: Vec<String> = csv.lines().map(str::to_owned).collect();
    // Line 6 of the file is data row 5; its 8th field is motor_duty_pct.
    let mut fields: Vec<&str> = lines[5].split(',').collect();
    fields[7] = "12..5";
    lines[5] = fields.join(",");
    let error = TimeSeries::read_csv(&write_csv(&dir, &(lines.join("\n") + "\n"))).unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains(
            "timeseries.csv: line 6 (data row 5), column `motor_duty_pct`: cannot read \"12..5\""
        ),
        "{message}"
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_row_with_the_wrong_number_of_fields_names_its_line() {
    let dir = scratch_dir("short-row");
    let csv = synthetic_csv(&FULL_HEADER, 10);
    let mut lines: Vec<String> = csv.lines().map(str::to_owned).collect();
    lines[8] = "0.07,1,2".to_owned();
    let error = TimeSeries::read_csv(&write_csv(&dir, &(lines.join("\n") + "\n"))).unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("timeseries.csv: line 9: data row 8 has 3 fields, the header has 13"),
        "{message}"
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn empty_fields_missing_files_and_bad_time_are_reported() {
    let dir = scratch_dir("other-errors");
    let csv = synthetic_csv(&FULL_HEADER, 10).replacen("\n0.010,", "\n,", 1);
    let message = TimeSeries::read_csv(&write_csv(&dir, &csv))
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("line 3 (data row 2), column `time_s`: cannot read \"\""),
        "{message}"
    );

    let missing = dir.join("nope.csv");
    let message = TimeSeries::read_csv(&missing).unwrap_err().to_string();
    assert!(
        message.starts_with("cannot read ") && message.contains("nope.csv"),
        "{message}"
    );

    let csv = synthetic_csv(&FULL_HEADER, 10).replacen("\n0.050,", "\n0.001,", 1);
    let message = plot(&dir, &csv, &meta()).unwrap_err().to_string();
    assert!(
        message.contains("time_s is 0.001 at data row 6, after 0.04"),
        "{message}"
    );

    let header_only = FULL_HEADER.join(",") + "\n";
    let message = plot(&dir, &header_only, &meta()).unwrap_err().to_string();
    assert!(message.contains("has no data rows"), "{message}");

    let far = PlotMeta {
        zoom_window_s: (100.0, 104.0),
        ..meta()
    };
    let message = plot(&dir, &synthetic_csv(&FULL_HEADER, 100), &far)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("zoom window 100 s..104 s does not overlap"),
        "{message}"
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn column_lookup_is_by_name() {
    let dir = scratch_dir("lookup");
    let series = TimeSeries::read_csv(&write_csv(&dir, "b_mmhg, a_s\n1.5, 2\nnan, 4\n")).unwrap();
    assert_eq!(series.column("a_s"), Some(&[2.0, 4.0][..]));
    assert!(series.column("b_mmhg").unwrap()[1].is_nan());
    assert_eq!(series.column("c"), None);
    assert_eq!(series.len(), 2);
    assert_eq!(series.column_names().collect::<Vec<_>>(), ["b_mmhg", "a_s"]);
    fs::remove_dir_all(&dir).unwrap();

    let ragged = TimeSeries::from_columns(
        "memory",
        [("a".to_owned(), vec![1.0]), ("b".to_owned(), vec![])],
    );
    assert_eq!(
        ragged.unwrap_err().to_string(),
        "column `b` has 0 values, `a` has 1"
    );
}

/// A 20-minute run at 100 Hz (120,000 rows): all six files well within a second in release.
#[test]
fn a_twenty_minute_run_plots_quickly() {
    let dir = scratch_dir("twenty-minutes");
    let columns: Vec<(String, Vec<f64>)> = FULL_HEADER
        .iter()
        .enumerate()
        .map(|(j, name)| {
            let values = (0..120_000).map(|i| row(i as f64 * 0.01)[j].1).collect();
            ((*name).to_owned(), values)
        })
        .collect();
    let series = TimeSeries::from_columns("20-minute synthetic run", columns).unwrap();
    let meta = PlotMeta {
        zoom_window_s: (600.0, 603.2),
        ..meta()
    };
    // No timed assertion (shared, noisy machines): a 20-minute run must simply plot.
    write_plots(&series, &meta, &dir).unwrap();
    fs::remove_dir_all(&dir).unwrap();
}
