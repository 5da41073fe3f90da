//! `pumprig sweep` and `pumprig merge` as a CI job meets them: the same summaries whatever the
//! job count or sharding, stable case ids, bad input refused before anything runs, filters, a
//! failing or crashing case recorded while the sweep goes on, and JUnit XML that parses.

#[path = "support/cli.rs"]
mod cli;
use cli::{pumprig, repo, scratch, text};
#[path = "support/c_firmware.rs"]
mod c_firmware;
use c_firmware::{build_example, c_compiler};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use quick_xml::Reader;
use quick_xml::events::Event;

/// A 6-second expression session swept over 3 vacuums × 2 rates, limits around 190 mmHg: the
/// 150 and 230 mmHg cases fail their peak-vacuum check (fixed limits), the rest pass; the
/// 190 mmHg cases are marginal at 54/min when the band is tight.
const SWEEP: &str = r#"name = "t-sweep"
duration_s = 6.0

[plant.kit]
shields = 1

[controller.settings.program]
start_phase = "expression"

[[events]]
at_s = 0.2
press = "power"

[[checks]]
name = "peak vacuum <within> ±20 mmHg of 190 & \"quoted\""
metric = "peak_vacuum"
at = "left_nipple"
window_s = [2.0, 6.0]
min = 170.0
max = 210.0
marginal_min = 185.0
marginal_max = 195.0
unit = "mmHg"

[[checks]]
name = "safety limit"
metric = "max_vacuum"
at = "sensor_port"
max = 275.0
unit = "mmHg"

[sweep]
"controller.settings.expression.vacuum_mmhg" = [150, 190, 230]

[[sweep.zip]]
"controller.settings.expression.cycles_per_min" = [54, 70]
"plant.left.tunnel_diameter_mm" = [24.0, 27.0]
"#;

fn write_scenario(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, body).unwrap();
    p
}

fn sweep(scenario: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "sweep",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    pumprig(&args)
}

const SUMMARY_FILES: [&str; 5] = [
    "summary.csv",
    "summary.md",
    "junit.xml",
    "cases.jsonl",
    "sweep.json",
];

