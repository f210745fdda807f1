#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod return_code;

pub use return_code::ReturnCode;
