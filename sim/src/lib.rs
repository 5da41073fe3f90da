//! pumprig-sim: the physical plant a breast-pump controller drives — DC motor and diaphragm pump,
//! collection-kit pneumatics with valves and leaks, breast-shield fit, pressure transducer.
//!
//! Pure and deterministic: no I/O, no clocks, no threads. The runner passes the time step in; all
//! randomness comes from a seed. Equations and sources: `docs/model.md`.

pub mod flange;
pub mod params;
pub mod physiology;
pub mod pneumatics;
pub mod sensors;
pub mod units;

mod integrator;
mod ordered;
mod plant;
mod rng;
mod tabulated;

pub use params::{ParamError, PlantParams};
pub use physiology::{LactationState, Mother, MotherOutputs, MotherParams, Nipple};
pub use plant::{
    AirLedger, Plant, PlantError, PlantFault, PlantOutputs, ShieldOutputs, Side, StepInput,
};
pub use sensors::transducer::SensorFault;
