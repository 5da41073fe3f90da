//! The rig's end of the wire: a serial port (a real UART, USB CDC, or a pseudo-terminal), the
//! pumprig-link frame encoder and stream decoder over it, and the link-health tally.
//!
//! Every read waits at most until a deadline given by the caller (wall clock, a watchdog only);
//! a closed port (the board or QEMU went away: end of file, hang-up, I/O error) is reported as
//! such, never waited on.

use std::io::{ErrorKind, Read, Write};
use std::time::{Duration, Instant};

use pumprig_link::{Frame, MAX_FRAME_LEN, Received, StreamDecoder, encode};
use serialport::SerialPort;

use super::health::{LinkHealth, Tally};

/// What a read produced.
pub(super) enum Incoming {
    /// A valid frame, with its place in the tick sequence.
    Frame(Received),
    /// A frame the decoder dropped (CRC, COBS, malformed, oversize); it is counted in the stats.
    Dropped,
}

/// Why no frame came.
pub(super) enum Silence {
    /// The deadline passed.
    Timeout,
    /// The port is gone: the reason.
    Closed(String),
}

/// A serial port speaking pumprig-link.
pub(super) struct Link {
    port: Box<dyn SerialPort>,
    /// For messages and the record.
    pub name: String,
    pub baud: u32,
    decoder: StreamDecoder,
    rx: Box<[u8; 512]>,
    rx_pos: usize,
    rx_len: usize,
    pub tally: Tally,
}

impl Link {
    pub fn new(port: Box<dyn SerialPort>, name: String, baud: u32) -> Self {
        Self {
            port,
            name,
            baud,
            decoder: StreamDecoder::new(),
            rx: Box::new([0; 512]),
            rx_pos: 0,
            rx_len: 0,
            tally: Tally::new(),
        }
    }

    /// Encodes and writes one frame.
    pub fn send(&mut self, frame: &Frame) -> Result<(), Silence> {
        let mut wire = [0u8; MAX_FRAME_LEN];
        let n = encode(frame, &mut wire).expect("every frame of the protocol fits MAX_FRAME_LEN");
        self.send_encoded(&wire[..n])
    }

    /// Writes one encoded frame (kept for resending: the same bytes go out again).
    pub fn send_encoded(&mut self, wire: &[u8]) -> Result<(), Silence> {
        self.write(wire)?;
        self.tally.frames_sent += 1;
        Ok(())
    }

    /// Writes one `0x00`: ends whatever half frame the board holds (before a Reset).
    pub fn send_flush(&mut self) -> Result<(), Silence> {
        self.write(&[0])
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), Silence> {
        // A write blocks only while the port's output buffer is full; bound it like a read.
        let _ = self.port.set_timeout(Duration::from_secs(2));
        match self.port.write_all(bytes) {
            Ok(()) => Ok(()),
            Err(e) => Err(Silence::Closed(format!("writing to {}: {e}", self.name))),
        }
    }

    /// The next frame (or dropped frame) received before `deadline`.
    pub fn recv(&mut self, deadline: Instant) -> Result<Incoming, Silence> {
        loop {
            while self.rx_pos < self.rx_len {
                let byte = self.rx[self.rx_pos];
                self.rx_pos += 1;
                match self.decoder.push_byte(byte) {
                    Some(Ok(r)) => return Ok(Incoming::Frame(r)),
                    Some(Err(_)) => return Ok(Incoming::Dropped),
                    None => {}
                }
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Silence::Timeout);
            }
            let _ = self.port.set_timeout(deadline - now);
            match self.port.read(&mut self.rx[..]) {
                Ok(0) => {
                    return Err(Silence::Closed(format!(
                        "{}: end of file (the board closed the port)",
                        self.name
                    )));
                }
                Ok(n) => {
                    self.rx_pos = 0;
                    self.rx_len = n;
                }
                Err(e) if e.kind() == ErrorKind::TimedOut => {}
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if e.kind() == ErrorKind::BrokenPipe => {
                    return Err(Silence::Closed(format!(
                        "{}: hung up (the board closed the port)",
                        self.name
                    )));
                }
                Err(e) => return Err(Silence::Closed(format!("reading {}: {e}", self.name))),
            }
        }
    }

    /// Starts a fresh count after the handshake: bytes lost before the board was listening, and
    /// the handshake's own frames, are not link errors of the run.
    pub fn start_counting(&mut self) {
        self.decoder.reset_stats();
        self.decoder.reset_sequence();
        self.tally = Tally::new();
    }

    pub fn health(&self, mode: &str) -> LinkHealth {
        self.tally
            .health(mode, &self.name, self.baud, self.decoder.stats())
    }
}
