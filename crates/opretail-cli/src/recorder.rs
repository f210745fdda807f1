//! `--record DIR`: every exchange of the run written to DIR as one JSON file, secrets removed
//! by the model (see `opretail_model::recording`), with a README saying what was removed.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use opretail_model::recording::{Exchange, ExchangeObserver};

use crate::diag::say;
use crate::failure::Failure;

/// What the README of a recording says.
const README: &str = "\
Recorded by `opretail --record`: one JSON file per call, numbered in the order the answers
came (`0001-<method>.json`, …), each holding the method, its version, the business
parameters, the HTTP status, the answer, and when it came (UTC).

Removed before anything was written, and replaced by \"<removed>\":
- every common parameter: `_akey`, `_sig`, `_sm`, `_timestamp`, `_nonce`, `_aid` are not
  recorded at all, and neither is the signing secret or an RSA key (they are never sent);
- no request or answer header is recorded (the login token travels in one);
- the value of every parameter and every answer field, at any depth, whose name is a
  password, token, ticket, secret, session, authorization or cookie (`password`, `token`,
  `accessToken`, `sessionId`, …), and such values inside text.

The files are meant to be shared in a bug report. Look through them once before you do: store
names, addresses and figures are your business's data.

`opretail-sandbox --replay DIR` (or `opretail --sandbox --replay DIR …`) answers calls that
match a recorded method and business parameters with the recorded answer.
";

/// The observer writing each exchange into `dir` (created private, mode 0700): files numbered
/// after those already there, each created new with mode 0600. A file that cannot be written
/// is reported once on stderr; the run goes on.
pub fn observer(dir: &Path) -> Result<ExchangeObserver, Failure> {
    crate::private_file::create_private_dir(dir).map_err(|e| {
        Failure::usage(format!(
            "--record: cannot create the directory {}: {e}",
            dir.display()
        ))
    })?;
    std::fs::write(dir.join("README"), README)
        .map_err(|e| Failure::usage(format!("--record: cannot write in {}: {e}", dir.display())))?;
    let next = Arc::new(AtomicUsize::new(last_number(dir) + 1));
    let warned = Arc::new(AtomicBool::new(false));
    let dir = dir.to_path_buf();
    Ok(ExchangeObserver::new(move |exchange| {
        let number = next.fetch_add(1, Ordering::Relaxed);
        if let Err(e) = write(&dir, number, exchange)
            && !warned.swap(true, Ordering::Relaxed)
        {
            say!(
                "warning: --record: cannot write the exchange of {} to {}: {e}",
                crate::escape::for_stderr(&exchange.method),
                dir.display()
            );
        }
    }))
}

/// The highest number of the recorded files in `dir`, 0 when none.
fn last_number(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            name.split_once('-')?.0.parse::<usize>().ok()
        })
        .max()
        .unwrap_or(0)
}

/// The file name of exchange `number`: its number, then the method in safe characters.
fn file_name(number: usize, method: &str) -> PathBuf {
    let method: String = method
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    PathBuf::from(format!("{number:04}-{method}.json"))
}

fn write(dir: &Path, number: usize, exchange: &Exchange) -> std::io::Result<()> {
    use std::io::Write;
    let text = serde_json::to_vec_pretty(exchange).map_err(std::io::Error::other)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(dir.join(file_name(number, &exchange.method)))?;
    file.write_all(&text)?;
    file.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_in_call_order_and_stay_in_the_directory() {
        assert_eq!(
            file_name(7, "open.shopweb.passengerFlow.getTotalData"),
            PathBuf::from("0007-open.shopweb.passengerFlow.getTotalData.json")
        );
        assert_eq!(
            file_name(12, "../../etc/x"),
            PathBuf::from("0012-.._.._etc_x.json")
        );
    }
}
