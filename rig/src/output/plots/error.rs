//! What can go wrong between a `timeseries.csv` and its plots; every message names the file and,
//! for bad data, the line and column.

use std::path::PathBuf;

/// Reading a time series or drawing its plots failed.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// The file could not be opened or read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The CSV structure is broken (wrong number of fields, invalid UTF-8, missing header).
    #[error("{}: line {line}: {message}", path.display())]
    Csv {
        path: PathBuf,
        /// 1-based line in the file (the header is line 1).
        line: u64,
        message: String,
    },
    /// A field is not a number.
    #[error(
        "{}: line {line} (data row {row}), column `{column}`: cannot read {value:?} as a number",
        path.display()
    )]
    Number {
        path: PathBuf,
        /// 1-based line in the file (the header is line 1).
        line: u64,
        /// 1-based data row (the first row after the header is row 1).
        row: u64,
        column: String,
        value: String,
    },
    /// A column a plot needs is not in the series.
    #[error(
        "{origin} has no column `{column}` (needed for {needed_for}); columns present: {present}"
    )]
    MissingColumn {
        /// Where the series came from (the CSV path, or a caller's label).
        origin: String,
        column: String,
        needed_for: &'static str,
        present: String,
    },
    /// `time_s` must not decrease from one row to the next (and must be finite).
    #[error(
        "{origin}: time_s is {value} at data row {row}, after {previous}: time must be finite and non-decreasing"
    )]
    TimeNotIncreasing {
        origin: String,
        /// 1-based data row.
        row: usize,
        value: f64,
        previous: f64,
    },
    /// Nothing to plot.
    #[error("{origin} has no data rows to plot")]
    Empty { origin: String },
    /// Columns given to [`TimeSeries::from_columns`](super::TimeSeries::from_columns) differ in length.
    #[error("column `{column}` has {len} values, `{first}` has {expected}")]
    RaggedColumns {
        column: String,
        len: usize,
        first: String,
        expected: usize,
    },
    /// The zoom window does not overlap the run.
    #[error(
        "zoom window {start} s..{end} s does not overlap the run's time span {first} s..{last} s"
    )]
    ZoomWindow {
        start: f64,
        end: f64,
        first: f64,
        last: f64,
    },
    /// The embedded DejaVu Sans font could not be registered with plotters.
    #[error("cannot register the embedded DejaVu Sans font with plotters")]
    Font,
    /// Drawing or encoding a plot file failed.
    #[error("cannot draw {}: {message}", path.display())]
    Draw { path: PathBuf, message: String },
}
