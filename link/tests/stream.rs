//! The streaming decoder: chunking, resync, counters, sequence tracking, garbage.

mod common;

use common::*;
use proptest::prelude::*;
use pumprig_link::*;

fn frames_of(items: &[Result<Received, FrameError>]) -> Vec<Frame> {
    items
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|r| r.frame.clone())
        .collect()
}

fn session() -> Vec<Frame> {
    vec![
        Frame::new(
            0,
            0,
            Message::Hello(Hello::new("pumprig-reference", "0f7cd40", 1000)),
        ),
        Frame::new(0, 0, Message::Ready),
        tick(1),
        Frame::new(
            1,
            1_000_000,
            Message::Actuator(Actuator {
                measured_vacuum_dmmhg: -3,
                ..Actuator::default()
            }),
        ),
        tick(2),
        Frame::new(
            2,
            2_000_000,
            Message::Error(ErrorReport::new(ErrorCode::Overrun, 2)),
        ),
        Frame::new(2, 2_000_000, Message::Reset),
    ]
}

#[test]
fn a_stream_split_at_every_boundary_decodes_the_same() {
    let frames = session();
    let bytes: Vec<u8> = frames.iter().flat_map(wire).collect();
    for i in 0..=bytes.len() {
        for j in i..=bytes.len() {
            let mut rx: StreamDecoder = StreamDecoder::new();
            let mut got = feed_all(&mut rx, &bytes[..i]);
            got.extend(feed_all(&mut rx, &bytes[i..j]));
            got.extend(feed_all(&mut rx, &bytes[j..]));
            assert!(got.iter().all(Result::is_ok), "split at {i}, {j}");
            assert_eq!(frames_of(&got), frames, "split at {i}, {j}");
            assert_eq!(rx.stats().frames, frames.len() as u64);
            assert_eq!(rx.stats().dropped(), 0);
        }
    }
    // Byte by byte.
    let mut rx: StreamDecoder = StreamDecoder::new();
    let got: Vec<_> = bytes.iter().flat_map(|b| rx.push_byte(*b)).collect();
    assert_eq!(frames_of(&got), frames);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn any_frames_in_any_chunks_come_out_in_order(
        frames in proptest::collection::vec(arb_frame(), 1..12),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..20),
    ) {
        let bytes: Vec<u8> = frames.iter().flat_map(wire).collect();
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c.index(bytes.len() + 1)).collect();
        cuts.push(0);
        cuts.push(bytes.len());
        cuts.sort_unstable();
        let mut rx: StreamDecoder = StreamDecoder::new();
        let mut got = Vec::new();
        for w in cuts.windows(2) {
            got.extend(feed_all(&mut rx, &bytes[w[0]..w[1]]));
        }
        prop_assert_eq!(frames_of(&got), frames);
        prop_assert_eq!(rx.stats().dropped(), 0);
    }
}

#[test]
fn a_corrupted_byte_is_caught_by_the_crc_and_the_next_frame_decodes() {
    let a = tick(1);
    let b = tick(2);
    let wa = wire(&a);
    let wb = wire(&b);
    // Byte 1 onwards, before the CRC, is payload (the first COBS block of these frames is long).
    for pos in 1..wa.len() - 1 {
        for flip in [0x01u8, 0x80, 0xFF, 0x5A] {
            let mut bad = wa.clone();
            bad[pos] ^= flip;
            if bad[pos] == 0 {
                continue; // a delimiter, not a corrupted byte: covered below
            }
            let mut rx: StreamDecoder = StreamDecoder::new();
            let mut got = feed_all(&mut rx, &bad);
            got.extend(feed_all(&mut rx, &wb));
            assert_eq!(
                frames_of(&got),
                std::slice::from_ref(&b),
                "pos {pos} flip {flip:#x}"
            );
            assert_eq!(rx.stats().dropped(), 1, "pos {pos} flip {flip:#x}");
            assert_eq!(rx.stats().bytes_discarded, (wa.len() - 1) as u64);
        }
    }
    // Flipping a data byte (not a COBS block length) is a CRC error specifically.
    let mut bad = wa.clone();
    bad[3] ^= 0x10;
    let mut rx: StreamDecoder = StreamDecoder::new();
    let got = feed_all(&mut rx, &[bad, wb.clone()].concat());
    assert_eq!(got[0], Err(FrameError::Crc));
    assert_eq!(rx.stats().crc_errors, 1);
    assert_eq!(frames_of(&got), std::slice::from_ref(&b));
    // A byte turned into 0x00 splits the frame: both halves are dropped, then b decodes.
    let mut bad = wa.clone();
    bad[4] = 0;
    let mut rx: StreamDecoder = StreamDecoder::new();
    let got = feed_all(&mut rx, &[bad, wb].concat());
    assert_eq!(frames_of(&got), [b]);
    assert_eq!(rx.stats().dropped(), 2);
}

