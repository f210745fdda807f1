#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use opretail_model as model;

// Every operation, output and setting of the model, by glob: a new method needs no line here.
pub use opretail_model::*;

/// The async client, on reqwest and tokio (feature `async`, on by default).
#[cfg(feature = "async")]
#[cfg_attr(docsrs, doc(cfg(feature = "async")))]
pub use opretail_reqwest::Client;

/// The blocking client, on ureq, with no async runtime (feature `blocking`).
#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
pub mod blocking {
    pub use opretail_ureq::{Client, Outcomes, Walk};
}
