//! Building the example C firmware (`examples/c-firmware`) as a shared library for a test: the
//! C compiler probe and the compile command, shared by the C ABI and baseline tests (included
//! with `#[path]`, so a test file takes this module without the serial tests' helpers).

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The C compiler command (`$CC` may carry flags), if one runs.
pub fn c_compiler() -> Option<Vec<String>> {
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let words: Vec<String> = cc.split_whitespace().map(str::to_owned).collect();
    let (prog, args) = words.split_first()?;
    let ok = Command::new(prog)
        .args(args)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(words)
}

/// Compiles the example C firmware with extra `-D` `defines` into the shared library `out`;
/// panics with the compiler's output if it fails.
pub fn build_example(cc: &[String], defines: &[&str], out: &Path) {
    let src = repo().join("examples/c-firmware");
    let o = Command::new(&cc[0])
        .args(&cc[1..])
        .args(["-shared", "-fPIC", "-O2", "-std=c99", "-Wall"])
        .arg("-I")
        .arg(repo().join("rig/include"))
        .args(defines)
        .arg("-o")
        .arg(out)
        .arg(src.join("pump.c"))
        .arg(src.join("hal_shim.c"))
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "building the C firmware failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
