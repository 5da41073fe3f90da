//! Runs one scenario (default: the 20-minute bench session) with the reference firmware and no
//! output, once, and prints the tick count and the checks: a fixed amount of work for
//! `valgrind --tool=callgrind`, whose instruction counts stay stable on a busy machine where
//! wall-clock figures do not. README.md "Performance" gives the command.
//!
//! A course scenario (`scenarios/course-6-weeks.toml`) runs as its first pump session of day 1
//! only, the way a course runs its sessions (the mother carried in, checks only).

use std::path::PathBuf;

use pumprig::controller::ReferenceController;
use pumprig::course;
use pumprig::runner::{self, NoSink};
use pumprig::scenario;

fn main() {
    let path = std::env::args_os().nth(1).map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios/bench-session.toml"),
        PathBuf::from,
    );
    let loaded = scenario::load(&path).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2)
    });
    if let Some(spec) = &loaded.scenario.course {
        let mut one = spec.clone();
        one.days = 1;
        one.sessions.truncate(1);
        one.sessions[0].at_h.truncate(1);
        let run = course::run_course(&loaded, &one, |_| {}).unwrap_or_else(|e| {
            eprintln!("{e}");
            std::process::exit(1)
        });
        for s in &run.sessions {
            println!(
                "session: {:.3} mL removed, {} check(s) failed",
                s.removed_total_ml(),
                s.checks_failed
            );
        }
        return;
    }
    let mut ctl = ReferenceController::new(&loaded.scenario.controller.settings)
        .expect("the scenario's settings were validated when it loaded");
    let out = runner::run(&loaded, &mut ctl, &mut NoSink).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    });
    println!("{} ticks", out.ticks);
    for c in &out.metrics.checks {
        let verdict = if c.pass { "pass" } else { "FAIL" };
        println!("{verdict}: {}", c.message);
    }
}
