//! The `[sweep]` table read into a [`SweepPlan`]: which scenario keys vary over which values, as
//! grid axes (one key each) and zipped groups (`[[sweep.zip]]`, several keys varying together),
//! and the cases that expands into, each with a stable id.
//!
//! A case is the base scenario with its values set at their key paths in the TOML document and
//! the `[sweep]` table removed, loaded through the ordinary scenario loader: every rule a
//! scenario must meet applies to every case, and a problem is reported at the sweep value that
//! caused it (file, line, column), naming the case.

use std::collections::HashSet;
use std::ops::Range;
use std::path::PathBuf;

use toml::Value;

use crate::output::record::content_hash;
use crate::scenario::{self, LoadedScenario, ScenarioError, SourceMap};

/// The most cases one sweep may expand into.
pub const MAX_CASES: usize = 1_000_000;

/// A scenario's sweep, ready to expand into cases.
#[derive(Clone, Debug)]
pub struct SweepPlan {
    path: PathBuf,
    source: String,
    /// The scenario without its `[sweep]` table, as a TOML tree.
    base: toml::Table,
    axes: Vec<Axis>,
    total: usize,
}

/// One dimension of the grid: a single key (`[sweep]` entry) or a zipped group.
#[derive(Clone, Debug)]
struct Axis {
    keys: Vec<SweepKey>,
    len: usize,
    /// How many of `keys`, from the first, name a case: the fewest whose values tell every
    /// entry of the axis apart (1 unless the first key repeats a value, as `shields = [2, 1, 1]`
    /// zipped with `side = ["both", "left", "alternate"]` does).
    leads: usize,
}

impl Axis {
    fn new(keys: Vec<SweepKey>, len: usize) -> Self {
        let distinct = |n: usize| {
            let mut seen = std::collections::HashSet::new();
            (0..len).all(|i| {
                seen.insert(
                    keys[..n]
                        .iter()
                        .map(|k| k.values[i].to_string())
                        .collect::<Vec<_>>(),
                )
            })
        };
        let leads = (1..keys.len()).find(|&n| distinct(n)).unwrap_or(keys.len());
        Self { keys, len, leads }
    }
}

#[derive(Clone, Debug)]
struct SweepKey {
    /// The key path as written (`controller.settings.expression.vacuum_mmhg`, `checks[0].max`).
    path: String,
    segments: Vec<Segment>,
    /// The shortest trailing part of the path that tells it apart from the sweep's other keys.
    short: String,
    values: Vec<Value>,
    /// Where each value is written, for messages.
    value_spans: Vec<Option<Range<usize>>>,
    key_span: Option<Range<usize>>,
}

#[derive(Clone, Debug, PartialEq)]
enum Segment {
    Key(String),
    Index(usize),
}

/// One case of a sweep: its position, stable id and parameter values.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// Position in the sweep's case order (grid axes in file order, the last varying fastest).
    pub index: usize,
    /// `vacuum_mmhg=150,cycles_per_min=40-3f9a1c02`: readable parameters and 8 hex digits of a
    /// hash of the full key paths and values. The same parameters give the same id on every run,
    /// shard and machine.
    pub id: String,
    pub params: Vec<Param>,
}

/// One swept key's value in a case.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// The full key path.
    pub key: String,
    /// The short name used in the id and the summaries' column headers.
    pub short: String,
    /// The value, as TOML (`150`, `24.0`, `"expression"`).
    pub value: String,
    /// A key that names the case: a `[sweep]` key, or the first key of a `[[sweep.zip]]` group
    /// (the others follow it), with the next ones while the first repeats a value. Ids and
    /// `summary.md` name lead keys only.
    pub lead: bool,
}

impl Case {
    /// Whether `filter` selects this case: every comma-separated term must be the id, its hash,
    /// or a `key=value` pair of the case (the key short or in full; the value as in the id).
    pub fn matches(&self, filter: &str) -> bool {
        // An id holds commas itself.
        if filter.trim() == self.id {
            return true;
        }
        filter
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .all(|term| {
                term == self.id
                    || self.id.rsplit('-').next() == Some(term)
                    || self.params.iter().any(|p| {
                        let v = id_value(&p.value);
                        term == format!("{}={v}", p.short) || term == format!("{}={v}", p.key)
                    })
            })
    }
}

