//! Sweep progress on the console: a progress bar when stderr is a terminal, plain lines (one per
//! finished case) when it is not, as in a CI log. Failures are printed either way.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::engine::Progress;
use super::row::{CaseRow, Outcome};

/// Progress for `pumprig sweep`, on stderr.
pub struct ConsoleProgress {
    bar: Option<ProgressBar>,
}

impl ConsoleProgress {
    /// A bar if stderr is a terminal, plain lines otherwise.
    pub fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(
                "{bar:40} {pos}/{len} cases  {msg}  [{elapsed_precise}, eta {eta}]",
            ) {
                bar.set_style(style);
            }
            bar
        });
        Self { bar }
    }
}

impl Default for ConsoleProgress {
    fn default() -> Self {
        Self::new()
    }
}

fn line(row: &CaseRow, done: usize, total: usize) -> String {
    let w = total.to_string().len();
    let mut s = format!("[{done:>w$}/{total}] {:<8} {}", row.outcome.label(), row.id);
    if let Some(e) = &row.error {
        s.push_str(&format!(": {e}"));
    }
    for c in row.checks.iter().filter(|c| !c.pass) {
        s.push_str(&format!("\n    {}", c.message));
    }
    s
}

impl Progress for ConsoleProgress {
    fn start(&self, cases: usize, jobs: usize) {
        match &self.bar {
            Some(bar) => bar.set_length(cases as u64),
            None => eprintln!("sweep: {cases} case(s) on {jobs} job(s)"),
        }
    }

    fn finished(&self, row: &CaseRow, done: usize, total: usize) {
        match &self.bar {
            Some(bar) => {
                if matches!(row.outcome, Outcome::Fail | Outcome::Error) {
                    bar.println(line(row, done, total));
                }
                bar.set_message(format!("last: {}", row.id));
                bar.inc(1);
            }
            None => eprintln!("{}", line(row, done, total)),
        }
    }

    fn end(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
