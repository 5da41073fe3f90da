//! The engine on synthetic signals with known answers, and every way a check can be wrong.

use proptest::prelude::*;

use super::*;

const TICK_NS: u64 = 1_000_000; // 1 kHz

fn check(metric: &str, at: Option<Location>, unit: &str) -> CheckSpec {
    CheckSpec {
        name: format!("{metric} check"),
        metric: metric.into(),
        at,
        window_s: None,
        min: None,
        max: None,
        unit: unit.into(),
        marginal_min: None,
        marginal_max: None,
        threshold_mmhg: None,
    }
}

fn limits(mut c: CheckSpec, min: Option<f64>, max: Option<f64>) -> CheckSpec {
    c.min = min;
    c.max = max;
    c
}

fn window(mut c: CheckSpec, start: f64, end: f64) -> CheckSpec {
    c.window_s = Some([start, end]);
    c
}

/// Runs `ticks` ticks at 1 kHz; `f(k, tick)` fills in tick `k` (time already set).
fn run(
    checks: &[CheckSpec],
    shields: u8,
    ticks: u64,
    mut f: impl FnMut(u64, &mut TickView),
) -> MetricsReport {
    let mut engine = MetricsEngine::new(checks, shields, TICK_NS).expect("valid checks");
    for k in 0..ticks {
        let mut t = TickView {
            time_ns: k * TICK_NS,
            shields,
            ..TickView::default()
        };
        f(k, &mut t);
        engine.observe(&t);
    }
    engine.finish()
}

/// A triangle pulse every `period_ms`: linear rise 0 -> `amp` over `ramp_ms`, linear fall over
/// `ramp_ms`, then 0 until the next pulse. Sampled at tick `k` (1 ms).
fn triangle(k: u64, period_ms: u64, ramp_ms: u64, amp: f64) -> f64 {
    let p = k % period_ms;
    if p <= ramp_ms {
        amp * p as f64 / ramp_ms as f64
    } else if p <= 2 * ramp_ms {
        amp * (2 * ramp_ms - p) as f64 / ramp_ms as f64
    } else {
        0.0
    }
}

fn outcome<'a>(r: &'a MetricsReport, name: &str) -> &'a CheckOutcome {
    r.checks
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no check {name}"))
}

const L: Option<Location> = Some(Location::LeftNipple);

#[test]
fn triangle_wave_gives_exact_peak_rate_rise_time_and_overshoot() {
    // Period 1250 ms (48 cycles/min), 250 ms linear ramps to 200 mmHg, set-point 190 mmHg.
    let checks = [
        limits(check("peak_vacuum", L, "mmHg"), Some(170.0), Some(210.0)),
        limits(check("cycle_rate", L, "cycles/min"), Some(47.0), Some(49.0)),
        limits(check("rise_time", L, "ms"), None, Some(250.0)),
        limits(check("overshoot", L, "mmHg"), None, Some(15.0)),
        limits(check("cycle_count", L, "cycles"), Some(24.0), Some(24.0)),
    ];
    let r = run(&checks, 1, 30_000, |k, t| {
        t.vacuum_nipple_mmhg[0] = triangle(k, 1250, 250, 200.0);
        t.vacuum_sensor_port_mmhg = t.vacuum_nipple_mmhg[0];
        t.target_vacuum_mmhg = 190.0;
    });
    for c in &r.checks {
        assert!(c.pass, "{}", c.message);
    }
    let peak = outcome(&r, "peak_vacuum check");
    assert_eq!(peak.value, Some(200.0));
    assert_eq!(peak.cycles, Some(24));
    assert_eq!((peak.cycle_min, peak.cycle_max), (Some(200.0), Some(200.0)));
    let rate = outcome(&r, "cycle_rate check");
    assert_eq!(rate.cycles, Some(23), "the first cycle has no interval");
    assert!(
        (rate.value.unwrap() - 48.0).abs() < 1e-9,
        "{:?}",
        rate.value
    );
    // 10 % -> 90 % of a 250 ms linear ramp: 200 ms.
    let rise = outcome(&r, "rise_time check");
    assert!(
        (rise.value.unwrap() - 200.0).abs() < 1e-9,
        "{:?}",
        rise.value
    );
    let over = outcome(&r, "overshoot check");
    assert!((over.value.unwrap() - 10.0).abs() < 1e-12);
    assert_eq!(outcome(&r, "cycle_count check").value, Some(24.0));

    let s = &r.summary;
    assert_eq!(s["cycle_count_left_nipple"], 24.0);
    assert_eq!(s["cycle_count_sensor_port"], 24.0);
    assert_eq!(s["peak_vacuum_mean_mmhg_left_nipple"], 200.0);
    assert!((s["cycle_rate_mean_cpm_left_nipple"] - 48.0).abs() < 1e-9);
    assert!((s["rise_time_mean_ms_left_nipple"] - 200.0).abs() < 1e-9);
    assert_eq!(s["max_vacuum_mmhg_left_nipple"], 200.0);
    assert!(
        !s.contains_key("cycle_count_right_nipple"),
        "one shield: no right nipple"
    );
    assert!(
        !s.contains_key("release_time_max_ms_left_nipple"),
        "no stop happened"
    );
}

