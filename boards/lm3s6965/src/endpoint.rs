//! The board's side of the link protocol (docs/protocol.md, "Handshake", "Lockstep timing",
//! "Errors", and its checklist for implementing a board): bytes in, frames out.
//!
//! - After power-up and after every `Reset`: controller back to its power-up state, then `0x00`,
//!   `Hello` (protocol version, firmware name, build id, tick rate) and `Ready`.
//! - Each new `Sensor`: exactly one control step on its inputs, answered by one `Actuator` with
//!   the same `seq` and `time_ns`. Control timing counts these steps, never a clock of the
//!   board's, so a lockstep run is bit-identical to the in-process run of the same firmware.
//! - A `Sensor` with the `seq` last stepped: the last `Actuator` again, no step. One from before
//!   that (a stale replay): not stepped, answered `Error unexpected_message`.
//! - `Sensor` numbers skipping ahead: stepped, then `Error sequence_gap` (how many are missing).
//! - A `Sensor` that arrived while the previous one was being stepped (real-time mode, board too
//!   slow): dropped, `Error overrun` with its `seq`.
//! - A frame failing COBS, CRC, payload or length: `Error bad_frame` (dropped since (re)start).
//! - `Hello`, `Ready` or `Actuator` from the rig: `Error unexpected_message` (its kind); an
//!   `Error` from the rig is a diagnostic and gets no answer.
//!
//! Free of registers and interrupts: the [`Port`] supplies the sending and the delimiter count,
//! so this is the part a port to another MCU keeps unchanged.

use pumprig_firmware::hal;
use pumprig_firmware::{Controller, Outputs, Settings, SettingsError};
use pumprig_link::{
    Actuator, ErrorCode, ErrorReport, Frame, Hello, MAX_FRAME_LEN, Message, MessageKind, Sensor,
    StreamDecoder, encode,
};

use crate::pins::{LinkInputs, LinkMotor, LinkValve};

/// What the endpoint needs of the serial port.
pub trait Port {
    /// Sends the bytes of one or more whole frames.
    fn send(&mut self, bytes: &[u8]);
    /// Frame delimiters (`0x00`) received so far, counted as they arrive (wrapping), from power-up:
    /// the same bytes, in the same order, that are later fed to [`Endpoint::push_byte`]. Read
    /// before and after a control step, it says which frames arrived meanwhile.
    fn delimiters_received(&self) -> u32;
}

/// One encoded frame, kept for resending.
struct Wire {
    bytes: [u8; MAX_FRAME_LEN],
    len: usize,
}

