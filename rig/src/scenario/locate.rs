//! Where a key lives in the scenario's source: dotted key paths (`plant.left.chamber_volume_ml`,
//! `events[1].leak_onset.side`, `checks[0].window_s[1]`) to byte spans and back, and byte offsets
//! to 1-based line and column. Built once per file from `toml_edit`'s span-preserving parse, so
//! every form TOML allows — `[table]` headers, dotted keys, inline tables, `[[arrays]]` of tables,
//! inline arrays — maps to the same path the serde types use.

use std::ops::Range;

use toml_edit::{Document, Item, Value};

/// One key (or array element) of the file: its path, where its key is written (not for array
/// elements) and where its value is (the header for a `[table]`, the whole value otherwise).
#[derive(Clone, Debug)]
struct Entry {
    path: String,
    key_span: Option<Range<usize>>,
    value_span: Option<Range<usize>>,
}

/// Spans of every key of one scenario source.
#[derive(Clone, Debug)]
pub(crate) struct SourceMap {
    source: String,
    line_starts: Vec<usize>,
    entries: Vec<Entry>,
}

/// A key found in the source.
#[derive(Clone, Debug)]
pub(crate) struct Located {
    /// Span of the key itself (`None` for array elements, e.g. `events[1]` in `[[events]]`).
    pub key_span: Option<Range<usize>>,
    /// Span of the value, or of the `[header]` of a table.
    pub value_span: Option<Range<usize>>,
}

impl SourceMap {
    /// Parses `source` for spans. Fails on a TOML syntax error.
    pub fn parse(source: &str) -> Result<Self, toml_edit::TomlError> {
        let doc = Document::parse(source)?;
        let mut entries = Vec::new();
        walk_table(doc.as_table(), "", &mut entries);
        Ok(Self::with_entries(source, entries))
    }

    /// A map with line information only (for sources that do not parse).
    pub fn lines_only(source: &str) -> Self {
        Self::with_entries(source, Vec::new())
    }

    fn with_entries(source: &str, entries: Vec<Entry>) -> Self {
        let line_starts = std::iter::once(0)
            .chain(source.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self {
            source: source.to_owned(),
            line_starts,
            entries,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.source.len());
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let column = self
            .source
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        (line, column)
    }

    /// The key at `path`, if the file states it.
    pub fn find(&self, path: &str) -> Option<Located> {
        self.entries
            .iter()
            .find(|e| e.path == path)
            .map(|e| Located {
                key_span: e.key_span.clone(),
                value_span: e.value_span.clone(),
            })
    }

    /// True when the file states the key at `path`.
    pub fn contains(&self, path: &str) -> bool {
        self.entries.iter().any(|e| e.path == path)
    }

    /// The innermost key whose key or value span contains `offset`.
    pub fn path_at(&self, offset: usize) -> Option<&str> {
        self.entries
            .iter()
            .flat_map(|e| {
                [&e.key_span, &e.value_span]
                    .into_iter()
                    .flatten()
                    .map(move |s| (e, s))
            })
            .filter(|(_, s)| s.start <= offset && offset < s.end)
            .min_by_key(|(_, s)| s.end - s.start)
            .map(|(e, _)| e.path.as_str())
    }

    /// The nearest stated ancestor of `path` (`plant.left` for `plant.left.chamber_volume_ml`
    /// when the file has `[plant.left]` but not the key), with its path.
    pub fn nearest_ancestor<'p>(&self, path: &'p str) -> Option<(&'p str, Located)> {
        let mut p = path;
        while let Some(cut) = p.rfind(['.', '[']) {
            p = &p[..cut];
            if let Some(found) = self
                .find(p)
                .filter(|f| f.key_span.is_some() || f.value_span.is_some())
            {
                return Some((p, found));
            }
        }
        None
    }

