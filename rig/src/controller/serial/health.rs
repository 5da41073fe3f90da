//! Link health of a serial run: what the link lost, repeated and recovered, and how long round
//! trips took. Written into `record.json` (`link_health`) and checkable like any metric
//! (`metric = "link_crc_errors"`, see [`LinkHealth::metric`]).
//!
//! Round trips are kept in an HDR histogram (3 significant digits, 1 ns to 60 s) so memory stays
//! constant however long the run; percentiles are therefore exact to 0.1 %.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;
use pumprig_link::{ErrorCode, LinkStats};
use serde::Serialize;

/// Link health as recorded in `record.json`, for one run over a serial link.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LinkHealth {
    /// `"lockstep"` or `"real-time"`.
    pub mode: String,
    /// The port the rig talked to (`/dev/pts/3`, `/dev/ttyUSB0`).
    pub port: String,
    /// Baud rate set on the port (a pseudo-terminal ignores it).
    pub baud: u32,
    /// Frames the rig sent (Sensor and Reset frames, resends included).
    pub frames_sent: u64,
    /// Valid frames the rig received, duplicates included.
    pub frames_received: u64,
    /// Frames dropped for a CRC mismatch.
    pub crc_errors: u64,
    /// Frames dropped for invalid COBS.
    pub cobs_errors: u64,
    /// Frames dropped for a payload that does not decode (or too short).
    pub malformed_frames: u64,
    /// Frames dropped for being longer than any frame of the protocol.
    pub oversize_frames: u64,
    /// Every dropped frame: after each the decoder resynchronised at the next `0x00`.
    pub resyncs: u64,
    /// Bytes thrown away with dropped frames.
    pub bytes_discarded: u64,
    /// Times the board's Actuator sequence numbers skipped ahead (frames never received).
    pub seq_gaps: u64,
    /// Actuator frames missing in those gaps.
    pub frames_missed: u64,
    /// Actuator frames that arrived for a Sensor already answered (late duplicates, ignored).
    pub duplicates: u64,
    /// Sensor frames sent again (same bytes) after a timeout or a bad-frame report.
    pub resends: u64,
    /// Of those, after a per-frame timeout.
    pub resends_after_timeout: u64,
    /// Of those, after the board reported `bad_frame` or the rig dropped a corrupted frame.
    pub resends_after_error: u64,
    /// `Hello` frames after the handshake: the board reset itself.
    pub board_resets: u64,
    /// `Error` frames from the board, by code name (`bad_frame`, `overrun`, ...).
    pub board_errors: BTreeMap<String, u64>,
    /// Frames that are valid but not allowed at that point (a `Ready` mid-run, a `Sensor`).
    pub unexpected_frames: u64,
    /// Real-time mode: ticks whose Actuator was not back by the next tick (the plant kept the
    /// previous actuator values). Always 0 in lockstep.
    pub deadline_misses: u64,
    /// Real-time mode: Actuators that arrived after their deadline (counted, not used).
    pub late_actuators: u64,
    /// Sensor → matching Actuator, wall clock, µs (lockstep: from the first send of the Sensor).
    pub round_trip_us: Percentiles,
    /// Real-time mode: how late each Sensor left against its wall-clock schedule, µs (the rig's
    /// pacing jitter). All zero in lockstep.
    pub send_lateness_us: Percentiles,
}

/// Percentiles of a latency, µs (0 when nothing was measured).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Percentiles {
    pub count: u64,
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

