//! A user's own `no_std` Rust firmware (examples/rust-firmware) runs through the generic
//! in-process adapter and passes the checks of `scenarios/rust-firmware.toml`, used as a library
//! exactly as its runner (`examples/rust-firmware/examples/run.rs`) does.

use std::path::Path;

use pumprig::controller::{
    Controller, ControllerError, ControllerState, Firmware, InProcess, SensorFrame,
};
use pumprig::output::timeseries::CsvSink;
use pumprig::runner;
use pumprig::scenario;
use pumprig_example_firmware::{Config, ExampleFirmware};

#[path = "support/csv.rs"]
mod csv;
use csv::column;

/// The runner's own glue (the trait on a newtype), not a copy of it.
#[path = "../../examples/rust-firmware/examples/support/on_rig.rs"]
mod on_rig;
use on_rig::OnRig;

fn scenario_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/rust-firmware.toml")
}

#[test]
fn example_rust_firmware_passes_its_scenario() {
    let loaded = scenario::load(&scenario_path()).unwrap();
    let config = Config::from_settings(&loaded.scenario.controller.settings);
    assert_eq!(config.cycles_per_min, 54);
    assert_eq!(config.vacuum_mmhg, 190);
    let mut ctl = InProcess::new(OnRig(ExampleFirmware::new(config).unwrap()));

    let identity = ctl.identity();
    assert_eq!(identity.adapter, "in-process");
    assert_eq!(identity.name, "pumprig-example-firmware");
    assert!(
        identity
            .build_id
            .starts_with(pumprig_example_firmware::VERSION)
    );

    let mut csv = CsvSink::new(Vec::new(), loaded.scenario.plant.kit.shields).unwrap();
    let out = runner::run(&loaded, &mut ctl, &mut csv).unwrap();
    let failed: Vec<_> = out
        .metrics
        .checks
        .iter()
        .filter(|c| !c.pass)
        .map(|c| c.message.clone())
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    assert_eq!(out.metrics.checks.len(), 6);

    let text = String::from_utf8(csv.into_inner().unwrap()).unwrap();
    // Header plus 100 Hz rows over 60 s; the firmware reached expression (state code 2).
    assert!(text.lines().count() > 6000);
    assert!(text.lines().skip(1).any(|l| l.contains(",2,")));
}

#[test]
fn in_process_maps_the_firmware_outputs() {
    let mut ctl = InProcess::new(OnRig(ExampleFirmware::new(Config::default()).unwrap()));
    let zero = Config::default().zero_counts;
    let frame = |buttons| SensorFrame {
        time_ns: 0,
        pressure_counts: zero,
        buttons,
        supply_mv: 12_000,
    };
    let idle = ctl.step(&frame(0)).unwrap();
    assert_eq!(idle.telemetry.state, ControllerState::Idle);
    assert!(idle.valve_open);
    assert_eq!(idle.motor_duty, 0.0);
    for _ in 0..30 {
        ctl.step(&frame(pumprig::controller::buttons::POWER))
            .unwrap();
    }
    let running = ctl.step(&frame(0)).unwrap();
    assert_eq!(running.telemetry.state, ControllerState::Expression);
    assert!(!running.valve_open);
    assert!(running.motor_duty > 0.0 && running.motor_duty <= 1.0);
    assert_eq!(ctl.firmware().0.config(), &Config::default());
}

