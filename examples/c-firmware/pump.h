/* pump.h: the example pump firmware's entry points (called by main() on a board, by the shim here). */
#ifndef PUMP_H
#define PUMP_H

#include <stdint.h>

struct pump_phase {
    uint16_t cycles_per_min; /* cycles per minute */
    uint16_t vacuum_mmhg;    /* level, mmHg */
    uint8_t pull_percent;    /* pull share of a cycle, percent */
    uint8_t rise_percent;    /* ramp share of the pull, percent */
};

struct pump_config {
    uint32_t tick_hz;                  /* control ticks per second */
    uint16_t zero_counts;              /* ADC counts at zero vacuum */
    uint32_t counts_per_mmhg_milli;    /* 1/1000 count per mmHg */
    struct pump_phase phase[2];        /* [0] stimulation, [1] expression */
    uint32_t stimulation_max_ticks;    /* switch to expression after this many ticks (0 = never) */
    uint16_t kp_permille_per_mmhg;     /* proportional gain */
    uint16_t ki_permille_per_mmhg_s;   /* integral gain */
    uint32_t lead_ticks;               /* prediction horizon, ticks */
    uint16_t max_duty_permille;        /* duty ceiling */
    int32_t max_vacuum_dmmhg;          /* safety maximum, 0.1 mmHg */
    uint32_t over_vacuum_ticks;        /* ticks above it that trip the fault */
};

/* Resets all state and applies the configuration. Returns 0, or -1 for an unusable one. */
int pump_init(const struct pump_config *config);
/* One control tick: reads the HAL inputs, writes the HAL outputs. */
void pump_tick(void);

#endif
