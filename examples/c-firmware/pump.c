/*
 * pump.c: a small two-phase profile controller, written as MCU firmware is: state in statics,
 * integer arithmetic only, timing counted in control ticks, hardware only through hal.h.
 *
 * Program: idle (motor off, valve open) until POWER is held 20 ms; stimulation, then expression
 * after the configured time or on LETDOWN; POWER again stops. Each cycle pulls (valve shut, the
 * set-point ramping to the level) then releases (valve open, motor off). Vacuum is held by a PI
 * loop acting on the reading predicted `lead` ticks ahead (the pump cannot push air back, so it
 * must stop pulling before the target while the motor coasts). A reading above the safety maximum
 * for long enough latches a fault: motor off, valve open until POWER.
 */
#include "pump.h"
#include "hal.h"

/* Test variants only (rig/tests/cabi.rs): -DPUMP_CRASH_AT_TICK=N dereferences NULL (SIGSEGV),
 * -DPUMP_ABORT_AT_TICK=N calls abort() (SIGABRT) and -DPUMP_HANG_AT_TICK=N never returns, in tick N
 * (counted from 0), to check that a crash or a hang fails only its own run. */
#if defined(PUMP_CRASH_AT_TICK) || defined(PUMP_ABORT_AT_TICK) || defined(PUMP_HANG_AT_TICK)
#include <stdlib.h>
static uint32_t test_ticks;
#endif

/* Test variant only (rig/tests/baseline.rs): -DPUMP_KP_PERCENT=N runs the proportional gain at N %
 * of its setting: a firmware change that moves the vacuum curve, for the golden-baseline test. */
#ifndef PUMP_KP_PERCENT
#define PUMP_KP_PERCENT 100
#endif

#define BUTTON_POWER 1u
#define BUTTON_LETDOWN 8u
#define DEBOUNCE_MS 20u
#define RATE_WINDOW 8

enum { IDLE = 0, STIMULATION = 1, EXPRESSION = 2, FAULT = 3 };
enum { FAULT_NONE = 0, FAULT_OVER_VACUUM = 1 };

static struct pump_config cfg;
static uint8_t state;
static uint8_t fault;
static uint32_t debounce_ticks;
static uint32_t power_held, letdown_held;
static uint32_t ticks_in_phase;
static uint32_t over_vacuum_count;
/* Cycle position in 1/cycles_per_min ticks: a tick adds cycles_per_min, a cycle is 60 * tick_hz. */
static uint64_t cycle_pos;
static int64_t integral_scaled; /* permille * 10 * tick_hz */
static int16_t history[RATE_WINDOW];
static unsigned history_next, history_seen;
static int64_t last_predicted; /* 0.1 mmHg: what the vacuum loop last acted on (telemetry) */

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

int pump_init(const struct pump_config *config) {
    if (config->tick_hz == 0 || config->counts_per_mmhg_milli == 0) return -1;
    for (int i = 0; i < 2; i++) {
        const struct pump_phase *p = &config->phase[i];
        if (p->cycles_per_min == 0 || p->pull_percent == 0 || p->pull_percent > 99 || p->rise_percent > 100)
            return -1;
    }
    cfg = *config;
    state = IDLE;
    fault = FAULT_NONE;
    debounce_ticks = (DEBOUNCE_MS * cfg.tick_hz + 999u) / 1000u;
    if (debounce_ticks == 0) debounce_ticks = 1;
    power_held = letdown_held = ticks_in_phase = over_vacuum_count = 0;
    cycle_pos = 0;
    integral_scaled = 0;
    history_next = history_seen = 0;
    return 0;
}

/* True once per press: on the tick the button has been held for the debounce time. */
static int pressed(uint8_t buttons, uint8_t bit, uint32_t *held) {
    if (!(buttons & bit)) { *held = 0; return 0; }
    if (*held <= debounce_ticks) (*held)++;
    return *held == debounce_ticks;
}

static void start_phase(uint8_t s) {
    state = s;
    ticks_in_phase = 0;
    cycle_pos = 0;
    integral_scaled = 0;
    history_seen = 0;
}

