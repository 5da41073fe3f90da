//! Unit tests of the board's protocol endpoint (`boards/lm3s6965/src/endpoint.rs`, compiled for
//! the host): every rule of docs/protocol.md's board side, against a fake port, with the answers
//! compared with the in-process controller. The QEMU smoke test covers the same rules end to end,
//! except overruns, which need a frame to arrive during a control step: only a fake port can
//! make that happen on purpose.

use std::cell::Cell;

use pumprig_firmware::{Buttons, Controller, Inputs, Settings};
use pumprig_link::{
    Actuator, ErrorCode, ErrorReport, Frame, MAX_FRAME_LEN, Message, PROTOCOL_VERSION,
    StreamDecoder, encode,
};

use crate::endpoint::{Endpoint, Port};

/// A serial port in memory. `arrive_during_step` frames' delimiters are counted between the
/// endpoint's two reads of the counter around a control step, as if they came in meanwhile.
#[derive(Default)]
struct FakePort {
    sent: Vec<u8>,
    delimiters: Cell<u32>,
    reads: Cell<u32>,
    arrive_during_step: Cell<u32>,
}

impl Port for FakePort {
    fn send(&mut self, bytes: &[u8]) {
        self.sent.extend_from_slice(bytes);
    }
    fn delimiters_received(&self) -> u32 {
        let reads = self.reads.get() + 1;
        self.reads.set(reads);
        // Reads come in pairs around a step: arrivals land between the first and second.
        if reads.is_multiple_of(2) {
            let n = self.arrive_during_step.replace(0);
            self.delimiters.set(self.delimiters.get().wrapping_add(n));
        }
        self.delimiters.get()
    }
}

struct Board {
    endpoint: Endpoint,
    port: FakePort,
    rx: StreamDecoder,
}

impl Board {
    fn power_up() -> Self {
        let mut endpoint = Endpoint::new(Settings::default(), "pumprig-reference", "test").unwrap();
        let mut port = FakePort::default();
        endpoint.start(0, 0, &mut port);
        Board {
            endpoint,
            port,
            rx: StreamDecoder::new(),
        }
    }

    /// Bytes arriving normally: counted on arrival, then read by the main loop.
    fn deliver(&mut self, bytes: &[u8]) -> Vec<Frame> {
        let delimiters = bytes.iter().filter(|&&b| b == 0).count() as u32;
        let counted = self.port.delimiters.get().wrapping_add(delimiters);
        self.port.delimiters.set(counted);
        self.read(bytes)
    }

    /// Bytes already counted (arrived during a step), now read by the main loop.
    fn read(&mut self, bytes: &[u8]) -> Vec<Frame> {
        for &b in bytes {
            self.endpoint.push_byte(b, &mut self.port);
        }
        self.answers()
    }

    fn answers(&mut self) -> Vec<Frame> {
        let sent = std::mem::take(&mut self.port.sent);
        self.rx
            .feed(&sent)
            .map(|r| r.expect("the board sends valid frames").frame)
            .collect()
    }

    fn send(&mut self, frame: &Frame) -> Vec<Frame> {
        self.deliver(&wire(frame))
    }
}

fn wire(frame: &Frame) -> Vec<u8> {
    let mut out = [0u8; MAX_FRAME_LEN];
    let n = encode(frame, &mut out).unwrap();
    out[..n].to_vec()
}

fn sensor(seq: u32, k: u64) -> (Frame, Inputs) {
    let inputs = Inputs {
        time_ns: k * 1_000_000,
        pressure_counts: 248 + (k % 7) as u16,
        buttons: Buttons(if (10..40).contains(&k) {
            Buttons::POWER
        } else {
            0
        }),
        supply_mv: 5000,
    };
    (Frame::from_inputs(seq, &inputs), inputs)
}

fn actuator(seq: u32, time_ns: u64, a: Actuator) -> Frame {
    Frame::new(seq, time_ns, Message::Actuator(a))
}

fn error(seq: u32, time_ns: u64, code: ErrorCode, detail: u32) -> Frame {
    Frame::new(seq, time_ns, Message::Error(ErrorReport::new(code, detail)))
}

