//! Smoke test of the LM3S6965 board image, from the host: boots the ELF in QEMU
//! (`lm3s6965evb`, UART0 on a pty), opens the pty raw, and talks docs/protocol.md to it:
//!
//! 1. `Reset` (the power-up `Hello` went to nobody), then `Hello` and `Ready`;
//! 2. lockstep: `--ticks` `Sensor` frames from a toy kit (pump fills, valve vents, POWER and
//!    LETDOWN presses), every `Actuator` compared field by field with the in-process
//!    `pumprig_firmware::Controller` stepped on the same inputs, and the round trips timed;
//! 3. the protocol's corner cases: a duplicate `Sensor` (same answer, no second step), a sequence
//!    gap, a corrupted frame, a message the board does not take, a stale `Sensor`, and a `Reset`
//!    mid-run (the controller restarts from power-up).
//!
//! Exit code 0 when everything matched, 1 on the first mismatch or a silent board, 2 on bad use.
//! Usage: `pumprig-board-smoke [ELF] [--ticks N]` (ELF defaults to the release image), or
//! `pumprig-board-smoke --port /dev/ttyUSB1` for a board that is already running (a real one).

// The board's protocol endpoint, compiled for the host from the image's own source files, for
// unit tests of what QEMU cannot force deterministically (overruns) and quick checks of the rest.
#[cfg(test)]
#[path = "../../src/endpoint.rs"]
mod endpoint;
#[cfg(test)]
mod endpoint_tests;
#[cfg(test)]
#[path = "../../src/pins.rs"]
mod pins;

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use clap::Parser;
use pumprig_firmware::{Buttons, Controller, Inputs, Settings};
use pumprig_link::{
    Actuator, ErrorCode, Frame, MAX_FRAME_LEN, Message, PROTOCOL_VERSION, Sensor, StreamDecoder,
    encode,
};
use serialport::TTYPort;

const DEFAULT_ELF: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../target/thumbv7m-none-eabi/release/pumprig-board-lm3s6965"
);
/// Watchdog for one answer, wall clock. QEMU answers in well under a millisecond; this only
/// bounds a dead board.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(5);
/// Wait for the `Hello` answering a `Reset` before sending the `Reset` again.
const RESET_RETRY: Duration = Duration::from_millis(250);
/// Simulated time per tick at the firmware's default 1 kHz.
const TICK_NS: u64 = 1_000_000;

type Result<T> = std::result::Result<T, String>;

/// QEMU running the image; killed when dropped, also on failure.
struct Qemu(Child);

impl Drop for Qemu {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts QEMU with UART0 on a new pty and returns it with the pty's path.
fn start_qemu(elf: &Path) -> Result<(Qemu, String)> {
    let mut child = Command::new("qemu-system-arm")
        .args(["-cpu", "cortex-m3", "-M", "lm3s6965evb", "-display", "none"])
        .args(["-monitor", "none", "-serial", "pty", "-kernel"])
        .arg(elf)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start qemu-system-arm: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout from QEMU")?;
    let qemu = Qemu(child);
    // QEMU prints `char device redirected to /dev/pts/N (label serial0)`; read it on a thread
    // so a QEMU that prints nothing cannot hang us.
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(|l| l.ok()) {
            if let Some(rest) = line.split("redirected to ").nth(1) {
                let path = rest
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_string();
                let _ = tx.send(path);
                return;
            }
        }
    });
    let pty = rx.recv_timeout(Duration::from_secs(10)).map_err(|_| {
        format!(
            "QEMU did not report its pty (is {} an image?)",
            elf.display()
        )
    })?;
    Ok((qemu, pty))
}

/// The rig's end of the link, as small as a test needs.
struct Link {
    port: TTYPort,
    decoder: StreamDecoder,
    pending: VecDeque<Frame>,
}

impl Link {
    fn open(pty: &str, baud: u32) -> Result<Self> {
        // serialport puts the tty in raw mode (cfmakeraw): no echo, no CR/LF or 0x00 mangling.
        let port = serialport::new(pty, baud)
            .timeout(Duration::from_millis(20))
            .open_native()
            .map_err(|e| format!("cannot open {pty}: {e}"))?;
        Ok(Link {
            port,
            decoder: StreamDecoder::new(),
            pending: VecDeque::new(),
        })
    }

    fn send(&mut self, frame: &Frame) -> Result<()> {
        self.send_raw(&wire(frame))
    }

