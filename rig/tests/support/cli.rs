//! Driving the `pumprig` binary from a test: run it, a fresh scratch directory per test, paths
//! as arguments, and its output for an assertion message. Included with `#[path]` by the CLI
//! tests; each takes what it needs, hence the allowance for the rest.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the `pumprig` binary built for these tests.
pub fn pumprig(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pumprig"))
        .args(args)
        .output()
        .expect("pumprig runs")
}

/// The repository's root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// An empty directory for one test, named after the test file, the process and `name` (tests
/// of one binary run in parallel; binaries of one `cargo test` too).
pub fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "pumprig-{}-{}-{name}",
        env!("CARGO_CRATE_NAME"),
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

/// A path as a command-line argument.
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Exit status and both streams, for an assertion message.
pub fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}