impl SweepPlan {
    /// Reads the `[sweep]` table of a loaded scenario. `None` if the scenario has no sweep.
    /// Checks the table's shape (lists of values, equal lengths in a zip group, key paths);
    /// the cases themselves are checked by [`validate`](Self::validate).
    pub fn from_scenario(loaded: &LoadedScenario) -> Result<Option<SweepPlan>, ScenarioError> {
        let Some(sweep) = &loaded.scenario.sweep else {
            return Ok(None);
        };
        let file = loaded.path.as_path();
        let source = loaded.source.as_str();
        let map = SourceMap::parse(source).map_err(|e| {
            ScenarioError::at(
                file,
                &SourceMap::lines_only(source),
                e.span(),
                None,
                e.message(),
            )
        })?;
        let order = sweep_key_order(source);
        let mut errors = Vec::new();
        let mut axes = Vec::new();
        let mut err = |path: &str, message: String| {
            let span = map
                .find(path)
                .and_then(|f| f.key_span.or(f.value_span))
                .or(Some(0..0));
            errors.push(ScenarioError::at(
                file,
                &map,
                span,
                Some(path.to_owned()),
                message,
            ));
        };
        let mut grid_keys: Vec<&String> = sweep.keys().filter(|k| *k != "zip").collect();
        grid_keys.sort_by_key(|k| order.iter().position(|o| o == *k));
        for k in grid_keys {
            match read_key(&map, &format!("sweep.{k}"), k, &sweep[k.as_str()]) {
                Ok(key) => {
                    let len = key.values.len();
                    axes.push(Axis::new(vec![key], len));
                }
                Err(m) => err(&format!("sweep.{k}"), m),
            }
        }
        match sweep.get("zip") {
            None => {}
            Some(Value::Array(groups)) => {
                for (g, group) in groups.iter().enumerate() {
                    let at = format!("sweep.zip[{g}]");
                    let Value::Table(t) = group else {
                        err(&at, format!("`{at}` must be a table of key = [values]"));
                        continue;
                    };
                    let order = zip_key_order(source, g);
                    let mut names: Vec<&String> = t.keys().collect();
                    names.sort_by_key(|k| order.iter().position(|o| o == *k));
                    let mut keys = Vec::new();
                    for k in names {
                        match read_key(&map, &format!("{at}.{k}"), k, &t[k.as_str()]) {
                            Ok(key) => keys.push(key),
                            Err(m) => err(&format!("{at}.{k}"), m),
                        }
                    }
                    let Some(len) = keys.first().map(|k| k.values.len()) else {
                        if t.is_empty() {
                            err(
                                &at,
                                format!(
                                    "`{at}` has no keys: give two or more keys whose lists of values vary together"
                                ),
                            );
                        }
                        continue;
                    };
                    if let Some(odd) = keys.iter().find(|k| k.values.len() != len) {
                        err(
                            &format!("{at}.{}", odd.path),
                            format!(
                                "`{}` has {} values but `{}` has {len}: the lists in one [[sweep.zip]] vary together, so they need the same length",
                                odd.path,
                                odd.values.len(),
                                keys[0].path
                            ),
                        );
                        continue;
                    }
                    axes.push(Axis::new(keys, len));
                }
            }
            Some(_) => err(
                "sweep.zip",
                "`sweep.zip` must be an array of tables: write each group as [[sweep.zip]]".into(),
            ),
        }
        // One key in one place only.
        let mut seen = HashSet::new();
        for key in axes.iter().flat_map(|a| &a.keys) {
            if !seen.insert(key.path.clone()) {
                errors.push(ScenarioError::at(
                    file,
                    &map,
                    key.key_span.clone().or(Some(0..0)),
                    Some(key.path.clone()),
                    format!("`{}` is swept twice: give each key one list", key.path),
                ));
            }
        }
        if axes.is_empty() && errors.is_empty() {
            let span = map.find("sweep").and_then(|f| f.value_span.or(f.key_span));
            errors.push(ScenarioError::at(
                file,
                &map,
                span,
                Some("sweep".into()),
                "`[sweep]` has no keys: give at least one scenario key with a list of values, \
                 e.g. \"controller.settings.expression.vacuum_mmhg\" = [150, 190, 230]",
            ));
        }
        if let Some(e) = ScenarioError::combine(errors) {
            return Err(e);
        }
        set_short_names(&mut axes);
        let mut total = 1usize;
        for a in &axes {
            total = total.saturating_mul(a.len);
        }
        if total > MAX_CASES {
            let span = map.find("sweep").and_then(|f| f.value_span.or(f.key_span));
            return Err(ScenarioError::at(
                file,
                &map,
                span,
                Some("sweep".into()),
                format!("`[sweep]` expands into {total} cases; at most {MAX_CASES} are allowed"),
            ));
        }
        let mut base: toml::Table = toml::from_str(source)
            .map_err(|e| ScenarioError::file(file, format!("cannot re-read the scenario: {e}")))?;
        base.remove("sweep");
        Ok(Some(SweepPlan {
            path: loaded.path.clone(),
            source: loaded.source.clone(),
            base,
            axes,
            total,
        }))
    }

