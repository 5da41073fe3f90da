//! The QEMU board: starts `qemu-system-arm -M lm3s6965evb` on a board image (ELF) with its UART0
//! on a pseudo-terminal, finds that pty's path in QEMU's output, and stops QEMU when dropped —
//! on success, on error and on panic alike (a [`Drop`] guard; `kill` then `wait`, so no zombie).
//!
//! The QEMU binary is `qemu-system-arm` on the `PATH`, or the one `PUMPRIG_QEMU` names.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::controller::ControllerError;

/// Environment variable naming the QEMU binary to use instead of `qemu-system-arm`.
pub const QEMU_ENV: &str = "PUMPRIG_QEMU";

/// The QEMU binary: `$PUMPRIG_QEMU`, else `qemu-system-arm`.
pub fn qemu_binary() -> PathBuf {
    std::env::var_os(QEMU_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("qemu-system-arm"))
}

/// A running QEMU with the board image; killed and reaped when dropped.
pub struct QemuBoard {
    child: Child,
    pty: PathBuf,
    /// QEMU's last lines of output (for messages when it dies).
    log: Arc<Mutex<Vec<String>>>,
}

impl QemuBoard {
    /// Starts QEMU on `elf` and waits (at most `timeout`, wall clock) for it to name its pty.
    pub fn launch(elf: &Path, timeout: Duration) -> Result<Self, ControllerError> {
        if !elf.is_file() {
            return Err(ControllerError::Load(format!(
                "board image {} does not exist: build it with `cargo build --release \
                 --manifest-path boards/lm3s6965/Cargo.toml`",
                elf.display()
            )));
        }
        let qemu = qemu_binary();
        let mut child = Command::new(&qemu)
            .args(["-M", "lm3s6965evb", "-display", "none", "-monitor", "none"])
            .args(["-serial", "pty", "-kernel"])
            .arg(elf)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                ControllerError::Load(format!(
                    "cannot start {} for board image {}: {e}{}",
                    qemu.display(),
                    elf.display(),
                    if e.kind() == std::io::ErrorKind::NotFound {
                        " (install it: `apt-get install qemu-system-arm`, or name it in PUMPRIG_QEMU)"
                    } else {
                        ""
                    }
                ))
            })?;
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        // QEMU says "char device redirected to /dev/pts/N (label serial0)"; read both streams
        // to their end on threads, so QEMU never blocks on a full pipe.
        let stdout = child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>);
        let stderr = child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>);
        for stream in [stdout, stderr].into_iter().flatten() {
            let (tx, log) = (tx.clone(), Arc::clone(&log));
            let _ = std::thread::Builder::new()
                .name("pumprig-qemu-output".into())
                .spawn(move || {
                    for line in BufReader::new(stream).lines().map_while(Result::ok) {
                        if let Some(path) = pty_path(&line) {
                            let _ = tx.send(path);
                        }
                        let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
                        if log.len() >= 20 {
                            log.remove(0);
                        }
                        log.push(line);
                    }
                });
        }
        drop(tx);
        let mut board = QemuBoard {
            child,
            pty: PathBuf::new(),
            log,
        };
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left.min(Duration::from_millis(50))) {
                Ok(path) => {
                    board.pty = path;
                    return Ok(board);
                }
                Err(mpsc::RecvTimeoutError::Timeout) if !left.is_zero() => {
                    if let Ok(Some(status)) = board.child.try_wait() {
                        return Err(board.died(&format!("QEMU exited ({status})")));
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    return Err(board.died(&format!(
                        "QEMU did not name its serial pty within {:.1} s",
                        timeout.as_secs_f64()
                    )));
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let _ = board.child.wait();
                    return Err(board.died("QEMU closed its output without naming a serial pty"));
                }
            }
        }
    }

    /// The pty QEMU's UART0 is on.
    pub fn pty(&self) -> &Path {
        &self.pty
    }

    /// QEMU's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// If QEMU has exited: why, with its last output.
    pub fn exit_report(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(self.with_log(&format!("QEMU exited ({status})"))),
            _ => None,
        }
    }

    fn died(&self, what: &str) -> ControllerError {
        ControllerError::Connect(self.with_log(what))
    }

    fn with_log(&self, what: &str) -> String {
        let log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        if log.is_empty() {
            what.to_owned()
        } else {
            format!("{what}; its output: {}", log.join(" | "))
        }
    }
}

impl Drop for QemuBoard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The pty path in QEMU's "char device redirected to /dev/pts/3 (label serial0)".
fn pty_path(line: &str) -> Option<PathBuf> {
    let rest = line.split("redirected to ").nth(1)?;
    let path = rest.split_whitespace().next()?;
    path.starts_with('/').then(|| PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_pty_in_qemus_line() {
        assert_eq!(
            pty_path("char device redirected to /dev/pts/7 (label serial0)"),
            Some(PathBuf::from("/dev/pts/7"))
        );
        assert_eq!(pty_path("qemu-system-arm: warning: something"), None);
    }
}