#[test]
fn jobs_1_jobs_2_and_two_merged_shards_give_byte_identical_summaries() {
    let d = scratch("identical");
    let sc = write_scenario(&d, "sweep.toml", SWEEP);
    let one = sweep(&sc, &d.join("j1"), &["--jobs", "1"]);
    assert_eq!(one.status.code(), Some(1), "{}", text(&one));
    let two = sweep(&sc, &d.join("j2"), &["--jobs", "2"]);
    assert_eq!(two.status.code(), Some(1), "{}", text(&two));
    for k in ["1/2", "2/2"] {
        let out = d.join(format!("shard-{}", &k[..1]));
        let o = sweep(&sc, &out, &["--shard", k, "--jobs", "2"]);
        assert!(o.status.code() != Some(2), "{}", text(&o));
    }
    // Shards in either order.
    let m = pumprig(&[
        "merge",
        d.join("shard-2").to_str().unwrap(),
        d.join("shard-1").to_str().unwrap(),
        "--out",
        d.join("merged").to_str().unwrap(),
    ]);
    assert_eq!(
        m.status.code(),
        Some(1),
        "failing cases fail the merge: {}",
        text(&m)
    );
    for f in SUMMARY_FILES {
        let a = fs::read(d.join("j1").join(f)).unwrap();
        assert_eq!(
            a,
            fs::read(d.join("j2").join(f)).unwrap(),
            "{f}: jobs 1 vs 2"
        );
        assert_eq!(
            a,
            fs::read(d.join("merged").join(f)).unwrap(),
            "{f}: merged"
        );
    }
    // The sweep plots too, PNG and SVG (drawn from the same rows, on 1 or 2 threads).
    let plot_files = |run: &str| -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(d.join(run))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("sweep-") && (n.ends_with(".svg") || n.ends_with(".png")))
            .collect();
        v.sort();
        v
    };
    assert!(plot_files("j1").contains(&"sweep-passfail.svg".to_owned()));
    assert!(plot_files("j1").contains(&"sweep-passfail.png".to_owned()));
    assert_eq!(plot_files("j1"), plot_files("merged"));
    for f in plot_files("j1") {
        let a = fs::read(d.join("j1").join(&f)).unwrap();
        assert_eq!(
            a,
            fs::read(d.join("j2").join(&f)).unwrap(),
            "{f}: jobs 1 vs 2"
        );
        assert_eq!(
            a,
            fs::read(d.join("merged").join(&f)).unwrap(),
            "{f}: merged"
        );
    }
    // Each case's record is the same too, and every case has its directory.
    let ids: Vec<String> = fs::read_to_string(d.join("j1/summary.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| csv_fields(l)[1].clone())
        .collect();
    assert_eq!(ids.len(), 6);
    for id in &ids {
        let rec = |run: &str| fs::read(d.join(run).join("cases").join(id).join("record.json"));
        assert_eq!(rec("j1").unwrap(), rec("j2").unwrap(), "{id}");
        let shard = if rec("shard-1").is_ok() {
            "shard-1"
        } else {
            "shard-2"
        };
        assert_eq!(rec("j1").unwrap(), rec(shard).unwrap(), "{id}");
        // record.json only by default: no samples kept, nothing drawn.
        assert!(!d.join("j1/cases").join(id).join("timeseries.csv").exists());
    }
    // Shard 1/2 holds cases 1, 3, 5.
    let s1 = fs::read_to_string(d.join("shard-1/summary.csv")).unwrap();
    let firsts: Vec<&str> = s1
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(firsts, ["1", "3", "5"]);
    // A merge without every shard is refused, and writes nothing.
    let partial = pumprig(&[
        "merge",
        d.join("shard-1").to_str().unwrap(),
        "--out",
        d.join("partial").to_str().unwrap(),
    ]);
    assert_eq!(partial.status.code(), Some(2), "{}", text(&partial));
    assert!(
        text(&partial).contains("missing shard(s): 2/2"),
        "{}",
        text(&partial)
    );
    assert!(!d.join("partial").exists());
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn case_ids_are_stable_readable_and_in_case_order() {
    let d = scratch("ids");
    let sc = write_scenario(&d, "sweep.toml", SWEEP);
    let o = sweep(&sc, &d.join("out"), &["--jobs", "2"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let csv = fs::read_to_string(d.join("out/summary.csv")).unwrap();
    let rows: Vec<Vec<String>> = csv
        .lines()
        .skip(1)
        .map(|l| {
            let mut r = csv_fields(l);
            r.truncate(6);
            r
        })
        .collect();
    // The grid axis first (slowest), then the zip group; the zip's second key follows its first
    // and is not in the id. These ids are a contract: CI filters and dashboards key on them.
    let expected = [
        [
            "1",
            "vacuum_mmhg=150,cycles_per_min=54-",
            "fail",
            "150",
            "54",
            "24.0",
        ],
        [
            "2",
            "vacuum_mmhg=150,cycles_per_min=70-",
            "fail",
            "150",
            "70",
            "27.0",
        ],
        [
            "3",
            "vacuum_mmhg=190,cycles_per_min=54-",
            "",
            "190",
            "54",
            "24.0",
        ],
        [
            "4",
            "vacuum_mmhg=190,cycles_per_min=70-",
            "",
            "190",
            "70",
            "27.0",
        ],
        [
            "5",
            "vacuum_mmhg=230,cycles_per_min=54-",
            "fail",
            "230",
            "54",
            "24.0",
        ],
        [
            "6",
            "vacuum_mmhg=230,cycles_per_min=70-",
            "fail",
            "230",
            "70",
            "27.0",
        ],
    ];
    for (row, exp) in rows.iter().zip(expected) {
        assert_eq!(row[0], exp[0]);
        assert!(row[1].starts_with(exp[1]), "{row:?}");
        assert_eq!(
            row[1].len(),
            exp[1].len() + 8,
            "8 hex digits of hash: {row:?}"
        );
        if !exp[2].is_empty() {
            assert_eq!(row[2], exp[2], "{row:?}");
        } else {
            assert!(row[2] == "pass" || row[2] == "marginal", "{row:?}");
        }
        assert_eq!(&row[3..6], &exp[3..6], "{row:?}");
    }
    // The hash depends on the parameters only: fixed here for this sweep on every machine.
    assert_eq!(rows[0][1], "vacuum_mmhg=150,cycles_per_min=54-de89dfe8");
    // An edit elsewhere in the scenario keeps the ids.
    let edited = SWEEP.replace("duration_s = 6.0", "duration_s = 5.0");
    let sc2 = write_scenario(&d, "edited.toml", &edited);
    let o = sweep(
        &sc2,
        &d.join("out2"),
        &["--case", "vacuum_mmhg=150,cycles_per_min=54"],
    );
    assert!(o.status.code() != Some(2), "{}", text(&o));
    let csv2 = fs::read_to_string(d.join("out2/summary.csv")).unwrap();
    assert!(csv2.contains(&rows[0][1]), "{csv2}");
    fs::remove_dir_all(&d).unwrap();
}

/// Splits a CSV line (quoted fields may hold commas).
fn csv_fields(line: &str) -> Vec<String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line.as_bytes());
    r.records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_bad_sweep_value_or_key_is_bad_input_at_its_line_and_nothing_is_written() {
    let d = scratch("bad");
    // Line 33 holds the vacuum list; 300 is above the expression maximum of 250.
    let bad_value = SWEEP.replace("[150, 190, 230]", "[150, 190, 300]");
    let sc = write_scenario(&d, "bad-value.toml", &bad_value);
    assert_eq!(
        bad_value.lines().nth(32).unwrap(),
        "\"controller.settings.expression.vacuum_mmhg\" = [150, 190, 300]"
    );
    let o = sweep(&sc, &d.join("out"), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("{}:33:59: [sweep] case 5 of 6 (vacuum_mmhg=300, cycles_per_min=54): `controller.settings.expression.vacuum_mmhg` = 300: must lie within", sc.display())),
        "{err}"
    );
    assert!(err.contains("(and in 1 more case)"), "{err}");
    assert!(!d.join("out").exists(), "nothing written");
    // `pumprig check` checks every case too.
    let c = pumprig(&["check", sc.to_str().unwrap()]);
    assert_eq!(c.status.code(), Some(2), "{}", text(&c));

    // A misspelt key: did you mean, at the key's line.
    let bad_key = SWEEP.replace(
        "\"plant.left.tunnel_diameter_mm\"",
        "\"plant.left.tunnel_diameter_MM\"",
    );
    let sc = write_scenario(&d, "bad-key.toml", &bad_key);
    let o = sweep(&sc, &d.join("out"), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!(
            "{}:37:1: [sweep] key \"plant.left.tunnel_diameter_MM\": unknown key",
            sc.display()
        )) && err.contains("did you mean `tunnel_diameter_mm`?"),
        "{err}"
    );
    assert_eq!(
        err.lines().count(),
        1,
        "one message for the key, not one per case: {err}"
    );

    // Zipped lists of different lengths.
    let ragged = SWEEP.replace("[24.0, 27.0]", "[24.0, 27.0, 30.0]");
    let sc = write_scenario(&d, "ragged.toml", &ragged);
    let o = sweep(&sc, &d.join("out"), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("has 3 values but `controller.settings.expression.cycles_per_min` has 2"),
        "{}",
        text(&o)
    );
    // A value that is not a list.
    let scalar = SWEEP.replace("[150, 190, 230]", "150");
    let sc = write_scenario(&d, "scalar.toml", &scalar);
    let o = sweep(&sc, &d.join("out"), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(
            ":33:1: `controller.settings.expression.vacuum_mmhg` = 150: expected a list of values"
        ),
        "{}",
        text(&o)
    );
    // A bad shard, and a scenario without a sweep.
    let sc = write_scenario(&d, "ok.toml", SWEEP);
    let o = sweep(&sc, &d.join("out"), &["--shard", "3/2"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let o = sweep(
        &repo().join("scenarios/quickstart.toml"),
        &d.join("out"),
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("has no [sweep] table"));
    assert!(!d.join("out").exists(), "nothing written");
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_filter_selects_cases_and_one_matching_nothing_is_bad_input() {
    let d = scratch("filter");
    let sc = write_scenario(&d, "sweep.toml", SWEEP);
    let o = sweep(
        &sc,
        &d.join("out"),
        &[
            "--case",
            "vacuum_mmhg=190",
            "--case",
            "tunnel_diameter_mm=27.0,vacuum_mmhg=230",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "230 mmHg fails: {}", text(&o));
    let csv = fs::read_to_string(d.join("out/summary.csv")).unwrap();
    let cases: Vec<String> = csv
        .lines()
        .skip(1)
        .map(|l| csv_fields(l)[0].clone())
        .collect();
    assert_eq!(cases, ["3", "4", "6"]);
    let o = sweep(&sc, &d.join("none"), &["--case", "vacuum_mmhg=15"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("no case of the sweep's 6 matches --case vacuum_mmhg=15")
    );
    assert!(!d.join("none").exists());
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn failing_cases_are_recorded_and_the_sweep_goes_on_with_junit_that_parses() {
    let d = scratch("junit");
    let sc = write_scenario(&d, "sweep.toml", SWEEP);
    let o = sweep(&sc, &d.join("out"), &["--jobs", "2"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("6 case(s): 2 passed"), "{stdout}");
    assert!(stdout.contains("4 failed, 0 error(s)"), "{stdout}");
    assert!(
        stdout.contains("mmHg in the cycle at t = ") && stdout.contains("below min 170 mmHg"),
        "the failure names the value and the limit: {stdout}"
    );
    // Plain progress lines off a terminal, one per case.
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with('[')).count(),
        6,
        "{stderr}"
    );

    let xml = fs::read_to_string(d.join("out/junit.xml")).unwrap();
    let j = parse_junit(&xml);
    assert_eq!(j.suites, 6);
    assert_eq!(j.testcases, 12, "one per case × check");
    assert_eq!(j.failures.len(), 4);
    assert!(
        j.failures
            .iter()
            .all(|m| m.contains("below min 170 mmHg") || m.contains("above max 210 mmHg")),
        "{:?}",
        j.failures
    );
    assert!(
        j.names
            .iter()
            .any(|n| n == "peak vacuum <within> ±20 mmHg of 190 & \"quoted\""),
        "names round-trip through escaping: {:?}",
        j.names
    );
    assert_eq!(
        j.totals,
        ("12".to_owned(), "4".to_owned(), "0".to_owned()),
        "tests, failures, errors"
    );
    let md = fs::read_to_string(d.join("out/summary.md")).unwrap();
    assert!(
        md.contains("**FAIL**") && md.contains("## Failures"),
        "{md}"
    );
    fs::remove_dir_all(&d).unwrap();
}

#[derive(Default)]
struct Junit {
    suites: usize,
    testcases: usize,
    failures: Vec<String>,
    errors: Vec<String>,
    marginal_notes: Vec<String>,
    names: Vec<String>,
    totals: (String, String, String),
}

/// Parses JUnit XML strictly (any malformed markup fails the test).
fn parse_junit(xml: &str) -> Junit {
    let mut r = Reader::from_str(xml);
    let mut j = Junit::default();
    let attr = |e: &quick_xml::events::BytesStart<'_>, name: &str| -> Option<String> {
        e.attributes()
            .map(|a| a.expect("well-formed attribute"))
            .find(|a| a.key.as_ref() == name.as_bytes())
            .map(|a| a.unescape_value().expect("escaped attribute").into_owned())
    };
    let mut in_system_out = false;
    loop {
        match r.read_event().expect("well-formed XML") {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                b"testsuites" => {
                    j.totals = (
                        attr(&e, "tests").unwrap(),
                        attr(&e, "failures").unwrap(),
                        attr(&e, "errors").unwrap(),
                    );
                }
                b"testsuite" => j.suites += 1,
                b"testcase" => {
                    j.testcases += 1;
                    j.names.push(attr(&e, "name").unwrap());
                }
                b"failure" => j.failures.push(attr(&e, "message").unwrap()),
                b"error" => j.errors.push(attr(&e, "message").unwrap()),
                b"system-out" => {
                    in_system_out = true;
                    j.marginal_notes.push(String::new());
                }
                _ => {}
            },
            // Text comes in pieces between entity references.
            Event::Text(t) if in_system_out => {
                let note = j.marginal_notes.last_mut().unwrap();
                note.push_str(&t.decode().unwrap());
            }
            Event::GeneralRef(r) if in_system_out => {
                let note = j.marginal_notes.last_mut().unwrap();
                match r.resolve_char_ref().expect("a valid character reference") {
                    Some(c) => note.push(c),
                    None => note.push_str(match r.decode().unwrap().as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        other => panic!("unknown entity &{other};"),
                    }),
                }
            }
            Event::End(e) if e.name().as_ref() == b"system-out" => in_system_out = false,
            _ => {}
        }
    }
    j
}

#[test]
fn marginal_cases_pass_flagged_in_summaries_and_junit() {
    let d = scratch("marginal");
    // A band too tight for any real loop: every 190 mmHg case passes, marginally.
    let tight = SWEEP
        .replace("marginal_min = 185.0", "marginal_min = 189.99")
        .replace("marginal_max = 195.0", "marginal_max = 190.01");
    let sc = write_scenario(&d, "sweep.toml", &tight);
    let o = sweep(&sc, &d.join("out"), &["--case", "vacuum_mmhg=190"]);
    assert_eq!(o.status.code(), Some(0), "marginal passes: {}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("2 passed (2 marginal)"),
        "{}",
        text(&o)
    );
    let csv = fs::read_to_string(d.join("out/summary.csv")).unwrap();
    assert!(
        csv.lines().skip(1).all(|l| csv_fields(l)[2] == "marginal"),
        "{csv}"
    );
    let j = parse_junit(&fs::read_to_string(d.join("out/junit.xml")).unwrap());
    assert!(j.failures.is_empty());
    assert_eq!(j.marginal_notes.len(), 2);
    assert!(
        j.marginal_notes
            .iter()
            .all(|n| n.starts_with("MARGINAL: check")
                && n.contains("; marginal: ")
                && n.contains("below marginal_min 189.99 mmHg")),
        "{:?}",
        j.marginal_notes
    );
    let md = fs::read_to_string(d.join("out/summary.md")).unwrap();
    assert!(md.contains(" ~ |") && md.contains("**MARGINAL**"), "{md}");
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn per_case_plots_are_opt_in() {
    let d = scratch("plots");
    let sc = write_scenario(&d, "sweep.toml", SWEEP);
    let o = sweep(
        &sc,
        &d.join("out"),
        &["--case", "vacuum_mmhg=190,cycles_per_min=54", "--plots"],
    );
    assert!(o.status.code() != Some(2), "{}", text(&o));
    let case = fs::read_dir(d.join("out/cases"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    for f in ["record.json", "timeseries.csv", "vacuum.png", "zoom.svg"] {
        assert!(case.join(f).exists(), "{f}");
    }
    let record = fs::read_to_string(case.join("record.json")).unwrap();
    assert!(
        record.contains("\"vacuum.png\""),
        "record lists what was written"
    );
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_crashing_firmware_case_is_an_error_and_the_sweep_goes_on() {
    let Some(cc) = c_compiler() else {
        eprintln!("SKIPPED rig/tests/sweep.rs crash case: no C compiler (set CC or install cc)");
        return;
    };
    let d = scratch("crash");
    for (name, defines) in [
        ("ok.so", vec![]),
        ("segv.so", vec!["-DPUMP_CRASH_AT_TICK=500"]),
    ] {
        build_example(&cc, &defines, &d.join(name));
    }
    // The example C firmware has its own program: only the safety check applies to both.
    let body = SWEEP.split("[[checks]]").next().unwrap().to_owned()
        + "[[checks]]\nname = \"safety limit\"\nmetric = \"max_vacuum\"\nat = \"sensor_port\"\n\
           max = 275.0\nunit = \"mmHg\"\n\n\
           [sweep]\n\"controller.kind\" = [\"cabi:ok.so\", \"cabi:segv.so\", \"reference\"]\n";
    let sc = write_scenario(&d, "crash.toml", &body);
    let o = sweep(&sc, &d.join("out"), &["--jobs", "2"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("3 case(s): 2 passed (0 marginal), 0 failed, 1 error(s)"),
        "{stdout}"
    );
    assert!(stdout.contains("SIGSEGV"), "{stdout}");
    let j = parse_junit(&fs::read_to_string(d.join("out/junit.xml")).unwrap());
    assert_eq!(j.errors.len(), 1);
    assert!(j.errors[0].contains("SIGSEGV"), "{:?}", j.errors);
    let csv = fs::read_to_string(d.join("out/summary.csv")).unwrap();
    let outcomes: Vec<String> = csv
        .lines()
        .skip(1)
        .map(|l| csv_fields(l)[2].clone())
        .collect();
    assert_eq!(outcomes, ["pass", "error", "pass"]);
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn pumprig_run_writes_junit_beside_record_json() {
    let d = scratch("run-junit");
    // `run` ignores [sweep] and runs the file's own values (190 mmHg at 54/min), here against
    // a max tightened below the peak so the check fails.
    let body = SWEEP
        .replace("max = 210.0", "max = 189.0")
        .replace("marginal_max = 195.0", "marginal_max = 188.5");
    let sc = write_scenario(&d, "run.toml", &body);
    let o = pumprig(&[
        "run",
        sc.to_str().unwrap(),
        "--out",
        d.join("out").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let j = parse_junit(&fs::read_to_string(d.join("out/junit.xml")).unwrap());
    assert_eq!((j.suites, j.testcases), (1, 2));
    assert_eq!(j.failures.len(), 1);
    assert!(
        j.failures[0].contains("above max 189 mmHg"),
        "{:?}",
        j.failures
    );
    let record = fs::read_to_string(d.join("out/record.json")).unwrap();
    assert!(record.contains("\"junit.xml\""));
    fs::remove_dir_all(&d).unwrap();
}

/// A zip group whose first key repeats a value is named by the keys that tell its cases apart:
/// ids, `summary.md` and the plots show both, and each lead key is an axis of the maps.
#[test]
fn a_zip_whose_first_key_repeats_names_its_cases_by_both_keys() {
    let d = scratch("zip-leads");
    let body = SWEEP.split("[sweep]").next().unwrap().to_owned()
        + "[[sweep.zip]]\n\"controller.settings.expression.vacuum_mmhg\" = [190, 190, 150]\n\
           \"plant.left.tunnel_diameter_mm\" = [24.0, 27.0, 24.0]\n\
           \"checks[1].max\" = [275.0, 276.0, 277.0]\n";
    let sc = write_scenario(&d, "zip.toml", &body);
    let o = sweep(&sc, &d.join("out"), &["--jobs", "2"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "the 150 mmHg case fails: {}",
        text(&o)
    );
    let md = fs::read_to_string(d.join("out/summary.md")).unwrap();
    assert!(
        md.contains("| # | `vacuum_mmhg` | `tunnel_diameter_mm` |"),
        "{md}"
    );
    let csv = fs::read_to_string(d.join("out/summary.csv")).unwrap();
    let ids: Vec<String> = csv
        .lines()
        .skip(1)
        .map(|l| csv_fields(l)[1].clone())
        .collect();
    assert_eq!(ids.len(), 3);
    for (id, start) in ids.iter().zip([
        "vacuum_mmhg=190,tunnel_diameter_mm=24.0-",
        "vacuum_mmhg=190,tunnel_diameter_mm=27.0-",
        "vacuum_mmhg=150,tunnel_diameter_mm=24.0-",
    ]) {
        assert!(id.starts_with(start), "{id} vs {start}");
    }
    // Two lead keys: two axes, so a heatmap per check, besides the pass/fail map.
    let files: Vec<String> = fs::read_dir(d.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(files.iter().any(|f| f == "sweep-passfail.png"), "{files:?}");
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("sweep-heatmap-c1-") && f.ends_with(".png")),
        "{files:?}"
    );
}
