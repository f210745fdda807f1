//! `opretail logout`: forgets the token `opretail login` kept.

use crate::diag::say;
use crate::failure::Failure;
use crate::global::GlobalArgs;
use crate::token_cache::{self, Removed};

/// Forgets the token kept by `login`, saying whose it was.
#[derive(Debug, clap::Args)]
#[command(display_order = 8)]
pub struct Args {}

impl Args {
    /// Forgets the kept token, saying whose it was.
        pub fn run(self, global: &GlobalArgs) -> Result<(), Failure> {
        if global.sandbox {
            say!(
                "the embedded sandbox keeps no token: nothing to do (a token kept for a real \
                 gateway stays as it is)"
            );
            return Ok(());
        }
        match token_cache::remove()? {
            (_, Removed::Nothing) => say!("no token was kept: nothing to do"),
            (path, Removed::Token(what)) => {
                say!("logged out: removed {what} (kept in {})", path.display());
            }
            (path, Removed::Other(what)) => {
                say!("logged out: removed {}, {what}", path.display());
            }
        }
        Ok(())
    }
}
