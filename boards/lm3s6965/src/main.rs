//! pumprig bench-board image for the LM3S6965 (Cortex-M3): the reference firmware
//! (`pumprig-firmware`, default settings) behind the link protocol (`pumprig-link`,
//! docs/protocol.md) on UART0. Runs in QEMU's `lm3s6965evb` machine and, unchanged, on an
//! EK-LM3S6965 board; see README.md.
//!
//! Start-up: clock, UART0 with its receive interrupt, then `Hello` and `Ready`. Main loop: take
//! the bytes the interrupt queued and hand them to the protocol [`endpoint`], which steps the
//! controller once per `Sensor` and answers; with nothing queued, sleep (WFI) until the next
//! interrupt, so an idle board (and QEMU) burns no CPU.
#![no_std]
#![no_main]
#![deny(unsafe_op_in_unsafe_fn)]

mod clock;
mod endpoint;
mod pins;
mod regs;
mod ring;
mod uart;

use cortex_m::peripheral::NVIC;
use cortex_m_rt::entry;
use lm3s6965::Interrupt;
use panic_halt as _;
use pumprig_firmware::Settings;

use crate::endpoint::{Endpoint, Port};

/// Identity sent in `Hello`: the firmware's name, and `<version>+<commit>` as the rig records
/// for the in-process build of the same firmware.
const FIRMWARE_NAME: &str = pumprig_firmware::NAME;
const BUILD_COMMIT: &str = env!("PUMPRIG_BUILD_ID");

/// UART0 as the endpoint's port.
struct Uart0;

impl Port for Uart0 {
    fn send(&mut self, bytes: &[u8]) {
        uart::write_all(bytes);
    }
    fn delimiters_received(&self) -> u32 {
        uart::delimiters_received()
    }
}

#[entry]
fn main() -> ! {
    let clock_hz = clock::init();
    uart::init(clock_hz, uart::BAUD);

    let mut build_id = heapless::String::<{ pumprig_link::BUILD_ID_CAPACITY }>::new();
    for part in [pumprig_firmware::VERSION, "+", BUILD_COMMIT] {
        // Too long an id is cut (Hello carries at most 40 bytes).
        let _ = build_id.push_str(part);
    }
    let Ok(mut endpoint) = Endpoint::new(Settings::default(), FIRMWARE_NAME, &build_id) else {
        // The default settings are validated by the firmware's tests; halt if they ever fail.
        panic!("default settings rejected");
    };

    let mut port = Uart0;
    // SAFETY: unmasking is safe here: the UART0 handler shares only the lock-free ring and
    // atomics of `uart` with this loop, no critical-section state.
    unsafe { NVIC::unmask(Interrupt::UART0) };
    endpoint.start(0, 0, &mut port);

    loop {
        while let Some(byte) = uart::RX.pop() {
            endpoint.push_byte(byte, &mut port);
        }
        // Sleep unless a byte came after the drain: with interrupts masked the check and the
        // WFI cannot be split by the interrupt, and a pending interrupt still ends the WFI.
        cortex_m::interrupt::free(|_| {
            if uart::RX.is_empty() {
                cortex_m::asm::wfi();
            }
        });
    }
}