#[test]
fn rise_time_of_a_ramp_between_ticks_is_interpolated() {
    // Ramp 0 -> 100 mmHg over 333 ms: the 10 % and 90 % levels fall between ticks.
    let r = run(
        &[limits(check("rise_time", L, "ms"), None, Some(1000.0))],
        1,
        5_000,
        |k, t| {
            t.vacuum_nipple_mmhg[0] = triangle(k, 1000, 333, 100.0);
        },
    );
    let v = r.checks[0].value.unwrap();
    assert!((v - 0.8 * 333.0).abs() < 1e-9, "{v}");
}

#[test]
fn square_wave_rate_peak_and_time_above() {
    // 150 mmHg for 400 ms, 0 for 600 ms: 60 cycles/min, 40 % of the time above 100 mmHg.
    let square = |k: u64| if k % 1000 < 400 { 150.0 } else { 0.0 };
    let mut above = check("time_above", L, "s");
    above.threshold_mmhg = Some(100.0);
    let checks = [
        window(limits(above, Some(3.99), Some(4.01)), 10.0, 20.0),
        limits(check("cycle_rate", L, "cycles/min"), Some(60.0), Some(60.0)),
        limits(check("peak_vacuum", L, "mmHg"), Some(150.0), Some(150.0)),
    ];
    let r = run(&checks, 1, 30_000, |k, t| {
        t.vacuum_nipple_mmhg[0] = square(k)
    });
    for c in &r.checks {
        assert!(c.pass, "{}", c.message);
    }
    assert!((r.checks[0].value.unwrap() - 4.0).abs() < 1e-9);
    // The step from 0 to 150 between two ticks: 10 %..90 % interpolated = 0.8 of a tick.
    assert!(
        (r.summary["rise_time_mean_ms_left_nipple"] - 0.8).abs() < 1e-9,
        "{:?}",
        r.summary
    );
}

#[test]
fn time_above_of_a_triangle_matches_the_analytic_fraction() {
    // Above 50 mmHg on a 0..200 triangle with 500 ms ramps and no rest: 75 % of the time.
    let mut c = check("time_above", Some(Location::SensorPort), "s");
    c.threshold_mmhg = Some(50.0);
    let r = run(&[limits(c, Some(0.0), None)], 1, 20_000, |k, t| {
        t.vacuum_sensor_port_mmhg = triangle(k, 1000, 500, 200.0);
    });
    let v = r.checks[0].value.unwrap();
    // Ticks count for [t, t + tick): within one tick per crossing (2 crossings x 20 cycles).
    assert!((v - 15.0).abs() <= 40.0 * 1e-3, "{v}");
}

#[test]
fn release_time_of_an_exponential_decay_after_a_stop() {
    // 200 mmHg held, stop at 5 s, then 200 exp(-(t - 5)/tau) with tau = 150 ms.
    let tau_s = 0.15;
    let analytic_ms = tau_s * (200.0f64 / 10.0).ln() * 1e3; // 449.4 ms
    let checks = [
        limits(check("release_time", L, "ms"), None, Some(500.0)),
        CheckSpec {
            name: "tight".into(),
            ..limits(check("release_time", L, "ms"), None, Some(400.0))
        },
    ];
    let r = run(&checks, 2, 8_000, |k, t| {
        let ts = k as f64 * 1e-3;
        let v = if ts < 5.0 {
            200.0
        } else {
            200.0 * (-(ts - 5.0) / tau_s).exp()
        };
        t.vacuum_nipple_mmhg = [v, v];
        t.stop_commanded = k == 5_000;
    });
    let ok = &r.checks[0];
    assert!(ok.pass, "{}", ok.message);
    let v = ok.value.unwrap();
    // The first tick below the threshold: within one tick after the analytic crossing.
    assert!(
        v >= analytic_ms && v < analytic_ms + 1.0,
        "{v} vs {analytic_ms}"
    );
    assert_eq!(ok.at_time_s, Some(5.0));
    let tight = outcome(&r, "tight");
    assert!(!tight.pass);
    assert!(
        tight
            .message
            .contains("release_time at left_nipple was 450 ms after the stop at t = 5.00 s"),
        "{}",
        tight.message
    );
    assert!(
        tight.message.ends_with("above max 400 ms"),
        "{}",
        tight.message
    );
    assert_eq!(r.summary["release_time_max_ms_left_nipple"], 450.0);
    assert_eq!(r.summary["release_time_max_ms_right_nipple"], 450.0);
}

