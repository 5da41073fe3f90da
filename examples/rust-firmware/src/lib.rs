//! pumprig-example-firmware: a small pump controller of "your own", written as MCU firmware is —
//! `no_std`, no allocation, integer arithmetic only, no panics, timing counted in control ticks —
//! and run in the loop by pumprig's in-process adapter (`pumprig::controller::InProcess`) through
//! one trait, `pumprig::controller::Firmware`, implemented in the runner (`examples/run.rs`).
//!
//! Program: idle (motor off, valve open) until POWER is held [`DEBOUNCE_MS`]; then fixed-rate
//! expression cycles until POWER again. Each cycle pulls (valve shut, the set-point ramping to the
//! level) then releases (valve open, motor off). Vacuum is held by a PI loop acting on the reading
//! predicted `lead_ms` ahead along its recent rate (the pump cannot push air back, so it must stop
//! pulling before the target while the motor coasts). A reading above the safety maximum for
//! `over_vacuum_ms` latches a fault: motor off, valve open until POWER.
//!
//! ```
//! use pumprig_example_firmware::{Config, ExampleFirmware};
//! use pumprig_firmware::{Buttons, Inputs, State};
//!
//! let mut fw = ExampleFirmware::new(Config::default()).unwrap();
//! let press = Inputs { pressure_counts: 248, buttons: Buttons(Buttons::POWER), ..Inputs::default() };
//! for _ in 0..20 {
//!     fw.step(&press);
//! }
//! let out = fw.step(&Inputs { pressure_counts: 248, ..Inputs::default() });
//! assert_eq!(out.telemetry.state, State::Expression);
//! assert!(!out.valve_open);
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::float_arithmetic,
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::unreachable
    )
)]
#![warn(missing_docs)]

use pumprig_firmware::{Buttons, CyclePhase, Fault, Inputs, Outputs, State, Telemetry};

/// Firmware name, recorded with every run.
pub const NAME: &str = "pumprig-example-firmware";
/// Firmware version (the crate version).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// How long POWER must be held to count as a press, ms.
pub const DEBOUNCE_MS: u32 = 20;
/// Readings kept to estimate the rate of change for the lead prediction.
const RATE_WINDOW: usize = 8;

/// Everything the firmware is configured with (what a real board would keep in flash).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// Control tick rate, Hz (calls of [`ExampleFirmware::step`] per second).
    pub tick_hz: u32,
    /// Transducer reading at zero vacuum, counts.
    pub zero_counts: u16,
    /// Transducer sensitivity, 1/1000 count per mmHg.
    pub counts_per_mmhg_milli: u32,
    /// Cycle rate, cycles per minute (> 0).
    pub cycles_per_min: u16,
    /// Vacuum reached in each pull, mmHg below atmosphere.
    pub vacuum_mmhg: u16,
    /// Share of each cycle spent pulling (valve shut), % 1..=99.
    pub pull_percent: u8,
    /// Share of the pull over which the set-point ramps from 0 to the level, % 0..=100.
    pub rise_percent: u8,
    /// Proportional gain, permille duty per mmHg of error.
    pub kp_permille_per_mmhg: u16,
    /// Integral gain, permille duty per mmHg of error per second.
    pub ki_permille_per_mmhg_s: u16,
    /// Act on the reading predicted this far ahead, ms (0 = none).
    pub lead_ms: u16,
    /// Motor duty ceiling, permille.
    pub max_duty_permille: u16,
    /// Safety maximum of the reading, mmHg.
    pub max_vacuum_mmhg: u16,
    /// How long above the maximum trips the fault, ms.
    pub over_vacuum_ms: u16,
}

impl Default for Config {
    /// The reference firmware's defaults for the expression phase.
    fn default() -> Self {
        Self::from_settings(&pumprig_firmware::Settings::default())
    }
}

