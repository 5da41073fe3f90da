//! The `pumprig` binary as a user meets it: exit codes, messages, what is (not) written, and
//! byte-identical outputs for a seed.

#[path = "support/cli.rs"]
mod cli;
use cli::{pumprig, repo, scratch};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

/// A short, valid scenario to mutate.
const SHORT: &str = r#"name = "short"
duration_s = 12.0
seed = 1

[plant.kit]
shields = 2

[plant.left]
chamber_volume_ml = 40.0

[controller.settings.program]
start_phase = "expression"

[[events]]
at_s = 0.5
press = "power"

[[events]]
at_s = 11.0
press = "power"

[[checks]]
name = "expression peak vacuum within ±20 mmHg of 190"
metric = "peak_vacuum"
at = "left_nipple"
window_s = [3.0, 10.5]
min = 170.0
max = 210.0
unit = "mmHg"
"#;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, text).unwrap();
    p
}

fn run_ok(scenario: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "run",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    pumprig(&args)
}

#[test]
fn same_seed_gives_byte_identical_outputs_and_another_seed_changes_the_noise() {
    let d = scratch("determinism");
    let sc = write(&d, "short.toml", SHORT);
    let (a, b, c) = (d.join("a"), d.join("b"), d.join("c"));
    for (out, seed) in [(&a, "7"), (&b, "7"), (&c, "8")] {
        let o = run_ok(&sc, out, &["--seed", seed]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let files = [
        "timeseries.csv",
        "record.json",
        "vacuum.png",
        "vacuum.svg",
        "actuators.png",
        "actuators.svg",
        "zoom.png",
        "zoom.svg",
    ];
    for f in files {
        assert_eq!(
            fs::read(a.join(f)).unwrap(),
            fs::read(b.join(f)).unwrap(),
            "{f} differs for the same seed"
        );
    }
    let (ta, tc) = (
        fs::read_to_string(a.join("timeseries.csv")).unwrap(),
        fs::read_to_string(c.join("timeseries.csv")).unwrap(),
    );
    assert_ne!(ta, tc, "another seed must change the sensor noise");
    // Only the noise: the header and the time column are the same.
    assert_eq!(ta.lines().next(), tc.lines().next());
    let rec: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(c.join("record.json")).unwrap()).unwrap();
    assert_eq!(rec["seed"], 8);
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_check_that_should_fail_exits_1_naming_check_value_and_limit() {
    let d = scratch("failing");
    let text = SHORT.replace("min = 170.0\nmax = 210.0", "min = 230.0\nmax = 260.0");
    let sc = write(&d, "fails.toml", &text);
    let o = run_ok(&sc, &d.join("out"), &[]);
    assert_eq!(o.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("FAIL"))
        .expect("a FAIL line");
    assert!(
        line.contains("expression peak vacuum within ±20 mmHg of 190"),
        "{line}"
    );
    assert!(
        line.contains("mmHg") && line.contains("230"),
        "value and limit: {line}"
    );
    // The run itself completed: its outputs are there for diagnosis.
    assert!(d.join("out/record.json").exists());
    fs::remove_dir_all(&d).unwrap();
}

fn assert_bad_input(case: &str, text: Option<&str>, expect: &[&str]) {
    let d = scratch(case);
    let sc = match text {
        Some(t) => write(&d, "bad.toml", t),
        None => d.join("missing.toml"),
    };
    let out = d.join("out");
    for args in [
        vec!["check", sc.to_str().unwrap()],
        vec!["run", sc.to_str().unwrap(), "--out", out.to_str().unwrap()],
    ] {
        let o = pumprig(&args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{case} {args:?}: {stderr}");
        for e in expect {
            assert!(stderr.contains(e), "{case}: expected `{e}` in: {stderr}");
        }
        assert!(
            stderr.contains(sc.file_name().unwrap().to_str().unwrap()),
            "{case}: names the file: {stderr}"
        );
    }
    assert!(!out.exists(), "{case}: nothing may be written");
    let leftovers: Vec<_> = fs::read_dir(&d)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(leftovers.len() <= 1, "{case}: stray files {leftovers:?}");
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn malformed_scenarios_exit_2_naming_file_line_and_key_and_write_nothing() {
    // Unknown key (line 9 in SHORT is `chamber_volume_ml = 40.0` under [plant.left]).
    assert_bad_input(
        "unknown-key",
        Some(&SHORT.replace("chamber_volume_ml = 40.0", "chamber_volum_ml = 40.0")),
        &[":9:", "chamber_volum_ml"],
    );
    // Unit typo in a key: suggests the right one.
    assert_bad_input(
        "unit-typo",
        Some(&SHORT.replace("chamber_volume_ml = 40.0", "chamber_volume_mL = 40.0")),
        &[":9:", "chamber_volume_mL", "chamber_volume_ml"],
    );
    // Wrong type.
    assert_bad_input(
        "wrong-type",
        Some(&SHORT.replace("chamber_volume_ml = 40.0", "chamber_volume_ml = \"forty\"")),
        &[":9:", "chamber_volume_ml"],
    );
    // Negative volume.
    assert_bad_input(
        "negative",
        Some(&SHORT.replace("chamber_volume_ml = 40.0", "chamber_volume_ml = -40.0")),
        &[":9:", "plant.left.chamber_volume_ml", "-40"],
    );
    // Unit typo in a check's unit.
    assert_bad_input(
        "check-unit",
        Some(&SHORT.replace("unit = \"mmHg\"", "unit = \"mmhg\"")),
        &[":29:", "checks[0].unit", "mmHg"],
    );
    // Missing file.
    assert_bad_input("missing", None, &["missing.toml"]);
}

#[test]
fn an_output_path_that_cannot_hold_a_run_is_bad_input_and_nothing_is_touched() {
    let d = scratch("bad-out");
    let sc = write(&d, "short.toml", SHORT);
    let file = write(&d, "afile", "keep me");
    for out in [file.clone(), PathBuf::from("."), file.join("below")] {
        let o = run_ok(&sc, &out, &[]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(
            o.status.code(),
            Some(2),
            "--out {}: {stderr}",
            out.display()
        );
        assert!(stderr.contains("output"), "{stderr}");
    }
    assert_eq!(fs::read_to_string(&file).unwrap(), "keep me");
    let names: Vec<_> = fs::read_dir(&d)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "nothing else written: {names:?}");
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn check_validates_every_shipped_scenario() {
    for entry in fs::read_dir(repo().join("scenarios")).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "toml") {
            let o = pumprig(&["check", p.to_str().unwrap()]);
            assert!(
                o.status.success(),
                "{}: {}",
                p.display(),
                String::from_utf8_lossy(&o.stderr)
            );
        }
    }
}

#[test]
fn usage_errors_exit_2_and_help_explains_the_commands() {
    assert_eq!(pumprig(&["run"]).status.code(), Some(2));
    assert_eq!(pumprig(&["frobnicate"]).status.code(), Some(2));
    let help = String::from_utf8_lossy(&pumprig(&["--help"]).stdout).into_owned();
    for word in ["run", "check", "Exit codes", "scenario"] {
        assert!(help.contains(word), "--help lacks {word}: {help}");
    }
    let run_help = String::from_utf8_lossy(&pumprig(&["run", "--help"]).stdout).into_owned();
    for word in ["--out", "--seed", "SCENARIO"] {
        assert!(run_help.contains(word), "run --help lacks {word}");
    }
}
