//! Declares every file of `src/methods/` as a module and re-exports its public items, so
//! that adding a gateway method is adding its file: no list in the source to keep in step.
//! `src/methods/mod.rs` includes the generated text.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::{env, fs, io};

fn main() -> io::Result<()> {
    let root = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let dir = root.join("src").join("methods");
    println!("cargo::rerun-if-changed=src/methods");
    let mut names = Vec::new();
    for entry in fs::read_dir(&dir)? {
        let path = entry?.path();
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("mod");
        if path.extension().is_some_and(|e| e == "rs") && stem != "mod" {
            names.push(stem.to_owned());
        }
    }
    names.sort();
    // The files are declared inside a module whose `#[path]` is the folder: a `mod` in an
    // included file is otherwise looked for beside the generated file, and a file given its
    // own `#[path]` would look for its submodules in the wrong folder.
    let mut text = format!("#[path = {:?}]\nmod files {{\n", dir.display().to_string());
    for name in &names {
        let _ = writeln!(text, "    pub(crate) mod {name};");
    }
    text.push_str("}\n");
    for name in &names {
        let _ = writeln!(text, "pub use files::{name}::*;");
    }
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo"));
    fs::write(out.join("methods.rs"), text)
}
