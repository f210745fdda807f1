//! `opretail call`: a raw signed call of any method.

use std::io::Write;
use std::path::Path;

use opretail_model::RawCall;
use secrecy::{ExposeSecret, SecretString};
use serde_json::value::RawValue;

use crate::diag::say;
use crate::failure::Failure;
use crate::gateway::{AnswerCaps, Gateway, Tuning};
use crate::output::ErrorInfo;
use crate::global::GlobalArgs;

/// A raw signed call of any method; prints `data` as pretty JSON.
#[derive(Debug, clap::Args)]
#[command(display_order = 2)]
pub struct Args {
    /// The method only reads: retry it after timeouts, broken connections and transient
    /// gateway errors too. Without it the call is retried only when the connection could not
    /// be made, so that nothing runs twice on the gateway.
    #[arg(long)]
    pub idempotent: bool,

    /// Method name (`_mt`), e.g. open.shopweb.passengerFlow.getTotalData.
    #[arg(value_name = "METHOD")]
    pub method: String,

    /// Method version (`_version`).
    #[arg(long = "version", value_name = "V", default_value = "v1")]
    pub method_version: String,

    /// Extra HTTP header, e.g. Ovo-Authorization=TOKEN; repeat for more. The value shows in
    /// the process list: prefer --header-env or --header-file for tokens.
    #[arg(long = "header", value_name = "NAME=VALUE", value_parser = parse_header)]
    pub headers: Vec<Header>,

    /// Extra HTTP header whose value is read from an environment variable, e.g.
    /// Ovo-Authorization=OVO_TOKEN; repeat for more.
    #[arg(long = "header-env", value_name = "NAME=VAR", value_parser = parse_pair)]
    pub header_envs: Vec<(String, String)>,

    /// Extra HTTP header whose value is the content of a file (a final line break is
    /// dropped), e.g. Ovo-Authorization=token.txt; repeat for more.
    #[arg(long = "header-file", value_name = "NAME=FILE", value_parser = parse_pair)]
    pub header_files: Vec<(String, String)>,

    /// Send this JSON object as the body (the cloud gateway's form for methods taking nested
    /// JSON): the common parameters, any KEY=VALUE and `_sig` then go in the URL query and are
    /// signed; the JSON is not signed.
    #[arg(long, value_name = "JSON", value_parser = parse_json_object)]
    pub json: Option<serde_json::Value>,

    /// Business parameters.
    #[arg(value_name = "KEY=VALUE", value_parser = parse_pair)]
    pub params: Vec<(String, String)>,
}

impl Args {
    /// Sends the call and prints `data`.
    pub fn run(self, global: &GlobalArgs) -> Result<(), Failure> {
        let headers = collect_headers(&self)?;
        let tuning = Tuning {
            answer_caps: Some(AnswerCaps::RAW_CALL),
            ..Tuning::default()
        };
        Gateway::run(global, tuning, async |gateway| {
            run_with(gateway, self, headers).await
        })
    }
}

/// A `--json` value: a JSON object.
fn parse_json_object(text: &str) -> Result<serde_json::Value, String> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value) if value.is_object() => Ok(value),
        Ok(_) => Err("the body must be a JSON object ({…})".to_owned()),
        Err(e) => Err(format!("not JSON: {e}")),
    }
}

/// An HTTP header given on the command line; the value may be a token, so it is a secret.
#[derive(Debug, Clone)]
pub struct Header {
    /// The header's name.
    pub name: String,
    /// Its value.
    pub value: SecretString,
}

fn parse_header(text: &str) -> Result<Header, String> {
    match text.split_once('=') {
        Some(("", _)) => Err("the header has an empty name before `=`".to_owned()),
        Some((name, value)) => Ok(Header {
            name: name.to_owned(),
            value: SecretString::from(value),
        }),
        None => Err("a header is NAME=VALUE".to_owned()),
    }
}

