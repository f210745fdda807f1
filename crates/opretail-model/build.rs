//! Lists the files of `src/methods/` for `src/methods/mod.rs`, which declares each one as a
//! module and re-exports its public items: adding a gateway method is adding its file, with
//! no list in the source to keep in step.

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
    // Only the names, handed to a macro of `methods/mod.rs`, which declares the modules: a
    // `mod` written in the generated file would be looked for beside it, and a path written
    // into it would outlive a move of the source.
    let text = format!(
        "macro_rules! with_method_files {{ ($callback:ident) => {{ $callback! {{ {} }} }}; }}\n",
        names.join(", ")
    );
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo"));
    fs::write(out.join("methods.rs"), text)
}
