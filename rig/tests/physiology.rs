//! The mother in the loop: directions of effect on single pump sessions with the reference
//! firmware, milk conservation, and courses (determinism, outputs, bad input).

use std::path::Path;

use pumprig::course::{self, SessionRecord};
use pumprig::scenario::{self, LoadedScenario};
use pumprig_sim::Mother;

fn kent(vacuum: u32, extra: &str) -> LoadedScenario {
    let text = format!(
        r#"
name = "t"
duration_s = 600.0
[output]
sample_rate_hz = 10.0
[plant.kit]
shields = 2
{extra}
[controller.settings.expression]
vacuum_mmhg = {vacuum}
[controller.settings.program]
stimulation_max_s = 120
[[events]]
at_s = 0.5
press = "power"
"#
    );
    scenario::load_str(Path::new("t.toml"), &text).expect("valid scenario")
}

/// Mean over a few mothers of one pump session, and the lowest comfort seen (the fit's pain).
fn session(loaded: &LoadedScenario) -> (f64, f64) {
    let mut total = 0.0;
    for seed in 1..=4 {
        let mut one = loaded.clone();
        one.scenario.seed = seed;
        let mother = Mother::new(&one.scenario.plant.mother, seed).unwrap();
        let (r, _): (SessionRecord, Mother) =
            course::pump_session(&one, &Default::default(), mother, 1, 0.0, 0).unwrap();
        total += r.removed_total_ml();
    }
    let fit = loaded.scenario.plant.fit.model(&loaded.scenario.plant.left);
    (total / 4.0, fit.exposure(190.0).comfort)
}

#[test]
fn deeper_vacuum_up_to_the_comfortable_maximum_removes_more() {
    let (v110, _) = session(&kent(110, ""));
    let (v150, _) = session(&kent(150, ""));
    let (v190, _) = session(&kent(190, ""));
    assert!(v110 < v150 && v150 < v190, "{v110} {v150} {v190}");
}

#[test]
fn a_badly_fitting_shield_removes_less_and_hurts_more() {
    let (good, good_comfort) = session(&kent(190, ""));
    for tunnel in [21.0, 36.0] {
        let fit = format!(
            "[plant.left]\ntunnel_diameter_mm = {tunnel}\n[plant.right]\ntunnel_diameter_mm = {tunnel}\n"
        );
        let (bad, bad_comfort) = session(&kent(190, &fit));
        assert!(bad < good, "tunnel {tunnel}: {bad} mL vs {good} mL");
        assert!(bad_comfort < good_comfort, "tunnel {tunnel}");
    }
}

#[test]
fn stress_delays_and_reduces_milk_ejection() {
    let calm = kent(190, "");
    let stressed = kent(190, "[plant.mother]\nstress = 1.0\n");
    let (c, _) = session(&calm);
    let (s, _) = session(&stressed);
    assert!(s < c, "stressed {s} mL vs calm {c} mL");
}

#[test]
fn milk_is_conserved_through_a_pump_session() {
    let loaded = kent(190, "");
    let mother = Mother::new(&loaded.scenario.plant.mother, 3).unwrap();
    let before = [mother.breast(0), mother.breast(1)]
        .map(|b| (b.stored_ml(), b.removed_ml, b.synthesised_ml, b.resorbed_ml));
    let (r, after) = course::pump_session(&loaded, &Default::default(), mother, 1, 0.0, 0).unwrap();
    assert!(r.removed_total_ml() > 10.0);
    for (k, b0) in before.iter().enumerate() {
        let b = after.breast(k);
        let balance = (b.stored_ml() + b.removed_ml - b.synthesised_ml + b.resorbed_ml)
            - (b0.0 + b0.1 - b0.2 + b0.3);
        assert!(balance.abs() < 1e-9, "breast {k}: {balance}");
    }
}

const FEEDS: &str = r#"
name = "feeds"
duration_s = 900.0
[plant.mother]
months_postpartum = 2
[course]
days = 2
[[course.sessions]]
at_h = [2.0, 6.0, 10.0, 14.0, 18.0, 22.0]
kind = "breastfeed"
[[course.checks]]
name = "a full supply"
metric = "mean_daily_volume"
min = 500.0
unit = "mL/day"
"#;