/// Runs ticks `0..n` as seq `1..=n`, checking each answer against `reference`.
fn lockstep(board: &mut Board, reference: &mut Controller, ticks: std::ops::Range<u64>) {
    for k in ticks {
        let seq = k as u32 + 1;
        let (frame, inputs) = sensor(seq, k);
        let want = Actuator::from(&reference.step(&inputs));
        assert_eq!(
            board.send(&frame),
            vec![actuator(seq, inputs.time_ns, want)],
            "tick {k}"
        );
    }
}

#[test]
fn power_up_sends_flush_hello_and_ready() {
    let mut endpoint =
        Endpoint::new(Settings::default(), "pumprig-reference", "0.1.0+abc").unwrap();
    let mut port = FakePort::default();
    endpoint.start(0, 0, &mut port);
    assert_eq!(port.sent[0], 0, "a 0x00 flushes the receiver first");
    let frames: Vec<Frame> = StreamDecoder::<MAX_FRAME_LEN>::new()
        .feed(&port.sent)
        .map(|r| r.unwrap().frame)
        .collect();
    let Message::Hello(hello) = &frames[0].message else {
        panic!("{frames:?}")
    };
    assert_eq!(hello.protocol_version, PROTOCOL_VERSION);
    assert_eq!(hello.firmware_name.as_str(), "pumprig-reference");
    assert_eq!(hello.build_id.as_str(), "0.1.0+abc");
    assert_eq!(hello.tick_hz, 1000);
    assert_eq!(frames[1], Frame::new(0, 0, Message::Ready));
    assert_eq!(frames.len(), 2);
}

#[test]
fn each_sensor_is_one_step_equal_to_the_in_process_controller() {
    let mut board = Board::power_up();
    board.answers();
    let mut reference = Controller::new(&Settings::default()).unwrap();
    lockstep(&mut board, &mut reference, 0..600);
}

#[test]
fn a_duplicate_sensor_gets_the_same_answer_and_no_step() {
    let mut board = Board::power_up();
    board.answers();
    let mut reference = Controller::new(&Settings::default()).unwrap();
    lockstep(&mut board, &mut reference, 0..50);
    let (last, _) = sensor(50, 49);
    let first = board.send(&last);
    let again = board.send(&last);
    assert_eq!(again, first, "the same Actuator, byte for byte");
    assert!(matches!(
        again[..],
        [Frame {
            seq: 50,
            message: Message::Actuator(_),
            ..
        }]
    ));
    // Still in step with a controller that stepped once per tick.
    lockstep(&mut board, &mut reference, 50..100);
}

#[test]
fn a_gap_is_stepped_then_reported() {
    let mut board = Board::power_up();
    board.answers();
    let mut reference = Controller::new(&Settings::default()).unwrap();
    lockstep(&mut board, &mut reference, 0..5);
    let (frame, inputs) = sensor(9, 5);
    let want = Actuator::from(&reference.step(&inputs));
    assert_eq!(
        board.send(&frame),
        vec![
            actuator(9, inputs.time_ns, want),
            error(9, inputs.time_ns, ErrorCode::SequenceGap, 3)
        ]
    );
}

#[test]
fn a_stale_sensor_is_refused_without_a_step() {
    let mut board = Board::power_up();
    board.answers();
    let mut reference = Controller::new(&Settings::default()).unwrap();
    lockstep(&mut board, &mut reference, 0..20);
    let (stale, inputs) = sensor(3, 2);
    assert_eq!(
        board.send(&stale),
        vec![error(3, inputs.time_ns, ErrorCode::UnexpectedMessage, 2)]
    );
    lockstep(&mut board, &mut reference, 20..40);
}

