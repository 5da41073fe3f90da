//! Courses: days of sessions (pumping with the firmware in the loop, infant feeds) with the slow
//! milk-supply model between them; daily outputs and checks on them (issue: relactation courses).
//!
//! `pumprig run` on a scenario with a `[course]` table writes `daily.csv`, `sessions.csv`,
//! `course.json` and plots of the days (docs/scenarios.md, "Courses").

mod run;
pub mod spec;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub use run::{
    CourseError, CourseRun, DayRecord, OXYTOCIN_PULSE_RISE, OXYTOCIN_SAMPLE_S, PumpOptions,
    SessionRecord, infant_session, pump_session, run_course, schedule,
};
pub use spec::{CourseCheckSpec, CourseMetric, CourseSpec, FeedSide, SessionKind, SessionSpec};

use crate::output::record::content_hash;
use crate::output::run_dir::StagedDir;
use crate::scenario::{LoadedScenario, Scenario};

/// Files a course run writes.
pub const COURSE_FILES: [&str; 5] = [
    "daily.csv",
    "sessions.csv",
    "course.json",
    "course.png",
    "course.svg",
];

/// A course metric's value; `None` when the event never happened in the course (never reached).
pub fn metric_value(
    run: &CourseRun,
    course: &CourseSpec,
    metric: CourseMetric,
    threshold_ml_day: Option<f64>,
    window_days: Option<[u32; 2]>,
) -> Option<f64> {
    match metric {
        CourseMetric::FirstDropsDay => run
            .sessions
            .iter()
            .find(|s| s.removed_total_ml() >= course.first_drops_ml)
            .map(|s| f64::from(s.day)),
        CourseMetric::DayVolumeReached => {
            let t = threshold_ml_day?;
            run.days
                .iter()
                .find(|d| d.removed_total_ml() >= t)
                .map(|d| f64::from(d.day))
        }
        CourseMetric::FinalDailyVolume => run.days.last().map(DayRecord::removed_total_ml),
        CourseMetric::MeanDailyVolume => {
            let [a, b] = window_days.unwrap_or([1, course.days]);
            let days: Vec<_> = run
                .days
                .iter()
                .filter(|d| d.day >= a && d.day <= b)
                .collect();
            (!days.is_empty())
                .then(|| days.iter().map(|d| d.removed_total_ml()).sum::<f64>() / days.len() as f64)
        }
    }
}

/// A course check's outcome.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CourseCheckOutcome {
    pub name: String,
    pub metric: String,
    pub unit: String,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub value: Option<f64>,
    pub pass: bool,
    pub message: String,
}

pub fn judge(run: &CourseRun, course: &CourseSpec) -> Vec<CourseCheckOutcome> {
    course
        .checks
        .iter()
        .map(|c| {
            let metric = CourseMetric::from_name(&c.metric).expect("validated with the scenario");
            let value = metric_value(run, course, metric, c.threshold_ml_day, c.window_days);
            let pass =
                value.is_some_and(|v| c.min.is_none_or(|m| v >= m) && c.max.is_none_or(|m| v <= m));
            let limits = match (c.min, c.max) {
                (Some(a), Some(b)) => format!("[{a}, {b}]"),
                (Some(a), None) => format!(">= {a}"),
                (None, Some(b)) => format!("<= {b}"),
                (None, None) => String::new(),
            };
            let shown = value.map_or_else(
                || format!("never within the {} days", course.days),
                |v| format!("{v:.1} {}", c.unit),
            );
            CourseCheckOutcome {
                name: c.name.clone(),
                metric: c.metric.clone(),
                unit: c.unit.clone(),
                min: c.min,
                max: c.max,
                value,
                pass,
                message: format!(
                    "{}: {} = {shown}, limits {limits} {}",
                    c.name, c.metric, c.unit
                ),
            }
        })
        .collect()
}

