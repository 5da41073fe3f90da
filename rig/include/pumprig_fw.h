/*
 * pumprig_fw.h: the C ABI that C pump firmware implements to run in the pumprig loop.
 *
 * Build the firmware's control loop for the host as a shared library that exports the seven
 * functions below (`cc -shared -fPIC -o libpump.so pump.c hal_shim.c`), and name it in a scenario
 * with `controller.kind = "cabi:path/to/libpump.so"` or on the command line with
 * `pumprig run --controller cabi:path/to/libpump.so SCENARIO`.
 *
 * The rig owns the clock. Each control tick (scenario `tick_hz`, default 1 kHz) it fills one
 * `struct pumprig_fw_sensor`, calls `pumprig_fw_step` exactly once, and reads the
 * `struct pumprig_fw_actuator` back. The firmware never reads a clock of its own: it counts ticks.
 *
 * State in statics is expected (it is how MCU firmware is written): the rig loads a private copy of
 * the library file for every controller instance, so two runs never share statics.
 *
 * At load the rig checks `pumprig_fw_abi_version()` against PUMPRIG_FW_ABI_VERSION and the two
 * `pumprig_fw_sizeof_*()` values against its own struct sizes; any difference refuses the library.
 *
 * Optionally the firmware also reports named telemetry values of its own (an integrator, a
 * predicted reading, a phase position): export the three `pumprig_fw_telemetry*` functions at the
 * end of this header and the rig records each value as a `fw_<name>` column of timeseries.csv,
 * beside its own columns, and plots them in firmware.png.
 *
 * Reference with units and examples: docs/firmware.md.
 */
#ifndef PUMPRIG_FW_H
#define PUMPRIG_FW_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of this ABI. Bumped on any change to a struct layout or a function signature. */
#define PUMPRIG_FW_ABI_VERSION 1u

/* Most named telemetry values a firmware may report, and the longest name (bytes, without NUL). */
#define PUMPRIG_FW_TELEMETRY_MAX 16u
#define PUMPRIG_FW_TELEMETRY_NAME_MAX 40u

/* Bits of `pumprig_fw_sensor.buttons`: a bit is set while the button is held down. */
#define PUMPRIG_FW_BUTTON_POWER 1u      /* start / stop; clears a latched fault */
#define PUMPRIG_FW_BUTTON_LEVEL_UP 2u   /* raise the current phase's vacuum level */
#define PUMPRIG_FW_BUTTON_LEVEL_DOWN 4u /* lower the current phase's vacuum level */
#define PUMPRIG_FW_BUTTON_LETDOWN 8u    /* switch from stimulation to expression now */

/* Codes of `pumprig_fw_actuator.state` (as the reference firmware's State). */
#define PUMPRIG_FW_STATE_IDLE 0u        /* stopped: motor off, valve open */
#define PUMPRIG_FW_STATE_STIMULATION 1u /* fast, shallow cycles */
#define PUMPRIG_FW_STATE_EXPRESSION 2u  /* slow, deep cycles */
#define PUMPRIG_FW_STATE_FAULT 3u       /* a safety fault is latched: motor off, valve open */

/* Codes of `pumprig_fw_actuator.fault` (as the reference firmware's Fault). */
#define PUMPRIG_FW_FAULT_NONE 0u
#define PUMPRIG_FW_FAULT_OVER_VACUUM 1u         /* reading stayed above the safety maximum */
#define PUMPRIG_FW_FAULT_SENSOR_OUT_OF_RANGE 2u /* counts left the transducer's valid range */
#define PUMPRIG_FW_FAULT_SENSOR_STUCK 3u        /* the pump ran hard, the reading did not move */

/* One control tick's inputs: what the pump MCU reads. */
struct pumprig_fw_sensor {
    uint64_t time_ns;         /* simulated time of this tick, ns since the start of the run
                                 (informational: count ticks for timing) */
    uint16_t pressure_counts; /* raw 12-bit ADC reading of the vacuum transducer, counts (0..4095) */
    uint8_t buttons;          /* buttons held down, bit set of PUMPRIG_FW_BUTTON_* */
    uint16_t supply_mv;       /* supply voltage, mV */
};

/* One control tick's outputs: what the firmware commands and reports. */
struct pumprig_fw_actuator {
    uint16_t motor_duty_permille;   /* motor PWM duty, permille 0..1000 (larger is clamped to 1000) */
    uint8_t valve_open;             /* release valve: 0 closed, nonzero open (vents the kit) */
    uint8_t state;                  /* PUMPRIG_FW_STATE_* after this tick */
    uint8_t fault;                  /* PUMPRIG_FW_FAULT_* latched while state is FAULT, else NONE */
    uint16_t target_vacuum_dmmhg;   /* current set-point, 0.1 mmHg below atmosphere (0 = none) */
    int16_t measured_vacuum_dmmhg;  /* the firmware's own calibrated reading, 0.1 mmHg below
                                       atmosphere (may be slightly negative) */
};

