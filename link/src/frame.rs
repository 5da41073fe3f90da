//! The messages: what travels between rig and board, field by field, with units.
//!
//! The field order of every struct and the order of the [`Message`] variants are the wire layout
//! (postcard encodes fields in declaration order and variants by index): never reorder them
//! without bumping [`crate::PROTOCOL_VERSION`].

use heapless::String;
use serde::{Deserialize, Serialize};

/// Capacity of [`Hello::firmware_name`], bytes of UTF-8.
pub const FIRMWARE_NAME_CAPACITY: usize = 32;
/// Capacity of [`Hello::build_id`], bytes of UTF-8 (a full 40-hex-digit git commit fits).
pub const BUILD_ID_CAPACITY: usize = 40;

/// One frame: a sequence number and the simulated time, then one message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frame {
    /// Sequence number. The rig numbers its [`Sensor`] frames 1, 2, 3, …; the board answers each
    /// with an [`Actuator`] carrying the same number. Other messages: see `docs/protocol.md`.
    pub seq: u32,
    /// Simulated time of the tick this frame belongs to, nanoseconds since the start of the run
    /// (the board echoes the [`Sensor`]'s time in its [`Actuator`]; 0 before the first tick).
    pub time_ns: u64,
    /// What this frame says.
    pub message: Message,
}

impl Frame {
    /// A frame of `message` with sequence number `seq` at simulated time `time_ns`.
    pub const fn new(seq: u32, time_ns: u64, message: Message) -> Self {
        Frame {
            seq,
            time_ns,
            message,
        }
    }
}

/// The messages of the protocol. The variant index is the wire discriminant ([`MessageKind`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Message {
    /// Board → rig, first thing after power-up or [`Message::Reset`]: who it is.
    Hello(Hello),
    /// Board → rig: initialised and listening; the rig may send the first [`Sensor`].
    Ready,
    /// Rig → board: one control tick's inputs. The board runs exactly one control step.
    Sensor(Sensor),
    /// Board → rig: that control step's outputs and telemetry, same `seq` as the [`Sensor`].
    Actuator(Actuator),
    /// Rig → board: return to the power-up state, then send [`Message::Hello`] and
    /// [`Message::Ready`] again.
    Reset,
    /// Either way: something went wrong; see [`ErrorCode`].
    Error(ErrorReport),
}

impl Message {
    /// Which kind of message this is (its wire discriminant).
    pub const fn kind(&self) -> MessageKind {
        match self {
            Message::Hello(_) => MessageKind::Hello,
            Message::Ready => MessageKind::Ready,
            Message::Sensor(_) => MessageKind::Sensor,
            Message::Actuator(_) => MessageKind::Actuator,
            Message::Reset => MessageKind::Reset,
            Message::Error(_) => MessageKind::Error,
        }
    }
}

/// The kind of a [`Message`], without its fields; `code()` is the wire discriminant.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// [`Message::Hello`], discriminant 0.
    Hello = 0,
    /// [`Message::Ready`], discriminant 1.
    Ready = 1,
    /// [`Message::Sensor`], discriminant 2.
    Sensor = 2,
    /// [`Message::Actuator`], discriminant 3.
    Actuator = 3,
    /// [`Message::Reset`], discriminant 4.
    Reset = 4,
    /// [`Message::Error`], discriminant 5.
    Error = 5,
}

impl MessageKind {
    /// Every kind, in discriminant order.
    pub const ALL: [MessageKind; 6] = [
        MessageKind::Hello,
        MessageKind::Ready,
        MessageKind::Sensor,
        MessageKind::Actuator,
        MessageKind::Reset,
        MessageKind::Error,
    ];

    /// Wire discriminant (a one-byte varint).
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// Inverse of [`MessageKind::code`]; `None` for an unknown discriminant.
    pub const fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(MessageKind::Hello),
            1 => Some(MessageKind::Ready),
            2 => Some(MessageKind::Sensor),
            3 => Some(MessageKind::Actuator),
            4 => Some(MessageKind::Reset),
            5 => Some(MessageKind::Error),
            _ => None,
        }
    }

    /// snake_case name, for logs and records.
    pub const fn name(self) -> &'static str {
        match self {
            MessageKind::Hello => "hello",
            MessageKind::Ready => "ready",
            MessageKind::Sensor => "sensor",
            MessageKind::Actuator => "actuator",
            MessageKind::Reset => "reset",
            MessageKind::Error => "error",
        }
    }

    /// Largest postcard encoding of this kind's fields, bytes (varints at their longest).
    const fn max_body_len(self) -> usize {
        // u16 varint <= 3 bytes, u32 varint <= 5, u8 and bool 1, zigzag i16 varint <= 3,
        // String<N> = varint length (1 byte while N < 128) + N bytes.
        match self {
            MessageKind::Hello => 3 + (1 + FIRMWARE_NAME_CAPACITY) + (1 + BUILD_ID_CAPACITY) + 3,
            MessageKind::Ready | MessageKind::Reset => 0,
            MessageKind::Sensor => 3 + 1 + 3,
            MessageKind::Actuator => 3 + 1 + 1 + 1 + 1 + 3 + 3 + 3 + 3,
            MessageKind::Error => 1 + 5,
        }
    }

    /// Largest frame of this kind on the wire, bytes, including the `0x00` delimiter.
    ///
    /// = header (seq varint <= 5, time varint <= 10, discriminant 1) + fields + CRC (2), COBS
    /// overhead (1 per started 254 bytes) and the delimiter (1).
    #[allow(clippy::arithmetic_side_effects)] // const-evaluated on small constants
    pub const fn max_frame_len(self) -> usize {
        let raw = 5 + 10 + 1 + self.max_body_len() + 2;
        raw + raw.div_ceil(254) + 1
    }
}