    /// The scenario file.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Number of cases.
    pub fn len(&self) -> usize {
        self.total
    }

    /// True for a sweep without cases (never: a plan has at least one).
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The swept keys in column order: (full path, short name, a lead key of its axis).
    pub fn keys(&self) -> Vec<(String, String, bool)> {
        self.axes
            .iter()
            .flat_map(|a| a.keys.iter().enumerate().map(move |(i, k)| (a, i, k)))
            .map(|(a, i, k)| (k.path.clone(), k.short.clone(), i < a.leads))
            .collect()
    }

    /// The position in each axis of case `index`: the last axis varies fastest.
    fn picks(&self, index: usize) -> Vec<usize> {
        let mut rest = index;
        let mut picks = vec![0; self.axes.len()];
        for (i, a) in self.axes.iter().enumerate().rev() {
            picks[i] = rest % a.len;
            rest /= a.len;
        }
        picks
    }

    /// Case `index` (`< len()`).
    pub fn case(&self, index: usize) -> Case {
        let picks = self.picks(index);
        let params: Vec<Param> = self
            .axes
            .iter()
            .zip(&picks)
            .flat_map(|(a, &p)| {
                a.keys.iter().enumerate().map(move |(i, k)| Param {
                    key: k.path.clone(),
                    short: k.short.clone(),
                    value: k.values[p].to_string(),
                    lead: i < a.leads,
                })
            })
            .collect();
        Case {
            index,
            id: case_id(&params),
            params,
        }
    }

