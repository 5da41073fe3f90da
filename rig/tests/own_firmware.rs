//! A user's own `no_std` Rust firmware (examples/rust-firmware) runs through the generic
//! in-process adapter and passes the checks of `scenarios/rust-firmware.toml`, used as a library
//! exactly as its runner (`examples/rust-firmware/examples/run.rs`) does.

use std::path::Path;

use pumprig::controller::{Controller, ControllerState, Firmware, InProcess, SensorFrame};
use pumprig::output::timeseries::CsvSink;
use pumprig::runner;
use pumprig::scenario;
use pumprig_example_firmware::{Config, ExampleFirmware};

/// The same glue as the runner's: a local newtype carrying the rig's trait.
struct OnRig(ExampleFirmware);

impl Firmware for OnRig {
    const NAME: &'static str = pumprig_example_firmware::NAME;
    const VERSION: &'static str = pumprig_example_firmware::VERSION;
    fn step(&mut self, inputs: &pumprig_firmware::Inputs) -> pumprig_firmware::Outputs {
        self.0.step(inputs)
    }
}

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
