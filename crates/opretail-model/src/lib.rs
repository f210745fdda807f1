#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[macro_use]
mod wire;

mod answer_limits;
mod config;
mod credentials;
pub mod engine;
mod error;
mod gateway;
mod methods;
mod operation;
pub mod recording;
mod redact;
mod token;

// The wire pieces by their short paths, for the modules that use them.
use wire::{id, lenient, measure, timestamp};

pub use answer_limits::{
    AnswerLimits, DEFAULT_MAX_ELEMENTS_PER_ANSWER, DEFAULT_MAX_ROWS_PER_ANSWER,
};
pub use config::{
    CLEAR_TEXT_HEADERS_SETTING, Config, ConfigBuilder, DEFAULT_ANSWER_BYTES_IN_FLIGHT, Endpoint,
    MAX_RATE_LIMIT, MAX_TIMEOUT, MIN_RATE_LIMIT, OPRETAIL_CLOUD_GATEWAY, OPRETAIL_GATEWAY,
    OVOPARK_CLOUD_GATEWAY, OVOPARK_CLOUDAPI_GATEWAY, OVOPARK_GATEWAY, RootCertificate,
};
pub use credentials::Credentials;
pub use engine::RetryPolicy;
pub use error::{Error, GatewayError, TransportKind};
pub use gateway::{DEFAULT_AID, ENVIRONMENT_HEADER, Environment, Gateway};
pub use methods::*;
pub use operation::{Operation, Params};
pub use token::TokenSource;
pub use wire::decode::{Response, ResponseMeta};
pub use wire::id::{EntityId, EntityKind, InvalidId, InvalidIdReason, MAX_ID_CHARS};
pub use wire::measure::Measure;
pub use wire::return_code::ReturnCode;
pub use wire::timestamp::gateway_offset;
pub use wire::window::{DateRange, HourRange, TimeWindow, WINDOW_FORMAT};

pub use opretail_sign::SignMethod;
pub use secrecy::SecretString;

// Names the crate's own modules reach by `crate::…`: not part of the user's surface.
use engine::{Timestamp, decode_response_capped};

/// The environment variables the SDK reads, by name.
pub mod env {
    pub use crate::config::{ENV_AID, ENV_ENDPOINT, ENV_ENVIRONMENT};
    pub use crate::credentials::{ENV_AKEY, ENV_ASID};
    pub use crate::token::{ENV_LOGIN_METHOD, ENV_PASSWORD, ENV_TOKEN, ENV_USER};
}
