//! The rules a scenario must meet beyond its schema: the scenario's own (name, duration, rates,
//! zoom window, events), the plant's (`PlantParams::validate`), the firmware's
//! (`Controller::new`) and the checks' (`metrics::validate_checks`, the rules
//! `MetricsEngine::new` applies). Every problem found is reported, each at the line of its key —
//! or, for a default the file does not state, at the table that would hold it, marked
//! "(default)".

use std::fmt::Display;
use std::ops::Range;
use std::path::Path;

use super::error::ScenarioError;
use super::explain::hint;
use super::locate::SourceMap;
use super::spec::{
    CONTROLLER_KINDS, DEFAULT_HOLD_MS, ISOLATIONS, MAX_DURATION_S, Scenario, SideName,
};
use crate::controller::ControllerKind;
use crate::controller::serial::{Mode, board_settings_mismatch};
use crate::metrics::validate_checks;

/// Fills what depends on other keys (the tick rate stated once applies to both places; press
/// hold times), then checks every rule. On success the scenario is fully resolved.
pub(crate) fn resolve_and_check(
    file: &Path,
    map: &SourceMap,
    sc: &mut Scenario,
) -> Result<(), ScenarioError> {
    let tick_problem = resolve_tick_hz(map, sc);
    for e in &mut sc.events {
        if e.press.is_some() && e.hold_ms.is_none() {
            e.hold_ms = Some(DEFAULT_HOLD_MS);
        }
    }
    let mut p = Problems::new(file, map, sc);
    if let Some((key, reason)) = tick_problem {
        p.value(&key, reason);
    }
    check_scenario(&mut p, sc);
    check_events(&mut p, sc);
    check_controller(&mut p, sc);
    check_plant(&mut p, sc);
    if let Some(course) = &sc.course {
        for (key, reason) in
            crate::course::spec::problems(course, sc.duration_s, sc.plant.kit.shields)
        {
            p.value(&key, reason);
        }
    }
    if let Some(baseline) = &sc.baseline {
        if sc.course.is_some() {
            p.table(
                "baseline",
                "a course cannot be compared with a baseline: a baseline holds one session's \
                 timeseries.csv; compare a session scenario instead",
            );
        }
        for problem in
            crate::baseline::problems(baseline, file, sc.duration_s, sc.plant.kit.shields)
        {
            if problem.table {
                p.table(&problem.key, problem.reason);
            } else {
                p.value(&problem.key, problem.reason);
            }
        }
    }
    // The checks are judged against the shield count: only once that is right.
    if !p.seen("plant.kit.shields") {
        check_checks(&mut p, sc);
    }
    match ScenarioError::combine(p.list) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// `tick_hz` may be stated at the top, in `controller.settings`, or both (then equal).
fn resolve_tick_hz(map: &SourceMap, sc: &mut Scenario) -> Option<(String, String)> {
    let top = map.contains("tick_hz");
    let fw = map.contains("controller.settings.tick_hz");
    match (top, fw) {
        (false, true) => sc.tick_hz = u32::from(sc.controller.settings.tick_hz),
        (true, true) if u32::from(sc.controller.settings.tick_hz) != sc.tick_hz => {
            return Some((
                "controller.settings.tick_hz".into(),
                format!(
                    "must equal the scenario's `tick_hz` ({}); state it once, at the top",
                    sc.tick_hz
                ),
            ));
        }
        _ => match u16::try_from(sc.tick_hz) {
            Ok(hz) => sc.controller.settings.tick_hz = hz,
            Err(_) => {
                return Some((
                    "tick_hz".into(),
                    "must be at most 65535 Hz (the firmware's `tick_hz` setting is 16-bit)".into(),
                ));
            }
        },
    }
    None
}

fn check_scenario(p: &mut Problems, sc: &Scenario) {
    let name_ok = !sc.name.is_empty()
        && sc
            .name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !name_ok {
        p.value(
            "name",
            "must be lowercase letters, digits, `-` and `_` only (it names the output directory)",
        );
    }
    let d = sc.duration_s;
    if !d.is_finite() || d <= 0.0 {
        p.value(
            "duration_s",
            "must be a number of seconds greater than zero",
        );
    } else if d > MAX_DURATION_S {
        p.value("duration_s", "must be at most 7 days (604800 s)");
    }
    if sc.tick_hz == 0 || 1_000_000_000 % sc.tick_hz != 0 {
        p.value(
            "tick_hz",
            "must divide one second into a whole number of nanoseconds (e.g. 500, 1000, 2000, 5000)",
        );
    } else {
        let rate = sc.output.sample_rate_hz;
        let per_sample = f64::from(sc.tick_hz) / rate;
        if !rate.is_finite() || rate <= 0.0 {
            p.value("output.sample_rate_hz", "must be greater than zero");
        } else if rate > f64::from(sc.tick_hz) {
            p.value(
                "output.sample_rate_hz",
                format!("must not exceed the tick rate (`tick_hz` = {})", sc.tick_hz),
            );
        } else if (per_sample - per_sample.round()).abs() > 1e-9 * per_sample {
            p.value(
                "output.sample_rate_hz",
                format!(
                    "must divide the tick rate (`tick_hz` = {}) exactly, e.g. {}",
                    sc.tick_hz,
                    divisors_hint(sc.tick_hz)
                ),
            );
        }
    }
    if let Some([a, b]) = sc.output.zoom_window_s {
        let inside = a.is_finite() && b.is_finite() && 0.0 <= a && a < b && b <= d;
        if !inside {
            p.value(
                "output.zoom_window_s",
                format!("must be [start_s, end_s] with 0 <= start_s < end_s <= duration_s ({d})"),
            );
        }
    }
}

/// A few sample rates that divide `tick_hz`, for the message.
fn divisors_hint(tick_hz: u32) -> String {
    let mut rates: Vec<String> = [1000, 500, 200, 100, 50, 10]
        .into_iter()
        .filter(|&r| r <= tick_hz && tick_hz % r == 0)
        .map(|r| r.to_string())
        .collect();
    rates.truncate(3);
    if rates.is_empty() {
        tick_hz.to_string()
    } else {
        rates.join(", ")
    }
}

fn check_events(p: &mut Problems, sc: &Scenario) {
    let d = sc.duration_s;
    for (i, e) in sc.events.iter().enumerate() {
        let at = format!("events[{i}]");
        if !e.at_s.is_finite() || e.at_s < 0.0 || (d.is_finite() && e.at_s >= d) {
            p.value(
                &format!("{at}.at_s"),
                format!("must lie in [0, duration_s) = [0, {d})"),
            );
        }
        let actions = e.action_keys();
        match actions.len() {
            0 => p.table(
                &at,
                "no action: give exactly one of `press`, `leak_onset`, `sensor_fault`",
            ),
            1 => {}
            _ => p.value(
                &format!("{at}.{}", actions[1]),
                format!(
                    "one event does one thing, and this one also has `{}`: \
                     split it into two [[events]] with the same at_s",
                    actions[0]
                ),
            ),
        }
        if e.press.is_none() && p.map.contains(&format!("{at}.hold_ms")) {
            p.value(&format!("{at}.hold_ms"), "only applies to a `press` event");
        } else if e.hold_ms == Some(0) {
            p.value(&format!("{at}.hold_ms"), "must be at least 1 ms");
        } else if sc.controller.kind == "reference"
            && e.hold_ms
                .is_some_and(|ms| ms < u32::from(pumprig_firmware::DEBOUNCE_MS))
        {
            p.value(
                &format!("{at}.hold_ms"),
                format!(
                    "must be at least {} ms: the reference firmware ignores shorter presses as bounce",
                    pumprig_firmware::DEBOUNCE_MS
                ),
            );
        }
        if let Some(leak) = e.leak_onset {
            if !leak.area_mm2.is_finite() || leak.area_mm2 <= 0.0 {
                p.value(
                    &format!("{at}.leak_onset.area_mm2"),
                    "must be greater than zero",
                );
            }
            if leak.side == SideName::Right && sc.plant.kit.shields < 2 {
                p.value(
                    &format!("{at}.leak_onset.side"),
                    format!(
                        "there is no right shield: the kit has {} (`plant.kit.shields`)",
                        sc.plant.kit.shields
                    ),
                );
            }
        }
    }
}

fn check_controller(p: &mut Problems, sc: &Scenario) {
    let kind = sc.controller.kind.as_str();
    let known_prefix = ["cabi:", "qemu:", "serial:"]
        .iter()
        .any(|prefix| kind.starts_with(prefix));
    let parsed = ControllerKind::parse(kind, Path::new(""));
    match &parsed {
        Err(e) if known_prefix => p.value("controller.kind", e),
        Err(_) => {
            // `qemo:board.elf`: suggest by the prefix, the path is the user's own.
            let suggestion = match kind.split_once(':') {
                Some((prefix, _)) => hint(
                    &format!("{prefix}:"),
                    &["cabi:", "qemu:", "serial:"],
                    "prefixes",
                ),
                None => String::new(),
            };
            let suggestion = if suggestion.contains("did you mean") {
                suggestion
            } else {
                hint(kind, &CONTROLLER_KINDS, "kinds")
            };
            p.value(
                "controller.kind",
                format!("unknown controller kind{suggestion}"),
            )
        }
        Ok(_) => {}
    }
    let is_board = parsed.as_ref().is_ok_and(ControllerKind::is_board);
    check_board_keys(p, sc, is_board);
    let isolation = sc.controller.isolation.as_str();
    if !ISOLATIONS.contains(&isolation) {
        p.value(
            "controller.isolation",
            format!(
                "unknown isolation{}",
                hint(isolation, &ISOLATIONS, "values")
            ),
        );
    }
    if let Err(e) = pumprig_firmware::Controller::new(&sc.controller.settings) {
        p.value(&format!("controller.settings.{}", e.field), e.reason);
    }
}

/// The `[controller]` keys of a board: valid values (ignored for other kinds, like `isolation`
/// for `reference`). A board runs what was flashed (protocol v1 has no settings message), so
/// settings other than the reference defaults would make the run lie: refused, naming each key.
fn check_board_keys(p: &mut Problems, sc: &Scenario, is_board: bool) {
    let c = &sc.controller;
    if Mode::parse(&c.mode).is_none() {
        p.value(
            "controller.mode",
            format!("unknown mode{}", hint(&c.mode, &Mode::NAMES, "modes")),
        );
    }
    for (key, value) in [
        ("baud", c.baud),
        ("timeout_ms", c.timeout_ms),
        ("startup_timeout_ms", c.startup_timeout_ms),
        ("resend_ms", c.resend_ms),
    ] {
        if value == 0 {
            p.value(&format!("controller.{key}"), "must be greater than zero");
        }
    }
    if !is_board {
        return;
    }
    for key in board_settings_mismatch(&c.settings) {
        p.value(
            &key,
            "differs from the firmware defaults, but a board runs the settings it was flashed \
             with (pumprig-link v1 sends none): remove the key, or rebuild the board image with \
             it and keep the scenario at the defaults",
        );
    }
}

fn check_plant(p: &mut Problems, sc: &Scenario) {
    for e in sc.plant.validate() {
        p.value_or(&format!("plant.{}", e.key), e.value, e.reason);
    }
}

fn check_checks(p: &mut Problems, sc: &Scenario) {
    if let Err(e) = validate_checks(&sc.checks, sc.plant.kit.shields) {
        match e.field {
            Some(_) => p.value(&e.key(), &e.problem),
            None => p.table(&e.key(), &e.problem),
        }
    }
    // A window may run past the end (it is cut there) but must start inside the run.
    let d = sc.duration_s;
    for (i, c) in sc.checks.iter().enumerate() {
        let start = c.window_s.map_or(f64::NAN, |[start, _]| start);
        if start >= d {
            p.value(
                &format!("checks[{i}].window_s"),
                format!("starts at {start} s, at or after the end of the run (duration_s = {d})"),
            );
        }
    }
}

/// Collects problems, each located at its key.
struct Problems<'a> {
    file: &'a Path,
    map: &'a SourceMap,
    /// The resolved scenario as JSON, to quote default values the file does not state.
    resolved: serde_json::Value,
    list: Vec<ScenarioError>,
}

