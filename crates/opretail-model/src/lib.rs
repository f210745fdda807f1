#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod return_code;
mod total_data;

pub use return_code::ReturnCode;
pub use total_data::*;
