//! Serial adapter: a bench board (or the QEMU board image) in the loop over a serial port,
//! speaking pumprig-link (docs/protocol.md).
//!
//! - [`port`]: the port, frame encoding and stream decoding, the link-health tally;
//! - [`handshake`]: Hello (Reset when none comes), version and tick-rate check, Ready;
//! - [`lockstep`] (default): one Sensor → exactly one Actuator per tick, resends, watchdog;
//! - [`realtime`]: the rig paces the plant at 1× wall clock, the board runs on its own;
//! - [`health`]: link health for `record.json` and the `link_*` metrics;
//! - [`qemu`]: starts and stops QEMU with the board image on a pty.
//!
//! The wall clock is used for pacing (real time) and as a watchdog only: the simulated clock is
//! the runner's, and in lockstep the results do not depend on the link's timing at all.
//!
//! A board has no settings message in protocol v1: it runs what was flashed. The rig takes the
//! reference firmware's defaults as what the board runs, so a scenario whose
//! `controller.settings` differ from them is refused as bad input ([`board_settings_mismatch`])
//! rather than run with settings the board never saw.

mod handshake;
mod health;
mod lockstep;
mod port;
mod qemu;
mod realtime;

use std::path::Path;
use std::time::Duration;

use pumprig_firmware as fw;
use pumprig_link::{Actuator, Sensor};
use serialport::SerialPort;

pub use health::{LINK_METRICS, LinkHealth, Percentiles};
pub use qemu::{QEMU_ENV, QemuBoard, qemu_binary};

use super::{
    ActuatorFrame, Controller, ControllerError, ControllerIdentity, SensorFrame,
    actuators_from_firmware,
};
use lockstep::{Failure, Timing};
use port::Link;
use realtime::Pacer;

/// Default baud rate of a `serial:` port (`controller.baud`).
pub const DEFAULT_BAUD: u32 = 921_600;
/// Default watchdog: a board silent this long fails the run (`controller.timeout_ms`).
pub const DEFAULT_TIMEOUT_MS: u32 = 2_000;
/// Default wait for the board's Hello and Ready (`controller.startup_timeout_ms`).
pub const DEFAULT_STARTUP_TIMEOUT_MS: u32 = 10_000;
/// Default per-frame timeout before a lockstep Sensor is resent (`controller.resend_ms`).
pub const DEFAULT_RESEND_MS: u32 = 100;

/// How the rig and the board share time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// One Sensor → one Actuator, the simulated clock waits: deterministic.
    Lockstep,
    /// The rig paces the plant at 1× wall clock; late Actuators are deadline misses.
    RealTime,
}

impl Mode {
    /// The values of `controller.mode`.
    pub const NAMES: [&'static str; 2] = ["lockstep", "real-time"];

    pub fn parse(name: &str) -> Option<Mode> {
        match name {
            "lockstep" => Some(Mode::Lockstep),
            "real-time" => Some(Mode::RealTime),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Mode::Lockstep => "lockstep",
            Mode::RealTime => "real-time",
        }
    }
}

/// How to run a serial board: the scenario's `controller.*` keys.
#[derive(Clone, Copy, Debug)]
pub struct SerialOptions {
    pub mode: Mode,
    /// Baud rate set on the port (ignored by a pty).
    pub baud: u32,
    /// The scenario's control rate; the board's Hello must say the same.
    pub tick_hz: u32,
    /// Watchdog: no answer for this long (wall clock) fails the run.
    pub timeout: Duration,
    /// Longest wait for Hello and Ready at the start.
    pub startup_timeout: Duration,
    /// Lockstep: resend a Sensor not answered within this time.
    pub resend_after: Duration,
}

impl SerialOptions {
    /// Defaults for a board at `tick_hz`.
    pub fn new(tick_hz: u32) -> Self {
        Self {
            mode: Mode::Lockstep,
            baud: DEFAULT_BAUD,
            tick_hz,
            timeout: Duration::from_millis(DEFAULT_TIMEOUT_MS.into()),
            startup_timeout: Duration::from_millis(DEFAULT_STARTUP_TIMEOUT_MS.into()),
            resend_after: Duration::from_millis(DEFAULT_RESEND_MS.into()),
        }
    }
}

/// A board in the loop over a serial port.
pub struct SerialController {
    // Field order is drop order: the port closes before QEMU is killed.
    link: Link,
    options: SerialOptions,
    pacer: Pacer,
    identity: ControllerIdentity,
    /// Sequence number of the last Sensor sent.
    seq: u32,
    /// Set once the link failed: every later step fails with the same message.
    dead: Option<String>,
    qemu: Option<QemuBoard>,
}

impl SerialController {
    /// Runs the handshake with the board on an open `port` (named `name` in messages).
    pub fn connect(
        port: Box<dyn SerialPort>,
        name: &str,
        options: SerialOptions,
    ) -> Result<Self, ControllerError> {
        Self::connect_with(port, name, options, "serial", None)
    }