impl<'a> Problems<'a> {
    fn new(file: &'a Path, map: &'a SourceMap, sc: &Scenario) -> Self {
        Self {
            file,
            map,
            resolved: serde_json::to_value(sc).unwrap_or_default(),
            list: Vec::new(),
        }
    }

    /// "`key` = VALUE: reason", at the value; for a key the file does not state, at the table
    /// that would hold it, quoting the default ("= 80 (default)") or saying it is not set.
    fn value(&mut self, key: &str, reason: impl Display) {
        let default = json_at(&self.resolved, key).map(|v| v.to_string());
        self.push(key, default, reason);
    }

    /// Like [`value`](Self::value), with the default value supplied by the caller.
    fn value_or(&mut self, key: &str, default: impl Display, reason: impl Display) {
        self.push(key, Some(default.to_string()), reason);
    }

    /// "`key`: reason", at a table or array element as a whole.
    fn table(&mut self, key: &str, reason: impl Display) {
        if self.seen(key) {
            return;
        }
        let span = self.span_of(key).map(|(s, _)| s).or(Some(0..0));
        let message = format!("`{key}`: {reason}");
        self.list.push(ScenarioError::at(
            self.file,
            self.map,
            span,
            Some(key.into()),
            message,
        ));
    }

    fn push(&mut self, key: &str, default: Option<String>, reason: impl Display) {
        if self.seen(key) {
            return;
        }
        let (span, stated) = match self.span_of(key) {
            Some((span, true)) => {
                let stated = format!("= {}", self.map.snippet(&span));
                (span, stated)
            }
            Some((span, false)) => (span, unstated(default)),
            None => (0..0, unstated(default)),
        };
        let message = format!("`{key}` {stated}: {reason}");
        self.list.push(ScenarioError::at(
            self.file,
            self.map,
            Some(span),
            Some(key.into()),
            message,
        ));
    }

