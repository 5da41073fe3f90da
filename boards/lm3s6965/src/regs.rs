//! The LM3S6965 registers this image touches, by name, and volatile access to them.
//!
//! Source: Texas Instruments, *Stellaris LM3S6965 Microcontroller Data Sheet* (DS-LM3S6965),
//! chapters "System Control" (RCC, RIS, RCGC1, RCGC2), "GPIO" (AFSEL, DEN) and "UART" (the ARM
//! PrimeCell PL011: DR, FR, IBRD, FBRD, LCRH, CTL, IFLS, IM, MIS, ICR). Only the few bits used are
//! named; a PAC would be overkill for a dozen registers.

/// A memory-mapped 32-bit peripheral register at a fixed address.
#[derive(Clone, Copy)]
pub struct Reg(usize);

impl Reg {
    const fn at(base: usize, offset: usize) -> Self {
        Reg(base + offset)
    }

    /// Reads the register.
    #[inline(always)]
    pub fn read(self) -> u32 {
        // SAFETY: every `Reg` is one of the constants below: an aligned, always-mapped register
        // of the LM3S6965 (and of QEMU's lm3s6965evb). Reading has no side effect except on DR,
        // whose reads (popping the RX FIFO) only the UART module does.
        unsafe { core::ptr::read_volatile(self.0 as *const u32) }
    }

    /// Writes the register.
    #[inline(always)]
    pub fn write(self, value: u32) {
        // SAFETY: as for `read`; the values written are the documented bit patterns below.
        unsafe { core::ptr::write_volatile(self.0 as *mut u32, value) }
    }

    /// Read-modify-write: sets the bits of `mask`. Only used during start-up, before the UART
    /// interrupt is unmasked, so nothing can interleave.
    #[inline(always)]
    pub fn set_bits(self, mask: u32) {
        self.write(self.read() | mask);
    }
}

/// System control block.
pub mod sysctl {
    use super::Reg;

    const BASE: usize = 0x400F_E000;
    /// Raw interrupt status; bit [`PLLLRIS`] is set when the PLL has locked.
    pub const RIS: Reg = Reg::at(BASE, 0x050);
    /// Run-mode clock configuration.
    pub const RCC: Reg = Reg::at(BASE, 0x060);
    /// Run-mode clock gating control 1 (UARTs).
    pub const RCGC1: Reg = Reg::at(BASE, 0x104);
    /// Run-mode clock gating control 2 (GPIO ports).
    pub const RCGC2: Reg = Reg::at(BASE, 0x108);

    /// RIS: PLL lock.
    pub const PLLLRIS: u32 = 1 << 6;
    /// RCGC1: clock UART0.
    pub const RCGC1_UART0: u32 = 1 << 0;
    /// RCGC2: clock GPIO port A.
    pub const RCGC2_GPIOA: u32 = 1 << 0;

    /// RCC: main oscillator disabled.
    pub const RCC_MOSCDIS: u32 = 1 << 0;
    /// RCC: oscillator source field (bits 5:4; 0 = main oscillator).
    pub const RCC_OSCSRC_MASK: u32 = 0b11 << 4;
    /// RCC: crystal value field (bits 9:6).
    pub const RCC_XTAL_MASK: u32 = 0xF << 6;
    /// RCC: XTAL = 8 MHz (the EK-LM3S6965 evaluation board's crystal).
    pub const RCC_XTAL_8MHZ: u32 = 0xE << 6;
    /// RCC: PLL bypassed (system clock straight from the oscillator).
    pub const RCC_BYPASS: u32 = 1 << 11;
    /// RCC: PLL powered down.
    pub const RCC_PWRDN: u32 = 1 << 13;
    /// RCC: use the system clock divider.
    pub const RCC_USESYSDIV: u32 = 1 << 22;
    /// RCC: system clock divider field (bits 26:23), divides the 200 MHz PLL output by n + 1.
    pub const RCC_SYSDIV_MASK: u32 = 0xF << 23;
    /// RCC: SYSDIV = 3, 200 MHz / 4 = 50 MHz, the part's maximum.
    pub const RCC_SYSDIV_50MHZ: u32 = 3 << 23;
}

/// GPIO port A (PA0 = U0Rx, PA1 = U0Tx).
pub mod gpioa {
    use super::Reg;

    const BASE: usize = 0x4000_4000;
    /// Alternate function select.
    pub const AFSEL: Reg = Reg::at(BASE, 0x420);
    /// Digital enable.
    pub const DEN: Reg = Reg::at(BASE, 0x51C);
    /// PA0 and PA1.
    pub const UART0_PINS: u32 = 0b11;
}

/// UART0, an ARM PL011.
pub mod uart0 {
    use super::Reg;

    const BASE: usize = 0x4000_C000;
    /// Data: reading pops the RX FIFO (bits 7:0 data, 11:8 error flags); writing pushes TX.
    pub const DR: Reg = Reg::at(BASE, 0x000);
    /// Flags.
    pub const FR: Reg = Reg::at(BASE, 0x018);
    /// Integer baud-rate divisor.
    pub const IBRD: Reg = Reg::at(BASE, 0x024);
    /// Fractional baud-rate divisor (64ths).
    pub const FBRD: Reg = Reg::at(BASE, 0x028);
    /// Line control (word length, FIFOs). Writing it latches IBRD/FBRD.
    pub const LCRH: Reg = Reg::at(BASE, 0x02C);
    /// Control (enable, TX enable, RX enable).
    pub const CTL: Reg = Reg::at(BASE, 0x030);
    /// Interrupt FIFO level select.
    pub const IFLS: Reg = Reg::at(BASE, 0x034);
    /// Interrupt mask (1 = enabled).
    pub const IM: Reg = Reg::at(BASE, 0x038);
    /// Masked interrupt status.
    pub const MIS: Reg = Reg::at(BASE, 0x040);
    /// Interrupt clear (write 1s).
    pub const ICR: Reg = Reg::at(BASE, 0x044);

    /// FR: RX FIFO empty.
    pub const FR_RXFE: u32 = 1 << 4;
    /// FR: TX FIFO full.
    pub const FR_TXFF: u32 = 1 << 5;
    /// LCRH: 8 data bits (WLEN = 3), 1 stop bit, no parity.
    pub const LCRH_8N1: u32 = 0b11 << 5;
    /// LCRH: FIFOs enabled (16 bytes each way).
    pub const LCRH_FEN: u32 = 1 << 4;
    /// CTL: UART enable.
    pub const CTL_UARTEN: u32 = 1 << 0;
    /// CTL: transmit enable.
    pub const CTL_TXE: u32 = 1 << 8;
    /// CTL: receive enable.
    pub const CTL_RXE: u32 = 1 << 9;
    /// IFLS: RX interrupt when the FIFO is 1/2 full (8 bytes), TX level at 1/8 (unused).
    pub const IFLS_RX_HALF: u32 = 0b010 << 3;
    /// IM / MIS / ICR: receive (FIFO level reached).
    pub const INT_RX: u32 = 1 << 4;
    /// IM / MIS / ICR: receive timeout (bytes waiting in the FIFO, line idle 32 bit times).
    pub const INT_RT: u32 = 1 << 6;
    /// IM / MIS / ICR: overrun (the RX FIFO was full when a byte came).
    pub const INT_OE: u32 = 1 << 10;
}