    /// Opens the serial device at `path` (`serial:/dev/ttyUSB0`) and runs the handshake.
    pub fn open(path: &Path, options: SerialOptions) -> Result<Self, ControllerError> {
        let name = path.display().to_string();
        let port = serialport::new(name.as_str(), options.baud)
            .timeout(Duration::from_millis(100))
            .open()
            .map_err(|e| ControllerError::Load(format!("cannot open serial port {name}: {e}")))?;
        Self::connect_with(port, &name, options, "serial", None)
    }

    /// Starts QEMU on the board image `elf` (`qemu:PATH`), connects to its UART0 pty and runs
    /// the handshake. QEMU is stopped when the controller is dropped, or at once on error.
    pub fn launch_qemu(elf: &Path, options: SerialOptions) -> Result<Self, ControllerError> {
        let mut qemu = QemuBoard::launch(elf, options.startup_timeout)?;
        let name = qemu.pty().display().to_string();
        let port = match serialport::new(name.as_str(), options.baud)
            .timeout(Duration::from_millis(100))
            .open()
        {
            Ok(p) => p,
            Err(e) => {
                let why = qemu.exit_report().unwrap_or_default();
                return Err(ControllerError::Connect(format!(
                    "cannot open QEMU's serial pty {name}: {e} {why}"
                )));
            }
        };
        Self::connect_with(port, &name, options, "qemu", Some(qemu))
    }

    fn connect_with(
        port: Box<dyn SerialPort>,
        name: &str,
        options: SerialOptions,
        adapter: &str,
        mut qemu: Option<QemuBoard>,
    ) -> Result<Self, ControllerError> {
        let mut link = Link::new(port, name.to_owned(), options.baud);
        let hello = match handshake::handshake(&mut link, options.tick_hz, options.startup_timeout)
        {
            Ok(hello) => hello,
            Err(ControllerError::Connect(m)) => {
                let why = qemu.as_mut().and_then(QemuBoard::exit_report);
                return Err(ControllerError::Connect(match why {
                    Some(why) => format!("{m}; {why}"),
                    None => m,
                }));
            }
            Err(e) => return Err(e),
        };
        let h = &hello;
        Ok(Self {
            link,
            options,
            pacer: Pacer::new(),
            identity: ControllerIdentity {
                adapter: adapter.into(),
                name: h.firmware_name.as_str().into(),
                version: format!("link v{}", h.protocol_version),
                build_id: h.build_id.as_str().into(),
            },
            seq: 0,
            dead: None,
            qemu,
        })
    }

    /// Link health so far.
    pub fn health(&self) -> LinkHealth {
        self.link.health(self.options.mode.name())
    }

