//! Build script of the board image: refuses a host build with a clear message, puts `memory.x`
//! on the linker's search path with the cortex-m-rt linker script, and stamps the source id the
//! board sends in its Hello (`PUMPRIG_BUILD_ID` from the environment, else the git commit
//! `<commit>[-dirty]`, as the rig stamps its in-process firmware).

use std::path::PathBuf;
use std::process::Command;
use std::{env, fs};

const TARGET: &str = "thumbv7m-none-eabi";

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// `<commit>[-dirty]` of the checkout, like the rig's own build id, or `unknown`.
fn commit_id() -> String {
    let commit = git(&["rev-parse", "--short=12", "HEAD"]);
    let dirty =
        git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    // Rebuild when a commit moves the branch or the index changes (files staged or committed).
    for path in ["HEAD", "index"] {
        if let Some(p) = git(&["rev-parse", "--git-path", path]) {
            println!("cargo:rerun-if-changed={p}");
        }
    }
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"])
        && let Some(p) = git(&["rev-parse", "--git-path", &branch])
    {
        println!("cargo:rerun-if-changed={p}");
    }
    match commit {
        Some(c) if dirty => format!("{c}-dirty"),
        Some(c) => c,
        None => "unknown".to_string(),
    }
}

fn main() {
    let target = env::var("TARGET").unwrap_or_default();
    if target != TARGET {
        eprintln!(
            "error: pumprig-board-lm3s6965 builds for {TARGET} only, not {target}: run `cargo \
             build --release` inside boards/lm3s6965 (its .cargo/config.toml picks the target) \
             or pass `--target {TARGET}`"
        );
        std::process::exit(1);
    }

    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::write(out.join("memory.x"), include_bytes!("memory.x")).expect("write memory.x");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rustc-link-arg-bins=-Tlink.x");
    println!("cargo:rerun-if-changed=memory.x");
    println!("cargo:rerun-if-changed=build.rs");

    println!("cargo:rerun-if-env-changed=PUMPRIG_BUILD_ID");
    let id = match env::var("PUMPRIG_BUILD_ID") {
        Ok(id) if !id.is_empty() => id,
        _ => commit_id(),
    };
    println!("cargo:rustc-env=PUMPRIG_BUILD_ID={id}");
}
