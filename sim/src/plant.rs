//! The plant: motor, pump, manifold, tubes, shield chambers, valves, leaks, shield fit and the
//! vacuum transducer, composed and stepped over one control tick with the actuators held.
//! docs/model.md §7 gives the step; each part's module gives its physics.
//!
//! Seat for the physiology (breast, milk, hormones): each tick, [`ShieldOutputs`] carries the
//! vacuum at the nipple and the tissue drawn in, and [`Plant::exposure`] what the fit does to the
//! breast (duct openness, comfort, nipple diameter). The breast and hormone models consume these
//! and will add milk volume to the chamber balance.

use crate::flange::{FitExposure, FitMechanics, FitModel, MechanicsKernel};
use crate::integrator::{FixedStep, Hub, Spoke, solve_star};
use crate::params::{ParamError, PlantParams};
use crate::physiology::{Mother, MotherOutputs, Nipple};
use crate::pneumatics::flow::EdgeFlow;
use crate::pneumatics::gas::Ambient;
use crate::pneumatics::motor::{DcMotor, MotorElectrical};
use crate::pneumatics::orifice::Orifice;
use crate::pneumatics::pump::{DiaphragmPump, PumpOperatingPoint};
use crate::pneumatics::tube::Tube;
use crate::pneumatics::valves::{ReleaseValve, ReliefValve};
use crate::rng;
use crate::sensors::transducer::{SensorFault, Transducer};
use crate::units::{PA_PER_MMHG, circle_area_m2, ml_to_m3, mm2_to_m2, vacuum_mmhg};

/// A breast side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Left = 0,
    Right = 1,
}

/// What the actuators do during one step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepInput {
    /// Motor PWM duty, 0..=1.
    pub motor_duty: f64,
    /// Release valve commanded open.
    pub valve_open: bool,
    /// Step length, s.
    pub dt_s: f64,
}

/// A fault injected into the plant by a scenario event.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PlantFault {
    /// Adds a leak of this orifice area (mm², discharge coefficient 0.6) to a shield.
    LeakOnset { side: Side, area_mm2: f64 },
    /// Sets or clears a transducer fault.
    Sensor(Option<SensorFault>),
}

/// The plant could not continue.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PlantError {
    #[error("invalid plant parameters: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Params(Vec<ParamError>),
    #[error(
        "{quantity} became {value} (non-physical); the parameters or the step are outside the model's range"
    )]
    NonPhysical { quantity: &'static str, value: f64 },
}

/// What one shield's breast is exposed to, and the shield's own state, at the end of a step.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ShieldOutputs {
    /// Vacuum in the shield chamber, at the nipple, mmHg below atmosphere.
    pub vacuum_mmhg: f64,
    pub tissue_volume_ml: f64,
    /// Free-air leak flow into this chamber over the last step (kit, seal, injected), mL/min.
    pub leak_flow_ml_min: f64,
}

/// Observable plant state at the end of a step.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PlantOutputs {
    /// Vacuum in the pump manifold, where the transducer port is, mmHg.
    pub vacuum_manifold_mmhg: f64,
    pub shield_count: u8,
    pub shields: [ShieldOutputs; 2],
    pub motor_speed_rad_s: f64,
    pub motor_current_a: f64,
    /// Mean electrical power drawn by the motor over the last step, W.
    pub motor_power_w: f64,
    /// Electrical energy drawn by the motor since the start, J.
    pub motor_energy_j: f64,
    /// Release valve opening, 0 closed .. 1 open.
    pub valve_opening: f64,
    /// Free-air flows over the last step, mL/min: pumped out, in through the relief valve.
    pub pump_flow_ml_min: f64,
    pub relief_flow_ml_min: f64,
    /// The mother's milk and hormones (§13–§18) as of her last step (every
    /// `integration.mother_step_ms`, §7.7; held in between).
    pub mother: MotherOutputs,
}

impl PlantOutputs {
    /// Free-air leak flow into all present chambers over the last step, mL/min.
    #[inline]
    pub fn total_leak_flow_ml_min(&self) -> f64 {
        self.shields[..usize::from(self.shield_count)]
            .iter()
            .map(|s| s.leak_flow_ml_min)
            .sum()
    }
}

