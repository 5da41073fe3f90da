//! `pumprig compare RUN... [--out DIR] [--signals a,b,c] [--align time|cycle]`: the same signals
//! from several runs (firmware versions, settings) on one plot each, labelled by run and
//! controller, aligned in time or cycle by cycle ([`align`]), and a table of every metric and
//! check of their `record.json` with the differences from the first run (`compare.md`,
//! `compare.html`). Runs of different length or sample rate are drawn over the span they all
//! cover, each at its own samples; the tables say so.

mod align;
mod table;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::baseline::column_unit;
use crate::exit_code;
use crate::output::plots::TimeSeries;
use crate::output::plots::overlay::{RunCurve, RunsOverlay, write_runs_overlay};
use crate::output::run_dir::StagedDir;

pub use align::{cycle_starts, onto_reference};

/// How runs are laid over each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Align {
    /// Each run at its own time stamps.
    Time,
    /// Cycle k of every run starts where cycle k of the first run starts (a cycle starts when the
    /// release valve closes).
    Cycle,
}

/// `pumprig compare`'s arguments.
#[derive(Clone, Debug, clap::Args)]
pub struct CompareArgs {
    /// Run directories (each with record.json and timeseries.csv); the first is the reference
    /// the differences are taken from.
    #[arg(required = true)]
    pub runs: Vec<PathBuf>,
    /// Output directory [default: results/compare]. Replaced as a whole when complete.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Columns of timeseries.csv to overlay, comma-separated [default: the nipple vacuum(s),
    /// sensor_reading_mmhg, motor_duty_pct, valve_open].
    #[arg(long, value_name = "A,B,C", value_delimiter = ',')]
    pub signals: Vec<String>,
    /// Lay runs over each other in time, or cycle by cycle (cycles start when the valve closes).
    #[arg(long, value_enum, default_value_t = Align::Time)]
    pub align: Align,
}

/// Signals overlaid when `--signals` is not given (those a run lacks, such as the right nipple
/// with one shield, are left out).
pub const DEFAULT_SIGNALS: [&str; 5] = [
    "vacuum_left_nipple_mmhg",
    "vacuum_right_nipple_mmhg",
    "sensor_reading_mmhg",
    "motor_duty_pct",
    "valve_open",
];

/// Discrete signals, drawn as staircases.
const DISCRETE: [&str; 3] = ["valve_open", "controller_state", "milk_ejections"];

/// One run directory, read.
pub struct Run {
    /// Short label: the directory's name (its path when two runs share a name).
    pub name: String,
    pub dir: PathBuf,
    pub scenario: String,
    /// `name version (adapter)`.
    pub controller: String,
    pub build_id: String,
    pub seed: String,
    pub passed: bool,
    pub metrics: BTreeMap<String, f64>,
    /// `(name, value, pass)` per check, in record order.
    pub checks: Vec<(String, Option<f64>, bool)>,
    pub series: TimeSeries,
    pub rows: usize,
    pub span_s: (f64, f64),
    pub sample_rate_hz: f64,
}

/// Why a comparison could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    /// A run directory or an option is wrong: bad input, nothing written.
    #[error("{}: {reason}", path.display())]
    BadInput { path: PathBuf, reason: String },
    #[error("{0}")]
    Usage(String),
    #[error("writing {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("plotting: {0}")]
    Plot(#[from] crate::output::plots::PlotError),
}

impl CompareError {
    pub fn is_bad_input(&self) -> bool {
        matches!(self, CompareError::BadInput { .. } | CompareError::Usage(_))
    }
}

/// What a comparison wrote.
pub struct Compared {
    pub dir: PathBuf,
    pub signals: Vec<String>,
    pub notes: Vec<String>,
}

