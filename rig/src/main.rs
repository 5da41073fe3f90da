//! The `pumprig` command line: a thin layer over the library that maps outcomes to exit codes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use pumprig::controller::ControllerKind;
use pumprig::exit_code;
use pumprig::scenario::{self, LoadedScenario};
use pumprig::session::{self, SessionError};
use pumprig::sweep;

#[derive(Parser)]
#[command(
    name = "pumprig",
    version,
    about = "Hardware-in-the-loop simulator and test rig for breast-pump firmware",
    long_about = "Runs pump firmware in lockstep against a physical model of the pump, kit, shield and \
breast, and checks the suction it produces.\n\n\
A scenario file (TOML, see docs/scenarios.md) names the plant, the controller and its settings, a \
timeline of button presses and faults, and the checks to apply.\n\n\
Exit codes: 0 every check passed; 1 a check failed or the run hit a fault; 2 bad input or usage \
(nothing is written).",
    after_help = "Examples:\n  pumprig run scenarios/quickstart.toml            # writes results/quickstart/\n  \
pumprig run scenarios/bench-session.toml --out /tmp/bench --seed 7\n  \
pumprig check scenarios/leak-onset.toml          # validate only\n  \
pumprig sweep scenarios/sweep-vacuum.toml        # every case of its [sweep], in parallel\n  \
pumprig report results/quickstart                # one HTML page: checks, plots, identity"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario: write timeseries.csv, record.json and plots, then report the checks.
    Run {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// Output directory [default: results/<scenario name>]. Replaced as a whole when the run
        /// completes; left untouched if it fails.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Seed for the plant's noise, overriding the scenario's `seed`.
        #[arg(long, value_name = "N")]
        seed: Option<u64>,
        /// Controller overriding the scenario's `controller.kind`: `reference`; `cabi:PATH` for C
        /// firmware built as a shared library; `qemu:PATH` for a board image (ELF) run in QEMU;
        /// `serial:DEVICE` for a bench board (PATHs relative to the current directory).
        #[arg(long, value_name = "KIND")]
        controller: Option<String>,
        /// Run C firmware (`cabi:`) inside pumprig's own process instead of a child process
        /// (`controller.isolation = "in-process"`): a little faster, but a crash in the firmware
        /// ends pumprig.
        #[arg(long)]
        in_process: bool,
    },
    /// Validate a scenario (syntax, keys, units, ranges, checks) without running it.
    Check {
        /// Scenario file (TOML).
        scenario: PathBuf,
    },
    /// Run a scenario's `[sweep]`: every case (or a shard of them) in parallel, each into
    /// DIR/cases/<id>/, then summary.csv, summary.md and junit.xml in case order.
    #[command(
        after_help = "Examples:\n  pumprig sweep scenarios/sweep-vacuum.toml --jobs 2\n  \
pumprig sweep scenarios/sweep-vacuum.toml --shard 1/2 --out results/shard-1\n  \
pumprig sweep scenarios/sweep-vacuum.toml --case vacuum_mmhg=150 --plots\n\n\
Exit codes: 0 every case passed; 1 a case failed a check or hit a fault; 2 bad input (nothing run)."
    )]
    Sweep {
        /// Scenario file (TOML) with a [sweep] table.
        scenario: PathBuf,
        /// Sweep directory [default: results/<scenario name>-sweep, or
        /// results/<scenario name>-sweep-K-of-N for a shard]. Replaced as a whole when the sweep
        /// completes.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Cases run at once [default: the number of CPUs].
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        jobs: Option<u32>,
        /// Run only shard K of N (case i belongs to shard i mod N + 1); merge the shards'
        /// directories with `pumprig merge`.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        /// Run only the cases matching FILTER: comma-separated terms, each a `key=value` of the
        /// case (short key as in the id, or the full key path), the case id or its hash. May be
        /// repeated (a case matching any runs).
        #[arg(long = "case", value_name = "FILTER")]
        cases: Vec<String>,
        /// Also write each case's timeseries.csv and plots (slower; by default a case writes
        /// record.json only).
        #[arg(long)]
        plots: bool,
        /// Also write each case's timeseries.csv (without plots).
        #[arg(long)]
        timeseries: bool,
    },
    /// Merge the directories of a sweep's shards into one whose summaries equal the unsharded
    /// sweep's, byte for byte.
    Merge {
        /// Shard directories written by `pumprig sweep --shard K/N`.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// The merged directory.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Run one scenario per target of CALIBRATION.md (scenarios/calibration/) and write a table of
    /// target, band, simulated value and pass (calibration.md and calibration.csv).
    Calibrate {
        /// Output directory [default: results/calibration].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Directory of the calibration scenarios.
        #[arg(long, value_name = "DIR", default_value = "scenarios/calibration")]
        scenarios: PathBuf,
        /// Threads [default: the machine's cores].
        #[arg(long, value_name = "N")]
        jobs: Option<usize>,
        /// Only these groups of targets, by letter: S, P, M, H, R (e.g. `--only PH`).
        #[arg(long, value_name = "GROUPS")]
        only: Option<String>,
    },
    /// Write one self-contained HTML page (inline SVG and CSS, no scripts, nothing fetched) for a
    /// run, sweep or `pumprig compare` directory: scenario, controller, checks, plots, baseline.
    #[command(
        after_help = "Examples:\n  pumprig report results/quickstart                 # -> results/quickstart/report.html\n  \
pumprig report results/sweep-fit-sweep --out fit.html\n  \
chromium --headless --no-sandbox --print-to-pdf=report.pdf results/quickstart/report.html\n\n\
Exit codes: 0 the page was written (whatever the run's outcome); 1 writing it failed; 2 DIR is \
not a run, sweep or compare directory, or a file in it is unreadable (nothing written)."
    )]
    Report {
        /// A run directory (record.json), a sweep directory (sweep.json) or a `pumprig compare`
        /// output directory (compare.md or compare.html).
        dir: PathBuf,
        /// The HTML file to write [default: DIR/report.html].
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Golden baselines: keep a run as the reference that a scenario's `[baseline]` compares
    /// later runs with (docs/ci.md, "Golden baselines").
    Baseline {
        #[command(subcommand)]
        action: BaselineAction,
    },
    /// Overlay plots of signals across runs and a table of their metric differences
    /// (compare.md, compare.html).
    #[command(after_help = "Examples:\n  \
pumprig compare results/quickstart results/c-firmware\n  \
pumprig compare results/a results/b --signals vacuum_left_nipple_mmhg,motor_duty_pct --align cycle --out results/a-vs-b\n\n\
Exit codes: 0 written; 2 bad input (a run directory without record.json or timeseries.csv, an unknown signal).")]
    Compare(pumprig::compare::CompareArgs),
    /// Internal: serves C firmware to an isolated `cabi:` controller over stdin/stdout.
    #[command(name = "__cabi-worker", hide = true)]
    CabiWorker {
        /// The C firmware's shared library.
        library: PathBuf,
    },
}