    /// The source text of a span, on one line and shortened for a message.
    pub fn snippet(&self, span: &Range<usize>) -> String {
        let text = self.source.get(span.clone()).unwrap_or("").trim();
        let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        const MAX: usize = 40;
        if one_line.chars().count() > MAX {
            let cut: String = one_line.chars().take(MAX - 1).collect();
            format!("{cut}…")
        } else {
            one_line
        }
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Records every key of a table (a `[table]` or the document root) and descends.
fn walk_table(table: &toml_edit::Table, prefix: &str, out: &mut Vec<Entry>) {
    for (name, _) in table.iter() {
        if let Some((key, item)) = table.get_key_value(name) {
            walk_item(item, join(prefix, name), key.span(), out);
        }
    }
}

fn walk_item(item: &Item, path: String, key_span: Option<Range<usize>>, out: &mut Vec<Entry>) {
    match item {
        Item::None => {}
        Item::Value(v) => walk_value(v, path, key_span, out),
        Item::Table(t) => {
            out.push(Entry {
                path: path.clone(),
                key_span,
                value_span: t.span(),
            });
            walk_table(t, &path, out);
        }
        Item::ArrayOfTables(a) => {
            out.push(Entry {
                path: path.clone(),
                key_span,
                value_span: a.span(),
            });
            for (i, t) in a.iter().enumerate() {
                let elem = format!("{path}[{i}]");
                out.push(Entry {
                    path: elem.clone(),
                    key_span: None,
                    value_span: t.span(),
                });
                walk_table(t, &elem, out);
            }
        }
    }
}

fn walk_value(value: &Value, path: String, key_span: Option<Range<usize>>, out: &mut Vec<Entry>) {
    out.push(Entry {
        path: path.clone(),
        key_span,
        value_span: value.span(),
    });
    match value {
        Value::InlineTable(t) => {
            for (name, _) in t.iter() {
                if let Some((key, item)) = t.get_key_value(name) {
                    walk_item(item, join(&path, name), key.span(), out);
                }
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                walk_value(v, format!("{path}[{i}]"), None, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = r#"name = "x"   # line 1
duration_s = 10.0
plant.kit.shields = 2

[plant.left]
chamber_volume_ml = 40.0
fit = { swelling_mm = 1.0, inner = { deep = 3 } }

[controller.settings.expression]
vacuum_mmhg = 190

[[events]]
at_s = 1.0
press = "power"

[[events]]
at_s = 2.0
leak_onset = { side = "left", area_mm2 = 0.3 }

[[checks]]
window_s = [
  5.0,
  6.5,
]
"#;

    fn line_of(map: &SourceMap, path: &str) -> usize {
        let found = map.find(path).unwrap_or_else(|| panic!("{path} not found"));
        map.line_col(found.value_span.or(found.key_span).unwrap().start)
            .0
    }

    #[test]
    fn finds_keys_in_every_form_toml_allows() {
        let map = SourceMap::parse(SRC).unwrap();
        assert_eq!(line_of(&map, "name"), 1);
        assert_eq!(line_of(&map, "plant.kit.shields"), 3, "dotted key");
        assert_eq!(line_of(&map, "plant.left"), 5, "table header");
        assert_eq!(
            line_of(&map, "plant.left.chamber_volume_ml"),
            6,
            "nested table"
        );
        assert_eq!(
            line_of(&map, "plant.left.fit.swelling_mm"),
            7,
            "inline table"
        );
        assert_eq!(
            line_of(&map, "plant.left.fit.inner.deep"),
            7,
            "nested inline table"
        );
        assert_eq!(
            line_of(&map, "controller.settings.expression.vacuum_mmhg"),
            10
        );
        assert_eq!(line_of(&map, "events[0]"), 12, "array of tables: header");
        assert_eq!(line_of(&map, "events[0].press"), 14);
        assert_eq!(line_of(&map, "events[1].at_s"), 17);
        assert_eq!(line_of(&map, "events[1].leak_onset.area_mm2"), 18);
        assert_eq!(
            line_of(&map, "checks[0].window_s[1]"),
            23,
            "inline array element"
        );
        assert!(map.find("plant.right").is_none());
        assert!(map.find("events[2]").is_none());
    }

    #[test]
    fn columns_count_characters_from_one() {
        let map = SourceMap::parse("a = \"µµ\"\nb = 1\n").unwrap();
        assert_eq!(map.line_col(0), (1, 1));
        let b = map.find("b").unwrap().value_span.unwrap();
        assert_eq!(map.line_col(b.start), (2, 5));
        // Byte 9 is the closing quote: 5 ASCII bytes and two 2-byte `µ` (7 characters) before it.
        assert_eq!(map.line_col(9), (1, 8));
        assert_eq!(map.line_col(usize::MAX), (3, 1), "clamped to the end");
    }

    #[test]
    fn maps_an_offset_back_to_the_innermost_key() {
        let map = SourceMap::parse(SRC).unwrap();
        let at = |needle: &str| map.path_at(SRC.find(needle).unwrap()).map(str::to_owned);
        assert_eq!(
            at("chamber_volume_ml").as_deref(),
            Some("plant.left.chamber_volume_ml")
        );
        assert_eq!(at("deep").as_deref(), Some("plant.left.fit.inner.deep"));
        assert_eq!(at("\"left\"").as_deref(), Some("events[1].leak_onset.side"));
        assert_eq!(at("6.5").as_deref(), Some("checks[0].window_s[1]"));
        assert_eq!(at("shields").as_deref(), Some("plant.kit.shields"));
    }

    #[test]
    fn nearest_ancestor_points_at_the_enclosing_table() {
        let map = SourceMap::parse(SRC).unwrap();
        let (p, _) = map.nearest_ancestor("plant.left.nipple_length_mm").unwrap();
        assert_eq!(p, "plant.left");
        let (p, _) = map
            .nearest_ancestor("controller.settings.supervisor.max_vacuum_mmhg")
            .unwrap();
        assert_eq!(p, "controller.settings");
        assert!(map.nearest_ancestor("output.sample_rate_hz").is_none());
    }
}
