//! Running external programs with their command line shown first.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A program with its arguments and extra environment, kept as data so that plans can be
/// printed and tested before anything runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    pub program: String,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
}

impl Invocation {
    /// `program args...` with no extra environment.
    pub fn new(program: &str, args: &[&str]) -> Self {
        Self {
            program: program.to_string(),
            args: args.iter().map(|a| a.to_string()).collect(),
            env: Vec::new(),
        }
    }

    /// A command line of space-separated words (none of which contains a space).
    pub fn of(line: &str) -> Self {
        let words: Vec<&str> = line.split_whitespace().collect();
        Self::new(words[0], &words[1..])
    }

    /// The same with `key=value` in its environment.
    pub fn with_env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    /// The command line as a person would type it.
    pub fn display(&self) -> String {
        let env = self.env.iter().map(|(k, v)| format!("{k}={}", quote(v)));
        let command =
            std::iter::once(self.program.clone()).chain(self.args.iter().map(|a| quote(a)));
        env.chain(command).collect::<Vec<_>>().join(" ")
    }

    fn command(&self, dir: &Path) -> Command {
        let mut command = if self.program == "cargo" {
            // The cargo that runs xtask, not whichever is first on PATH.
            Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        } else {
            Command::new(&self.program)
        };
        command
            .args(&self.args)
            .current_dir(dir)
            .envs(self.env.iter().cloned());
        command
    }

    fn cannot_start(&self, e: std::io::Error) -> String {
        format!("could not start `{}`: {e}", self.display())
    }

    /// Runs with inherited output; `Err` names the command when it fails or cannot start.
    pub fn run(&self, dir: &Path) -> Result<(), String> {
        let status = self.command(dir).status();
        let status = status.map_err(|e| self.cannot_start(e))?;
        let failed = || format!("`{}` failed ({status})", self.display());
        status.success().then_some(()).ok_or_else(failed)
    }

    /// Runs and returns stdout, failing with stderr shown when the command fails.
    pub fn stdout(&self, dir: &Path) -> Result<String, String> {
        let mut command = self.command(dir);
        let output = command.stdin(Stdio::null()).output();
        let output = output.map_err(|e| self.cannot_start(e))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(format!(
                "`{}` failed ({}):\n{}",
                self.display(),
                output.status,
                stderr.trim_end()
            ));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// Spawns with stdout piped, for callers that read it line by line as it comes.
    pub fn spawn_piped(&self, dir: &Path) -> Result<Child, String> {
        let mut command = self.command(dir);
        command
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| self.cannot_start(e))
    }
}

/// Where cargo builds: `$CARGO_TARGET_DIR`, else `target/` in the workspace.
pub fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from)
}

fn quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@+".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("\"{arg}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_shows_environment_and_quotes_spaces() {
        let invocation =
            Invocation::of("cargo doc --no-deps").with_env("RUSTDOCFLAGS", "-D warnings");
        assert_eq!(
            invocation.display(),
            "RUSTDOCFLAGS=\"-D warnings\" cargo doc --no-deps"
        );
    }
}
