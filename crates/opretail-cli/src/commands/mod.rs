//! One module per command: its arguments and its `run`.

pub mod call;
pub mod codes;
pub mod completions;
pub mod demographics;
pub mod devices;
pub mod doctor;
pub mod login;
pub mod report;
pub mod sales;
pub mod sandbox;
pub mod series;
pub mod sign;
pub mod stores;
pub mod sync;
pub mod total;
