//! A virtual bench board for tests and benchmarks: the reference firmware on a thread behind one
//! end of a raw pseudo-terminal pair, speaking pumprig-link exactly as docs/protocol.md says a
//! board must (Hello + Ready at start and after Reset, one step per new Sensor seq, the last
//! Actuator again for a repeated seq, Error bad_frame for a dropped frame) — and able to misbehave
//! on request ([`Faults`]): corrupt bytes either way, drop or duplicate its answers, reset itself
//! mid-run, close the port, announce another protocol version, or never answer.
//!
//! What it saw is returned by [`VirtualBoard::finish`] ([`BoardReport`]), so a test can prove
//! the rig recovered without a double step.

#![allow(dead_code)] // each test binary uses a part of it

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, IntoRawFd};
use std::thread::JoinHandle;
use std::time::Duration;

use pumprig_firmware as fw;
use pumprig_link::{
    Actuator, ErrorCode, ErrorReport, Frame, Hello, MAX_FRAME_LEN, Message, StreamDecoder, encode,
};
use serialport::{SerialPort, TTYPort};

/// What the board does wrong (all off by default: a well-behaved board).
#[derive(Clone, Debug)]
pub struct Faults {
    /// Send Hello + Ready as soon as it starts (a board that booted before the rig listened
    /// sends them to nobody: `false`, then only a Reset makes it talk).
    pub hello_at_start: bool,
    /// Protocol version announced in Hello.
    pub protocol_version: u16,
    /// tick_hz announced in Hello.
    pub tick_hz: u16,
    /// Flip a bit in every Nth Actuator frame it sends (the rig sees a CRC error).
    pub corrupt_tx_every: Option<u32>,
    /// Flip a bit in every Nth frame it receives (as line noise would; it reports bad_frame).
    pub corrupt_rx_every: Option<u32>,
    /// Do not send every Nth Actuator (lost on the wire).
    pub drop_every: Option<u32>,
    /// Send every Nth Actuator twice.
    pub duplicate_every: Option<u32>,
    /// On the Sensor with this seq: reset (new Hello + Ready) instead of answering.
    pub reset_at_seq: Option<u32>,
    /// On the Sensor with this seq: close the port.
    pub close_at_seq: Option<u32>,
    /// From the Sensor with this seq on: read but never answer.
    pub silent_from_seq: Option<u32>,
    /// Never send anything at all, not even Hello after a Reset (a dead or unflashed board).
    pub mute: bool,
    /// Answer every Sensor with a fixed Actuator at once (no firmware): the benchmark's board.
    pub echo: bool,
    /// Sleep this long before answering each Sensor (a slow board, for real-time misses).
    pub step_delay: Option<Duration>,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            hello_at_start: true,
            protocol_version: pumprig_link::PROTOCOL_VERSION,
            tick_hz: 1000,
            corrupt_tx_every: None,
            corrupt_rx_every: None,
            drop_every: None,
            duplicate_every: None,
            reset_at_seq: None,
            close_at_seq: None,
            silent_from_seq: None,
            mute: false,
            echo: false,
            step_delay: None,
        }
    }
}

/// What the board saw and did.
#[derive(Clone, Debug, Default)]
pub struct BoardReport {
    /// Control steps run (one per distinct Sensor seq).
    pub steps: u64,
    /// Sensor frames received, repeats included.
    pub sensors: u64,
    /// Sensors whose seq was the one just stepped: answered with the last Actuator again.
    pub repeats: u64,
    /// Frames it dropped as corrupted (and reported with Error bad_frame).
    pub bad_frames: u64,
    /// Resets received.
    pub resets: u64,
    /// Error frames received from the rig, (code, detail).
    pub errors_received: Vec<(u8, u32)>,
    /// Actuators it deliberately corrupted, dropped, duplicated.
    pub corrupted: u64,
    pub dropped: u64,
    pub duplicated: u64,
}

/// The board's thread. It runs until the rig closes its end of the pty; then
/// [`VirtualBoard::finish`] returns what it saw.
pub struct VirtualBoard {
    thread: Option<JoinHandle<BoardReport>>,
}

/// A raw pty pair: the rig's end (and its name) and a board on the other end.
pub fn spawn(faults: Faults) -> (Box<dyn SerialPort>, String, VirtualBoard) {
    // The rig gets the terminal side (/dev/pts/N), as with QEMU or a USB adapter; the board the
    // master side, which still reads what the rig wrote after the rig closed its end.
    let (board_end, rig_end) = TTYPort::pair().expect("a pseudo-terminal pair");
    let name = rig_end.name().unwrap_or_else(|| "pty pair".into());
    let thread = std::thread::Builder::new()
        .name("virtual-board".into())
        .spawn(move || run(board_end, faults))
        .expect("board thread");
    (
        Box::new(rig_end),
        name,
        VirtualBoard {
            thread: Some(thread),
        },
    )
}

impl VirtualBoard {
    /// Waits for the board to see the rig's end closed (drop the controller first) and
    /// returns what it saw.
    pub fn finish(mut self) -> BoardReport {
        self.thread
            .take()
            .expect("joined once")
            .join()
            .expect("the virtual board does not panic")
    }
}

