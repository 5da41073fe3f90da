//! One frame to and from its wire bytes: round trips, sizes, layout invariants.

mod common;

use common::*;
use proptest::prelude::*;
use pumprig_link::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn every_frame_round_trips(frame in arb_frame()) {
        let w = wire(&frame);
        prop_assert_eq!(decode(&w), Ok(frame.clone()));
        // Without the delimiter too.
        prop_assert_eq!(decode(&w[..w.len() - 1]), Ok(frame.clone()));
        // One delimiter, at the end, and no other zero.
        prop_assert_eq!(w.last(), Some(&0));
        prop_assert!(!w[..w.len() - 1].contains(&0));
        prop_assert!(w.len() <= frame.message.kind().max_frame_len());
        prop_assert!(w.len() <= MAX_FRAME_LEN);
    }

    #[test]
    fn the_payload_starts_with_the_header_and_the_crc_trails_it(frame in arb_frame()) {
        let w = wire(&frame);
        let raw = cobs_decode_reference(&w[..w.len() - 1]).unwrap();
        let (payload, crc) = raw.split_at(raw.len() - 2);
        prop_assert_eq!(crc16(payload).to_be_bytes(), [crc[0], crc[1]]);
        // CRC-16/CCITT-FALSE residue: the CRC over payload + big-endian CRC is zero.
        prop_assert_eq!(crc16(&raw), 0);
        let mut buf = [0u8; MAX_FRAME_LEN];
        prop_assert_eq!(payload, &*postcard::to_slice(&frame, &mut buf).unwrap());
    }

    #[test]
    fn a_short_output_buffer_is_an_error_not_a_panic(frame in arb_frame(), len in 0usize..MAX_FRAME_LEN) {
        let mut out = vec![0u8; len];
        let need = wire(&frame).len();
        match encode(&frame, &mut out) {
            Ok(n) => prop_assert_eq!(n, need),
            Err(EncodeError::BufferTooSmall) => prop_assert!(len < need),
        }
    }
}

fn full(c: char, n: usize) -> String {
    std::iter::repeat_n(c, n).collect()
}

/// The largest frame of each kind: every varint at its longest, strings full.
fn worst_case(kind: MessageKind) -> Frame {
    let message = match kind {
        MessageKind::Hello => Message::Hello(Hello {
            protocol_version: u16::MAX,
            firmware_name: fit(&full('n', FIRMWARE_NAME_CAPACITY)),
            build_id: fit(&full('b', BUILD_ID_CAPACITY)),
            tick_hz: u16::MAX,
        }),
        MessageKind::Ready => Message::Ready,
        MessageKind::Sensor => Message::Sensor(Sensor {
            pressure_counts: u16::MAX,
            buttons: u8::MAX,
            supply_mv: u16::MAX,
        }),
        MessageKind::Actuator => Message::Actuator(Actuator {
            motor_duty_permille: u16::MAX,
            valve_open: true,
            state: u8::MAX,
            cycle_phase: u8::MAX,
            fault: u8::MAX,
            target_vacuum_dmmhg: u16::MAX,
            measured_vacuum_dmmhg: i16::MIN,
            level_vacuum_mmhg: u16::MAX,
            cycles_per_min: u16::MAX,
        }),
        MessageKind::Reset => Message::Reset,
        MessageKind::Error => Message::Error(ErrorReport {
            code: u8::MAX,
            detail: u32::MAX,
        }),
    };
    Frame::new(u32::MAX, u64::MAX, message)
}

#[test]
fn max_frame_len_is_reached_exactly_by_the_worst_case_of_each_kind() {
    for kind in MessageKind::ALL {
        let frame = worst_case(kind);
        assert_eq!(frame.message.kind(), kind);
        assert_eq!(wire(&frame).len(), kind.max_frame_len(), "{kind:?}");
    }
    assert_eq!(
        MAX_FRAME_LEN,
        MessageKind::ALL
            .iter()
            .map(|k| k.max_frame_len())
            .max()
            .unwrap()
    );
    // The figures docs/protocol.md states.
    let sizes: Vec<_> = MessageKind::ALL.iter().map(|k| k.max_frame_len()).collect();
    assert_eq!(sizes, [100, 20, 27, 39, 20, 26]);
}

