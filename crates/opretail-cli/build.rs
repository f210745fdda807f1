//! Lists the commands of `src/commands/` for `src/commands/mod.rs`, which declares each file
//! and makes its `Args` a variant of a clap `Command` enum: adding a command is adding its
//! file, with no list in the source to keep in step. A folder beside a file
//! (`passenger_flow.rs` and `passenger_flow/`) is a group, whose file does the same with the
//! list of its folder.

use std::path::{Path, PathBuf};
use std::{env, fs, io};

fn main() -> io::Result<()> {
    let root = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo"));
    println!("cargo::rerun-if-changed=src/commands");
    generate(&root.join("src").join("commands"), "commands", &out)
}

/// Writes `files_of_<name>!` for the commands in `dir`, and the same for each folder in it.
///
/// Only names go into the generated text, handed to a macro of the source (`mod` written in
/// it would be looked for beside it, and a path written into it would outlive a move of the
/// source): `files_of_commands!(m)` is `m! { Call call, Codes codes, … }`.
fn generate(dir: &Path, name: &str, out: &Path) -> io::Result<()> {
    let mut commands = Vec::new();
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()).map(str::to_owned) else {
            continue;
        };
        if path.is_dir() {
            // A folder with a `mod.rs` is a command of several files; one without is the
            // folder of a group, whose file is `<stem>.rs`.
            if path.join("mod.rs").is_file() {
                commands.push(stem);
            } else {
                generate(&path, &stem, out)?;
            }
        } else if path.extension().is_some_and(|e| e == "rs") && stem != "mod" {
            commands.push(stem);
        }
    }
    commands.sort();
    let listed: Vec<String> = commands
        .iter()
        .map(|file| format!("{} {file}", camel(file)))
        .collect();
    let text = format!(
        "macro_rules! files_of_{name} {{ ($callback:ident) => {{ $callback! {{ {} }} }}; }}\n",
        listed.join(", ")
    );
    fs::write(out.join(format!("{name}.rs")), text)
}

/// `passenger_flow` as `PassengerFlow` (clap shows it as `passenger-flow`).
fn camel(name: &str) -> String {
    name.split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect()
            })
        })
        .collect()
}
