//! C firmware in a child process: a crash in it (segfault, abort) fails only its run.
//!
//! [`IsolatedCabiController`] spawns the `pumprig` executable as `pumprig __cabi-worker LIBPATH`
//! (a hidden subcommand, [`serve_worker`]), which loads the library with [`CabiController`] and
//! serves one step per request over its stdin/stdout. The exchange is fixed-size and
//! little-endian (docs/firmware.md, "Crash isolation"):
//!
//! - rig → worker, once: `struct pumprig_fw_settings`, field by field ([`SETTINGS_BYTES`] bytes);
//! - worker → rig, once: status byte 0 then the firmware's name, version and build id, a `u32`
//!   count of telemetry values and their names; or status 1 then the load error; each string a
//!   `u32` byte length and UTF-8 bytes;
//! - per tick, rig → worker: `struct pumprig_fw_sensor` field by field ([`SENSOR_BYTES`] bytes);
//!   worker → rig: `struct pumprig_fw_actuator` field by field ([`ACTUATOR_BYTES`] bytes), then
//!   the telemetry values as `f64` (8 bytes each; none when the firmware reports none).
//!
//! End of file on the worker's stdout means it died: the rig reaps it and fails the run naming the
//! signal. A worker that stops answering for [`DEFAULT_WATCHDOG`] of wall-clock time is killed by a
//! watchdog thread (the only use of the wall clock). The child is killed and reaped on drop.

use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use pumprig_firmware as fw;

use super::cabi::actuator_frame;
use super::{
    ActuatorFrame, CabiController, Controller, ControllerError, ControllerIdentity, FwActuator,
    FwPhase, FwSensor, FwSettings, SensorFrame,
};

/// The hidden subcommand of `pumprig` that serves a C firmware library.
pub const WORKER_SUBCOMMAND: &str = "__cabi-worker";
/// Bytes of the settings message.
pub const SETTINGS_BYTES: usize = 36;
/// Bytes of one sensor message.
pub const SENSOR_BYTES: usize = 13;
/// Bytes of one actuator message.
pub const ACTUATOR_BYTES: usize = 9;
/// How long a worker may take to load or to answer one step before the run fails.
pub const DEFAULT_WATCHDOG: Duration = Duration::from_secs(5);

static WORKER_EXE: OnceLock<PathBuf> = OnceLock::new();

/// Sets the executable that serves [`WORKER_SUBCOMMAND`] for every isolated controller of this
/// process (default: [`std::env::current_exe`], right for `pumprig` itself; tests and benchmarks
/// name the `pumprig` binary). The first call wins.
pub fn set_worker_exe(path: impl Into<PathBuf>) {
    let _ = WORKER_EXE.set(path.into());
}

/// The executable [`set_worker_exe`] named, else the current one.
pub fn worker_exe() -> Result<PathBuf, ControllerError> {
    match WORKER_EXE.get() {
        Some(p) => Ok(p.clone()),
        None => std::env::current_exe().map_err(|e| {
            ControllerError::Load(format!(
                "cannot find the pumprig executable to run the C firmware in: {e}"
            ))
        }),
    }
}

fn encode_settings(s: &FwSettings) -> [u8; SETTINGS_BYTES] {
    let mut b = [0u8; SETTINGS_BYTES];
    let mut w = Cursor(&mut b, 0);
    w.put(&s.tick_hz.to_le_bytes());
    w.put(&s.zero_counts.to_le_bytes());
    w.put(&s.counts_per_mmhg_milli.to_le_bytes());
    for p in [&s.stimulation, &s.expression] {
        w.put(&p.cycles_per_min.to_le_bytes());
        w.put(&p.vacuum_mmhg.to_le_bytes());
        w.put(&[p.pull_percent, p.rise_percent]);
    }
    for v in [
        s.stimulation_max_s,
        s.kp_permille_per_mmhg,
        s.ki_permille_per_mmhg_s,
        s.lead_ms,
        s.max_duty_permille,
        s.max_vacuum_mmhg,
        s.over_vacuum_ms,
    ] {
        w.put(&v.to_le_bytes());
    }
    debug_assert_eq!(w.1, SETTINGS_BYTES);
    b
}