#[derive(Subcommand)]
enum BaselineAction {
    /// Copy a run's timeseries.csv and record.json into DIR (replaced as a whole) with a
    /// manifest.json naming the run, scenario and controller; commit DIR and name it in the
    /// scenario's `[baseline] dir`.
    #[command(
        after_help = "Example:\n  pumprig run scenarios/quickstart.toml && pumprig baseline save results/quickstart scenarios/baselines/quickstart\n\n\
Exit codes: 0 saved; 2 RUN is not a run directory or has no timeseries.csv, or DIR is not a baseline directory (nothing written)."
    )]
    Save {
        /// A run directory (`pumprig run`, or a sweep case run with --timeseries).
        run: PathBuf,
        /// The baseline directory to write.
        dir: PathBuf,
    },
}

fn load(path: &Path) -> Result<LoadedScenario, ExitCode> {
    scenario::load(path).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(exit_code::BAD_INPUT as u8)
    })
}

fn code(c: i32) -> ExitCode {
    ExitCode::from(c as u8)
}

/// The end of a sweep or merge: the failures, a count line, the exit code.
fn report_sweep(tally: &sweep::Tally, failed: &[sweep::CaseRow], dir: &Path) -> ExitCode {
    for r in failed {
        match &r.error {
            Some(e) => println!("{} case {} {}: {e}", r.outcome.label(), r.index + 1, r.id),
            None => println!("{} case {} {}", r.outcome.label(), r.index + 1, r.id),
        }
        for c in r.checks.iter().filter(|c| !c.pass) {
            println!("    {}", c.message);
        }
    }
    let shown = failed.len();
    if tally.fail + tally.error > shown {
        println!(
            "… and {} more failed case(s): see {}",
            tally.fail + tally.error - shown,
            dir.join("summary.md").display()
        );
    }
    println!(
        "{} case(s): {} passed ({} marginal), {} failed, {} error(s); wrote {}",
        tally.cases,
        tally.pass + tally.marginal,
        tally.marginal,
        tally.fail,
        tally.error,
        dir.display()
    );
    code(if tally.passed() {
        exit_code::OK
    } else {
        exit_code::FAILED
    })
}