#[test]
fn the_discriminant_after_the_header_is_the_message_kind_code() {
    for kind in MessageKind::ALL {
        // seq 0 and time 0 are one byte each, so the discriminant is the third payload byte.
        let frame = Frame::new(0, 0, worst_case(kind).message);
        let w = wire(&frame);
        let raw = cobs_decode_reference(&w[..w.len() - 1]).unwrap();
        assert_eq!(raw[2], kind.code());
        assert_eq!(MessageKind::from_code(kind.code()), Some(kind));
    }
    assert_eq!(MessageKind::from_code(6), None);
}

#[test]
fn error_codes_round_trip_and_unknown_codes_are_none() {
    for code in 0..=u8::MAX {
        if let Some(e) = ErrorCode::from_code(code) {
            assert_eq!(e.code(), code);
            assert!(!e.name().is_empty());
        }
    }
    assert_eq!(ErrorCode::from_code(0), None);
    assert_eq!(
        ErrorReport::new(ErrorCode::BadFrame, 3),
        ErrorReport { code: 2, detail: 3 }
    );
}

#[test]
fn hello_new_speaks_this_version_and_cuts_long_names_at_a_character() {
    let h = Hello::new(&full('é', 20), &full('x', 50), 1000);
    assert_eq!(h.protocol_version, PROTOCOL_VERSION);
    assert_eq!(h.firmware_name.len(), 32); // 16 two-byte characters
    assert_eq!(h.build_id.len(), BUILD_ID_CAPACITY);
}

#[test]
fn crc_is_ccitt_false() {
    assert_eq!(crc16(b"123456789"), 0x29B1);
    assert_eq!(crc16(b""), 0xFFFF);
}

#[test]
fn payload_errors_are_told_apart() {
    // Valid COBS, too short to hold a CRC.
    assert_eq!(decode(&[0x02, 0x11, 0x00]), Err(FrameError::Malformed));
    // Valid COBS and CRC, but discriminant 9 is no message.
    let mut raw = vec![0x00, 0x00, 0x09];
    raw.extend_from_slice(&crc16(&raw).to_be_bytes());
    let mut w = vec![0u8; 16];
    let n = cobs::encode(&raw, &mut w);
    assert_eq!(decode(&w[..n]), Err(FrameError::Malformed));
    // Valid frame plus a trailing byte under the CRC.
    let mut raw = vec![0x00, 0x00, 0x01, 0x07];
    raw.extend_from_slice(&crc16(&raw).to_be_bytes());
    let n = cobs::encode(&raw, &mut w);
    assert_eq!(decode(&w[..n]), Err(FrameError::Malformed));
    // A block length past the end.
    assert_eq!(decode(&[0x05, 0x11, 0x00]), Err(FrameError::Cobs));
    // A zero inside.
    assert_eq!(decode(&[0x02, 0x00, 0x11]), Err(FrameError::Cobs));
    assert_eq!(decode(&[]), Err(FrameError::Cobs));
    assert_eq!(decode(&[0x01; 200]), Err(FrameError::Oversize));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(5000))]

    /// Any bytes: no panic, and a frame comes out only if the bytes carry a valid CRC.
    #[test]
    fn decode_of_garbage_never_panics_nor_accepts_a_bad_crc(bytes in proptest::collection::vec(any::<u8>(), 0..160)) {
        if let Ok(frame) = decode(&bytes) {
            let body = match bytes.split_last() { Some((0, b)) => b, _ => &bytes[..] };
            let raw = cobs_decode_reference(body).expect("accepted bytes are valid COBS");
            prop_assert!(raw.len() >= 2);
            prop_assert_eq!(crc16(&raw), 0, "accepted a frame whose CRC fails");
            let _ = frame;
        }
    }
}