    /// One problem per key: a second is usually a consequence of the first.
    fn seen(&self, key: &str) -> bool {
        self.list.iter().any(|e| e.key.as_deref() == Some(key))
    }

    /// Where to point for `key`: its value (true) or, if the file does not state it, the nearest
    /// stated table that would hold it (false).
    fn span_of(&self, key: &str) -> Option<(Range<usize>, bool)> {
        if let Some(span) = self.map.find(key).and_then(|f| f.value_span.or(f.key_span)) {
            return Some((span, true));
        }
        let (_, table) = self.map.nearest_ancestor(key)?;
        table.value_span.or(table.key_span).map(|s| (s, false))
    }
}

fn unstated(default: Option<String>) -> String {
    match default {
        Some(v) => format!("= {v} (default)"),
        None => "is not set".to_owned(),
    }
}

/// The JSON value at a dotted key path with indices (`checks[2].unit`).
pub(super) fn json_at<'v>(
    root: &'v serde_json::Value,
    path: &str,
) -> Option<&'v serde_json::Value> {
    let mut v = root;
    for part in path.split('.') {
        let (name, indices) = part
            .split_once('[')
            .map_or((part, ""), |(n, rest)| (n, rest));
        v = v.get(name)?;
        for idx in indices.split('[').filter(|s| !s.is_empty()) {
            v = v.get(idx.trim_end_matches(']').parse::<usize>().ok()?)?;
        }
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_paths_with_indices() {
        let v: serde_json::Value =
            serde_json::json!({"a": {"b": [1, {"c": "x"}]}, "checks": [{"unit": "mmHg"}]});
        assert_eq!(json_at(&v, "a.b[0]"), Some(&serde_json::json!(1)));
        assert_eq!(json_at(&v, "a.b[1].c"), Some(&serde_json::json!("x")));
        assert_eq!(
            json_at(&v, "checks[0].unit"),
            Some(&serde_json::json!("mmHg"))
        );
        assert_eq!(json_at(&v, "a.z"), None);
    }
}
