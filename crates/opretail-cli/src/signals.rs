//! Ctrl-C (SIGINT) and SIGTERM: the first asks the command to stop and close its output
//! properly; the second ends the process at once, whatever it was doing (for example blocked
//! writing to a pipe nobody reads).

use tokio::sync::watch;

use crate::diag::say;

/// The signal that asked to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// Ctrl-C, SIGINT: exit status 130.
    Interrupt,
    /// SIGTERM (as `kill`, `timeout` and service managers send): exit status 143.
    Terminate,
}

impl Signal {
    /// The exit status shells expect after this signal: 128 plus its number.
    pub fn exit_code(self) -> u8 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }
}

/// Tells whether a stop was asked for. Made by [`listen`].
#[derive(Debug, Clone)]
pub struct StopRequest {
    rx: watch::Receiver<Option<Signal>>,
}

impl StopRequest {
    /// Waits until a stop is asked for (at once if it already was).
    pub async fn wait(&mut self) -> Signal {
        loop {
            if let Some(signal) = *self.rx.borrow_and_update() {
                return signal;
            }
            if self.rx.changed().await.is_err() {
                // The listener is gone: no stop will ever come.
                std::future::pending::<()>().await;
            }
        }
    }
}

/// Starts listening for SIGINT and SIGTERM (from now on, they no longer kill the process at
/// once). Must be called inside the runtime.
pub fn listen() -> std::io::Result<StopRequest> {
    let mut source = Source::new()?;
    let (tx, rx) = watch::channel(None);
    tokio::spawn(async move {
        let first = source.next().await;
        let _ = tx.send(Some(first));
        say!(
            "stopping: closing the output (press Ctrl-C or send the signal again to quit at once)"
        );
        let second = source.next().await;
        std::process::exit(i32::from(second.exit_code()));
    });
    Ok(StopRequest { rx })
}

#[cfg(unix)]
struct Source {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Source {
    fn new() -> std::io::Result<Source> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Source {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    async fn next(&mut self) -> Signal {
        tokio::select! {
            Some(()) = self.interrupt.recv() => Signal::Interrupt,
            Some(()) = self.terminate.recv() => Signal::Terminate,
            else => std::future::pending().await,
        }
    }
}

#[cfg(not(unix))]
struct Source;

#[cfg(not(unix))]
impl Source {
    fn new() -> std::io::Result<Source> {
        Ok(Source)
    }

    async fn next(&mut self) -> Signal {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
        Signal::Interrupt
    }
}