    /// Every case, in order.
    pub fn cases(&self) -> impl Iterator<Item = Case> + '_ {
        (0..self.total).map(|i| self.case(i))
    }

    /// The TOML text of a case: the scenario with the case's values set and no `[sweep]`.
    /// On error: the swept key that cannot be set, and why.
    pub fn case_source(&self, case: &Case) -> Result<String, (String, String)> {
        let mut doc = self.base.clone();
        for (a, pick) in self.axes.iter().zip(self.picks(case.index)) {
            for k in &a.keys {
                set_path(&mut doc, &k.segments, k.values[pick].clone())
                    .map_err(|m| (k.path.clone(), m))?;
            }
        }
        toml::to_string(&doc).map_err(|e| (String::new(), e.to_string()))
    }

    /// Loads case `case` through the scenario loader. The loaded scenario keeps the original
    /// file's path (so `cabi:` paths resolve as in the file); its source is the case's text.
    /// A problem is reported at the sweep value that caused it.
    pub fn load_case(&self, case: &Case) -> Result<LoadedScenario, ScenarioError> {
        let text = self.case_source(case).map_err(|(key, m)| {
            self.case_error(
                case,
                Some(&key),
                format!("not a key path of the scenario: {m}"),
            )
        })?;
        scenario::load_str(&self.path, &text).map_err(|e| {
            let mut all: Vec<ScenarioError> = e
                .all()
                .map(|p| self.case_error(case, p.key.as_deref(), p.message.clone()))
                .collect();
            all.dedup_by(|a, b| a.message == b.message);
            ScenarioError::combine(all).expect("at least one problem")
        })
    }

    /// Loads every case, before anything runs; all problems found, one per sweep value and
    /// problem (the first case it occurs in named, with how many more share it).
    pub fn validate(&self, cases: impl IntoIterator<Item = Case>) -> Result<(), ScenarioError> {
        let mut found: Vec<(ScenarioError, usize)> = Vec::new();
        for case in cases {
            if let Err(e) = self.load_case(&case) {
                for p in e.all() {
                    let same = |(f, _): &&mut (ScenarioError, usize)| {
                        f.line == p.line && f.column == p.column && f.key == p.key && {
                            // The same problem at the same value, in another case.
                            strip_case(&f.message) == strip_case(&p.message)
                        }
                    };
                    match found.iter_mut().find(|f| same(f)) {
                        Some(f) => f.1 += 1,
                        None => found.push((
                            ScenarioError {
                                also: Box::default(),
                                ..p.clone()
                            },
                            0,
                        )),
                    }
                }
            }
        }
        let errors = found
            .into_iter()
            .map(|(mut e, more)| {
                if more > 0 && !e.message.starts_with("[sweep] key") {
                    e.message.push_str(&format!(
                        " (and in {more} more case{})",
                        if more == 1 { "" } else { "s" }
                    ));
                }
                e
            })
            .collect();
        match ScenarioError::combine(errors) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// A problem of `case` (about scenario key `key`, when known), located at the sweep value
    /// responsible: the value of the swept key that is `key`, contains it or lies inside it;
    /// otherwise the `[sweep]` table.
    fn case_error(&self, case: &Case, key: Option<&str>, message: String) -> ScenarioError {
        let map = SourceMap::parse(&self.source).unwrap_or_else(|_| SourceMap::lines_only(""));
        let mut span = None;
        let mut sweep_key = None;
        if let Some(key) = key {
            let related = |p: &str| {
                key == p
                    || key.starts_with(&format!("{p}."))
                    || key.starts_with(&format!("{p}["))
                    || p.starts_with(&format!("{key}."))
                    || p.starts_with(&format!("{key}["))
            };
            for (a, pick) in self.axes.iter().zip(self.picks(case.index)) {
                if let Some(k) = a.keys.iter().find(|k| related(&k.path)) {
                    span = k.value_spans[pick].clone().or(k.key_span.clone());
                    sweep_key = Some(k.path.clone());
                    break;
                }
            }
        }
        // A key the scenario does not have is wrong in every case: report it once, at the key.
        if message.starts_with("unknown key") || message.starts_with("not a key path of") {
            let key_span = self
                .axes
                .iter()
                .flat_map(|a| &a.keys)
                .find(|k| Some(&k.path) == sweep_key.as_ref())
                .and_then(|k| k.key_span.clone());
            if let Some(k) = sweep_key.clone().filter(|_| key_span.is_some()) {
                return ScenarioError::at(
                    &self.path,
                    &map,
                    key_span,
                    Some(k.clone()),
                    format!("[sweep] key \"{k}\": {message}"),
                );
            }
        }
        let span = span.or_else(|| map.find("sweep").and_then(|f| f.value_span.or(f.key_span)));
        let params: Vec<String> = case
            .params
            .iter()
            .filter(|p| p.lead)
            .map(|p| format!("{}={}", p.short, p.value))
            .collect();
        ScenarioError::at(
            &self.path,
            &map,
            span,
            sweep_key.or(key.map(str::to_owned)),
            format!(
                "[sweep] case {} of {} ({}): {message}",
                case.index + 1,
                self.total,
                params.join(", ")
            ),
        )
    }
}

/// `[sweep] case 3 of 9 (...): MESSAGE` -> `MESSAGE`.
fn strip_case(message: &str) -> &str {
    message
        .strip_prefix("[sweep] case ")
        .and_then(|m| m.split_once("): "))
        .map_or(message, |(_, rest)| rest)
}

/// Reads one swept key: a non-empty array of values at `map_path` in the source.
fn read_key(map: &SourceMap, map_path: &str, path: &str, v: &Value) -> Result<SweepKey, String> {
    let segments = parse_path(path)?;
    if matches!(segments.first(), Some(Segment::Key(k)) if k == "sweep") {
        return Err(format!(
            "`{path}`: a sweep cannot sweep its own `[sweep]` table"
        ));
    }
    let Value::Array(values) = v else {
        return Err(format!(
            "`{path}` = {v}: expected a list of values to sweep, e.g. [150, 190, 230]"
        ));
    };
    if values.is_empty() {
        return Err(format!("`{path}` = []: give at least one value"));
    }
    let found = map.find(map_path);
    let value_spans = (0..values.len())
        .map(|i| {
            map.find(&format!("{map_path}[{i}]"))
                .and_then(|f| f.value_span)
        })
        .collect();
    Ok(SweepKey {
        path: path.to_owned(),
        segments,
        short: path.to_owned(),
        values: values.clone(),
        value_spans,
        key_span: found.and_then(|f| f.key_span.or(f.value_span)),
    })
}

