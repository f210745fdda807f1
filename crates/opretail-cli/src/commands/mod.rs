//! One module per command: its arguments (`Args`, whose doc comment is its help) and its
//! `run`. The build script declares every file of this folder and lists it in `Command`, so
//! that adding a command is adding its file; a folder beside a file is a group of commands
//! (`passenger_flow.rs` and `passenger_flow/`).

// The generated `mod files` (every file here) and `Command`.
include!(concat!(env!("OUT_DIR"), "/commands.rs"));
