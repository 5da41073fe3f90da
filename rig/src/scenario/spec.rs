//! The scenario file's schema: one serde type per table, every optional key with its documented
//! default. The same types, serialized, are the resolved scenario in `record.json`.
//! docs/scenarios.md is the user-facing reference for every key here.

use pumprig_firmware::Settings;
use pumprig_sim::PlantParams;
use serde::{Deserialize, Serialize};

use crate::metrics::CheckSpec;

/// Default plant noise seed.
pub const DEFAULT_SEED: u64 = 1;
/// Default control tick rate, Hz.
pub const DEFAULT_TICK_HZ: u32 = 1000;
/// Default rate of `timeseries.csv` rows, Hz.
pub const DEFAULT_SAMPLE_RATE_HZ: f64 = 100.0;
/// Default button hold time, ms.
pub const DEFAULT_HOLD_MS: u32 = 100;
/// Longest scenario, s (7 days).
pub const MAX_DURATION_S: f64 = 7.0 * 24.0 * 3600.0;
/// Controller kinds this build accepts in `controller.kind`: the reference firmware in-process;
/// `cabi:PATH`, C firmware built as a shared library (PATH relative to the scenario file);
/// `qemu:PATH`, the board image run in QEMU; `serial:DEVICE`, a bench board on a serial port.
pub const CONTROLLER_KINDS: [&str; 4] = ["reference", "cabi:PATH", "qemu:PATH", "serial:DEVICE"];
/// Values of `controller.isolation`: where a `cabi:` controller's firmware runs.
pub const ISOLATIONS: [&str; 2] = ["process", "in-process"];

/// A whole scenario, as written in the file and (resolved) in `record.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// `[a-z0-9_-]+`; the default output directory is `results/<name>/`.
    pub name: String,
    /// Free text for reports. Default empty.
    #[serde(default)]
    pub description: String,
    /// Simulated time, s: more than 0, at most 7 days.
    pub duration_s: f64,
    /// Seed of the plant's noise. Default 1; `pumprig run --seed N` overrides it.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Control tick rate, Hz. Default 1000; equals `controller.settings.tick_hz`.
    #[serde(default = "default_tick_hz")]
    pub tick_hz: u32,
    #[serde(default)]
    pub output: OutputSpec,
    /// The plant: pump, kit, shields, breasts, sensor. Every key defaults.
    #[serde(default)]
    pub plant: PlantParams,
    #[serde(default)]
    pub controller: ControllerSpec,
    /// The timeline, in file order (the resolved, time-sorted one is `LoadedScenario::timeline`).
    #[serde(default)]
    pub events: Vec<EventSpec>,
    #[serde(default)]
    pub checks: Vec<CheckSpec>,
    /// `[sweep]`: the parameter grid of `pumprig sweep`, as written (the sweep module reads and
    /// checks it from the source, in file order). A run of one case has no sweep, so it is never
    /// part of the resolved scenario in `record.json`.
    #[serde(default, skip_serializing)]
    pub sweep: Option<toml::Table>,
    /// A schedule of sessions over days (a course): the session above repeats on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub course: Option<crate::course::CourseSpec>,
    /// `[baseline]`: a saved run (`pumprig baseline save`) this run's signals are compared with,
    /// and each signal's tolerances.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<crate::baseline::BaselineSpec>,
}

/// `[output]`: what the run writes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputSpec {
    /// Rows per second in `timeseries.csv`, Hz; divides `tick_hz` exactly. Default 100.
    #[serde(default = "default_sample_rate_hz")]
    pub sample_rate_hz: f64,
    /// `[start_s, end_s]` of the zoom plot. Default: 5 s starting two thirds into the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zoom_window_s: Option<[f64; 2]>,
}

impl Default for OutputSpec {
    fn default() -> Self {
        Self {
            sample_rate_hz: DEFAULT_SAMPLE_RATE_HZ,
            zoom_window_s: None,
        }
    }
}

