//! The `[course]` table: a schedule of sessions over days. Each pump session runs the scenario's
//! own session (plant, firmware and its settings, events, checks) for its duration; infant feeds
//! run the mother against an infant's sucking (docs/model.md §13.3). docs/scenarios.md documents
//! every key.

use serde::{Deserialize, Serialize};

/// Longest course, days.
pub const MAX_COURSE_DAYS: u32 = 180;
/// Milk a session must remove for "first drops", mL over both breasts (default of
/// `course.first_drops_ml`; a few drops are 0.05 mL each).
pub const DEFAULT_FIRST_DROPS_ML: f64 = 0.2;
/// Length of an infant feed when a session does not say, min.
pub const DEFAULT_FEED_MIN: f64 = 15.0;

/// `[course]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourseSpec {
    /// Days the course runs, 1..=180; day 1 starts at midnight.
    pub days: u32,
    /// Milk a session must remove to count as first drops, mL (both breasts). Default 0.2.
    #[serde(default = "default_first_drops_ml")]
    pub first_drops_ml: f64,
    /// The schedule: each entry repeats at its times of day on its days.
    pub sessions: Vec<SessionSpec>,
    /// Checks on the course's daily metrics.
    #[serde(default)]
    pub checks: Vec<CourseCheckSpec>,
}

/// What removes milk in a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    /// The scenario's pump session: full plant and firmware in the loop.
    Pump,
    /// The infant feeds at the breast (nutritive sucking).
    Breastfeed,
    /// The infant comfort-nurses (non-nutritive sucking).
    Comfort,
}

/// Which breast a session is on: an infant feed, or a pump session with one shield.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedSide {
    Left,
    Right,
    /// An infant feed: first half on the left, second half on the right. A double pump
    /// session: both at once.
    #[default]
    Both,
    /// One breast per session, the other one than the last alternating session of the course
    /// took (the first takes the left): how a mother who feeds or pumps one side at a time
    /// shares her sessions between her breasts.
    Alternate,
}

/// One `[[course.sessions]]` entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionSpec {
    /// Times of day, hours after midnight (e.g. `[0, 3, 6, 9, 12, 15, 18, 21]`).
    pub at_h: Vec<f64>,
    /// `pump` (default), `breastfeed` or `comfort`.
    #[serde(default = "default_kind")]
    pub kind: SessionKind,
    /// Length, min. Pump: default the scenario's `duration_s`; infant: default 15.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_min: Option<f64>,
    /// Pump: 1 (single) or 2 (double pumping). Default `plant.kit.shields`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shields: Option<u8>,
    /// Infant: `left`, `right`, `both` (default: half the feed on each) or `alternate`. Pump
    /// with one shield: `left` (default), `right` or `alternate`; with two: `both` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub side: Option<FeedSide>,
    /// First day (1-based) this entry applies. Default 1.
    #[serde(default = "default_from_day")]
    pub from_day: u32,
    /// Last day (1-based, inclusive). Default the course's last day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_day: Option<u32>,
}

/// A metric over the course's days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CourseMetric {
    /// First day with a session removing at least `first_drops_ml`, day (1-based).
    FirstDropsDay,
    /// First day whose milk removed reaches `threshold_ml_day`, day (1-based).
    DayVolumeReached,
    /// Milk removed on the last day, mL/day.
    FinalDailyVolume,
    /// Mean milk removed per day over `window_days` (default all), mL/day.
    MeanDailyVolume,
}

impl CourseMetric {
    pub const ALL: [CourseMetric; 4] = [
        CourseMetric::FirstDropsDay,
        CourseMetric::DayVolumeReached,
        CourseMetric::FinalDailyVolume,
        CourseMetric::MeanDailyVolume,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::FirstDropsDay => "first_drops_day",
            Self::DayVolumeReached => "day_volume_reached",
            Self::FinalDailyVolume => "final_daily_volume",
            Self::MeanDailyVolume => "mean_daily_volume",
        }
    }

    pub fn unit(self) -> &'static str {
        match self {
            Self::FirstDropsDay | Self::DayVolumeReached => "day",
            Self::FinalDailyVolume | Self::MeanDailyVolume => "mL/day",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// One `[[course.checks]]` entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourseCheckSpec {
    pub name: String,
    /// `first_drops_day`, `day_volume_reached`, `final_daily_volume` or `mean_daily_volume`.
    pub metric: String,
    /// For `day_volume_reached`: the daily volume, mL/day (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold_ml_day: Option<f64>,
    /// For `mean_daily_volume`: `[first_day, last_day]`, 1-based inclusive. Default every day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_days: Option<[u32; 2]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Must be the metric's unit: `day` or `mL/day`.
    pub unit: String,
}

fn default_first_drops_ml() -> f64 {
    DEFAULT_FIRST_DROPS_ML
}

fn default_kind() -> SessionKind {
    SessionKind::Pump
}

fn default_from_day() -> u32 {
    1
}

