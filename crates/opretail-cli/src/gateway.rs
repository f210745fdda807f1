//! The client every calling command uses: to the configured gateway, or to the embedded
//! sandbox with `--sandbox`.

use opretail_model::env::{ENV_AKEY, ENV_ASID, ENV_USER};
use opretail_model::{
    Config, Credentials, Error, LoginMethod, METHOD_GET_DEPARTMENTS, METHOD_GET_DEPT_LIST_BY_PAGE,
    TokenSource,
};
use opretail_sandbox::{
    DEFAULT_AKEY, DEFAULT_ASID, DEMO_PASSWORD, DEMO_USER, Sandbox, SandboxHandle,
};
use secrecy::{ExposeSecret, SecretString};

use crate::diag::say;
use crate::failure::Failure;
use crate::global::GlobalArgs;
use crate::settings::Settings;

/// The async client of the SDK.
pub type Client = opretail::Client;

/// The async runtime of a command.
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Failed(format!("cannot start the async runtime: {e}")))
}

/// The slowest `--rate`: one request every 1000 seconds. Below it the pause between requests
/// would be longer than any timeout, and far below it too long for the clock to hold.
pub const MIN_RATE: f64 = 0.001;
/// The fastest `--rate`: beyond it no pause is left to make.
pub const MAX_RATE: f64 = 1_000_000.0;

/// `--rate`: requests a second, from [`MIN_RATE`] to [`MAX_RATE`].
pub fn parse_rate(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(rate) if (MIN_RATE..=MAX_RATE).contains(&rate) => Ok(rate),
        _ => Err(format!(
            "{text:?} is not a number of requests per second from {MIN_RATE} to {MAX_RATE}"
        )),
    }
}

/// The most bytes of answers the command holds at once while reading and decoding them,
/// whatever `--concurrency` is: with the reorder buffer (16 MiB) and the rest, the command
/// stays under 64 MiB whatever a gateway sends (`tests/memory.rs`; 4 MiB rather than 8 leaves
/// room in the larger `--all-features` build). Real answers are a few kilobytes, so hundreds
/// still fit; a larger answer than this (a series call's) is read on its own.
const ANSWER_BYTES_IN_FLIGHT: usize = 4 * 1024 * 1024;

/// What a command needs of its client beyond the settings.
#[derive(Debug, Clone, Default)]
pub struct Tuning {
    /// The most requests a second, retries included; `None` for no limit.
    pub rate_limit: Option<f64>,
    /// Caps far below the SDK's defaults (which leave room for the largest series) when a
    /// command's answers are known to be small: bytes, rows and undocumented values of one
    /// answer (the flags still decide rows and values).
    pub answer_caps: Option<AnswerCaps>,
}

/// The most one answer may hold, so that hundreds of calls in flight against a broken or
/// hostile endpoint cannot fill the memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswerCaps {
    /// Bytes read.
    pub bytes: usize,
    /// Rows decoded (stores, buckets, shares, items).
    pub rows: usize,
    /// Values of undocumented fields decoded.
    pub elements: usize,
}

impl AnswerCaps {
    /// A store's totals or its demographics: a real answer is one or two kilobytes, with a
    /// handful of configuration items or a few genders and age groups. (A page of the store
    /// list, which `--all-stores` reads through the same client, has a limit of its own:
    /// [`STORE_PAGE_BYTES`].) Hundreds of calls in flight then hold little, the HTTP
    /// library's buffers for each connection included: 256 calls at 256 KiB peaked at about
    /// 105 MB, at 32 KiB at about 40 MiB (`tests/memory.rs`).
    pub const SMALL: AnswerCaps = AnswerCaps {
        bytes: 32 * 1024,
        rows: 1_000,
        elements: 10_000,
    };

    /// One store's month of hourly buckets (`sync`): 744 buckets of a few hundred bytes
    /// (about 200 KiB from the sandbox), with room to spare.
    pub const STORE_MONTH: AnswerCaps = AnswerCaps {
        bytes: 512 * 1024,
        rows: 1_500,
        elements: 10_000,
    };

    /// `devices`: a store's devices, the stores with devices of a kind, a store's counts by
    /// device over a day; a few kilobytes each, the store lists tens or hundreds for an
    /// enterprise of thousands of stores.
    pub const DEVICE_LISTS: AnswerCaps = AnswerCaps {
        bytes: 4 * 1024 * 1024,
        rows: opretail_model::DEFAULT_MAX_ROWS_PER_ANSWER,
        elements: opretail_model::DEFAULT_MAX_ELEMENTS_PER_ANSWER,
    };

    /// `opretail call`: any method, printed as sent. As large as the largest typed answer
    /// (a series call's); the text is held twice while it is printed (the body, and `data`
    /// cut out of it), so 16 MiB would take 32.
    pub const RAW_CALL: AnswerCaps = AnswerCaps::SERIES_CALL;

