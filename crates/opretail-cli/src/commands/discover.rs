//! `opretail discover`: the catalog of the tables `sync` keeps.

use super::sync::print_json;
use crate::failure::Failure;
use crate::global::GlobalArgs;

/// The catalog of the tables `sync` keeps (columns, types, primary keys), as JSON.
#[derive(Debug, clap::Args)]
#[command(display_order = 11)]
pub struct Args {}

impl Args {
    /// Prints the catalog of the streams as JSON on stdout.
    pub fn run(self, _global: &GlobalArgs) -> Result<(), Failure> {
        print_json(&opretail_sync::catalog())
    }
}
