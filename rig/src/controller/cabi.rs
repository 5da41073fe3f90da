//! C ABI adapter: C firmware compiled for the host as a shared library that implements
//! `rig/include/pumprig_fw.h`, loaded with libloading and called once per control tick.
//!
//! C firmware keeps its state in statics, and the dynamic loader maps a library file only once per
//! process. So every [`CabiController`] copies the library to a private temporary file and loads
//! that copy: two instances (two runs of a sweep, two test threads) never share statics. The copy
//! is deleted when the controller is dropped.
//!
//! The firmware runs in the caller's process: a crash in it (segfault, abort) takes that process
//! down. The rig therefore runs it in a child process by default ([`super::IsolatedCabiController`],
//! whose worker uses this adapter); `controller.isolation = "in-process"` uses it directly.

use std::ffi::{CStr, c_char};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use libloading::Library;
use pumprig_firmware as fw;

use super::{
    ActuatorFrame, Controller, ControllerError, ControllerIdentity, ControllerState, SensorFrame,
    Telemetry,
};

/// `PUMPRIG_FW_ABI_VERSION` of the header this rig speaks.
pub const ABI_VERSION: u32 = 1;
/// `PUMPRIG_FW_TELEMETRY_MAX`: most named telemetry values a firmware may report.
pub const TELEMETRY_MAX: usize = 16;
/// `PUMPRIG_FW_TELEMETRY_NAME_MAX`: longest telemetry name, bytes.
pub const TELEMETRY_NAME_MAX: usize = 40;
/// The optional telemetry functions, all or none.
const TELEMETRY_SYMBOLS: [&str; 3] = [
    "pumprig_fw_telemetry_count",
    "pumprig_fw_telemetry_name",
    "pumprig_fw_telemetry",
];

/// `struct pumprig_fw_sensor`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct FwSensor {
    pub time_ns: u64,
    pub pressure_counts: u16,
    pub buttons: u8,
    pub supply_mv: u16,
}

/// `struct pumprig_fw_actuator`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct FwActuator {
    pub motor_duty_permille: u16,
    pub valve_open: u8,
    pub state: u8,
    pub fault: u8,
    pub target_vacuum_dmmhg: u16,
    pub measured_vacuum_dmmhg: i16,
}

/// `struct pumprig_fw_phase`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct FwPhase {
    pub cycles_per_min: u16,
    pub vacuum_mmhg: u16,
    pub pull_percent: u8,
    pub rise_percent: u8,
}

/// `struct pumprig_fw_settings`, filled from the scenario's `[controller.settings]`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct FwSettings {
    pub tick_hz: u32,
    pub zero_counts: u16,
    pub counts_per_mmhg_milli: u32,
    pub stimulation: FwPhase,
    pub expression: FwPhase,
    pub stimulation_max_s: u16,
    pub kp_permille_per_mmhg: u16,
    pub ki_permille_per_mmhg_s: u16,
    pub lead_ms: u16,
    pub max_duty_permille: u16,
    pub max_vacuum_mmhg: u16,
    pub over_vacuum_ms: u16,
}

impl FwSettings {
    /// The subset of the reference firmware's settings the C ABI carries.
    pub fn from_settings(s: &fw::Settings) -> Self {
        let phase = |p: &fw::PhaseProfile| FwPhase {
            cycles_per_min: p.cycles_per_min,
            vacuum_mmhg: p.vacuum_mmhg,
            pull_percent: p.pull_percent,
            rise_percent: p.rise_percent,
        };
        FwSettings {
            tick_hz: u32::from(s.tick_hz),
            zero_counts: s.sensor.zero_counts,
            counts_per_mmhg_milli: s.sensor.counts_per_mmhg_milli,
            stimulation: phase(&s.stimulation),
            expression: phase(&s.expression),
            stimulation_max_s: s.program.stimulation_max_s,
            kp_permille_per_mmhg: s.control.kp_permille_per_mmhg,
            ki_permille_per_mmhg_s: s.control.ki_permille_per_mmhg_s,
            lead_ms: s.control.lead_ms,
            max_duty_permille: s.control.max_duty_permille,
            max_vacuum_mmhg: s.supervisor.max_vacuum_mmhg,
            over_vacuum_ms: s.supervisor.over_vacuum_ms,
        }
    }
}