fn decode_settings(b: &[u8; SETTINGS_BYTES]) -> FwSettings {
    let mut r = Reader(b, 0);
    let tick_hz = r.u32();
    let zero_counts = r.u16();
    let counts_per_mmhg_milli = r.u32();
    let mut phase = || FwPhase {
        cycles_per_min: r.u16(),
        vacuum_mmhg: r.u16(),
        pull_percent: r.u8(),
        rise_percent: r.u8(),
    };
    let stimulation = phase();
    let expression = phase();
    FwSettings {
        tick_hz,
        zero_counts,
        counts_per_mmhg_milli,
        stimulation,
        expression,
        stimulation_max_s: r.u16(),
        kp_permille_per_mmhg: r.u16(),
        ki_permille_per_mmhg_s: r.u16(),
        lead_ms: r.u16(),
        max_duty_permille: r.u16(),
        max_vacuum_mmhg: r.u16(),
        over_vacuum_ms: r.u16(),
    }
}

fn encode_sensor(s: &FwSensor, b: &mut [u8; SENSOR_BYTES]) {
    b[0..8].copy_from_slice(&s.time_ns.to_le_bytes());
    b[8..10].copy_from_slice(&s.pressure_counts.to_le_bytes());
    b[10] = s.buttons;
    b[11..13].copy_from_slice(&s.supply_mv.to_le_bytes());
}

fn decode_sensor(b: &[u8; SENSOR_BYTES]) -> FwSensor {
    FwSensor {
        time_ns: u64::from_le_bytes(b[0..8].try_into().unwrap()),
        pressure_counts: u16::from_le_bytes([b[8], b[9]]),
        buttons: b[10],
        supply_mv: u16::from_le_bytes([b[11], b[12]]),
    }
}

fn encode_actuator(a: &FwActuator, b: &mut [u8; ACTUATOR_BYTES]) {
    b[0..2].copy_from_slice(&a.motor_duty_permille.to_le_bytes());
    b[2] = a.valve_open;
    b[3] = a.state;
    b[4] = a.fault;
    b[5..7].copy_from_slice(&a.target_vacuum_dmmhg.to_le_bytes());
    b[7..9].copy_from_slice(&a.measured_vacuum_dmmhg.to_le_bytes());
}

fn decode_actuator(b: &[u8; ACTUATOR_BYTES]) -> FwActuator {
    FwActuator {
        motor_duty_permille: u16::from_le_bytes([b[0], b[1]]),
        valve_open: b[2],
        state: b[3],
        fault: b[4],
        target_vacuum_dmmhg: u16::from_le_bytes([b[5], b[6]]),
        measured_vacuum_dmmhg: i16::from_le_bytes([b[7], b[8]]),
    }
}

struct Cursor<'a>(&'a mut [u8], usize);

impl Cursor<'_> {
    fn put(&mut self, bytes: &[u8]) {
        self.0[self.1..self.1 + bytes.len()].copy_from_slice(bytes);
        self.1 += bytes.len();
    }
}

struct Reader<'a>(&'a [u8], usize);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let v = self.0[self.1..self.1 + N].try_into().unwrap();
        self.1 += N;
        v
    }
    fn u8(&mut self) -> u8 {
        self.take::<1>()[0]
    }
    fn u16(&mut self) -> u16 {
        u16::from_le_bytes(self.take())
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.take())
    }
}

fn write_str(w: &mut impl Write, s: &str) -> std::io::Result<()> {
    let len = u32::try_from(s.len()).unwrap_or(u32::MAX);
    w.write_all(&len.to_le_bytes())?;
    w.write_all(&s.as_bytes()[..len as usize])
}

fn read_str(r: &mut impl Read) -> std::io::Result<String> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len)?;
    let len = u32::from_le_bytes(len);
    if len > 1 << 20 {
        return Err(std::io::Error::other(format!(
            "implausible string length {len}"
        )));
    }
    let mut bytes = vec![0u8; len as usize];
    r.read_exact(&mut bytes)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The worker side (`pumprig __cabi-worker LIBPATH`): loads `lib`, then serves steps on
/// stdin/stdout until end of file. Returns the process exit code.
pub fn serve_worker(lib: &Path) -> i32 {
    let (input, output) = match protocol_stdout() {
        Ok(out) => (std::io::stdin().lock(), out),
        Err(e) => {
            eprintln!("pumprig {WORKER_SUBCOMMAND}: {e}");
            return 3;
        }
    };
    let mut r = BufReader::with_capacity(4096, input);
    let mut w = BufWriter::with_capacity(4096, output);
    match serve(lib, &mut r, &mut w) {
        Ok(()) => 0,
        // The rig went away (dropped the controller): nothing left to serve.
        Err(_) => 0,
    }
}

