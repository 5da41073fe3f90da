//! A run directory that appears complete or not at all: files are written into a hidden staging
//! directory beside the target, which is renamed into place only after everything succeeded. A
//! crashed run leaves at most a `.NAME.partial-PID` directory, never a half-written `NAME`.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// A staging directory for one run.
pub struct StagedDir {
    staging: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl StagedDir {
    /// Checks that `target` can become a run directory, without touching anything: it names a
    /// directory (not `.` or `/`), and is not an existing non-directory.
    pub fn check_target(target: &Path) -> io::Result<()> {
        if target.file_name().is_none() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the output path must name a directory to create or replace (not `.`, `..` or `/`)",
            ));
        }
        if target.exists() && !target.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "the output path exists and is not a directory",
            ));
        }
        Ok(())
    }

    pub fn create(target: &Path) -> io::Result<Self> {
        Self::check_target(target)?;
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent)?;
        let name = target
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        sweep_stale(&parent, &name);
        let staging = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if staging.exists() {
            fs::remove_dir_all(&staging)?;
        }
        fs::create_dir(&staging)?;
        Ok(Self {
            staging,
            target: target.to_path_buf(),
            committed: false,
        })
    }

    /// Where to write files now.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// Moves the finished directory into place, replacing an earlier run of the same name.
    pub fn commit(mut self) -> io::Result<PathBuf> {
        if self.target.exists() {
            let old = self.staging.with_file_name(format!(
                ".{}.old-{}",
                self.target
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy(),
                std::process::id()
            ));
            if old.exists() {
                fs::remove_dir_all(&old)?;
            }
            fs::rename(&self.target, &old)?;
            if let Err(e) = fs::rename(&self.staging, &self.target) {
                // Put the earlier run back rather than leave nothing.
                let _ = fs::rename(&old, &self.target);
                return Err(e);
            }
            // The new run is in place; failing to delete the old one does not undo that.
            let _ = fs::remove_dir_all(&old);
        } else {
            fs::rename(&self.staging, &self.target)?;
        }
        self.committed = true;
        Ok(self.target.clone())
    }
}

/// Removes `.NAME.partial-PID` and `.NAME.old-PID` directories left by runs that were killed
/// (their process no longer exists).
fn sweep_stale(parent: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        let pid = [".partial-", ".old-"].iter().find_map(|tag| {
            file_name
                .strip_prefix(&format!(".{name}{tag}"))
                .and_then(|p| p.parse::<u32>().ok())
        });
        if let Some(pid) = pid {
            let alive = pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists();
            if !alive {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_appears_until_commit_and_a_dropped_stage_leaves_nothing() {
        let root = std::env::temp_dir().join(format!("pumprig-rundir-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let target = root.join("run");
        {
            let s = StagedDir::create(&target).unwrap();
            fs::write(s.path().join("a.txt"), "x").unwrap();
            assert!(!target.exists());
        }
        assert!(!target.exists());
        assert_eq!(
            fs::read_dir(&root).unwrap().count(),
            0,
            "staging removed on drop"
        );
        let s = StagedDir::create(&target).unwrap();
        fs::write(s.path().join("a.txt"), "1").unwrap();
        s.commit().unwrap();
        let s = StagedDir::create(&target).unwrap();
        fs::write(s.path().join("b.txt"), "2").unwrap();
        s.commit().unwrap();
        assert!(
            !target.join("a.txt").exists(),
            "an earlier run is replaced, not merged"
        );
        assert_eq!(fs::read_to_string(target.join("b.txt")).unwrap(), "2");
        assert_eq!(fs::read_dir(&root).unwrap().count(), 1);
        // A file where the run should go is refused before anything is written.
        let file = root.join("afile");
        fs::write(&file, "keep me").unwrap();
        assert!(StagedDir::create(&file).is_err());
        assert_eq!(fs::read_to_string(&file).unwrap(), "keep me");
        assert!(StagedDir::check_target(Path::new(".")).is_err());
        // Leftovers of a killed run (a PID that cannot exist) are swept on the next run.
        fs::create_dir(root.join(".run.partial-4294967295")).unwrap();
        StagedDir::create(&target).unwrap();
        assert!(!root.join(".run.partial-4294967295").exists());
        fs::remove_dir_all(&root).unwrap();
    }
}
