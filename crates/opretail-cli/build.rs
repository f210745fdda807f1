//! Makes every file of `src/commands/` a command: declares it as a module and lists its
//! `Args` in a clap `Command` enum whose `run` calls `Args::run`, so that adding a command is
//! adding its file. A folder beside a file (`passenger_flow.rs` and `passenger_flow/`) is a
//! group: the same text is generated for the folder, and the group's file includes it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs, io};

fn main() -> io::Result<()> {
    let root = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo"));
    println!("cargo::rerun-if-changed=src/commands");
    generate(&root.join("src").join("commands"), &out.join("commands"))
}

/// Writes the commands of `dir` to `<out>.rs`, and those of each folder in it to
/// `<out>/<folder>.rs`.
fn generate(dir: &Path, out: &Path) -> io::Result<()> {
    let mut commands = Vec::new();
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let Some(name) = path.file_stem().and_then(|s| s.to_str()).map(str::to_owned) else {
            continue;
        };
        if path.is_dir() {
            // A folder with a `mod.rs` is a command of several files; one without is the
            // folder of a group, whose file is `<name>.rs`.
            if path.join("mod.rs").is_file() {
                commands.push(name);
            } else {
                generate(&path, &out.join(&name))?;
            }
        } else if path.extension().is_some_and(|e| e == "rs") && name != "mod" {
            commands.push(name);
        }
    }
    commands.sort();
    fs::create_dir_all(out.parent().unwrap_or(out))?;
    fs::write(out.with_extension("rs"), text(dir, &commands))
}

/// The modules of `commands` in `dir`, their `Command` enum and its `run`.
fn text(dir: &Path, commands: &[String]) -> String {
    // Inside a module whose `#[path]` is the folder: a `mod` of an included file is otherwise
    // looked for beside the generated file.
    let mut text = format!("#[path = {:?}]\nmod files {{\n", dir.display().to_string());
    for name in commands {
        let _ = writeln!(text, "    pub(crate) mod {name};");
    }
    text.push_str(
        "}\n\n\
         #[allow(unused_imports)]\n\
         pub(crate) use files::*;\n\n\
         /// The commands, one a file; each one's help is its `Args`' doc comment.\n\
         #[derive(Debug, clap::Subcommand)]\n\
         pub enum Command {\n",
    );
    for name in commands {
        let _ = writeln!(text, "    {}(Box<files::{name}::Args>),", camel(name));
    }
    text.push_str(
        "}\n\n\
         impl Command {\n    \
         /// Runs the command given.\n    \
         pub fn run(self, global: &crate::global::GlobalArgs) \
         -> Result<(), crate::failure::Failure> {\n        \
         match self {\n",
    );
    for name in commands {
        let _ = writeln!(
            text,
            "            Command::{}(args) => (*args).run(global),",
            camel(name)
        );
    }
    text.push_str("        }\n    }\n}\n");
    text
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