/// The firmware's own telemetry (`Firmware::TELEMETRY`) becomes `fw_` columns whose values are
/// its state on the very tick of their row, as for C firmware.
#[test]
fn rust_firmware_telemetry_is_recorded_as_fw_columns_of_the_same_tick() {
    let loaded = scenario::load(&scenario_path()).unwrap();
    let config = Config::from_settings(&loaded.scenario.controller.settings);
    let mut ctl = InProcess::new(OnRig(ExampleFirmware::new(config).unwrap()));
    let names = ctl.firmware_telemetry_names();
    assert_eq!(names, OnRig::TELEMETRY);
    let mut csv =
        CsvSink::with_firmware(Vec::new(), loaded.scenario.plant.kit.shields, &names).unwrap();
    runner::run(&loaded, &mut ctl, &mut csv).unwrap();
    let csv = String::from_utf8(csv.into_inner().unwrap()).unwrap();
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with(",fw_predicted_vacuum_mmhg,fw_integral_duty_permille,fw_cycle_position_pct")
    );
    let state = column(&csv, "controller_state");
    let valve = column(&csv, "valve_open");
    let position = column(&csv, "fw_cycle_position_pct");
    let integral = column(&csv, "fw_integral_duty_permille");
    let predicted = column(&csv, "fw_predicted_vacuum_mmhg");
    let (mut pulls, mut releases) = (0, 0);
    let reading = column(&csv, "sensor_reading_mmhg");
    for k in 0..state.len() {
        if state[k] != 2.0 {
            // Stopped: no cycle, and the loop acts on nothing but the reading.
            assert_eq!(position[k], 0.0, "row {k}");
            assert_eq!(predicted[k], reading[k], "row {k}");
            continue;
        }
        assert!((0.0..100.0).contains(&position[k]), "row {k}");
        let pulling = position[k] < f64::from(config.pull_percent);
        assert_eq!(
            valve[k] == 0.0,
            pulling,
            "row {k}: position {}",
            position[k]
        );
        if pulling {
            pulls += 1;
        } else {
            releases += 1;
        }
        let max = f64::from(config.max_duty_permille);
        assert!(
            (0.0..=max).contains(&integral[k]),
            "row {k}: {}",
            integral[k]
        );
    }
    assert!(pulls > 1000 && releases > 1000, "{pulls} / {releases}");
    // The loop's predicted reading reaches the level it holds.
    let top = predicted.iter().copied().fold(f64::MIN, f64::max);
    assert!((185.0..=200.0).contains(&top), "{top}");
}

/// A firmware whose telemetry names break the rules is refused with the name and the reason.
#[test]
fn bad_rust_telemetry_names_are_refused_with_the_name() {
    struct Named<const K: usize>;
    impl Firmware for Named<0> {
        const NAME: &'static str = "bad";
        const VERSION: &'static str = "0";
        const TELEMETRY: &'static [&'static str] = &["ok_mmhg", "Pressure-kPa"];
        fn step(&mut self, _: &pumprig_firmware::Inputs) -> pumprig_firmware::Outputs {
            pumprig_firmware::Outputs::default()
        }
    }
    impl Firmware for Named<1> {
        const NAME: &'static str = "bad";
        const VERSION: &'static str = "0";
        const TELEMETRY: &'static [&'static str] = &["a_mmhg", "b_mmhg", "a_mmhg"];
        fn step(&mut self, _: &pumprig_firmware::Inputs) -> pumprig_firmware::Outputs {
            pumprig_firmware::Outputs::default()
        }
    }
    impl Firmware for Named<2> {
        const NAME: &'static str = "bad";
        const VERSION: &'static str = "0";
        const TELEMETRY: &'static [&'static str] = &[
            "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q",
        ];
        fn step(&mut self, _: &pumprig_firmware::Inputs) -> pumprig_firmware::Outputs {
            pumprig_firmware::Outputs::default()
        }
    }
    let message = |e: Result<_, ControllerError>| match e {
        Err(e) => e.to_string(),
        Ok(_) => panic!("accepted"),
    };
    let e = message(InProcess::try_new(Named::<0>).map(|_| ()));
    assert!(
        e.contains("TELEMETRY[1]") && e.contains("Pressure-kPa") && e.contains("lower-case"),
        "{e}"
    );
    let e = message(InProcess::try_new(Named::<1>).map(|_| ()));
    assert!(
        e.contains("TELEMETRY[2]") && e.contains("TELEMETRY[0]") && e.contains("unique"),
        "{e}"
    );
    let e = message(InProcess::try_new(Named::<2>).map(|_| ()));
    assert!(e.contains("17 names") && e.contains("at most 16"), "{e}");
    let panicked =
        std::panic::catch_unwind(|| InProcess::new(Named::<0>).firmware_telemetry_names())
            .unwrap_err();
    let text = panicked.downcast_ref::<String>().unwrap();
    assert!(text.contains("Pressure-kPa"), "{text}");
}
