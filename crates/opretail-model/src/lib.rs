#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod call;
mod config;
mod credentials;
mod decode;
mod error;
mod id;
mod operation;
mod prepare;
mod retry;
mod return_code;
mod total_data;

pub use call::{Call, Moment, Step};
pub use config::{
    Config, ConfigBuilder, DEFAULT_AID, ENV_ENDPOINT, Endpoint, OPRETAIL_GATEWAY, OVOPARK_GATEWAY,
};
pub use credentials::{Credentials, ENV_AKEY, ENV_ASID, MAX_AKEY_CHARS, mask_key};
pub use decode::{Response, ResponseMeta, decode_response};
pub use error::{
    BODY_SNIPPET_LIMIT, Error, GatewayError, TransportKind, body_snippet, looks_like_tls,
};
pub use id::{EntityId, EntityKind, InvalidId, InvalidIdReason, MAX_ID_CHARS};
pub use operation::{GetTotalData, Operation, RawCall};
pub use prepare::{
    FORM_CONTENT_TYPE, MAX_METHOD_CHARS, Preparation, PreparedRequest, RequestSigner,
};
pub use retry::{RetryDecision, RetryPolicy};
pub use return_code::ReturnCode;
pub use total_data::*;

pub use opretail_sign::{SignMethod, Timestamp, UtcOffset};
