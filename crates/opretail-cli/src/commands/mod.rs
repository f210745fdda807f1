//! One module per command.

pub mod call;
pub mod codes;
pub mod completions;
pub mod sandbox;
pub mod sign;
pub mod total;
