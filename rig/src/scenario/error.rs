//! [`ScenarioError`]: what is wrong with a scenario file, where (file, line, column) and which key.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::locate::SourceMap;

/// A scenario that cannot be run: the file, the line and column, the key path
/// (`plant.left.chamber_volume_ml`, `checks[2].unit`), and a message that quotes the value.
///
/// Displays as `FILE:LINE:COLUMN: MESSAGE`, e.g.
/// ``scenarios/bad.toml:9:21: `plant.left.chamber_volume_ml` = -40.0: must be greater than zero``,
/// or `FILE: MESSAGE` when there is no line (the file could not be read). Further problems found
/// in the same file follow in [`also`](Self::also), one per line.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct ScenarioError {
    pub file: PathBuf,
    /// 1-based line, when the problem is at a place in the file.
    pub line: Option<usize>,
    /// 1-based column in characters.
    pub column: Option<usize>,
    /// Dotted key path, array elements by index: `events[0].press`.
    pub key: Option<String>,
    /// What is wrong; names the key and quotes the value.
    pub message: String,
    /// Further problems in the same file, in file order (semantic checks report all they find).
    pub also: Box<[ScenarioError]>,
}

impl ScenarioError {
    /// A problem with the file as a whole (unreadable).
    pub(crate) fn file(file: &Path, message: impl Into<String>) -> Self {
        Self {
            file: file.to_path_buf(),
            line: None,
            column: None,
            key: None,
            message: message.into(),
            also: Box::default(),
        }
    }

    /// A problem at a byte span of the source (its start gives the line and column).
    pub(crate) fn at(
        file: &Path,
        map: &SourceMap,
        span: Option<Range<usize>>,
        key: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        let (line, column) = match span {
            Some(s) => {
                let (l, c) = map.line_col(s.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        Self {
            file: file.to_path_buf(),
            line,
            column,
            key,
            message: message.into(),
            also: Box::default(),
        }
    }

    /// Every problem in this error, the first one and then [`also`](Self::also).
    pub fn all(&self) -> impl Iterator<Item = &ScenarioError> {
        std::iter::once(self).chain(self.also.iter())
    }

    /// Folds several problems into one error, sorted by position in the file (stable).
    pub(crate) fn combine(mut errors: Vec<ScenarioError>) -> Option<ScenarioError> {
        errors.sort_by_key(|e| (e.line.unwrap_or(usize::MAX), e.column.unwrap_or(0)));
        let mut it = errors.into_iter();
        let mut first = it.next()?;
        first.also = it.collect();
        Some(first)
    }

    fn render(&self) -> String {
        let mut s = String::new();
        for (i, e) in self.all().enumerate() {
            if i > 0 {
                s.push('\n');
            }
            s.push_str(&e.headline());
        }
        s
    }

    fn headline(&self) -> String {
        struct Loc<'a>(&'a ScenarioError);
        impl fmt::Display for Loc<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0.file.display())?;
                if let Some(l) = self.0.line {
                    write!(f, ":{l}")?;
                    if let Some(c) = self.0.column {
                        write!(f, ":{c}")?;
                    }
                }
                Ok(())
            }
        }
        format!("{}: {}", Loc(self), self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_file_line_column_and_message() {
        let e = ScenarioError {
            file: "scenarios/bad.toml".into(),
            line: Some(12),
            column: Some(5),
            key: Some("plant.left.chamber_volume_ml".into()),
            message: "`plant.left.chamber_volume_ml` = -40: must be greater than zero".into(),
            also: Box::default(),
        };
        assert_eq!(
            e.to_string(),
            "scenarios/bad.toml:12:5: `plant.left.chamber_volume_ml` = -40: must be greater than zero"
        );
        let missing = ScenarioError::file(
            Path::new("scenarios/nope.toml"),
            "cannot read scenario file: No such file or directory (os error 2)",
        );
        assert_eq!(
            missing.to_string(),
            "scenarios/nope.toml: cannot read scenario file: No such file or directory (os error 2)"
        );
    }

    #[test]
    fn combined_errors_list_one_per_line_in_file_order() {
        let e = |line, m: &str| ScenarioError {
            line,
            column: line.map(|_| 1),
            ..ScenarioError::file(Path::new("a.toml"), m)
        };
        let all =
            ScenarioError::combine(vec![e(Some(9), "b"), e(None, "c"), e(Some(3), "a")]).unwrap();
        assert_eq!(all.to_string(), "a.toml:3:1: a\na.toml:9:1: b\na.toml: c");
        assert_eq!(all.all().count(), 3);
        assert!(ScenarioError::combine(Vec::new()).is_none());
    }
}