/// The stream the protocol is written to. On Unix the worker's original stdout is kept for the
/// protocol and file descriptor 1 is pointed at stderr, so a firmware that `printf`s cannot
/// corrupt the exchange (its output appears on the rig's stderr).
#[cfg(unix)]
fn protocol_stdout() -> std::io::Result<std::fs::File> {
    use std::os::fd::AsFd;
    unsafe extern "C" {
        fn dup2(old: i32, new: i32) -> i32;
    }
    let stdout = std::io::stdout();
    let copy = stdout.as_fd().try_clone_to_owned()?;
    // SAFETY: dup2 on the process's own standard descriptors 2 and 1, both open.
    if unsafe { dup2(2, 1) } < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(std::fs::File::from(copy))
}

#[cfg(not(unix))]
fn protocol_stdout() -> std::io::Result<std::io::Stdout> {
    Ok(std::io::stdout())
}

fn serve(lib: &Path, r: &mut impl Read, w: &mut impl Write) -> std::io::Result<()> {
    let mut settings = [0u8; SETTINGS_BYTES];
    r.read_exact(&mut settings)?;
    let mut ctl = match CabiController::load_fw(lib, &decode_settings(&settings)) {
        Ok(ctl) => {
            let id = ctl.identity();
            w.write_all(&[0])?;
            write_str(w, &id.name)?;
            write_str(w, &id.version)?;
            write_str(w, &id.build_id)?;
            let names = ctl.firmware_telemetry_names();
            w.write_all(&(names.len() as u32).to_le_bytes())?;
            for name in &names {
                write_str(w, name)?;
            }
            w.flush()?;
            ctl
        }
        Err(e) => {
            w.write_all(&[1])?;
            write_str(w, &e.to_string())?;
            return w.flush();
        }
    };
    let mut sensor = [0u8; SENSOR_BYTES];
    let telemetry = ctl.telemetry_names().len();
    // One reply per tick: the actuator, then the telemetry values.
    let mut reply = vec![0u8; ACTUATOR_BYTES + 8 * telemetry];
    loop {
        match r.read_exact(&mut sensor) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
            Err(e) => return Err(e),
        }
        let out = ctl.step_raw(&decode_sensor(&sensor));
        let (head, values) = reply.split_at_mut(ACTUATOR_BYTES);
        encode_actuator(&out, head.try_into().expect("ACTUATOR_BYTES"));
        if telemetry > 0 {
            for (b, v) in values.chunks_exact_mut(8).zip(ctl.firmware_telemetry()) {
                b.copy_from_slice(&v.to_le_bytes());
            }
        }
        w.write_all(&reply)?;
        w.flush()?;
    }
}

/// Shared with the watchdog thread.
struct Watch {
    /// Incremented on entering and on leaving an exchange: odd while the rig waits for the worker.
    progress: AtomicU64,
    stop: AtomicBool,
    fired: AtomicBool,
    child: Mutex<Child>,
}

/// C firmware run by a `pumprig __cabi-worker` child process.
pub struct IsolatedCabiController {
    watch: Arc<Watch>,
    watchdog: Option<JoinHandle<()>>,
    timeout: Duration,
    stdin: BufWriter<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    identity: ControllerIdentity,
    sensor: [u8; SENSOR_BYTES],
    actuator: [u8; ACTUATOR_BYTES],
    /// The firmware's telemetry names, and the values of the last reply (raw, then decoded).
    telemetry_names: Vec<String>,
    telemetry_bytes: Vec<u8>,
    telemetry: Vec<f64>,
    /// Set once the worker has died: every later step fails with the same message.
    dead: Option<String>,
}

impl IsolatedCabiController {
    /// Spawns the worker ([`worker_exe`]) for `lib`, sends the settings and waits for the load.
    pub fn spawn(lib: &Path, settings: &fw::Settings) -> Result<Self, ControllerError> {
        Self::spawn_with(&worker_exe()?, lib, settings, DEFAULT_WATCHDOG)
    }

