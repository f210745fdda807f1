//! Lists the files of `src/methods/` for `src/methods/mod.rs`, which declares each one and
//! registers its `METHOD`, `VERSION` and `handle`: serving a new gateway method is adding its
//! file, with no list in the source to keep in step.

use std::path::PathBuf;
use std::{env, fs, io};

fn main() -> io::Result<()> {
    let root = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    println!("cargo::rerun-if-changed=src/methods");
    let mut names: Vec<String> = fs::read_dir(root.join("src").join("methods"))?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<io::Result<Vec<_>>>()?
        .into_iter()
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .filter_map(|path| Some(path.file_stem()?.to_str()?.to_owned()))
        .filter(|name| name != "mod")
        .collect();
    names.sort();
    // Only the names, handed to a macro of `methods/mod.rs`: a `mod` written in the
    // generated file would be looked for beside it, and a path written into it would outlive
    // a move of the source.
    let text = format!(
        "macro_rules! with_method_files {{ ($callback:ident) => {{ $callback! {{ {} }} }}; }}\n",
        names.join(", ")
    );
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo"));
    fs::write(out.join("methods.rs"), text)
}
