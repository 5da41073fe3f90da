//! A streaming decoder: bytes in any chunks → frames, with resync and link-health counters.

use crate::codec::{FrameError, decode_in_place};
use crate::{Frame, MAX_FRAME_LEN, Message};

/// Link-health counters of one [`StreamDecoder`], since it was made or [`StreamDecoder::reset_stats`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct LinkStats {
    /// Frames decoded (valid CRC and payload), duplicates included.
    pub frames: u64,
    /// Frames dropped for a CRC mismatch.
    pub crc_errors: u64,
    /// Frames dropped for invalid COBS.
    pub cobs_errors: u64,
    /// Frames dropped because, CRC aside, they are not a frame (too short, or a payload that does
    /// not decode).
    pub malformed: u64,
    /// Frames dropped for being longer than the receive buffer.
    pub oversize: u64,
    /// Bytes thrown away with dropped frames (their delimiters not counted).
    pub bytes_discarded: u64,
    /// Times the tick sequence (Sensor / Actuator numbers) skipped ahead.
    pub seq_gaps: u64,
    /// Tick frames missing in those gaps, in total.
    pub frames_missed: u64,
    /// Tick frames that repeated or went back to an earlier sequence number.
    pub seq_duplicates: u64,
}

impl LinkStats {
    /// Frames dropped for any reason; after each, the decoder resynchronised at the next `0x00`.
    pub fn dropped(&self) -> u64 {
        self.crc_errors
            .saturating_add(self.cobs_errors)
            .saturating_add(self.malformed)
            .saturating_add(self.oversize)
    }
}

/// Where a received frame sits in the tick sequence.
///
/// Only tick frames ([`Message::Sensor`], [`Message::Actuator`]) are tracked; a
/// [`Message::Hello`] or [`Message::Reset`] starts a new session, so the next tick frame is
/// [`SeqStatus::First`] whatever its number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SeqStatus {
    /// Not a tick frame.
    Untracked,
    /// The first tick frame of a session.
    First,
    /// One more than the previous tick frame.
    InOrder,
    /// Ahead of the previous tick frame by more than one: `missed` frames never arrived.
    Gap {
        /// How many sequence numbers were skipped.
        missed: u32,
    },
    /// The same number as the previous tick frame, or an earlier one (a replay). The sequence
    /// position is unchanged.
    Duplicate,
}

/// A frame out of a [`StreamDecoder`], with its place in the tick sequence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    /// The decoded frame.
    pub frame: Frame,
    /// Gap, duplicate or in order, relative to the previous tick frame.
    pub seq: SeqStatus,
}

/// Decodes a byte stream into frames over a fixed buffer of `N` bytes: frames of up to `N` bytes
/// including the delimiter are accepted (default [`MAX_FRAME_LEN`]).
///
/// Feed it whatever the port returns, in any chunks. Every `0x00` ends a frame, so after
/// corrupted, lost or oversize bytes it is back in step at the next delimiter. Empty frames
/// (consecutive `0x00`s) are ignored: a sender may send a `0x00` to flush the receiver.
#[derive(Clone, Debug)]
pub struct StreamDecoder<const N: usize = MAX_FRAME_LEN> {
    buf: [u8; N],
    len: usize,
    /// Bytes of the current frame beyond the buffer were dropped; report at the delimiter.
    overflowed: bool,
    last_tick_seq: Option<u32>,
    stats: LinkStats,
}

impl<const N: usize> Default for StreamDecoder<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> StreamDecoder<N> {
    /// An empty decoder with zeroed counters.
    pub const fn new() -> Self {
        StreamDecoder {
            buf: [0; N],
            len: 0,
            overflowed: false,
            last_tick_seq: None,
            stats: LinkStats {
                frames: 0,
                crc_errors: 0,
                cobs_errors: 0,
                malformed: 0,
                oversize: 0,
                bytes_discarded: 0,
                seq_gaps: 0,
                frames_missed: 0,
                seq_duplicates: 0,
            },
        }
    }

    /// Decodes `chunk`: the returned iterator yields each frame (or frame error) completed in
    /// it, in order. Bytes are consumed as the iterator advances; a partial frame at the end of
    /// the chunk is kept for the next call. Drop the iterator early and the rest of the chunk is
    /// not read.
    pub fn feed<'d, 'c>(&'d mut self, chunk: &'c [u8]) -> Frames<'d, 'c, N> {
        Frames {
            decoder: self,
            chunk: chunk.iter(),
        }
    }