    fn send_raw(&mut self, bytes: &[u8]) -> Result<()> {
        self.port
            .write_all(bytes)
            .map_err(|e| format!("write: {e}"))
    }

    /// The next frame from the board, or an error after [`ANSWER_TIMEOUT`].
    fn recv(&mut self) -> Result<Frame> {
        self.recv_within(ANSWER_TIMEOUT)
    }

    /// The next frame from the board, or an error after `timeout`.
    fn recv_within(&mut self, timeout: Duration) -> Result<Frame> {
        let deadline = Instant::now() + timeout;
        let mut buf = [0u8; 256];
        loop {
            if let Some(frame) = self.pending.pop_front() {
                return Ok(frame);
            }
            if Instant::now() > deadline {
                return Err(format!("board silent for {timeout:?}"));
            }
            let n = match self.port.read(&mut buf) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => 0,
                Err(e) => return Err(format!("read: {e}")),
            };
            for item in self.decoder.feed(&buf[..n]) {
                let received = item.map_err(|e| format!("bad frame from the board: {e}"))?;
                self.pending.push_back(received.frame);
            }
        }
    }

    /// The next frame, which must be an `Actuator` for `seq`.
    fn recv_actuator(&mut self, seq: u32) -> Result<Actuator> {
        match self.recv()? {
            Frame {
                seq: s,
                message: Message::Actuator(a),
                ..
            } if s == seq => Ok(a),
            other => Err(format!("expected Actuator seq {seq}, got {other:?}")),
        }
    }

    /// The next frame, which must be an `Error` with `code` and `detail`.
    fn expect_error(&mut self, code: ErrorCode, detail: u32) -> Result<()> {
        match self.recv()? {
            Frame {
                message: Message::Error(e),
                ..
            } if e.code == code.code() && e.detail == detail => Ok(()),
            other => Err(format!(
                "expected Error {} detail {detail}, got {other:?}",
                code.name()
            )),
        }
    }

    /// Sends `Reset` numbered `seq` and waits for the `Hello` and `Ready` answering it.
    ///
    /// Bytes sent before QEMU connects its pty, or before the board's UART is up, may be lost
    /// or may be delivered late (docs/protocol.md, "Handshake"), so an unanswered `Reset` is
    /// sent again, each time with the next number, and only the `Hello` echoing the last
    /// `Reset` sent counts: the board answers the earlier ones first, if it got them.
    fn reset(&mut self, seq: u32) -> Result<pumprig_link::Hello> {
        let deadline = Instant::now() + ANSWER_TIMEOUT;
        let mut last = seq;
        self.send(&Frame::new(last, 0, Message::Reset))?;
        let mut retry_at = Instant::now() + RESET_RETRY;
        let hello = loop {
            let left = retry_at.saturating_duration_since(Instant::now());
            match self.recv_within(left.max(Duration::from_millis(1))) {
                Ok(Frame {
                    seq: s,
                    message: Message::Hello(h),
                    ..
                }) if s == last => break h,
                // Answer to an earlier attempt: the board is up and will answer the last one.
                Ok(Frame {
                    seq: s,
                    message: Message::Hello(_),
                    ..
                }) if s.wrapping_sub(seq) < last.wrapping_sub(seq) => {
                    retry_at = deadline;
                }
                Ok(_) => {}
                Err(_) if Instant::now() < deadline => {
                    last = last.wrapping_add(1);
                    self.send(&Frame::new(last, 0, Message::Reset))?;
                    retry_at = Instant::now() + RESET_RETRY;
                }
                Err(_) => {
                    return Err(format!(
                        "no Hello within {ANSWER_TIMEOUT:?} of sending Reset"
                    ));
                }
            }
        };
        match self.recv()?.message {
            Message::Ready => Ok(hello),
            other => Err(format!("expected Ready after Hello, got {other:?}")),
        }
    }
}

fn wire(frame: &Frame) -> Vec<u8> {
    let mut out = [0u8; MAX_FRAME_LEN];
    let n = encode(frame, &mut out).expect("MAX_FRAME_LEN holds any frame");
    out[..n].to_vec()
}

/// A crude kit for driving the controller through its states: the pump pulls towards 320 mmHg
/// in proportion to duty, the open valve vents fast, a small leak otherwise; the transducer
/// adds a deterministic ±2-count dither so the stuck-sensor check sees a live sensor.
struct ToyKit {
    vacuum_mmhg: f64,
    dither: u32,
}

