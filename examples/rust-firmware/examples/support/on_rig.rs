//! The glue between the example firmware and the rig: the rig's `Firmware` trait on a newtype
//! (the firmware crate does not depend on pumprig, and Rust's orphan rule wants a local type
//! here). Shared by the runner (`examples/run.rs`) and the rig's test of it
//! (`rig/tests/own_firmware.rs`), so the test runs exactly the runner's glue.

use pumprig::controller::Firmware;
use pumprig_example_firmware::ExampleFirmware;

/// The example firmware as the rig runs it.
pub struct OnRig(pub ExampleFirmware);

impl Firmware for OnRig {
    const NAME: &'static str = pumprig_example_firmware::NAME;
    const VERSION: &'static str = pumprig_example_firmware::VERSION;
    const TELEMETRY: &'static [&'static str] = &[
        "predicted_vacuum_mmhg",
        "integral_duty_permille",
        "cycle_position_pct",
    ];
    fn step(&mut self, inputs: &pumprig_firmware::Inputs) -> pumprig_firmware::Outputs {
        self.0.step(inputs)
    }
    // What a board would print on its debug UART, in the units the names give.
    fn telemetry(&self, values: &mut [f64]) {
        let fw = &self.0;
        values[0] = fw.predicted_vacuum_dmmhg() as f64 / 10.0;
        values[1] = fw.integral_duty_permille() as f64;
        values[2] = fw.cycle_position_pct() as f64;
    }
}