/// Cumulative air masses crossing the plant's boundary, kg (for the conservation check).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct AirLedger {
    pub pumped_out_kg: f64,
    pub valve_in_kg: f64,
    pub relief_in_kg: f64,
    pub leak_in_kg: f64,
}

#[derive(Clone, Debug, PartialEq)]
struct Chamber {
    /// Air volume with no tissue drawn in (shield + half the tube), m³.
    volume_m3: f64,
    fit: FitModel,
    tissue_max_m3: f64,
    /// `fit.mechanics` with its constants folded (evaluated every step).
    kernel: MechanicsKernel,
    /// Cd·A of fixed kit leak plus injected leaks, m² (seal leak comes from the fit).
    extra_leak_cd_area_m2: f64,
    mass_kg: f64,
    pressure_pa: f64,
    fit_state: FitMechanics,
    /// Air leaked into this chamber since the start, kg.
    leaked_kg: f64,
    /// Mean leak flow over the last step, kg/s.
    leak_kg_s: f64,
}

/// The composed plant.
#[derive(Clone, Debug)]
pub struct Plant {
    ambient: Ambient,
    rt: f64,
    /// 1/(R·T), kg/J: per-step divisions turned into products.
    inv_rt: f64,
    /// 1/p_atm: the pressure ratio of every orifice fed from the atmosphere.
    inv_atm_pa: f64,
    /// Free-air mL/min per kg/s at ambient conditions.
    free_air_ml_min_per_kg_s: f64,
    orifice: Orifice,
    motor: DcMotor,
    supply_v: f64,
    pump: DiaphragmPump,
    release: ReleaseValve,
    relief: ReliefValve,
    tube: Tube,
    /// V/(R·T) of the manifold: its air mass per Pa.
    manifold_capacitance_kg_per_pa: f64,
    /// R·T/V of the manifold: its pressure per kg of air.
    manifold_pa_per_kg: f64,
    substeps: u32,
    /// What depends only on the step length, cached for the fixed step.
    fixed_step: FixedStep,
    speed_rad_s: f64,
    valve_opening: f64,
    manifold_mass_kg: f64,
    manifold_pa: f64,
    /// The shield chambers, left then right; only the first `shields` are in the kit (a
    /// one-shield kit carries an unused copy of the left in the second slot). Fixed arrays,
    /// not a `Vec`: the step is compiled once per kit size with its loops unrolled.
    chambers: [Chamber; 2],
    shields: usize,
    /// Both chambers of a double kit are built alike and nothing has told them apart yet (an
    /// injected leak does): they stay bit for bit equal, so the step computes the left and
    /// copies it (§7, "How the step is evaluated").
    mirrored: bool,
    transducer: Transducer,
    ledger: AirLedger,
    energy_j: f64,
    mother: Mother,
    mother_clock: MotherClock,
    last: PlantOutputs,
}

/// When the mother steps (§7.7): every `ticks` control ticks, over their summed length, with the
/// mean of the ticks' nipple vacuums.
#[derive(Clone, Copy, Debug)]
struct MotherClock {
    /// The mother's step, s (`integration.mother_step_ms`).
    step_s: f64,
    /// Control tick the count below is for, s (NaN before the first step).
    tick_s: f64,
    /// Ticks per mother step at `tick_s`: `step_s / tick_s` rounded, at least one.
    ticks: u32,
    /// Ticks since the mother's last step.
    pending: u32,
    /// Sum of each nipple's vacuum over the pending ticks, mmHg·ticks.
    vacuum_sum_mmhg: [f64; 2],
    /// Each nipple's vacuum at the end of the last tick, mmHg.
    vacuum_end_mmhg: [f64; 2],
}

impl MotherClock {
    fn new(step_ms: f64) -> Self {
        Self {
            step_s: step_ms * 1e-3,
            tick_s: f64::NAN,
            ticks: 1,
            pending: 0,
            vacuum_sum_mmhg: [0.0; 2],
            vacuum_end_mmhg: [0.0; 2],
        }
    }
}

/// Cd used for leaks injected by scenario events.
const INJECTED_LEAK_CD: f64 = 0.6;