#[test]
fn release_fails_without_a_stop_or_without_a_release() {
    let c = limits(check("release_time", L, "ms"), None, Some(500.0));
    let never = run(std::slice::from_ref(&c), 1, 3_000, |k, t| {
        t.vacuum_nipple_mmhg[0] = 100.0;
        t.stop_commanded = k == 1_000;
    });
    assert!(!never.checks[0].pass);
    assert!(
        never.checks[0]
            .message
            .contains("not released by end of run"),
        "{}",
        never.checks[0].message
    );
    assert_eq!(never.checks[0].value, None);
    assert!(
        !never
            .summary
            .contains_key("release_time_max_ms_left_nipple")
    );

    let no_stop = run(&[window(c, 0.0, 2.0)], 1, 3_000, |k, t| {
        t.stop_commanded = k == 2_500
    });
    assert!(!no_stop.checks[0].pass);
    assert!(
        no_stop.checks[0].message.ends_with("no stop in 0–2 s"),
        "{}",
        no_stop.checks[0].message
    );
}

#[test]
fn a_stop_in_a_trough_is_not_released_while_the_pump_keeps_pumping() {
    // The stop lands at 2.9 s, in the trough of a cycle (0 mmHg), but the controller keeps
    // running and the cycles go on: "released in 0 ms" would be a false pass.
    let c = limits(check("release_time", L, "ms"), None, Some(500.0));
    let r = run(&[c], 1, 6_100, |k, t| {
        t.vacuum_nipple_mmhg[0] = triangle(k, 1000, 200, 190.0);
        t.running = true;
        t.stop_commanded = k == 2_900;
    });
    assert!(!r.checks[0].pass);
    assert!(
        r.checks[0]
            .message
            .contains("not released by end of run: after the stop at t = 2.90 s"),
        "{}",
        r.checks[0].message
    );
}

#[test]
fn a_fault_trip_starts_a_release_and_fault_latency_is_measured() {
    let checks = [
        limits(check("fault_latency", None, "ms"), None, Some(50.0)),
        limits(check("release_time", L, "ms"), None, Some(500.0)),
    ];
    // Fault injected at 2 s, controller faults at 2.035 s and vents within 100 ms.
    let r = run(&checks, 1, 4_000, |k, t| {
        t.fault_injected = k == 2_000;
        t.faulted = k >= 2_035;
        t.vacuum_nipple_mmhg[0] = if k < 2_135 { 150.0 } else { 0.0 };
    });
    assert_eq!(r.checks[0].value, Some(35.0), "{}", r.checks[0].message);
    assert_eq!(r.checks[0].at_time_s, Some(2.0));
    assert!(r.checks[0].pass);
    assert_eq!(r.checks[1].value, Some(100.0), "{}", r.checks[1].message);

    let never = run(&checks[..1], 1, 4_000, |k, t| t.fault_injected = k == 2_000);
    assert!(
        never.checks[0].message.contains("supervisor never tripped"),
        "{}",
        never.checks[0].message
    );
    assert!(!never.checks[0].pass);
}

#[test]
fn energy_and_mean_power_of_constant_power() {
    let checks = [
        limits(check("motor_energy", None, "J"), Some(249.0), Some(251.0)),
        window(
            limits(check("motor_energy", None, "J"), Some(0.0), None),
            5.0,
            15.0,
        ),
        limits(check("mean_motor_power", None, "W"), Some(12.0), Some(13.0)),
        window(
            limits(check("leak_flow", None, "mL/min"), Some(100.0), None),
            10.0,
            20.0,
        ),
    ];
    let r = run(&checks, 1, 20_000, |k, t| {
        t.motor_power_w = 12.5;
        t.leak_flow_ml_min = if k < 10_000 { 0.0 } else { 240.0 };
    });
    assert!((r.checks[0].value.unwrap() - 250.0).abs() < 1e-9);
    assert!(
        (r.checks[1].value.unwrap() - 125.0).abs() < 1e-9,
        "window [5, 15) s: 10 s x 12.5 W"
    );
    assert!((r.checks[2].value.unwrap() - 12.5).abs() < 1e-12);
    assert!((r.checks[3].value.unwrap() - 240.0).abs() < 1e-12);
    assert!(r.checks.iter().all(|c| c.pass));
    assert!((r.summary["motor_energy_j"] - 250.0).abs() < 1e-9);
    assert!((r.summary["mean_motor_power_w"] - 12.5).abs() < 1e-12);
    assert!((r.summary["leak_flow_mean_ml_min"] - 120.0).abs() < 1e-9);
}

#[test]
fn windows_exclude_cycles_outside_them() {
    // 200 mmHg peaks for 10 s, then 150 mmHg peaks: the window [10, 20) s only sees 150.
    let c = limits(check("peak_vacuum", L, "mmHg"), Some(140.0), Some(160.0));
    let checks = [
        window(c.clone(), 10.0, 20.0),
        CheckSpec {
            name: "whole".into(),
            ..c
        },
    ];
    let r = run(&checks, 1, 20_000, |k, t| {
        t.vacuum_nipple_mmhg[0] = triangle(k, 1000, 200, if k < 10_000 { 200.0 } else { 150.0 });
    });
    let w = &r.checks[0];
    assert!(w.pass, "{}", w.message);
    assert_eq!(w.cycles, Some(10));
    assert_eq!((w.cycle_min, w.cycle_max), (Some(150.0), Some(150.0)));
    let whole = outcome(&r, "whole");
    assert!(!whole.pass);
    assert_eq!(whole.cycles, Some(20));
    assert_eq!(whole.value, Some(200.0));
    assert_eq!(whole.at_time_s, Some(0.2), "the first of the worst cycles");
    assert!(
        whole
            .message
            .contains("10 of 20 cycles over the whole run broke the limits"),
        "{}",
        whole.message
    );
}

