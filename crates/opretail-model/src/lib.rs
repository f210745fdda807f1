#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[macro_use]
mod lenient;

mod answer_limits;
mod call;
mod config;
mod credentials;
mod decode;
mod demographics;
mod error;
mod gateway;
mod id;
mod login;
mod measure;
mod operation;
mod prepare;
mod redact;
mod retry;
mod return_code;
mod series;
mod stores;
mod timestamp;
pub mod tls;
mod token;
mod total_data;
mod window;

pub use answer_limits::{
    AnswerLimits, DEFAULT_MAX_ELEMENTS_PER_ANSWER, DEFAULT_MAX_ROWS_PER_ANSWER,
};
pub use call::{Call, HttpAnswer, Moment, Step};
pub use config::{
    CLEAR_TEXT_HEADERS_SETTING, Config, ConfigBuilder, ENV_AID, ENV_ENDPOINT, Endpoint,
    MAX_RATE_LIMIT, MAX_TIMEOUT, MIN_RATE_LIMIT, OPRETAIL_CLOUD_GATEWAY, OPRETAIL_GATEWAY,
    OVOPARK_CLOUD_GATEWAY, OVOPARK_CLOUDAPI_GATEWAY, OVOPARK_GATEWAY, RootCertificate,
};
pub use credentials::{Credentials, ENV_AKEY, ENV_ASID, MAX_AKEY_CHARS, mask_key};
pub use decode::{Response, ResponseMeta, decode_response, decode_response_capped};
pub use demographics::{
    AgeShare, Demographics, Gender, GenderShare, GetAgeGroupAndGenderDistribution,
    METHOD_GET_AGE_GROUP_AND_GENDER_DISTRIBUTION,
};
pub use error::{BODY_SNIPPET_LIMIT, Error, GatewayError, TransportKind};
pub use gateway::{CLASSIC_TOKEN_HEADER, CLOUD_TOKEN_HEADER, DEFAULT_AID, Gateway};
pub use id::{EntityId, EntityKind, InvalidId, InvalidIdReason, MAX_ID_CHARS};
pub use login::{LoginData, LoginMethod, METHOD_MOBILE_LOGIN, METHOD_SSO_LOGIN, UserLogin};
pub use measure::Measure;
pub use operation::{GetTotalData, METHOD_GET_TOTAL_DATA, Operation, Params, RawCall};
pub use prepare::{MAX_METHOD_CHARS, Pace, Preparation, PreparedRequest, RequestPreparer};
pub use redact::{REDACTED_FIELDS, redact_secrets};
pub use retry::{RetryDecision, RetryPolicy, RetryState};
pub use return_code::ReturnCode;
pub use series::{
    Bucket, DEFAULT_MAX_DAYS_PER_CALL, DEFAULT_MAX_IDS_PER_CALL, DEFAULT_MAX_SERIES_CALLS,
    DEFAULT_SERIES_IN_FLIGHT, GetManyShopsPassengerIndicatorData, GetPassengerIndicatorData, Grain,
    METHOD_GET_MANY_SHOPS_PASSENGER_INDICATOR_DATA, METHOD_GET_PASSENGER_INDICATOR_DATA,
    PassengerIndicator, SeriesLimits, SeriesRequest, ShopSeries, ShopSeriesList, merge_series,
};
pub use stores::{
    DEFAULT_MAX_STORE_PAGES, DEFAULT_STORE_PAGE_SIZE, GetDepartments, GetDeptListByPage,
    ListStores, METHOD_GET_DEPARTMENTS, METHOD_GET_DEPT_LIST_BY_PAGE, Store, StorePage, StorePages,
};
pub use timestamp::{TIMESTAMP_FORMAT, Timestamp, gateway_offset};
pub use token::{
    ENV_LOGIN_METHOD, ENV_PASSWORD, ENV_TOKEN, ENV_USER, Ticket, TokenCache, TokenPlan, TokenSource,
};
pub use total_data::*;
pub use window::{DateRange, HourRange, TimeWindow, WINDOW_FORMAT};

pub use chrono::{FixedOffset, NaiveDate, NaiveDateTime};
pub use opretail_sign::SignMethod;
pub use secrecy::SecretString;