impl Plant {
    /// Builds the plant at rest (atmospheric pressure everywhere, motor stopped, valve open).
    pub fn new(params: &PlantParams, seed: u64) -> Result<Self, PlantError> {
        let mother = Mother::new(&params.mother, seed).map_err(PlantError::Params)?;
        Self::with_mother(params, seed, mother)
    }

    /// [`Plant::new`] with a mother carried over from an earlier session (a course, §17): her
    /// state continues; `params.mother` is not used.
    pub fn with_mother(
        params: &PlantParams,
        seed: u64,
        mother: Mother,
    ) -> Result<Self, PlantError> {
        let errors = params.validate();
        if !errors.is_empty() {
            return Err(PlantError::Params(errors));
        }
        let ambient = Ambient {
            pressure_pa: params.ambient.pressure_kpa * 1e3,
            temperature_k: params.ambient.temperature_c + 273.15,
        };
        let rt = ambient.rt_j_per_kg();
        let tube_d_m = params.kit.tube_inner_diameter_mm * 1e-3;
        let tube_volume = Tube::volume_m3(tube_d_m, params.kit.tube_length_m);
        let shields = usize::from(params.kit.shields);
        let sides = [&params.left, &params.right];
        let chamber = |side: &crate::params::SideParams| {
            let fit = params.fit.model(side);
            let mut c = Chamber {
                volume_m3: ml_to_m3(side.chamber_volume_ml) + 0.5 * tube_volume,
                tissue_max_m3: fit.tissue_volume_max_m3(),
                kernel: fit.mechanics_kernel(fit.tissue_volume_max_m3()),
                fit,
                extra_leak_cd_area_m2: INJECTED_LEAK_CD * mm2_to_m2(side.kit_leak_area_mm2),
                mass_kg: 0.0,
                pressure_pa: ambient.pressure_pa,
                fit_state: FitMechanics::default(),
                leaked_kg: 0.0,
                leak_kg_s: 0.0,
            };
            c.fit_state = c.fit.mechanics(0.0, c.tissue_max_m3);
            c.mass_kg = ambient.pressure_pa * (c.volume_m3 - c.fit_state.tissue_volume_m3) / rt;
            c
        };
        let left = chamber(sides[0]);
        let chambers = if shields >= 2 {
            [left, chamber(sides[1])]
        } else {
            [left.clone(), left]
        };
        let manifold_volume_m3 =
            ml_to_m3(params.kit.manifold_volume_ml) + 0.5 * tube_volume * shields as f64;
        let pump_stroke = ml_to_m3(params.pump.stroke_volume_ml);
        let mut plant = Self {
            ambient,
            rt,
            inv_rt: 1.0 / rt,
            inv_atm_pa: 1.0 / ambient.pressure_pa,
            free_air_ml_min_per_kg_s: ambient.free_air_ml_min(1.0),
            orifice: Orifice::new(rt),
            motor: DcMotor {
                resistance_ohm: params.motor.resistance_ohm,
                k_nm_per_a: params.motor.torque_constant_nm_per_a,
                inertia_kg_m2: params.motor.inertia_g_cm2 * 1e-7,
                viscous_nm_s: params.motor.viscous_friction_nm_s,
                coulomb_nm: params.motor.coulomb_friction_nm,
            },
            supply_v: params.motor.supply_v,
            pump: DiaphragmPump {
                stroke_volume_m3: pump_stroke,
                clearance_ratio: ml_to_m3(params.pump.dead_volume_ml) / pump_stroke,
                polytropic_exponent: params.pump.polytropic_exponent,
            },
            release: ReleaseValve {
                full_cd_area_m2: params.release_valve.discharge_coefficient
                    * circle_area_m2(params.release_valve.orifice_diameter_mm),
                open_time_s: params.release_valve.open_time_ms * 1e-3,
                close_time_s: params.release_valve.close_time_ms * 1e-3,
            },
            relief: ReliefValve {
                cracking_vacuum_pa: params.relief_valve.cracking_vacuum_mmhg * PA_PER_MMHG,
                full_open_vacuum_pa: params.relief_valve.full_open_vacuum_mmhg * PA_PER_MMHG,
                full_cd_area_m2: params.relief_valve.discharge_coefficient
                    * mm2_to_m2(params.relief_valve.full_open_area_mm2),
            },
            tube: Tube::new(tube_d_m, params.kit.tube_length_m, rt),
            manifold_capacitance_kg_per_pa: manifold_volume_m3 * (1.0 / rt),
            manifold_pa_per_kg: rt / manifold_volume_m3,
            substeps: params.integration.substeps_per_tick,
            fixed_step: FixedStep::default(),
            speed_rad_s: 0.0,
            valve_opening: 1.0,
            manifold_mass_kg: ambient.pressure_pa * manifold_volume_m3 / rt,
            manifold_pa: ambient.pressure_pa,
            mirrored: shields == 2 && chambers[0] == chambers[1],
            chambers,
            shields,
            transducer: Transducer::new(&params.sensor, rng::stream(seed, "sensor")),
            ledger: AirLedger::default(),
            energy_j: 0.0,
            mother,
            mother_clock: MotherClock::new(params.integration.mother_step_ms),
            last: PlantOutputs::default(),
        };
        if shields == 2 {
            plant.observe_into::<2, 2>(0.0, 0.0, 0.0, 0.0, true);
        } else {
            plant.observe_into::<1, 1>(0.0, 0.0, 0.0, 0.0, true);
        }
        Ok(plant)
    }

