//! Turns the TOML reader's errors (syntax, and serde's "unknown field", "invalid type", …) into
//! messages for the person who wrote the file: the key path, the value as written, what was
//! expected in words ("a number", not "f64"), and a "did you mean" for misspelt keys and values.

use std::path::Path;

use super::error::ScenarioError;
use super::locate::SourceMap;
use super::suggest::closest;

/// A TOML syntax error (the file does not parse at all).
pub(crate) fn syntax(file: &Path, map: &SourceMap, err: &toml_edit::TomlError) -> ScenarioError {
    let message = err.message().trim().replace('\n', "; ");
    ScenarioError::at(
        file,
        map,
        err.span(),
        None,
        format!("TOML syntax error: {message}"),
    )
}

/// A deserialization error: the file parses but does not fit the scenario's schema.
pub(crate) fn schema(file: &Path, map: &SourceMap, err: &toml::de::Error) -> ScenarioError {
    let span = err.span();
    let raw = err.message();
    // An empty span at the start means "the document as a whole" (a missing top-level key).
    let whole_doc = span.as_ref().is_none_or(|s| s.is_empty());
    let path = span
        .as_ref()
        .filter(|_| !whole_doc)
        .and_then(|s| map.path_at(s.start))
        .map(str::to_owned);
    let value = span.as_ref().filter(|_| !whole_doc).map(|s| map.snippet(s));
    let subject = |path: &Option<String>| match (path, &value) {
        (Some(p), Some(v)) => format!("`{p}` = {v}: "),
        (Some(p), None) => format!("`{p}`: "),
        _ => String::new(),
    };

    if let Some(rest) = raw.strip_prefix("unknown field ") {
        let names = backticked(rest);
        let found = names.first().copied().unwrap_or("");
        let accepted = &names[names.len().min(1)..];
        let key = path.clone().unwrap_or_else(|| found.to_owned());
        let mut message = format!("unknown key `{key}`");
        message.push_str(&hint(found, accepted, "keys"));
        return ScenarioError::at(file, map, span, Some(key), message);
    }
    if let Some(rest) = raw.strip_prefix("unknown variant ") {
        let names = backticked(rest);
        let found = names.first().copied().unwrap_or("");
        let accepted = &names[names.len().min(1)..];
        let message = format!(
            "{}unknown value{}",
            subject(&path),
            hint(found, accepted, "values")
        );
        return ScenarioError::at(file, map, span, path, message);
    }
    if let Some(rest) = raw.strip_prefix("missing field ") {
        let field = backticked(rest).first().copied().unwrap_or("").to_owned();
        let table = path.clone().filter(|_| !whole_doc);
        let key = match &table {
            Some(t) => format!("{t}.{field}"),
            None => field.clone(),
        };
        let within = table.map(|t| format!(" in `{t}`")).unwrap_or_default();
        let message = format!("missing required key `{field}`{within}");
        let span = if whole_doc { Some(0..0) } else { span };
        return ScenarioError::at(file, map, span, Some(key), message);
    }
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = raw.strip_prefix(prefix) {
            let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
            let message = format!(
                "{}expected {}, found {}",
                subject(&path),
                expected_in_words(expected),
                found_in_words(found, prefix == "invalid value: ")
            );
            return ScenarioError::at(file, map, span, path, message);
        }
    }
    if let Some(rest) = raw.strip_prefix("invalid length ") {
        let (_, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let message = format!("{}expected {}", subject(&path), expected_in_words(expected));
        return ScenarioError::at(file, map, span, path, message);
    }
    if raw == "wanted string or table" {
        let message = format!("{}expected a string", subject(&path));
        return ScenarioError::at(file, map, span, path, message);
    }
    let message = format!("{}{}", subject(&path), raw.trim());
    ScenarioError::at(file, map, span, path, message)
}

/// "; did you mean `x`?" or the accepted names when none is close.
pub(crate) fn hint(found: &str, accepted: &[&str], what: &str) -> String {
    if let Some(best) = closest(found, accepted.iter().copied()) {
        format!("; did you mean `{best}`?")
    } else if accepted.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = accepted.iter().map(|a| format!("`{a}`")).collect();
        format!("; accepted {what}: {}", list.join(", "))
    }
}

/// The names between backticks in serde's messages, in order.
fn backticked(s: &str) -> Vec<&str> {
    s.split('`').skip(1).step_by(2).collect()
}

/// serde's `Expected` text ("f64", "u16", "struct SideParams") in the scenario's vocabulary.
fn expected_in_words(expected: &str) -> String {
    let e = expected.trim();
    let words = match e {
        "f64" | "f32" => "a number",
        "u8" => "a whole number in 0..=255",
        "u16" => "a whole number in 0..=65535",
        "u32" => "a whole number in 0..=4294967295",
        "u64" | "usize" => "a whole number, 0 or more",
        "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number",
        "a boolean" | "bool" => "true or false",
        "a string" | "a borrowed string" | "a character" => "a string",
        "a sequence" => "an array",
        "a map" => "a table",
        _ if e.starts_with("struct ") => "a table",
        _ if e.starts_with("enum ") => "a string",
        _ => "",
    };
    if !words.is_empty() {
        return words.to_owned();
    }
    if let Some(n) = e
        .strip_prefix("an array of length ")
        .or_else(|| e.strip_prefix("array of length "))
    {
        return format!("an array of {n} values");
    }
    if let Some(n) = e.strip_prefix("a tuple of size ") {
        return format!("an array of {n} values");
    }
    e.to_owned()
}

/// serde's `Unexpected` text ("string \"forty\"", "integer `-3`") in words.
fn found_in_words(found: &str, keep_value: bool) -> String {
    let f = found.trim();
    let kind = [
        ("string", "a string"),
        ("integer", "an integer"),
        ("floating point", "a decimal number"),
        ("boolean", "a boolean"),
        ("map", "a table"),
        ("sequence", "an array"),
    ]
    .into_iter()
    .find(|(p, _)| f.starts_with(p));
    match kind {
        // An out-of-range value: the value itself is the news ("found -3").
        Some((p, _)) if keep_value => f[p.len()..].trim().trim_matches('`').to_owned(),
        Some((_, words)) => words.to_owned(),
        None => f.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_for_serde_types() {
        assert_eq!(expected_in_words("f64"), "a number");
        assert_eq!(expected_in_words("u8"), "a whole number in 0..=255");
        assert_eq!(expected_in_words("struct SideParams"), "a table");
        assert_eq!(
            expected_in_words("an array of length 2"),
            "an array of 2 values"
        );
        assert_eq!(found_in_words("string \"forty\"", false), "a string");
        assert_eq!(
            found_in_words("floating point `1.5`", false),
            "a decimal number"
        );
        assert_eq!(found_in_words("integer `-3`", true), "-3");
    }

    #[test]
    fn backticked_names_in_order() {
        assert_eq!(
            backticked("`a_b`, expected one of `x`, `y`"),
            vec!["a_b", "x", "y"]
        );
        assert_eq!(
            backticked("`powr`, expected `power` or `level_up`"),
            vec!["powr", "power", "level_up"]
        );
    }

    #[test]
    fn hint_suggests_or_lists() {
        assert_eq!(
            hint("powr", &["power", "letdown"], "values"),
            "; did you mean `power`?"
        );
        assert_eq!(
            hint("zzz", &["power", "letdown"], "values"),
            "; accepted values: `power`, `letdown`"
        );
        assert_eq!(hint("zzz", &[], "keys"), "");
    }
}