    /// Decodes one byte: `Some` when it completed a frame (or a dropped frame), else `None`.
    pub fn push_byte(&mut self, byte: u8) -> Option<Result<Received, FrameError>> {
        if byte != 0 {
            if self.overflowed {
                self.discard(1);
            } else if let Some(slot) = self
                .buf
                .get_mut(self.len)
                .filter(|_| self.len < N.saturating_sub(1))
            {
                *slot = byte;
                self.len = self.len.saturating_add(1);
            } else {
                self.overflowed = true;
                self.discard(self.len.saturating_add(1) as u64);
                self.len = 0;
            }
            return None;
        }
        if self.overflowed {
            self.overflowed = false;
            return Some(Err(self.count(FrameError::Oversize)));
        }
        if self.len == 0 {
            return None;
        }
        let len = core::mem::take(&mut self.len);
        let result = match self.buf.get_mut(..len) {
            Some(body) => decode_in_place(body),
            None => Err(FrameError::Oversize),
        };
        Some(match result {
            Ok(frame) => {
                self.stats.frames = self.stats.frames.saturating_add(1);
                let seq = self.track(&frame);
                Ok(Received { frame, seq })
            }
            Err(e) => {
                self.discard(len as u64);
                Err(self.count(e))
            }
        })
    }

    /// The counters so far.
    pub fn stats(&self) -> &LinkStats {
        &self.stats
    }

    /// Zeroes the counters (e.g. after the handshake, so bytes lost before it do not count).
    pub fn reset_stats(&mut self) {
        self.stats = LinkStats::default();
    }

    /// Forgets the tick sequence: the next tick frame is [`SeqStatus::First`].
    pub fn reset_sequence(&mut self) {
        self.last_tick_seq = None;
    }

    /// Drops a partially received frame (e.g. after reopening the port), silently.
    pub fn clear_partial(&mut self) {
        self.len = 0;
        self.overflowed = false;
    }

    fn discard(&mut self, bytes: u64) {
        self.stats.bytes_discarded = self.stats.bytes_discarded.saturating_add(bytes);
    }

    fn count(&mut self, e: FrameError) -> FrameError {
        let counter = match e {
            FrameError::Cobs => &mut self.stats.cobs_errors,
            FrameError::Crc => &mut self.stats.crc_errors,
            FrameError::Malformed => &mut self.stats.malformed,
            FrameError::Oversize => &mut self.stats.oversize,
        };
        *counter = counter.saturating_add(1);
        e
    }

    fn track(&mut self, frame: &Frame) -> SeqStatus {
        match frame.message {
            Message::Hello(_) | Message::Reset => {
                self.last_tick_seq = None;
                return SeqStatus::Untracked;
            }
            Message::Sensor(_) | Message::Actuator(_) => {}
            Message::Ready | Message::Error(_) => return SeqStatus::Untracked,
        }
        let Some(last) = self.last_tick_seq else {
            self.last_tick_seq = Some(frame.seq);
            return SeqStatus::First;
        };
        let ahead = frame.seq.wrapping_sub(last);
        if ahead == 0 || ahead > u32::MAX / 2 {
            self.stats.seq_duplicates = self.stats.seq_duplicates.saturating_add(1);
            return SeqStatus::Duplicate;
        }
        self.last_tick_seq = Some(frame.seq);
        let missed = ahead.saturating_sub(1);
        if missed == 0 {
            return SeqStatus::InOrder;
        }
        self.stats.seq_gaps = self.stats.seq_gaps.saturating_add(1);
        self.stats.frames_missed = self.stats.frames_missed.saturating_add(u64::from(missed));
        SeqStatus::Gap { missed }
    }
}

/// The frames completed by one chunk; see [`StreamDecoder::feed`].
#[derive(Debug)]
pub struct Frames<'d, 'c, const N: usize> {
    decoder: &'d mut StreamDecoder<N>,
    chunk: core::slice::Iter<'c, u8>,
}

impl<const N: usize> Iterator for Frames<'_, '_, N> {
    type Item = Result<Received, FrameError>;

    fn next(&mut self) -> Option<Self::Item> {
        for &byte in self.chunk.by_ref() {
            if let Some(item) = self.decoder.push_byte(byte) {
                return Some(item);
            }
        }
        None
    }
}