    /// As [`Self::spawn`], with the worker executable and the watchdog time given.
    pub fn spawn_with(
        exe: &Path,
        lib: &Path,
        settings: &fw::Settings,
        timeout: Duration,
    ) -> Result<Self, ControllerError> {
        let mut child = Command::new(exe)
            .arg(WORKER_SUBCOMMAND)
            .arg(lib)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| {
                ControllerError::Load(format!(
                    "C firmware {}: cannot start the worker process {}: {e}",
                    lib.display(),
                    exe.display()
                ))
            })?;
        let stdin = BufWriter::with_capacity(4096, child.stdin.take().expect("piped"));
        let stdout = BufReader::with_capacity(4096, child.stdout.take().expect("piped"));
        let watch = Arc::new(Watch {
            progress: AtomicU64::new(0),
            stop: AtomicBool::new(false),
            fired: AtomicBool::new(false),
            child: Mutex::new(child),
        });
        let watchdog = {
            let watch = Arc::clone(&watch);
            std::thread::Builder::new()
                .name("pumprig-cabi-watchdog".into())
                .spawn(move || watchdog(&watch, timeout))
                .map_err(|e| ControllerError::Load(format!("cannot start the watchdog: {e}")))?
        };
        let mut ctl = Self {
            watch,
            watchdog: Some(watchdog),
            timeout,
            stdin,
            stdout,
            identity: ControllerIdentity {
                adapter: "cabi".into(),
                name: String::new(),
                version: String::new(),
                build_id: String::new(),
            },
            sensor: [0; SENSOR_BYTES],
            actuator: [0; ACTUATOR_BYTES],
            telemetry_names: Vec::new(),
            telemetry_bytes: Vec::new(),
            telemetry: Vec::new(),
            dead: None,
        };
        let settings = encode_settings(&FwSettings::from_settings(settings));
        ctl.watch.progress.fetch_add(1, Ordering::Relaxed);
        let hello = ctl.handshake(&settings);
        ctl.watch.progress.fetch_add(1, Ordering::Relaxed);
        match hello {
            Ok(Ok(())) => Ok(ctl),
            Ok(Err(load_error)) => Err(ControllerError::Load(load_error)),
            // End of file: the worker died while loading (a crash in an initialiser, say).
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Err(ControllerError::Load(
                format!("C firmware {}: {}", lib.display(), ctl.death()),
            )),
            // The worker answered something the rig does not understand: say what, and end it
            // (dropping `ctl` kills and reaps the worker).
            Err(e) => Err(ControllerError::Load(format!(
                "C firmware {}: worker protocol: {e}",
                lib.display()
            ))),
        }
    }

    /// Sends the settings; `Ok(Err(message))` when the worker could not load the library.
    fn handshake(&mut self, settings: &[u8]) -> std::io::Result<Result<(), String>> {
        self.stdin.write_all(settings)?;
        self.stdin.flush()?;
        let mut status = [0u8; 1];
        self.stdout.read_exact(&mut status)?;
        if status[0] != 0 {
            return Ok(Err(read_str(&mut self.stdout)?));
        }
        self.identity.name = read_str(&mut self.stdout)?;
        self.identity.version = read_str(&mut self.stdout)?;
        self.identity.build_id = read_str(&mut self.stdout)?;
        let mut count = [0u8; 4];
        self.stdout.read_exact(&mut count)?;
        let count = u32::from_le_bytes(count) as usize;
        if count > super::TELEMETRY_MAX {
            return Err(std::io::Error::other(format!(
                "worker reported {count} telemetry values"
            )));
        }
        self.telemetry_names = (0..count)
            .map(|_| read_str(&mut self.stdout))
            .collect::<Result<_, _>>()?;
        self.telemetry_bytes = vec![0; 8 * count];
        self.telemetry = vec![0.0; count];
        Ok(Ok(()))
    }

    fn exchange(&mut self) -> std::io::Result<()> {
        self.stdin.write_all(&self.sensor)?;
        self.stdin.flush()?;
        self.stdout.read_exact(&mut self.actuator)?;
        self.stdout.read_exact(&mut self.telemetry_bytes)
    }

    /// The worker stopped talking: reap it and say why.
    fn death(&mut self) -> String {
        let mut child = self.watch.child.lock().unwrap_or_else(|e| e.into_inner());
        // It normally died already (end of file); give it a moment, then make sure.
        let deadline = Instant::now() + Duration::from_secs(1);
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5))
                }
                _ => {
                    let _ = child.kill();
                    break child.wait().ok();
                }
            }
        };
        if self.watch.fired.load(Ordering::Relaxed) {
            return format!(
                "C firmware stopped answering: no reply within {:.1} s of wall-clock time \
                 (watchdog); the worker process was killed",
                self.timeout.as_secs_f64()
            );
        }
        match status {
            Some(status) => describe_exit(status),
            None => "C firmware worker process vanished".into(),
        }
    }
}

/// "C firmware crashed: killed by signal 11 (SIGSEGV)", or the exit status.
pub fn describe_exit(status: ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            let core = if status.core_dumped() {
                ", core dumped"
            } else {
                ""
            };
            return match signal_name(sig) {
                Some(name) => format!("C firmware crashed: killed by signal {sig} ({name}){core}"),
                None => format!("C firmware crashed: killed by signal {sig}{core}"),
            };
        }
    }
    match status.code() {
        Some(code) => format!("C firmware worker process exited with status {code} mid-run"),
        None => format!("C firmware worker process ended mid-run: {status}"),
    }
}

