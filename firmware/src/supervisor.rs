//! Safety supervisor: watches every tick for over-vacuum, an out-of-range transducer and a stuck
//! transducer, each confirmed over its own window in ticks. The controller latches the first fault.

use crate::io::Fault;
use crate::settings::{SensorCalibration, Settings};
use crate::timing::ms_to_ticks;

/// Supervisor limits (in ticks) and running counters.
#[derive(Clone, Debug)]
pub(crate) struct Supervisor {
    /// Calibration, for the valid count range.
    sensor: SensorCalibration,
    /// Over-vacuum threshold, 0.1 mmHg.
    max_vacuum_dmmhg: i32,
    /// Consecutive over-vacuum ticks that trip, ticks.
    over_vacuum_ticks: u32,
    /// Consecutive out-of-range ticks that trip, ticks.
    out_of_range_ticks: u32,
    /// Stuck window, ticks.
    stuck_window_ticks: u32,
    /// Duty that arms the stuck check, permille.
    stuck_min_duty_permille: u16,
    /// Reading that arms the stuck check while the valve vents, 0.1 mmHg (0 = disabled).
    stuck_vent_min_dmmhg: i32,
    /// Largest reading range that still counts as stuck, 0.1 mmHg.
    stuck_max_change_dmmhg: i32,
    /// Consecutive ticks above `max_vacuum_dmmhg`, ticks.
    over_vacuum_count: u32,
    /// Consecutive ticks outside the valid count range, ticks.
    out_of_range_count: u32,
    /// Excited ticks (pump pulling hard, or valve venting a vacuum) since the reading last moved
    /// by more than `stuck_max_change_dmmhg`, ticks.
    stuck_count: u32,
    /// Lowest reading in the current stuck window, 0.1 mmHg.
    stuck_min_dmmhg: i16,
    /// Highest reading in the current stuck window, 0.1 mmHg.
    stuck_max_dmmhg: i16,
}

impl Supervisor {
    pub(crate) fn new(settings: &Settings) -> Self {
        let s = &settings.supervisor;
        let hz = settings.tick_hz;
        Supervisor {
            sensor: settings.sensor,
            max_vacuum_dmmhg: i32::from(s.max_vacuum_mmhg).saturating_mul(10),
            over_vacuum_ticks: ms_to_ticks(s.over_vacuum_ms, hz),
            out_of_range_ticks: ms_to_ticks(s.out_of_range_ms, hz),
            stuck_window_ticks: ms_to_ticks(s.stuck_window_ms, hz),
            stuck_min_duty_permille: s.stuck_min_duty_permille,
            stuck_vent_min_dmmhg: i32::from(s.stuck_vent_min_vacuum_mmhg).saturating_mul(10),
            stuck_max_change_dmmhg: i32::from(s.stuck_max_change_dmmhg),
            over_vacuum_count: 0,
            out_of_range_count: 0,
            stuck_count: 0,
            stuck_min_dmmhg: 0,
            stuck_max_dmmhg: 0,
        }
    }

    /// Clears every counter (after a fault is cleared).
    pub(crate) fn reset(&mut self) {
        self.over_vacuum_count = 0;
        self.out_of_range_count = 0;
        self.stuck_count = 0;
    }

    /// One tick. `last_duty_permille` and `last_valve_open` are the commands of the previous tick
    /// (the ones that drove the plant into this reading); `motor_may_run` is false in Idle.
    /// Returns the fault to latch, most severe first.
    #[inline]
    pub(crate) fn check(
        &mut self,
        counts: u16,
        measured_dmmhg: i16,
        last_duty_permille: u16,
        last_valve_open: bool,
        motor_may_run: bool,
    ) -> Option<Fault> {
        self.over_vacuum_count = count_while(
            i32::from(measured_dmmhg) > self.max_vacuum_dmmhg,
            self.over_vacuum_count,
        );
        self.out_of_range_count =
            count_while(!self.sensor.counts_valid(counts), self.out_of_range_count);
        let pulling = motor_may_run && last_duty_permille >= self.stuck_min_duty_permille;
        let venting = last_valve_open
            && self.stuck_vent_min_dmmhg > 0
            && i32::from(measured_dmmhg) >= self.stuck_vent_min_dmmhg;
        self.update_stuck(measured_dmmhg, pulling || venting);
        if self.over_vacuum_count >= self.over_vacuum_ticks {
            Some(Fault::OverVacuum)
        } else if self.out_of_range_count >= self.out_of_range_ticks {
            Some(Fault::SensorOutOfRange)
        } else if self.stuck_count >= self.stuck_window_ticks {
            Some(Fault::SensorStuck)
        } else {
            None
        }
    }

    /// Counts excited ticks — the pump pulling hard, or the valve venting a vacuum: either must
    /// move a healthy reading — while the reading stays within the allowed range. Ticks without
    /// excitation (holding a level, resting) neither count nor restart the window, so a stuck
    /// reading is caught across short pulls and releases (a 110 cycles/min pull is shorter than
    /// the window). When the reading widens the range too far, the window restarts at it.
    fn update_stuck(&mut self, measured_dmmhg: i16, excited: bool) {
        if self.stuck_count == 0 && !excited {
            self.stuck_min_dmmhg = measured_dmmhg;
            self.stuck_max_dmmhg = measured_dmmhg;
            return;
        }
        self.stuck_min_dmmhg = self.stuck_min_dmmhg.min(measured_dmmhg);
        self.stuck_max_dmmhg = self.stuck_max_dmmhg.max(measured_dmmhg);
        let range = i32::from(self.stuck_max_dmmhg).saturating_sub(i32::from(self.stuck_min_dmmhg));
        if range > self.stuck_max_change_dmmhg {
            self.stuck_min_dmmhg = measured_dmmhg;
            self.stuck_max_dmmhg = measured_dmmhg;
            self.stuck_count = u32::from(excited);
        } else if excited {
            self.stuck_count = self.stuck_count.saturating_add(1);
        }
    }
}

/// Consecutive-tick counter: counts up while `condition` holds, resets otherwise.
fn count_while(condition: bool, count: u32) -> u32 {
    if condition {
        count.saturating_add(1)
    } else {
        0
    }
}
