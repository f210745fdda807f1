//! How a command ends when it does not succeed, and the exit status that goes with it.

use std::process::ExitCode;

use crate::diag::say;
use crate::signals::Signal;

/// A command's failure, already worded for the user.
#[derive(Debug)]
pub enum Failure {
    /// The command line, the configuration or an input was wrong: nothing was sent (exit 2).
    Usage(String),
    /// A call or the local I/O failed (exit 1).
    Failed(String),
    /// Some calls failed; each failure has been reported already (exit 1).
    Reported,
    /// Ctrl-C or SIGTERM: the output written so far was closed properly (exit 130 or 143, as
    /// shells expect).
    Interrupted(Signal),
    /// The reader of stdout went away (`opretail … | head`): stop quietly, as `cat` does.
    BrokenPipe,
}

impl Failure {
    /// A usage error.
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure::Usage(message.into())
    }

    /// Prints the message (if not printed yet) and gives the exit status.
    pub fn report(self) -> ExitCode {
        match self {
            Failure::Usage(message) => {
                say!("error: {message}");
                ExitCode::from(2)
            }
            Failure::Failed(message) => {
                say!("error: {message}");
                ExitCode::from(1)
            }
            Failure::Reported => ExitCode::from(1),
            Failure::Interrupted(signal) => ExitCode::from(signal.exit_code()),
            Failure::BrokenPipe => ExitCode::SUCCESS,
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Failure::BrokenPipe;
        }
        Failure::Failed(format!("writing the output failed: {e}"))
    }
}