/// Names of the common signals (numbers as on Linux; elsewhere only the portable ones).
fn signal_name(sig: i32) -> Option<&'static str> {
    Some(match sig {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        5 => "SIGTRAP",
        6 => "SIGABRT",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        15 => "SIGTERM",
        #[cfg(target_os = "linux")]
        7 => "SIGBUS",
        #[cfg(target_os = "linux")]
        31 => "SIGSYS",
        #[cfg(target_os = "macos")]
        10 => "SIGBUS",
        #[cfg(target_os = "macos")]
        12 => "SIGSYS",
        _ => return None,
    })
}

fn watchdog(watch: &Watch, timeout: Duration) {
    let poll = Duration::from_millis(50).min(timeout);
    let mut last = watch.progress.load(Ordering::Relaxed);
    let mut since = Instant::now();
    while !watch.stop.load(Ordering::Relaxed) {
        std::thread::park_timeout(poll);
        let now = watch.progress.load(Ordering::Relaxed);
        if now != last || now % 2 == 0 {
            last = now;
            since = Instant::now();
        } else if since.elapsed() >= timeout {
            watch.fired.store(true, Ordering::Relaxed);
            let mut child = watch.child.lock().unwrap_or_else(|e| e.into_inner());
            let _ = child.kill();
            return;
        }
    }
}

impl Controller for IsolatedCabiController {
    fn identity(&self) -> ControllerIdentity {
        self.identity.clone()
    }

    fn step(&mut self, frame: &SensorFrame) -> Result<ActuatorFrame, ControllerError> {
        let time_s = frame.time_ns as f64 * 1e-9;
        if let Some(message) = &self.dead {
            return Err(ControllerError::Fault {
                time_s,
                message: message.clone(),
            });
        }
        encode_sensor(&FwSensor::from_frame(frame), &mut self.sensor);
        self.watch.progress.fetch_add(1, Ordering::Relaxed);
        let done = self.exchange();
        self.watch.progress.fetch_add(1, Ordering::Relaxed);
        if done.is_err() {
            let message = self.death();
            self.dead = Some(message.clone());
            return Err(ControllerError::Fault { time_s, message });
        }
        actuator_frame(decode_actuator(&self.actuator), frame.time_ns)
    }

    fn firmware_telemetry_names(&self) -> Vec<String> {
        self.telemetry_names.clone()
    }

    fn firmware_telemetry(&mut self) -> &[f64] {
        for (v, b) in self
            .telemetry
            .iter_mut()
            .zip(self.telemetry_bytes.chunks_exact(8))
        {
            *v = f64::from_le_bytes(b.try_into().expect("8 bytes"));
        }
        &self.telemetry
    }
}

impl Drop for IsolatedCabiController {
    fn drop(&mut self) {
        self.watch.stop.store(true, Ordering::Relaxed);
        if let Some(w) = self.watchdog.take() {
            w.thread().unpark();
            let _ = w.join();
        }
        let mut child = self.watch.child.lock().unwrap_or_else(|e| e.into_inner());
        let _ = child.kill();
        let _ = child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip() {
        let s = FwSettings::from_settings(&fw::Settings::default());
        let b = encode_settings(&s);
        assert_eq!(format!("{:?}", decode_settings(&b)), format!("{s:?}"));
        let sensor = FwSensor {
            time_ns: 0x0102_0304_0506_0708,
            pressure_counts: 4095,
            buttons: 9,
            supply_mv: 12_000,
        };
        let mut sb = [0; SENSOR_BYTES];
        encode_sensor(&sensor, &mut sb);
        assert_eq!(format!("{:?}", decode_sensor(&sb)), format!("{sensor:?}"));
        let act = FwActuator {
            motor_duty_permille: 999,
            valve_open: 1,
            state: 2,
            fault: 3,
            target_vacuum_dmmhg: 2000,
            measured_vacuum_dmmhg: -5,
        };
        let mut ab = [0; ACTUATOR_BYTES];
        encode_actuator(&act, &mut ab);
        assert_eq!(format!("{:?}", decode_actuator(&ab)), format!("{act:?}"));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn signals_are_named() {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            describe_exit(ExitStatus::from_raw(11)),
            "C firmware crashed: killed by signal 11 (SIGSEGV)"
        );
        assert!(describe_exit(ExitStatus::from_raw(6)).contains("(SIGABRT)"));
        assert!(describe_exit(ExitStatus::from_raw(3 << 8)).contains("status 3"));
    }
}
