//! Program flow: debounced button presses, the Idle / Stimulation / Expression states, per-phase
//! vacuum levels, and the two-phase switch (timed or on let-down).

use crate::io::{Buttons, State};
use crate::settings::{PhaseProfile, ProgramSettings, Settings, StartPhase};
use crate::timing::{ms_to_ticks, s_to_ticks};

/// A press counts once the button has been held down this long, ms.
pub const DEBOUNCE_MS: u16 = 20;

/// The buttons the controller knows, in bit order.
const BUTTON_BITS: [u8; 4] = [
    Buttons::POWER,
    Buttons::LEVEL_UP,
    Buttons::LEVEL_DOWN,
    Buttons::LETDOWN,
];

/// Every bit of [`BUTTON_BITS`].
const KNOWN_BUTTONS: u8 =
    Buttons::POWER | Buttons::LEVEL_UP | Buttons::LEVEL_DOWN | Buttons::LETDOWN;

/// Turns held-button bits into one press event per hold, once held for [`DEBOUNCE_MS`].
#[derive(Clone, Debug)]
pub(crate) struct Debouncer {
    /// Consecutive ticks each button of [`BUTTON_BITS`] has been down, ticks.
    held_ticks: [u32; 4],
    /// Hold time that makes a press, ticks.
    debounce_ticks: u32,
}

impl Debouncer {
    pub(crate) fn new(tick_hz: u16) -> Self {
        Debouncer {
            held_ticks: [0; 4],
            debounce_ticks: ms_to_ticks(DEBOUNCE_MS, tick_hz),
        }
    }

    /// One tick: returns the buttons whose press registers on this tick.
    #[inline]
    pub(crate) fn update(&mut self, held: Buttons) -> Buttons {
        // Almost every tick: no known button down and none was on the last tick. The loop
        // below would only rewrite zeros; skip it (the result is the same).
        if held.0 & KNOWN_BUTTONS == 0 && self.held_ticks == [0; 4] {
            return Buttons(0);
        }
        let mut presses = 0;
        for (count, bit) in self.held_ticks.iter_mut().zip(BUTTON_BITS) {
            if held.is_down(bit) {
                *count = count.saturating_add(1);
                if *count == self.debounce_ticks {
                    presses |= bit;
                }
            } else {
                *count = 0;
            }
        }
        Buttons(presses)
    }
}

/// What the program did on one tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ProgramTick {
    /// State after this tick (never [`State::Fault`]; the controller overlays faults).
    pub state: State,
    /// `true` when a running phase was entered on this tick: its cycle starts over at Pull.
    pub entered: bool,
}

/// Program state machine and per-phase levels.
#[derive(Clone, Debug)]
pub(crate) struct Program {
    /// Idle, Stimulation or Expression.
    state: State,
    /// The phase entered on the first tick when starting on power-up.
    pending_entry: bool,
    /// Flow settings.
    settings: ProgramSettings,
    /// Stimulation profile, for level limits.
    stimulation: PhaseProfile,
    /// Expression profile, for level limits.
    expression: PhaseProfile,
    /// Selected stimulation level, mmHg.
    stimulation_level_mmhg: u16,
    /// Selected expression level, mmHg.
    expression_level_mmhg: u16,
    /// Ticks since stimulation was entered, ticks.
    stimulation_elapsed_ticks: u32,
    /// Automatic switch after this many stimulation ticks; 0 = never.
    stimulation_max_ticks: u32,
}

impl Program {
    pub(crate) fn new(settings: &Settings) -> Self {
        let mut program = Program {
            state: State::Idle,
            pending_entry: false,
            settings: settings.program,
            stimulation: settings.stimulation,
            expression: settings.expression,
            stimulation_level_mmhg: settings.stimulation.vacuum_mmhg,
            expression_level_mmhg: settings.expression.vacuum_mmhg,
            stimulation_elapsed_ticks: 0,
            stimulation_max_ticks: s_to_ticks(settings.program.stimulation_max_s, settings.tick_hz),
        };
        if settings.program.start_on_power_up {
            program.start();
            program.pending_entry = true;
        }
        program
    }

    /// Current state (Idle, Stimulation or Expression).
    pub(crate) fn state(&self) -> State {
        self.state
    }

    /// Selected level of a running state, mmHg; 0 in Idle.
    pub(crate) fn level_mmhg(&self) -> u16 {
        match self.state {
            State::Stimulation => self.stimulation_level_mmhg,
            State::Expression => self.expression_level_mmhg,
            State::Idle | State::Fault => 0,
        }
    }

    /// Stops at once (POWER while running, or a fault).
    pub(crate) fn stop(&mut self) {
        self.state = State::Idle;
        self.pending_entry = false;
    }