fn sweep_error(e: &sweep::SweepError) -> ExitCode {
    eprintln!("error: {e}");
    code(if e.is_bad_input() {
        exit_code::BAD_INPUT
    } else {
        exit_code::FAILED
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Sweep {
            scenario,
            out,
            jobs,
            shard,
            cases,
            plots,
            timeseries,
        } => {
            let shard = match shard.map(|s| s.parse::<sweep::Shard>()).transpose() {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("error: --shard {e}");
                    return code(exit_code::BAD_INPUT);
                }
            };
            let loaded = match load(&scenario) {
                Ok(l) => l,
                Err(c) => return c,
            };
            let prepared = match sweep::prepare(&loaded, shard, &cases) {
                Ok(p) => p,
                Err(e) => return sweep_error(&e),
            };
            let out = out.unwrap_or_else(|| {
                let name = match shard {
                    Some(s) => format!("{}-sweep-{}-of-{}", loaded.scenario.name, s.k, s.n),
                    None => format!("{}-sweep", loaded.scenario.name),
                };
                PathBuf::from("results").join(name)
            });
            let jobs = jobs.map_or_else(
                || std::thread::available_parallelism().map_or(1, |n| n.get()),
                |j| j as usize,
            );
            let options = sweep::SweepOptions {
                jobs,
                outputs: session::OutputOptions {
                    timeseries: timeseries || plots,
                    plots,
                },
            };
            let progress = sweep::ConsoleProgress::new();
            match sweep::run(
                &prepared.plan,
                &prepared.cases,
                &prepared.manifest,
                &out,
                options,
                &progress,
            ) {
                Ok(done) => report_sweep(&done.tally, &done.failed, &done.dir),
                Err(e) => sweep_error(&e),
            }
        }
        Command::Merge { dirs, out } => match sweep::merge(&dirs, &out) {
            Ok(done) => report_sweep(&done.tally, &done.failed, &done.dir),
            Err(e) => sweep_error(&e),
        },
        Command::Report { dir, out } => match pumprig::report::write(&dir, out.as_deref()) {
            Ok(path) => {
                println!("wrote {}", path.display());
                code(exit_code::OK)
            }
            Err(e) => {
                eprintln!("error: {e}");
                code(if e.is_bad_input() {
                    exit_code::BAD_INPUT
                } else {
                    exit_code::FAILED
                })
            }
        },
        Command::Baseline {
            action: BaselineAction::Save { run, dir },
        } => code(pumprig::baseline::save_command(&run, &dir)),
        Command::Compare(args) => code(pumprig::compare::command(&args)),
        Command::CabiWorker { library } => {
            ExitCode::from(pumprig::controller::serve_worker(&library) as u8)
        }
        Command::Calibrate {
            out,
            scenarios,
            jobs,
            only,
        } => {
            let jobs =
                jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
            let rows = match pumprig::calibrate::run(&scenarios, jobs, only.as_deref()) {
                Ok(rows) => rows,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(exit_code::BAD_INPUT as u8);
                }
            };
            let out = out.unwrap_or_else(|| PathBuf::from("results/calibration"));
            let md = pumprig::calibrate::markdown(&rows);
            let write = std::fs::create_dir_all(&out)
                .and_then(|()| std::fs::write(out.join("calibration.md"), &md))
                .and_then(|()| {
                    std::fs::write(out.join("calibration.csv"), pumprig::calibrate::csv(&rows))
                });
            if let Err(e) = write {
                eprintln!("error: writing {}: {e}", out.display());
                return ExitCode::from(exit_code::FAILED as u8);
            }
            print!("{md}");
            let ok = rows.iter().all(|r| r.pass);
            ExitCode::from(if ok { exit_code::OK } else { exit_code::FAILED } as u8)
        }
        Command::Check { scenario } => {
            let loaded = match load(&scenario) {
                Ok(l) => l,
                Err(code) => return code,
            };
            // C firmware is checked (loaded, ABI verified) when its library exists; one not built
            // yet is a note, not an error: the scenario itself is valid.
            let base_dir = scenario.parent().unwrap_or(Path::new(""));
            let parsed = ControllerKind::parse(&loaded.scenario.controller.kind, base_dir);
            let unbuilt = match &parsed {
                Ok(ControllerKind::Cabi(lib)) if !lib.exists() => Some(lib.clone()),
                _ => None,
            };
            if let Ok(ControllerKind::Qemu(_) | ControllerKind::Serial(_)) = &parsed {
                // A board is not contacted by `check` (that would start QEMU or talk to hardware).
                eprintln!(
                    "note: {}: the board is not contacted by `check`; `pumprig run` connects to it",
                    scenario.display()
                );
                if let Ok(ControllerKind::Qemu(elf)) = &parsed
                    && !elf.is_file()
                {
                    eprintln!(
                        "note: {}: the board image {} does not exist yet; build it before `pumprig run`",
                        scenario.display(),
                        elf.display()
                    );
                }
            } else if let Some(lib) = unbuilt {
                eprintln!(
                    "note: {}: the C firmware library {} does not exist yet; build it before `pumprig run`",
                    scenario.display(),
                    lib.display()
                );
            } else if let Err(e) = session::build_controller(&loaded) {
                eprintln!("error: {}: {e}", scenario.display());
                return ExitCode::from(exit_code::BAD_INPUT as u8);
            }
            // A sweep's every case is checked too.
            let sweep_note = match sweep::SweepPlan::from_scenario(&loaded) {
                Ok(None) => String::new(),
                Ok(Some(plan)) => {
                    if let Err(e) = plan.validate(plan.cases()) {
                        eprintln!("error: {e}");
                        return code(exit_code::BAD_INPUT);
                    }
                    format!(", a sweep of {} case(s)", plan.len())
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    return code(exit_code::BAD_INPUT);
                }
            };
            let sc = &loaded.scenario;
            println!(
                "{}: ok — \"{}\", {} s at {} Hz, {} shield(s), {} event(s), {} check(s){sweep_note}",
                scenario.display(),
                sc.name,
                sc.duration_s,
                sc.tick_hz,
                sc.plant.kit.shields,
                loaded.timeline.len(),
                sc.checks.len()
            );
            ExitCode::from(exit_code::OK as u8)
        }
        Command::Run {
            scenario,
            out,
            seed,
            controller,
            in_process,
        } => {
            let mut loaded = match load(&scenario) {
                Ok(l) => l,
                Err(code) => return code,
            };
            if let Some(seed) = seed {
                loaded = loaded.with_seed(seed);
            }
            if let Some(kind) = controller {
                // A relative `cabi:` path on the command line is relative to the current directory.
                let cwd = std::env::current_dir().unwrap_or_default();
                match ControllerKind::parse(&kind, &cwd) {
                    Ok(parsed) => loaded.scenario.controller.kind = parsed.to_kind_string(),
                    Err(e) => {
                        eprintln!("error: --controller {kind}: {e}");
                        return ExitCode::from(exit_code::BAD_INPUT as u8);
                    }
                }
            }
            if in_process {
                loaded.scenario.controller.isolation = "in-process".into();
            }
            let out = out.unwrap_or_else(|| PathBuf::from("results").join(&loaded.scenario.name));
            if loaded.scenario.course.is_some() {
                return run_course(&loaded, &out);
            }
            match session::run_to_dir(&loaded, &out) {
                Ok(done) => {
                    for c in &done.metrics.checks {
                        let label = match (c.pass, c.marginal) {
                            (false, _) => "FAIL",
                            (true, true) => "MARGINAL",
                            (true, false) => "PASS",
                        };
                        println!("{label} {}", c.message);
                    }
                    let failed = done.metrics.checks.iter().filter(|c| !c.pass).count();
                    let marginal = match done.metrics.marginal_count() {
                        0 => String::new(),
                        n => format!(" ({n} marginal)"),
                    };
                    println!(
                        "{}: {} check(s), {} failed{marginal}; wrote {}",
                        loaded.scenario.name,
                        done.metrics.checks.len(),
                        failed,
                        done.dir.display()
                    );
                    ExitCode::from(if failed == 0 {
                        exit_code::OK
                    } else {
                        exit_code::FAILED
                    } as u8)
                }
                Err(e) => {
                    let (what, code) = match e {
                        _ if e.is_bad_input() => ("bad input", exit_code::BAD_INPUT),
                        SessionError::Run(_) => ("run failed", exit_code::FAILED),
                        _ => ("could not write the run", exit_code::FAILED),
                    };
                    eprintln!(
                        "error: {what}: {e}; nothing was written to {}",
                        out.display()
                    );
                    ExitCode::from(code as u8)
                }
            }
        }
    }
}

