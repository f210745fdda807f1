//! Placeholder until the decoder lands.
fn main() {}