/// `KEY=VALUE`, split at the first `=`; the value is kept exactly (it may contain `=`).
pub fn parse_pair(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some(("", _)) => Err(format!("{text:?} has an empty name before `=`")),
        Some((key, value)) => Ok((key.to_owned(), value.to_owned())),
        None => Err(format!("{text:?} is not KEY=VALUE")),
    }
}

/// Every header of the command line, values read from the environment and files. A usage
/// error names the header and where its value should have been, never the value.
pub fn collect_headers(args: &Args) -> Result<Vec<Header>, Failure> {
    let mut headers = args.headers.clone();
    for (name, var) in &args.header_envs {
        let value = std::env::var(var).map_err(|_| {
            Failure::usage(format!(
                "--header-env {name}={var}: the environment variable {var} is not set (or not \
                 valid Unicode)"
            ))
        })?;
        headers.push(Header {
            name: name.clone(),
            value: SecretString::from(value),
        });
    }
    for (name, file) in &args.header_files {
        let path = Path::new(file);
        let text = std::fs::read_to_string(path).map_err(|e| {
            Failure::usage(format!(
                "--header-file {name}={file}: cannot read {}: {e}",
                path.display()
            ))
        })?;
        crate::private_file::warn_if_exposed(
            path,
            &format!("holds the value of the {name} header"),
        );
        let value = text.strip_suffix('\n').unwrap_or(&text);
        let value = value.strip_suffix('\r').unwrap_or(value);
        headers.push(Header {
            name: name.clone(),
            value: SecretString::from(value),
        });
    }
    Ok(headers)
}

/// Prints `data` as pretty JSON, or the error on stderr.
async fn run_with(gateway: &Gateway, args: Args, headers: Vec<Header>) -> Result<(), Failure> {
    let mut call = RawCall::new(args.method)
        .at_version(args.method_version)
        .with_params(args.params);
    if args.idempotent {
        call = call.mark_idempotent();
    }
    if let Some(json) = args.json {
        call = call
            .with_json_body(json)
            .map_err(|e| Failure::usage(crate::output::words(&e)))?;
    }
    for header in headers {
        call = call.header(header.name, header.value.expose_secret());
    }
    // `data` as the text sent, printed as it is read: decoded into values first, a hostile
    // answer of 16 MiB took over 200 MB (`tests/memory.rs`).
    match gateway
        .client
        .send(&call.with_output::<Box<RawValue>>())
        .await
    {
        Ok(data) => {
            if gateway.is_sandbox() {
                say!("note: sandbox data, not from the real gateway");
            }
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            pretty(&data, &mut out)?;
            writeln!(out)?;
            out.flush()?;
            Ok(())
        }
        Err(error @ opretail_model::Error::InvalidInput { .. }) => {
            Err(Failure::usage(crate::output::words(&error)))
        }
        Err(error) => Err(Failure::Failed(ErrorInfo::of(&error).line())),
    }
}

/// `data` as pretty JSON, members in the order sent; `null` when the answer had none.
fn pretty(data: &RawValue, out: &mut impl Write) -> std::io::Result<()> {
    let mut from = serde_json::Deserializer::from_str(data.get());
    let mut to = serde_json::Serializer::pretty(out);
    serde_transcode::transcode(&mut from, &mut to).map_err(std::io::Error::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_is_printed_pretty_in_the_order_sent() {
        let data =
            RawValue::from_string(r#"{"b":[1,2.5,"x\u001b"],"a":{},"c":null}"#.into()).unwrap();
        let mut out = Vec::new();
        pretty(&data, &mut out).unwrap();
        let expected = "{\n  \"b\": [\n    1,\n    2.5,\n    \"x\\u001b\"\n  ],\n  \"a\": {},\n  \"c\": null\n}";
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }

    #[test]
    fn pairs_split_at_the_first_equals_sign() {
        assert_eq!(parse_pair("a=b=c"), Ok(("a".to_owned(), "b=c".to_owned())));
        assert_eq!(parse_pair("a="), Ok(("a".to_owned(), String::new())));
        assert!(parse_pair("=b").is_err());
        assert!(parse_pair("ab").is_err());
    }
}