/// Link-health metrics a check can name, with their units: counters are `"count"`, latencies
/// `"us"`. Whole-run values: a check on them takes neither `at` nor `window_s`.
pub const LINK_METRICS: [(&str, &str); 17] = [
    ("link_crc_errors", "count"),
    ("link_cobs_errors", "count"),
    ("link_malformed_frames", "count"),
    ("link_oversize_frames", "count"),
    ("link_resyncs", "count"),
    ("link_frames_missed", "count"),
    ("link_duplicates", "count"),
    ("link_resends", "count"),
    ("link_board_resets", "count"),
    ("link_board_errors", "count"),
    ("link_deadline_misses", "count"),
    ("link_late_actuators", "count"),
    ("link_round_trip_p50", "us"),
    ("link_round_trip_p90", "us"),
    ("link_round_trip_p99", "us"),
    ("link_round_trip_max", "us"),
    ("link_send_lateness_max", "us"),
];

impl LinkHealth {
    /// The value of a [`LINK_METRICS`] name for this run (`None` for another name).
    pub fn metric(&self, name: &str) -> Option<f64> {
        let count = |n: u64| Some(n as f64);
        match name {
            "link_crc_errors" => count(self.crc_errors),
            "link_cobs_errors" => count(self.cobs_errors),
            "link_malformed_frames" => count(self.malformed_frames),
            "link_oversize_frames" => count(self.oversize_frames),
            "link_resyncs" => count(self.resyncs),
            "link_frames_missed" => count(self.frames_missed),
            "link_duplicates" => count(self.duplicates),
            "link_resends" => count(self.resends),
            "link_board_resets" => count(self.board_resets),
            "link_board_errors" => count(self.board_errors.values().sum()),
            "link_deadline_misses" => count(self.deadline_misses),
            "link_late_actuators" => count(self.late_actuators),
            "link_round_trip_p50" => Some(self.round_trip_us.p50),
            "link_round_trip_p90" => Some(self.round_trip_us.p90),
            "link_round_trip_p99" => Some(self.round_trip_us.p99),
            "link_round_trip_max" => Some(self.round_trip_us.max),
            "link_send_lateness_max" => Some(self.send_lateness_us.max),
            _ => None,
        }
    }

    /// One line for error messages: the counters that are not zero.
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = LINK_METRICS
            .iter()
            .filter(|(_, unit)| *unit == "count")
            .filter_map(|(name, _)| {
                let v = self.metric(name)?;
                (v != 0.0).then(|| format!("{} {v}", name.trim_start_matches("link_")))
            })
            .collect();
        if parts.is_empty() {
            parts.push("no link errors".into());
        }
        format!(
            "{} frames sent, {} received; {}",
            self.frames_sent,
            self.frames_received,
            parts.join(", ")
        )
    }
}

/// Counts while a run goes; [`Tally::health`] turns them into a [`LinkHealth`].
pub(super) struct Tally {
    pub frames_sent: u64,
    pub duplicates: u64,
    pub resends_after_timeout: u64,
    pub resends_after_error: u64,
    pub board_resets: u64,
    pub board_errors: BTreeMap<String, u64>,
    pub unexpected_frames: u64,
    pub deadline_misses: u64,
    pub late_actuators: u64,
    round_trip_ns: Histogram<u64>,
    send_lateness_ns: Histogram<u64>,
}

impl Tally {
    pub fn new() -> Self {
        let hist = || {
            Histogram::new_with_bounds(1, 60_000_000_000, 3)
                .expect("constant, valid histogram bounds")
        };
        Self {
            frames_sent: 0,
            duplicates: 0,
            resends_after_timeout: 0,
            resends_after_error: 0,
            board_resets: 0,
            board_errors: BTreeMap::new(),
            unexpected_frames: 0,
            deadline_misses: 0,
            late_actuators: 0,
            round_trip_ns: hist(),
            send_lateness_ns: hist(),
        }
    }

    pub fn board_error(&mut self, code: u8) {
        let name = ErrorCode::from_code(code)
            .map(|c| c.name().to_owned())
            .unwrap_or_else(|| format!("code_{code}"));
        *self.board_errors.entry(name).or_default() += 1;
    }

    pub fn round_trip(&mut self, d: Duration) {
        self.round_trip_ns.saturating_record(nanos(d));
    }