impl Config {
    /// Reads the expression profile, calibration, gains and safety limit from the reference
    /// firmware's settings, so one scenario file (`[controller.settings]`) configures either.
    pub fn from_settings(s: &pumprig_firmware::Settings) -> Self {
        Self {
            tick_hz: u32::from(s.tick_hz),
            zero_counts: s.sensor.zero_counts,
            counts_per_mmhg_milli: s.sensor.counts_per_mmhg_milli,
            cycles_per_min: s.expression.cycles_per_min,
            vacuum_mmhg: s.expression.vacuum_mmhg,
            pull_percent: s.expression.pull_percent,
            rise_percent: s.expression.rise_percent,
            kp_permille_per_mmhg: s.control.kp_permille_per_mmhg,
            ki_permille_per_mmhg_s: s.control.ki_permille_per_mmhg_s,
            lead_ms: s.control.lead_ms,
            max_duty_permille: s.control.max_duty_permille,
            max_vacuum_mmhg: s.supervisor.max_vacuum_mmhg,
            over_vacuum_ms: s.supervisor.over_vacuum_ms,
        }
    }
}

/// Why a [`Config`] was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfigError(pub &'static str);

impl core::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.0)
    }
}

/// The controller: all its state, no statics.
#[derive(Clone, Debug)]
pub struct ExampleFirmware {
    cfg: Config,
    debounce_ticks: u32,
    lead_ticks: i64,
    over_vacuum_ticks: u32,
    cycle_len: u64,
    pull_len: u64,
    rise_len: u64,
    state: State,
    fault: Fault,
    power_held: u32,
    over_vacuum_count: u32,
    /// Position in the cycle in units of 1/cycles_per_min tick: a tick adds `cycles_per_min`,
    /// a cycle is `60 * tick_hz`.
    cycle_pos: u64,
    /// Integral term, permille * 10 * tick_hz.
    integral_scaled: i64,
    history: [i16; RATE_WINDOW],
    history_next: usize,
    history_seen: usize,
    /// The reading the PI loop acted on at the last tick, 0.1 mmHg (debug telemetry).
    last_predicted_dmmhg: i64,
    /// `cycle_pos` at the last tick, before it advanced (debug telemetry).
    last_cycle_pos: u64,
}

fn ms_to_ticks(ms: u32, tick_hz: u32) -> u32 {
    // Round up: at least the time asked for.
    let ticks = u64::from(ms)
        .saturating_mul(u64::from(tick_hz))
        .div_ceil(1000);
    u32::try_from(ticks).unwrap_or(u32::MAX)
}

/// Integer division that cannot panic: 0 for a zero divisor (refused by [`ExampleFirmware::new`]
/// anyway) and saturating for `i64::MIN / -1`.
fn div(a: i64, b: i64) -> i64 {
    a.checked_div(b).unwrap_or(0)
}

impl ExampleFirmware {
    /// A stopped controller with `cfg`, or the reason `cfg` is refused.
    pub fn new(cfg: Config) -> Result<Self, ConfigError> {
        if cfg.tick_hz == 0 {
            return Err(ConfigError("tick_hz must be > 0"));
        }
        if cfg.counts_per_mmhg_milli == 0 {
            return Err(ConfigError("counts_per_mmhg_milli must be > 0"));
        }
        if cfg.cycles_per_min == 0 {
            return Err(ConfigError("cycles_per_min must be > 0"));
        }
        if !(1..=99).contains(&cfg.pull_percent) {
            return Err(ConfigError("pull_percent must be 1..=99"));
        }
        if cfg.rise_percent > 100 {
            return Err(ConfigError("rise_percent must be 0..=100"));
        }
        let cycle_len = u64::from(cfg.tick_hz).saturating_mul(60);
        let pull_len = cycle_len.saturating_mul(u64::from(cfg.pull_percent)) / 100;
        Ok(Self {
            cfg,
            debounce_ticks: ms_to_ticks(DEBOUNCE_MS, cfg.tick_hz).max(1),
            lead_ticks: i64::from(ms_to_ticks(u32::from(cfg.lead_ms), cfg.tick_hz)),
            over_vacuum_ticks: ms_to_ticks(u32::from(cfg.over_vacuum_ms), cfg.tick_hz).max(1),
            cycle_len,
            pull_len,
            rise_len: pull_len.saturating_mul(u64::from(cfg.rise_percent)) / 100,
            state: State::Idle,
            fault: Fault::None,
            power_held: 0,
            over_vacuum_count: 0,
            cycle_pos: 0,
            integral_scaled: 0,
            history: [0; RATE_WINDOW],
            history_next: 0,
            history_seen: 0,
            last_predicted_dmmhg: 0,
            last_cycle_pos: 0,
        })
    }