    /// Starts with the motor already turning at `speed_rad_s` (a resumed session; analytic tests).
    pub fn with_motor_speed(mut self, speed_rad_s: f64) -> Self {
        self.speed_rad_s = speed_rad_s.max(0.0);
        self.last.motor_speed_rad_s = self.speed_rad_s;
        self
    }

    /// Integrates over `input.dt_s` with the actuators held, in `substeps_per_tick` implicit steps.
    pub fn step(&mut self, input: &StepInput) -> Result<&PlantOutputs, PlantError> {
        // One copy of the step per kit size (N chambers, M of them computed: a mirrored double
        // kit computes the left and copies it): with the counts constant, every per-chamber loop
        // is unrolled and its values stay in registers.
        if self.shields == 2 {
            if self.mirrored {
                self.step_n::<2, 1>(input)?;
            } else {
                self.step_n::<2, 2>(input)?;
            }
        } else {
            self.step_n::<1, 1>(input)?;
        }
        Ok(&self.last)
    }

    /// Copies the left chamber's state to the right (a mirrored kit, after the left's step).
    #[inline(always)]
    fn mirror<const N: usize, const M: usize>(&mut self) {
        if M < N {
            let [left, right] = &mut self.chambers;
            right.mass_kg = left.mass_kg;
            right.pressure_pa = left.pressure_pa;
            right.fit_state = left.fit_state;
            right.leaked_kg = left.leaked_kg;
            right.leak_kg_s = left.leak_kg_s;
        }
    }

