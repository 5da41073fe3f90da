//! One run from a loaded scenario to a finished run directory: build the controller the scenario
//! names, stream the loop into `timeseries.csv`, compare it with the scenario's `[baseline]` if it
//! has one, then write `record.json` and the plots, and move the directory into place only when
//! all of it succeeded.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use std::time::Duration;

use crate::baseline::{self, BaselineError, BaselineReport};
use crate::controller::serial::{Mode, SerialOptions, board_settings_mismatch};
use crate::controller::{
    ActuatorFrame, CabiController, Controller, ControllerError, ControllerIdentity, ControllerKind,
    IsolatedCabiController, LinkHealth, ReferenceController, SensorFrame, SerialController,
};
use crate::metrics::MetricsReport;
use crate::output::plots::{self, PlotMeta, TimeSeries};
use crate::output::record::RunRecord;
use crate::output::run_dir::StagedDir;
use crate::output::timeseries::CsvSink;
use crate::runner::{self, RunError};
use crate::scenario::LoadedScenario;

/// Files every run writes.
pub const OUTPUT_FILES: [&str; 11] = [
    "timeseries.csv",
    "record.json",
    "junit.xml",
    "vacuum.png",
    "vacuum.svg",
    "actuators.png",
    "actuators.svg",
    "zoom.png",
    "zoom.svg",
    "milk.png",
    "milk.svg",
];

/// Which files a run writes besides `record.json` and `junit.xml` (always written).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutputOptions {
    /// `timeseries.csv`.
    pub timeseries: bool,
    /// The plots (PNG and SVG); they are drawn from the CSV, so they imply `timeseries`.
    pub plots: bool,
}

impl OutputOptions {
    /// Everything: what `pumprig run` writes.
    pub const ALL: OutputOptions = OutputOptions {
        timeseries: true,
        plots: true,
    };
    /// `record.json` only: a sweep case by default (no samples kept, nothing drawn).
    pub const RECORD_ONLY: OutputOptions = OutputOptions {
        timeseries: false,
        plots: false,
    };

    /// The files a run with these options writes, in [`OUTPUT_FILES`] order.
    pub fn files(self) -> Vec<&'static str> {
        OUTPUT_FILES
            .iter()
            .copied()
            .filter(|f| match *f {
                "record.json" | "junit.xml" => true,
                "timeseries.csv" => self.timeseries || self.plots,
                _ => self.plots,
            })
            .collect()
    }
}

/// A run that went to its end (checks may still have failed).
pub struct Finished {
    pub dir: PathBuf,
    /// The metrics and the checks; a `[baseline]`'s signals are among the checks (metric
    /// `baseline`), so a run outside its baseline band fails like any check.
    pub metrics: MetricsReport,
    /// The comparison with the scenario's `[baseline]`, if it has one.
    pub baseline: Option<BaselineReport>,
}

