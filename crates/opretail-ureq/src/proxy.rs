//! Which proxy the agent uses: the same choice as the async client's reqwest makes, so that
//! both clients go the same way.
//!
//! ureq's own default takes the first of `ALL_PROXY`, `HTTPS_PROXY` and `HTTP_PROXY` for every
//! scheme. The SDK instead reads, upper case before lower case, `HTTP_PROXY` for an `http`
//! endpoint and `HTTPS_PROXY` for an `https` one, then `ALL_PROXY`; an endpoint that
//! `NO_PROXY` lists goes direct. A loopback endpoint is never proxied: a proxy elsewhere would
//! receive what is sent to this machine (a sandbox's calls, login tokens among them).

use opretail_model::Config;

/// The proxy for the configuration's endpoint, `None` to go direct.
pub(crate) fn for_endpoint(config: &Config) -> Option<ureq::Proxy> {
    let endpoint = config.endpoint();
    if endpoint.is_loopback() {
        return None;
    }
    // ureq's reading of the environment knows NO_PROXY; only the variable it picks differs.
    let from_env = ureq::Proxy::try_from_env()?;
    let uri: ureq::http::Uri = endpoint.as_str().parse().ok()?;
    if from_env.is_no_proxy(&uri) {
        return None;
    }
    let names: [&str; 4] = if endpoint.url().scheme() == "https" {
        ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
    } else {
        ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]
    };
    let proxy = names
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.trim().is_empty())?;
    match ureq::Proxy::new(proxy.trim()) {
        Ok(proxy) => Some(proxy),
        Err(error) => {
            tracing::warn!(%error, "a proxy variable is not a usable proxy URL; going direct");
            None
        }
    }
}