/// Why a library could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CabiError {
    #[error("C firmware {path}: cannot read the shared library: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("C firmware {path}: cannot copy the library to {copy}: {source}")]
    Copy {
        path: PathBuf,
        copy: PathBuf,
        source: std::io::Error,
    },
    #[error("C firmware {path}: cannot load the library: {source}")]
    Load {
        path: PathBuf,
        source: libloading::Error,
    },
    #[error(
        "C firmware {path}: missing symbol `{symbol}` (every function of pumprig_fw.h must be exported)"
    )]
    MissingSymbol { path: PathBuf, symbol: &'static str },
    #[error(
        "C firmware {path}: ABI version mismatch: the rig expects PUMPRIG_FW_ABI_VERSION {expected}, \
         the library was built for {found}; rebuild it against this rig's rig/include/pumprig_fw.h"
    )]
    AbiVersion {
        path: PathBuf,
        expected: u32,
        found: u32,
    },
    #[error(
        "C firmware {path}: struct size mismatch: sizeof(struct {name}) is {expected} bytes in the rig, \
         {found} in the library; rebuild it against this rig's rig/include/pumprig_fw.h"
    )]
    StructSize {
        path: PathBuf,
        name: &'static str,
        expected: usize,
        found: u32,
    },
    #[error("C firmware {path}: pumprig_fw_init rejected the settings (returned {code})")]
    Init { path: PathBuf, code: i32 },
    #[error(
        "C firmware {path}: exports `{present}` but not `{missing}`: the telemetry functions of \
         pumprig_fw.h are optional, but all three or none"
    )]
    PartialTelemetry {
        path: PathBuf,
        present: &'static str,
        missing: &'static str,
    },
    #[error("C firmware {path}: telemetry: {message}")]
    Telemetry { path: PathBuf, message: String },
}

impl From<CabiError> for ControllerError {
    fn from(e: CabiError) -> Self {
        ControllerError::Load(e.to_string())
    }
}

type StepFn = unsafe extern "C" fn(*const FwSensor, *mut FwActuator);
type TelemetryFn = unsafe extern "C" fn(*mut f64);

/// C firmware loaded from a private copy of its shared library.
pub struct CabiController {
    /// The loaded copy; `None` only while dropping.
    library: Option<Library>,
    /// The private copy, deleted on drop.
    copy: PathBuf,
    step_fn: StepFn,
    identity: ControllerIdentity,
    /// The firmware's named telemetry values (`fw_` not included), empty when it reports none.
    telemetry_names: Vec<String>,
    telemetry_fn: Option<TelemetryFn>,
    /// Values read by the last [`Controller::firmware_telemetry`].
    telemetry: Vec<f64>,
}

static NEXT_COPY: AtomicU64 = AtomicU64::new(0);

impl CabiController {
    /// Loads `path` (a private copy of it), checks the ABI, and calls `pumprig_fw_init`.
    pub fn load(path: &Path, settings: &fw::Settings) -> Result<Self, CabiError> {
        Self::load_fw(path, &FwSettings::from_settings(settings))
    }

