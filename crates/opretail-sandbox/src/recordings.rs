//! Replaying recorded exchanges (`--replay DIR`): a call whose method, version and business
//! parameters match a file written by `opretail --record DIR` is answered with the recorded
//! status and body, once its signature and the other common parameters have passed the usual
//! checks. Every other call is answered as usual.
//!
//! A recorded parameter whose value was removed (a password) matches nothing, so a recorded
//! login is never replayed: logins keep giving the sandbox's own tokens, which its other
//! methods check.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;

use opretail_model::recording::Exchange;

/// The most recorded files a sandbox loads: a recording is a bug report, not a data set.
pub const MAX_RECORDINGS: usize = 10_000;

/// A recorded answer.
#[derive(Debug, Clone)]
pub(crate) struct Recorded {
    pub(crate) status: u16,
    pub(crate) body: String,
}

/// The recorded exchanges of a directory, by method, version and business parameters.
#[derive(Clone, Default)]
pub struct Recordings {
    answers: HashMap<(String, String, BTreeMap<String, String>), Recorded>,
}

impl fmt::Debug for Recordings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Recordings({} exchanges)", self.answers.len())
    }
}

impl Recordings {
    /// Loads every `*.json` file of `dir` (other files, such as its `README`, are skipped).
    /// A file that is not a recorded exchange is an error naming it and saying why; when two
    /// files record the same call, the later one (by name) wins.
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("recordings-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// std::fs::write(dir.join("0001-x.json"), "{}").unwrap();
    /// let error = opretail_sandbox::Recordings::load(&dir).unwrap_err();
    /// assert!(error.contains("0001-x.json"), "{error}");
    /// ```
    pub fn load(dir: &Path) -> Result<Recordings, String> {
        let entries = std::fs::read_dir(dir).map_err(|e| {
            format!(
                "cannot read the recordings directory {}: {e}",
                dir.display()
            )
        })?;
        let mut paths: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|e| e == "json"))
            .collect();
        if paths.len() > MAX_RECORDINGS {
            return Err(format!(
                "{} holds {} recordings; the sandbox replays at most {MAX_RECORDINGS}",
                dir.display(),
                paths.len()
            ));
        }
        paths.sort();
        let mut recordings = Recordings::default();
        for path in paths {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let exchange: Exchange = serde_json::from_str(&text).map_err(|e| {
                format!(
                    "{} is not a recorded exchange ({e}); it needs method, version, params, \
                     status, answer and at, as `opretail --record` writes them",
                    path.display()
                )
            })?;
            recordings.answers.insert(
                (
                    exchange.method.clone(),
                    exchange.version.clone(),
                    exchange.params.clone(),
                ),
                Recorded {
                    status: exchange.status,
                    body: exchange.body(),
                },
            );
        }
        Ok(recordings)
    }

    /// How many distinct calls are recorded.
    pub fn len(&self) -> usize {
        self.answers.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }

    /// The recorded answer of a call of `method` at `version` with these parameters (the
    /// business parameters only: not the common `_…` ones).
    pub(crate) fn find<'a>(
        &self,
        method: &str,
        version: &str,
        business: impl Iterator<Item = (&'a str, &'a str)>,
    ) -> Option<&Recorded> {
        if self.answers.is_empty() {
            return None;
        }
        let params: BTreeMap<String, String> = business
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect();
        self.answers
            .get(&(method.to_owned(), version.to_owned(), params))
    }
}