#[test]
fn a_course_is_deterministic_and_writes_its_outputs() {
    let loaded = scenario::load_str(Path::new("feeds.toml"), FEEDS).unwrap();
    let dir = std::env::temp_dir().join(format!("pumprig-course-{}", std::process::id()));
    let a = course::run_course_to_dir(&loaded, &dir.join("a"), |_| {}).unwrap();
    let b = course::run_course_to_dir(&loaded, &dir.join("b"), |_| {}).unwrap();
    for f in course::COURSE_FILES {
        let fa = std::fs::read(dir.join("a").join(f)).unwrap();
        let fb = std::fs::read(dir.join("b").join(f)).unwrap();
        assert!(
            !fa.is_empty() && fa == fb,
            "{f} differs between identical runs"
        );
    }
    assert_eq!(a.run.days.len(), 2);
    assert_eq!(a.run.sessions.len(), 12);
    assert!(a.passed(), "{:?}", a.checks);
    let daily = std::fs::read_to_string(dir.join("a/daily.csv")).unwrap();
    assert!(daily.starts_with("day,sessions,"));
    assert_eq!(daily.lines().count(), 3);
    drop(b);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_course_input_names_the_key() {
    let bad = FEEDS.replace(
        "kind = \"breastfeed\"",
        "kind = \"breastfeed\"\nshields = 2",
    );
    let e = scenario::load_str(Path::new("feeds.toml"), &bad)
        .unwrap_err()
        .to_string();
    assert!(e.contains("course.sessions[0].shields"), "{e}");
    let bad = FEEDS.replace(
        "metric = \"mean_daily_volume\"",
        "metric = \"first_drop_day\"",
    );
    let e = scenario::load_str(Path::new("feeds.toml"), &bad)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("course.checks[0].metric") && e.contains("first_drops_day"),
        "{e}"
    );
    let bad = FEEDS.replace("months_postpartum = 2", "months_postpartum = -2");
    let e = scenario::load_str(Path::new("feeds.toml"), &bad)
        .unwrap_err()
        .to_string();
    assert!(e.contains("months_postpartum"), "{e}");
}

/// A 10-minute session with one shield, before its `[course]`.
const ONE_SHIELD: &str = r#"
name = "single"
duration_s = 600.0
[plant.kit]
shields = 1
[plant.mother]
months_postpartum = 2
[controller.settings.program]
stimulation_max_s = 120
[[events]]
at_s = 0.5
press = "power"
"#;

/// A single-pumping course on `side`: two days, three 10-minute sessions a day.
fn single_pumping(side: &str) -> LoadedScenario {
    let text = format!(
        "{ONE_SHIELD}[course]\ndays = 2\n[[course.sessions]]\nat_h = [2.0, 10.0, 18.0]\n\
         kind = \"pump\"\nside = \"{side}\"\n"
    );
    scenario::load_str(Path::new("single.toml"), &text).expect("valid scenario")
}

fn run(loaded: &LoadedScenario) -> course::CourseRun {
    let spec = loaded.scenario.course.as_ref().expect("a course");
    course::run_course(loaded, spec, |_| {}).expect("the course runs")
}

/// The right breast pumped with one shield is the left one pumped, mirrored: the mother and the
/// kit are symmetric, so every figure of the course swaps sides bit for bit.
#[test]
fn single_pumping_on_the_right_mirrors_single_pumping_on_the_left() {
    let (left, right) = (run(&single_pumping("left")), run(&single_pumping("right")));
    assert_eq!(left.sessions.len(), 6);
    for (l, r) in left.sessions.iter().zip(&right.sessions) {
        assert_eq!(l.side, course::FeedSide::Left);
        assert_eq!(r.side, course::FeedSide::Right);
        assert!(l.removed_ml[0] > 0.5 && l.removed_ml[1] == 0.0, "{l:?}");
        assert_eq!(l.removed_ml, [r.removed_ml[1], r.removed_ml[0]]);
        assert_eq!(l.available_ml, [r.available_ml[1], r.available_ml[0]]);
        assert_eq!(l.ejections, r.ejections);
        assert_eq!(l.prolactin_peak_ng_ml, r.prolactin_peak_ng_ml);
    }
    for (l, r) in left.days.iter().zip(&right.days) {
        assert_eq!(l.capacity_ml_h, [r.capacity_ml_h[1], r.capacity_ml_h[0]]);
        assert_eq!(l.stored_ml, [r.stored_ml[1], r.stored_ml[0]]);
        assert_eq!(l.synthesised_ml, r.synthesised_ml);
    }
}