impl Wire {
    fn of(frame: &Frame) -> Self {
        let mut bytes = [0; MAX_FRAME_LEN];
        // MAX_FRAME_LEN holds every frame of the protocol, so encoding cannot fail.
        let len = encode(frame, &mut bytes).unwrap_or(0);
        Wire { bytes, len }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// The board's protocol endpoint: the controller, the receive decoder and the session state.
pub struct Endpoint {
    settings: Settings,
    controller: Controller,
    hello: Hello,
    decoder: StreamDecoder,
    /// `seq` of the last `Sensor` stepped and the `Actuator` that answered it.
    last_step: Option<(u32, Wire)>,
    /// `seq` and `time_ns` of the last valid frame, for `Error` frames about dropped ones.
    last_rx: (u32, u64),
    /// Delimiters fed to [`Endpoint::push_byte`] so far (wrapping): the number of the current
    /// frame's delimiter, in the numbering of [`Port::delimiters_received`].
    delimiters_seen: u32,
    /// Frames whose delimiter number lies in `busy_from + 1 ..= busy_until` arrived while the
    /// last control step ran.
    busy_from: u32,
    busy_until: u32,
}

impl Endpoint {
    /// An endpoint running the reference controller with `settings`, introducing itself as
    /// `firmware_name` build `build_id`. Call [`Endpoint::start`] once the UART is up.
    pub fn new(
        settings: Settings,
        firmware_name: &str,
        build_id: &str,
    ) -> Result<Self, SettingsError> {
        Ok(Endpoint {
            controller: Controller::new(&settings)?,
            hello: Hello::new(firmware_name, build_id, settings.tick_hz),
            settings,
            decoder: StreamDecoder::new(),
            last_step: None,
            last_rx: (0, 0),
            delimiters_seen: 0,
            busy_from: 0,
            busy_until: 0,
        })
    }

    /// (Re)starts the session: controller to its power-up state, counters cleared, then `0x00`,
    /// `Hello` and `Ready`, numbered `seq` at `time_ns` (0 at power-up, the `Reset`'s after one).
    pub fn start<P: Port>(&mut self, seq: u32, time_ns: u64, port: &mut P) {
        // Settings were validated in `new`; a fresh controller from them cannot fail.
        if let Ok(controller) = Controller::new(&self.settings) {
            self.controller = controller;
        }
        self.decoder.reset_stats();
        self.decoder.reset_sequence();
        self.last_step = None;
        self.busy_from = self.busy_until;
        port.send(&[0]);
        self.send(
            port,
            Frame::new(seq, time_ns, Message::Hello(self.hello.clone())),
        );
        self.send(port, Frame::new(seq, time_ns, Message::Ready));
    }

    /// Takes one received byte; a completed frame is acted on at once.
    pub fn push_byte<P: Port>(&mut self, byte: u8, port: &mut P) {
        if byte == 0 {
            self.delimiters_seen = self.delimiters_seen.wrapping_add(1);
        }
        match self.decoder.push_byte(byte) {
            None => {}
            Some(Ok(received)) => self.on_frame(received.frame, port),
            Some(Err(_)) => {
                let dropped = self.decoder.stats().dropped();
                let report = ErrorReport::new(ErrorCode::BadFrame, saturate(dropped));
                self.send_error(port, report);
            }
        }
    }

    fn on_frame<P: Port>(&mut self, frame: Frame, port: &mut P) {
        self.last_rx = (frame.seq, frame.time_ns);
        match frame.message {
            Message::Sensor(sensor) => self.on_sensor(frame.seq, frame.time_ns, sensor, port),
            Message::Reset => self.start(frame.seq, frame.time_ns, port),
            Message::Error(_) => {}
            Message::Hello(_) | Message::Ready | Message::Actuator(_) => {
                let kind = frame.message.kind().code();
                let report = ErrorReport::new(ErrorCode::UnexpectedMessage, kind.into());
                self.send_error(port, report);
            }
        }
    }

    fn on_sensor<P: Port>(&mut self, seq: u32, time_ns: u64, sensor: Sensor, port: &mut P) {
        // Its delimiter arrived while the previous step ran: the board was busy (real-time
        // mode, rig faster than the board), so drop it.
        let number = self.delimiters_seen;
        let window = self.busy_until.wrapping_sub(self.busy_from);
        if number.wrapping_sub(self.busy_from).wrapping_sub(1) < window {
            self.send_error(port, ErrorReport::new(ErrorCode::Overrun, seq));
            return;
        }
        let missed = match &self.last_step {
            Some((last, wire)) => {
                let ahead = seq.wrapping_sub(*last);
                if ahead == 0 {
                    // The rig did not get our answer (or resent early): same answer, no step.
                    port.send(wire.as_bytes());
                    return;
                }
                if ahead > u32::MAX / 2 {
                    let kind = MessageKind::Sensor.code().into();
                    self.send_error(port, ErrorReport::new(ErrorCode::UnexpectedMessage, kind));
                    return;
                }
                ahead - 1
            }
            None => 0,
        };

        self.busy_from = port.delimiters_received();
        let actuator = self.step(sensor, time_ns);
        self.busy_until = port.delimiters_received();

        let wire = Wire::of(&Frame::new(seq, time_ns, Message::Actuator(actuator)));
        port.send(wire.as_bytes());
        self.last_step = Some((seq, wire));
        if missed > 0 {
            let report = ErrorReport::new(ErrorCode::SequenceGap, missed);
            self.send(port, Frame::new(seq, time_ns, Message::Error(report)));
        }
    }

    /// One control tick through the firmware's board HAL, the link standing in for the pins.
    fn step(&mut self, sensor: Sensor, time_ns: u64) -> Actuator {
        let mut motor = LinkMotor::default();
        let mut valve = LinkValve::default();
        // The link pins are infallible, so `run_tick` cannot return an error here.
        let telemetry = hal::run_tick(
            &mut self.controller,
            &mut LinkInputs(sensor),
            &mut motor,
            &mut valve,
            time_ns,
        )
        .unwrap_or_default();
        Actuator::from(&Outputs {
            motor_duty_permille: motor.duty_permille,
            valve_open: valve.open,
            telemetry,
        })
    }

    fn send_error<P: Port>(&mut self, port: &mut P, report: ErrorReport) {
        let (seq, time_ns) = self.last_rx;
        self.send(port, Frame::new(seq, time_ns, Message::Error(report)));
    }

    fn send<P: Port>(&mut self, port: &mut P, frame: Frame) {
        port.send(Wire::of(&frame).as_bytes());
    }
}

fn saturate(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