    #[inline(always)]
    fn step_n<const N: usize, const M: usize>(
        &mut self,
        input: &StepInput,
    ) -> Result<(), PlantError> {
        let h = input.dt_s / f64::from(self.substeps);
        let duty = input.motor_duty.clamp(0.0, 1.0);
        let atm = self.ambient.pressure_pa;
        let start = self.ledger;
        let energy_start = self.energy_j;
        let mut leaked_start = [0.0; M];
        for (k, l) in leaked_start.iter_mut().enumerate() {
            *l = self.chambers[k].leaked_kg;
        }
        if self.fixed_step.h_s != h {
            self.fixed_step = FixedStep::new(h, &self.motor, &self.release);
        }
        let mut electrical = MotorElectrical::default();
        for _ in 0..self.substeps {
            // Motor first (its speed is slow next to the manifold), then the pneumatics at the new speed.
            let pump = self
                .pump
                .at_with_inverse(self.manifold_pa, atm, self.inv_atm_pa);
            let fixed = &self.fixed_step;
            self.speed_rad_s =
                fixed
                    .motor
                    .step(self.speed_rad_s, duty, self.supply_v, pump.torque_nm);
            electrical = fixed
                .motor
                .electrical(self.speed_rad_s, duty, self.supply_v);
            self.energy_j += electrical.supply_power_w * h;
            self.valve_opening = self.release.step_opening_with(
                self.valve_opening,
                input.valve_open,
                fixed.valve_decays,
            );
            self.step_pneumatics::<N, M>(h, &pump)?;
        }
        let dt = input.dt_s;
        let inv_dt = 1.0 / dt;
        for (c, l) in self.chambers[..M].iter_mut().zip(leaked_start) {
            c.leak_kg_s = (c.leaked_kg - l) * inv_dt;
        }
        if M < N {
            self.chambers[1].leak_kg_s = self.chambers[0].leak_kg_s;
        }
        let d = |a: f64, b: f64| (a - b) * inv_dt * self.free_air_ml_min_per_kg_s;
        let pumped = d(self.ledger.pumped_out_kg, start.pumped_out_kg);
        let relief = d(self.ledger.relief_in_kg, start.relief_in_kg);
        let power = (self.energy_j - energy_start) * inv_dt;
        let mother_stepped = self.tick_mother::<N, M>(dt);
        self.observe_into::<N, M>(pumped, relief, power, electrical.current_a, mother_stepped);
        Ok(())
    }

    /// Counts the tick towards the mother's next step and takes it when due (§7.7); true if she
    /// stepped.
    #[inline(always)]
    fn tick_mother<const N: usize, const M: usize>(&mut self, tick_s: f64) -> bool {
        if self.mother_clock.tick_s != tick_s {
            // A new tick length: finish the window counted in the old one first.
            self.step_mother::<N, M>();
            let clock = &mut self.mother_clock;
            clock.tick_s = tick_s;
            clock.ticks = ((clock.step_s / tick_s).round() as u32).max(1);
        }
        let atm = self.ambient.pressure_pa;
        let clock = &mut self.mother_clock;
        clock.pending += 1;
        let due = clock.pending >= clock.ticks;
        for k in 0..N {
            // A mirrored right chamber has the left's pressure.
            let v = vacuum_mmhg(atm, self.chambers[k.min(M - 1)].pressure_pa);
            clock.vacuum_sum_mmhg[k] += v;
            clock.vacuum_end_mmhg[k] = v;
        }
        if !due {
            // Her step registers its last tick's vacuum itself.
            if M < N {
                self.mother.sense_both(clock.vacuum_end_mmhg[0]);
            } else {
                for (k, &v) in clock.vacuum_end_mmhg[..N].iter().enumerate() {
                    self.mother.sense(k, v);
                }
            }
        }
        if due {
            self.step_mother::<N, M>();
        }
        due
    }

    /// The mother over the ticks since her last step (none: nothing to do), with the mean vacuum
    /// at each nipple over them and the fit at their end (§13–§16).
    fn step_mother<const N: usize, const M: usize>(&mut self) {
        let clock = &mut self.mother_clock;
        if clock.pending == 0 {
            return;
        }
        let ticks = f64::from(clock.pending);
        let mut nipples = [None; 2];
        for (k, (n, c)) in nipples.iter_mut().zip(&self.chambers[..M]).enumerate() {
            let v = clock.vacuum_end_mmhg[k];
            let e = c.fit.exposure_at(v, c.fit_state.swell_fraction);
            *n = Some(Nipple {
                vacuum_mmhg: v,
                mean_vacuum_mmhg: clock.vacuum_sum_mmhg[k] / ticks,
                duct_openness: e.duct_openness,
                comfort: e.comfort,
                tactile_stretch_per_s: 0.0,
            });
        }
        if M < N {
            nipples[1] = nipples[0];
        }
        clock.pending = 0;
        clock.vacuum_sum_mmhg = [0.0; 2];
        self.mother.step(ticks * clock.tick_s, &nipples);
    }

    /// Steps the mother over the ticks since her last step (a run's end falls between two of
    /// her steps), so her state and [`PlantOutputs::mother`] include every tick.
    pub fn finish_mother(&mut self) {
        if self.mother_clock.pending == 0 {
            return;
        }
        match (self.shields, self.mirrored) {
            (2, true) => self.step_mother::<2, 1>(),
            (2, false) => self.step_mother::<2, 2>(),
            _ => self.step_mother::<1, 1>(),
        }
        self.last.mother = *self.mother.outputs();
    }

