#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod client;
mod exchange;
mod proxy;
mod tls;

pub use client::Client;
pub use opretail_model as model;