/// Reads a run directory: `record.json` and `timeseries.csv`.
pub fn read_run(dir: &Path) -> Result<Run, CompareError> {
    let bad = |reason: String| CompareError::BadInput {
        path: dir.to_path_buf(),
        reason,
    };
    if !dir.is_dir() {
        return Err(bad("is not a run directory (no such directory)".into()));
    }
    let record_path = dir.join("record.json");
    let text = std::fs::read_to_string(&record_path).map_err(|e| {
        bad(format!(
            "is not a run directory: cannot read record.json: {e}"
        ))
    })?;
    let record: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| bad(format!("record.json is not a pumprig record: {e}")))?;
    let csv = dir.join("timeseries.csv");
    if !csv.is_file() {
        return Err(bad(
            "has no timeseries.csv (a sweep case writes it with --timeseries)".into(),
        ));
    }
    let series = TimeSeries::read_csv(&csv).map_err(|e| bad(e.to_string()))?;
    let time = series
        .column("time_s")
        .ok_or_else(|| bad("timeseries.csv has no `time_s` column".into()))?;
    let (Some(&first), Some(&last)) = (time.first(), time.last()) else {
        return Err(bad("timeseries.csv has no data rows".into()));
    };
    let sample_rate_hz = if time.len() > 1 && last > first {
        ((time.len() - 1) as f64 / (last - first) * 1000.0).round() / 1000.0
    } else {
        0.0
    };
    let c = record.get("controller");
    let text_of = |v: Option<&serde_json::Value>, k: &str| {
        v.and_then(|v| v.get(k))
            .and_then(|v| v.as_str())
            .unwrap_or("?")
            .to_owned()
    };
    let metrics = record
        .get("metrics")
        .and_then(|m| m.as_object())
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_f64().map(|v| (k.clone(), v)))
                .collect()
        })
        .unwrap_or_default();
    let checks = record
        .get("checks")
        .and_then(|c| c.as_array())
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    (
                        text_of(Some(c), "name"),
                        c.get("value").and_then(|v| v.as_f64()),
                        c.get("pass").and_then(|v| v.as_bool()).unwrap_or(false),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Run {
        name: dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| dir.display().to_string()),
        dir: dir.to_path_buf(),
        scenario: text_of(record.get("resolved"), "name"),
        controller: format!(
            "{} {} ({})",
            text_of(c, "name"),
            text_of(c, "version"),
            text_of(c, "adapter")
        ),
        build_id: text_of(c, "build_id"),
        seed: record.get("seed").map_or("?".to_owned(), |s| s.to_string()),
        passed: record
            .get("passed")
            .and_then(|p| p.as_bool())
            .unwrap_or(false),
        metrics,
        checks,
        rows: series.len(),
        series,
        span_s: (first, last),
        sample_rate_hz,
    })
}

