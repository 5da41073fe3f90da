//! The report of a `pumprig compare` directory: its table of metric differences (`compare.md`
//! rendered, or the body of `compare.html` when there is no Markdown) and every overlay plot in
//! the directory inline. Whatever the comparison wrote is kept self-contained: raw HTML in the
//! Markdown is shown as text, images of local SVG files are inlined, and a link or image
//! anywhere else becomes its text (the page fetches nothing).

use std::collections::BTreeSet;
use std::path::Path;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};

use super::html::{Page, esc, inline_svg};
use super::{ReportError, footer, svgs_in};

pub(super) fn page(dir: &Path) -> Result<String, ReportError> {
    let mut page = Page::new(&format!(
        "pumprig comparison report — {}",
        dir.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    ));
    page.raw("<header>\n<h1>Comparison</h1>\n</header>\n");
    let mut inlined = BTreeSet::new();
    let md = dir.join("compare.md");
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|source| ReportError::Read {
            path: path.to_path_buf(),
            source,
        })
    };
    if md.is_file() {
        page.raw(&markdown(dir, &read(&md)?, &mut inlined)?);
    } else {
        page.raw(&html_body(
            dir,
            &read(&dir.join("compare.html"))?,
            &mut inlined,
        )?);
    }
    let rest: Vec<_> = svgs_in(dir)?
        .into_iter()
        .filter(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
            !name.is_some_and(|n| inlined.contains(&n))
        })
        .collect();
    if !rest.is_empty() {
        page.h2("plots", "Plots");
        for p in rest {
            page.svg_figure(&p, "")?;
        }
    }
    Ok(page.finish(&footer(dir)))
}

/// A reference to a file directly in `dir` (no directories, no scheme), if `target` is one.
fn local_file(dir: &Path, target: &str) -> Option<String> {
    let t = Path::new(target);
    (!target.contains(':') && t.components().count() == 1 && dir.join(t).is_file())
        .then(|| target.to_owned())
}

/// CommonMark (with tables) to HTML: raw HTML escaped, local SVG images inlined, other images
/// and links reduced to their text.
fn markdown(dir: &Path, text: &str, inlined: &mut BTreeSet<String>) -> Result<String, ReportError> {
    let mut events: Vec<Event> = Vec::new();
    let mut in_image = false;
    for ev in Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match ev {
            Event::Html(h) | Event::InlineHtml(h) => events.push(Event::Text(h)),
            Event::Start(Tag::Link { .. }) | Event::End(TagEnd::Link) => {}
            Event::Start(Tag::Image { dest_url, .. }) => {
                in_image = true;
                match local_file(dir, &dest_url).filter(|f| f.ends_with(".svg")) {
                    Some(f) => {
                        let svg = inline_svg(&dir.join(&f))?;
                        inlined.insert(f.clone());
                        events.push(Event::Html(CowStr::from(format!(
                            "<figure class=\"plot\" data-file=\"{}\">{svg}<figcaption><code>{}</code></figcaption></figure>",
                            esc(&f),
                            esc(&f)
                        ))));
                    }
                    None => events.push(Event::Text(CowStr::from(format!("[image {dest_url}] ")))),
                }
            }
            Event::End(TagEnd::Image) => in_image = false,
            // An image's alt text is its caption's business, not the page's.
            Event::Text(_) if in_image => {}
            other => events.push(other),
        }
    }
    let mut out = String::new();
    html::push_html(&mut out, events.into_iter());
    Ok(out)
}

