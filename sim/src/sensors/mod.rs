//! Sensors the firmware reads.

pub mod transducer;