/// `controller.settings.expression.vacuum_mmhg`, `events[1].at_s`, `checks[0].window_s[1]`.
fn parse_path(path: &str) -> Result<Vec<Segment>, String> {
    let bad = || {
        format!(
            "`{path}` is not a key path: write table and key names joined by `.`, array \
             elements as `[index]`, e.g. \"plant.left.tunnel_diameter_mm\" or \"checks[0].max\""
        )
    };
    let mut out = Vec::new();
    for part in path.split('.') {
        let (name, mut rest) = part.split_once('[').map_or((part, ""), |(n, r)| (n, r));
        let name_ok = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !name_ok {
            return Err(bad());
        }
        out.push(Segment::Key(name.to_owned()));
        while !rest.is_empty() {
            let (idx, after) = rest.split_once(']').ok_or_else(bad)?;
            out.push(Segment::Index(idx.parse().map_err(|_| bad())?));
            rest = match after {
                "" => "",
                a => a.strip_prefix('[').ok_or_else(bad)?,
            };
        }
    }
    Ok(out)
}

/// Sets `value` at `segments` in a TOML tree, creating tables on the way.
fn set_path(root: &mut toml::Table, segments: &[Segment], value: Value) -> Result<(), String> {
    let (Segment::Key(first), rest) = segments.split_first().ok_or("empty key path")? else {
        return Err("a key path starts with a key".into());
    };
    let mut cur = root
        .entry(first.clone())
        .or_insert_with(|| Value::Table(toml::Table::new()));
    let mut at = first.clone();
    for seg in rest {
        cur = match seg {
            Segment::Key(k) => match cur {
                Value::Table(t) => t
                    .entry(k.clone())
                    .or_insert_with(|| Value::Table(toml::Table::new())),
                other => {
                    return Err(format!(
                        "`{at}` is {}, not a table, so it has no key `{k}`",
                        kind(other)
                    ));
                }
            },
            Segment::Index(i) => match cur {
                Value::Array(a) => {
                    let n = a.len();
                    a.get_mut(*i).ok_or_else(|| {
                        format!("`{at}` has {n} element(s), so there is no `{at}[{i}]`")
                    })?
                }
                other => {
                    return Err(format!(
                        "`{at}` is {}, not an array, so it has no element [{i}]",
                        kind(other)
                    ));
                }
            },
        };
        at = match seg {
            Segment::Key(k) => format!("{at}.{k}"),
            Segment::Index(i) => format!("{at}[{i}]"),
        };
    }
    *cur = value;
    Ok(())
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a number",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date",
        Value::Array(_) => "an array",
        Value::Table(_) => "a table",
    }
}

/// Keys of the `[sweep]` table in file order (a `toml::Table` sorts them).
fn sweep_key_order(source: &str) -> Vec<String> {
    let Ok(doc) = toml_edit::Document::parse(source) else {
        return Vec::new();
    };
    doc.get("sweep")
        .and_then(|s| s.as_table_like())
        .map(|t| t.iter().map(|(k, _)| k.to_owned()).collect())
        .unwrap_or_default()
}

/// Keys of `[[sweep.zip]]` group `g` in file order.
fn zip_key_order(source: &str, g: usize) -> Vec<String> {
    let Ok(doc) = toml_edit::Document::parse(source) else {
        return Vec::new();
    };
    let group = doc
        .get("sweep")
        .and_then(|s| s.as_table_like())
        .and_then(|t| t.get("zip"));
    let table: Option<Vec<String>> = match group {
        Some(toml_edit::Item::ArrayOfTables(a)) => a
            .get(g)
            .map(|t| t.iter().map(|(k, _)| k.to_owned()).collect()),
        Some(toml_edit::Item::Value(toml_edit::Value::Array(a))) => a
            .get(g)
            .and_then(|v| v.as_inline_table())
            .map(|t| t.iter().map(|(k, _)| k.to_owned()).collect()),
        _ => None,
    };
    table.unwrap_or_default()
}

/// Each key's short name: the fewest trailing path parts that no other swept key ends with.
fn set_short_names(axes: &mut [Axis]) {
    let paths: Vec<String> = axes
        .iter()
        .flat_map(|a| &a.keys)
        .map(|k| k.path.clone())
        .collect();
    let parts = |p: &str| p.split('.').map(str::to_owned).collect::<Vec<_>>();
    for key in axes.iter_mut().flat_map(|a| &mut a.keys) {
        let mine = parts(&key.path);
        for n in 1..=mine.len() {
            let tail = mine[mine.len() - n..].join(".");
            let clash = paths
                .iter()
                .filter(|p| **p != key.path)
                .any(|p| p == &tail || p.ends_with(&format!(".{tail}")));
            if !clash {
                key.short = tail;
                break;
            }
        }
    }
}