    /// The mother (between sessions of a course she moves from one plant to the next).
    pub fn mother(&self) -> &Mother {
        &self.mother
    }

    /// Ends the session: the mother leaves with her state (every tick of it, [`Self::finish_mother`]),
    /// for the next session or the rest.
    pub fn into_mother(mut self) -> Mother {
        self.finish_mother();
        self.mother
    }

    #[inline(always)]
    fn step_pneumatics<const N: usize, const M: usize>(
        &mut self,
        h: f64,
        pump: &PumpOperatingPoint,
    ) -> Result<(), PlantError> {
        let atm = self.ambient.pressure_pa;
        let p_hub = self.manifold_pa;
        // Hub boundary edges: pump out, release and relief valves in (flows from atmosphere a to hub b).
        let pump = pump.flow(self.speed_rad_s, self.inv_rt);
        let valve = self.orifice.flow_from_ambient(
            self.release.cd_area_m2(self.valve_opening),
            atm,
            self.inv_atm_pa,
            p_hub,
        );
        let relief = self.orifice.flow_from_ambient(
            self.relief.cd_area_m2(atm - p_hub),
            atm,
            self.inv_atm_pa,
            p_hub,
        );
        let hub = Hub {
            capacitance_kg_per_pa: self.manifold_capacitance_kg_per_pa,
            boundary_kg_s: valve.kg_s + relief.kg_s - pump.kg_s,
            boundary_d_dp: valve.d_dpb + relief.d_dpb - pump.d_dpa,
        };
        let mut spokes = [Spoke::default(); N];
        let mut leaks = [EdgeFlow::ZERO; N];
        for k in 0..M {
            let c = &self.chambers[k];
            let leak_area = c.fit_state.seal_leak_cd_area_m2 + c.extra_leak_cd_area_m2;
            leaks[k] =
                self.orifice
                    .flow_from_ambient(leak_area, atm, self.inv_atm_pa, c.pressure_pa);
            let gas_volume = c.volume_m3 - c.fit_state.tissue_volume_m3;
            spokes[k] = Spoke {
                // (7.1) dm/dp = (V_gas + p·dV_t/dv)/(R·T).
                capacitance_kg_per_pa: (gas_volume
                    + c.pressure_pa * c.fit_state.d_tissue_volume_m3_per_pa)
                    * self.inv_rt,
                boundary_kg_s: leaks[k].kg_s,
                boundary_d_dp: leaks[k].d_dpb,
                tube: self.tube.flow(c.pressure_pa, p_hub),
            };
        }
        if M < N {
            spokes[1] = spokes[0];
            leaks[1] = leaks[0];
        }
        let (dp_hub, dp) = solve_star(&hub, &spokes, h);
        // (7.4) Transfer each edge's linearised flow: what leaves one node enters the other.
        let pumped = h * pump.linearised(dp_hub, 0.0).max(0.0);
        let valve_in = h * valve.linearised(0.0, dp_hub);
        let relief_in = h * relief.linearised(0.0, dp_hub);
        let mut hub_mass = self.manifold_mass_kg + valve_in + relief_in - pumped;
        for k in 0..M {
            let c = &mut self.chambers[k];
            let tube = h * spokes[k].tube.linearised(dp[k], dp_hub);
            let leak = h * leaks[k].linearised(0.0, dp[k]);
            hub_mass += tube;
            c.mass_kg += leak - tube;
            c.leaked_kg += leak;
            self.ledger.leak_in_kg += leak;
            if M < N {
                // The right chamber's identical share, added in the same order as its own step.
                hub_mass += tube;
                self.ledger.leak_in_kg += leak;
            }
            Self::settle_chamber(c, atm, self.rt, c.pressure_pa + dp[k])?;
        }
        self.mirror::<N, M>();
        self.manifold_mass_kg = hub_mass;
        self.manifold_pa = hub_mass * self.manifold_pa_per_kg;
        self.ledger.pumped_out_kg += pumped;
        self.ledger.valve_in_kg += valve_in;
        self.ledger.relief_in_kg += relief_in;
        if !(self.manifold_pa.is_finite() && self.manifold_pa > 0.0) {
            return Err(PlantError::NonPhysical {
                quantity: "manifold pressure (Pa)",
                value: self.manifold_pa,
            });
        }
        Ok(())
    }