    /// The configuration in use.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Debug telemetry: the reading the PI loop acted on at the last tick, 0.1 mmHg: lead-predicted
    /// on a pull tick, the measured reading otherwise. What a board would print on its debug UART.
    pub fn predicted_vacuum_dmmhg(&self) -> i64 {
        self.last_predicted_dmmhg
    }

    /// Debug telemetry: the loop's integral term now, permille of duty.
    pub fn integral_duty_permille(&self) -> i64 {
        div(
            self.integral_scaled,
            i64::from(self.cfg.tick_hz).saturating_mul(10),
        )
    }

    /// Debug telemetry: where in the pump cycle the last tick fell, % (whole percent, rounded
    /// down; the pull is the first `pull_percent`); 0 while stopped.
    pub fn cycle_position_pct(&self) -> u64 {
        self.last_cycle_pos
            .saturating_mul(100)
            .checked_div(self.cycle_len)
            .unwrap_or(0)
    }

    /// Fresh loop state for the next pull.
    fn reset_loop(&mut self) {
        self.integral_scaled = 0;
        self.history_seen = 0;
    }

    /// True once per press: on the tick POWER has been held for the debounce time.
    fn power_pressed(&mut self, buttons: Buttons) -> bool {
        if !buttons.is_down(Buttons::POWER) {
            self.power_held = 0;
            return false;
        }
        if self.power_held <= self.debounce_ticks {
            self.power_held = self.power_held.saturating_add(1);
        }
        self.power_held == self.debounce_ticks
    }

    /// PI on the lead-predicted reading; everything in 0.1 mmHg and permille.
    fn vacuum_loop(&mut self, target: u16, measured: i16) -> u16 {
        let now = i64::from(measured);
        let slot = self.history_next % RATE_WINDOW;
        let oldest = self.history.get(slot).copied().map_or(now, i64::from);
        if let Some(h) = self.history.get_mut(slot) {
            *h = measured;
        }
        self.history_next = slot.saturating_add(1) % RATE_WINDOW;
        let predicted = if self.history_seen < RATE_WINDOW {
            self.history_seen = self.history_seen.saturating_add(1);
            now
        } else {
            // Rate over the window, extrapolated `lead_ticks` ahead.
            now.saturating_add(div(
                now.saturating_sub(oldest).saturating_mul(self.lead_ticks),
                RATE_WINDOW as i64,
            ))
        };
        self.last_predicted_dmmhg = predicted;

        let max_duty = i64::from(self.cfg.max_duty_permille.min(1000));
        let scale = i64::from(self.cfg.tick_hz).saturating_mul(10);
        let error = i64::from(target).saturating_sub(predicted);
        let p = div(
            i64::from(self.cfg.kp_permille_per_mmhg).saturating_mul(error),
            10,
        );
        let unclamped = p.saturating_add(div(self.integral_scaled, scale));
        // Anti-windup: stop integrating while the output is pinned in the error's direction.
        let saturated = (unclamped >= max_duty && error > 0) || (unclamped <= 0 && error < 0);
        if !saturated {
            let limit = max_duty.saturating_mul(scale);
            self.integral_scaled = self
                .integral_scaled
                .saturating_add(i64::from(self.cfg.ki_permille_per_mmhg_s).saturating_mul(error))
                .clamp(limit.saturating_neg(), limit);
        }
        let duty = p
            .saturating_add(div(self.integral_scaled, scale))
            .clamp(0, max_duty);
        u16::try_from(duty).unwrap_or(0)
    }

