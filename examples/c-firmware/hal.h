/*
 * hal.h: the few hardware functions the pump firmware calls. On a board they read the ADC and GPIO
 * and drive the PWM timer; in the rig, hal_shim.c implements them on top of pumprig_fw.h.
 */
#ifndef PUMP_HAL_H
#define PUMP_HAL_H

#include <stdint.h>

/* Latest vacuum-transducer ADC reading, counts (12-bit). */
uint16_t hal_pressure_counts(void);
/* Buttons held down, bit set: POWER 1, LEVEL_UP 2, LEVEL_DOWN 4, LETDOWN 8. */
uint8_t hal_buttons(void);
/* Motor PWM duty, permille 0..1000. */
void hal_set_motor_duty(uint16_t permille);
/* Release valve: nonzero opens it (vents the kit). */
void hal_set_valve_open(uint8_t open);
/* Status for the rig's plots: state and fault codes, set-point and own reading in 0.1 mmHg. */
void hal_report(uint8_t state, uint8_t fault, uint16_t target_dmmhg, int16_t measured_dmmhg);
/* Debug telemetry (on a board: a debug UART or RTT channel; in the rig: fw_ columns): the
 * lead-predicted reading the vacuum loop acted on, 0.1 mmHg; the loop's integral term, permille
 * duty; the position in the current pump cycle, 1/cycle_len of a cycle (0 when stopped). */
void hal_debug(int32_t predicted_dmmhg, int32_t integral_permille, uint32_t cycle_pos,
               uint32_t cycle_len);

#endif
