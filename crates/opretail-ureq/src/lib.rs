#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod budget;
mod client;
mod exchange;
mod proxy;
mod tls;

pub use client::{Client, Outcomes, Walk};
pub use opretail_model as model;