/// `alternate` takes the left, then the right, and so on; each breast is emptied in its turn,
/// and the course writes which side each session was on.
#[test]
fn alternate_single_pumping_shares_the_sessions_between_the_breasts() {
    let alt = run(&single_pumping("alternate"));
    let left = run(&single_pumping("left"));
    for (i, s) in alt.sessions.iter().enumerate() {
        let (on, off) = if i % 2 == 0 { (0, 1) } else { (1, 0) };
        assert!(
            s.removed_ml[on] > 0.5 && s.removed_ml[off] == 0.0,
            "session {i}: {s:?}"
        );
    }
    // The first session is the same; after it the left-only course drains one breast while the
    // other fills, so the alternating one removes more over the course.
    assert_eq!(alt.sessions[0].removed_ml, left.sessions[0].removed_ml);
    let total = |r: &course::CourseRun| r.days.iter().map(|d| d.removed_total_ml()).sum::<f64>();
    assert!(
        total(&alt) > total(&left),
        "{} vs {}",
        total(&alt),
        total(&left)
    );
    let csv = course::sessions_csv(&alt);
    let sides: Vec<_> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(5).unwrap())
        .collect();
    assert_eq!(sides, ["left", "right", "left", "right", "left", "right"]);
}

/// The kit's one shield stays the kit's on the right breast (`[plant.left]`'s tunnel) and meets
/// the right nipple (`[plant.right]`'s size): a right tunnel setting changes nothing, a right
/// nipple too big for the tunnel removes less.
#[test]
fn a_right_side_session_puts_the_kits_shield_on_the_right_nipple() {
    let with = |extra: &str| {
        let text =
            single_pumping("right")
                .source
                .replacen("[course]", &format!("{extra}\n[course]"), 1);
        run(&scenario::load_str(Path::new("single.toml"), &text).unwrap())
    };
    let plain = run(&single_pumping("right"));
    let other_tunnel = with("[plant.right]\ntunnel_diameter_mm = 36.0");
    assert_eq!(
        plain.sessions, other_tunnel.sessions,
        "the right tunnel is not the kit's"
    );
    let big_nipple = with("[plant.right]\nnipple_base_diameter_mm = 27.0");
    let total = |r: &course::CourseRun| r.sessions.iter().map(|s| s.removed_ml[1]).sum::<f64>();
    assert!(
        total(&big_nipple) < total(&plain),
        "a tight fit on the right: {} vs {} mL",
        total(&big_nipple),
        total(&plain)
    );
}

/// Pump and infant sessions on `alternate` share one turn; a fixed side does not move it.
#[test]
fn pump_and_infant_sessions_share_the_alternation() {
    let course = r#"
[course]
days = 1
[[course.sessions]]
at_h = [2.0, 10.0]
kind = "pump"
side = "alternate"
[[course.sessions]]
at_h = [6.0, 14.0]
kind = "breastfeed"
side = "alternate"
duration_min = 10.0
[[course.sessions]]
at_h = [8.0]
kind = "breastfeed"
side = "right"
duration_min = 10.0
"#;
    let text = format!("{ONE_SHIELD}{course}");
    let loaded = scenario::load_str(Path::new("mixed.toml"), &text).unwrap();
    let r = run(&loaded);
    let sides: Vec<_> = r.sessions.iter().map(|s| s.side).collect();
    use course::FeedSide::{Left, Right};
    // 2 h pump, 6 h feed, 8 h feed (fixed), 10 h pump, 14 h feed.
    assert_eq!(sides, [Left, Right, Right, Left, Right]);
    for s in &r.sessions {
        let off = if s.side == Left { 1 } else { 0 };
        assert_eq!(s.removed_ml[off], 0.0, "{s:?}");
    }
}