#[test]
fn bad_frames_are_reported_with_their_count_since_restart() {
    let mut board = Board::power_up();
    board.answers();
    let (frame, _) = sensor(1, 0);
    let mut corrupt = wire(&frame);
    corrupt[2] ^= 0x01;
    for expected in 1..=3 {
        assert_eq!(
            board.deliver(&corrupt),
            vec![error(0, 0, ErrorCode::BadFrame, expected)]
        );
    }
    // Too long for any frame: also a bad frame.
    let mut long = vec![0x55u8; MAX_FRAME_LEN + 5];
    long.push(0);
    assert_eq!(
        board.deliver(&long),
        vec![error(0, 0, ErrorCode::BadFrame, 4)]
    );
    // A Reset restarts the count.
    board.send(&Frame::new(5, 0, Message::Reset));
    assert_eq!(
        board.deliver(&corrupt),
        vec![error(5, 0, ErrorCode::BadFrame, 1)]
    );
}

#[test]
fn messages_the_board_does_not_take_are_named_and_errors_are_not_answered() {
    let mut board = Board::power_up();
    board.answers();
    for (message, kind) in [
        (Message::Ready, 1),
        (Message::Actuator(Actuator::default()), 3),
    ] {
        assert_eq!(
            board.send(&Frame::new(7, 8, message)),
            vec![error(7, 8, ErrorCode::UnexpectedMessage, kind)]
        );
    }
    let report = ErrorReport::new(ErrorCode::UnsupportedVersion, 2);
    assert!(
        board
            .send(&Frame::new(1, 0, Message::Error(report)))
            .is_empty()
    );
}

#[test]
fn reset_restarts_the_controller_and_the_sequence() {
    let mut board = Board::power_up();
    board.answers();
    let mut reference = Controller::new(&Settings::default()).unwrap();
    lockstep(&mut board, &mut reference, 0..300);
    let answer = board.send(&Frame::new(42, 7, Message::Reset));
    assert!(matches!(answer[0].message, Message::Hello(_)), "{answer:?}");
    assert_eq!((answer[0].seq, answer[0].time_ns), (42, 7));
    assert_eq!(answer[1], Frame::new(42, 7, Message::Ready));
    // Numbering starts again at 1 (no stale refusal) on a controller fresh from power-up.
    let mut fresh = Controller::new(&Settings::default()).unwrap();
    lockstep(&mut board, &mut fresh, 0..300);
}

#[test]
fn a_sensor_arriving_during_a_step_is_an_overrun_and_later_ones_step() {
    let mut board = Board::power_up();
    board.answers();
    let mut reference = Controller::new(&Settings::default()).unwrap();
    lockstep(&mut board, &mut reference, 0..10);

    // Tick 10 is stepped; tick 11's Sensor arrives meanwhile.
    let (s10, i10) = sensor(11, 10);
    let (s11, i11) = sensor(12, 11);
    board.port.arrive_during_step.set(1);
    let want10 = Actuator::from(&reference.step(&i10));
    assert_eq!(board.send(&s10), vec![actuator(11, i10.time_ns, want10)]);
    assert_eq!(
        board.read(&wire(&s11)),
        vec![error(12, i11.time_ns, ErrorCode::Overrun, 12)],
        "dropped, not stepped, and named by its seq"
    );
    // The next one arrives while the board is idle: stepped, and the dropped tick shows as a
    // gap of one from the board's side.
    let (s12, i12) = sensor(13, 12);
    let want12 = Actuator::from(&reference.step(&i12));
    assert_eq!(
        board.send(&s12),
        vec![
            actuator(13, i12.time_ns, want12),
            error(13, i12.time_ns, ErrorCode::SequenceGap, 1)
        ]
    );
}

#[test]
fn a_sensor_arriving_after_the_step_is_not_an_overrun() {
    // Lockstep: the rig sends the next Sensor as soon as it has the Actuator, possibly before
    // the board has read the counter again; only arrivals during the step itself are overruns.
    let mut board = Board::power_up();
    board.answers();
    let mut reference = Controller::new(&Settings::default()).unwrap();
    lockstep(&mut board, &mut reference, 0..10);
    let (s10, i10) = sensor(11, 10);
    let want10 = Actuator::from(&reference.step(&i10));
    assert_eq!(board.send(&s10), vec![actuator(11, i10.time_ns, want10)]);
    lockstep(&mut board, &mut reference, 11..20);
}
