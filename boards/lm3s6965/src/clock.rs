//! System clock: the PLL at 50 MHz from the 8 MHz crystal of the EK-LM3S6965 board, so the UART
//! baud rate is exact (the reset clock, the internal oscillator, is only ±30 %).
//!
//! Sequence from the LM3S6965 data sheet, "System Control, Initialization and Configuration":
//! bypass the PLL, select crystal and source and power the PLL up, set the divider, wait for
//! lock, then drop the bypass. The lock wait is bounded: a board whose PLL does not lock keeps
//! running from the crystal and the UART divisor follows (QEMU's model ignores all of this; its
//! clock only scales SysTick, which this image does not use).

use crate::regs::sysctl::*;

/// Crystal of the EK-LM3S6965 evaluation board, Hz. Change with `RCC_XTAL_8MHZ` for another.
const CRYSTAL_HZ: u32 = 8_000_000;
/// System clock with the PLL locked, Hz.
const PLL_SYSCLK_HZ: u32 = 50_000_000;
/// Polls of the lock flag before giving up (the PLL locks in well under 1 ms; this is ~10 ms
/// at the crystal's 8 MHz).
const LOCK_POLLS: u32 = 20_000;

/// Configures the system clock and returns its frequency, Hz.
pub fn init() -> u32 {
    let mut rcc = RCC.read();
    rcc |= RCC_BYPASS;
    rcc &= !RCC_USESYSDIV;
    RCC.write(rcc);

    rcc &= !(RCC_XTAL_MASK | RCC_OSCSRC_MASK | RCC_PWRDN | RCC_MOSCDIS);
    rcc |= RCC_XTAL_8MHZ;
    RCC.write(rcc);

    rcc &= !RCC_SYSDIV_MASK;
    rcc |= RCC_SYSDIV_50MHZ | RCC_USESYSDIV;
    RCC.write(rcc);

    let locked = (0..LOCK_POLLS).any(|_| RIS.read() & PLLLRIS != 0);
    if locked {
        RCC.write(rcc & !RCC_BYPASS);
        PLL_SYSCLK_HZ
    } else {
        // Stay on the crystal, undivided.
        RCC.write(rcc & !RCC_USESYSDIV);
        CRYSTAL_HZ
    }
}
