//! `opretail codes`: the gateway's return-code table.

use std::io::Write;

use opretail_model::ReturnCode;
use serde_json::json;

use crate::failure::Failure;
use crate::global::GlobalArgs;

/// The gateway's return codes, with meaning and remedy.
#[derive(Debug, clap::Args)]
#[command(display_order = 5)]
pub struct Args {
    /// Output format.
    #[arg(long, value_name = "FORMAT", default_value = "table")]
    pub output: CodesFormat,
}

impl Args {
    /// Prints the codes.
    pub fn run(self, _global: &GlobalArgs) -> Result<(), Failure> {
        print(&self)
    }
}

/// Output formats of `codes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CodesFormat {
    /// Aligned columns.
    Table,
    /// A JSON array of `{code, name, meaning, remedy}`.
    Json,
}

/// Prints every known code with its meaning and remedy: the platform's published table, then
/// the codes it answers with that the table does not list (marked as such).
fn print(args: &Args) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match args.output {
        CodesFormat::Json => {
            let codes: Vec<_> = ReturnCode::DOCUMENTED
                .iter()
                .map(|rc| {
                    json!({
                        "code": rc.code(),
                        "name": rc.name(),
                        "meaning": rc.meaning(),
                        "remedy": rc.remedy(),
                        "published": rc.is_published(),
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &codes).map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        CodesFormat::Table => {
            let name_width = ReturnCode::DOCUMENTED
                .iter()
                .map(|rc| rc.name().len())
                .max()
                .unwrap_or(4);
            writeln!(
                out,
                "{:>5}  {:<name_width$}  MEANING / WHAT TO DO",
                "CODE", "NAME"
            )?;
            for rc in ReturnCode::DOCUMENTED {
                let seen = if rc.is_published() {
                    ""
                } else {
                    " (seen on the platform, not in its published table)"
                };
                writeln!(
                    out,
                    "{:>5}  {:<name_width$}  {}{seen}",
                    rc.code(),
                    rc.name(),
                    rc.meaning()
                )?;
                if !rc.is_success() {
                    writeln!(out, "{:>5}  {:<name_width$}  -> {}", "", "", rc.remedy())?;
                }
            }
        }
    }
    Ok(())
}
