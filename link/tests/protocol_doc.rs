//! docs/protocol.md matches the code: its worked examples decode to the values it states.

mod common;

use common::*;
use pumprig_link::*;

struct Example {
    name: String,
    value: String,
    table_bytes: Vec<u8>,
    wire: Vec<u8>,
}

fn parse_hex(s: &str) -> Vec<u8> {
    s.split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).unwrap_or_else(|_| panic!("bad hex byte {b:?}")))
        .collect()
}

fn examples() -> Vec<Example> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/protocol.md");
    let doc = std::fs::read_to_string(path).expect("docs/protocol.md");
    let mut out = Vec::new();
    for part in doc.split("<!-- example: ").skip(1) {
        let (name, rest) = part.split_once(" -->").expect("example marker");
        let (body, _) = rest
            .split_once("<!-- end example -->")
            .expect("end example marker");
        let value = body
            .lines()
            .find_map(|l| l.strip_prefix("Value: `"))
            .and_then(|l| l.strip_suffix('`'))
            .unwrap_or_else(|| panic!("{name}: no Value line"))
            .to_string();
        let table_bytes = body
            .lines()
            .filter_map(|l| l.strip_prefix("| `"))
            .flat_map(|l| parse_hex(l.split('`').next().unwrap()))
            .collect();
        let (_, hex_block) = body
            .split_once("```hex\n")
            .unwrap_or_else(|| panic!("{name}: no hex block"));
        let (hex_block, _) = hex_block.split_once("```").unwrap();
        out.push(Example {
            name: name.to_string(),
            value,
            table_bytes,
            wire: parse_hex(hex_block),
        });
    }
    out
}

#[test]
fn the_worked_examples_decode_to_the_stated_values() {
    let examples = examples();
    let names: Vec<_> = examples.iter().map(|e| e.name.as_str()).collect();
    for required in ["sensor", "actuator", "hello"] {
        assert!(
            names.contains(&required),
            "no {required} example in {names:?}"
        );
    }
    for e in &examples {
        let frame = decode(&e.wire).unwrap_or_else(|err| panic!("{}: {err}", e.name));
        assert_eq!(format!("{frame:?}"), e.value, "{}: decoded value", e.name);
        assert_eq!(
            hex(&e.table_bytes),
            hex(&cobs_decode_reference(&e.wire[..e.wire.len() - 1]).unwrap()),
            "{}: the table's bytes are not the COBS-decoded frame",
            e.name
        );
        assert_eq!(hex(&wire(&frame)), hex(&e.wire), "{}: re-encoding", e.name);
        // And through the stream decoder.
        let mut rx: StreamDecoder = StreamDecoder::new();
        let got = rx.feed(&e.wire).next().unwrap().unwrap();
        assert_eq!(got.frame, frame);
    }
}

#[test]
fn the_doc_states_this_version_and_frame_size() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/protocol.md");
    let doc = std::fs::read_to_string(path).unwrap();
    assert!(doc.starts_with(&format!(
        "# pumprig link protocol, version {PROTOCOL_VERSION}\n"
    )));
    assert!(doc.contains(&format!("**Maximum length**: {MAX_FRAME_LEN} bytes")));
    for kind in MessageKind::ALL {
        let name = format!("{:?}", kind);
        let row = doc
            .lines()
            .find(|l| l.starts_with(&format!("| {} | `{name}` |", kind.code())))
            .unwrap_or_else(|| panic!("no message-table row for {name}"));
        assert!(
            row.trim_end()
                .ends_with(&format!("| {} |", kind.max_frame_len())),
            "{name}: the table's max size is not {}",
            kind.max_frame_len()
        );
    }
    for code in 1..=u8::MAX {
        if let Some(e) = ErrorCode::from_code(code) {
            assert!(
                doc.contains(&format!("| {code} | `{}` |", e.name())),
                "error code {code} missing from the doc"
            );
        }
    }
}
