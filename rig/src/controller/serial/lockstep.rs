//! Lockstep (docs/protocol.md, "Lockstep timing"): one `Sensor` out, then wait for exactly the
//! `Actuator` with the same `seq`; the rig's simulated clock does not move meanwhile, so a
//! lockstep run is deterministic whatever the link's latency.
//!
//! Recovery, all of it counted in the link health:
//! - no matching `Actuator` within `resend_after` (wall clock): the same `Sensor` bytes go out
//!   again. A board that already stepped on that `seq` answers with its last `Actuator` without
//!   stepping, so a lost frame in either direction costs time, never a double step;
//! - the board reports `Error bad_frame`, or a frame from the board fails CRC/COBS/decoding: the
//!   `Sensor` is resent at once (no point waiting for the timeout);
//! - `Actuator`s for an earlier `seq` (the answers to resends) are late duplicates: ignored;
//! - a `Hello` is a board that reset itself: its controller state is gone, so the run fails
//!   naming it (a restarted controller would not continue the same run);
//! - nothing at all for `give_up` (the watchdog): the run fails naming the board as silent.

use std::time::{Duration, Instant};

use pumprig_link::{Actuator, ErrorCode, Frame, MAX_FRAME_LEN, Message, Sensor, encode};

use super::port::{Incoming, Link, Silence};

/// Wall-clock limits of one lockstep exchange.
#[derive(Clone, Copy, Debug)]
pub(super) struct Timing {
    /// Resend the Sensor when no matching Actuator came for this long.
    pub resend_after: Duration,
    /// Fail the run when no matching Actuator came for this long (watchdog).
    pub give_up: Duration,
}

/// Why a lockstep exchange failed (the run fails with its message).
pub(super) enum Failure {
    Silent { resends: u32, waited: Duration },
    Reset,
    Closed(String),
}

/// Sends `sensor` as tick `seq` at simulated `time_ns`, returns the board's matching Actuator.
pub(super) fn exchange(
    link: &mut Link,
    seq: u32,
    time_ns: u64,
    sensor: Sensor,
    timing: Timing,
) -> Result<Actuator, Failure> {
    let mut wire = [0u8; MAX_FRAME_LEN];
    let n = encode(
        &Frame::new(seq, time_ns, Message::Sensor(sensor)),
        &mut wire,
    )
    .expect("a Sensor frame fits MAX_FRAME_LEN");
    let wire = &wire[..n];
    link.send_encoded(wire).map_err(closed)?;
    let first_sent = Instant::now();
    let give_up = first_sent + timing.give_up;
    let mut resend_at = first_sent + timing.resend_after;
    let mut resends = 0u32;
    loop {
        // Checked here too: a board that babbles garbage never lets a read time out.
        if Instant::now() >= give_up {
            return Err(Failure::Silent {
                resends,
                waited: first_sent.elapsed(),
            });
        }
        let resend_after_error = match link.recv(resend_at.min(give_up)) {
            Ok(Incoming::Frame(r)) => match r.frame.message {
                Message::Actuator(a) if r.frame.seq == seq => {
                    link.tally.round_trip(first_sent.elapsed());
                    return Ok(a);
                }
                Message::Actuator(_) if seq.wrapping_sub(r.frame.seq) < u32::MAX / 2 => {
                    link.tally.duplicates += 1;
                    false
                }
                Message::Error(e) => {
                    link.tally.board_error(e.code);
                    e.code == ErrorCode::BadFrame.code()
                }
                Message::Hello(_) => {
                    link.tally.board_resets += 1;
                    return Err(Failure::Reset);
                }
                _ => {
                    link.tally.unexpected_frames += 1;
                    false
                }
            },
            // Possibly our Actuator, corrupted: ask again now.
            Ok(Incoming::Dropped) => true,
            Err(Silence::Closed(why)) => return Err(Failure::Closed(why)),
            Err(Silence::Timeout) => {
                let now = Instant::now();
                if now >= give_up {
                    return Err(Failure::Silent {
                        resends,
                        waited: now - first_sent,
                    });
                }
                link.tally.resends_after_timeout += 1;
                resends += 1;
                link.send_encoded(wire).map_err(closed)?;
                resend_at = Instant::now() + timing.resend_after;
                false
            }
        };
        if resend_after_error {
            link.tally.resends_after_error += 1;
            resends += 1;
            link.send_encoded(wire).map_err(closed)?;
            resend_at = Instant::now() + timing.resend_after;
        }
    }
}

fn closed(s: Silence) -> Failure {
    match s {
        Silence::Closed(why) => Failure::Closed(why),
        Silence::Timeout => Failure::Closed("write timed out".into()),
    }
}
