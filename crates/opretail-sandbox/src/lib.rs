#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

// The modules form no cycle. `builder` sits on top and hands `methods::registry()` to
// `server` (the gateway's handler) and `connections` (accept loop, cap, timeouts). `methods`
// (one file per gateway method) uses `call`, `window`, `paging`, `format`, `rejection`,
// `platform`, `login` and `upload` (what the login and the upload methods share), `sales` (the
// uploaded sales) and `synthesis` (the data), and none of those uses `methods`.
mod builder;
mod call;
#[cfg(feature = "cli")]
#[cfg_attr(docsrs, doc(cfg(feature = "cli")))]
pub mod cli;
mod clock;
mod connections;
mod counters;
mod envelope;
mod faults;
mod format;
mod handle;
mod login;
mod methods;
mod paging;
mod params;
mod platform;
mod recordings;
mod rejection;
mod replay;
mod sales;
mod server;
mod synthesis;
#[cfg(feature = "tls")]
mod tls;
mod tokens;
mod upload;
mod validate;
mod window;

pub use builder::{Sandbox, SandboxBuilder};
pub use connections::{DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS};
pub use counters::Counters;
pub use faults::{Fault, FaultKind, FaultPlan};
pub use handle::SandboxHandle;
pub use methods::METHOD_ECHO;
pub use params::Params;
pub use platform::{
    DEFAULT_AKEY, DEFAULT_ASID, DEFAULT_MAX_IDS_PER_CALL, DEFAULT_MAX_PAGE_SIZE,
    DEFAULT_MAX_WINDOW_DAYS, DEFAULT_TOKEN_TTL, DEMO_APPLICATION_ID, DEMO_PASSWORD, DEMO_USER,
};
pub use recordings::{MAX_RECORDINGS, Recordings};
pub use rejection::{
    ID_ILLEGAL, METHOD_NOT_GRANTED, NEED_UNIT_ILLEGAL, PAGE_SIZE_TOO_LARGE, PARAM_ILLEGAL,
    SALES_ALREADY_REPORTED, SALES_LEDGER_FULL, STORE_NOT_FOUND, TOO_MANY_IDS, WINDOW_TOO_LONG,
};
pub use replay::MAX_REPLAY_ENTRIES;
pub use sales::MAX_SALES_PERIODS;
pub use server::{MAX_BODY_BYTES, MAX_FORM_PAIRS};
pub use synthesis::tenant::{DEMO_FIRST_STORE_ID, DEMO_ROOT_NODE, DEMO_STORE_COUNT};
pub use validate::GATEWAY_AID;

/// The method served for passenger-flow totals: the model's name, defined once.
pub use opretail_model::METHOD_GET_TOTAL_DATA as METHOD_TOTAL_DATA;
