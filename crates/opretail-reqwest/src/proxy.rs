//! Which proxy the HTTP client uses: reqwest's own choice (the `HTTP_PROXY`, `HTTPS_PROXY`,
//! `ALL_PROXY` and `NO_PROXY` variables, upper case first, and the system's settings on macOS
//! and Windows), except for a loopback endpoint, which is never proxied.
//!
//! A proxy elsewhere would receive what is sent to this machine (a sandbox's calls, login
//! tokens among them) and could not reach it anyway.

use opretail_model::Config;
use reqwest::ClientBuilder;

/// `builder` with no proxy at all when the endpoint is loopback.
pub(crate) fn configure(builder: ClientBuilder, config: &Config) -> ClientBuilder {
    if config.endpoint().is_loopback() {
        builder.no_proxy()
    } else {
        builder
    }
}