    pub fn send_lateness(&mut self, d: Duration) {
        self.send_lateness_ns.saturating_record(nanos(d));
    }

    /// Link health from these counts and the decoder's `stats`.
    pub fn health(&self, mode: &str, port: &str, baud: u32, stats: &LinkStats) -> LinkHealth {
        LinkHealth {
            mode: mode.into(),
            port: port.into(),
            baud,
            frames_sent: self.frames_sent,
            frames_received: stats.frames,
            crc_errors: stats.crc_errors,
            cobs_errors: stats.cobs_errors,
            malformed_frames: stats.malformed,
            oversize_frames: stats.oversize,
            resyncs: stats.dropped(),
            bytes_discarded: stats.bytes_discarded,
            seq_gaps: stats.seq_gaps,
            frames_missed: stats.frames_missed,
            duplicates: self.duplicates,
            resends: self.resends_after_timeout + self.resends_after_error,
            resends_after_timeout: self.resends_after_timeout,
            resends_after_error: self.resends_after_error,
            board_resets: self.board_resets,
            board_errors: self.board_errors.clone(),
            unexpected_frames: self.unexpected_frames,
            deadline_misses: self.deadline_misses,
            late_actuators: self.late_actuators,
            round_trip_us: percentiles(&self.round_trip_ns),
            send_lateness_us: percentiles(&self.send_lateness_ns),
        }
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX).max(1)
}

fn percentiles(h: &Histogram<u64>) -> Percentiles {
    if h.is_empty() {
        return Percentiles::default();
    }
    // ns to µs, rounded to 0.1 µs: the histogram's own resolution is 0.1 % anyway.
    let us = |ns: u64| (ns as f64 / 100.0).round() / 10.0;
    Percentiles {
        count: h.len(),
        mean: (h.mean() / 100.0).round() / 10.0,
        p50: us(h.value_at_quantile(0.50)),
        p90: us(h.value_at_quantile(0.90)),
        p99: us(h.value_at_quantile(0.99)),
        max: us(h.max()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_a_known_spread() {
        let mut t = Tally::new();
        for us in 1..=1000u64 {
            t.round_trip(Duration::from_micros(us));
        }
        let h = t.health("lockstep", "p", 0, &LinkStats::default());
        let p = h.round_trip_us;
        assert_eq!(p.count, 1000);
        // 3 significant digits: within 0.1 % of the exact order statistic.
        assert!((p.p50 - 500.0).abs() <= 0.5, "{p:?}");
        assert!((p.p90 - 900.0).abs() <= 1.0, "{p:?}");
        assert!((p.p99 - 990.0).abs() <= 1.0, "{p:?}");
        assert!((p.max - 1000.0).abs() <= 1.0, "{p:?}");
        assert!((p.mean - 500.5).abs() <= 0.6, "{p:?}");
    }

    #[test]
    fn every_link_metric_has_a_value_and_counters_sum() {
        let mut t = Tally::new();
        t.board_error(2);
        t.board_error(2);
        t.board_error(77);
        t.resends_after_error = 2;
        t.resends_after_timeout = 1;
        let stats = LinkStats {
            crc_errors: 3,
            cobs_errors: 1,
            ..LinkStats::default()
        };
        let h = t.health("lockstep", "p", 0, &stats);
        for (name, _) in LINK_METRICS {
            assert!(h.metric(name).is_some(), "{name}");
        }
        assert_eq!(h.metric("link_board_errors"), Some(3.0));
        assert_eq!(h.board_errors["bad_frame"], 2);
        assert_eq!(h.board_errors["code_77"], 1);
        assert_eq!(h.metric("link_resends"), Some(3.0));
        assert_eq!(h.metric("link_resyncs"), Some(4.0));
        assert_eq!(h.metric("link_nonsense"), None);
        assert!(h.summary().contains("crc_errors 3"), "{}", h.summary());
    }
}