/// `pumprig run` on a scenario with a `[course]`: one line per day on stderr, checks on stdout.
fn run_course(loaded: &LoadedScenario, out: &Path) -> ExitCode {
    let mut day = 0;
    let mut day_ml = 0.0;
    let report = |day: u32, ml: f64| eprintln!("day {day:>3}: {ml:8.1} mL removed");
    let result = pumprig::course::run_course_to_dir(loaded, out, |s| {
        if s.day != day {
            if day > 0 {
                report(day, day_ml);
            }
            day = s.day;
            day_ml = 0.0;
        }
        day_ml += s.removed_total_ml();
    });
    match result {
        Ok(done) => {
            if day > 0 {
                report(day, day_ml);
            }
            for c in &done.checks {
                println!("{} {}", if c.pass { "PASS" } else { "FAIL" }, c.message);
            }
            let failed_sessions = done
                .run
                .sessions
                .iter()
                .filter(|s| s.checks_failed > 0)
                .count();
            if failed_sessions > 0 {
                println!(
                    "FAIL {failed_sessions} pump session(s) failed the scenario's own checks (see sessions.csv)"
                );
            }
            println!(
                "{}: {} day(s), {} session(s), {} course check(s), {} failed; wrote {}",
                loaded.scenario.name,
                done.run.days.len(),
                done.run.sessions.len(),
                done.checks.len(),
                done.checks.iter().filter(|c| !c.pass).count(),
                done.dir.display()
            );
            ExitCode::from(if done.passed() {
                exit_code::OK
            } else {
                exit_code::FAILED
            } as u8)
        }
        Err(e) => {
            use pumprig::course::CourseOutputError as E;
            let (what, code) = match e {
                E::OutputPath { .. } => ("bad input", exit_code::BAD_INPUT),
                E::Course(pumprig::course::CourseError::Controller { .. }) => {
                    ("bad input", exit_code::BAD_INPUT)
                }
                E::Course(_) => ("run failed", exit_code::FAILED),
                E::Io { .. } | E::Plot(_) => ("could not write the run", exit_code::FAILED),
            };
            eprintln!(
                "error: {what}: {e}; nothing was written to {}",
                out.display()
            );
            ExitCode::from(code as u8)
        }
    }
}