#[test]
fn a_per_cycle_failure_reports_the_worst_cycle() {
    // Peaks 1 s apart at t = n + 0.21 s; 190 mmHg except 205 at n = 50 and 162.4 at n = 143.
    let amp = |n: u64| match n {
        50 => 205.0,
        143 => 162.4,
        _ => 190.0,
    };
    let c = CheckSpec {
        name: "expression peak vacuum".into(),
        ..limits(check("peak_vacuum", L, "mmHg"), Some(170.0), Some(210.0))
    };
    let r = run(&[c], 1, 146_000, |k, t| {
        t.vacuum_nipple_mmhg[0] = triangle(k, 1000, 210, amp(k / 1000))
    });
    let o = &r.checks[0];
    assert!(!o.pass);
    assert_eq!(o.value, Some(162.4));
    assert_eq!(o.at_time_s, Some(143.21));
    assert_eq!(o.cycles, Some(146));
    assert!(
        o.message.starts_with(
            "check \"expression peak vacuum\" failed: peak_vacuum at left_nipple was 162.4 mmHg \
             in the cycle at t = 143.21 s, below min 170 mmHg"
        ),
        "{}",
        o.message
    );
    assert!(o.message.contains("1 of 146 cycles"), "{}", o.message);
}

#[test]
fn a_pass_reports_the_cycle_closest_to_a_limit() {
    let amp = |n: u64| if n == 7 { 207.5 } else { 190.0 };
    let c = limits(check("peak_vacuum", L, "mmHg"), Some(170.0), Some(210.0));
    let r = run(&[c], 1, 12_000, |k, t| {
        t.vacuum_nipple_mmhg[0] = triangle(k, 1000, 200, amp(k / 1000))
    });
    let o = &r.checks[0];
    assert!(o.pass, "{}", o.message);
    assert_eq!(o.value, Some(207.5));
    assert_eq!(o.at_time_s, Some(7.2));
    assert!(o.message.starts_with("check \"peak_vacuum check\" passed: peak_vacuum at left_nipple within 170–210 mmHg in all 12 cycles"), "{}", o.message);
}

#[test]
fn no_cycles_fails_with_a_reason() {
    let checks = [
        limits(check("peak_vacuum", L, "mmHg"), Some(170.0), None),
        window(
            limits(check("peak_vacuum", L, "mmHg"), Some(170.0), None),
            100.0,
            200.0,
        ),
        limits(check("cycle_rate", L, "cycles/min"), Some(40.0), None),
    ];
    // One single pulse: one cycle, no interval.
    let r = run(&checks, 1, 5_000, |k, t| {
        t.vacuum_nipple_mmhg[0] = if k < 1_000 {
            triangle(k, 1000, 200, 190.0)
        } else {
            0.0
        }
    });
    assert!(r.checks[0].pass, "{}", r.checks[0].message);
    assert!(!r.checks[1].pass);
    assert!(
        r.checks[1].message.contains("no cycles detected"),
        "{}",
        r.checks[1].message
    );
    assert!(
        r.checks[1].message.contains("the run ended at t = 5.00 s"),
        "{}",
        r.checks[1].message
    );
    assert!(!r.checks[2].pass);
    assert!(
        r.checks[2].message.contains("only 1 cycle(s) detected"),
        "{}",
        r.checks[2].message
    );

    let flat = run(&checks[..1], 1, 5_000, |_, t| t.vacuum_nipple_mmhg[0] = 3.0);
    assert!(
        flat.checks[0]
            .message
            .ends_with("no cycles detected over the whole run"),
        "{}",
        flat.checks[0].message
    );
    assert_eq!(flat.summary["cycle_count_left_nipple"], 0.0);
    assert!(
        !flat
            .summary
            .contains_key("peak_vacuum_mean_mmhg_left_nipple")
    );
}

#[test]
fn max_vacuum_reports_value_time_and_breach() {
    let c = limits(
        check("max_vacuum", Some(Location::SensorPort), "mmHg"),
        None,
        Some(275.0),
    );
    let r = run(&[c], 2, 3_000, |k, t| {
        t.vacuum_sensor_port_mmhg = if k == 1_234 { 275.04 } else { 100.0 }
    });
    let o = &r.checks[0];
    assert!(!o.pass);
    assert_eq!(o.at_time_s, Some(1.234));
    assert_eq!(
        o.message,
        "check \"max_vacuum check\" failed: max_vacuum at sensor_port was 275.04 mmHg at t = 1.23 s over the whole run, above max 275 mmHg"
    );
    assert!(r.summary.contains_key("max_vacuum_mmhg_right_nipple"));
}

