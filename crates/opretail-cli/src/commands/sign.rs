//! `opretail sign`: the signature of exactly the pairs given.

use std::io::Write;

use opretail_sign::{SignMethod, explain, sign};

use crate::args::SignArgs;
use crate::failure::Failure;

/// Prints the signature on stdout and, with `--explain`, the masked canonical string on stderr.
pub fn run(args: &SignArgs) -> Result<(), Failure> {
    if args.asid.is_empty() {
        return Err(Failure::usage(
            "the signing secret is empty; pass --asid or set OPRETAIL_ASID",
        ));
    }
    let method = SignMethod::from(args.sign_method);
    if args.explain {
        eprintln!("canonical string ({method}, secret masked):");
        eprintln!("{}", explain(&args.pairs, &args.asid));
    }
    let signature = sign(method, &args.asid, &args.pairs);
    writeln!(std::io::stdout().lock(), "{signature}")?;
    Ok(())
}
