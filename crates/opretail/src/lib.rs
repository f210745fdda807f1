#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use opretail_model as model;

pub use opretail_model::{
    CfgItem, Config, ConfigBuilder, Credentials, DEFAULT_AID, ENV_AKEY, ENV_ASID, ENV_ENDPOINT,
    Endpoint, EntityId, EntityKind, Error, FixedOffset, GatewayError, GetTotalData, InvalidId,
    InvalidIdReason, Measure, OPRETAIL_CLOUD_GATEWAY, OPRETAIL_GATEWAY, OVOPARK_CLOUD_GATEWAY,
    OVOPARK_CLOUDAPI_GATEWAY, OVOPARK_GATEWAY, Operation, Params, RawCall, Response, ResponseMeta,
    RetryPolicy, ReturnCode, SignMethod, TotalData, TransportKind, Weather,
};

// Logins, stores and passenger flow over time.
pub use opretail_model::{
    AgeShare, Bucket, DateRange, Demographics, ENV_LOGIN_METHOD, ENV_PASSWORD, ENV_TOKEN, ENV_USER,
    Gateway, Gender, GenderShare, GetAgeGroupAndGenderDistribution, GetDepartments,
    GetDeptListByPage, GetManyShopsPassengerIndicatorData, GetPassengerIndicatorData, Grain,
    HourRange, ListStores, LoginData, LoginMethod, PassengerIndicator, SecretString, SeriesLimits,
    SeriesRequest, ShopSeries, ShopSeriesList, Store, StorePage, StorePages, TimeWindow,
    TokenSource, UserLogin,
};

/// The async client, on reqwest and tokio (feature `async`, on by default).
#[cfg(feature = "async")]
#[cfg_attr(docsrs, doc(cfg(feature = "async")))]
pub use opretail_reqwest::Client;

/// The blocking client, on ureq, with no async runtime (feature `blocking`).
#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
pub mod blocking {
    pub use opretail_ureq::{Client, Stores};
}