    /// One call of `passenger-flow series`: at most 20 stores' month of hourly buckets,
    /// 14,880 buckets and 20 stores (about 4 MiB from the sandbox), with room to spare; the
    /// SDK's cap of undocumented values. Rows stop at 16,000 rather than the SDK's 20,000: a
    /// decoded list of more than 16,384 buckets takes 32,768 buckets' room (7.5 MiB) while it
    /// is packed, and with 64 calls in flight two or three such lists are held at once.
    pub const SERIES_CALL: AnswerCaps = AnswerCaps {
        bytes: 8 * 1024 * 1024,
        rows: 16_000,
        elements: opretail_model::DEFAULT_MAX_ELEMENTS_PER_ANSWER,
    };
}

/// The most read of a page of the store list, whatever the command: 100 stores, about 62 KiB
/// from the sandbox; a real page with long names and addresses may be a few times that.
pub const STORE_PAGE_BYTES: usize = 1024 * 1024;

/// The methods of a page of the store list, on either gateway.
const STORE_PAGE_METHODS: [&str; 2] = [METHOD_GET_DEPT_LIST_BY_PAGE, METHOD_GET_DEPARTMENTS];

/// A client, and the sandbox it talks to when there is one (kept alive as long as this).
pub struct Gateway {
    /// The client.
    pub client: Client,
    /// The embedded sandbox, with `--sandbox`.
    pub sandbox: Option<SandboxHandle>,
}

impl Gateway {
    /// Builds the client; with `sandbox`, first starts the sandbox on a free loopback port.
    pub async fn connect(
        settings: &Settings,
        sandbox: bool,
        tuning: Tuning,
    ) -> Result<Gateway, Failure> {
        let rsa_key = match &settings.private_key {
            Some(path) => Some(read_private_key(path)?),
            None => None,
        };
        let (handle, endpoint, credentials) = if sandbox {
            let mut builder = Sandbox::builder();
            if let Some(dir) = &settings.replay {
                let recordings = opretail_sandbox::Recordings::load(dir)
                    .map_err(|e| Failure::usage(format!("--replay: {e}")))?;
                builder = builder.replay(recordings);
            }
            if let Some(key) = &rsa_key {
                // The embedded sandbox knows the key's public half, as the console would.
                builder = builder.rsa_public_key(public_half(key)?);
            }
            let handle = builder.start().await.map_err(|e| {
                Failure::Failed(format!(
                    "cannot start the embedded sandbox on 127.0.0.1: {e}"
                ))
            })?;
            let url = handle.url().to_owned();
            tracing::info!(url, "embedded sandbox started");
            let credentials = match &rsa_key {
                Some(key) => Credentials::rsa(key.expose_secret()).map_err(usage)?,
                None => {
                    let akey = settings
                        .akey
                        .clone()
                        .unwrap_or_else(|| DEFAULT_AKEY.to_owned());
                    let asid = settings
                        .asid
                        .as_ref()
                        .map(|s| s.expose_secret().to_owned())
                        .unwrap_or_else(|| DEFAULT_ASID.to_owned());
                    Credentials::new(akey, asid).map_err(usage)?
                }
            };
            (Some(handle), url, credentials)
        } else {
            let credentials = match &rsa_key {
                Some(key) => Credentials::rsa(key.expose_secret()).map_err(usage)?,
                None => {
                    let akey = settings.akey.clone().ok_or_else(|| {
                        settings.missing("developer key", "--akey", ENV_AKEY, "akey")
                    })?;
                    let asid = settings
                        .asid
                        .as_ref()
                        .map(|s| s.expose_secret().to_owned())
                        .ok_or_else(|| {
                            settings.missing("signing secret", "--asid", ENV_ASID, "asid")
                        })?;
                    Credentials::new(akey, asid).map_err(usage)?
                }
            };
            (None, settings.endpoint.clone(), credentials)
        };
        let mut config = Config::builder()
            .endpoint(endpoint)
            .sign_method(settings.sign_method);
        if let Some(aid) = &settings.aid {
            config = config.aid(aid.clone());
        }
        if let Some(environment) = settings.environment {
            config = config.environment(environment);
        }
        config = config.nonce(settings.nonce);
        if let Some(dir) = &settings.record {
            config = config.observe_exchanges(crate::recorder::observer(dir)?);
        }
        if let Some(timeout) = settings.timeout {
            config = config.timeout(timeout);
        }
        let caps = tuning.answer_caps;
        if let Some(bytes) = settings.max_answer_bytes {
            // The flag decides every answer's limit.
            config = config.body_limit(bytes);
        } else {
            if let Some(caps) = caps {
                config = config.body_limit(caps.bytes);
            }
            for method in STORE_PAGE_METHODS {
                config = config.method_body_limit(method, STORE_PAGE_BYTES);
            }
        }
        config = config.answer_bytes_in_flight(ANSWER_BYTES_IN_FLIGHT);
        if let Some(per_second) = tuning.rate_limit {
            config = config.rate_limit(per_second);
        }
        if let Some(path) = &settings.ca_cert {
            let pem = std::fs::read(path).map_err(|e| {
                Failure::usage(format!(
                    "cannot read the CA certificate file {}: {e}",
                    path.display()
                ))
            })?;
            config = config.add_root_certificates_pem(pem);
        }
        config = config.headers_over_clear_text(settings.allow_clear_text_headers);
        if let Some(rows) = settings.max_rows_per_answer.or(caps.map(|c| c.rows)) {
            config = config.max_rows_per_answer(rows);
        }
        let elements = settings.max_elements_per_answer;
        if let Some(elements) = elements.or(caps.map(|c| c.elements)) {
            config = config.max_elements_per_answer(elements);
        }
        let config = config.build().map_err(usage)?;
        if config.endpoint().is_clear_text_remote() {
            say!(
                "warning: {} is plain http to another machine: the developer key, the \
                 signature, every parameter and answer, and any token header travel in clear \
                 text; use https",
                config.endpoint()
            );
        }
        let client = Client::new(credentials, config.clone()).map_err(|e| match e {
            Error::InvalidInput { .. } => usage(e),
            other => Failure::Failed(format!("cannot build the HTTP client: {other}")),
        })?;
        let source = token_source(settings, handle.is_some(), &config)?;
        Ok(Gateway {
            client: client.with_token_source(source),
            sandbox: handle,
        })
    }