#[test]
fn the_summary_is_nan_free_and_serializes() {
    let r = run(&[], 2, 2_000, |k, t| {
        t.vacuum_nipple_mmhg = [triangle(k, 500, 100, 180.0), f64::NAN];
        t.motor_power_w = 3.0;
    });
    assert!(r.summary.values().all(|v| v.is_finite()));
    assert_eq!(r.summary["cycle_count_right_nipple"], 0.0);
    assert_eq!(r.summary["cycle_count_left_nipple"], 4.0);
    let json = serde_json::to_string(&r).unwrap();
    assert!(!json.contains("null") && !json.contains("NaN"), "{json}");
}

// --- CheckSpec errors ------------------------------------------------------------------------

fn first_error(checks: &[CheckSpec], shields: u8) -> CheckSpecError {
    let e = MetricsEngine::new(checks, shields, TICK_NS).expect_err("invalid checks");
    assert_eq!(validate_checks(checks, shields), Err(e.clone()));
    e
}

fn good() -> CheckSpec {
    limits(check("peak_vacuum", L, "mmHg"), Some(170.0), Some(210.0))
}

#[test]
fn unknown_metric() {
    let e = first_error(
        &[
            good(),
            CheckSpec {
                metric: "peak_vaccum".into(),
                ..good()
            },
        ],
        1,
    );
    assert_eq!(
        (e.index, e.field, e.key()),
        (1, Some("metric"), "checks[1].metric".to_string())
    );
    assert_eq!(e.problem, CheckSpecProblem::UnknownMetric);
    let msg = e.to_string();
    assert!(
        msg.starts_with(
            "checks[1].metric = \"peak_vaccum\": unknown metric; the metrics are peak_vacuum, "
        ),
        "{msg}"
    );
}

#[test]
fn unit_mismatch_lists_the_right_unit() {
    let e = first_error(
        &[
            good(),
            good(),
            CheckSpec {
                unit: "mmhg".into(),
                ..good()
            },
        ],
        1,
    );
    assert_eq!(e.key(), "checks[2].unit");
    assert_eq!(e.value.as_deref(), Some("\"mmhg\""));
    assert_eq!(
        e.problem,
        CheckSpecProblem::UnitMismatch {
            metric: Metric::PeakVacuum,
            expected: "mmHg"
        }
    );
    assert_eq!(
        e.to_string(),
        "checks[2].unit = \"mmhg\": peak_vacuum is measured in \"mmHg\"; write unit = \"mmHg\""
    );
    let e = first_error(&[limits(check("cycle_rate", L, "cpm"), Some(1.0), None)], 1);
    assert!(e.to_string().contains("\"cycles/min\""), "{e}");
}

#[test]
fn location_missing_not_allowed_or_absent() {
    let e = first_error(&[CheckSpec { at: None, ..good() }], 1);
    assert_eq!(
        (e.key(), e.value.clone()),
        ("checks[0].at".to_string(), None)
    );
    assert_eq!(
        e.problem,
        CheckSpecProblem::LocationMissing {
            metric: Metric::PeakVacuum
        }
    );

    let e = first_error(
        &[limits(check("leak_flow", L, "mL/min"), Some(1.0), None)],
        1,
    );
    assert_eq!(e.key(), "checks[0].at");
    assert_eq!(
        e.problem,
        CheckSpecProblem::LocationNotAllowed {
            metric: Metric::LeakFlow
        }
    );

    let right = CheckSpec {
        at: Some(Location::RightNipple),
        ..good()
    };
    let e = first_error(std::slice::from_ref(&right), 1);
    assert_eq!(
        (e.key(), e.value.as_deref()),
        ("checks[0].at".to_string(), Some("\"right_nipple\""))
    );
    assert_eq!(e.problem, CheckSpecProblem::NoSuchShield { shields: 1 });
    assert!(MetricsEngine::new(&[right], 2, TICK_NS).is_ok());
}

#[test]
fn bad_windows() {
    for w in [
        [600.0, 150.0],
        [10.0, 10.0],
        [-1.0, 10.0],
        [0.0, f64::INFINITY],
    ] {
        let e = first_error(&[window(good(), w[0], w[1])], 1);
        assert_eq!(e.key(), "checks[0].window_s");
        assert_eq!(e.problem, CheckSpecProblem::BadWindow);
    }
    let e = first_error(&[window(good(), 600.0, 150.0)], 1);
    assert_eq!(e.value.as_deref(), Some("[600.0, 150.0]"));
}

