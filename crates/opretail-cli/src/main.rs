//! The `opretail` command.
fn main() {}
