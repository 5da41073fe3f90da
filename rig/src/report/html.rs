//! The page: a small HTML writer (escaping, tables, figures with inline SVG) and the one style
//! sheet, inline. Nothing the page shows is fetched: no script, font, image or style sheet from
//! anywhere, so it opens the same offline, in a CI artefact viewer and printed to PDF.

use std::fmt::Write as _;
use std::path::Path;

use super::ReportError;

/// Screen and print (A4) style. Figures and table rows never break across pages; the plots scale
/// to the page width with the aspect ratio of their viewBox.
const CSS: &str = r#"
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #111;
  max-width: 1180px; margin: 0 auto; padding: 18px 24px 48px; font-size: 14px; line-height: 1.4; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 2px solid #222; padding-bottom: 2px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
p.sub { margin: 0 0 10px; color: #444; }
.verdict { display: inline-block; font-weight: bold; padding: 2px 10px; border-radius: 3px;
  color: #fff; margin-right: 8px; }
.verdict.pass { background: #00795a; color: #fff; }
.verdict.fail { background: #b33c00; color: #fff; }
.verdict.marginal { background: #b07800; color: #fff; }
.verdict.error { background: #555; color: #fff; }
h1 code { font-size: 22px; }
td.pass, span.pass { color: #00795a; font-weight: bold; }
td.fail, span.fail { color: #b33c00; font-weight: bold; }
td.marginal, span.marginal { color: #8a5d00; font-weight: bold; }
td.error, span.error { color: #555; font-weight: bold; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 13px; }
th, td { border-bottom: 1px solid #d6d6d6; padding: 3px 6px; text-align: left;
  vertical-align: top; }
th { background: #f1f1f1; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.msg { color: #333; font-size: 12px; }
table.kv th { width: 26%; font-weight: normal; color: #333; background: none; }
table.kv { width: auto; min-width: 60%; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; }
figure.plot { margin: 14px 0 20px; break-inside: avoid; page-break-inside: avoid; }
figure.plot svg { display: block; width: 100%; height: auto; border: 1px solid #ddd; }
figure.plot figcaption { font-size: 12px; color: #444; margin-top: 3px; }
tr { break-inside: avoid; page-break-inside: avoid; }
thead { display: table-header-group; }
ul.failures li { margin-bottom: 6px; }
.note { color: #555; font-size: 12px; }
footer { margin-top: 32px; color: #666; font-size: 11px; }
@page { size: A4; margin: 12mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  figure.plot { margin: 6px 0 10px; }
  figure.plot svg { border: none; }
  .verdict { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

/// Text for HTML element content and attribute values.
pub fn esc(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            '\'' => s.push_str("&#39;"),
            c => s.push(c),
        }
    }
    s
}

/// A page being written.
pub struct Page {
    body: String,
    title: String,
}

impl Page {
    pub fn new(title: &str) -> Self {
        Self {
            body: String::new(),
            title: title.to_owned(),
        }
    }

    /// Raw HTML (already escaped).
    pub fn raw(&mut self, html: &str) -> &mut Self {
        self.body.push_str(html);
        self
    }

    pub fn h2(&mut self, id: &str, text: &str) -> &mut Self {
        let _ = writeln!(self.body, "<h2 id=\"{}\">{}</h2>", esc(id), esc(text));
        self
    }

    pub fn h3(&mut self, text: &str) -> &mut Self {
        let _ = writeln!(self.body, "<h3>{}</h3>", esc(text));
        self
    }

    pub fn p(&mut self, class: &str, text: &str) -> &mut Self {
        let _ = writeln!(self.body, "<p class=\"{}\">{}</p>", esc(class), esc(text));
        self
    }

    /// A two-column table of names and values (text).
    pub fn kv(&mut self, class: &str, rows: &[(String, String)]) -> &mut Self {
        let _ = writeln!(self.body, "<table class=\"kv {}\"><tbody>", esc(class));
        for (k, v) in rows {
            let _ = writeln!(self.body, "<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(v));
        }
        self.body.push_str("</tbody></table>\n");
        self
    }

    /// A table with a header row; cells are HTML (already escaped) with an optional class.
    pub fn table(&mut self, class: &str, header: &[&str], rows: &[Vec<Cell>]) -> &mut Self {
        let _ = write!(self.body, "<table class=\"{}\"><thead><tr>", esc(class));
        for h in header {
            let _ = write!(self.body, "<th>{}</th>", esc(h));
        }
        self.body.push_str("</tr></thead><tbody>\n");
        for row in rows {
            self.body.push_str("<tr>");
            for c in row {
                if c.class.is_empty() {
                    let _ = write!(self.body, "<td>{}</td>", c.html);
                } else {
                    let _ = write!(self.body, "<td class=\"{}\">{}</td>", c.class, c.html);
                }
            }
            self.body.push_str("</tr>\n");
        }
        self.body.push_str("</tbody></table>\n");
        self
    }

    /// A figure holding the SVG file `path` inline, captioned with its file name and `caption`.
    pub fn svg_figure(&mut self, path: &Path, caption: &str) -> Result<&mut Self, ReportError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.svg_figure_named(path, &name, caption)
    }

    /// [`svg_figure`](Self::svg_figure), naming the file `name` (a path relative to the
    /// report's directory, say).
    pub fn svg_figure_named(
        &mut self,
        path: &Path,
        name: &str,
        caption: &str,
    ) -> Result<&mut Self, ReportError> {
        let svg = inline_svg(path)?;
        let _ = writeln!(
            self.body,
            "<figure class=\"plot\" data-file=\"{}\">\n{svg}\n<figcaption><code>{}</code>{}</figcaption>\n</figure>",
            esc(name),
            esc(name),
            if caption.is_empty() {
                String::new()
            } else {
                format!(" — {}", esc(caption))
            }
        );
        Ok(self)
    }

    /// The whole document.
    pub fn finish(&self, footer: &str) -> String {
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n{}</main>\n\
             <footer>{}</footer>\n</body>\n</html>\n",
            esc(&self.title),
            self.body,
            esc(footer)
        )
    }
}

/// A table cell: HTML and a class (`num`, `pass`, `fail`, ...).
pub struct Cell {
    pub html: String,
    pub class: &'static str,
}

impl Cell {
    pub fn text(t: &str) -> Self {
        Self {
            html: esc(t),
            class: "",
        }
    }
    pub fn code(t: &str) -> Self {
        Self {
            html: format!("<code>{}</code>", esc(t)),
            class: "",
        }
    }
    pub fn num(t: &str) -> Self {
        Self {
            html: esc(t),
            class: "num",
        }
    }
    pub fn class(t: &str, class: &'static str) -> Self {
        Self {
            html: esc(t),
            class,
        }
    }
}

/// The SVG file at `path` as an element to put in HTML: without an XML prolog or DOCTYPE, and
/// without namespace declarations (HTML puts `<svg>` in the SVG namespace itself; dropping them
/// leaves the page free of any `http` text a reviewer would have to check).
pub fn inline_svg(path: &Path) -> Result<String, ReportError> {
    let text = std::fs::read_to_string(path).map_err(|source| ReportError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let start = text.find("<svg").ok_or_else(|| ReportError::BadFile {
        path: path.to_path_buf(),
        message: "not an SVG file (no <svg> element)".into(),
    })?;
    let svg = &text[start..];
    let open_end = svg.find('>').ok_or_else(|| ReportError::BadFile {
        path: path.to_path_buf(),
        message: "the <svg> element is not closed".into(),
    })?;
    let (open, rest) = svg.split_at(open_end);
    let mut open = open.to_owned();
    for attr in [
        " xmlns=\"http://www.w3.org/2000/svg\"",
        " xmlns:xlink=\"http://www.w3.org/1999/xlink\"",
    ] {
        open = open.replace(attr, "");
    }
    Ok(format!("{open}{}", rest.trim_end()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            esc("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn svg_is_inlined_without_prolog_or_namespaces() {
        let dir = std::env::temp_dir().join(format!("pumprig-report-svg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("a.svg");
        std::fs::write(
            &p,
            "<?xml version=\"1.0\"?>\n<svg width=\"10\" viewBox=\"0 0 10 10\" xmlns=\"http://www.w3.org/2000/svg\">\n<rect/>\n</svg>\n",
        )
        .unwrap();
        assert_eq!(
            inline_svg(&p).unwrap(),
            "<svg width=\"10\" viewBox=\"0 0 10 10\">\n<rect/>\n</svg>"
        );
        std::fs::write(&p, "hello").unwrap();
        assert!(
            inline_svg(&p)
                .unwrap_err()
                .to_string()
                .contains("not an SVG")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
