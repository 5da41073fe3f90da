//! The bench-board image (boards/lm3s6965) in QEMU, in the loop: a shortened quickstart in
//! lockstep gives the same `timeseries.csv` as the in-process run, byte for byte, and QEMU is
//! stopped whatever happens (success, error, panic).
//!
//! Needs `qemu-system-arm` (or `PUMPRIG_QEMU`) and the image, built by `.ci/run` with
//! `cargo build --release --manifest-path boards/lm3s6965/Cargo.toml --target thumbv7m-none-eabi`.
//! Without them each test prints what it skipped and passes, so `cargo test --workspace
//! --release` works on a machine without QEMU.
//!
//! The shortened quickstart (30 s instead of 240 s: each lockstep tick through QEMU costs about
//! 0.4 ms of wall clock) keeps every part of the original: both shields, stimulation at
//! 80 mmHg / 110 cycles/min, expression at 190 mmHg / 54 cycles/min (entered with LETDOWN at 10 s
//! instead of the 120 s timer), a stop and the venting after it. `PUMPRIG_QEMU_FULL=1` runs the
//! full quickstart as well.

use std::path::{Path, PathBuf};
use std::time::Duration;

use pumprig::controller::ControllerError;
use pumprig::controller::serial::{QemuBoard, SerialOptions, qemu_binary};
use pumprig::controller::{Controller, SerialController};
use pumprig::scenario::{self, LoadedScenario};
use pumprig::session;

fn elf() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../boards/lm3s6965/target/thumbv7m-none-eabi/release/pumprig-board-lm3s6965")
}

/// Says what was skipped on the real stderr: `eprintln!` output of a passing test is captured and
/// never shown by `cargo test`, and a skip must be seen.
fn skipped(message: String) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{message}");
}

/// The ELF, or `None` after saying what is missing.
fn board_image(test: &str) -> Option<PathBuf> {
    let qemu = qemu_binary();
    let found = std::process::Command::new(&qemu)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        skipped(format!(
            "SKIPPED {test}: {} not found (apt-get install qemu-system-arm, or set PUMPRIG_QEMU)",
            qemu.display()
        ));
        return None;
    }
    let elf = elf();
    if !elf.is_file() {
        skipped(format!(
            "SKIPPED {test}: board image {} not built (cargo build --release --manifest-path \
             boards/lm3s6965/Cargo.toml --target thumbv7m-none-eabi)",
            elf.display()
        ));
        return None;
    }
    Some(elf)
}

fn quickstart_text() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/quickstart.toml"),
    )
    .unwrap()
}

/// The quickstart, 30 s long: LETDOWN at 10 s starts expression, the stop comes at 25 s; check
/// windows moved to match.
fn short_quickstart() -> String {
    let q = quickstart_text();
    let q = q.replace("duration_s = 240.0", "duration_s = 30.0");
    // A generous watchdog (ignored in-process): QEMU on a busy machine can stall for a second.
    let q = q.replace(
        "kind = \"reference\"",
        "kind = \"reference\"\ntimeout_ms = 10000",
    );
    let q = q.replace(
        "zoom_window_s = [125.0, 130.0]",
        "zoom_window_s = [12.0, 17.0]",
    );
    let q = q.replace("at_s = 230.0", "at_s = 25.0");
    let q = q.replace(
        "[[events]]\nat_s = 25.0",
        "[[events]]\nat_s = 10.0\npress = \"letdown\"\n\n[[events]]\nat_s = 25.0",
    );
    let q = q.replace("window_s = [10.0, 118.0]", "window_s = [2.0, 9.9]");
    q.replace("window_s = [130.0, 228.0]", "window_s = [13.0, 24.9]")
}

