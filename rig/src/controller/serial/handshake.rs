//! The start-up handshake (docs/protocol.md, "Handshake"): wait for the board's `Hello`, check
//! its protocol version and tick rate, wait for its `Ready`.
//!
//! A board started before the rig opened the port sent its `Hello` to nobody (a real board may
//! have booted long ago), or its `Hello` arrives late (QEMU notices that someone opened its pty up
//! to a second late, and then delivers the queued bytes both ways). So if no `Hello` comes within
//! a short wait the rig sends `0x00` + `Reset` with a new `seq` and waits again, doubling the wait
//! each time (0.25 s, 0.5 s, 1 s, …) until the start-up timeout is spent. The board echoes the
//! `Reset`'s `seq` in its `Hello` and `Ready`; once a `Reset` went out, only the pair echoing the
//! last one counts, so a late answer to an earlier `Reset` (or the power-up `Hello`) can never
//! arrive after the run started and look like a reset mid-run.

use std::time::{Duration, Instant};

use pumprig_link::{ErrorCode, ErrorReport, Frame, Hello, Message, PROTOCOL_VERSION};

use super::port::{Incoming, Link, Silence};
use crate::controller::ControllerError;

/// The first wait for a `Hello` before a `Reset` is sent.
const FIRST_WAIT: Duration = Duration::from_millis(250);

/// Runs the handshake on `link` and returns the board's Hello; the board must run at `tick_hz`.
/// `startup` bounds the whole of it in wall-clock time.
pub(super) fn handshake(
    link: &mut Link,
    tick_hz: u32,
    startup: Duration,
) -> Result<Hello, ControllerError> {
    let start = Instant::now();
    let give_up = start + startup;
    let mut wait = FIRST_WAIT;
    // Sequence number of the last Reset sent (0: none yet, any Hello will do).
    let mut resets_sent = 0u32;
    let mut next_reset = start + wait;
    let closed = |why: String| ControllerError::Connect(format!("serial link {why}"));
    // 1. Hello (sending Reset when none comes), then Ready. A second Hello before Ready
    //    replaces the first (the board restarted meanwhile).
    let mut hello: Option<Hello> = None;
    loop {
        // A Hello without its Ready in time is treated like no Hello: Reset again.
        match link.recv(next_reset.min(give_up)) {
            Ok(Incoming::Frame(r)) => match r.frame.message {
                // After a Reset only the answer to the last one counts.
                Message::Hello(h) if resets_sent == 0 || r.frame.seq == resets_sent => {
                    check_version(link, &h)?;
                    hello = Some(h);
                }
                Message::Ready
                    if hello.is_some() && (resets_sent == 0 || r.frame.seq == resets_sent) =>
                {
                    break;
                }
                // Stale frames of an earlier run, or a Ready whose Hello was lost: wait on.
                _ => {}
            },
            Ok(Incoming::Dropped) => {}
            Err(Silence::Closed(why)) => return Err(closed(why)),
            Err(Silence::Timeout) if Instant::now() >= give_up => {
                let what = if hello.is_some() {
                    "sent Hello but no Ready"
                } else {
                    "did not say Hello"
                };
                return Err(ControllerError::Connect(format!(
                    "the board on {} {what} within {:.1} s of wall-clock time ({} Reset(s) sent; \
                     `controller.startup_timeout_ms`): is it powered, flashed with a pumprig-link \
                     image, and on this port at {} baud?",
                    link.name,
                    startup.as_secs_f64(),
                    resets_sent,
                    link.baud
                )));
            }
            Err(Silence::Timeout) => {
                resets_sent += 1;
                hello = None;
                link.send_flush().map_err(silence(closed))?;
                link.send(&Frame::new(resets_sent, 0, Message::Reset))
                    .map_err(silence(closed))?;
                wait *= 2;
                next_reset = Instant::now() + wait;
            }
        }
    }
    let hello = hello.expect("the loop ends on a Ready after a Hello");
    if u32::from(hello.tick_hz) != tick_hz {
        return Err(ControllerError::Settings(format!(
            "the board `{}` (build {}) runs at tick_hz = {} but the scenario's `tick_hz` is {}: \
             set `tick_hz = {}` in the scenario or flash a build for {} Hz",
            hello.firmware_name, hello.build_id, hello.tick_hz, tick_hz, hello.tick_hz, tick_hz
        )));
    }
    link.start_counting();
    Ok(hello)
}

/// A board speaking another protocol version is told so (Error unsupported_version) and refused.
fn check_version(link: &mut Link, hello: &Hello) -> Result<(), ControllerError> {
    if hello.protocol_version == PROTOCOL_VERSION {
        return Ok(());
    }
    let report = ErrorReport::new(ErrorCode::UnsupportedVersion, u32::from(PROTOCOL_VERSION));
    // Best effort: the run fails either way.
    let _ = link.send(&Frame::new(0, 0, Message::Error(report)));
    Err(ControllerError::Connect(format!(
        "the board `{}` (build {}) on {} speaks pumprig-link protocol version {}, but this rig \
         speaks version {PROTOCOL_VERSION}: flash a board image built with the same \
         pumprig-link version as the rig",
        hello.firmware_name, hello.build_id, link.name, hello.protocol_version
    )))
}

fn silence(closed: impl Fn(String) -> ControllerError) -> impl FnOnce(Silence) -> ControllerError {
    move |s| match s {
        Silence::Closed(why) => closed(why),
        Silence::Timeout => closed("write timed out".into()),
    }
}
