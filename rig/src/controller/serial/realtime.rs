//! Real-time mode: the rig paces the plant at 1× wall clock and the board runs on its own time.
//!
//! Tick k (simulated time `k·T`) is due at wall time `t0 + k·T`, `t0` being the first tick. The
//! rig waits until then (reading whatever the board sends meanwhile), sends the tick's `Sensor`
//! without waiting for earlier answers, and then waits for its `Actuator` until the next tick is
//! due, `t0 + (k+1)·T`:
//!
//! - back in time: the plant integrates tick k with it (so a board that always answers within a
//!   tick gives the lockstep result);
//! - not back in time: a **deadline miss**. The plant integrates tick k with the last `Actuator`
//!   that did arrive (held, as a real pump's PWM and valve hold their last command; before any
//!   arrived: motor off, valve shut, state idle). The `Actuator` arriving later is counted as
//!   late and not used.
//!
//! Recorded: round trip (Sensor sent → its Actuator received), how late each Sensor left against
//! its schedule (the rig's pacing jitter), deadline misses and late Actuators. There are no
//! resends in real time: a lost frame is a deadline miss. A board silent for the watchdog time
//! fails the run.

use std::time::{Duration, Instant};

use pumprig_link::{Actuator, Frame, Message, Sensor};

use super::lockstep::Failure;
use super::port::{Incoming, Link, Silence};

/// Pacing state of a real-time run.
pub(super) struct Pacer {
    /// Wall time of tick 0 (set when it is sent).
    t0: Option<Instant>,
    /// The last Actuator received in time: what the plant holds on a miss.
    held: Actuator,
    /// Last time anything valid came from the board (watchdog).
    last_heard: Instant,
}

impl Pacer {
    pub fn new() -> Self {
        Self {
            t0: None,
            held: Actuator::default(),
            last_heard: Instant::now(),
        }
    }

    /// Tick `seq` at simulated `time_ns`: send its Sensor on schedule, return what the plant
    /// uses for it. `tick` is the control period; `give_up` the watchdog time.
    pub fn exchange(
        &mut self,
        link: &mut Link,
        seq: u32,
        time_ns: u64,
        sensor: Sensor,
        tick: Duration,
        give_up: Duration,
    ) -> Result<Actuator, Failure> {
        let t0 = *self.t0.get_or_insert_with(Instant::now);
        let due = t0 + Duration::from_nanos(time_ns);
        let deadline = due + tick;
        // Until the tick is due: take in whatever arrives (late answers, errors).
        while Instant::now() < due {
            match link.recv(due) {
                Ok(incoming) => {
                    self.take(link, incoming, None)?;
                }
                Err(Silence::Timeout) => break,
                Err(Silence::Closed(why)) => return Err(Failure::Closed(why)),
            }
        }
        let sent = Instant::now();
        link.tally
            .send_lateness(sent.saturating_duration_since(due));
        link.send(&Frame::new(seq, time_ns, Message::Sensor(sensor)))
            .map_err(|s| match s {
                Silence::Closed(why) => Failure::Closed(why),
                Silence::Timeout => Failure::Closed("write timed out".into()),
            })?;
        loop {
            match link.recv(deadline) {
                Ok(incoming) => {
                    if let Some(a) = self.take(link, incoming, Some(seq))? {
                        link.tally.round_trip(sent.elapsed());
                        self.held = a;
                        return Ok(a);
                    }
                }
                Err(Silence::Timeout) => {
                    link.tally.deadline_misses += 1;
                    if self.last_heard.elapsed() >= give_up {
                        return Err(Failure::Silent {
                            resends: 0,
                            waited: self.last_heard.elapsed(),
                        });
                    }
                    return Ok(self.held);
                }
                Err(Silence::Closed(why)) => return Err(Failure::Closed(why)),
            }
        }
    }

    /// Handles one incoming frame; the Actuator if it answers `awaited`.
    fn take(
        &mut self,
        link: &mut Link,
        incoming: Incoming,
        awaited: Option<u32>,
    ) -> Result<Option<Actuator>, Failure> {
        let Incoming::Frame(r) = incoming else {
            return Ok(None);
        };
        self.last_heard = Instant::now();
        match r.frame.message {
            Message::Actuator(a) if Some(r.frame.seq) == awaited => return Ok(Some(a)),
            Message::Actuator(_) => link.tally.late_actuators += 1,
            Message::Error(e) => link.tally.board_error(e.code),
            Message::Hello(_) => {
                link.tally.board_resets += 1;
                return Err(Failure::Reset);
            }
            _ => link.tally.unexpected_frames += 1,
        }
        Ok(None)
    }
}