impl Finished {
    pub fn passed(&self) -> bool {
        self.metrics.checks.iter().all(|c| c.pass)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The output path cannot hold a run (bad input: nothing was run or written).
    #[error("output directory {path}: {source}")]
    OutputPath {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The scenario's controller cannot be built (bad input).
    #[error("{0}")]
    Controller(ControllerError),
    #[error(transparent)]
    Run(#[from] RunError),
    #[error("writing {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("plotting: {0}")]
    Plot(#[from] plots::PlotError),
    /// The baseline could not be read (bad input) or its result written.
    #[error("baseline: {0}")]
    Baseline(#[from] BaselineError),
}

impl SessionError {
    /// Whether the user's input is at fault (exit code 2): the output path, the controller, the
    /// baseline's files.
    pub fn is_bad_input(&self) -> bool {
        match self {
            SessionError::OutputPath { .. } | SessionError::Controller(_) => true,
            SessionError::Baseline(e) => e.is_bad_input(),
            _ => false,
        }
    }
}

/// The controller a scenario names. A `cabi:PATH` kind loads a private copy of the library at
/// PATH (relative to the scenario file's directory), so every call gives an independent instance;
/// with `controller.isolation = "process"` (the default) it runs in a child process of its own
/// (`pumprig __cabi-worker`), so a crash in it fails only this run. A `qemu:PATH` kind starts
/// QEMU on the board image at PATH (relative to the scenario file) and a `serial:DEVICE` kind
/// opens the device; both run the handshake before returning (a board that does not answer is a
/// [`ControllerError::Connect`], a run fault).
pub fn build_controller(loaded: &LoadedScenario) -> Result<Box<dyn Controller>, ControllerError> {
    Ok(match scenario_controller(loaded)? {
        ScenarioController::Reference(c) => Box::new(c),
        ScenarioController::Other(c) => c,
    })
}

/// The controller a scenario names, with the reference firmware held by value: a run loop
/// compiled for this type calls the reference firmware directly (inlined, its result kept in
/// registers) instead of through a vtable, which is most of the runs, sweep cases and course
/// sessions. Every other kind behind its box.
// The reference firmware's state is held inline on purpose: boxing it would bring back the
// indirection this type exists to remove (one value per run, never moved in the loop).
#[allow(clippy::large_enum_variant)]
pub enum ScenarioController {
    Reference(ReferenceController),
    Other(Box<dyn Controller>),
}

impl Controller for ScenarioController {
    fn identity(&self) -> ControllerIdentity {
        match self {
            Self::Reference(c) => c.identity(),
            Self::Other(c) => c.identity(),
        }
    }
    #[inline]
    fn step(&mut self, frame: &SensorFrame) -> Result<ActuatorFrame, ControllerError> {
        match self {
            Self::Reference(c) => c.step(frame),
            Self::Other(c) => c.step(frame),
        }
    }
    fn link_health(&self) -> Option<LinkHealth> {
        match self {
            Self::Reference(c) => c.link_health(),
            Self::Other(c) => c.link_health(),
        }
    }
    fn firmware_telemetry_names(&self) -> Vec<String> {
        match self {
            Self::Reference(c) => c.firmware_telemetry_names(),
            Self::Other(c) => c.firmware_telemetry_names(),
        }
    }
    fn firmware_telemetry(&mut self) -> &[f64] {
        match self {
            Self::Reference(c) => c.firmware_telemetry(),
            Self::Other(c) => c.firmware_telemetry(),
        }
    }
}

/// [`build_controller`] as a [`ScenarioController`].
pub fn scenario_controller(loaded: &LoadedScenario) -> Result<ScenarioController, ControllerError> {
    let spec = &loaded.scenario.controller;
    let base_dir = loaded.path.parent().unwrap_or(Path::new(""));
    let boxed = |c: Box<dyn Controller>| Ok(ScenarioController::Other(c));
    match ControllerKind::parse(&spec.kind, base_dir).map_err(ControllerError::Load)? {
        ControllerKind::Reference => Ok(ScenarioController::Reference(ReferenceController::new(
            &spec.settings,
        )?)),
        ControllerKind::Cabi(path) if spec.isolation == "in-process" => {
            boxed(Box::new(CabiController::load(&path, &spec.settings)?))
        }
        ControllerKind::Cabi(path) => boxed(Box::new(IsolatedCabiController::spawn(
            &path,
            &spec.settings,
        )?)),
        ControllerKind::Qemu(elf) => boxed(Box::new(SerialController::launch_qemu(
            &elf,
            serial_options(loaded)?,
        )?)),
        ControllerKind::Serial(device) => boxed(Box::new(SerialController::open(
            &device,
            serial_options(loaded)?,
        )?)),
    }
}

/// A board's options from the scenario's `[controller]` keys. The scenario loader checks them;
/// checked again here for a kind given on the command line (`--controller qemu:...`).
pub fn serial_options(loaded: &LoadedScenario) -> Result<SerialOptions, ControllerError> {
    let spec = &loaded.scenario.controller;
    let differing = board_settings_mismatch(&spec.settings);
    if !differing.is_empty() {
        return Err(ControllerError::Settings(format!(
            "{}: a board runs the settings it was flashed with, but the scenario sets {} to \
             other values than the firmware defaults; remove them or rebuild the board image",
            loaded.path.display(),
            differing.join(", ")
        )));
    }
    let mode = Mode::parse(&spec.mode).ok_or_else(|| {
        ControllerError::Settings(format!("unknown controller.mode `{}`", spec.mode))
    })?;
    let ms = |v: u32| Duration::from_millis(u64::from(v.max(1)));
    Ok(SerialOptions {
        mode,
        baud: spec.baud,
        tick_hz: loaded.scenario.tick_hz,
        timeout: ms(spec.timeout_ms),
        startup_timeout: ms(spec.startup_timeout_ms),
        resend_after: ms(spec.resend_ms),
    })
}

/// Runs the scenario with the controller it names and writes the run directory `out`.
pub fn run_to_dir(loaded: &LoadedScenario, out: &Path) -> Result<Finished, SessionError> {
    run_to_dir_with(loaded, out, OutputOptions::ALL)
}

/// [`run_to_dir`], writing only the files `outputs` asks for besides `record.json`.
pub fn run_to_dir_with(
    loaded: &LoadedScenario,
    out: &Path,
    outputs: OutputOptions,
) -> Result<Finished, SessionError> {
    let mut controller = scenario_controller(loaded).map_err(|e| match e {
        // A board that does not answer is a run fault, not bad input.
        ControllerError::Connect(_) => SessionError::Run(RunError::Controller(e)),
        e => SessionError::Controller(e),
    })?;
    run_controller_to_dir_with(loaded, &mut controller, out, outputs)
}

/// Runs the scenario with a given controller (a user's own firmware in-process, say) and writes
/// the run directory `out`: the loop into `timeseries.csv`, then `record.json` and the plots,
/// moved into place only when all of it succeeded.
pub fn run_controller_to_dir(
    loaded: &LoadedScenario,
    controller: &mut dyn Controller,
    out: &Path,
) -> Result<Finished, SessionError> {
    run_controller_to_dir_with(loaded, controller, out, OutputOptions::ALL)
}

/// [`run_controller_to_dir`], writing only the files `outputs` asks for besides `record.json`.
pub fn run_controller_to_dir_with<C: Controller + ?Sized>(
    loaded: &LoadedScenario,
    controller: &mut C,
    out: &Path,
    outputs: OutputOptions,
) -> Result<Finished, SessionError> {
    let stage = StagedDir::create(out).map_err(|source| SessionError::OutputPath {
        path: out.to_path_buf(),
        source,
    })?;
    let io_err = |path: PathBuf| move |source| SessionError::Io { path, source };
    let csv_path = stage.path().join("timeseries.csv");
    let identity = controller.identity();
    let firmware_telemetry = controller.firmware_telemetry_names();
    // A baseline is compared with the run's curves: a run with one keeps them.
    let baseline_spec = loaded.scenario.baseline.as_ref();
    let outputs = OutputOptions {
        timeseries: outputs.timeseries || baseline_spec.is_some(),
        ..outputs
    };
    let mut files = outputs.files();
    let controller_label = format!(
        "{} {} ({})",
        identity.name, identity.version, identity.adapter
    );
    let mut outcome = if files.contains(&"timeseries.csv") {
        let file = File::create(&csv_path).map_err(io_err(csv_path.clone()))?;
        let shields = loaded.scenario.plant.kit.shields;
        let mut sink = CsvSink::with_firmware(
            BufWriter::with_capacity(1 << 16, file),
            shields,
            &firmware_telemetry,
        )
        .map_err(io_err(csv_path.clone()))?;
        let outcome = runner::run(loaded, controller, &mut sink)?;
        sink.into_inner().map_err(io_err(csv_path.clone()))?;
        outcome
    } else {
        runner::run(loaded, controller, &mut runner::NoSink)?
    };

    // The plots read every column; a comparison alone only its signals.
    let series = match baseline_spec {
        _ if outputs.plots => Some(TimeSeries::read_csv(&csv_path)?),
        Some(spec) => Some(TimeSeries::read_csv_columns(&csv_path, &spec.columns())?),
        None => None,
    };
    let compared = match (baseline_spec, &series) {
        (Some(spec), Some(series)) => {
            let mut compared = baseline::compare_run(spec, &loaded.path, series)?;
            // Overlays of every signal with the plots; of the failed ones always.
            compared.write_overlays(
                series,
                stage.path(),
                &loaded.scenario.name,
                &format!("{controller_label}, build {}", identity.build_id),
                outputs.plots,
            )?;
            let path = stage.path().join(baseline::RESULT);
            std::fs::write(&path, compared.to_json()).map_err(io_err(path))?;
            outcome.metrics.checks.extend(compared.checks());
            files.push(baseline::RESULT);
            Some(compared)
        }
        _ => None,
    };

    let mut record = RunRecord::new(
        loaded,
        identity.clone(),
        &outcome.metrics,
        outcome.ticks,
        outcome.tick_ns,
        files.clone(),
    );
    record.link_health = outcome.link.clone();
    // The `fw_` columns, when there is a timeseries.csv to hold them.
    if files.contains(&"timeseries.csv") {
        record.firmware_telemetry = firmware_telemetry
            .iter()
            .map(|n| format!("{}{n}", crate::output::timeseries::FIRMWARE_COLUMN_PREFIX))
            .collect();
    }
    record.baseline = compared.as_ref().map(|c| &c.report);
    let json = record.to_json().map_err(|e| SessionError::Io {
        path: "record.json".into(),
        source: e.into(),
    })?;
    let record_path = stage.path().join("record.json");
    std::fs::write(&record_path, json).map_err(io_err(record_path))?;
    let junit_path = stage.path().join("junit.xml");
    let junit = File::create(&junit_path).map_err(io_err(junit_path.clone()))?;
    crate::output::junit::write_run(
        BufWriter::new(junit),
        &loaded.scenario.name,
        &outcome.metrics,
    )
    .map_err(io_err(junit_path))?;
    let baseline = compared.map(|c| c.report);
    let Some(series) = series.filter(|_| outputs.plots) else {
        let dir = stage.commit().map_err(io_err(out.to_path_buf()))?;
        return Ok(Finished {
            dir,
            metrics: outcome.metrics,
            baseline,
        });
    };
    let sc = &loaded.scenario;
    let zoom = sc
        .output
        .zoom_window_s
        .map(|[a, b]| (a, b))
        .unwrap_or_else(|| default_zoom(sc.duration_s));
    let meta = PlotMeta {
        title: sc.name.clone(),
        controller: controller_label,
        zoom_window_s: zoom,
    };
    plots::write_plots(&series, &meta, stage.path())?;
    let dir = stage.commit().map_err(io_err(out.to_path_buf()))?;
    Ok(Finished {
        dir,
        metrics: outcome.metrics,
        baseline,
    })
}

/// A 5 s window two thirds into the run: past start-up, inside the expression phase.
pub fn default_zoom(duration_s: f64) -> (f64, f64) {
    let start = (duration_s * 2.0 / 3.0).max(0.0);
    (start, (start + 5.0).min(duration_s))
}