/* The suction profile of one program phase. */
struct pumprig_fw_phase {
    uint16_t cycles_per_min; /* cycle rate, cycles per minute (> 0) */
    uint16_t vacuum_mmhg;    /* vacuum level at the end of the pull, mmHg below atmosphere */
    uint8_t pull_percent;    /* share of each cycle spent pulling (valve shut), percent 1..99 */
    uint8_t rise_percent;    /* share of the pull over which the set-point ramps from 0 to the
                                level, percent 0..100 (0 = step) */
};

/* Settings, filled from the scenario's [controller.settings] (same keys, same defaults). */
struct pumprig_fw_settings {
    uint32_t tick_hz;                /* control tick rate, Hz (calls of pumprig_fw_step per s) */
    uint16_t zero_counts;            /* sensor.zero_counts: ADC counts at zero vacuum */
    uint32_t counts_per_mmhg_milli;  /* sensor.counts_per_mmhg_milli: sensitivity, 1/1000 count
                                        per mmHg (9930 = 9.930 counts/mmHg);
                                        vacuum_dmmhg = (counts - zero_counts) * 10000 / this */
    struct pumprig_fw_phase stimulation; /* stimulation.* */
    struct pumprig_fw_phase expression;  /* expression.* */
    uint16_t stimulation_max_s;      /* program.stimulation_max_s: switch to expression after this
                                        long, s (0 = only on a LETDOWN press) */
    uint16_t kp_permille_per_mmhg;   /* control.kp_permille_per_mmhg: proportional gain,
                                        permille duty per mmHg of error */
    uint16_t ki_permille_per_mmhg_s; /* control.ki_permille_per_mmhg_s: integral gain,
                                        permille duty per mmHg of error per second */
    uint16_t lead_ms;                /* control.lead_ms: act on the reading predicted this far
                                        ahead along its recent rate, ms (0 = none) */
    uint16_t max_duty_permille;      /* control.max_duty_permille: motor duty ceiling, permille */
    uint16_t max_vacuum_mmhg;        /* supervisor.max_vacuum_mmhg: safety maximum, mmHg */
    uint16_t over_vacuum_ms;         /* supervisor.over_vacuum_ms: how long above it trips, ms */
};

/* PUMPRIG_FW_ABI_VERSION as the library was compiled. */
uint32_t pumprig_fw_abi_version(void);
/* sizeof(struct pumprig_fw_sensor) as the library was compiled, bytes. */
uint32_t pumprig_fw_sizeof_sensor(void);
/* sizeof(struct pumprig_fw_actuator) as the library was compiled, bytes. */
uint32_t pumprig_fw_sizeof_actuator(void);
/* Resets every static to power-on state and applies the settings. Called once, before the first
 * step. Returns 0 on success; nonzero rejects the settings (the run does not start). */
int32_t pumprig_fw_init(const struct pumprig_fw_settings *settings);
/* One control tick: reads *sensor, writes every field of *actuator. Never NULL. */
void pumprig_fw_step(const struct pumprig_fw_sensor *sensor, struct pumprig_fw_actuator *actuator);
/* Firmware name, a static NUL-terminated string (recorded in record.json). */
const char *pumprig_fw_name(void);
/* Identifies the exact build (version, commit, date): a static NUL-terminated string. */
const char *pumprig_fw_build_id(void);

/* Optional: named telemetry values. Export all three or none (a library with only some of them
 * is refused, naming the missing one). The rig calls the first two once, after pumprig_fw_init,
 * and pumprig_fw_telemetry after steps (below). */

/* How many values, 0..PUMPRIG_FW_TELEMETRY_MAX. */
uint32_t pumprig_fw_telemetry_count(void);
/* Name of value `index` (0..count-1): a static NUL-terminated string of lower-case letters,
 * digits and '_', starting with a letter, at most PUMPRIG_FW_TELEMETRY_NAME_MAX bytes, unique.
 * End it with its unit as the rig's columns do (`integral_duty_permille`, `predicted_vacuum_mmhg`).
 * Recorded as the column `fw_<name>`. */
const char *pumprig_fw_telemetry_name(uint32_t index);
/* Writes the `count` values as of the last pumprig_fw_step into values[0..count-1], each in the
 * unit its name gives (the buffer always has room for PUMPRIG_FW_TELEMETRY_MAX values). It may be
 * called after any step (in-process the rig calls it only on the ticks it records; its isolating
 * worker after every step), so it must not change the firmware's state. Written to
 * timeseries.csv as given (shortest round-trip decimal form: 0.25, 1e308, NaN, inf). */
void pumprig_fw_telemetry(double *values);

#ifdef __cplusplus
}
#endif

#endif /* PUMPRIG_FW_H */
