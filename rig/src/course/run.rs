//! Runs a course: sessions in time order, each pump session the scenario's own session with the
//! firmware in the loop and the mother carried through it, each infant feed the mother against an
//! infant's sucking; between sessions the mother rests in large steps (docs/model.md §17).

use pumprig_sim::physiology::infant::{SuckingMode, SuckingPattern, TACTILE_STRETCH_PER_S};
use pumprig_sim::physiology::oxytocin::detected_pulses;
use pumprig_sim::physiology::{DAY_S, Mother};
use pumprig_sim::{Nipple, Plant};

use super::spec::{CourseSpec, FeedSide, SessionKind};
use crate::controller::ControllerError;
use crate::metrics::Scope;
use crate::runner::{self, RunError, Sample, SampleSink};
use crate::scenario::LoadedScenario;
use crate::session;

/// Longest rest step between prolactin samples for the daily mean, s.
const DAILY_SAMPLE_S: f64 = 600.0;

/// One session of the course.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SessionRecord {
    /// 1-based day.
    pub day: u32,
    pub at_h: f64,
    pub kind: SessionKind,
    pub duration_min: f64,
    /// Pump: shields; infant: 0.
    pub shields: u8,
    /// The breast(s) the session was on: `left` or `right` for a one-shield pump session or a
    /// one-sided feed, `both` otherwise (never `alternate`: that is resolved per session).
    pub side: FeedSide,
    /// Milk in each breast at the start, mL (the "available milk" of Kent 2008).
    pub available_ml: [f64; 2],
    pub removed_ml: [f64; 2],
    pub ejections: u32,
    /// Time of the first milk ejection from the session's start, s.
    pub first_ejection_s: Option<f64>,
    pub prolactin_start_ng_ml: f64,
    pub prolactin_peak_ng_ml: f64,
    /// Time of the prolactin peak from the session's start, s.
    pub prolactin_peak_s: f64,
    /// The scenario's checks that failed in this pump session (0 for infant feeds).
    pub checks_failed: usize,
    /// Oxytocin pulses seen in plasma sampled every 2 min from the session's start, as Ueda 1994
    /// measured them (§14.4).
    pub oxytocin_pulses_sampled: usize,
}

/// Sampling interval and detection rise of [`SessionRecord::oxytocin_pulses_sampled`].
pub const OXYTOCIN_SAMPLE_S: f64 = 120.0;
pub const OXYTOCIN_PULSE_RISE: f64 = 0.25;

impl SessionRecord {
    pub fn removed_total_ml(&self) -> f64 {
        self.removed_ml[0] + self.removed_ml[1]
    }

    /// Share of the available milk removed, % (Kent 2008's PAMR).
    pub fn share_removed_pct(&self) -> f64 {
        let available = self.available_ml[0] + self.available_ml[1];
        if available > 0.0 {
            100.0 * self.removed_total_ml() / available
        } else {
            0.0
        }
    }
}

/// One day of the course.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct DayRecord {
    pub day: u32,
    pub sessions: u32,
    pub pump_sessions: u32,
    pub infant_sessions: u32,
    pub removed_ml: [f64; 2],
    pub ejections: u32,
    /// Time-weighted mean plasma prolactin, ng/mL.
    pub mean_prolactin_ng_ml: f64,
    /// Secretory capacity of each breast at the end of the day, mL/h (§17.1).
    pub capacity_ml_h: [f64; 2],
    /// Milk synthesised in the day, mL (both breasts).
    pub synthesised_ml: f64,
    /// Milk in each breast at the end of the day, mL.
    pub stored_ml: [f64; 2],
}

