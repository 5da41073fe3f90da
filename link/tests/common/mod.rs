//! Shared strategies and helpers for the link tests.
#![allow(dead_code)]

use proptest::prelude::*;
use pumprig_link::*;

/// `s` cut to at most `N` bytes at a character boundary.
pub fn fit<const N: usize>(s: &str) -> heapless::String<N> {
    let mut out = heapless::String::new();
    for c in s.chars() {
        if out.push(c).is_err() {
            break;
        }
    }
    out
}

pub fn arb_hello() -> impl Strategy<Value = Hello> {
    (any::<u16>(), ".{0,40}", ".{0,48}", any::<u16>()).prop_map(|(v, name, build, hz)| Hello {
        protocol_version: v,
        firmware_name: fit(&name),
        build_id: fit(&build),
        tick_hz: hz,
    })
}

pub fn arb_sensor() -> impl Strategy<Value = Sensor> {
    (any::<u16>(), any::<u8>(), any::<u16>()).prop_map(|(p, b, s)| Sensor {
        pressure_counts: p,
        buttons: b,
        supply_mv: s,
    })
}

pub fn arb_actuator() -> impl Strategy<Value = Actuator> {
    (
        any::<u16>(),
        any::<bool>(),
        any::<u8>(),
        any::<u8>(),
        any::<u8>(),
        any::<u16>(),
        any::<i16>(),
        any::<u16>(),
        any::<u16>(),
    )
        .prop_map(|(d, v, s, c, f, t, m, l, r)| Actuator {
            motor_duty_permille: d,
            valve_open: v,
            state: s,
            cycle_phase: c,
            fault: f,
            target_vacuum_dmmhg: t,
            measured_vacuum_dmmhg: m,
            level_vacuum_mmhg: l,
            cycles_per_min: r,
        })
}

pub fn arb_message() -> impl Strategy<Value = Message> {
    prop_oneof![
        arb_hello().prop_map(Message::Hello),
        Just(Message::Ready),
        arb_sensor().prop_map(Message::Sensor),
        arb_actuator().prop_map(Message::Actuator),
        Just(Message::Reset),
        (any::<u8>(), any::<u32>())
            .prop_map(|(code, detail)| Message::Error(ErrorReport { code, detail })),
    ]
}

pub fn arb_frame() -> impl Strategy<Value = Frame> {
    (any::<u32>(), any::<u64>(), arb_message()).prop_map(|(s, t, m)| Frame::new(s, t, m))
}

/// The wire bytes of `frame`.
pub fn wire(frame: &Frame) -> Vec<u8> {
    let mut out = [0u8; MAX_FRAME_LEN];
    let n = encode(frame, &mut out).expect("MAX_FRAME_LEN suffices");
    out[..n].to_vec()
}

/// A Sensor tick frame number `seq`.
pub fn tick(seq: u32) -> Frame {
    Frame::new(
        seq,
        u64::from(seq) * 1_000_000,
        Message::Sensor(Sensor {
            pressure_counts: (seq % 4096) as u16,
            buttons: 0,
            supply_mv: 5000,
        }),
    )
}

/// Everything a decoder yields for `bytes` fed in one chunk.
pub fn feed_all(rx: &mut StreamDecoder, bytes: &[u8]) -> Vec<Result<Received, FrameError>> {
    rx.feed(bytes).collect()
}

/// Independent reference COBS decoder (the textbook algorithm); `None` if invalid.
pub fn cobs_decode_reference(src: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < src.len() {
        let code = src[i] as usize;
        if code == 0 || i + code > src.len() {
            return None;
        }
        out.extend_from_slice(&src[i + 1..i + code]);
        i += code;
        if code < 0xFF && i < src.len() {
            out.push(0);
        }
    }
    Some(out)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}
