#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use opretail_model as model;
pub use opretail_sign as sign;

pub use opretail_model::{
    BODY_SNIPPET_LIMIT, CfgItem, Config, ConfigBuilder, Credentials, DEFAULT_AID, ENV_AKEY,
    ENV_ASID, ENV_ENDPOINT, Endpoint, EntityId, EntityKind, Error, GatewayError, GetTotalData,
    InvalidId, InvalidIdReason, MAX_AKEY_CHARS, MAX_ID_CHARS, Measure, OPRETAIL_GATEWAY,
    OVOPARK_GATEWAY, Operation, RawCall, Response, ResponseMeta, RetryPolicy, ReturnCode,
    SignMethod, Timestamp, TotalData, TransportKind, UtcOffset, Weather,
};

/// The async client, on reqwest and tokio (feature `async`, on by default).
#[cfg(feature = "async")]
#[cfg_attr(docsrs, doc(cfg(feature = "async")))]
pub use opretail_reqwest::Client;

/// The blocking client, on ureq, with no async runtime (feature `blocking`).
#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
pub mod blocking {
    pub use opretail_ureq::Client;
}
