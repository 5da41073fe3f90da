//! UART0 (PL011 at 0x4000_C000, PA0 = RX, PA1 = TX), 8N1 with FIFOs.
//!
//! Receive is interrupt-driven: the UART0 interrupt (RX FIFO level, RX timeout, overrun) drains
//! the hardware FIFO into [`RX`], so no byte is lost while the main loop steps the controller or
//! sleeps. Transmit is polled through the 16-byte TX FIFO: the main loop has nothing else to do
//! until its answer is out (lockstep), and the longest frame (100 bytes) takes 1.1 ms at
//! 921 600 baud.

use core::sync::atomic::{AtomicU32, Ordering};

use lm3s6965::interrupt;

use crate::regs::{gpioa, sysctl, uart0::*};
use crate::ring::ByteRing;

/// Bytes received and not yet read by the main loop. 512 bytes hold five worst-case frames.
pub static RX: ByteRing<512> = ByteRing::new();

/// Frame delimiters (`0x00`) received so far: the main loop compares it before and after a
/// control step to tell whether a frame arrived while it was busy (real-time overrun).
static RX_DELIMITERS: AtomicU32 = AtomicU32::new(0);

/// Line rate on a real board. 921 600 baud carries a 1 kHz lockstep tick (docs/protocol.md,
/// "What the link can carry"); QEMU ignores it.
pub const BAUD: u32 = 921_600;

/// Powers, routes and configures UART0 for `baud` given the UART's clock (the system clock),
/// and enables its receive interrupts in the UART. The caller unmasks the interrupt in the NVIC.
pub fn init(clock_hz: u32, baud: u32) {
    sysctl::RCGC1.set_bits(sysctl::RCGC1_UART0);
    sysctl::RCGC2.set_bits(sysctl::RCGC2_GPIOA);
    // A few cycles must pass after gating a peripheral's clock on before touching it; the reads
    // back are those cycles.
    let _ = sysctl::RCGC2.read();
    let _ = sysctl::RCGC1.read();
    gpioa::AFSEL.set_bits(gpioa::UART0_PINS);
    gpioa::DEN.set_bits(gpioa::UART0_PINS);

    CTL.write(0);
    // Divisor = clock / (16 · baud), in 64ths, rounded: IBRD the integer part, FBRD the fraction.
    let div64 = (u64::from(clock_hz) * 4 + u64::from(baud) / 2) / u64::from(baud);
    IBRD.write((div64 >> 6) as u32);
    FBRD.write((div64 & 0x3F) as u32);
    LCRH.write(LCRH_8N1 | LCRH_FEN);
    IFLS.write(IFLS_RX_HALF);
    ICR.write(0x7FF);
    IM.write(INT_RX | INT_RT | INT_OE);
    CTL.write(CTL_UARTEN | CTL_TXE | CTL_RXE);
}

/// Sends `bytes`, waiting for room in the TX FIFO.
pub fn write_all(bytes: &[u8]) {
    for &byte in bytes {
        while FR.read() & FR_TXFF != 0 {}
        DR.write(u32::from(byte));
    }
}

/// Frame delimiters received so far (wrapping).
pub fn delimiters_received() -> u32 {
    RX_DELIMITERS.load(Ordering::Relaxed)
}

#[interrupt]
fn UART0() {
    // Clear first: a byte arriving while draining re-raises the interrupt instead of being missed.
    ICR.write(MIS.read());
    while FR.read() & FR_RXFE == 0 {
        // A byte the hardware flagged (framing, parity, break, overrun: DR bits 11:8) goes in
        // as it is: its frame then fails the CRC and is answered as a bad frame.
        let byte = DR.read() as u8;
        // Count only delimiters the main loop will see, so its count and this one agree.
        if RX.push(byte) && byte == 0 {
            RX_DELIMITERS.fetch_add(1, Ordering::Relaxed);
        }
    }
}