    fn failure_message(&mut self, failure: Failure) -> String {
        let seq = self.seq;
        let mut m = match failure {
            Failure::Silent { resends, waited } => format!(
                "board silent: no Actuator for Sensor seq {seq} within {:.1} s of wall-clock \
                 time after {resends} resend(s) (watchdog: `controller.timeout_ms` = {})",
                waited.as_secs_f64(),
                self.options.timeout.as_millis()
            ),
            Failure::Reset => format!(
                "the board reset itself mid-run (it sent Hello while Sensor seq {seq} was \
                 outstanding): its controller state is lost, so the run cannot continue"
            ),
            Failure::Closed(why) => format!("serial link closed: {why}"),
        };
        if let Some(report) = self.qemu.as_mut().and_then(QemuBoard::exit_report) {
            m.push_str("; ");
            m.push_str(&report);
        }
        format!("{m}; link: {}", self.health().summary())
    }
}

impl Controller for SerialController {
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
        self.seq = self.seq.wrapping_add(1);
        let sensor = Sensor {
            pressure_counts: frame.pressure_counts,
            buttons: frame.buttons,
            supply_mv: frame.supply_mv,
        };
        let o = self.options;
        let answer = match o.mode {
            Mode::Lockstep => lockstep::exchange(
                &mut self.link,
                self.seq,
                frame.time_ns,
                sensor,
                Timing {
                    resend_after: o.resend_after,
                    give_up: o.timeout,
                },
            ),
            Mode::RealTime => self.pacer.exchange(
                &mut self.link,
                self.seq,
                frame.time_ns,
                sensor,
                Duration::from_nanos(crate::runner::tick_ns(o.tick_hz)),
                o.timeout,
            ),
        };
        let actuator = match answer {
            Ok(a) => a,
            Err(failure) => {
                let message = self.failure_message(failure);
                self.dead = Some(message.clone());
                return Err(ControllerError::Fault { time_s, message });
            }
        };
        actuator_frame(actuator).map_err(|message| ControllerError::Fault { time_s, message })
    }

    fn link_health(&self) -> Option<LinkHealth> {
        Some(self.health())
    }
}

/// The rig's frame for a board's Actuator; an unknown state, phase or fault code is a fault.
fn actuator_frame(a: Actuator) -> Result<ActuatorFrame, String> {
    let out =
        fw::Outputs::try_from(a).map_err(|e| format!("the board sent an Actuator with an {e}"))?;
    if out.motor_duty_permille > 1000 {
        return Err(format!(
            "the board commanded motor duty {} ‰, outside 0..=1000",
            out.motor_duty_permille
        ));
    }
    Ok(actuators_from_firmware(&out))
}

/// The `controller.settings` keys whose values differ from the reference firmware's defaults
/// (what a board image runs), `tick_hz` aside (the handshake checks it against the board's
/// Hello). Empty when the scenario asks for nothing a board cannot do.
pub fn board_settings_mismatch(settings: &fw::Settings) -> Vec<String> {
    let asked = serde_json::to_value(settings).unwrap_or_default();
    let default = serde_json::to_value(fw::Settings::default()).unwrap_or_default();
    let mut keys = Vec::new();
    diff("controller.settings", &asked, &default, &mut keys);
    keys.retain(|k| k != "controller.settings.tick_hz");
    keys
}

fn diff(path: &str, a: &serde_json::Value, b: &serde_json::Value, out: &mut Vec<String>) {
    match (a, b) {
        (serde_json::Value::Object(a), serde_json::Value::Object(b)) => {
            for (k, va) in a {
                let sub = format!("{path}.{k}");
                match b.get(k) {
                    Some(vb) => diff(&sub, va, vb, out),
                    None => out.push(sub),
                }
            }
        }
        _ if a != b => out.push(path.to_owned()),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_settings_match_a_board_and_changed_ones_are_named() {
        let mut s = fw::Settings::default();
        assert!(board_settings_mismatch(&s).is_empty());
        s.tick_hz = 500;
        assert!(
            board_settings_mismatch(&s).is_empty(),
            "tick_hz is checked by the handshake"
        );
        s.expression.vacuum_mmhg += 10;
        s.control.kp_permille_per_mmhg += 1;
        let keys = board_settings_mismatch(&s);
        assert_eq!(
            keys,
            [
                "controller.settings.control.kp_permille_per_mmhg",
                "controller.settings.expression.vacuum_mmhg"
            ]
        );
    }

    #[test]
    fn modes_parse_and_name() {
        for name in Mode::NAMES {
            assert_eq!(Mode::parse(name).map(Mode::name), Some(name));
        }
        assert_eq!(Mode::parse("realtime"), None);
    }
}