impl ToyKit {
    fn counts(&mut self) -> u16 {
        self.dither = self
            .dither
            .wrapping_mul(1_664_525)
            .wrapping_add(1_013_904_223);
        let dither = i64::from(self.dither >> 29) - 3; // -3..=4
        let counts = (248.0 + self.vacuum_mmhg * 9.93).round() as i64 + dither.clamp(-2, 2);
        counts.clamp(0, 4095) as u16
    }

    fn step(&mut self, duty_permille: u16, valve_open: bool) {
        let pump = 4.0 * f64::from(duty_permille) / 1000.0 * (320.0 - self.vacuum_mmhg);
        let loss = if valve_open { 40.0 } else { 0.3 } * self.vacuum_mmhg;
        self.vacuum_mmhg = (self.vacuum_mmhg + (pump - loss) * 1e-3).max(0.0);
    }
}

/// Buttons held at tick `k`: POWER at 0.1 s, LETDOWN (switch to expression) at 5 s, LEVEL_UP
/// at 8 s, each for 40 ms.
fn buttons_at(k: u64) -> Buttons {
    let held = |from: u64| (from..from + 40).contains(&k);
    let mut bits = 0;
    if held(100) {
        bits |= Buttons::POWER;
    }
    if held(5_000) {
        bits |= Buttons::LETDOWN;
    }
    if held(8_000) {
        bits |= Buttons::LEVEL_UP;
    }
    Buttons(bits)
}

/// Both sides of the comparison: the board over the link and the same firmware in-process.
struct Pair {
    link: Link,
    reference: Controller,
    kit: ToyKit,
    /// Next `seq` to send and next tick index.
    seq: u32,
    tick: u64,
    /// The last `Sensor` sent and the `Actuator` that answered it.
    last: Option<(Frame, Actuator)>,
}

impl Pair {
    /// Inputs for the current tick from the toy kit.
    fn inputs(&mut self) -> Inputs {
        Inputs {
            time_ns: self.tick * TICK_NS,
            pressure_counts: self.kit.counts(),
            buttons: buttons_at(self.tick),
            supply_mv: 5000,
        }
    }

    /// One lockstep tick: Sensor out, Actuator back, compared with the in-process step.
    fn tick(&mut self) -> Result<Actuator> {
        let inputs = self.inputs();
        self.tick_with(inputs)
    }

    /// [`Pair::tick`] with given inputs (to resend a frame whose first copy was corrupted).
    fn tick_with(&mut self, inputs: Inputs) -> Result<Actuator> {
        let frame = Frame::from_inputs(self.seq, &inputs);
        self.link.send(&frame)?;
        let got = self.link.recv_actuator(self.seq)?;
        self.check(&inputs, got)?;
        self.last = Some((frame, got));
        self.seq = self.seq.wrapping_add(1);
        self.tick += 1;
        Ok(got)
    }

    fn check(&mut self, inputs: &Inputs, got: Actuator) -> Result<()> {
        let want = Actuator::from(&self.reference.step(inputs));
        if got != want {
            return Err(format!(
                "tick {} (seq {}): board {got:?} != in-process {want:?}",
                self.tick, self.seq
            ));
        }
        self.kit.step(got.motor_duty_permille, got.valve_open);
        Ok(())
    }
}

