//! `pumprig report DIR`: one self-contained HTML page for design review, from what a run, a sweep
//! or a comparison wrote — the plots inlined as SVG, the style inline, no script and nothing
//! fetched, printable to PDF on A4 (figures and table rows never split across pages).
//!
//! - a run directory (`record.json`): scenario, controller identity and build id, run settings,
//!   the checks table, every plot, link health, and `baseline.json`'s comparison with its overlay
//!   plots when a `[baseline]` wrote one;
//! - a course directory (`course.json`): the course checks, the course plots and the daily table;
//! - a sweep directory (`sweep.json`): counts, the sweep plots, the summary table (from
//!   `cases.jsonl`, streamed) and every failing case's checks;
//! - a `pumprig compare` directory (`compare.html` or `compare.md`, and its SVGs).
//!
//! The page is written beside the inputs (`DIR/report.html`) or where `--out` says, atomically.

mod compare;
mod course;
mod html;
mod run;
mod sweep;

use std::path::{Path, PathBuf};

pub use html::inline_svg;

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// DIR is not something a report can be made of (bad input).
    #[error("{}: {message}", path.display())]
    NotReportable { path: PathBuf, message: String },
    /// An input file could not be read (bad input).
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// An input file is not what its name says (bad input).
    #[error("{}: {message}", path.display())]
    BadFile { path: PathBuf, message: String },
    /// Writing the page failed.
    #[error("writing {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl ReportError {
    /// Bad input (exit code 2), as opposed to a failure writing the page (1).
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, ReportError::Write { .. })
    }
}

/// What kind of directory a report is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Run,
    Course,
    Sweep,
    Compare,
}

/// Which kind of directory `dir` is, by the files in it.
pub fn detect(dir: &Path) -> Result<Kind, ReportError> {
    let not = |message: &str| ReportError::NotReportable {
        path: dir.to_path_buf(),
        message: message.to_owned(),
    };
    if !dir.exists() {
        return Err(not("no such directory"));
    }
    if !dir.is_dir() {
        return Err(not("not a directory"));
    }
    if dir.join("sweep.json").is_file() {
        Ok(Kind::Sweep)
    } else if dir.join("record.json").is_file() {
        Ok(Kind::Run)
    } else if dir.join("course.json").is_file() {
        Ok(Kind::Course)
    } else if dir.join("compare.html").is_file() || dir.join("compare.md").is_file() {
        Ok(Kind::Compare)
    } else {
        Err(not(
            "not a run, course, sweep or compare directory (no record.json, course.json, \
             sweep.json, compare.html or compare.md in it)",
        ))
    }
}

/// The page for `dir`, as text.
pub fn render(dir: &Path) -> Result<String, ReportError> {
    match detect(dir)? {
        Kind::Run => run::page(dir),
        Kind::Course => course::page(dir),
        Kind::Sweep => sweep::page(dir),
        Kind::Compare => compare::page(dir),
    }
}

/// Renders the page for `dir` and writes it to `out` (default `DIR/report.html`), through a
/// temporary file renamed into place, so a reader never sees half a page. Returns the path.
pub fn write(dir: &Path, out: Option<&Path>) -> Result<PathBuf, ReportError> {
    let page = render(dir)?;
    let out = out.map_or_else(|| dir.join("report.html"), Path::to_path_buf);
    let write_err = |source| ReportError::Write {
        path: out.clone(),
        source,
    };
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(write_err)?;
    }
    let name = out
        .file_name()
        .ok_or_else(|| {
            write_err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "--out must name a file",
            ))
        })?
        .to_string_lossy()
        .into_owned();
    let temp = out.with_file_name(format!(".{name}.partial-{}", std::process::id()));
    std::fs::write(&temp, page)
        .and_then(|()| std::fs::rename(&temp, &out))
        .map_err(|e| {
            let _ = std::fs::remove_file(&temp);
            write_err(e)
        })?;
    Ok(out)
}

/// Reads and parses a JSON file; a parse error names the file, line and column.
fn read_json(path: &Path) -> Result<serde_json::Value, ReportError> {
    let text = std::fs::read_to_string(path).map_err(|source| ReportError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| ReportError::BadFile {
        path: path.to_path_buf(),
        message: format!("not valid JSON: {e}"),
    })
}

/// A number as the summaries show it (about four significant digits).
fn num(x: f64) -> String {
    crate::output::summary::md_num(x)
}

/// A JSON value as table text: numbers as [`num`], strings bare, arrays and objects compact.
fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "—".into(),
        serde_json::Value::Bool(b) => b.to_string(),
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) => num(f),
            _ => n.to_string(),
        },
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(a) if a.iter().all(|x| !x.is_object() && !x.is_array()) => {
            format!(
                "[{}]",
                a.iter().map(value_text).collect::<Vec<_>>().join(", ")
            )
        }
        other => other.to_string(),
    }
}

/// The leaves of a JSON object as `a.b.c` = value rows, keys sorted (serde_json's map order).
fn flatten(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        _ => out.push((prefix.to_owned(), value_text(v))),
    }
}

/// The `.svg` files in `dir`, sorted by name.
fn svgs_in(dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let entries = std::fs::read_dir(dir).map_err(|source| ReportError::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut out: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "svg") && p.is_file())
        .collect();
    out.sort();
    Ok(out)
}

/// "generated by pumprig x.y.z from DIR".
fn footer(dir: &Path) -> String {
    format!(
        "pumprig {} report of {} — self-contained: no scripts, no external resources.",
        env!("CARGO_PKG_VERSION"),
        dir.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_flatten_to_dotted_keys() {
        let v: serde_json::Value = serde_json::from_str(
            r#"{"a": {"b": 1.23456789, "c": [1, 2]}, "d": "x", "e": null, "f": true}"#,
        )
        .unwrap();
        let mut rows = Vec::new();
        flatten("", &v, &mut rows);
        assert_eq!(
            rows,
            [
                ("a.b".to_owned(), "1.235".to_owned()),
                ("a.c".into(), "[1, 2]".into()),
                ("d".into(), "x".into()),
                ("e".into(), "—".into()),
                ("f".into(), "true".into()),
            ]
        );
    }

    #[test]
    fn a_directory_that_is_none_of_the_kinds_is_refused_naming_it() {
        let dir = std::env::temp_dir().join(format!("pumprig-report-kind-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let e = detect(&dir).unwrap_err();
        assert!(e.is_bad_input());
        assert!(
            e.to_string()
                .contains("not a run, course, sweep or compare directory")
        );
        assert!(
            detect(&dir.join("missing"))
                .unwrap_err()
                .to_string()
                .contains("no such directory")
        );
        std::fs::write(dir.join("record.json"), "{").unwrap();
        assert_eq!(detect(&dir).unwrap(), Kind::Run);
        let e = render(&dir).unwrap_err();
        assert!(e.is_bad_input());
        assert!(e.to_string().contains("record.json: not valid JSON"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
