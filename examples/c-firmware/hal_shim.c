/*
 * hal_shim.c: the only file that knows about pumprig. It implements hal.h on top of the tick's
 * pumprig_fw_sensor / pumprig_fw_actuator and exports the pumprig_fw.h functions.
 *
 * On a board, a different shim reads the ADC and drives the PWM timer; pump.c is unchanged.
 *
 * The PUMPRIG_TEST_* macros exist only so the rig's tests (rig/tests/cabi.rs) can build broken
 * variants of this library: a wrong ABI version, a wrong struct size, a missing symbol, a bad
 * telemetry name, a partial set of telemetry functions.
 */
#include "pumprig_fw.h"
#include "hal.h"
#include "pump.h"

#ifndef PUMPRIG_TEST_ABI_VERSION
#define PUMPRIG_TEST_ABI_VERSION PUMPRIG_FW_ABI_VERSION
#endif
#ifndef PUMPRIG_TEST_ACTUATOR_EXTRA_BYTES
#define PUMPRIG_TEST_ACTUATOR_EXTRA_BYTES 0u
#endif

static const struct pumprig_fw_sensor *tick_in;
static struct pumprig_fw_actuator *tick_out;
/* The last tick's debug values, reported through the optional telemetry functions. */
static int32_t debug_predicted_dmmhg, debug_integral_permille;
static uint32_t debug_cycle_pos, debug_cycle_len = 1;

uint16_t hal_pressure_counts(void) { return tick_in->pressure_counts; }
uint8_t hal_buttons(void) { return tick_in->buttons; }
void hal_set_motor_duty(uint16_t permille) { tick_out->motor_duty_permille = permille; }
void hal_set_valve_open(uint8_t open) { tick_out->valve_open = open ? 1u : 0u; }
void hal_report(uint8_t state, uint8_t fault, uint16_t target_dmmhg, int16_t measured_dmmhg) {
    tick_out->state = state;
    tick_out->fault = fault;
    tick_out->target_vacuum_dmmhg = target_dmmhg;
    tick_out->measured_vacuum_dmmhg = measured_dmmhg;
}

void hal_debug(int32_t predicted_dmmhg, int32_t integral_permille, uint32_t cycle_pos,
               uint32_t cycle_len) {
    debug_predicted_dmmhg = predicted_dmmhg;
    debug_integral_permille = integral_permille;
    debug_cycle_pos = cycle_pos;
    debug_cycle_len = cycle_len ? cycle_len : 1u;
}

uint32_t pumprig_fw_abi_version(void) { return PUMPRIG_TEST_ABI_VERSION; }
uint32_t pumprig_fw_sizeof_sensor(void) { return sizeof(struct pumprig_fw_sensor); }
uint32_t pumprig_fw_sizeof_actuator(void) {
    return sizeof(struct pumprig_fw_actuator) + PUMPRIG_TEST_ACTUATOR_EXTRA_BYTES;
}

static uint32_t ms_to_ticks(uint32_t ms, uint32_t tick_hz) {
    return (uint32_t)(((uint64_t)ms * tick_hz + 999u) / 1000u);
}

int32_t pumprig_fw_init(const struct pumprig_fw_settings *s) {
    struct pump_config c;
    const struct pumprig_fw_phase *phases[2] = {&s->stimulation, &s->expression};
    c.tick_hz = s->tick_hz;
    c.zero_counts = s->zero_counts;
    c.counts_per_mmhg_milli = s->counts_per_mmhg_milli;
    for (int i = 0; i < 2; i++) {
        c.phase[i].cycles_per_min = phases[i]->cycles_per_min;
        c.phase[i].vacuum_mmhg = phases[i]->vacuum_mmhg;
        c.phase[i].pull_percent = phases[i]->pull_percent;
        c.phase[i].rise_percent = phases[i]->rise_percent;
    }
    c.stimulation_max_ticks = (uint32_t)s->stimulation_max_s * s->tick_hz;
    c.kp_permille_per_mmhg = s->kp_permille_per_mmhg;
    c.ki_permille_per_mmhg_s = s->ki_permille_per_mmhg_s;
    c.lead_ticks = ms_to_ticks(s->lead_ms, s->tick_hz);
    c.max_duty_permille = s->max_duty_permille;
    c.max_vacuum_dmmhg = (int32_t)s->max_vacuum_mmhg * 10;
    c.over_vacuum_ticks = ms_to_ticks(s->over_vacuum_ms, s->tick_hz);
    return pump_init(&c);
}

void pumprig_fw_step(const struct pumprig_fw_sensor *sensor, struct pumprig_fw_actuator *actuator) {
    tick_in = sensor;
    tick_out = actuator;
    pump_tick();
    tick_in = 0;
    tick_out = 0;
}

const char *pumprig_fw_name(void) { return "pumprig-example-c-firmware"; }

/* Pass -DPUMP_BUILD_ID='"..."' (e.g. the git commit) to identify a build; a fixed default keeps
 * builds reproducible. */
#ifndef PUMP_BUILD_ID
#define PUMP_BUILD_ID "example-c-firmware 0.1.0"
#endif

#ifndef PUMPRIG_TEST_OMIT_BUILD_ID
const char *pumprig_fw_build_id(void) { return PUMP_BUILD_ID; }
#endif

/* Optional named telemetry: recorded by the rig as fw_<name> columns of timeseries.csv. */
#ifndef PUMPRIG_TEST_OMIT_TELEMETRY
static const char *const telemetry_names[] = {
#ifdef PUMPRIG_TEST_BAD_TELEMETRY_NAME
    PUMPRIG_TEST_BAD_TELEMETRY_NAME,
#else
    "predicted_vacuum_mmhg",
#endif
    "integral_duty_permille",
    "cycle_position_pct",
};
#define TELEMETRY_COUNT (sizeof telemetry_names / sizeof telemetry_names[0])

#ifndef PUMPRIG_TEST_OMIT_TELEMETRY_COUNT
#ifdef PUMPRIG_TEST_TELEMETRY_COUNT
uint32_t pumprig_fw_telemetry_count(void) { return PUMPRIG_TEST_TELEMETRY_COUNT; }
#else
uint32_t pumprig_fw_telemetry_count(void) { return TELEMETRY_COUNT; }
#endif
#endif
const char *pumprig_fw_telemetry_name(uint32_t index) {
    return index < TELEMETRY_COUNT ? telemetry_names[index] : 0;
}
void pumprig_fw_telemetry(double *values) {
    values[0] = debug_predicted_dmmhg / 10.0;
    values[1] = debug_integral_permille;
    values[2] = 100.0 * debug_cycle_pos / debug_cycle_len;
}
#endif