fn run(mut link: Link, ticks: u64) -> Result<()> {
    let connecting = Instant::now();
    let hello = link.reset(0x00C0_FFEE)?;
    let handshake = connecting.elapsed();
    let settings = Settings::default();
    if hello.protocol_version != PROTOCOL_VERSION
        || hello.firmware_name.as_str() != pumprig_firmware::NAME
        || hello.tick_hz != settings.tick_hz
    {
        return Err(format!("unexpected Hello {hello:?}"));
    }
    println!(
        "handshake in {:.0} ms: {} build {} at {} Hz, protocol {}",
        handshake.as_secs_f64() * 1e3,
        hello.firmware_name,
        hello.build_id,
        hello.tick_hz,
        hello.protocol_version
    );

    let mut pair = Pair {
        link,
        reference: Controller::new(&settings).map_err(|e| e.to_string())?,
        kit: ToyKit {
            vacuum_mmhg: 0.0,
            dither: 1,
        },
        seq: 1,
        tick: 0,
        last: None,
    };

    // Lockstep, timed.
    let started = Instant::now();
    let mut states = [0u64; 4];
    for _ in 0..ticks {
        let a = pair.tick()?;
        states[usize::from(a.state.min(3))] += 1;
    }
    let elapsed = started.elapsed();
    let rate = ticks as f64 / elapsed.as_secs_f64();
    println!(
        "lockstep: {ticks} ticks equal to in-process; {rate:.0} round trips/s \
         ({:.1} us each, {:.2}x real time at 1 kHz); ticks idle/stim/expr/fault = {states:?}",
        1e6 / rate,
        rate / 1000.0
    );

    // Duplicate: the same Sensor again gets the same Actuator and no second step (the next
    // ticks still match the in-process controller, which stepped once).
    let (last, answered) = pair.last.clone().ok_or("no tick ran")?;
    pair.link.send(&last)?;
    let again = pair.link.recv_actuator(last.seq)?;
    if again != answered {
        return Err(format!(
            "duplicate Sensor answered {again:?}, first answer {answered:?}"
        ));
    }
    for _ in 0..20 {
        pair.tick()?;
    }
    println!("duplicate Sensor: the same Actuator again, and no second step");

    // Gap: skip two numbers; the board steps and then reports them missing.
    pair.seq = pair.seq.wrapping_add(2);
    pair.tick()?;
    pair.link.expect_error(ErrorCode::SequenceGap, 2)?;
    println!("sequence gap of 2: stepped, Error sequence_gap 2");

    // Corrupted frame: one byte flipped; the board says bad_frame and takes the good copy.
    let inputs = pair.inputs();
    let mut bytes = wire(&Frame::from_inputs(pair.seq, &inputs));
    bytes[3] ^= 0x10;
    pair.link.send_raw(&bytes)?;
    pair.link.expect_error(ErrorCode::BadFrame, 1)?;
    pair.tick_with(inputs)?;
    println!("corrupted frame: Error bad_frame 1, then the resent frame stepped");

    // A message the rig never sends: unexpected_message naming its kind.
    pair.link.send(&Frame::new(pair.seq, 0, Message::Ready))?;
    pair.link.expect_error(ErrorCode::UnexpectedMessage, 1)?;
    // A stale Sensor (older than the last stepped): refused, not stepped.
    let stale = Frame::new(
        pair.seq.wrapping_sub(10),
        0,
        Message::Sensor(Sensor::default()),
    );
    pair.link.send(&stale)?;
    pair.link.expect_error(ErrorCode::UnexpectedMessage, 2)?;
    for _ in 0..20 {
        pair.tick()?;
    }
    println!("Ready from the rig and a stale Sensor: Error unexpected_message, no step");

    // Reset mid-run: Hello and Ready again, and the controller starts from power-up.
    pair.link.reset(77)?;
    pair.reference = Controller::new(&settings).map_err(|e| e.to_string())?;
    pair.kit = ToyKit {
        vacuum_mmhg: 0.0,
        dither: 7,
    };
    pair.seq = 1;
    pair.tick = 0;
    for _ in 0..2_000 {
        pair.tick()?;
    }
    println!("Reset mid-run: Hello/Ready, then 2000 ticks equal to a fresh in-process controller");
    Ok(())
}

/// Smoke test of the pumprig LM3S6965 board image: lockstep against the in-process controller,
/// then the protocol's corner cases.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Board image to boot in QEMU.
    #[arg(default_value = DEFAULT_ELF)]
    elf: PathBuf,
    /// Lockstep ticks to compare (1 ms of simulated time each).
    #[arg(long, default_value_t = 20_000)]
    ticks: u64,
    /// Talk to a board already running on this serial port (a real board, or QEMU started by
    /// hand) instead of starting QEMU.
    #[arg(long)]
    port: Option<String>,
    /// Baud rate with --port (the image's UART0 runs at 921600).
    #[arg(long, default_value_t = 921_600)]
    baud: u32,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match &args.port {
        Some(port) => Link::open(port, args.baud).and_then(|link| run(link, args.ticks)),
        None if !args.elf.is_file() => {
            eprintln!(
                "error: no board image at {} (build it: cargo build --release in boards/lm3s6965)",
                args.elf.display()
            );
            return ExitCode::from(2);
        }
        None => start_qemu(&args.elf).and_then(|(_qemu, pty)| {
            println!("QEMU up, UART0 on {pty}");
            run(Link::open(&pty, 115_200)?, args.ticks)
        }),
    };
    match result {
        Ok(()) => {
            println!("board smoke test: PASS");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("board smoke test: FAIL: {e}");
            ExitCode::FAILURE
        }
    }
}
