//! Running external programs with their command line shown first.

use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// A program with its arguments and extra environment, kept as data so that plans can be
/// printed and tested before anything runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// The program, e.g. `cargo`.
    pub program: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// Environment variables set for it.
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

    /// The same with `key=value` in its environment.
    pub fn with_env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    /// The command line as a person would type it.
    pub fn display(&self) -> String {
        let mut parts: Vec<String> = self
            .env
            .iter()
            .map(|(k, v)| format!("{k}={}", quote(v)))
            .collect();
        parts.push(self.program.clone());
        parts.extend(self.args.iter().map(|a| quote(a)));
        parts.join(" ")
    }

    fn command(&self, dir: &Path) -> Command {
        let program: OsString = if self.program == "cargo" {
            // Use the cargo that runs xtask, not whichever is first on PATH.
            std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
        } else {
            self.program.clone().into()
        };
        let mut command = Command::new(program);
        command.args(&self.args).current_dir(dir);
        for (key, value) in &self.env {
            command.env(key, value);
        }
        command
    }

    /// Runs with inherited output; `Err` names the command when it fails or cannot start.
    pub fn run(&self, dir: &Path) -> Result<(), String> {
        let status = self
            .command(dir)
            .status()
            .map_err(|e| format!("could not start `{}`: {e}", self.display()))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("`{}` failed ({status})", self.display()))
        }
    }

    /// Runs and captures stdout and stderr; a non-zero exit is not an error here, the caller
    /// reads the output to decide.
    pub fn output(&self, dir: &Path) -> Result<Output, String> {
        self.command(dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("could not start `{}`: {e}", self.display()))
    }

    /// Runs and returns stdout, failing with stderr shown when the command fails.
    pub fn stdout(&self, dir: &Path) -> Result<String, String> {
        let output = self.output(dir)?;
        if !output.status.success() {
            return Err(format!(
                "`{}` failed ({}):\n{}",
                self.display(),
                output.status,
                String::from_utf8_lossy(&output.stderr).trim_end()
            ));
        }
        String::from_utf8(output.stdout)
            .map_err(|_| format!("`{}` printed something that is not UTF-8", self.display()))
    }

    /// Spawns with stdout piped, for callers that read it line by line as it comes.
    pub fn spawn_piped(&self, dir: &Path) -> Result<std::process::Child, String> {
        self.command(dir)
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("could not start `{}`: {e}", self.display()))
    }
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
            Invocation::new("cargo", &["doc", "--no-deps"]).with_env("RUSTDOCFLAGS", "-D warnings");
        assert_eq!(
            invocation.display(),
            "RUSTDOCFLAGS=\"-D warnings\" cargo doc --no-deps"
        );
    }
}