#[test]
fn bad_limits() {
    let e = first_error(&[limits(good(), Some(220.0), Some(210.0))], 1);
    assert_eq!(e.key(), "checks[0].min");
    assert_eq!(e.problem, CheckSpecProblem::MinAboveMax { max: 210.0 });
    assert_eq!(
        e.to_string(),
        "checks[0].min = 220.0: min is above max = 210"
    );

    let e = first_error(&[good(), limits(good(), None, None)], 1);
    assert_eq!((e.key(), e.field), ("checks[1]".to_string(), None));
    assert_eq!(e.problem, CheckSpecProblem::NoLimits);

    let e = first_error(&[limits(good(), None, Some(f64::NAN))], 1);
    assert_eq!(
        (e.key(), e.problem),
        ("checks[0].max".to_string(), CheckSpecProblem::NotFinite)
    );
    // Equal limits are allowed (an exact count).
    assert!(MetricsEngine::new(&[limits(good(), Some(190.0), Some(190.0))], 1, TICK_NS).is_ok());
}

#[test]
fn thresholds() {
    let above = limits(check("time_above", L, "s"), Some(1.0), None);
    let e = first_error(std::slice::from_ref(&above), 1);
    assert_eq!(
        (e.key(), e.problem),
        (
            "checks[0].threshold_mmhg".to_string(),
            CheckSpecProblem::ThresholdMissing {
                metric: Metric::TimeAbove
            }
        )
    );

    let e = first_error(
        &[CheckSpec {
            threshold_mmhg: Some(10.0),
            ..good()
        }],
        1,
    );
    assert_eq!(
        e.problem,
        CheckSpecProblem::ThresholdNotAllowed {
            metric: Metric::PeakVacuum
        }
    );

    let e = first_error(
        &[CheckSpec {
            threshold_mmhg: Some(0.0),
            ..above.clone()
        }],
        1,
    );
    assert_eq!(e.problem, CheckSpecProblem::ThresholdNotPositive);

    let release = limits(check("release_time", L, "ms"), None, Some(500.0));
    assert!(
        MetricsEngine::new(
            &[
                release,
                CheckSpec {
                    threshold_mmhg: Some(50.0),
                    ..above
                }
            ],
            1,
            TICK_NS
        )
        .is_ok()
    );
}

#[test]
fn empty_name() {
    let e = first_error(
        &[CheckSpec {
            name: " ".into(),
            ..good()
        }],
        1,
    );
    assert_eq!(
        (e.key(), e.problem),
        ("checks[0].name".to_string(), CheckSpecProblem::EmptyName)
    );
}

#[test]
fn every_metric_has_a_unit_and_a_round_trip_name() {
    for m in Metric::ALL {
        assert_eq!(Metric::from_name(m.name()), Some(m));
        assert!(!m.unit().is_empty());
    }
}

// --- The TOML shape --------------------------------------------------------------------------

#[derive(serde::Deserialize, serde::Serialize)]
struct File {
    checks: Vec<CheckSpec>,
}

#[test]
fn toml_checks_parse_and_reject_unknown_keys() {
    let text = r#"
[[checks]]
name = "expression peak vacuum within ±20 mmHg of 190"
metric = "peak_vacuum"
at = "left_nipple"
window_s = [150.0, 600.0]
min = 170.0
max = 210.0
unit = "mmHg"

[[checks]]
name = "vented"
metric = "release_time"
at = "left_nipple"
threshold_mmhg = 10.0
max = 500.0
unit = "ms"
"#;
    let f: File = toml::from_str(text).unwrap();
    assert_eq!(f.checks.len(), 2);
    assert_eq!(f.checks[0].at, Some(Location::LeftNipple));
    assert_eq!(f.checks[0].window_s, Some([150.0, 600.0]));
    assert_eq!(f.checks[1].min, None);
    assert!(MetricsEngine::new(&f.checks, 1, TICK_NS).is_ok());
    // Round trip through TOML (as a record or a resolved scenario would write it).
    let back: File = toml::from_str(&toml::to_string(&f).unwrap()).unwrap();
    assert_eq!(back.checks, f.checks);

    let typo = text.replace("max = 500.0", "maximum = 500.0");
    let e = toml::from_str::<File>(&typo)
        .err()
        .expect("unknown key")
        .to_string();
    assert!(e.contains("maximum"), "{e}");
    let bad_at = text.replace("at = \"left_nipple\"\nwindow_s", "at = \"left\"\nwindow_s");
    assert!(toml::from_str::<File>(&bad_at).is_err());
}

