//! One frame to and from its wire bytes: postcard payload, CRC-16 appended, COBS, `0x00`.

use crc::{CRC_16_IBM_3740, Crc};

use crate::{Frame, MAX_FRAME_LEN};

/// CRC-16/CCITT-FALSE (catalogue name CRC-16/IBM-3740): poly 0x1021, init 0xFFFF, no
/// reflection, xorout 0. Check value over ASCII `123456789`: 0x29B1.
const CRC16: Crc<u16> = Crc::<u16>::new(&CRC_16_IBM_3740);

/// Bytes of the CRC trailer.
const CRC_LEN: usize = 2;

/// CRC-16/CCITT-FALSE of `bytes` (poly 0x1021, init 0xFFFF, not reflected, xorout 0), the
/// checksum a frame carries over its payload.
pub fn crc16(bytes: &[u8]) -> u16 {
    CRC16.checksum(bytes)
}

/// Why a frame could not be encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodeError {
    /// The output buffer is shorter than the encoded frame; [`MAX_FRAME_LEN`] always suffices.
    BufferTooSmall,
}

impl core::fmt::Display for EncodeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            EncodeError::BufferTooSmall => f.write_str("output buffer too small for the frame"),
        }
    }
}

impl core::error::Error for EncodeError {}

/// Why bytes between two delimiters are not a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FrameError {
    /// Not valid COBS (a block length points past the end of the frame, or a `0x00` inside).
    Cobs,
    /// The CRC over the payload does not match the CRC trailer.
    Crc,
    /// Too short to hold a CRC trailer, or the CRC matched but the payload is not a valid
    /// [`Frame`] (unknown message, bad varint, bool not 0/1, string too long or not UTF-8,
    /// trailing bytes).
    Malformed,
    /// Longer than the receiver's buffer ([`MAX_FRAME_LEN`] for a default receiver).
    Oversize,
}

impl core::fmt::Display for FrameError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            FrameError::Cobs => "invalid COBS encoding",
            FrameError::Crc => "CRC mismatch",
            FrameError::Malformed => "malformed payload",
            FrameError::Oversize => "frame longer than the receive buffer",
        })
    }
}

impl core::error::Error for FrameError {}

/// Encodes `frame` into `out` as it goes on the wire (COBS, then the `0x00` delimiter) and
/// returns the number of bytes written. `out` of [`MAX_FRAME_LEN`] bytes always suffices.
pub fn encode(frame: &Frame, out: &mut [u8]) -> Result<usize, EncodeError> {
    // Raw frame: postcard payload followed by its CRC, at most MAX_FRAME_LEN - 2 bytes
    // (COBS adds 1, the delimiter 1); a scratch of MAX_FRAME_LEN is ample.
    let mut raw = [0u8; MAX_FRAME_LEN];
    let payload_len = {
        let payload_room = raw
            .get_mut(..MAX_FRAME_LEN.saturating_sub(CRC_LEN))
            .ok_or(EncodeError::BufferTooSmall)?;
        postcard::to_slice(frame, payload_room)
            .map_err(|_| EncodeError::BufferTooSmall)?
            .len()
    };
    let raw_len = payload_len.saturating_add(CRC_LEN);
    let (payload, trailer) = raw.split_at_mut(payload_len);
    let crc = crc16(payload).to_be_bytes();
    trailer
        .get_mut(..CRC_LEN)
        .ok_or(EncodeError::BufferTooSmall)?
        .copy_from_slice(&crc);
    let raw = raw.get(..raw_len).ok_or(EncodeError::BufferTooSmall)?;

    let encoded_len = cobs::try_encode(raw, out).map_err(|_| EncodeError::BufferTooSmall)?;
    *out.get_mut(encoded_len)
        .ok_or(EncodeError::BufferTooSmall)? = 0;
    Ok(encoded_len.saturating_add(1))
}

/// Decodes one frame from its wire bytes (the COBS bytes, with or without the trailing `0x00`
/// delimiter). For a byte stream use [`crate::StreamDecoder`].
pub fn decode(wire: &[u8]) -> Result<Frame, FrameError> {
    let body = match wire.split_last() {
        Some((0, body)) => body,
        _ => wire,
    };
    let mut buf = [0u8; MAX_FRAME_LEN];
    let buf = buf
        .get_mut(..body.len())
        .filter(|_| body.len() < MAX_FRAME_LEN)
        .ok_or(FrameError::Oversize)?;
    buf.copy_from_slice(body);
    decode_in_place(buf)
}

/// Decodes the COBS bytes of one frame (no delimiter), overwriting them.
pub(crate) fn decode_in_place(body: &mut [u8]) -> Result<Frame, FrameError> {
    if body.is_empty() || body.contains(&0) {
        return Err(FrameError::Cobs);
    }
    let report = cobs::decode_in_place_report(body).map_err(|_| FrameError::Cobs)?;
    let raw = body.get(..report.dst_used).ok_or(FrameError::Cobs)?;
    let crc_at = raw
        .len()
        .checked_sub(CRC_LEN)
        .ok_or(FrameError::Malformed)?;
    let (payload, trailer) = raw.split_at(crc_at);
    let sent = match trailer {
        [hi, lo] => u16::from_be_bytes([*hi, *lo]),
        _ => return Err(FrameError::Malformed),
    };
    if crc16(payload) != sent {
        return Err(FrameError::Crc);
    }
    match postcard::take_from_bytes::<Frame>(payload) {
        Ok((frame, [])) => Ok(frame),
        _ => Err(FrameError::Malformed),
    }
}