#[test]
fn joining_the_stream_mid_frame_costs_one_frame_then_it_is_in_step() {
    let bytes: Vec<u8> = (1..=3).map(tick).flat_map(|f| wire(&f)).collect();
    let mut rx: StreamDecoder = StreamDecoder::new();
    let got = feed_all(&mut rx, &bytes[5..]);
    assert_eq!(frames_of(&got), [tick(2), tick(3)]);
    assert_eq!(rx.stats().dropped(), 1);
    rx.reset_stats();
    assert_eq!(*rx.stats(), LinkStats::default());
}

#[test]
fn dropped_and_duplicated_frames_show_as_gaps_and_duplicates() {
    let order = [1u32, 2, 3, 5, 5, 6, 9, 10, 4, 11];
    let bytes: Vec<u8> = order.iter().flat_map(|s| wire(&tick(*s))).collect();
    let mut rx: StreamDecoder = StreamDecoder::new();
    let got: Vec<_> = feed_all(&mut rx, &bytes)
        .into_iter()
        .map(|r| r.unwrap().seq)
        .collect();
    use SeqStatus::*;
    assert_eq!(
        got,
        [
            First,
            InOrder,
            InOrder,
            Gap { missed: 1 },
            Duplicate,
            InOrder,
            Gap { missed: 2 },
            InOrder,
            Duplicate, // 4 arrived late: a replay
            InOrder,
        ]
    );
    let s = rx.stats();
    assert_eq!((s.seq_gaps, s.frames_missed, s.seq_duplicates), (2, 3, 2));
    assert_eq!(s.frames, order.len() as u64);
}

#[test]
fn hello_and_reset_start_a_new_sequence_and_other_messages_are_untracked() {
    let mut rx: StreamDecoder = StreamDecoder::new();
    let hello = Frame::new(0, 0, Message::Hello(Hello::new("fw", "id", 1000)));
    let ready = Frame::new(0, 0, Message::Ready);
    let bytes: Vec<u8> = [tick(10), tick(11), hello, ready, tick(1), tick(2)]
        .iter()
        .flat_map(wire)
        .collect();
    let got: Vec<_> = feed_all(&mut rx, &bytes)
        .into_iter()
        .map(|r| r.unwrap().seq)
        .collect();
    use SeqStatus::*;
    assert_eq!(got, [First, InOrder, Untracked, Untracked, First, InOrder]);
    assert_eq!(rx.stats().seq_duplicates, 0);
    rx.reset_sequence();
    assert_eq!(rx.feed(&wire(&tick(7))).next().unwrap().unwrap().seq, First);
    // Sequence numbers wrap; a jump of more than half the range is a step back.
    let bytes: Vec<u8> = [u32::MAX - 1, 3]
        .iter()
        .flat_map(|s| wire(&tick(*s)))
        .collect();
    let got: Vec<_> = feed_all(&mut rx, &bytes)
        .into_iter()
        .map(|r| r.unwrap().seq)
        .collect();
    assert_eq!(got, [Duplicate, Duplicate]);
    rx.reset_sequence();
    let bytes: Vec<u8> = [u32::MAX - 1, u32::MAX, 1]
        .iter()
        .flat_map(|s| wire(&tick(*s)))
        .collect();
    let got: Vec<_> = feed_all(&mut rx, &bytes)
        .into_iter()
        .map(|r| r.unwrap().seq)
        .collect();
    assert_eq!(got, [First, InOrder, Gap { missed: 1 }]);
}

