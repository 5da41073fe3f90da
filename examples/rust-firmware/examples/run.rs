//! Runs the example firmware in the loop and writes a run directory, as `pumprig run` does for the
//! reference firmware:
//!
//! ```sh
//! cargo run --release -p pumprig-example-firmware --example run                 # scenarios/rust-firmware.toml -> results/rust-firmware/
//! cargo run --release -p pumprig-example-firmware --example run -- SCENARIO [OUT_DIR]
//! ```
//!
//! Prints every check; exit code 0 all passed, 1 a check failed or the run failed, 2 bad input.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use pumprig::controller::InProcess;
use pumprig::{scenario, session};
use pumprig_example_firmware::{Config, ExampleFirmware};

#[path = "support/on_rig.rs"]
mod on_rig;
use on_rig::OnRig;

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut args = std::env::args_os().skip(1);
    let scenario_path = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("scenarios/rust-firmware.toml"));
    let loaded = match scenario::load(&scenario_path) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let out = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("results").join(&loaded.scenario.name));

    // The scenario's [controller.settings] configure the firmware (expression profile, gains, limit).
    let config = Config::from_settings(&loaded.scenario.controller.settings);
    let firmware = match ExampleFirmware::new(config) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: firmware refused its configuration: {e}");
            return ExitCode::from(2);
        }
    };
    let mut controller = InProcess::new(OnRig(firmware));

    match session::run_controller_to_dir(&loaded, &mut controller, &out) {
        Ok(done) => {
            let metrics = done.metrics;
            for c in &metrics.checks {
                println!("{} {}", if c.pass { "PASS" } else { "FAIL" }, c.message);
            }
            let failed = metrics.checks.iter().filter(|c| !c.pass).count();
            println!(
                "{}: {} check(s), {failed} failed; wrote {}",
                loaded.scenario.name,
                metrics.checks.len(),
                out.display()
            );
            if failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