    /// As [`Self::load`], with the settings already in their C form.
    pub fn load_fw(path: &Path, fw_settings: &FwSettings) -> Result<Self, CabiError> {
        let bytes = std::fs::read(path).map_err(|source| CabiError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "firmware.so".into());
        let copy = std::env::temp_dir().join(format!(
            "pumprig-cabi-{}-{}-{file_name}",
            std::process::id(),
            NEXT_COPY.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&copy, &bytes).map_err(|source| CabiError::Copy {
            path: path.to_path_buf(),
            copy: copy.clone(),
            source,
        })?;
        // From here on `Self` (or this guard) owns the copy and deletes it.
        let mut loaded = Self {
            library: None,
            copy,
            step_fn: noop_step,
            identity: ControllerIdentity {
                adapter: "cabi".into(),
                name: String::new(),
                version: String::new(),
                build_id: String::new(),
            },
            telemetry_names: Vec::new(),
            telemetry_fn: None,
            telemetry: Vec::new(),
        };
        // SAFETY: loading runs the library's initialisers; that is the contract of `cabi:PATH`
        // (the user names firmware they trust to run in the rig's process).
        let library = unsafe { Library::new(&loaded.copy) }.map_err(|source| CabiError::Load {
            path: path.to_path_buf(),
            source,
        })?;
        let lib = loaded.library.insert(library);
        let missing = |symbol: &'static str| CabiError::MissingSymbol {
            path: path.to_path_buf(),
            symbol,
        };
        // SAFETY (all `get`s): the signatures are those declared in pumprig_fw.h; the pointers are
        // used only while `library` is loaded (it is dropped last, in `Drop`).
        let abi_version: unsafe extern "C" fn() -> u32 =
            *unsafe { lib.get(b"pumprig_fw_abi_version\0") }
                .map_err(|_| missing("pumprig_fw_abi_version"))?;
        let sizeof_sensor: unsafe extern "C" fn() -> u32 =
            *unsafe { lib.get(b"pumprig_fw_sizeof_sensor\0") }
                .map_err(|_| missing("pumprig_fw_sizeof_sensor"))?;
        let sizeof_actuator: unsafe extern "C" fn() -> u32 =
            *unsafe { lib.get(b"pumprig_fw_sizeof_actuator\0") }
                .map_err(|_| missing("pumprig_fw_sizeof_actuator"))?;
        let init: unsafe extern "C" fn(*const FwSettings) -> i32 =
            *unsafe { lib.get(b"pumprig_fw_init\0") }.map_err(|_| missing("pumprig_fw_init"))?;
        let step_fn: StepFn =
            *unsafe { lib.get(b"pumprig_fw_step\0") }.map_err(|_| missing("pumprig_fw_step"))?;
        let name_fn: unsafe extern "C" fn() -> *const c_char =
            *unsafe { lib.get(b"pumprig_fw_name\0") }.map_err(|_| missing("pumprig_fw_name"))?;
        let build_id_fn: unsafe extern "C" fn() -> *const c_char =
            *unsafe { lib.get(b"pumprig_fw_build_id\0") }
                .map_err(|_| missing("pumprig_fw_build_id"))?;

        // SAFETY: argument-less functions of the ABI.
        let found = unsafe { abi_version() };
        if found != ABI_VERSION {
            return Err(CabiError::AbiVersion {
                path: path.to_path_buf(),
                expected: ABI_VERSION,
                found,
            });
        }
        let sizes = [
            ("pumprig_fw_sensor", size_of::<FwSensor>(), unsafe {
                sizeof_sensor()
            }),
            ("pumprig_fw_actuator", size_of::<FwActuator>(), unsafe {
                sizeof_actuator()
            }),
        ];
        for (name, expected, found) in sizes {
            if usize::try_from(found).ok() != Some(expected) {
                return Err(CabiError::StructSize {
                    path: path.to_path_buf(),
                    name,
                    expected,
                    found,
                });
            }
        }
        // SAFETY: the functions return static NUL-terminated strings (or NULL, read as "").
        let (name, build_id) = unsafe { (c_string(name_fn()), c_string(build_id_fn())) };
        // SAFETY: a valid pointer to a settings struct of the checked ABI version.
        let code = unsafe { init(fw_settings) };
        if code != 0 {
            return Err(CabiError::Init {
                path: path.to_path_buf(),
                code,
            });
        }
        let (names, telemetry_fn) = load_telemetry(lib, path)?;
        // Room for the most values the ABI allows whatever the declared count, so a firmware that
        // writes more than it declared cannot write past the buffer; a count of 0 is never called.
        loaded.telemetry = vec![0.0; TELEMETRY_MAX];
        loaded.telemetry_fn = telemetry_fn.filter(|_| !names.is_empty());
        loaded.telemetry_names = names;
        loaded.step_fn = step_fn;
        loaded.identity = ControllerIdentity {
            adapter: "cabi".into(),
            name,
            version: format!("C ABI {ABI_VERSION}"),
            build_id: format!(
                "{build_id} ({}, {})",
                path.display(),
                crate::output::record::content_hash(&bytes)
            ),
        };
        Ok(loaded)
    }

    /// One raw step of the firmware: the C structs in and out, no checks.
    pub fn step_raw(&mut self, sensor: &FwSensor) -> FwActuator {
        let mut out = FwActuator::default();
        // SAFETY: valid pointers to structs whose sizes were checked at load; the library is loaded.
        unsafe { (self.step_fn)(sensor, &mut out) };
        out
    }
}