    /// Finds the chamber pressure that holds its air mass in the gas volume left by the tissue:
    /// p·(V − V_t(p)) = m·R·T, Newton from the linear prediction (7.5).
    fn settle_chamber(c: &mut Chamber, atm: f64, rt: f64, guess_pa: f64) -> Result<(), PlantError> {
        let target = c.mass_kg * rt;
        let mut p = guess_pa;
        // The linear prediction is already within O(h²) of the root, so one Newton step lands
        // within rounding (quadratic convergence); the mass, the conserved state, is exact anyway.
        c.fit_state = c.kernel.mechanics(vacuum_mmhg(atm, p));
        let gas = c.volume_m3 - c.fit_state.tissue_volume_m3;
        let g = p * gas - target;
        let dg = gas + p * c.fit_state.d_tissue_volume_m3_per_pa;
        p -= g / dg;
        if !(p.is_finite() && p > 0.0) {
            return Err(PlantError::NonPhysical {
                quantity: "shield chamber pressure (Pa)",
                value: p,
            });
        }
        c.pressure_pa = p;
        Ok(())
    }

    /// Writes the observable state at the end of a step into `self.last`, in place.
    #[inline(always)]
    fn observe_into<const N: usize, const M: usize>(
        &mut self,
        pump_ml_min: f64,
        relief_ml_min: f64,
        power_w: f64,
        current_a: f64,
        mother_stepped: bool,
    ) {
        let atm = self.ambient.pressure_pa;
        let last = &mut self.last;
        for (o, c) in last.shields.iter_mut().zip(&self.chambers[..M]) {
            *o = ShieldOutputs {
                vacuum_mmhg: vacuum_mmhg(atm, c.pressure_pa),
                tissue_volume_ml: c.fit_state.tissue_volume_m3 * 1e6,
                leak_flow_ml_min: c.leak_kg_s * self.free_air_ml_min_per_kg_s,
            };
        }
        if M < N {
            last.shields[1] = last.shields[0];
        }
        last.vacuum_manifold_mmhg = vacuum_mmhg(atm, self.manifold_pa);
        last.shield_count = N as u8;
        last.motor_speed_rad_s = self.speed_rad_s;
        last.motor_current_a = current_a;
        last.motor_power_w = power_w;
        last.motor_energy_j = self.energy_j;
        last.valve_opening = self.valve_opening;
        last.pump_flow_ml_min = pump_ml_min;
        last.relief_flow_ml_min = relief_ml_min;
        if mother_stepped {
            last.mother = *self.mother.outputs();
        } else {
            // Held between her steps; an ejection starts on one tick only.
            last.mother.ejection_started = false;
        }
    }

    /// Samples the transducer at the manifold: advances its lag over `dt_s` and converts (§9).
    #[inline]
    pub fn sample_sensor(&mut self, dt_s: f64) -> u16 {
        let v = vacuum_mmhg(self.ambient.pressure_pa, self.manifold_pa);
        self.transducer.sample(v, dt_s)
    }

    /// Supply voltage as the MCU's divider sees it, mV.
    pub fn supply_mv(&self) -> u16 {
        (self.supply_v * 1e3)
            .round()
            .clamp(0.0, f64::from(u16::MAX)) as u16
    }

    pub fn inject(&mut self, fault: PlantFault) {
        match fault {
            PlantFault::LeakOnset { side, area_mm2 } => {
                if let Some(c) = self.chambers[..self.shields].get_mut(side as usize) {
                    c.extra_leak_cd_area_m2 += INJECTED_LEAK_CD * mm2_to_m2(area_mm2);
                    // The sides differ from now on.
                    self.mirrored = false;
                }
            }
            PlantFault::Sensor(f) => self.transducer.inject(f),
        }
    }

