//! A password asked for on the terminal without echo, and the terminal's modes put back
//! however the asking ends: Enter, Ctrl-C, or SIGINT or SIGTERM sent from elsewhere.
//!
//! rpassword turns echo (and line editing, and the terminal's own Ctrl-C) off while it reads,
//! and puts them back when the read returns. A signal ends the process before that, leaving
//! the user's shell without echo; so while a password is asked for, a signal handler of our
//! own puts back the modes seen before the prompt, then ends the command.

use std::sync::{Arc, Mutex};

use secrecy::SecretString;

use crate::failure::Failure;
use crate::signals::Signal;

/// Asks for a password on the terminal, with `prompt`, without echoing it.
///
/// From this call on, SIGINT and SIGTERM end the command at once with status 130 or 143
/// (while the password is being asked for, after putting the terminal's modes back). Must be
/// called inside the runtime that runs the rest of the command: that runtime keeps listening
/// for the signals, which no longer end the process by themselves.
pub async fn password(prompt: String) -> Result<SecretString, Failure> {
    let saved = Arc::new(Mutex::new(Modes::save()));
    end_on_signal(Arc::clone(&saved))?;
    let read = tokio::task::spawn_blocking(move || rpassword::prompt_password(prompt)).await;
    // The read is over: rpassword put the modes back itself.
    saved.lock().unwrap_or_else(|e| e.into_inner()).take();
    match read {
        Ok(Ok(password)) => Ok(SecretString::from(password)),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::Interrupted => {
            Err(Failure::Interrupted(Signal::Interrupt))
        }
        Ok(Err(e)) => Err(Failure::Failed(format!(
            "cannot read the password on the terminal: {e}"
        ))),
        Err(e) => Err(Failure::Failed(format!(
            "cannot read the password on the terminal: {e}"
        ))),
    }
}

/// Listens for SIGINT and SIGTERM for as long as the runtime runs: on either, puts back the
/// terminal's modes if a prompt is still showing, and ends the process.
#[cfg(unix)]
fn end_on_signal(saved: Arc<Mutex<Option<Modes>>>) -> Result<(), Failure> {
    use tokio::signal::unix::{SignalKind, signal};
    let listen =
        |kind| signal(kind).map_err(|e| Failure::Failed(format!("cannot listen for signals: {e}")));
    let mut interrupt = listen(SignalKind::interrupt())?;
    let mut terminate = listen(SignalKind::terminate())?;
    tokio::spawn(async move {
        let signal = tokio::select! {
            Some(()) = interrupt.recv() => Signal::Interrupt,
            Some(()) = terminate.recv() => Signal::Terminate,
            else => return,
        };
        if let Some(modes) = saved.lock().unwrap_or_else(|e| e.into_inner()).take() {
            modes.restore();
        }
        std::process::exit(i32::from(signal.exit_code()));
    });
    Ok(())
}

/// Ctrl-C ends the read through rpassword, which puts the console's mode back itself.
#[cfg(not(unix))]
fn end_on_signal(_saved: Arc<Mutex<Option<Modes>>>) -> Result<(), Failure> {
    Ok(())
}

/// The terminal's modes before the prompt.
#[cfg(unix)]
struct Modes {
    tty: std::fs::File,
    modes: rustix::termios::Termios,
}

#[cfg(unix)]
impl Modes {
    /// The modes of the controlling terminal, which rpassword reads from; `None` without one
    /// (rpassword then fails to open it too, and says so).
    fn save() -> Option<Modes> {
        let tty = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
            .ok()?;
        let modes = rustix::termios::tcgetattr(&tty).ok()?;
        Some(Modes { tty, modes })
    }

    /// Puts the modes back and ends the prompt's line, so that the shell's prompt that
    /// follows starts on a line of its own. Failures are ignored: the process is ending.
    fn restore(&self) {
        use std::io::Write;
        let now = rustix::termios::OptionalActions::Now;
        let _ = rustix::termios::tcsetattr(&self.tty, now, &self.modes);
        let _ = (&self.tty).write_all(b"\n");
    }
}

/// Nothing to save where the console is not a Unix terminal.
#[cfg(not(unix))]
enum Modes {}

#[cfg(not(unix))]
impl Modes {
    fn save() -> Option<Modes> {
        None
    }
}