/// Compares the runs at `args.runs` into `args.out` (default `results/compare`).
pub fn compare(args: &CompareArgs) -> Result<Compared, CompareError> {
    let mut runs = args
        .runs
        .iter()
        .map(|d| read_run(d))
        .collect::<Result<Vec<_>, _>>()?;
    // Two runs of the same name (a/quickstart, b/quickstart) are told apart by their paths.
    let names: Vec<String> = runs.iter().map(|r| r.name.clone()).collect();
    for r in &mut runs {
        if names.iter().filter(|n| **n == r.name).count() > 1 {
            r.name = r.dir.display().to_string();
        }
    }
    let signals: Vec<String> = if args.signals.is_empty() {
        DEFAULT_SIGNALS
            .iter()
            .filter(|s| runs.iter().all(|r| r.series.column(s).is_some()))
            .map(|s| (*s).to_owned())
            .collect()
    } else {
        for s in &args.signals {
            for r in &runs {
                if s == "time_s" || r.series.column(s).is_none() {
                    let known: Vec<&str> =
                        r.series.column_names().filter(|c| *c != "time_s").collect();
                    return Err(CompareError::BadInput {
                        path: r.dir.clone(),
                        reason: format!(
                            "--signals {s}: not a column of its timeseries.csv; the columns are: {}",
                            known.join(", ")
                        ),
                    });
                }
            }
        }
        args.signals.clone()
    };
    let mut notes = Vec::new();
    let start = runs
        .iter()
        .map(|r| r.span_s.0)
        .fold(f64::NEG_INFINITY, f64::max);
    let end = runs
        .iter()
        .map(|r| r.span_s.1)
        .fold(f64::INFINITY, f64::min);
    if start >= end {
        return Err(CompareError::Usage(format!(
            "the runs share no time span: {}",
            runs.iter()
                .map(|r| format!("{} {:.2}–{:.2} s", r.name, r.span_s.0, r.span_s.1))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    if runs.iter().any(|r| r.span_s != runs[0].span_s) {
        notes.push(format!(
            "The runs cover different spans: the overlays show the span all of them cover, \
             {start:.2}–{end:.2} s; the metrics are each run's own, over its whole run."
        ));
    }
    if runs
        .iter()
        .any(|r| r.sample_rate_hz != runs[0].sample_rate_hz)
    {
        notes.push(
            "The runs were recorded at different sample rates: each is drawn at its own samples."
                .into(),
        );
    }

    // Cycle alignment: every run's samples moved onto the first run's cycles.
    let aligned: Vec<(Vec<f64>, Vec<usize>)> = match args.align {
        Align::Time => Vec::new(),
        Align::Cycle => {
            let starts: Vec<Vec<f64>> = runs
                .iter()
                .map(|r| {
                    let t = r.series.column("time_s").unwrap_or_default();
                    let v = r.series.column("valve_open").unwrap_or_default();
                    cycle_starts(t, v)
                        .into_iter()
                        .filter(|&c| c >= start && c <= end)
                        .collect()
                })
                .collect();
            for (r, s) in runs.iter().zip(&starts) {
                if r.series.column("valve_open").is_none() || s.is_empty() {
                    return Err(CompareError::BadInput {
                        path: r.dir.clone(),
                        reason: "--align cycle: no pump cycle in the common span (cycles start \
                                 when valve_open goes from 1 to 0); use --align time"
                            .into(),
                    });
                }
            }
            notes.push(format!(
                "Aligned cycle by cycle: cycle k of every run is drawn from where cycle k of {} \
                 starts (a cycle starts when the release valve closes); cycles: {}.",
                runs[0].name,
                runs.iter()
                    .zip(&starts)
                    .map(|(r, s)| format!("{} {}", r.name, s.len()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            runs.iter()
                .zip(&starts)
                .map(|(r, s)| {
                    let t = r.series.column("time_s").unwrap_or_default();
                    onto_reference(t, s, &starts[0])
                })
                .collect()
        }
    };

    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results/compare"));
    let stage = StagedDir::create(&out).map_err(|e| CompareError::BadInput {
        path: out.clone(),
        reason: e.to_string(),
    })?;
    let io = |path: PathBuf| move |source| CompareError::Io { path, source };
    let mut plots = Vec::new();
    // A few cycles up close: 5 s two thirds into the common span, as a run's own zoom plot.
    let zoom = {
        let (a, b) = crate::session::default_zoom(end - start);
        (start + a, start + b)
    };
    let title_runs = runs
        .iter()
        .map(|r| r.name.as_str())
        .collect::<Vec<_>>()
        .join(" vs ");
    for signal in &signals {
        // Per run: the aligned (or own) times and the values at the samples kept.
        let mut owned: Vec<(Vec<f64>, Vec<f64>)> = Vec::new();
        for (i, r) in runs.iter().enumerate() {
            let t = r.series.column("time_s").unwrap_or_default();
            let y = r.series.column(signal).unwrap_or_default();
            owned.push(match aligned.get(i) {
                Some((x, kept)) => (x.clone(), kept.iter().map(|&k| y[k]).collect()),
                None => (t.to_vec(), y.to_vec()),
            });
        }
        let curves = runs
            .iter()
            .zip(&owned)
            .map(|(r, (t, y))| RunCurve {
                label: format!("{} — {}", r.name, r.controller),
                time_s: t,
                value: y,
            })
            .collect();
        let unit = column_unit(signal);
        let overlay = RunsOverlay {
            title: format!("{signal} — {title_runs}"),
            subtitle: match args.align {
                Align::Time => format!("aligned in time, {start:.2}–{end:.2} s"),
                Align::Cycle => format!(
                    "aligned cycle by cycle on {}'s cycles (valve closing)",
                    runs[0].name
                ),
            },
            y_desc: if unit.is_empty() {
                signal.clone()
            } else {
                format!("{signal} [{unit}]")
            },
            x_desc: match args.align {
                Align::Time => "time [s]".into(),
                Align::Cycle => format!("time on {}'s cycles [s]", runs[0].name),
            },
            window_s: (start, end),
            zoom_s: Some(zoom),
            hold: DISCRETE.contains(&signal.as_str()),
            curves,
        };
        let stem = format!("compare-{signal}");
        let [_, svg] = write_runs_overlay(&overlay, stage.path(), &stem)?;
        let text = std::fs::read_to_string(&svg).map_err(io(svg.clone()))?;
        plots.push((signal.clone(), format!("{stem}.svg"), text));
    }
    let tables = table::Tables {
        runs: &runs,
        notes: &notes,
        plots: &plots,
    };
    let md = stage.path().join("compare.md");
    std::fs::write(&md, tables.markdown()).map_err(io(md))?;
    let html = stage.path().join("compare.html");
    std::fs::write(&html, tables.html()).map_err(io(html))?;
    let dir = stage.commit().map_err(io(out))?;
    Ok(Compared {
        dir,
        signals,
        notes,
    })
}

/// `pumprig compare`: compares, prints what was written, returns the exit code.
pub fn command(args: &CompareArgs) -> i32 {
    match compare(args) {
        Ok(done) => {
            for n in &done.notes {
                println!("note: {n}");
            }
            println!(
                "compared {} run(s) on {} signal(s) ({}); wrote {}",
                args.runs.len(),
                done.signals.len(),
                done.signals.join(", "),
                done.dir.display()
            );
            exit_code::OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            if e.is_bad_input() {
                exit_code::BAD_INPUT
            } else {
                exit_code::FAILED
            }
        }
    }
}
