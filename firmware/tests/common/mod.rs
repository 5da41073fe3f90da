//! Test bench shared by the integration tests: the controller wired to a tiny first-order fake
//! plant (integer arithmetic, like the firmware), with helpers to hold buttons and force readings.

#![allow(dead_code)]

use pumprig_firmware::{Buttons, Controller, Inputs, Outputs, SensorCalibration, Settings};

/// Zero-vacuum reading of the default calibration, counts.
pub const ZERO_COUNTS: u16 = 248;

/// First-order fake plant: vacuum rises with motor duty (less as it deepens), leaks slowly, and
/// vents fast through the open valve. State in 0.001 mmHg; one update per 1 ms tick.
#[derive(Clone, Debug, Default)]
pub struct FakePlant {
    /// Vacuum below atmosphere, 0.001 mmHg.
    pub vacuum_milli_mmhg: i64,
}

impl FakePlant {
    /// Vacuum the pump cannot exceed, 0.001 mmHg.
    const STALL_MILLI_MMHG: i64 = 400_000;
    /// Leak time constant with the valve closed, ticks (2 s).
    const LEAK_TAU_TICKS: i64 = 2_000;
    /// Vent time constant with the valve open, ticks (30 ms).
    const VENT_TAU_TICKS: i64 = 30;

    /// One 1 ms tick with the actuators held. Full duty at zero vacuum pulls 1 mmHg per tick.
    pub fn advance(&mut self, out: &Outputs) {
        let v = self.vacuum_milli_mmhg;
        let pump = i64::from(out.motor_duty_permille) * (Self::STALL_MILLI_MMHG - v)
            / Self::STALL_MILLI_MMHG;
        let tau = if out.valve_open {
            Self::VENT_TAU_TICKS
        } else {
            Self::LEAK_TAU_TICKS
        };
        self.vacuum_milli_mmhg = (v + pump - v / tau).max(0);
    }

    /// Ideal transducer reading with the default calibration, counts.
    pub fn counts(&self) -> u16 {
        let cal = SensorCalibration::default();
        let above_zero = self.vacuum_milli_mmhg * i64::from(cal.counts_per_mmhg_milli) / 1_000_000;
        (i64::from(cal.zero_counts) + above_zero).clamp(0, 4095) as u16
    }

    /// Vacuum, mmHg (truncated).
    pub fn vacuum_mmhg(&self) -> i64 {
        self.vacuum_milli_mmhg / 1000
    }
}

/// Controller + plant + what the test holds on the inputs.
pub struct Bench {
    pub ctrl: Controller,
    pub plant: FakePlant,
    /// Buttons held on every tick until changed.
    pub held: Buttons,
    /// When set, the transducer reads this instead of the plant, counts.
    pub forced_counts: Option<u16>,
    /// Ticks stepped so far.
    pub tick: u64,
}

impl Bench {
    pub fn new(settings: &Settings) -> Self {
        Bench {
            ctrl: Controller::new(settings).expect("valid settings"),
            plant: FakePlant::default(),
            held: Buttons(0),
            forced_counts: None,
            tick: 0,
        }
    }

    pub fn default_settings() -> Self {
        Self::new(&Settings::default())
    }

    /// One tick.
    pub fn step(&mut self) -> Outputs {
        let inputs = Inputs {
            time_ns: self.tick * 1_000_000,
            pressure_counts: self.forced_counts.unwrap_or_else(|| self.plant.counts()),
            buttons: self.held,
            supply_mv: 12_000,
        };
        let out = self.ctrl.step(&inputs);
        self.plant.advance(&out);
        self.tick += 1;
        out
    }

    /// `n` ticks; returns the last outputs.
    pub fn run(&mut self, n: u64) -> Outputs {
        let mut last = Outputs::default();
        for _ in 0..n {
            last = self.step();
        }
        last
    }

    /// Holds `bit` for `ticks` ticks then releases it for one tick; returns the outputs of the
    /// tick on which the (20 ms debounced) press registered, i.e. the `ticks`-th held tick when
    /// `ticks >= 20`, else the last held tick.
    pub fn press_for(&mut self, bit: u8, ticks: u64) -> Outputs {
        self.held = Buttons(self.held.0 | bit);
        let mut at_press = Outputs::default();
        for i in 0..ticks {
            let out = self.step();
            if i + 1 == ticks.min(20) {
                at_press = out;
            }
        }
        self.held = Buttons(self.held.0 & !bit);
        self.step();
        at_press
    }

    /// A clean 20 ms press (registers on its 20th tick) plus one released tick.
    pub fn press(&mut self, bit: u8) -> Outputs {
        self.press_for(bit, 20)
    }
}
