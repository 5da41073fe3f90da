//! Pneumatic parts of the plant: air, orifices, tubing, the diaphragm pump and its motor, valves.
//! The network they form and its integration live in `plant.rs` and `integrator.rs`.

pub mod flow;
pub mod gas;
pub mod motor;
pub mod orifice;
pub mod pump;
pub mod tube;
pub mod valves;