/* PI on the lead-predicted reading; everything in 0.1 mmHg and permille. */
static uint16_t vacuum_loop(uint16_t target, int16_t measured) {
    int64_t now = measured, predicted = now;
    int64_t oldest = history[history_next];
    history[history_next] = measured;
    history_next = (history_next + 1) % RATE_WINDOW;
    if (history_seen < RATE_WINDOW) history_seen++;
    else predicted = now + (now - oldest) * (int64_t)cfg.lead_ticks / RATE_WINDOW;

    int64_t max_duty = cfg.max_duty_permille > 1000 ? 1000 : cfg.max_duty_permille;
    int64_t scale = (int64_t)cfg.tick_hz * 10;
    last_predicted = predicted;
    int64_t error = (int64_t)target - predicted;
    int64_t p = (int64_t)cfg.kp_permille_per_mmhg * PUMP_KP_PERCENT / 100 * error / 10;
    int64_t unclamped = p + integral_scaled / scale;
    int saturated = (unclamped >= max_duty && error > 0) || (unclamped <= 0 && error < 0);
    if (!saturated)
        integral_scaled = clamp64(integral_scaled + (int64_t)cfg.ki_permille_per_mmhg_s * error,
                                  -max_duty * scale, max_duty * scale);
    return (uint16_t)clamp64(p + integral_scaled / scale, 0, max_duty);
}

void pump_tick(void) {
#ifdef PUMP_CRASH_AT_TICK
    if (test_ticks == (PUMP_CRASH_AT_TICK)) *(volatile int *)0 = 1;
#endif
#ifdef PUMP_ABORT_AT_TICK
    if (test_ticks == (PUMP_ABORT_AT_TICK)) abort();
#endif
#ifdef PUMP_HANG_AT_TICK
    if (test_ticks == (PUMP_HANG_AT_TICK)) for (volatile int spin = 0;; spin++) {}
#endif
#if defined(PUMP_CRASH_AT_TICK) || defined(PUMP_ABORT_AT_TICK) || defined(PUMP_HANG_AT_TICK)
    test_ticks++;
#endif
    uint8_t buttons = hal_buttons();
    int64_t counts = hal_pressure_counts();
    int16_t measured = (int16_t)clamp64((counts - cfg.zero_counts) * 10000 / (int64_t)cfg.counts_per_mmhg_milli,
                                        INT16_MIN, INT16_MAX);
    int power = pressed(buttons, BUTTON_POWER, &power_held);
    int letdown = pressed(buttons, BUTTON_LETDOWN, &letdown_held);

    /* Safety first: a reading above the maximum for long enough latches a fault. */
    if (state != FAULT) {
        over_vacuum_count = measured > cfg.max_vacuum_dmmhg ? over_vacuum_count + 1 : 0;
        if (over_vacuum_count >= cfg.over_vacuum_ticks && over_vacuum_count > 0) {
            state = FAULT;
            fault = FAULT_OVER_VACUUM;
            power = 0;
        }
    }

    if (power) {
        if (state == IDLE) start_phase(STIMULATION);
        else { state = IDLE; fault = FAULT_NONE; over_vacuum_count = 0; }
    } else if (state == STIMULATION) {
        if (letdown || (cfg.stimulation_max_ticks != 0 && ticks_in_phase >= cfg.stimulation_max_ticks))
            start_phase(EXPRESSION);
    }

    uint16_t duty = 0, target = 0;
    uint8_t valve_open = 1;
    uint64_t cycle_at = 0, cycle_len = 1; /* this tick's cycle position, for telemetry */
    last_predicted = measured;
    if (state == STIMULATION || state == EXPRESSION) {
        const struct pump_phase *ph = &cfg.phase[state == STIMULATION ? 0 : 1];
        cycle_len = (uint64_t)cfg.tick_hz * 60u;
        cycle_at = cycle_pos;
        uint64_t pull_len = cycle_len * ph->pull_percent / 100u;
        uint64_t rise_len = pull_len * ph->rise_percent / 100u;
        if (cycle_pos < pull_len) {
            uint64_t level = (uint64_t)ph->vacuum_mmhg * 10u;
            target = (uint16_t)(cycle_pos < rise_len ? level * cycle_pos / rise_len : level);
            valve_open = 0;
            duty = vacuum_loop(target, measured);
        }
        cycle_pos += ph->cycles_per_min;
        if (cycle_pos >= cycle_len) {
            /* A new cycle: fresh loop state for the next pull. */
            cycle_pos -= cycle_len;
            integral_scaled = 0;
            history_seen = 0;
        }
        ticks_in_phase++;
    }
    hal_set_motor_duty(duty);
    hal_set_valve_open(valve_open);
    hal_report(state, state == FAULT ? fault : FAULT_NONE, target, measured);
    hal_debug((int32_t)last_predicted, (int32_t)(integral_scaled / ((int64_t)cfg.tick_hz * 10)),
              (uint32_t)cycle_at, (uint32_t)cycle_len);
}
