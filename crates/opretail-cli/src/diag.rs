//! Messages on stderr: escaped, clipped, and never a reason to fail.
//!
//! `eprintln!` panics when stderr cannot be written (closed pipe, full disk). A message is
//! not worth a panic, nor a changed exit status: write errors on stderr are ignored.

use std::io::Write;

use crate::escape;

/// Writes one line on stderr: the text escaped for a terminal and clipped (see
/// [`escape::for_stderr`]), followed by a newline.
pub fn line(text: &str) {
    let text = escape::for_stderr(text);
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.write_all(b"\n");
    let _ = err.flush();
}

/// Writes one line on stderr, escaped but never clipped: for text the user gave and asked to
/// see whole (`sign --explain`).
pub fn whole_line(text: &str) {
    let text = escape::for_terminal(text, usize::MAX);
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.write_all(b"\n");
    let _ = err.flush();
}

/// `diag::line` with `format!` arguments.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::diag::line(&format!($($arg)*))
    };
}

pub(crate) use say;