/// Problems with a course, as (key path, reason), for the scenario validator to place in the file.
pub fn problems(c: &CourseSpec, base_duration_s: f64, base_shields: u8) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut push = |k: String, r: String| out.push((k, r));
    if !(1..=MAX_COURSE_DAYS).contains(&c.days) {
        push(
            "course.days".into(),
            format!("must be between 1 and {MAX_COURSE_DAYS}"),
        );
    }
    if !c.first_drops_ml.is_finite() || c.first_drops_ml <= 0.0 {
        push(
            "course.first_drops_ml".into(),
            "must be greater than zero".into(),
        );
    }
    if c.sessions.is_empty() {
        push(
            "course.sessions".into(),
            "a course needs at least one [[course.sessions]]".into(),
        );
    }
    for (i, s) in c.sessions.iter().enumerate() {
        let at = format!("course.sessions[{i}]");
        if s.at_h.is_empty()
            || s.at_h
                .iter()
                .any(|h| !h.is_finite() || !(0.0..24.0).contains(h))
        {
            push(
                format!("{at}.at_h"),
                "must list times of day in [0, 24) hours".into(),
            );
        }
        if let Some(d) = s.duration_min {
            if !d.is_finite() || d <= 0.0 || d > 180.0 {
                push(
                    format!("{at}.duration_min"),
                    "must be between 0 and 180 min".into(),
                );
            }
        }
        let pump = s.kind == SessionKind::Pump;
        match (pump, s.shields) {
            (true, Some(n)) if !(1..=2).contains(&n) => push(
                format!("{at}.shields"),
                "must be 1 (single) or 2 (double pumping)".into(),
            ),
            (false, Some(_)) => push(
                format!("{at}.shields"),
                "only pump sessions have shields; an infant feeds on `side`".into(),
            ),
            _ => {}
        }
        let shields = s.shields.unwrap_or(base_shields);
        let from = if s.shields.is_some() {
            format!("`{at}.shields`")
        } else {
            "`plant.kit.shields`".to_owned()
        };
        match (pump, shields, s.side) {
            (true, 1, Some(FeedSide::Both)) => push(
                format!("{at}.side"),
                format!(
                    "this pump session has one shield ({from} = 1) and pumps one breast: \
                     \"left\", \"right\" or \"alternate\" (pump both with `{at}.shields = 2`, or \
                     one after the other as two sessions)"
                ),
            ),
            (true, 2, Some(side)) if side != FeedSide::Both => push(
                format!("{at}.side"),
                format!(
                    "this pump session has two shields ({from} = 2) and pumps both breasts at \
                     once: only \"both\" (set `{at}.shields = 1` to pump one side)"
                ),
            ),
            _ => {}
        }
        if pump && s.duration_min.is_some_and(|d| d * 60.0 > base_duration_s) {
            push(
                format!("{at}.duration_min"),
                format!(
                    "a pump session is the scenario's session: at most `duration_s` = {base_duration_s} s"
                ),
            );
        }
        if pump && s.shields == Some(2) && base_shields == 1 {
            // Allowed: the right side's defaults apply. Nothing to report.
        }
        let last = s.to_day.unwrap_or(c.days);
        if s.from_day < 1 || s.from_day > last || last > c.days {
            push(
                format!("{at}.from_day"),
                format!("must satisfy 1 <= from_day <= to_day <= days ({})", c.days),
            );
        }
    }
    for (i, k) in c.checks.iter().enumerate() {
        let at = format!("course.checks[{i}]");
        let Some(m) = CourseMetric::from_name(&k.metric) else {
            let names: Vec<_> = CourseMetric::ALL.iter().map(|m| m.name()).collect();
            push(
                format!("{at}.metric"),
                format!("unknown course metric; known: {}", names.join(", ")),
            );
            continue;
        };
        if k.unit != m.unit() {
            push(
                format!("{at}.unit"),
                format!("must be \"{}\" for {}", m.unit(), m.name()),
            );
        }
        if k.min.is_none() && k.max.is_none() {
            push(at.clone(), "needs `min`, `max` or both".into());
        }
        match (m, k.threshold_ml_day) {
            (CourseMetric::DayVolumeReached, None) => push(
                format!("{at}.threshold_ml_day"),
                "is required for day_volume_reached".into(),
            ),
            (CourseMetric::DayVolumeReached, Some(t)) if !t.is_finite() || t <= 0.0 => push(
                format!("{at}.threshold_ml_day"),
                "must be greater than zero".into(),
            ),
            (CourseMetric::DayVolumeReached, _) => {}
            (_, Some(_)) => push(
                format!("{at}.threshold_ml_day"),
                "only day_volume_reached takes a threshold".into(),
            ),
            _ => {}
        }
        if let Some([a, b]) = k.window_days {
            if m != CourseMetric::MeanDailyVolume {
                push(
                    format!("{at}.window_days"),
                    "only mean_daily_volume takes a window".into(),
                );
            } else if a < 1 || a > b || b > c.days {
                push(
                    format!("{at}.window_days"),
                    format!(
                        "must be [first, last] with 1 <= first <= last <= days ({})",
                        c.days
                    ),
                );
            }
        }
    }
    out
}
