//! Running external programs with their command line shown first.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};

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
        // The cargo that runs xtask, not whichever is first on PATH.
        let cargo = std::env::var_os("CARGO").filter(|_| self.program == "cargo");
        let mut command = Command::new(cargo.unwrap_or_else(|| self.program.clone().into()));
        command
            .args(&self.args)
            .current_dir(dir)
            .envs(self.env.iter().cloned());
        command
    }

    fn cannot_start(&self, e: std::io::Error) -> String {
        format!("could not start `{}`: {e}", self.display())
    }

    /// The error for a run that ended with `status`.
    pub fn failed(&self, status: ExitStatus) -> String {
        format!("`{}` failed ({status})", self.display())
    }

    /// Runs with inherited output; `Err` names the command when it fails or cannot start.
    pub fn run(&self, dir: &Path) -> Result<(), String> {
        let status = self.command(dir).status();
        let status = status.map_err(|e| self.cannot_start(e))?;
        let failed = || self.failed(status);
        status.success().then_some(()).ok_or_else(failed)
    }

    /// Prints the command line after `prefix`, then [`run`](Self::run)s it.
    pub fn run_shown(&self, dir: &Path, prefix: &str) -> Result<(), String> {
        println!("{prefix}{}", self.display());
        self.run(dir)
    }

    /// Runs and returns stdout, failing with stderr shown when the command fails.
    pub fn stdout(&self, dir: &Path) -> Result<String, String> {
        let output = self.command(dir).stdin(Stdio::null()).output();
        let output = output.map_err(|e| self.cannot_start(e))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let failed = self.failed(output.status);
            return Err(format!("{failed}:\n{}", stderr.trim_end()));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// Spawns with stdout piped, for callers that read it line by line as it comes.
    pub fn spawn_piped(&self, dir: &Path) -> Result<Child, String> {
        let child = self.command(dir).stdout(Stdio::piped()).spawn();
        child.map_err(|e| self.cannot_start(e))
    }
}

/// Where cargo builds: `$CARGO_TARGET_DIR`, else `target/` in the workspace.
pub fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from)
}

fn quote(arg: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./=:,@+".contains(c);
    match !arg.is_empty() && arg.chars().all(plain) {
        true => arg.to_string(),
        false => format!("\"{arg}\""),
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
