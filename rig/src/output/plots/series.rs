//! A run's `timeseries.csv` held in memory as named `f64` columns, looked up by name so columns
//! added later or absent (the right nipple for a single shield) do not break the plots.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use super::PlotError;

/// Columns of a time series by name, all of the same length.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeSeries {
    origin: String,
    names: Vec<String>,
    columns: Vec<Vec<f64>>,
}

impl TimeSeries {
    /// Reads a CSV file with a header row of column names and numeric fields (`nan` and `inf`
    /// are accepted; empty fields are not). Errors name the file, the line and the column.
    pub fn read_csv(path: &Path) -> Result<Self, PlotError> {
        Self::read_csv_filtered(path, |_| true)
    }

    /// [`read_csv`](Self::read_csv), keeping only the columns named in `keep` (in file order;
    /// the others are not parsed, which makes reading a few signals of a long run cheap).
    pub fn read_csv_columns(path: &Path, keep: &[&str]) -> Result<Self, PlotError> {
        Self::read_csv_filtered(path, |name| keep.contains(&name))
    }

    fn read_csv_filtered(path: &Path, keep: impl Fn(&str) -> bool) -> Result<Self, PlotError> {
        let file = File::open(path).map_err(|source| PlotError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .trim(csv::Trim::All)
            .from_reader(BufReader::with_capacity(1 << 16, file));
        let csv_error = |e: csv::Error| csv_error(path, e);

        let all: Vec<String> = reader
            .headers()
            .map_err(csv_error)?
            .iter()
            .map(str::to_owned)
            .collect();
        if all.iter().all(String::is_empty) {
            return Err(PlotError::Csv {
                path: path.to_path_buf(),
                line: 1,
                message: "no header row of column names".to_owned(),
            });
        }
        let kept: Vec<usize> = (0..all.len()).filter(|&i| keep(&all[i])).collect();
        let names: Vec<String> = kept.iter().map(|&i| all[i].clone()).collect();
        let mut columns: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
        let mut record = csv::StringRecord::new();
        let mut row = 0u64;
        while reader.read_record(&mut record).map_err(csv_error)? {
            row += 1;
            let fields = kept.iter().map(|&i| record.get(i).unwrap_or_default());
            for ((field, column), name) in fields.zip(&mut columns).zip(&names) {
                let value = field.parse::<f64>().map_err(|_| PlotError::Number {
                    path: path.to_path_buf(),
                    line: record.position().map_or(row + 1, csv::Position::line),
                    row,
                    column: name.clone(),
                    value: field.to_owned(),
                })?;
                column.push(value);
            }
        }
        Ok(Self {
            origin: path.display().to_string(),
            names,
            columns,
        })
    }

    /// Builds a series from columns already in memory; `origin` names it in error messages.
    pub fn from_columns(
        origin: impl Into<String>,
        columns: impl IntoIterator<Item = (String, Vec<f64>)>,
    ) -> Result<Self, PlotError> {
        let (names, columns): (Vec<String>, Vec<Vec<f64>>) = columns.into_iter().unzip();
        if let (Some(first), Some(first_len)) = (names.first(), columns.first().map(Vec::len)) {
            for (name, column) in names.iter().zip(&columns) {
                if column.len() != first_len {
                    return Err(PlotError::RaggedColumns {
                        column: name.clone(),
                        len: column.len(),
                        first: first.clone(),
                        expected: first_len,
                    });
                }
            }
        }
        Ok(Self {
            origin: origin.into(),
            names,
            columns,
        })
    }

    /// The column called `name`, if present.
    pub fn column(&self, name: &str) -> Option<&[f64]> {
        let index = self.names.iter().position(|n| n == name)?;
        Some(&self.columns[index])
    }

    /// Column names in file order.
    pub fn column_names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.columns.first().map_or(0, Vec::len)
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Where the series came from (the CSV path, or the label given to `from_columns`).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The column called `name`, or an error naming it, the plot that needs it and the columns
    /// that are there.
    pub(super) fn require(
        &self,
        name: &str,
        needed_for: &'static str,
    ) -> Result<&[f64], PlotError> {
        self.column(name).ok_or_else(|| PlotError::MissingColumn {
            origin: self.origin.clone(),
            column: name.to_owned(),
            needed_for,
            present: self.names.join(", "),
        })
    }
}

fn csv_error(path: &Path, error: csv::Error) -> PlotError {
    let line = error.position().map_or(0, csv::Position::line);
    let message = match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len,
            len,
            pos,
        } => {
            let row = pos.as_ref().map_or(0, |p| p.record());
            format!("data row {row} has {len} fields, the header has {expected_len}")
        }
        csv::ErrorKind::Io(e) => e.to_string(),
        _ => error.to_string(),
    };
    PlotError::Csv {
        path: path.to_path_buf(),
        line,
        message,
    }
}