#[test]
fn an_oversize_frame_is_rejected_and_the_next_frame_decodes() {
    let mut rx: StreamDecoder = StreamDecoder::new();
    let mut bytes = vec![0x01u8; 5000];
    bytes.push(0);
    bytes.extend(wire(&tick(1)));
    let got = feed_all(&mut rx, &bytes);
    assert_eq!(got[0], Err(FrameError::Oversize));
    assert_eq!(frames_of(&got), [tick(1)]);
    assert_eq!(rx.stats().oversize, 1);
    assert_eq!(rx.stats().bytes_discarded, 5000);

    // Exactly at the limit is accepted, one byte more is not: a small receiver.
    let w = wire(&tick(1));
    let mut exact = StreamDecoder::<13>::new();
    assert_eq!(w.len(), 13);
    assert!(exact.feed(&w).next().unwrap().is_ok());
    let mut short = StreamDecoder::<12>::new();
    assert_eq!(short.feed(&w).next().unwrap(), Err(FrameError::Oversize));
    // A degenerate zero-sized receiver rejects everything without panicking.
    let mut none = StreamDecoder::<0>::new();
    assert_eq!(none.feed(&w).next().unwrap(), Err(FrameError::Oversize));
}

#[test]
fn empty_frames_are_ignored_and_a_partial_frame_can_be_cleared() {
    let mut rx: StreamDecoder = StreamDecoder::new();
    let w = wire(&tick(1));
    assert!(feed_all(&mut rx, &[0, 0, 0]).is_empty());
    assert!(feed_all(&mut rx, &w[..6]).is_empty());
    rx.clear_partial();
    assert_eq!(frames_of(&feed_all(&mut rx, &w)), [tick(1)]);
    assert_eq!(rx.stats().dropped(), 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// Random bytes in random chunks: no panic, and exactly the segments that are valid COBS
    /// with a good CRC and a decodable payload come out, checked against a reference decoder.
    #[test]
    fn garbage_never_panics_and_never_yields_a_frame_with_a_bad_crc(
        bytes in proptest::collection::vec(prop_oneof![3 => any::<u8>(), 1 => Just(0u8)], 0..600),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..8),
    ) {
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c.index(bytes.len() + 1)).collect();
        cuts.push(0);
        cuts.push(bytes.len());
        cuts.sort_unstable();
        let mut rx: StreamDecoder = StreamDecoder::new();
        let mut got = Vec::new();
        for w in cuts.windows(2) {
            got.extend(feed_all(&mut rx, &bytes[w[0]..w[1]]));
        }
        // Reference: every complete segment between delimiters.
        let complete = match bytes.iter().rposition(|b| *b == 0) { Some(i) => &bytes[..i], None => &[][..] };
        let mut expected = Vec::new();
        if bytes.contains(&0) {
            for seg in complete.split(|b| *b == 0).filter(|s| !s.is_empty()) {
                if seg.len() >= MAX_FRAME_LEN {
                    expected.push(Err(FrameError::Oversize));
                    continue;
                }
                let item = match cobs_decode_reference(seg) {
                    None => Err(FrameError::Cobs),
                    Some(raw) if raw.len() < 2 => Err(FrameError::Malformed),
                    Some(raw) if crc16(&raw) != 0 => Err(FrameError::Crc),
                    Some(_) => decode(seg),
                };
                expected.push(item);
            }
        }
        let got: Vec<_> = got.into_iter().map(|r| r.map(|r| r.frame)).collect();
        prop_assert_eq!(got, expected);
    }

    /// Valid frames buried in garbage: every frame that is delimited on both sides comes out.
    #[test]
    fn frames_between_garbage_are_found(
        frames in proptest::collection::vec(arb_frame(), 1..6),
        noise in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 6),
    ) {
        let mut bytes = Vec::new();
        for (f, n) in frames.iter().zip(&noise) {
            bytes.extend(n);
            bytes.push(0);
            bytes.extend(wire(f));
        }
        let mut rx: StreamDecoder = StreamDecoder::new();
        let got = feed_all(&mut rx, &bytes);
        let decoded = frames_of(&got);
        // Garbage may itself (rarely) contain a valid frame; the real ones all come out, in order.
        let mut it = decoded.iter();
        for f in &frames {
            prop_assert!(it.any(|d| d == f), "lost {:?}", f);
        }
    }
}