// --- Properties ------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn per_cycle_mean_lies_between_min_and_max(amps in prop::collection::vec(20.0f64..300.0, 1..25)) {
        let c = limits(check("peak_vacuum", L, "mmHg"), Some(0.0), None);
        let n = amps.len() as u64;
        let r = run(&[c], 1, n * 500 + 100, |k, t| {
            let i = (k / 500) as usize;
            t.vacuum_nipple_mmhg[0] = if i < amps.len() { triangle(k, 500, 100, amps[i]) } else { 0.0 };
        });
        let o = &r.checks[0];
        prop_assert_eq!(o.cycles, Some(n));
        let (mean, lo, hi) = (o.cycle_mean.unwrap(), o.cycle_min.unwrap(), o.cycle_max.unwrap());
        prop_assert!(lo <= mean && mean <= hi, "{} {} {}", lo, mean, hi);
        let want_lo = amps.iter().cloned().fold(f64::INFINITY, f64::min);
        let want_hi = amps.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        prop_assert!((lo - want_lo).abs() < 1e-9 && (hi - want_hi).abs() < 1e-9);
        // All pass: the reported value is the cycle closest to the limit (the lowest peak).
        prop_assert_eq!(o.value, Some(lo));
    }

    #[test]
    fn energy_is_additive_over_adjacent_windows(
        powers in prop::collection::vec(0.0f64..40.0, 1..400),
        split in 0usize..400,
    ) {
        let n = powers.len();
        let split_s = (split.min(n)) as f64 * 1e-3;
        let end_s = n as f64 * 1e-3 + 1.0;
        let e = |a: f64, b: f64| window(limits(check("motor_energy", None, "J"), Some(0.0), None), a, b);
        let checks = if split_s > 0.0 { vec![e(0.0, end_s), e(0.0, split_s), e(split_s, end_s)] } else { vec![e(0.0, end_s)] };
        let r = run(&checks, 1, n as u64, |k, t| t.motor_power_w = powers[k as usize]);
        let whole = r.checks[0].value.unwrap();
        let direct: f64 = powers.iter().map(|p| p * 1e-3).sum();
        prop_assert!((whole - direct).abs() <= 1e-9 * direct.max(1.0));
        prop_assert!((whole - r.summary["motor_energy_j"]).abs() <= 1e-12 * whole.max(1.0));
        if split_s > 0.0 {
            // The second window may hold no tick (split at the end): then it has no value.
            let a = r.checks[1].value.unwrap();
            let b = r.checks[2].value.unwrap_or(0.0);
            prop_assert!((a + b - whole).abs() <= 1e-9 * whole.max(1.0), "{} + {} != {}", a, b, whole);
        }
    }
}

// ---- marginal bands ----

fn band(mut c: CheckSpec, lo: Option<f64>, hi: Option<f64>) -> CheckSpec {
    c.marginal_min = lo;
    c.marginal_max = hi;
    c
}

#[test]
fn a_per_cycle_value_outside_the_marginal_band_passes_flagged_marginal() {
    // Peaks of 190 mmHg, one of 196 at n = 5; limits 170–210.
    let peak = |n: u64| if n == 5 { 196.0 } else { 190.0 };
    let base = limits(check("peak_vacuum", L, "mmHg"), Some(170.0), Some(210.0));
    let checks = [
        CheckSpec {
            name: "wide".into(),
            ..band(base.clone(), Some(180.0), Some(200.0))
        },
        CheckSpec {
            name: "tight".into(),
            ..band(base.clone(), Some(185.0), Some(195.0))
        },
        CheckSpec {
            name: "failing".into(),
            ..band(
                limits(base.clone(), Some(170.0), Some(192.0)),
                Some(175.0),
                Some(191.0),
            )
        },
        CheckSpec {
            name: "no band".into(),
            ..base
        },
    ];
    let r = run(&checks, 1, 10_000, |k, t| {
        t.vacuum_nipple_mmhg[0] = triangle(k, 1000, 200, peak(k / 1000))
    });
    let wide = outcome(&r, "wide");
    assert!(wide.pass && !wide.marginal, "{}", wide.message);
    let tight = outcome(&r, "tight");
    assert!(tight.pass && tight.marginal, "{}", tight.message);
    assert!(
        tight
            .message
            .ends_with("; marginal: 196 mmHg above marginal_max 195 mmHg"),
        "{}",
        tight.message
    );
    let failing = outcome(&r, "failing");
    assert!(
        !failing.pass && !failing.marginal,
        "a failure is never marginal"
    );
    assert!(!outcome(&r, "no band").marginal);
    assert_eq!(r.marginal_count(), 1);
    assert!(r.passed() || !failing.pass);
    assert_eq!(
        (tight.marginal_min, tight.marginal_max),
        (Some(185.0), Some(195.0))
    );
}

#[test]
fn a_scalar_below_the_marginal_band_passes_flagged_marginal() {
    // 10 cycles; at least 5 required, marginal below 12.
    let c = band(
        limits(check("cycle_count", L, "cycles"), Some(5.0), None),
        Some(12.0),
        None,
    );
    let r = run(&[c], 1, 10_000, |k, t| {
        t.vacuum_nipple_mmhg[0] = triangle(k, 1000, 200, 190.0)
    });
    let o = &r.checks[0];
    assert!(o.pass && o.marginal, "{}", o.message);
    assert!(
        o.message
            .ends_with("; marginal: 10 cycles below marginal_min 12 cycles"),
        "{}",
        o.message
    );
}