    /// What the fit does to the breast on a side at its current vacuum (§8): computed on demand,
    /// since only the physiology and diagnostics need it. None for an absent side.
    pub fn exposure(&self, side: Side) -> Option<FitExposure> {
        let c = self.chambers[..self.shields].get(side as usize)?;
        Some(
            c.fit
                .exposure(vacuum_mmhg(self.ambient.pressure_pa, c.pressure_pa)),
        )
    }

    #[inline]
    pub fn outputs(&self) -> &PlantOutputs {
        &self.last
    }

    #[inline]
    pub fn shield_count(&self) -> u8 {
        self.shields as u8
    }

    /// Air in the manifold and chambers, kg.
    pub fn air_mass_kg(&self) -> f64 {
        self.manifold_mass_kg
            + self.chambers[..self.shields]
                .iter()
                .map(|c| c.mass_kg)
                .sum::<f64>()
    }

    /// Air that crossed the boundary since the start.
    pub fn ledger(&self) -> AirLedger {
        self.ledger
    }

    /// Absolute pressures, Pa: manifold, then each chamber (for tests against analytic solutions).
    pub fn pressures_pa(&self) -> (f64, [f64; 2]) {
        let mut p = [self.ambient.pressure_pa; 2];
        for (k, c) in self.chambers[..self.shields].iter().enumerate() {
            p[k] = c.pressure_pa;
        }
        (self.manifold_pa, p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]
        /// A double kit built alike computes its left chamber and copies it; the step that
        /// computes both gives the same bits, tick for tick, before and after a leak on the right
        /// tells the sides apart.
        #[test]
        fn a_mirrored_kit_steps_bit_for_bit_like_the_full_step(
            chamber_ml in 10.0f64..200.0,
            tunnel_mm in 19.0f64..36.0,
            leak_mm2 in 0.0f64..2.0,
            manifold_ml in 0.5f64..20.0,
            duty_period in 40usize..1500,
            leak_at in 500usize..2500,
        ) {
            let mut p = PlantParams::default();
            p.kit.shields = 2;
            p.kit.manifold_volume_ml = manifold_ml;
            for side in [&mut p.left, &mut p.right] {
                side.chamber_volume_ml = chamber_ml;
                side.tunnel_diameter_mm = tunnel_mm;
                side.kit_leak_area_mm2 = leak_mm2;
            }
            let mut mirrored = Plant::new(&p, 3).unwrap();
            prop_assert!(mirrored.mirrored);
            let mut full = mirrored.clone();
            full.mirrored = false;
            for k in 0..3000usize {
                if k == leak_at {
                    let leak = PlantFault::LeakOnset { side: Side::Right, area_mm2: 0.4 };
                    mirrored.inject(leak);
                    full.inject(leak);
                    prop_assert!(!mirrored.mirrored);
                }
                let pulling = (k / duty_period) % 2 == 0;
                let input = StepInput {
                    motor_duty: if pulling { 0.3 + 0.7 * ((k % 7) as f64 / 6.0) } else { 0.0 },
                    valve_open: !pulling,
                    dt_s: 1e-3,
                };
                let a = *mirrored.step(&input).unwrap();
                let b = *full.step(&input).unwrap();
                prop_assert_eq!(a, b, "tick {}", k);
                prop_assert_eq!(mirrored.ledger(), full.ledger());
                prop_assert_eq!(&mirrored.chambers, &full.chambers);
                prop_assert_eq!(mirrored.manifold_pa.to_bits(), full.manifold_pa.to_bits());
            }
            prop_assert_eq!(mirrored.mother().outputs(), full.mother().outputs());
        }
    }

    /// Kits whose sides differ, and one-shield kits, take the full step.
    #[test]
    fn only_a_double_kit_built_alike_is_mirrored() {
        let mut p = PlantParams::default();
        p.kit.shields = 2;
        assert!(Plant::new(&p, 1).unwrap().mirrored);
        p.right.tunnel_diameter_mm += 3.0;
        assert!(!Plant::new(&p, 1).unwrap().mirrored);
        p.kit.shields = 1;
        assert!(!Plant::new(&p, 1).unwrap().mirrored);
    }
}