/// `course.json`.
#[derive(serde::Serialize)]
pub struct CourseRecord<'a> {
    pub pumprig_version: &'static str,
    pub scenario_file: String,
    pub scenario_hash: String,
    pub seed: u64,
    pub days: u32,
    pub sessions: usize,
    /// Every course check passed and every pump session passed the scenario's checks (as the
    /// exit code and a sweep's row judge it).
    pub passed: bool,
    /// Pump sessions that failed one of the scenario's `[[checks]]` (sessions.csv has which).
    pub sessions_failed: usize,
    pub first_drops_day: Option<f64>,
    pub final_daily_volume_ml: Option<f64>,
    pub checks: &'a [CourseCheckOutcome],
    pub outputs: Vec<&'static str>,
    pub resolved: &'a Scenario,
}

/// `daily.csv`: one row per day.
pub fn daily_csv(run: &CourseRun) -> String {
    let mut s = String::from(
        "day,sessions,pump_sessions,infant_sessions,volume_left_ml,volume_right_ml,volume_total_ml,\
ejections,mean_prolactin_ng_ml,capacity_left_ml_h,capacity_right_ml_h,synthesised_ml,\
stored_left_ml,stored_right_ml\n",
    );
    for d in &run.days {
        let _ = writeln!(
            s,
            "{},{},{},{},{:.2},{:.2},{:.2},{},{:.1},{:.3},{:.3},{:.2},{:.2},{:.2}",
            d.day,
            d.sessions,
            d.pump_sessions,
            d.infant_sessions,
            d.removed_ml[0],
            d.removed_ml[1],
            d.removed_total_ml(),
            d.ejections,
            d.mean_prolactin_ng_ml,
            d.capacity_ml_h[0],
            d.capacity_ml_h[1],
            d.synthesised_ml,
            d.stored_ml[0],
            d.stored_ml[1],
        );
    }
    s
}

/// `sessions.csv`: one row per session.
pub fn sessions_csv(run: &CourseRun) -> String {
    let mut s = String::from(
        "day,at_h,kind,duration_min,shields,side,available_left_ml,available_right_ml,removed_left_ml,\
removed_right_ml,removed_total_ml,share_removed_pct,ejections,first_ejection_s,\
prolactin_start_ng_ml,prolactin_peak_ng_ml,prolactin_peak_s,checks_failed\n",
    );
    for r in &run.sessions {
        let kind = match r.kind {
            SessionKind::Pump => "pump",
            SessionKind::Breastfeed => "breastfeed",
            SessionKind::Comfort => "comfort",
        };
        let side = match r.side {
            FeedSide::Left => "left",
            FeedSide::Right => "right",
            FeedSide::Both | FeedSide::Alternate => "both",
        };
        let first = r
            .first_ejection_s
            .map_or(String::new(), |t| format!("{t:.2}"));
        let _ = writeln!(
            s,
            "{},{:.2},{kind},{:.1},{},{side},{:.2},{:.2},{:.3},{:.3},{:.3},{:.1},{},{first},{:.1},{:.1},{:.0},{}",
            r.day,
            r.at_h,
            r.duration_min,
            r.shields,
            r.available_ml[0],
            r.available_ml[1],
            r.removed_ml[0],
            r.removed_ml[1],
            r.removed_total_ml(),
            r.share_removed_pct(),
            r.ejections,
            r.prolactin_start_ng_ml,
            r.prolactin_peak_ng_ml,
            r.prolactin_peak_s,
            r.checks_failed,
        );
    }
    s
}

/// A finished course and where it was written.
pub struct FinishedCourse {
    pub dir: PathBuf,
    pub run: CourseRun,
    pub checks: Vec<CourseCheckOutcome>,
}

impl FinishedCourse {
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.pass) && self.run.sessions.iter().all(|s| s.checks_failed == 0)
    }

    /// Pump sessions that failed one of the scenario's `[[checks]]`.
    pub fn sessions_failed(&self) -> usize {
        self.run
            .sessions
            .iter()
            .filter(|s| s.checks_failed > 0)
            .count()
    }
}