/// The optional telemetry functions: the value names (validated) and the function reading them;
/// none when the library exports none of the three.
fn load_telemetry(
    lib: &Library,
    path: &Path,
) -> Result<(Vec<String>, Option<TelemetryFn>), CabiError> {
    // SAFETY (all `get`s): signatures as declared in pumprig_fw.h; used only while loaded.
    let count_fn: Option<unsafe extern "C" fn() -> u32> =
        unsafe { lib.get(b"pumprig_fw_telemetry_count\0") }
            .ok()
            .map(|s| *s);
    let name_fn: Option<unsafe extern "C" fn(u32) -> *const c_char> =
        unsafe { lib.get(b"pumprig_fw_telemetry_name\0") }
            .ok()
            .map(|s| *s);
    let values_fn: Option<TelemetryFn> = unsafe { lib.get(b"pumprig_fw_telemetry\0") }
        .ok()
        .map(|s| *s);
    let present = [count_fn.is_some(), name_fn.is_some(), values_fn.is_some()];
    let (Some(count_fn), Some(name_fn), Some(values_fn)) = (count_fn, name_fn, values_fn) else {
        if let Some(i) = present.iter().position(|&p| p) {
            let j = present.iter().position(|&p| !p).expect("not all present");
            return Err(CabiError::PartialTelemetry {
                path: path.to_path_buf(),
                present: TELEMETRY_SYMBOLS[i],
                missing: TELEMETRY_SYMBOLS[j],
            });
        }
        return Ok((Vec::new(), None));
    };
    let bad = |message: String| CabiError::Telemetry {
        path: path.to_path_buf(),
        message,
    };
    // SAFETY: argument-less function of the ABI.
    let count = unsafe { count_fn() };
    if count as usize > TELEMETRY_MAX {
        return Err(bad(format!(
            "pumprig_fw_telemetry_count() is {count}; at most PUMPRIG_FW_TELEMETRY_MAX = \
             {TELEMETRY_MAX} values"
        )));
    }
    let mut names: Vec<String> = Vec::with_capacity(count as usize);
    for index in 0..count {
        // SAFETY: index < count, as the ABI requires; a static string or NULL.
        let p = unsafe { name_fn(index) };
        if p.is_null() {
            return Err(bad(format!("pumprig_fw_telemetry_name({index}) is NULL")));
        }
        // SAFETY: a NUL-terminated string per the ABI.
        let raw = unsafe { CStr::from_ptr(p) }.to_bytes();
        let name = String::from_utf8_lossy(raw).into_owned();
        check_telemetry_name(&name).map_err(|why| {
            bad(format!(
                "pumprig_fw_telemetry_name({index}) is \"{}\": {why}",
                name.escape_default()
            ))
        })?;
        if let Some(first) = names.iter().position(|n| *n == name) {
            return Err(bad(format!(
                "pumprig_fw_telemetry_name({index}) is \"{name}\", as is \
                 pumprig_fw_telemetry_name({first}): names must be unique"
            )));
        }
        names.push(name);
    }
    Ok((names, Some(values_fn)))
}

/// Why a telemetry name is not usable as (the end of) a column name.
pub fn check_telemetry_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("empty".into());
    }
    if name.len() > TELEMETRY_NAME_MAX {
        return Err(format!(
            "{} bytes, longer than PUMPRIG_FW_TELEMETRY_NAME_MAX = {TELEMETRY_NAME_MAX}",
            name.len()
        ));
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err("must start with a lower-case letter".into());
    }
    if let Some(c) = name
        .chars()
        .find(|&c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
    {
        return Err(format!(
            "character '{}' not allowed (lower-case letters, digits and '_' only)",
            c.escape_default()
        ));
    }
    Ok(())
}

impl FwSensor {
    /// The C form of a sensor frame.
    pub fn from_frame(frame: &SensorFrame) -> Self {
        FwSensor {
            time_ns: frame.time_ns,
            pressure_counts: frame.pressure_counts,
            buttons: frame.buttons,
            supply_mv: frame.supply_mv,
        }
    }
}