    /// Runs a command that calls the gateway: resolves the settings of `global`, runs
    /// `command` on a new runtime, then stops the embedded sandbox if there is one.
    pub fn run(
        global: &GlobalArgs,
        tuning: Tuning,
        command: impl AsyncFnOnce(&Gateway) -> Result<(), Failure>,
    ) -> Result<(), Failure> {
        let settings = Settings::resolve(global)?;
        runtime()?.block_on(async {
            let gateway = Gateway::connect(&settings, global.sandbox, tuning).await?;
            let result = command(&gateway).await;
            gateway.close().await;
            result
        })
    }

    /// Whether the figures come from the embedded sandbox.
    pub fn is_sandbox(&self) -> bool {
        self.sandbox.is_some()
    }

    /// Stops the embedded sandbox, if any.
    pub async fn close(self) {
        if let Some(sandbox) = self.sandbox {
            sandbox.shutdown().await;
        }
    }
}

/// The text of the private key file at `path`, checked: errors name the file, never its
/// contents; a file others can read is warned about, as the config file is.
pub fn read_private_key(path: &std::path::Path) -> Result<SecretString, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::usage(format!(
            "cannot read the private key file {}: {e}",
            path.display()
        ))
    })?;
    crate::private_file::warn_if_exposed(path, "holds an RSA private key");
    let text = SecretString::from(text);
    opretail_sign::RsaSigningKey::from_text(text.expose_secret())
        .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
    Ok(text)
}

/// The public half of a private key already read by [`read_private_key`].
fn public_half(key: &SecretString) -> Result<opretail_sign::RsaVerifyingKey, Failure> {
    opretail_sign::RsaSigningKey::from_text(key.expose_secret())
        .map(|key| key.verifying_key())
        .map_err(|e| Failure::usage(e.to_string()))
}

/// Where the user token comes from: the sandbox's demo user; else `OPRETAIL_TOKEN`; else the
/// user and password of the environment or config file; else the token kept by `login`, when
/// it was issued for this gateway (and this user, when one is set).
pub fn token_source(
    settings: &Settings,
    sandbox: bool,
    config: &Config,
) -> Result<TokenSource, Failure> {
    let method = || -> Result<LoginMethod, Error> {
        match &settings.login_method {
            Some(text) => LoginMethod::parse(text),
            None => Ok(LoginMethod::for_gateway(config.gateway())),
        }
    };
    if sandbox {
        return TokenSource::login(
            DEMO_USER,
            DEMO_PASSWORD.to_owned(),
            method().map_err(usage)?,
        )
        .map_err(usage);
    }
    if let Some(token) = &settings.token {
        return Ok(TokenSource::Token(token.clone()));
    }
    match (&settings.user, &settings.password) {
        (Some(user), Some(password)) => {
            TokenSource::login(user.clone(), password.clone(), method().map_err(usage)?)
                .map_err(usage)
        }
        (None, Some(_)) => Err(usage(Error::invalid_input(
            ENV_USER,
            format!("a password is set but no user: set {ENV_USER} (or `user` in the config file)"),
        ))),
        (user, None) => {
            let akey = settings.akey.as_deref().unwrap_or_default();
            crate::token_cache::source(config, akey, user.as_deref())
        }
    }
}

/// Says which settings give a token, for commands that need one and have none.
pub const NO_TOKEN_HINT: &str = "set OPRETAIL_USER and OPRETAIL_PASSWORD, or OPRETAIL_TOKEN, or \
     run `opretail login` (or try --sandbox)";

fn usage(error: Error) -> Failure {
    Failure::usage(crate::output::words(&error))
}
