//! The secret never shows: in errors, Debug output or traces, on every error path.
