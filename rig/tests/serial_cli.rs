//! Serial controllers at the user's surfaces: scenario keys (`qemu:`/`serial:` kinds, mode,
//! baud, timeouts, link metrics) with file:line errors and did-you-mean, settings a board cannot
//! take refused naming each key, and the CLI's exit codes for a missing image, QEMU or device.

#[path = "support/cli.rs"]
mod cli;
use cli::scratch;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use pumprig::scenario;
use serialport::SerialPort;

fn pumprig(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pumprig"))
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("pumprig runs")
}

const BOARD: &str = r#"name = "board"
duration_s = 2.0

[controller]
kind = "qemu:board.elf"
mode = "lockstep"
timeout_ms = 500

[[events]]
at_s = 0.5
press = "power"

[[checks]]
name = "clean link"
metric = "link_crc_errors"
max = 0
unit = "count"
"#;

fn load_err(text: &str) -> String {
    match scenario::load_str(Path::new("board.toml"), text) {
        Ok(_) => panic!("should fail:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn board_kinds_and_keys_load() {
    let l = scenario::load_str(Path::new("board.toml"), BOARD).unwrap();
    let c = &l.scenario.controller;
    assert_eq!(c.kind, "qemu:board.elf");
    assert_eq!(
        (c.mode.as_str(), c.baud, c.timeout_ms),
        ("lockstep", 921_600, 500)
    );
    assert_eq!((c.startup_timeout_ms, c.resend_ms), (10_000, 100));
    let serial = BOARD.replace("qemu:board.elf", "serial:/dev/ttyUSB0") + "";
    let serial = serial.replace("mode = \"lockstep\"", "mode = \"real-time\"\nbaud = 115200");
    let l = scenario::load_str(Path::new("board.toml"), &serial).unwrap();
    assert_eq!(l.scenario.controller.mode, "real-time");
    assert_eq!(l.scenario.controller.baud, 115_200);
}

#[test]
fn a_mode_typo_is_located_and_corrected() {
    let m = load_err(&BOARD.replace("mode = \"lockstep\"", "mode = \"realtime\""));
    assert!(
        m.starts_with("board.toml:6:8: `controller.mode` = \"realtime\""),
        "{m}"
    );
    assert!(m.contains("did you mean `real-time`?"), "{m}");
}

#[test]
fn zero_timeouts_and_empty_paths_are_refused() {
    let m = load_err(&BOARD.replace("timeout_ms = 500", "timeout_ms = 0"));
    assert!(
        m.contains("board.toml:7:14: `controller.timeout_ms` = 0: must be greater than zero"),
        "{m}"
    );
    let m = load_err(&BOARD.replace("qemu:board.elf", "qemu:"));
    assert!(
        m.contains("`controller.kind` = \"qemu:\": `qemu:` needs the path of the board image"),
        "{m}"
    );
    let m = load_err(&BOARD.replace("qemu:board.elf", "qemo:board.elf"));
    assert!(
        m.contains("unknown controller kind; did you mean `qemu:`?"),
        "{m}"
    );
}

#[test]
fn settings_a_board_cannot_take_are_refused_naming_each_key() {
    let text = format!(
        "{BOARD}\n[controller.settings.expression]\nvacuum_mmhg = 200\n\
         [controller.settings.control]\nkp_permille_per_mmhg = 30\n"
    );
    let m = load_err(&text);
    assert!(
        m.contains(
            "`controller.settings.expression.vacuum_mmhg` = 200: differs from the firmware defaults"
        ),
        "{m}"
    );
    assert!(
        m.contains("`controller.settings.control.kp_permille_per_mmhg` = 30"),
        "{m}"
    );
    assert!(
        m.contains("a board runs the settings it was flashed with"),
        "{m}"
    );
    // The defaults stated explicitly (as the quickstart does) are fine.
    let text = format!("{BOARD}\n[controller.settings.expression]\nvacuum_mmhg = 190\n");
    scenario::load_str(Path::new("board.toml"), &text).unwrap();
}

#[test]
fn link_metrics_are_whole_run_counts_and_microseconds() {
    let m = load_err(&BOARD.replace("unit = \"count\"", "unit = \"frames\""));
    assert!(
        m.contains("link_crc_errors is measured in \"count\""),
        "{m}"
    );
    let m = load_err(&BOARD.replace("max = 0", "max = 0\nwindow_s = [0.0, 1.0]"));
    assert!(
        m.contains("link_crc_errors is a figure of the whole run; remove `window_s`"),
        "{m}"
    );
    let m = load_err(&BOARD.replace("max = 0", "max = 0\nat = \"left_nipple\""));
    assert!(m.contains("not measured at a location"), "{m}");
    let p99 = BOARD
        .replace("link_crc_errors", "link_round_trip_p99")
        .replace("unit = \"count\"", "unit = \"us\"");
    scenario::load_str(Path::new("board.toml"), &p99).unwrap();
    let m = load_err(&BOARD.replace("link_crc_errors", "link_crc_error"));
    assert!(
        m.contains("for a board on a serial link also link_crc_errors"),
        "{m}"
    );
}

#[test]
fn a_missing_board_image_is_bad_input_and_writes_nothing() {
    let d = scratch("missing-elf");
    let file = d.join("board.toml");
    fs::write(&file, BOARD).unwrap();
    let out = d.join("out");
    let o = pumprig(
        &[
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("board image") && err.contains("board.elf") && err.contains("does not exist"),
        "{err}"
    );
    assert!(!out.exists());
    // `check` does not contact a board.
    let o = pumprig(&["check", file.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not contacted by `check`"));
}

#[test]
fn a_missing_qemu_is_bad_input_saying_how_to_install_it() {
    let d = scratch("no-qemu");
    let elf = d.join("board.elf");
    fs::write(&elf, b"not really an ELF").unwrap();
    let file = d.join("board.toml");
    fs::write(&file, BOARD).unwrap();
    let o = pumprig(
        &[
            "run",
            file.to_str().unwrap(),
            "--out",
            d.join("out").to_str().unwrap(),
        ],
        &[("PUMPRIG_QEMU", "/nonexistent/qemu-system-arm")],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("cannot start /nonexistent/qemu-system-arm"),
        "{err}"
    );
    assert!(err.contains("apt-get install qemu-system-arm"), "{err}");
}

#[test]
fn a_missing_serial_device_is_bad_input() {
    let d = scratch("no-device");
    let file = d.join("board.toml");
    fs::write(&file, BOARD).unwrap();
    let o = pumprig(
        &[
            "run",
            file.to_str().unwrap(),
            "--controller",
            "serial:/dev/pumprig-no-such-tty",
            "--out",
            d.join("out").to_str().unwrap(),
        ],
        &[],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("cannot open serial port /dev/pumprig-no-such-tty"),
        "{err}"
    );
}

#[test]
fn a_board_that_never_answers_fails_the_run_within_the_startup_timeout() {
    // A pty nobody answers on: the handshake sends Resets, then gives up (exit 1, a run fault).
    let (_quiet_end, device) = serialport::TTYPort::pair().unwrap();
    let name = device.name().unwrap();
    drop(device);
    let d = scratch("silent");
    let file = d.join("board.toml");
    fs::write(
        &file,
        BOARD.replace(
            "timeout_ms = 500",
            "timeout_ms = 500\nstartup_timeout_ms = 400",
        ),
    )
    .unwrap();
    let kind = format!("serial:{name}");
    let o = pumprig(
        &[
            "run",
            file.to_str().unwrap(),
            "--controller",
            &kind,
            "--out",
            d.join("out").to_str().unwrap(),
        ],
        &[],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("did not say Hello within 0.4 s"), "{err}");
    assert!(err.contains("startup_timeout_ms"), "{err}");
    assert!(!d.join("out").exists());
}

#[test]
fn a_board_on_the_command_line_still_refuses_settings_it_cannot_take() {
    // The scenario is valid for the reference firmware in-process; `--controller qemu:` makes it
    // a board run, and the board cannot take its settings: exit 2 before QEMU is started.
    let d = scratch("cli-settings");
    let file = d.join("fast.toml");
    fs::write(
        &file,
        "name = \"fast\"\nduration_s = 1.0\n[controller.settings.stimulation]\ncycles_per_min = 120\n",
    )
    .unwrap();
    let o = pumprig(
        &[
            "run",
            file.to_str().unwrap(),
            "--controller",
            "qemu:no-such.elf",
            "--out",
            d.join("out").to_str().unwrap(),
        ],
        &[],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("controller.settings.stimulation.cycles_per_min"),
        "{err}"
    );
    assert!(
        err.contains("a board runs the settings it was flashed with"),
        "{err}"
    );
    assert!(!d.join("out").exists());
}