/// `[controller]`: what runs in the loop.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControllerSpec {
    /// `"reference"` or `"cabi:PATH"` ([`CONTROLLER_KINDS`]). Default `"reference"`.
    #[serde(default = "default_kind")]
    pub kind: String,
    /// Where a `cabi:` firmware runs ([`ISOLATIONS`]): `"process"` (default), a child process, so
    /// a crash fails only the run; `"in-process"`, in the rig's own process.
    #[serde(default = "default_isolation")]
    pub isolation: String,
    /// `qemu:`/`serial:` only: `"lockstep"` (default, deterministic) or `"real-time"` (the rig
    /// paces the plant at 1× wall clock).
    #[serde(default = "default_mode")]
    pub mode: String,
    /// `serial:` only: the port's baud rate. Default 921600.
    #[serde(default = "default_baud")]
    pub baud: u32,
    /// `qemu:`/`serial:` only: watchdog, ms of wall-clock time a board may stay silent before
    /// the run fails. Default 2000.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u32,
    /// `qemu:`/`serial:` only: longest wait for the board's Hello and Ready, ms. Default 10000.
    #[serde(default = "default_startup_timeout_ms")]
    pub startup_timeout_ms: u32,
    /// `qemu:`/`serial:` lockstep only: resend a Sensor not answered within this time, ms.
    /// Default 100.
    #[serde(default = "default_resend_ms")]
    pub resend_ms: u32,
    /// The reference firmware's settings. Every key defaults.
    #[serde(default)]
    pub settings: Settings,
}

impl Default for ControllerSpec {
    fn default() -> Self {
        Self {
            kind: default_kind(),
            isolation: default_isolation(),
            mode: default_mode(),
            baud: default_baud(),
            timeout_ms: default_timeout_ms(),
            startup_timeout_ms: default_startup_timeout_ms(),
            resend_ms: default_resend_ms(),
            settings: Settings::default(),
        }
    }
}

/// One `[[events]]` entry: a time and exactly one action.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventSpec {
    /// When, s from the start of the run: in `[0, duration_s)`.
    pub at_s: f64,
    /// Press a button.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub press: Option<ButtonName>,
    /// How long the press holds the button down, ms. Only with `press`; default 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_ms: Option<u32>,
    /// A leak opens at a shield.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leak_onset: Option<LeakOnsetSpec>,
    /// The pressure transducer fails (or recovers: `"cleared"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensor_fault: Option<SensorFaultName>,
}

impl EventSpec {
    /// The action keys present, in schema order.
    pub fn action_keys(&self) -> Vec<&'static str> {
        let mut keys = Vec::new();
        if self.press.is_some() {
            keys.push("press");
        }
        if self.leak_onset.is_some() {
            keys.push("leak_onset");
        }
        if self.sensor_fault.is_some() {
            keys.push("sensor_fault");
        }
        keys
    }
}

/// A pump button.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ButtonName {
    Power,
    LevelUp,
    LevelDown,
    Letdown,
}

/// `leak_onset = { side = "left", area_mm2 = 0.3 }`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeakOnsetSpec {
    pub side: SideName,
    /// Leak orifice area, mm² (discharge coefficient 0.6): more than 0.
    pub area_mm2: f64,
}

/// A shield.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SideName {
    Left,
    Right,
}

/// A transducer fault, or `cleared` to end one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SensorFaultName {
    /// Output frozen at its last value.
    Stuck,
    /// Signal wire open: 0 counts.
    Disconnected,
    /// Output shorted high: full-scale counts.
    ShortedHigh,
    /// The fault ends; the sensor reads normally again.
    Cleared,
}

fn default_seed() -> u64 {
    DEFAULT_SEED
}

fn default_tick_hz() -> u32 {
    DEFAULT_TICK_HZ
}

fn default_sample_rate_hz() -> f64 {
    DEFAULT_SAMPLE_RATE_HZ
}

fn default_kind() -> String {
    CONTROLLER_KINDS[0].to_owned()
}

fn default_isolation() -> String {
    ISOLATIONS[0].to_owned()
}

fn default_mode() -> String {
    crate::controller::serial::Mode::Lockstep.name().to_owned()
}

fn default_baud() -> u32 {
    crate::controller::serial::DEFAULT_BAUD
}

fn default_timeout_ms() -> u32 {
    crate::controller::serial::DEFAULT_TIMEOUT_MS
}

fn default_startup_timeout_ms() -> u32 {
    crate::controller::serial::DEFAULT_STARTUP_TIMEOUT_MS
}

fn default_resend_ms() -> u32 {
    crate::controller::serial::DEFAULT_RESEND_MS
}