/// The rig's form of what the C firmware returned at `time_ns` (unknown codes fail the run).
pub(crate) fn actuator_frame(
    out: FwActuator,
    time_ns: u64,
) -> Result<ActuatorFrame, ControllerError> {
    let time_s = time_ns as f64 * 1e-9;
    let state = fw::State::from_code(out.state).ok_or_else(|| ControllerError::Fault {
        time_s,
        message: format!("C firmware reported unknown state code {}", out.state),
    })?;
    let fault = fw::Fault::from_code(out.fault).ok_or_else(|| ControllerError::Fault {
        time_s,
        message: format!("C firmware reported unknown fault code {}", out.fault),
    })?;
    Ok(ActuatorFrame {
        motor_duty: f64::from(out.motor_duty_permille.min(1000)) / 1000.0,
        valve_open: out.valve_open != 0,
        telemetry: Telemetry {
            state: match state {
                fw::State::Idle => ControllerState::Idle,
                fw::State::Stimulation => ControllerState::Stimulation,
                fw::State::Expression => ControllerState::Expression,
                fw::State::Fault => ControllerState::Fault,
            },
            fault: if state == fw::State::Fault {
                fault.name()
            } else {
                ""
            },
            target_vacuum_mmhg: f64::from(out.target_vacuum_dmmhg) / 10.0,
            measured_vacuum_mmhg: f64::from(out.measured_vacuum_dmmhg) / 10.0,
        },
    })
}

impl Drop for CabiController {
    fn drop(&mut self) {
        // Unload first, then delete the private copy.
        drop(self.library.take());
        let _ = std::fs::remove_file(&self.copy);
    }
}

unsafe extern "C" fn noop_step(_: *const FwSensor, _: *mut FwActuator) {}

/// # Safety
/// `p` is NULL or points to a NUL-terminated string.
unsafe fn c_string(p: *const c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: the caller's contract.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

impl Controller for CabiController {
    fn identity(&self) -> ControllerIdentity {
        self.identity.clone()
    }

    fn step(&mut self, frame: &SensorFrame) -> Result<ActuatorFrame, ControllerError> {
        let out = self.step_raw(&FwSensor::from_frame(frame));
        actuator_frame(out, frame.time_ns)
    }

    fn firmware_telemetry_names(&self) -> Vec<String> {
        self.telemetry_names.clone()
    }

    fn firmware_telemetry(&mut self) -> &[f64] {
        if let Some(read) = self.telemetry_fn {
            // SAFETY: a buffer of PUMPRIG_FW_TELEMETRY_MAX doubles, as the header promises.
            unsafe { read(self.telemetry.as_mut_ptr()) };
        }
        &self.telemetry[..self.telemetry_names.len()]
    }
}

impl CabiController {
    /// Names of the firmware's telemetry values, in order (empty when it reports none).
    pub fn telemetry_names(&self) -> &[String] {
        &self.telemetry_names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn telemetry_names_are_checked_with_the_reason() {
        for ok in [
            "a",
            "integral_duty_permille",
            "x1_2",
            &"n".repeat(TELEMETRY_NAME_MAX),
        ] {
            assert_eq!(check_telemetry_name(ok), Ok(()), "{ok}");
        }
        for (bad, why) in [
            ("", "empty"),
            ("1st", "must start with a lower-case letter"),
            ("_x", "must start with a lower-case letter"),
            ("Pressure", "must start with a lower-case letter"),
            ("p-kpa", "character '-' not allowed"),
            ("p kpa", "character ' ' not allowed"),
            ("druck_ä", "character '\\u{e4}' not allowed"),
        ] {
            let e = check_telemetry_name(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
        let long = "n".repeat(TELEMETRY_NAME_MAX + 1);
        assert!(
            check_telemetry_name(&long)
                .unwrap_err()
                .contains("41 bytes, longer than")
        );
    }

    /// The header's limits and version are the rig's.
    #[test]
    fn the_header_defines_the_rig_constants() {
        let header = include_str!("../../include/pumprig_fw.h");
        let define = |name: &str| -> usize {
            let line = header
                .lines()
                .find(|l| l.starts_with(&format!("#define {name} ")))
                .unwrap_or_else(|| panic!("no #define {name}"));
            let value = line.split_whitespace().nth(2).unwrap();
            value.trim_end_matches('u').parse().unwrap()
        };
        assert_eq!(define("PUMPRIG_FW_ABI_VERSION"), ABI_VERSION as usize);
        assert_eq!(define("PUMPRIG_FW_TELEMETRY_MAX"), TELEMETRY_MAX);
        assert_eq!(define("PUMPRIG_FW_TELEMETRY_NAME_MAX"), TELEMETRY_NAME_MAX);
    }
}
