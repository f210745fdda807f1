//! One file per gateway method: its operation type, its output type, its method name and
//! parameter names, its [`Operation`](crate::Operation) impl and its unit tests.
//!
//! Adding a method is adding its file here: the build script declares every file of this
//! folder as a module and re-exports its public items to the crate root, so nothing in the
//! SDK lists methods.

include!(concat!(env!("OUT_DIR"), "/methods.rs"));
