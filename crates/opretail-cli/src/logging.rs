//! Log lines on stderr: how much `-v` shows, every value escaped for the terminal.

use std::io::IsTerminal;

use crate::escape;

/// `RUST_LOG` wins; otherwise warnings only, `-v` for each call and attempt, `-vv` for the
/// HTTP layer too, `-vvv` for everything.
pub fn init(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "warn,opretail=info,opretail_model=debug,opretail_reqwest=debug,opretail_sandbox=info",
        2 => {
            "info,opretail=debug,opretail_model=trace,opretail_reqwest=trace,opretail_sandbox=debug,reqwest=debug,hyper_util=debug"
        }
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        // Logged errors carry the gateway's own text: escaped like every other message.
        .fmt_fields(escaped_fields())
        // Its internal errors are reported with `eprintln!`, which panics when stderr cannot
        // be written: a log line is not worth a panic.
        .log_internal_errors(false)
        .init();
}

/// Log fields as the default formatter writes them (`name=value`, the message bare), each
/// value escaped for the terminal.
fn escaped_fields() -> impl for<'w> tracing_subscriber::fmt::FormatFields<'w> + 'static {
    use tracing_subscriber::field::MakeExt;
    tracing_subscriber::fmt::format::debug_fn(|writer, field, value| {
        let text = format!("{value:?}");
        let text = escape::for_stderr(&text);
        if field.name() == "message" {
            write!(writer, "{text}")
        } else {
            write!(writer, "{}={text}", field.name())
        }
    })
    .delimited(" ")
}
