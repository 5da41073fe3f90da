//! A single-producer single-consumer byte queue shared by the UART interrupt (producer) and the
//! main loop (consumer), lock-free: on a single core the producer's index store publishes the
//! byte (release/acquire), and neither side ever writes the other's index.

use core::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

/// A ring of `N` bytes (`N` a power of two, so the free-running indices wrap cleanly).
pub struct ByteRing<const N: usize> {
    buf: [AtomicU8; N],
    /// Bytes ever pushed (wrapping); written by the producer only.
    head: AtomicUsize,
    /// Bytes ever popped (wrapping); written by the consumer only.
    tail: AtomicUsize,
}

impl<const N: usize> ByteRing<N> {
    const POWER_OF_TWO: () = assert!(N.is_power_of_two());

    /// An empty ring.
    pub const fn new() -> Self {
        let () = Self::POWER_OF_TWO;
        ByteRing {
            buf: [const { AtomicU8::new(0) }; N],
            head: AtomicUsize::new(0),
            tail: AtomicUsize::new(0),
        }
    }

    /// Producer side: appends `byte` and returns `true`, or `false` if the ring is full.
    pub fn push(&self, byte: u8) -> bool {
        let head = self.head.load(Ordering::Relaxed);
        let tail = self.tail.load(Ordering::Acquire);
        if head.wrapping_sub(tail) >= N {
            // Full: the byte is lost, so its frame fails the CRC and is reported as bad.
            return false;
        }
        self.buf[head % N].store(byte, Ordering::Relaxed);
        self.head.store(head.wrapping_add(1), Ordering::Release);
        true
    }

    /// Consumer side: the oldest byte, if any.
    pub fn pop(&self) -> Option<u8> {
        let tail = self.tail.load(Ordering::Relaxed);
        let head = self.head.load(Ordering::Acquire);
        if head == tail {
            return None;
        }
        let byte = self.buf[tail % N].load(Ordering::Relaxed);
        self.tail.store(tail.wrapping_add(1), Ordering::Release);
        Some(byte)
    }

    /// Nothing to pop (as seen now; the producer may add a byte right after).
    pub fn is_empty(&self) -> bool {
        self.head.load(Ordering::Acquire) == self.tail.load(Ordering::Relaxed)
    }
}