/// A course's figures for a sweep's summary (`metric_value`'s, keys with their units): the day of
/// first drops and the daily volumes when they exist, the sessions, and the milk removed in all.
pub fn summary(run: &CourseRun, course: &CourseSpec) -> std::collections::BTreeMap<String, f64> {
    let mut s = std::collections::BTreeMap::new();
    let mut put = |key: &str, v: Option<f64>| {
        if let Some(v) = v.filter(|v| v.is_finite()) {
            s.insert(key.to_owned(), v);
        }
    };
    put(
        "first_drops_day",
        metric_value(run, course, CourseMetric::FirstDropsDay, None, None),
    );
    put(
        "final_daily_volume_ml_day",
        metric_value(run, course, CourseMetric::FinalDailyVolume, None, None),
    );
    put(
        "mean_daily_volume_ml_day",
        metric_value(run, course, CourseMetric::MeanDailyVolume, None, None),
    );
    put("sessions", Some(run.sessions.len() as f64));
    // Every session's, infant feeds included: not a pump session's `milk_removed_ml`.
    put(
        "milk_removed_course_ml",
        Some(run.days.iter().map(DayRecord::removed_total_ml).sum()),
    );
    s
}

#[derive(Debug, thiserror::Error)]
pub enum CourseOutputError {
    #[error("output directory {path}: {source}")]
    OutputPath {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Course(#[from] CourseError),
    #[error("writing {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("plotting: {0}")]
    Plot(#[from] crate::output::plots::PlotError),
}

/// Runs the scenario's course and writes its directory atomically.
pub fn run_course_to_dir(
    loaded: &LoadedScenario,
    out: &Path,
    progress: impl FnMut(&SessionRecord),
) -> Result<FinishedCourse, CourseOutputError> {
    let course = loaded
        .scenario
        .course
        .as_ref()
        .expect("run_course_to_dir needs a scenario with a [course]");
    let stage = StagedDir::create(out).map_err(|source| CourseOutputError::OutputPath {
        path: out.to_path_buf(),
        source,
    })?;
    let run = run_course(loaded, course, progress)?;
    let checks = judge(&run, course);
    let write = |name: &str, text: &str| {
        let path = stage.path().join(name);
        std::fs::write(&path, text).map_err(|source| CourseOutputError::Io { path, source })
    };
    write("daily.csv", &daily_csv(&run))?;
    write("sessions.csv", &sessions_csv(&run))?;
    let record = CourseRecord {
        pumprig_version: env!("CARGO_PKG_VERSION"),
        scenario_file: loaded
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        scenario_hash: content_hash(loaded.source.as_bytes()),
        seed: loaded.scenario.seed,
        days: course.days,
        sessions: run.sessions.len(),
        passed: checks.iter().all(|c| c.pass) && run.sessions.iter().all(|s| s.checks_failed == 0),
        sessions_failed: run.sessions.iter().filter(|s| s.checks_failed > 0).count(),
        first_drops_day: metric_value(&run, course, CourseMetric::FirstDropsDay, None, None),
        final_daily_volume_ml: metric_value(
            &run,
            course,
            CourseMetric::FinalDailyVolume,
            None,
            None,
        ),
        checks: &checks,
        outputs: COURSE_FILES.to_vec(),
        resolved: &loaded.scenario,
    };
    let json = serde_json::to_string_pretty(&record).expect("the record serializes");
    write("course.json", &(json + "\n"))?;
    crate::output::plots::course::write_course_plots(
        &run,
        &loaded.scenario.name,
        course,
        stage.path(),
    )?;
    let dir = stage.commit().map_err(|source| CourseOutputError::Io {
        path: out.to_path_buf(),
        source,
    })?;
    Ok(FinishedCourse { dir, run, checks })
}
