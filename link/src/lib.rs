//! pumprig-link: the wire protocol between the pumprig rig and a bench board.
//!
//! One [`Frame`] = a sequence number, the simulated time and one [`Message`]. On the wire a frame
//! is its postcard encoding, then a CRC-16/CCITT-FALSE of those bytes (big-endian), the whole
//! COBS-encoded and terminated by one `0x00` byte. The byte-level specification, handshake,
//! lockstep timing and error codes are in `docs/protocol.md`; a test decodes that document's byte
//! examples, so it cannot drift from this code.
//!
//! - [`encode`] / [`decode`]: one frame to and from its wire bytes;
//! - [`StreamDecoder`]: feed it whatever chunks the serial port returns, get frames back; it
//!   resynchronises on every `0x00`, and counts CRC, COBS, malformed and oversize frames and
//!   sequence gaps and duplicates in [`LinkStats`].
//!
//! `no_std`, no allocation, and no input can make it panic (property-tested on random bytes).
//! With the `firmware` feature, [`Sensor`] and [`Actuator`] convert to and from the reference
//! firmware's `Inputs` and `Outputs`, losslessly.
//!
//! ```
//! use pumprig_link::{Frame, Message, Sensor, StreamDecoder, MAX_FRAME_LEN, encode};
//!
//! let frame = Frame::new(7, 1_000_000, Message::Sensor(Sensor {
//!     pressure_counts: 1234,
//!     buttons: 1,
//!     supply_mv: 5000,
//! }));
//! let mut wire = [0u8; MAX_FRAME_LEN];
//! let n = encode(&frame, &mut wire).unwrap();
//!
//! let mut rx: StreamDecoder = StreamDecoder::new();
//! // Bytes may arrive in any chunks.
//! assert!(rx.feed(&wire[..3]).next().is_none());
//! let got = rx.feed(&wire[3..n]).next().unwrap().unwrap();
//! assert_eq!(got.frame, frame);
//! assert_eq!(rx.stats().frames, 1);
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::unreachable
    )
)]
#![warn(missing_docs)]

mod codec;
#[cfg(feature = "firmware")]
mod firmware;
mod frame;
mod stream;

pub use codec::{EncodeError, FrameError, crc16, decode, encode};
#[cfg(feature = "firmware")]
pub use firmware::UnknownCode;
pub use frame::{
    Actuator, BUILD_ID_CAPACITY, ErrorCode, ErrorReport, FIRMWARE_NAME_CAPACITY, Frame, Hello,
    Message, MessageKind, Sensor,
};
pub use stream::{Frames, LinkStats, Received, SeqStatus, StreamDecoder};

/// Version of this wire protocol, sent by the board in [`Hello::protocol_version`].
///
/// The rig refuses a board whose version differs. Bump it on any change to the byte layout.
pub const PROTOCOL_VERSION: u16 = 1;

/// Largest frame on the wire, bytes, including the `0x00` delimiter: a [`Hello`] with the
/// largest sequence number, time and both strings full.
///
/// A receiver needs a buffer of this size (less the delimiter); anything longer between two
/// delimiters is not a frame of this protocol.
pub const MAX_FRAME_LEN: usize = MessageKind::Hello.max_frame_len();
