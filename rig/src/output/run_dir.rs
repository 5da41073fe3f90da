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
    pub fn create(target: &Path) -> io::Result<Self> {
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent)?;
        let name = target
            .file_name()
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "output path has no directory name",
                )
            })?
            .to_string_lossy()
            .into_owned();
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
            fs::rename(&self.staging, &self.target)?;
            fs::remove_dir_all(&old)?;
        } else {
            fs::rename(&self.staging, &self.target)?;
        }
        self.committed = true;
        Ok(self.target.clone())
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
        fs::remove_dir_all(&root).unwrap();
    }
}