    /// One control tick.
    pub fn step(&mut self, inputs: &Inputs) -> Outputs {
        let counts = i64::from(inputs.pressure_counts);
        let measured_wide = div(
            counts
                .saturating_sub(i64::from(self.cfg.zero_counts))
                .saturating_mul(10_000),
            i64::from(self.cfg.counts_per_mmhg_milli),
        );
        let measured = i16::try_from(measured_wide.clamp(i64::from(i16::MIN), i64::from(i16::MAX)))
            .unwrap_or(0);
        let mut power = self.power_pressed(inputs.buttons);

        // Safety first: a reading above the maximum for long enough latches a fault.
        if self.state != State::Fault {
            let max_dmmhg = i64::from(self.cfg.max_vacuum_mmhg).saturating_mul(10);
            self.over_vacuum_count = if i64::from(measured) > max_dmmhg {
                self.over_vacuum_count.saturating_add(1)
            } else {
                0
            };
            if self.over_vacuum_count >= self.over_vacuum_ticks {
                self.state = State::Fault;
                self.fault = Fault::OverVacuum;
                power = false;
            }
        }

        if power {
            if self.state == State::Idle {
                self.state = State::Expression;
                self.cycle_pos = 0;
                self.reset_loop();
            } else {
                // Stop, or clear a latched fault.
                self.state = State::Idle;
                self.fault = Fault::None;
                self.over_vacuum_count = 0;
            }
        }

        let mut duty = 0;
        let mut target = 0;
        let mut valve_open = true;
        let mut phase = CyclePhase::None;
        // Debug telemetry as the C example reports it: off the pull, the loop's reading is the
        // measured one; stopped, there is no cycle.
        self.last_predicted_dmmhg = i64::from(measured);
        self.last_cycle_pos = 0;
        if self.state == State::Expression {
            self.last_cycle_pos = self.cycle_pos;
            if self.cycle_pos < self.pull_len {
                let level = u64::from(self.cfg.vacuum_mmhg).saturating_mul(10);
                let ramped = if self.cycle_pos < self.rise_len {
                    level
                        .saturating_mul(self.cycle_pos)
                        .checked_div(self.rise_len)
                        .unwrap_or(level)
                } else {
                    level
                };
                target = u16::try_from(ramped).unwrap_or(u16::MAX);
                valve_open = false;
                phase = CyclePhase::Pull;
                duty = self.vacuum_loop(target, measured);
            } else {
                phase = CyclePhase::Release;
            }
            self.cycle_pos = self
                .cycle_pos
                .saturating_add(u64::from(self.cfg.cycles_per_min));
            if self.cycle_pos >= self.cycle_len {
                self.cycle_pos = self.cycle_pos.saturating_sub(self.cycle_len);
                self.reset_loop();
            }
        }

        let running = self.state == State::Expression;
        Outputs {
            motor_duty_permille: duty,
            valve_open,
            telemetry: Telemetry {
                state: self.state,
                cycle_phase: phase,
                fault: if self.state == State::Fault {
                    self.fault
                } else {
                    Fault::None
                },
                target_vacuum_dmmhg: target,
                measured_vacuum_dmmhg: measured,
                level_vacuum_mmhg: if running { self.cfg.vacuum_mmhg } else { 0 },
                cycles_per_min: if running { self.cfg.cycles_per_min } else { 0 },
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idle_reading() -> Inputs {
        Inputs {
            pressure_counts: Config::default().zero_counts,
            ..Inputs::default()
        }
    }

    fn press(fw: &mut ExampleFirmware) {
        let down = Inputs {
            buttons: Buttons(Buttons::POWER),
            ..idle_reading()
        };
        for _ in 0..30 {
            fw.step(&down);
        }
        fw.step(&idle_reading());
    }

    #[test]
    fn power_starts_and_stops() {
        let mut fw = ExampleFirmware::new(Config::default()).unwrap();
        assert_eq!(fw.step(&idle_reading()).telemetry.state, State::Idle);
        press(&mut fw);
        let out = fw.step(&idle_reading());
        assert_eq!(out.telemetry.state, State::Expression);
        assert!(out.motor_duty_permille > 0);
        press(&mut fw);
        let out = fw.step(&idle_reading());
        assert_eq!(out.telemetry.state, State::Idle);
        assert_eq!(out.motor_duty_permille, 0);
        assert!(out.valve_open);
    }

    /// The debug getters report the tick just stepped: the position walks through the cycle
    /// with the valve shut exactly in the pull share; a steady reading below the target is acted
    /// on as it is and winds the integral up.
    #[test]
    fn debug_telemetry_describes_the_last_tick() {
        let cfg = Config::default();
        let mut fw = ExampleFirmware::new(cfg).unwrap();
        press(&mut fw);
        let reading = Inputs {
            pressure_counts: cfg.zero_counts + 500,
            ..Inputs::default()
        };
        let mut seen = [false; 100];
        let mut measured = 0;
        let mut max_integral = 0;
        let cycle_ticks = 60 * cfg.tick_hz / u32::from(cfg.cycles_per_min);
        for k in 0..cycle_ticks {
            let out = fw.step(&reading);
            let pct = fw.cycle_position_pct();
            assert!(pct < 100, "tick {k}: {pct}");
            seen[pct as usize] = true;
            assert_eq!(
                !out.valve_open,
                pct < u64::from(cfg.pull_percent),
                "tick {k}: {pct}"
            );
            measured = out.telemetry.measured_vacuum_dmmhg;
            max_integral = max_integral.max(fw.integral_duty_permille());
        }
        assert!(seen.iter().filter(|s| **s).count() > 90);
        // A steady reading has no rate: the loop acted on the reading itself.
        assert_eq!(fw.predicted_vacuum_dmmhg(), i64::from(measured));
        assert!(max_integral > 0);
    }

    #[test]
    fn a_short_blip_is_not_a_press() {
        let mut fw = ExampleFirmware::new(Config::default()).unwrap();
        let down = Inputs {
            buttons: Buttons(Buttons::POWER),
            ..idle_reading()
        };
        for _ in 0..5 {
            fw.step(&down);
        }
        assert_eq!(fw.step(&idle_reading()).telemetry.state, State::Idle);
    }

    #[test]
    fn over_vacuum_latches_a_fault_until_power() {
        let cfg = Config::default();
        let mut fw = ExampleFirmware::new(cfg).unwrap();
        press(&mut fw);
        // Far above the maximum: counts well past zero.
        let high = Inputs {
            pressure_counts: 4000,
            ..Inputs::default()
        };
        let mut out = fw.step(&high);
        for _ in 0..2000 {
            out = fw.step(&high);
        }
        assert_eq!(out.telemetry.state, State::Fault);
        assert_eq!(out.telemetry.fault, Fault::OverVacuum);
        assert_eq!(out.motor_duty_permille, 0);
        assert!(out.valve_open);
        press(&mut fw);
        assert_eq!(fw.step(&idle_reading()).telemetry.state, State::Idle);
    }

    #[test]
    fn bad_config_is_refused_and_extreme_inputs_do_not_panic() {
        let bad = Config {
            cycles_per_min: 0,
            ..Config::default()
        };
        assert!(ExampleFirmware::new(bad).is_err());
        let mut fw = ExampleFirmware::new(Config::default()).unwrap();
        press(&mut fw);
        for counts in [0u16, 1, 4095, u16::MAX] {
            for b in [0u8, 0xff] {
                fw.step(&Inputs {
                    time_ns: u64::MAX,
                    pressure_counts: counts,
                    buttons: Buttons(b),
                    supply_mv: u16::MAX,
                });
            }
        }
    }
}