    fn start(&mut self) {
        match self.settings.start_phase {
            StartPhase::Stimulation => self.enter(State::Stimulation),
            StartPhase::Expression => self.enter(State::Expression),
        }
    }

    fn enter(&mut self, state: State) {
        self.state = state;
        self.stimulation_elapsed_ticks = 0;
    }

    /// One tick with this tick's debounced presses.
    #[inline]
    pub(crate) fn update(&mut self, presses: Buttons) -> ProgramTick {
        if presses.0 == 0 && !self.pending_entry {
            // Almost every tick: no press and no pending entry. Only a stimulation phase has
            // anything to do (its timed switch); the same as the full path below.
            if self.state == State::Stimulation {
                return self.stimulation_tick();
            }
            return ProgramTick {
                state: self.state,
                entered: false,
            };
        }
        let mut entered = core::mem::take(&mut self.pending_entry);
        let power = presses.is_down(Buttons::POWER);
        match self.state {
            State::Idle | State::Fault => {
                if power {
                    self.start();
                    entered = true;
                }
            }
            State::Stimulation => {
                if power {
                    self.stop();
                } else if presses.is_down(Buttons::LETDOWN) {
                    self.enter(State::Expression);
                    entered = true;
                } else if !entered {
                    entered = self.stimulation_tick().entered;
                }
            }
            State::Expression => {
                if power {
                    self.stop();
                }
            }
        }
        if presses.is_down(Buttons::LEVEL_UP) {
            self.change_level(true);
        }
        if presses.is_down(Buttons::LEVEL_DOWN) {
            self.change_level(false);
        }
        ProgramTick {
            state: self.state,
            entered,
        }
    }

    /// A stimulation tick without a press: counts it and switches to expression when the
    /// stimulation time is up.
    #[inline]
    fn stimulation_tick(&mut self) -> ProgramTick {
        self.stimulation_elapsed_ticks = self.stimulation_elapsed_ticks.saturating_add(1);
        let entered = self.stimulation_max_ticks != 0
            && self.stimulation_elapsed_ticks >= self.stimulation_max_ticks;
        if entered {
            self.enter(State::Expression);
        }
        ProgramTick {
            state: self.state,
            entered,
        }
    }

    /// One level step up or down for the running phase, clamped to its [min, max].
    fn change_level(&mut self, up: bool) {
        let (level, profile) = match self.state {
            State::Stimulation => (&mut self.stimulation_level_mmhg, &self.stimulation),
            State::Expression => (&mut self.expression_level_mmhg, &self.expression),
            State::Idle | State::Fault => return,
        };
        let stepped = if up {
            level.saturating_add(profile.level_step_mmhg)
        } else {
            level.saturating_sub(profile.level_step_mmhg)
        };
        *level = stepped.clamp(
            profile.min_vacuum_mmhg,
            profile.max_vacuum_mmhg.max(profile.min_vacuum_mmhg),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_press_registers_once_on_the_debounce_tick() {
        let mut d = Debouncer::new(1000);
        let power = Buttons(Buttons::POWER);
        for _ in 0..19 {
            assert_eq!(d.update(power), Buttons(0));
        }
        assert_eq!(d.update(power), power);
        for _ in 0..1000 {
            assert_eq!(d.update(power), Buttons(0));
        }
    }

    #[test]
    fn the_idle_shortcut_changes_nothing() {
        // Against the plain per-button rule, over a scramble of held bits (unknown bits and
        // long idle stretches included, where the shortcut applies).
        let mut d = Debouncer::new(1000);
        let mut counts = [0u32; 4];
        let mut x: u32 = 99;
        let mut held = 0u8;
        let mut presses = 0;
        for k in 0..200_000u32 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            // Holds that last ~16 ticks on average, so that some reach the debounce time.
            if x >> 28 == 0 {
                let bits = (x >> 20) as u8;
                held = if (k / 4096) % 2 == 0 {
                    bits & 0xF0
                } else {
                    bits
                };
            }
            let mut expected = 0;
            for (count, bit) in counts.iter_mut().zip(BUTTON_BITS) {
                *count = if held & bit != 0 { *count + 1 } else { 0 };
                if *count == 20 {
                    expected |= bit;
                }
            }
            assert_eq!(d.update(Buttons(held)), Buttons(expected), "tick {k}");
            assert_eq!(d.held_ticks, counts);
            presses += u32::from(expected != 0);
        }
        assert!(presses > 100, "{presses}");
    }

    #[test]
    fn unknown_bits_are_ignored() {
        let mut d = Debouncer::new(1000);
        for _ in 0..100 {
            assert_eq!(d.update(Buttons(0xF0)), Buttons(0));
        }
    }
}