/// Board → rig: the board introduces itself. Sent after power-up and after every
/// [`Message::Reset`], followed by [`Message::Ready`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    /// The [`crate::PROTOCOL_VERSION`] the board speaks.
    pub protocol_version: u16,
    /// Firmware name, UTF-8, at most [`FIRMWARE_NAME_CAPACITY`] bytes.
    pub firmware_name: String<FIRMWARE_NAME_CAPACITY>,
    /// Build identifier (e.g. the git commit), UTF-8, at most [`BUILD_ID_CAPACITY`] bytes.
    pub build_id: String<BUILD_ID_CAPACITY>,
    /// Control rate the firmware was built for, ticks per second (its timing counts ticks; the
    /// rig checks it against the scenario's tick rate).
    pub tick_hz: u16,
}

impl Hello {
    /// A Hello for this protocol version. Names longer than their capacity are cut at the last
    /// whole character that fits.
    pub fn new(firmware_name: &str, build_id: &str, tick_hz: u16) -> Self {
        Hello {
            protocol_version: crate::PROTOCOL_VERSION,
            firmware_name: truncated(firmware_name),
            build_id: truncated(build_id),
            tick_hz,
        }
    }
}

/// `s` cut to at most `N` bytes at a character boundary.
fn truncated<const N: usize>(s: &str) -> String<N> {
    let mut out = String::new();
    for c in s.chars() {
        if out.push(c).is_err() {
            break;
        }
    }
    out
}

/// Rig → board: what the pump MCU's peripherals read at this tick.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sensor {
    /// Raw ADC reading of the vacuum transducer, counts (12-bit on the reference board:
    /// 0..=4095; any value is carried).
    pub pressure_counts: u16,
    /// Buttons held down, bit set: POWER 1, LEVEL_UP 2, LEVEL_DOWN 4, LETDOWN 8.
    pub buttons: u8,
    /// Supply voltage, millivolts.
    pub supply_mv: u16,
}

/// Board → rig: the control step's commands and telemetry (all of the reference firmware's
/// `Outputs`, codes as in its `State`, `CyclePhase` and `Fault`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actuator {
    /// Motor PWM duty, permille (0..=1000).
    pub motor_duty_permille: u16,
    /// `true` = release valve open (vents the kit to atmosphere).
    pub valve_open: bool,
    /// Controller state: 0 idle, 1 stimulation, 2 expression, 3 fault.
    pub state: u8,
    /// Cycle phase: 0 none, 1 pull, 2 release.
    pub cycle_phase: u8,
    /// Latched fault: 0 none, 1 over-vacuum, 2 sensor out of range, 3 sensor stuck.
    pub fault: u8,
    /// Current vacuum set-point, 0.1 mmHg below atmosphere.
    pub target_vacuum_dmmhg: u16,
    /// The firmware's own reading after calibration, 0.1 mmHg below atmosphere (may be
    /// slightly negative).
    pub measured_vacuum_dmmhg: i16,
    /// The running phase's selected vacuum level, mmHg (0 when idle or faulted).
    pub level_vacuum_mmhg: u16,
    /// The running phase's cycle rate, cycles per minute (0 when idle or faulted).
    pub cycles_per_min: u16,
}

/// Either way: a diagnostic. `code` is an [`ErrorCode`] (receivers must accept unknown codes);
/// the meaning of `detail` depends on the code.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorReport {
    /// An [`ErrorCode`] as a byte.
    pub code: u8,
    /// Code-specific detail (see [`ErrorCode`]).
    pub detail: u32,
}

impl ErrorReport {
    /// A report of `code` with `detail`.
    pub const fn new(code: ErrorCode, detail: u32) -> Self {
        ErrorReport {
            code: code.code(),
            detail,
        }
    }
}

/// The error codes of [`ErrorReport::code`].
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The peer speaks another protocol version. `detail`: the sender's
    /// [`crate::PROTOCOL_VERSION`]. The rig sends it in answer to a [`Hello`] it refuses.
    UnsupportedVersion = 1,
    /// The sender dropped a frame that failed COBS, CRC or payload decoding, or was oversize.
    /// `detail`: how many it has dropped since its last (re)start.
    BadFrame = 2,
    /// A valid frame arrived that is not allowed now (e.g. a [`Sensor`] before [`Message::Ready`]
    /// was sent). `detail`: its [`MessageKind::code`].
    UnexpectedMessage = 3,
    /// The board saw [`Sensor`] sequence numbers skip. `detail`: how many are missing.
    SequenceGap = 4,
    /// Real-time mode: a [`Sensor`] arrived before the previous control step finished, and was
    /// dropped. `detail`: its sequence number.
    Overrun = 5,
    /// Anything else, implementation-defined `detail`.
    Other = 255,
}

impl ErrorCode {
    /// Wire code (the `repr(u8)` discriminant).
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// Inverse of [`ErrorCode::code`]; `None` for a code this version does not know.
    pub const fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(ErrorCode::UnsupportedVersion),
            2 => Some(ErrorCode::BadFrame),
            3 => Some(ErrorCode::UnexpectedMessage),
            4 => Some(ErrorCode::SequenceGap),
            5 => Some(ErrorCode::Overrun),
            255 => Some(ErrorCode::Other),
            _ => None,
        }
    }

    /// snake_case name, for logs and records.
    pub const fn name(self) -> &'static str {
        match self {
            ErrorCode::UnsupportedVersion => "unsupported_version",
            ErrorCode::BadFrame => "bad_frame",
            ErrorCode::UnexpectedMessage => "unexpected_message",
            ErrorCode::SequenceGap => "sequence_gap",
            ErrorCode::Overrun => "overrun",
            ErrorCode::Other => "other",
        }
    }
}
