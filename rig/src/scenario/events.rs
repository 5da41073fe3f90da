//! The resolved timeline: `[[events]]` as the runner applies them — integer nanoseconds, button
//! bits, plant faults — sorted by time, events at the same time in file order.

use pumprig_sim::{PlantFault, SensorFault, Side};

use super::spec::{ButtonName, DEFAULT_HOLD_MS, EventSpec, SensorFaultName, SideName};
use crate::controller::buttons;

/// One scheduled event, applied at the first control tick at or after `at_ns`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimedEvent {
    /// When, ns from the start of the run.
    pub at_ns: u64,
    pub action: EventAction,
}

/// What an event does.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum EventAction {
    /// Hold buttons (bits of [`crate::controller::buttons`]) down for `hold_ns`.
    Press { buttons: u8, hold_ns: u64 },
    /// Inject a fault into the plant (leak onset, sensor fault or its clearing).
    Plant(PlantFault),
}

/// Seconds to integer nanoseconds, rounded to the nearest (0.5 s -> 500,000,000 ns).
pub(crate) fn s_to_ns(s: f64) -> u64 {
    (s * 1e9).round() as u64
}

impl ButtonName {
    /// The button's bit in [`crate::controller::buttons`].
    pub fn bits(self) -> u8 {
        match self {
            Self::Power => buttons::POWER,
            Self::LevelUp => buttons::LEVEL_UP,
            Self::LevelDown => buttons::LEVEL_DOWN,
            Self::Letdown => buttons::LETDOWN,
        }
    }
}

impl SideName {
    pub fn side(self) -> Side {
        match self {
            Self::Left => Side::Left,
            Self::Right => Side::Right,
        }
    }
}

impl SensorFaultName {
    /// The transducer fault to set, `None` to clear one.
    pub fn fault(self) -> Option<SensorFault> {
        match self {
            Self::Stuck => Some(SensorFault::Stuck),
            Self::Disconnected => Some(SensorFault::Disconnected),
            Self::ShortedHigh => Some(SensorFault::ShortedHigh),
            Self::Cleared => None,
        }
    }
}

impl EventSpec {
    /// The action this event performs (`None` unless exactly one action key is set).
    pub fn action(&self) -> Option<EventAction> {
        match (self.press, self.leak_onset, self.sensor_fault) {
            (Some(b), None, None) => Some(EventAction::Press {
                buttons: b.bits(),
                hold_ns: u64::from(self.hold_ms.unwrap_or(DEFAULT_HOLD_MS)) * 1_000_000,
            }),
            (None, Some(l), None) => Some(EventAction::Plant(PlantFault::LeakOnset {
                side: l.side.side(),
                area_mm2: l.area_mm2,
            })),
            (None, None, Some(f)) => Some(EventAction::Plant(PlantFault::Sensor(f.fault()))),
            _ => None,
        }
    }
}

/// The timeline of validated events: sorted by time, stable (same-time events keep file order).
pub(crate) fn timeline(events: &[EventSpec]) -> Vec<TimedEvent> {
    let mut out: Vec<TimedEvent> = events
        .iter()
        .filter_map(|e| {
            e.action().map(|action| TimedEvent {
                at_ns: s_to_ns(e.at_s),
                action,
            })
        })
        .collect();
    out.sort_by_key(|e| e.at_ns);
    out
}