#[test]
fn a_marginal_band_must_lie_inside_the_limits() {
    let e = first_error(&[band(good(), None, Some(215.0))], 1);
    assert_eq!(e.key(), "checks[0].marginal_max");
    assert!(
        e.to_string().starts_with(
            "checks[0].marginal_max = 215.0: marginal_max must lie within the limits [170.0, 210.0]"
        ),
        "{e}"
    );
    let no_min = CheckSpec {
        min: None,
        ..band(good(), Some(180.0), None)
    };
    let e = first_error(&[no_min], 1);
    assert_eq!(
        e.problem,
        CheckSpecProblem::MarginalWithoutLimit {
            edge: "marginal_min",
            limit: "min"
        }
    );
    let e = first_error(&[band(good(), Some(200.0), Some(190.0))], 1);
    assert_eq!(
        e.problem,
        CheckSpecProblem::MarginalMinAboveMax {
            marginal_max: 190.0
        }
    );
    let e = first_error(&[band(good(), Some(f64::NAN), None)], 1);
    assert_eq!(e.problem, CheckSpecProblem::NotFinite);
    // Edges on the limits are allowed (an empty band on that side).
    validate_checks(&[band(good(), Some(170.0), Some(210.0))], 1).unwrap();
}

#[test]
fn checks_only_scope_judges_every_check_as_the_full_scope_does() {
    // Cycles at both nipples (different amplitudes), a stop and release at 20 s, a max and a
    // time above at the port, means of power and leak: every kind of per-tick check.
    let checks = [
        limits(check("peak_vacuum", L, "mmHg"), Some(170.0), Some(210.0)),
        limits(
            check("cycle_rate", Some(Location::RightNipple), "cycles/min"),
            Some(47.0),
            Some(49.0),
        ),
        limits(check("cycle_count", L, "cycles"), Some(5.0), None),
        limits(
            check("max_vacuum", Some(Location::SensorPort), "mmHg"),
            None,
            Some(180.0),
        ),
        limits(
            check("release_time", Some(Location::RightNipple), "ms"),
            None,
            Some(300.0),
        ),
        limits(check("mean_motor_power", None, "W"), Some(1.0), None),
    ];
    let signal = |k: u64, t: &mut TickView| {
        let on = k < 20_000;
        t.vacuum_nipple_mmhg[0] = if on {
            triangle(k, 1250, 250, 200.0)
        } else {
            0.0
        };
        t.vacuum_nipple_mmhg[1] = if on {
            triangle(k, 1250, 300, 150.0)
        } else {
            0.0
        };
        t.vacuum_sensor_port_mmhg = t.vacuum_nipple_mmhg[0];
        t.target_vacuum_mmhg = 190.0;
        t.running = on;
        t.stop_commanded = k == 20_000;
        t.motor_power_w = if on { 2.0 } else { 0.0 };
    };
    let full = run(&checks, 2, 25_000, signal);
    let mut engine = MetricsEngine::with_scope(&checks, 2, TICK_NS, Scope::ChecksOnly).unwrap();
    for k in 0..25_000 {
        let mut t = TickView {
            time_ns: k * TICK_NS,
            shields: 2,
            ..TickView::default()
        };
        signal(k, &mut t);
        engine.observe(&t);
    }
    let only = engine.finish();
    assert_eq!(only.checks, full.checks);
    assert!(full.checks.iter().any(|c| !c.pass) && full.checks.iter().any(|c| c.pass));
    assert!(only.summary.is_empty());
    assert!(!full.summary.is_empty());
}

#[test]
fn each_location_reads_its_own_vacuum() {
    let tick = TickView {
        vacuum_sensor_port_mmhg: 1.0,
        vacuum_nipple_mmhg: [2.0, 3.0],
        ..TickView::default()
    };
    let read: Vec<f64> = Location::ALL
        .iter()
        .map(|at| tick.vacuums_mmhg()[at.index()])
        .collect();
    assert_eq!(read, [1.0, 2.0, 3.0]);
}

#[test]
fn the_summary_release_skips_only_ticks_that_change_nothing() {
    // The summary's release trackers skip quiet ticks; a release check with a window (so its
    // own tracker, fed every tick) must find the same worst release, over stops in troughs and
    // on peaks, a restart before a release, and a fault that latches and clears.
    let c = limits(
        window(check("release_time", L, "ms"), 0.0, 1e6),
        None,
        Some(500.0),
    );
    let r = run(std::slice::from_ref(&c), 1, 60_000, |k, t| {
        let running = !(10_000..12_000).contains(&k) && !(30_000..30_400).contains(&k);
        let faulted = (45_000..47_000).contains(&k);
        let pumping = running && !faulted;
        let v = if pumping {
            triangle(k, 900, 300, 150.0) + 5.0
        } else {
            // Vents from wherever it was with a 100 ms time constant.
            150.0 * (-((k % 2_000) as f64) / 100.0).exp()
        };
        t.vacuum_nipple_mmhg = [v, v];
        t.running = pumping;
        t.faulted = faulted;
        t.stop_commanded = [9_999, 20_150, 29_999, 52_000].contains(&k);
    });
    let checked = r.checks[0].value.expect("a release time");
    assert_eq!(r.summary["release_time_max_ms_left_nipple"], checked);
    assert!(checked > 100.0, "{}", r.checks[0].message);
}
