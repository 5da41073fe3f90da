//! Helpers shared by the serial tests and benchmarks.
pub mod virtual_board;