/// A value as it appears in an id: strings without quotes; anything but `[A-Za-z0-9._+-]`
/// becomes `_`.
fn id_value(toml_value: &str) -> String {
    toml_value
        .trim_matches('"')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._+-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `short=value,...-HASH8` over the lead keys: the readable part is cut at 80 characters; the
/// hash of every full key path and value keeps ids apart.
fn case_id(params: &[Param]) -> String {
    let readable: Vec<String> = params
        .iter()
        .filter(|p| p.lead)
        .map(|p| format!("{}={}", p.short, id_value(&p.value)))
        .collect();
    let mut readable = readable.join(",");
    if readable.len() > 80 {
        let cut = (0..=80)
            .rev()
            .find(|&i| readable.is_char_boundary(i))
            .unwrap_or(0);
        readable.truncate(cut);
    }
    let canonical: String = params
        .iter()
        .map(|p| format!("{}={}\n", p.key, p.value))
        .collect();
    let hash = content_hash(canonical.as_bytes());
    let hex = hash.strip_prefix("fnv1a64:").unwrap_or(&hash);
    format!("{readable}-{}", &hex[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_paths_parse_with_indices() {
        assert_eq!(
            parse_path("checks[0].window_s[1]").unwrap(),
            vec![
                Segment::Key("checks".into()),
                Segment::Index(0),
                Segment::Key("window_s".into()),
                Segment::Index(1)
            ]
        );
        for bad in ["", "a..b", "a[x]", "a[1", "a b", "a[1]x"] {
            assert!(parse_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ids_are_readable_and_hash_the_full_keys() {
        let p = |key: &str, short: &str, value: &str| Param {
            key: key.into(),
            short: short.into(),
            value: value.into(),
            lead: true,
        };
        let id = case_id(&[
            p(
                "controller.settings.expression.vacuum_mmhg",
                "vacuum_mmhg",
                "150",
            ),
            p(
                "controller.settings.program.start_phase",
                "start_phase",
                "\"expression\"",
            ),
        ]);
        assert!(
            id.starts_with("vacuum_mmhg=150,start_phase=expression-"),
            "{id}"
        );
        assert_eq!(
            id.len(),
            "vacuum_mmhg=150,start_phase=expression-".len() + 8
        );
        // Another key with the same short name and value gives another id.
        let other = case_id(&[
            p(
                "controller.settings.stimulation.vacuum_mmhg",
                "vacuum_mmhg",
                "150",
            ),
            p(
                "controller.settings.program.start_phase",
                "start_phase",
                "\"expression\"",
            ),
        ]);
        assert_ne!(id, other);
    }

    fn plan(sweep: &str) -> SweepPlan {
        let text = format!(
            "name = \"p\"\nduration_s = 1.0\n[plant.kit]\nshields = 2\n\
             [[checks]]\nname = \"c\"\nmetric = \"max_vacuum\"\nat = \"sensor_port\"\nmax = 300.0\nunit = \"mmHg\"\n{sweep}"
        );
        let loaded = scenario::load_str(std::path::Path::new("p.toml"), &text).unwrap();
        SweepPlan::from_scenario(&loaded).unwrap().unwrap()
    }

    /// A zip group whose first key repeats a value is named by as many of its keys as tell its
    /// entries apart, so ids and `summary.md` never show two cases alike.
    #[test]
    fn a_zip_whose_first_key_repeats_leads_with_the_keys_that_tell_it_apart() {
        let p = plan(
            "[[sweep.zip]]\n\"plant.kit.shields\" = [2, 1, 1]\n\"plant.left.tunnel_diameter_mm\" = [24.0, 24.0, 27.0]\n\
             \"checks[0].max\" = [250.0, 260.0, 270.0]\n",
        );
        let leads: Vec<bool> = p.keys().iter().map(|k| k.2).collect();
        assert_eq!(leads, [true, true, false]);
        let ids: Vec<String> = p.cases().map(|c| c.id).collect();
        assert!(
            ids[0].starts_with("shields=2,tunnel_diameter_mm=24.0-"),
            "{ids:?}"
        );
        assert!(
            ids[1].starts_with("shields=1,tunnel_diameter_mm=24.0-"),
            "{ids:?}"
        );
        assert!(
            ids[2].starts_with("shields=1,tunnel_diameter_mm=27.0-"),
            "{ids:?}"
        );
        // A first key with distinct values leads alone, as before.
        let p = plan("[[sweep.zip]]\n\"seed\" = [1, 2]\n\"checks[0].max\" = [250.0, 250.0]\n");
        assert_eq!(
            p.keys().iter().map(|k| k.2).collect::<Vec<_>>(),
            [true, false]
        );
    }

    #[test]
    fn cases_are_the_grid_in_file_order_with_the_last_axis_fastest() {
        let p = plan(
            "[sweep]\n\"seed\" = [1, 2]\n\"plant.left.tunnel_diameter_mm\" = [21.0, 24.0, 27.0]\n\
             [[sweep.zip]]\n\"plant.right.tunnel_diameter_mm\" = [24.0, 30.0]\n\"checks[0].max\" = [250.0, 260.0]\n",
        );
        assert_eq!(p.len(), 2 * 3 * 2);
        let values = |i: usize| -> Vec<String> {
            p.case(i).params.iter().map(|q| q.value.clone()).collect()
        };
        assert_eq!(values(0), ["1", "21.0", "24.0", "250.0"]);
        assert_eq!(
            values(1),
            ["1", "21.0", "30.0", "260.0"],
            "the zip group moves together, fastest"
        );
        assert_eq!(values(2), ["1", "24.0", "24.0", "250.0"]);
        assert_eq!(values(11), ["2", "27.0", "30.0", "260.0"]);
        // Short names tell left and right apart; the zip's second key does not lead.
        let keys = p.keys();
        assert_eq!(keys[1].1, "left.tunnel_diameter_mm");
        assert_eq!(keys[2].1, "right.tunnel_diameter_mm");
        assert_eq!(
            keys.iter().map(|k| k.2).collect::<Vec<_>>(),
            [true, true, true, false]
        );
        let c = p.case(1);
        assert!(
            c.id.starts_with("seed=1,left.tunnel_diameter_mm=21.0,right.tunnel_diameter_mm=30.0-"),
            "{}",
            c.id
        );
        // Every id differs, and the case's scenario has its values and no sweep.
        let ids: HashSet<String> = p.cases().map(|c| c.id).collect();
        assert_eq!(ids.len(), 12);
        let l = p.load_case(&c).unwrap();
        assert_eq!(l.scenario.plant.right.tunnel_diameter_mm, 30.0);
        assert_eq!(l.scenario.checks[0].max, Some(260.0));
        assert!(l.scenario.sweep.is_none());
        assert_eq!(
            l.path,
            std::path::Path::new("p.toml"),
            "cabi: paths resolve from the file"
        );
    }

    #[test]
    fn filters_match_whole_key_value_terms() {
        let p = plan(
            "[sweep]\n\"controller.settings.expression.vacuum_mmhg\" = [150, 190]\n\"seed\" = [1, 15]\n",
        );
        let c = p.case(1); // vacuum 150, seed 15
        assert!(c.matches("vacuum_mmhg=150"));
        assert!(c.matches("seed=15,vacuum_mmhg=150"));
        assert!(c.matches("controller.settings.expression.vacuum_mmhg=150"));
        assert!(c.matches(&c.id));
        assert!(
            c.matches(c.id.rsplit('-').next().unwrap()),
            "the hash alone"
        );
        assert!(!c.matches("seed=1"), "not a prefix match");
        assert!(!c.matches("seed=15,vacuum_mmhg=190"));
    }

    #[test]
    fn every_case_is_in_exactly_one_shard() {
        use super::super::select::{Shard, select};
        let p = plan("[sweep]\n\"seed\" = [1, 2, 3, 4, 5, 6, 7]\n");
        for n in 1..=8 {
            let mut seen = vec![0; p.len()];
            for k in 1..=n {
                for c in select(&p, Some(Shard { k, n }), &[]) {
                    seen[c.index] += 1;
                }
            }
            assert!(seen.iter().all(|&s| s == 1), "{n} shards: {seen:?}");
        }
        assert!("0/2".parse::<Shard>().is_err());
        assert!("3/2".parse::<Shard>().is_err());
        assert!("1-2".parse::<Shard>().is_err());
        assert_eq!("2/3".parse::<Shard>().unwrap(), Shard { k: 2, n: 3 });
    }
}
