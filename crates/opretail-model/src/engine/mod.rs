//! For transport authors: everything between an operation and the bytes on the wire, pure.
//!
//! A transport (`opretail-reqwest`, `opretail-ureq`) keeps an [`Engine`] and a lock around a
//! [`TokenCache`], and drives each [`Call`] with a short loop: send what [`Step::Send`] says,
//! sleep what [`Step::Sleep`] says, take and release the lock on [`Step::Lock`] and
//! [`Step::Unlock`], return on [`Step::Done`]. Every decision lives here:
//!
//! - [`Call`]: the token handshake (cached token or one shared login, one repeat with a new
//!   login after `TOKEN_NOT_EXIST`) around the attempts of one operation;
//! - [`RetryPolicy`] and [`Budget`]: whether and when to try again, within
//!   one deadline and attempt limit;
//! - [`RateLimiter`] and [`ReplayGuard`]: pacing, and no two requests with one signature;
//! - [`FormBuilder`]: checking, building and signing the form;
//! - [`Paging`] and [`Batch`]: walks over pages and merged fan-outs, for any operation;
//! - [`tls`]: the roots both transports trust.

mod attempts;
mod budget;
mod call;
mod form;
mod paging;
mod rate_limit;
mod replay;
mod retry;
mod shared;
mod step;
pub mod tls;

pub use budget::Budget;
pub use call::{Call, LogIn};
pub use form::{FormBuilder, MAX_METHOD_CHARS, Preparation, PreparedRequest, Stamp};
pub use paging::{Batch, Paging};
pub use rate_limit::{Pace, RateLimiter};
pub use replay::ReplayGuard;
pub use retry::{RetryDecision, RetryPolicy};
pub use shared::Engine;
pub use step::{HttpAnswer, Moment, Step};

pub use crate::credentials::{MAX_AKEY_CHARS, mask_key};
pub use crate::error::{BODY_SNIPPET_LIMIT, ExchangeFailure};
pub use crate::gateway::{CLASSIC_TOKEN_HEADER, CLOUD_TOKEN_HEADER};
pub use crate::redact::{REDACTED_FIELDS, redact_secrets};
pub use crate::token::{Ticket, TokenCache, TokenPlan};
pub use crate::wire::decode::{decode_response, decode_response_capped};
pub use crate::wire::timestamp::{TIMESTAMP_FORMAT, Timestamp, gateway_offset};