/// The inside of `<body>` of `compare.html`, without scripts, style sheets, or anything fetched:
/// `<img src="x.svg">` of a local SVG is replaced by the SVG itself, any other `<img>`,
/// `<script>`, `<link>` and `<iframe>` is dropped.
fn html_body(
    dir: &Path,
    text: &str,
    inlined: &mut BTreeSet<String>,
) -> Result<String, ReportError> {
    let lower = text.to_ascii_lowercase();
    let body = match (lower.find("<body"), lower.rfind("</body>")) {
        (Some(a), Some(b)) if a < b => {
            let start = lower[a..].find('>').map_or(a, |i| a + i + 1);
            &text[start..b]
        }
        _ => text,
    };
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let tag_end = rest.find('>').map_or(rest.len(), |j| j + 1);
        let tag = &rest[..tag_end];
        let name: String = tag[1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match name.as_str() {
            "script" | "style" | "iframe" | "object" => {
                // Drop the element with its content.
                let close = format!("</{name}");
                let lower_rest = rest.to_ascii_lowercase();
                let end = lower_rest
                    .find(&close)
                    .and_then(|k| lower_rest[k..].find('>').map(|m| k + m + 1))
                    .unwrap_or(rest.len());
                rest = &rest[end..];
                continue;
            }
            "link" | "base" | "meta" => {}
            "img" => {
                let src = attr(tag, "src");
                if let Some(f) = src
                    .as_deref()
                    .and_then(|s| local_file(dir, s))
                    .filter(|f| f.ends_with(".svg"))
                {
                    out.push_str(&inline_svg(&dir.join(&f))?);
                    inlined.insert(f);
                }
            }
            _ => {
                // Any other tag stays, but never pointing anywhere remote.
                let lower_tag = tag.to_ascii_lowercase();
                if ["http:", "https:", "//", "url("]
                    .iter()
                    .any(|s| lower_tag.contains(s))
                {
                    out.push_str(&format!("<{name}>"));
                } else {
                    out.push_str(tag);
                }
            }
        }
        rest = &rest[tag_end..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The value of attribute `name` in a start tag (`"…"` or `'…'` quoted).
fn attr(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let i = lower.find(&format!("{name}="))? + name.len() + 1;
    let rest = &tag[i..];
    let quote = rest.chars().next()?;
    if quote == '"' || quote == '\'' {
        rest[1..].find(quote).map(|j| rest[1..1 + j].to_owned())
    } else {
        Some(
            rest.split(|c: char| c.is_whitespace() || c == '>')
                .next()
                .unwrap_or_default()
                .to_owned(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let d =
            std::env::temp_dir().join(format!("pumprig-report-cmp-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(
            d.join("vacuum.svg"),
            "<svg viewBox=\"0 0 4 4\" xmlns=\"http://www.w3.org/2000/svg\"><rect/></svg>",
        )
        .unwrap();
        d
    }

    #[test]
    fn markdown_tables_render_local_svgs_inline_and_nothing_points_outside() {
        let d = scratch("md");
        let md = "# Metrics\n\n| metric | a | b |\n|---|---|---|\n| peak | 1 | 2 |\n\n\
                  ![overlay](vacuum.svg)\n\n![remote](https://example.com/x.png)\n\n\
                  See [the docs](https://example.com/docs) <script>alert(1)</script>\n";
        std::fs::write(d.join("compare.md"), md).unwrap();
        let html = page(&d).unwrap();
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<td>peak</td>"));
        assert_eq!(
            html.matches("<svg").count(),
            1,
            "inlined once, not repeated"
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("href=\"http"), "{html}");
        assert!(!html.contains("src=\"http"), "{html}");
        assert!(html.contains("the docs"));
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn an_html_comparison_keeps_its_body_without_scripts_or_remote_references() {
        let d = scratch("html");
        let h = "<html><head><link rel=stylesheet href=\"https://cdn.example/x.css\"></head><body>\
                 <h2>Metrics</h2><table><tr><td>peak</td></tr></table><img src=\"vacuum.svg\">\
                 <img src=\"https://example.com/a.png\"><script src=\"x.js\"></script>\
                 <a href=\"https://example.com\">docs</a></body></html>";
        std::fs::write(d.join("compare.html"), h).unwrap();
        let html = page(&d).unwrap();
        assert!(html.contains("<td>peak</td>"));
        assert_eq!(html.matches("<svg").count(), 1);
        assert!(!html.contains("<script"));
        assert!(!html.contains("https://"), "{html}");
        assert!(html.contains(">docs<"));
        std::fs::remove_dir_all(&d).unwrap();
    }
}
