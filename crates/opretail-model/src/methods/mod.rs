//! One file per gateway method: its operation type, its output type, its method name and
//! parameter names, its [`Operation`](crate::Operation) impl and its unit tests.
//!
//! Adding a method is adding its file here: the build script declares every file of this
//! folder as a module and re-exports its public items to the crate root, so nothing in the
//! SDK lists methods.

/// Declares each file and re-exports its public items.
macro_rules! declare_methods {
    ($($file:ident),* $(,)?) => {
        $(
            mod $file;
            pub use $file::*;
        )*
    };
}

// `with_method_files!`, which hands the build script's list of files to a macro.
include!(concat!(env!("OUT_DIR"), "/methods.rs"));
with_method_files!(declare_methods);
