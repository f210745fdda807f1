//! Declares every file of `src/methods/` as a module and lists its `METHOD`, `VERSION` and
//! `handle` in the sandbox's registry, so that serving a new gateway method is adding its
//! file: no list in the source to keep in step. `src/methods/mod.rs` includes the text.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::{env, fs, io};

fn main() -> io::Result<()> {
    let root = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let dir = root.join("src").join("methods");
    println!("cargo::rerun-if-changed=src/methods");
    let mut methods: Vec<String> = fs::read_dir(&dir)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<io::Result<Vec<_>>>()?
        .into_iter()
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .filter_map(|path| Some(path.file_stem()?.to_str()?.to_owned()))
        .filter(|name| name != "mod")
        .collect();
    methods.sort();
    // Inside a module whose `#[path]` is the folder: a `mod` of an included file is otherwise
    // looked for beside the generated file.
    let mut text = format!("#[path = {:?}]\nmod files {{\n", dir.display().to_string());
    for name in &methods {
        let _ = writeln!(text, "    pub(super) mod {name};");
    }
    text.push_str(
        "}\n\n/// Every method the sandbox serves.\n\
         pub(crate) fn registry() -> crate::call::Registry {\n    \
         crate::call::Registry::new(vec![\n",
    );
    for name in &methods {
        let _ = writeln!(
            text,
            "        (files::{name}::METHOD, files::{name}::VERSION, \
             files::{name}::handle as crate::call::Handler),"
        );
    }
    text.push_str("    ])\n}\n");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo"));
    fs::write(out.join("methods.rs"), text)
}