impl DayRecord {
    pub fn removed_total_ml(&self) -> f64 {
        self.removed_ml[0] + self.removed_ml[1]
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CourseError {
    #[error("day {day}, session at {at_h:.2} h: {source}")]
    Session {
        day: u32,
        at_h: f64,
        source: RunError,
    },
    #[error("day {day}, session at {at_h:.2} h: {source}")]
    Controller {
        day: u32,
        at_h: f64,
        source: ControllerError,
    },
    #[error("the mother: {0}")]
    Mother(String),
    #[error("day {day}: the mother's state became non-physical ({what} = {value})")]
    NonPhysical {
        day: u32,
        what: &'static str,
        value: f64,
    },
}

/// Every course session, in time order: (day, at_h, index of its schedule entry).
pub fn schedule(course: &CourseSpec) -> Vec<(u32, f64, usize)> {
    let mut out = Vec::new();
    for day in 1..=course.days {
        for (i, s) in course.sessions.iter().enumerate() {
            if day >= s.from_day && day <= s.to_day.unwrap_or(course.days) {
                out.extend(s.at_h.iter().map(|&h| (day, h, i)));
            }
        }
    }
    out.sort_by(|a, b| (a.0, a.1).partial_cmp(&(b.0, b.1)).expect("finite times"));
    out
}

/// Tracks a pump session's ejections and prolactin from the decimated samples.
struct Tracker {
    oxytocin_samples: Vec<f64>,
    ejections_before: u32,
    first_ejection_s: Option<f64>,
    peak: (f64, f64),
    prolactin_sum: f64,
    samples: u64,
}

impl SampleSink for Tracker {
    fn record(&mut self, s: &Sample) -> std::io::Result<()> {
        let m = &s.plant.mother;
        let t = s.time_ns as f64 * 1e-9;
        if self.first_ejection_s.is_none() && m.ejections > self.ejections_before {
            self.first_ejection_s = Some(t);
        }
        if m.prolactin_ng_ml > self.peak.1 {
            self.peak = (t, m.prolactin_ng_ml);
        }
        if t >= self.oxytocin_samples.len() as f64 * OXYTOCIN_SAMPLE_S {
            self.oxytocin_samples.push(m.oxytocin_pg_ml);
        }
        self.prolactin_sum += m.prolactin_ng_ml;
        self.samples += 1;
        Ok(())
    }
}

/// What a course produced.
#[derive(Clone, Debug, Default)]
pub struct CourseRun {
    pub days: Vec<DayRecord>,
    pub sessions: Vec<SessionRecord>,
}

/// Runs `course` on the scenario's session; `progress` sees each finished session.
pub fn run_course(
    loaded: &LoadedScenario,
    course: &CourseSpec,
    mut progress: impl FnMut(&SessionRecord),
) -> Result<CourseRun, CourseError> {
    let sc = &loaded.scenario;
    let mut mother_params = sc.plant.mother.clone();
    // A course's clock starts at midnight of day 1.
    mother_params.clock_start_h = 0.0;
    let mut mother = Mother::new(&mother_params, sc.seed).map_err(|e| {
        CourseError::Mother(
            e.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    let mut run = CourseRun::default();
    let mut day = DayRecord {
        day: 1,
        ..DayRecord::default()
    };
    let mut prolactin_weighted = 0.0;
    let mut synthesised_at_day_start = synthesised(&mother);
    let sessions = schedule(course);
    let mut next = 0usize;
    let mut alternate = Alternation::default();
    for d in 1..=course.days {
        let day_end_s = f64::from(d) * DAY_S;
        loop {
            let due = sessions.get(next).filter(|s| s.0 == d).copied();
            let until = match due {
                Some((_, h, _)) => (f64::from(d - 1) * DAY_S + h * 3600.0).max(mother.time_s()),
                None => day_end_s,
            };
            rest_until(&mut mother, until, &mut prolactin_weighted);
            let Some((_, at_h, entry)) = due else { break };
            next += 1;
            let spec = &course.sessions[entry];
            let start_s = mother.time_s();
            let record = match spec.kind {
                SessionKind::Pump => {
                    let shields = spec.shields.unwrap_or(loaded.scenario.plant.kit.shields);
                    let side = match spec.side.unwrap_or(FeedSide::Left) {
                        FeedSide::Alternate if shields == 1 => alternate.take(),
                        side => side,
                    };
                    let options = PumpOptions {
                        duration_min: spec.duration_min,
                        shields: Some(shields),
                        on_right: shields == 1 && side == FeedSide::Right,
                    };
                    let (rec, m) = pump_session(loaded, &options, mother, d, at_h, next as u64)?;
                    mother = m;
                    rec
                }
                SessionKind::Breastfeed | SessionKind::Comfort => infant_session(
                    &mut mother,
                    loaded.scenario.plant.integration.mother_step_ms * 1e-3,
                    spec.kind,
                    match spec.side.unwrap_or_default() {
                        FeedSide::Alternate => alternate.take(),
                        side => side,
                    },
                    spec.duration_min.unwrap_or(super::spec::DEFAULT_FEED_MIN),
                    d,
                    at_h,
                ),
            };
            let session_s = mother.time_s() - start_s;
            prolactin_weighted +=
                session_s * 0.5 * (record.prolactin_start_ng_ml + record.prolactin_peak_ng_ml);
            day.sessions += 1;
            if record.kind == SessionKind::Pump {
                day.pump_sessions += 1;
            } else {
                day.infant_sessions += 1;
            }
            day.removed_ml[0] += record.removed_ml[0];
            day.removed_ml[1] += record.removed_ml[1];
            day.ejections += record.ejections;
            progress(&record);
            run.sessions.push(record);
        }
        // Sessions running past midnight count for the day they started; the day closes here.
        day.mean_prolactin_ng_ml = prolactin_weighted / DAY_S;
        day.capacity_ml_h = [
            mother.secretory(0).capacity_ml_h(),
            mother.secretory(1).capacity_ml_h(),
        ];
        day.stored_ml = [mother.breast(0).stored_ml(), mother.breast(1).stored_ml()];
        let made = synthesised(&mother);
        day.synthesised_ml = made - synthesised_at_day_start;
        synthesised_at_day_start = made;
        for (what, value) in [
            ("stored milk (mL)", mother.stored_ml()),
            ("prolactin (ng/mL)", day.mean_prolactin_ng_ml),
        ] {
            if !value.is_finite() || value < 0.0 {
                return Err(CourseError::NonPhysical {
                    day: d,
                    what,
                    value,
                });
            }
        }
        run.days.push(std::mem::replace(
            &mut day,
            DayRecord {
                day: d + 1,
                ..DayRecord::default()
            },
        ));
        prolactin_weighted = 0.0;
    }
    Ok(run)
}

fn synthesised(m: &Mother) -> f64 {
    m.breast(0).synthesised_ml + m.breast(1).synthesised_ml
}

/// The breast the next `side = "alternate"` session takes: the left first, then the other one
/// than the last alternating session took. Pump and infant sessions share the turn; sessions with
/// a fixed side (or both) do not move it.
#[derive(Default)]
struct Alternation {
    right_next: bool,
}

impl Alternation {
    fn take(&mut self) -> FeedSide {
        let side = if self.right_next {
            FeedSide::Right
        } else {
            FeedSide::Left
        };
        self.right_next = !self.right_next;
        side
    }
}

/// How a course's pump session differs from the scenario's own session.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PumpOptions {
    /// Length, min (default: the scenario's `duration_s`).
    pub duration_min: Option<f64>,
    /// Shields (default: `plant.kit.shields`).
    pub shields: Option<u8>,
    /// A one-shield session on the right breast (the kit's one shield is on the left otherwise).
    pub on_right: bool,
}

/// Rests the mother until `until_s`, adding prolactin × time for the daily mean.
fn rest_until(mother: &mut Mother, until_s: f64, prolactin_weighted: &mut f64) {
    while mother.time_s() < until_s - 1e-9 {
        let h = (until_s - mother.time_s()).min(DAILY_SAMPLE_S);
        let before = mother.outputs().prolactin_ng_ml;
        mother.rest(h);
        *prolactin_weighted += h * 0.5 * (before + mother.outputs().prolactin_ng_ml);
    }
}

/// One pump session of the scenario with `mother` in it; returns her afterwards.
///
/// The plant's one-shield kit is its first (left) chamber, built from `[plant.left]`. A
/// one-shield session on the right breast puts that shield (its chamber, tunnel and leak) on the
/// right nipple (`[plant.right]`'s nipple size) and presents the mother mirrored
/// ([`Mother::swap_breasts`]) for the session; the record and the returned mother are in her own
/// orientation again.
pub fn pump_session(
    loaded: &LoadedScenario,
    options: &PumpOptions,
    mut mother: Mother,
    day: u32,
    at_h: f64,
    index: u64,
) -> Result<(SessionRecord, Mother), CourseError> {
    let base = &loaded.scenario;
    let mut sess = loaded.clone();
    let duration_s = options.duration_min.map_or(base.duration_s, |m| m * 60.0);
    let shields = options.shields.unwrap_or(base.plant.kit.shields);
    let on_right = shields == 1 && options.on_right;
    let same_session = duration_s == base.duration_s && shields == base.plant.kit.shields;
    sess.scenario.duration_s = duration_s;
    sess.scenario.plant.kit.shields = shields;
    sess.scenario.seed = base.seed.wrapping_add(index);
    let end_ns = (duration_s * 1e9) as u64;
    sess.timeline.retain(|e| e.at_ns < end_ns);
    if !same_session {
        // The scenario's checks are written for its own session; a shorter or differently
        // shielded session is run without them.
        sess.scenario.checks.clear();
    }
    let err = |source| CourseError::Session { day, at_h, source };
    let available_ml = [mother.breast(0).stored_ml(), mother.breast(1).stored_ml()];
    let removed_before = [mother.breast(0).removed_ml, mother.breast(1).removed_ml];
    let prolactin_start = mother.outputs().prolactin_ng_ml;
    let ejections_before = mother.outputs().ejections;
    if on_right {
        // The kit's one shield (`[plant.left]`'s chamber, tunnel and leak) on the right nipple.
        let plant = &mut sess.scenario.plant;
        plant.left.nipple_base_diameter_mm = plant.right.nipple_base_diameter_mm;
        plant.left.nipple_length_mm = plant.right.nipple_length_mm;
        mother.swap_breasts();
    }
    let mut plant =
        Plant::with_mother(&sess.scenario.plant, sess.scenario.seed, mother).map_err(|source| {
            err(RunError::Plant {
                time_s: 0.0,
                source,
            })
        })?;
    let mut controller = session::scenario_controller(&sess)
        .map_err(|source| CourseError::Controller { day, at_h, source })?;
    let mut tracker = Tracker {
        oxytocin_samples: Vec::new(),
        ejections_before,
        first_ejection_s: None,
        peak: (0.0, prolactin_start),
        prolactin_sum: 0.0,
        samples: 0,
    };
    // sessions.csv records only how many checks failed: the summary metrics are not computed.
    let outcome = runner::run_with_plant(
        &sess,
        &mut plant,
        &mut controller,
        &mut tracker,
        Scope::ChecksOnly,
    )
    .map_err(err)?;
    let mut mother = plant.into_mother();
    if on_right {
        mother.swap_breasts();
    }
    let record = SessionRecord {
        day,
        at_h,
        kind: SessionKind::Pump,
        duration_min: duration_s / 60.0,
        shields,
        side: match (shields, on_right) {
            (2, _) => FeedSide::Both,
            (_, true) => FeedSide::Right,
            _ => FeedSide::Left,
        },
        available_ml,
        removed_ml: [
            mother.breast(0).removed_ml - removed_before[0],
            mother.breast(1).removed_ml - removed_before[1],
        ],
        ejections: mother.outputs().ejections - ejections_before,
        first_ejection_s: tracker.first_ejection_s,
        prolactin_start_ng_ml: prolactin_start,
        prolactin_peak_ng_ml: tracker.peak.1,
        prolactin_peak_s: tracker.peak.0,
        checks_failed: outcome.metrics.checks.iter().filter(|c| !c.pass).count(),
        oxytocin_pulses_sampled: detected_pulses(&tracker.oxytocin_samples, OXYTOCIN_PULSE_RISE),
    };
    Ok((record, mother))
}

/// An infant feed: the infant's sucking on one breast, or on each for half the feed. The mother
/// steps every `step_s` (`integration.mother_step_ms`, as in a pump session: §7.7) with the mean
/// of the sucking's vacuum over the step.
pub fn infant_session(
    mother: &mut Mother,
    step_s: f64,
    kind: SessionKind,
    side: FeedSide,
    duration_min: f64,
    day: u32,
    at_h: f64,
) -> SessionRecord {
    let mode = if kind == SessionKind::Comfort {
        SuckingMode::Comfort
    } else {
        SuckingMode::Feed
    };
    let pattern = SuckingPattern::of(mode);
    let available_ml = [mother.breast(0).stored_ml(), mother.breast(1).stored_ml()];
    let removed_before = [mother.breast(0).removed_ml, mother.breast(1).removed_ml];
    let prolactin_start = mother.outputs().prolactin_ng_ml;
    let ejections_before = mother.outputs().ejections;
    let steps = ((duration_min * 60.0 / step_s).round() as u64).max(1);
    let mut first = None;
    let mut peak = (0.0, prolactin_start);
    let mut oxytocin_samples = Vec::new();
    let sample_every = ((OXYTOCIN_SAMPLE_S / step_s).round() as u64).max(1);
    for k in 0..steps {
        // The step from t0 to t: what the mother shows at its end.
        let t0 = k as f64 * step_s;
        let t = t0 + step_s;
        let on_left = match side {
            FeedSide::Left => true,
            FeedSide::Right => false,
            FeedSide::Both | FeedSide::Alternate => k < steps / 2,
        };
        let nipple = Some(Nipple {
            vacuum_mmhg: pattern.vacuum_mmhg(t),
            mean_vacuum_mmhg: pattern.mean_vacuum_mmhg(t0, t),
            duct_openness: 1.0,
            comfort: 1.0,
            tactile_stretch_per_s: TACTILE_STRETCH_PER_S,
        });
        let nipples = if on_left {
            [nipple, None]
        } else {
            [None, nipple]
        };
        let out = mother.step(step_s, &nipples);
        if k % sample_every == 0 {
            oxytocin_samples.push(out.oxytocin_pg_ml);
        }
        if first.is_none() && out.ejection_started {
            first = Some(t);
        }
        if out.prolactin_ng_ml > peak.1 {
            peak = (t, out.prolactin_ng_ml);
        }
    }
    SessionRecord {
        day,
        at_h,
        kind,
        duration_min,
        shields: 0,
        side,
        available_ml,
        removed_ml: [
            mother.breast(0).removed_ml - removed_before[0],
            mother.breast(1).removed_ml - removed_before[1],
        ],
        ejections: mother.outputs().ejections - ejections_before,
        first_ejection_s: first,
        prolactin_start_ng_ml: prolactin_start,
        prolactin_peak_ng_ml: peak.1,
        prolactin_peak_s: peak.0,
        checks_failed: 0,
        oxytocin_pulses_sampled: detected_pulses(&oxytocin_samples, OXYTOCIN_PULSE_RISE),
    }
}
