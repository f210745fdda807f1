//! The TLS stack of the agent, per feature, trusting the roots of
//! [`opretail_model::engine::tls::trusted_roots`].

use opretail_model::Config;
use ureq::config::ConfigBuilder;
use ureq::typestate::AgentScope;

/// Whether this build can speak https.
pub(crate) const ENABLED: bool = cfg!(any(feature = "rustls", feature = "native-tls"));

/// Sets the agent's TLS: native-tls when it is enabled (choosing it is explicit; rustls is only
/// the default), else rustls, whose provider in ureq is ring, the one provider of every build
/// of the SDK.
#[cfg(any(feature = "rustls", feature = "native-tls"))]
pub(crate) fn apply(
    builder: ConfigBuilder<AgentScope>,
    config: &Config,
) -> ConfigBuilder<AgentScope> {
    use ureq::tls::{Certificate, RootCerts, TlsConfig, TlsProvider};

    let provider = if cfg!(feature = "native-tls") {
        TlsProvider::NativeTls
    } else {
        TlsProvider::Rustls
    };
    let roots: Vec<Certificate<'static>> = opretail_model::engine::tls::trusted_roots(config)
        .iter()
        .map(|der| Certificate::from_der(der).to_owned())
        .collect();
    builder.tls_config(
        TlsConfig::builder()
            .provider(provider)
            .root_certs(RootCerts::from(roots))
            .build(),
    )
}

#[cfg(not(any(feature = "rustls", feature = "native-tls")))]
pub(crate) fn apply(
    builder: ConfigBuilder<AgentScope>,
    _config: &Config,
) -> ConfigBuilder<AgentScope> {
    builder
}

/// Whether `error` is one of the enabled TLS libraries' own errors, for
/// [`opretail_model::engine::tls::is_tls_error`].
pub(crate) fn is_tls_library_error(error: &(dyn std::error::Error + 'static)) -> bool {
    rustls_error(error) || native_tls_error(error)
}

#[cfg(feature = "rustls")]
fn rustls_error(error: &(dyn std::error::Error + 'static)) -> bool {
    error.is::<rustls::Error>()
}

#[cfg(not(feature = "rustls"))]
fn rustls_error(_: &(dyn std::error::Error + 'static)) -> bool {
    false
}

#[cfg(feature = "native-tls")]
fn native_tls_error(error: &(dyn std::error::Error + 'static)) -> bool {
    error.is::<native_tls::Error>()
}

#[cfg(not(feature = "native-tls"))]
fn native_tls_error(_: &(dyn std::error::Error + 'static)) -> bool {
    false
}