impl Drop for VirtualBoard {
    fn drop(&mut self) {
        // The rig's end is closed by now (it was made after the board): the thread is ending.
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Board {
    port: File,
    faults: Faults,
    report: BoardReport,
    fw: fw::Controller,
    last_seq: Option<u32>,
    last: Frame,
    sent_actuators: u32,
    received_frames: u32,
}

fn run(port: TTYPort, faults: Faults) -> BoardReport {
    // Plain blocking reads on the master side: serialport's read fails on a hang-up even while
    // bytes are still waiting, and the board must read what the rig wrote before it closed its
    // end (an Error frame, the last Sensor). A read ends with EIO once the rig's end is closed
    // and everything was read, which is how the board stops.
    // SAFETY: the descriptor comes from `into_raw_fd`, so the File is its only owner.
    let port = unsafe { File::from_raw_fd(port.into_raw_fd()) };
    let mut b = Board {
        port,
        fw: fw::Controller::new(&fw::Settings::default()).expect("default settings"),
        faults,
        report: BoardReport::default(),
        last_seq: None,
        last: Frame::new(0, 0, Message::Ready),
        sent_actuators: 0,
        received_frames: 0,
    };
    if b.faults.hello_at_start {
        b.introduce(0, 0);
    }
    let mut rx: StreamDecoder = StreamDecoder::new();
    let mut buf = [0u8; 256];
    let mut in_frame = 0usize;
    loop {
        let n = match b.port.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        for byte in &mut buf[..n] {
            // Line noise on the way in: flip a bit in the 3rd byte of every Nth frame.
            if *byte == 0 {
                if in_frame > 0 {
                    b.received_frames += 1;
                }
                in_frame = 0;
            } else {
                in_frame += 1;
                if in_frame == 3
                    && b.faults
                        .corrupt_rx_every
                        .is_some_and(|k| (b.received_frames + 1) % k == 0)
                {
                    *byte = if *byte ^ 0x10 == 0 {
                        *byte ^ 0x01
                    } else {
                        *byte ^ 0x10
                    };
                }
            }
        }
        let mut frames = Vec::new();
        for item in rx.feed(&buf[..n]) {
            frames.push(item);
        }
        for item in frames {
            match item {
                Ok(r) => {
                    if !b.handle(r.frame) {
                        return b.report;
                    }
                }
                Err(_) => {
                    b.report.bad_frames += 1;
                    let detail = b.report.bad_frames as u32;
                    b.send(&Frame::new(
                        0,
                        0,
                        Message::Error(ErrorReport::new(ErrorCode::BadFrame, detail)),
                    ));
                }
            }
        }
    }
    b.report
}

impl Board {
    /// Handles one frame; false when the board is to close the port.
    fn handle(&mut self, frame: Frame) -> bool {
        match frame.message {
            Message::Reset => {
                self.report.resets += 1;
                self.introduce(frame.seq, frame.time_ns);
            }
            Message::Error(e) => self.report.errors_received.push((e.code, e.detail)),
            Message::Sensor(sensor) => {
                self.report.sensors += 1;
                let seq = frame.seq;
                if self.faults.close_at_seq == Some(seq) {
                    return false;
                }
                if self.faults.silent_from_seq.is_some_and(|s| seq >= s) {
                    return true;
                }
                if self.faults.reset_at_seq == Some(seq) && self.last_seq != Some(seq) {
                    self.faults.reset_at_seq = None;
                    self.introduce(0, 0);
                    return true;
                }
                if let Some(d) = self.faults.step_delay {
                    std::thread::sleep(d);
                }
                if self.last_seq == Some(seq) {
                    self.report.repeats += 1;
                } else {
                    let out = if self.faults.echo {
                        Actuator {
                            motor_duty_permille: 500,
                            ..Actuator::default()
                        }
                    } else {
                        self.report.steps += 1;
                        Actuator::from(&self.fw.step(&sensor.to_inputs(frame.time_ns)))
                    };
                    self.last_seq = Some(seq);
                    self.last = Frame::new(seq, frame.time_ns, Message::Actuator(out));
                }
                self.send_actuator();
            }
            _ => {}
        }
        true
    }

    fn introduce(&mut self, seq: u32, time_ns: u64) {
        self.fw = fw::Controller::new(&fw::Settings::default()).expect("default settings");
        self.last_seq = None;
        let mut hello = Hello::new("virtual-board", "test-build", self.faults.tick_hz);
        hello.protocol_version = self.faults.protocol_version;
        if !self.faults.mute {
            let _ = self.port.write_all(&[0]);
        }
        self.send(&Frame::new(seq, time_ns, Message::Hello(hello)));
        self.send(&Frame::new(seq, time_ns, Message::Ready));
    }

    fn send_actuator(&mut self) {
        if self.faults.mute {
            return;
        }
        self.sent_actuators += 1;
        let k = self.sent_actuators;
        let hit = |every: Option<u32>| every.is_some_and(|e| k % e == 0);
        if hit(self.faults.drop_every) {
            self.report.dropped += 1;
            return;
        }
        let mut wire = [0u8; MAX_FRAME_LEN];
        let n = encode(&self.last, &mut wire).expect("fits");
        if hit(self.faults.corrupt_tx_every) {
            self.report.corrupted += 1;
            wire[2] = if wire[2] ^ 0x10 == 0 {
                wire[2] ^ 0x01
            } else {
                wire[2] ^ 0x10
            };
        }
        let _ = self.port.write_all(&wire[..n]);
        if hit(self.faults.duplicate_every) {
            self.report.duplicated += 1;
            let n = encode(&self.last, &mut wire).expect("fits");
            let _ = self.port.write_all(&wire[..n]);
        }
    }

    fn send(&mut self, frame: &Frame) {
        if self.faults.mute {
            return;
        }
        let mut wire = [0u8; MAX_FRAME_LEN];
        let n = encode(frame, &mut wire).expect("fits");
        let _ = self.port.write_all(&wire[..n]);
    }
}