/// One shield pumps one breast; two pump both: any other side is refused, naming the key.
#[test]
fn a_pump_sessions_side_must_fit_its_shields() {
    // The kit's shields, then the session's own `shields` (or none), its side and kind.
    let text = |kit: u8, session: &str, side: &str, kind: &str| {
        format!(
            "name = \"x\"\nduration_s = 60.0\n[plant.kit]\nshields = {kit}\n[course]\ndays = 1\n\
             [[course.sessions]]\nat_h = [1.0]\nkind = \"{kind}\"\n{session}side = \"{side}\"\n"
        )
    };
    let one = "shields = 1\n";
    let two = "shields = 2\n";
    for (kit, session, side, says) in [
        (1, "", "both", "one shield (`plant.kit.shields` = 1)"),
        (
            2,
            one,
            "both",
            "one shield (`course.sessions[0].shields` = 1)",
        ),
        (2, "", "left", "two shields (`plant.kit.shields` = 2)"),
        (2, "", "right", "both breasts at once"),
        (2, "", "alternate", "both breasts at once"),
        (
            1,
            two,
            "alternate",
            "two shields (`course.sessions[0].shields` = 2)",
        ),
    ] {
        let e = scenario::load_str(Path::new("x.toml"), &text(kit, session, side, "pump"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(&format!("`course.sessions[0].side` = \"{side}\"")) && e.contains(says),
            "{kit} {session} {side}: {e}"
        );
    }
    for (kit, session, side, kind) in [
        (1, "", "right", "pump"),
        (1, "", "alternate", "pump"),
        (2, "", "both", "pump"),
        (2, one, "alternate", "pump"),
        (2, "", "alternate", "breastfeed"),
        (1, "", "both", "comfort"),
    ] {
        scenario::load_str(Path::new("x.toml"), &text(kit, session, side, kind))
            .unwrap_or_else(|e| panic!("{kit} {session} {side} {kind}: {e}"));
    }
}

/// A session's milk metrics (summary and checks) equal what its samples show, tick for tick.
#[test]
fn milk_metrics_and_checks_agree_with_the_time_series() {
    let checks = r#"
[[checks]]
name = "removes at least 10 mL"
metric = "milk_removed"
min = 10.0
unit = "mL"
[[checks]]
name = "at least one let-down"
metric = "milk_ejections"
min = 1.0
unit = "ejections"
[[checks]]
name = "let-down within a second (cannot pass)"
metric = "first_ejection_latency"
max = 1.0
unit = "s"
"#;
    let mut loaded = kent(190, checks);
    loaded.scenario.output.sample_rate_hz = 1000.0;
    let mut ctl = pumprig::session::build_controller(&loaded).unwrap();
    let mut samples: Vec<pumprig::runner::Sample> = Vec::new();
    let out = pumprig::runner::run(&loaded, &mut *ctl, &mut samples).unwrap();
    let m = &out.metrics.summary;

    let last = samples.last().unwrap().plant.mother;
    let removed = last.milk_removed_ml[0] + last.milk_removed_ml[1];
    assert!((m["milk_removed_ml"] - removed).abs() < 0.01, "{m:?}");
    assert!((m["milk_removed_ml_left"] - last.milk_removed_ml[0]).abs() < 0.01);
    assert!((m["milk_removed_ml_right"] - last.milk_removed_ml[1]).abs() < 0.01);
    assert_eq!(m["milk_ejections"], f64::from(last.ejections));
    assert!(last.ejections >= 1);
    // Each sample holds the state at its tick: the pump's start is the first running tick, the
    // first ejection the first sample whose preceding step began one.
    let started = samples
        .iter()
        .find(|s| s.actuators.telemetry.state.is_running())
        .unwrap()
        .time_ns;
    let ejected = samples
        .iter()
        .find(|s| s.plant.mother.ejection_started)
        .unwrap()
        .time_ns;
    let latency = (ejected - started) as f64 * 1e-9;
    assert!(
        (m["first_ejection_latency_s"] - latency).abs() < 1e-9,
        "{m:?}"
    );

    let verdicts: Vec<(bool, &str)> = out
        .metrics
        .checks
        .iter()
        .map(|c| (c.pass, c.message.as_str()))
        .collect();
    assert!(verdicts[0].0 && verdicts[1].0, "{verdicts:#?}");
    assert!(!verdicts[2].0, "{verdicts:#?}");
    assert!(
        verdicts[2]
            .1
            .contains("from the pump's start at t = 0.52 s to the first milk ejection"),
        "{}",
        verdicts[2].1
    );
}

#[test]
fn milk_metrics_are_whole_run_figures_without_a_location() {
    for (extra, key, problem) in [
        (
            "window_s = [0.0, 60.0]",
            "checks[0].window_s",
            "figure of the whole run",
        ),
        (
            "at = \"left_nipple\"",
            "checks[0].at",
            "not measured at a location",
        ),
    ] {
        let checks = format!(
            "[[checks]]\nname = \"m\"\nmetric = \"milk_removed\"\nmin = 1.0\nunit = \"mL\"\n{extra}\n"
        );
        let text = format!("name = \"t\"\nduration_s = 10.0\n{checks}");
        let e = scenario::load_str(Path::new("t.toml"), &text)
            .unwrap_err()
            .to_string();
        assert!(e.contains(key) && e.contains(problem), "{e}");
    }
    let text = "name = \"t\"\nduration_s = 10.0\n[[checks]]\nname = \"m\"\nmetric = \"milk_removed\"\nmin = 1.0\nunit = \"ml\"\n";
    let e = scenario::load_str(Path::new("t.toml"), text)
        .unwrap_err()
        .to_string();
    assert!(e.contains("write unit = \"mL\""), "{e}");
}

/// Two days of an established mother pumping 3×/day, swept over the expression vacuum.
const COURSE_SWEEP: &str = r#"
name = "course-sweep"
duration_s = 600.0
[output]
sample_rate_hz = 10.0
[plant.kit]
shields = 2
[controller.settings.program]
stimulation_max_s = 120
[[events]]
at_s = 0.5
press = "power"
[[checks]]
name = "no over-vacuum"
metric = "max_vacuum"
at = "sensor_port"
max = 275.0
unit = "mmHg"
[course]
days = 2
[[course.sessions]]
at_h = [8.0, 14.0, 20.0]
kind = "pump"
[[course.checks]]
name = "at least 360 mL/day"
metric = "mean_daily_volume"
min = 360.0
unit = "mL/day"
[sweep]
"controller.settings.expression.vacuum_mmhg" = [110, 190]
"#;

#[test]
fn a_sweep_runs_course_cases_with_their_checks_and_figures() {
    let dir = std::env::temp_dir().join(format!("pumprig-course-sweep-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("course-sweep.toml");
    std::fs::write(&file, COURSE_SWEEP).unwrap();
    let out = dir.join("out");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_pumprig"))
        .args(["sweep", "--jobs", "2", "--out"])
        .arg(&out)
        .arg(&file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    let csv = std::fs::read_to_string(out.join("summary.csv")).unwrap_or_default();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let col = |row: &str, name: &str| -> String {
        let i = header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("no {name} in {header:?}\n{stdout}\n{stderr}"));
        row.split(',').nth(i).unwrap().to_owned()
    };
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2, "{csv}");
    let volume = |r: &str| col(r, "mean_daily_volume_ml_day").parse::<f64>().unwrap();
    // A deeper expression vacuum removes more milk day after day (P2's direction over a course).
    assert!(volume(rows[1]) > volume(rows[0]), "{csv}");
    assert_eq!(col(rows[0], "sessions"), "6");
    // Each case is a course directory with the course's own outputs.
    for case in std::fs::read_dir(out.join("cases")).unwrap() {
        let case = case.unwrap().path();
        for f in pumprig::course::COURSE_FILES {
            assert!(case.join(f).is_file(), "{} lacks {f}", case.display());
        }
    }
    // The course check and the session checks are the case's checks, outcomes as judged:
    // 110 mmHg gives ~333 mL/day, 190 mmHg ~388, one below the course check's 360, one above.
    assert!(volume(rows[0]) < 350.0 && volume(rows[1]) > 370.0, "{csv}");
    assert_eq!(col(rows[0], "outcome"), "fail", "{csv}");
    assert_eq!(col(rows[1], "outcome"), "pass", "{csv}");
    assert_eq!(
        col(rows[0], "at least 360 mL/day: outcome"),
        "fail",
        "{csv}"
    );
    assert_eq!(
        col(
            rows[0],
            "every pump session passes the scenario's checks: outcome"
        ),
        "pass",
        "{csv}"
    );
    assert_eq!(o.status.code(), Some(1), "{stdout}\n{stderr}");
    // The manifest's check columns are the rows' checks.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("sweep.json")).unwrap()).unwrap();
    let names: Vec<&str> = manifest["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "at least 360 mL/day",
            "every pump session passes the scenario's checks"
        ]
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// A second session on the same mother reports its own milk, not the running total.
#[test]
fn milk_metrics_count_this_run_only() {
    use pumprig::metrics::Scope;
    use pumprig::runner::{NoSink, run_with_plant};
    let loaded = kent(190, "");
    let sc = &loaded.scenario;
    let mut plant = pumprig_sim::Plant::new(&sc.plant, sc.seed).unwrap();
    let mut ctl = pumprig::session::build_controller(&loaded).unwrap();
    let first = run_with_plant(&loaded, &mut plant, &mut *ctl, &mut NoSink, Scope::Full).unwrap();
    let mother = plant.into_mother();
    let before = mother.breast(0).removed_ml + mother.breast(1).removed_ml;
    let ejections_before = mother.outputs().ejections;
    let mut plant = pumprig_sim::Plant::with_mother(&sc.plant, sc.seed + 1, mother).unwrap();
    let mut ctl = pumprig::session::build_controller(&loaded).unwrap();
    let second = run_with_plant(&loaded, &mut plant, &mut *ctl, &mut NoSink, Scope::Full).unwrap();
    let mother = plant.into_mother();
    let after = mother.breast(0).removed_ml + mother.breast(1).removed_ml;
    let (m1, m2) = (&first.metrics.summary, &second.metrics.summary);
    assert!((m1["milk_removed_ml"] - before).abs() < 1e-9, "{m1:?}");
    assert!(
        (m2["milk_removed_ml"] - (after - before)).abs() < 1e-9,
        "{m2:?}"
    );
    assert!(m2["milk_removed_ml"] > 1.0 && m2["milk_removed_ml"] < after);
    assert_eq!(
        m2["milk_ejections"],
        f64::from(mother.outputs().ejections - ejections_before)
    );
}

/// One pump session of `kent(190)` with the mother stepped every `step_ms`: milk removed (mL),
/// ejections, first ejection (s), and how far the mother's clock moved (s).
fn stepped_session(step_ms: f64, seed: u64, duration_s: f64) -> (f64, u32, Option<f64>, f64) {
    let mut loaded = kent(
        190,
        &format!("[plant.integration]\nmother_step_ms = {step_ms}\n"),
    );
    loaded.scenario.seed = seed;
    let mother = Mother::new(&loaded.scenario.plant.mother, seed).unwrap();
    let t0 = mother.time_s();
    let (r, after) = course::pump_session(
        &loaded,
        &course::PumpOptions {
            duration_min: Some(duration_s / 60.0),
            ..Default::default()
        },
        mother,
        1,
        0.0,
        0,
    )
    .unwrap();
    (
        r.removed_total_ml(),
        r.ejections,
        r.first_ejection_s,
        after.time_s() - t0,
    )
}

/// §7.7: the mother's 10-ms step against a step of one control tick (1 ms), over whole pump
/// sessions of four mothers: the same ejections, the first at the same recorded sample (the
/// session record's 10 Hz), milk removed within 0.1 % (measured: under 0.01 %).
#[test]
fn the_mothers_10_ms_step_stays_within_its_bound_of_a_1_ms_step() {
    for seed in 1..=4 {
        let fine = stepped_session(1.0, seed, 600.0);
        let coarse = stepped_session(10.0, seed, 600.0);
        assert_eq!(fine.1, coarse.1, "seed {seed}: ejections");
        let (a, b) = (fine.2.unwrap(), coarse.2.unwrap());
        assert!(
            (a - b).abs() <= 1e-9,
            "seed {seed}: first ejection {a} s vs {b} s"
        );
        let rel = (coarse.0 - fine.0).abs() / fine.0;
        assert!(rel < 0.001, "seed {seed}: {} mL vs {} mL", coarse.0, fine.0);
    }
}

/// A session that ends between two of the mother's steps still gives her every tick: her clock
/// moves by exactly the session's length (the last partial step is taken at the end).
#[test]
fn a_session_ending_between_the_mothers_steps_gives_her_every_tick() {
    for (step_ms, duration_s) in [(10.0, 30.004), (7.0, 30.0), (1.0, 30.0)] {
        let (_, _, _, moved) = stepped_session(step_ms, 1, duration_s);
        assert!(
            (moved - duration_s).abs() < 1e-9,
            "{step_ms} ms over {duration_s} s: {moved} s"
        );
    }
}