fn run_both(name: &str, text: &str, elf: &Path) -> (PathBuf, PathBuf) {
    let root = std::env::temp_dir().join(format!("pumprig-qemu-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let file = root.join(format!("{name}.toml"));
    std::fs::write(&file, text).unwrap();
    let in_process = scenario::load(&file).unwrap();
    let mut on_board: LoadedScenario = in_process.clone();
    on_board.scenario.controller.kind = format!("qemu:{}", elf.display());
    let a = root.join("in-process");
    let b = root.join("qemu");
    let done_a = session::run_to_dir(&in_process, &a).unwrap();
    let done_b = session::run_to_dir(&on_board, &b).unwrap();
    assert!(done_a.passed(), "{:?}", done_a.metrics.checks);
    assert_eq!(done_a.metrics, done_b.metrics, "metrics differ");
    (a, b)
}

fn assert_same_csv(a: &Path, b: &Path) {
    let ca = std::fs::read(a.join("timeseries.csv")).unwrap();
    let cb = std::fs::read(b.join("timeseries.csv")).unwrap();
    assert!(ca.len() > 1000);
    if ca != cb {
        let line = ca
            .split(|&c| c == b'\n')
            .zip(cb.split(|&c| c == b'\n'))
            .position(|(x, y)| x != y);
        panic!("timeseries.csv differs between in-process and QEMU, first at line {line:?}");
    }
}

#[test]
fn quickstart_through_qemu_equals_the_in_process_run_byte_for_byte() {
    let Some(elf) = board_image("quickstart_through_qemu_equals_the_in_process_run") else {
        return;
    };
    let text = short_quickstart();
    assert!(text.contains("press = \"letdown\"") && text.contains("duration_s = 30.0"));
    assert!(text.contains("timeout_ms = 10000"));
    let (a, b) = run_both("quickstart-short", &text, &elf);
    assert_same_csv(&a, &b);
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(b.join("record.json")).unwrap()).unwrap();
    assert_eq!(record["controller"]["adapter"], "qemu");
    assert_eq!(record["controller"]["name"], "pumprig-reference");
    let health = &record["link_health"];
    assert_eq!(health["round_trip_us"]["count"], 30_000);
    for counter in [
        "crc_errors",
        "cobs_errors",
        "malformed_frames",
        "board_resets",
    ] {
        assert_eq!(health[counter], 0, "{counter}");
    }
    if std::env::var_os("PUMPRIG_QEMU_FULL").is_some() {
        let (a, b) = run_both("quickstart", &quickstart_text(), &elf);
        assert_same_csv(&a, &b);
    }
}

/// Children of the calling thread (Linux), to see that QEMU was reaped.
#[cfg(target_os = "linux")]
fn my_children() -> String {
    std::fs::read_to_string("/proc/thread-self/children").unwrap_or_default()
}

#[cfg(target_os = "linux")]
#[test]
fn qemu_is_stopped_after_an_error_and_after_a_panic() {
    let Some(elf) = board_image("qemu_is_stopped_after_an_error_and_after_a_panic") else {
        return;
    };
    assert_eq!(my_children().trim(), "");
    // The handshake refuses the board (it runs at 1000 Hz, the rig expects 500): QEMU goes.
    let err = SerialController::launch_qemu(&elf, SerialOptions::new(500))
        .err()
        .expect("tick rate mismatch");
    assert!(matches!(err, ControllerError::Settings(_)), "{err}");
    assert_eq!(my_children().trim(), "", "QEMU left running after an error");
    // A panic while the board is up: the guard stops QEMU during unwinding.
    let result = std::panic::catch_unwind(|| {
        let mut c = SerialController::launch_qemu(&elf, SerialOptions::new(1000)).unwrap();
        assert!(!my_children().trim().is_empty(), "QEMU runs");
        c.step(&pumprig::controller::SensorFrame::default())
            .unwrap();
        panic!("deliberate");
    });
    assert!(result.is_err());
    assert_eq!(my_children().trim(), "", "QEMU left running after a panic");
    // Dropping a running QEMU kills and reaps it.
    let board = QemuBoard::launch(&elf, Duration::from_secs(10)).unwrap();
    let pid = board.pid();
    drop(board);
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "QEMU {pid} not reaped"
    );
}

#[test]
fn real_time_through_qemu_accounts_for_every_tick() {
    let Some(elf) = board_image("real_time_through_qemu_accounts_for_every_tick") else {
        return;
    };
    // Two seconds at 1× wall clock; whether a tick makes its deadline depends on the machine,
    // so only the accounting is asserted: every tick is answered in time or counted as a miss.
    let text = format!(
        "name = \"rt\"\nduration_s = 2.0\n[controller]\nkind = \"qemu:{}\"\nmode = \"real-time\"\n\
         timeout_ms = 10000\n[plant.kit]\nshields = 2\n[[events]]\nat_s = 0.1\npress = \"power\"\n",
        elf.display()
    );
    let sc = scenario::load_str(Path::new("rt.toml"), &text).unwrap();
    let mut c = session::build_controller(&sc).unwrap();
    let outcome = pumprig::runner::run(&sc, &mut *c, &mut Vec::new()).unwrap();
    let h = outcome.link.unwrap();
    assert_eq!(h.mode, "real-time");
    assert_eq!(h.round_trip_us.count + h.deadline_misses, 2000, "{h:?}");
    assert_eq!(h.send_lateness_us.count, 2000);
    assert_eq!((h.resyncs, h.board_resets, h.resends), (0, 0, 0), "{h:?}");
}
