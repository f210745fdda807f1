//! `cargo xtask`: project automation.
fn main() {
    eprintln!("usage: cargo xtask ci | release | bench");
    std::process::exit(2);
}
