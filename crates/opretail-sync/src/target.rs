//! Where a sync writes, as the user names it: `sqlite:PATH`, `postgres://…`, `parquet:DIR`.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use secrecy::{ExposeSecret, SecretString};

/// A sync target, parsed from its text.
///
/// The text of a PostgreSQL target may hold a password: it is kept secret, and `Display` and
/// `Debug` show the target with the password replaced by `***`.
///
/// ```
/// use opretail_sync::Target;
///
/// let target: Target = "sqlite:footfall.db".parse()?;
/// assert_eq!(target.to_string(), "sqlite:footfall.db");
/// let target: Target = "postgres://sync:hunter2@db.internal/footfall".parse()?;
/// assert_eq!(target.to_string(), "postgres://sync:***@db.internal/footfall");
/// assert!("mysql://db/footfall".parse::<Target>().is_err());
/// # Ok::<(), String>(())
/// ```
#[derive(Clone)]
pub enum Target {
    /// A SQLite database file, created when missing.
    Sqlite(PathBuf),
    /// A PostgreSQL database, by connection URL (`postgres://` or `postgresql://`).
    Postgres(SecretString),
    /// A directory of Parquet files, one per stream and day, created when missing.
    Parquet(PathBuf),
}

impl Target {
    /// Whether this build has the target's sink (its cargo feature is on).
    pub fn is_built(&self) -> bool {
        match self {
            Target::Sqlite(_) => cfg!(feature = "sqlite"),
            Target::Postgres(_) => cfg!(feature = "postgres"),
            Target::Parquet(_) => cfg!(feature = "parquet"),
        }
    }

    /// `sqlite`, `postgres` or `parquet`: also the name of the cargo feature of its sink.
    pub fn kind(&self) -> &'static str {
        match self {
            Target::Sqlite(_) => "sqlite",
            Target::Postgres(_) => "postgres",
            Target::Parquet(_) => "parquet",
        }
    }
}

impl FromStr for Target {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let path = |rest: &str, what: &str| {
            if rest.is_empty() {
                Err(format!(
                    "{what} needs a path after the colon, e.g. {what}:footfall"
                ))
            } else {
                Ok(PathBuf::from(rest))
            }
        };
        if let Some(rest) = text.strip_prefix("sqlite:") {
            Ok(Target::Sqlite(path(rest, "sqlite")?))
        } else if let Some(rest) = text.strip_prefix("parquet:") {
            Ok(Target::Parquet(path(rest, "parquet")?))
        } else if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            url::Url::parse(text).map_err(|e| {
                format!("the PostgreSQL URL does not parse ({e}): postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE")
            })?;
            Ok(Target::Postgres(SecretString::from(text)))
        } else {
            Err(format!(
                "unknown target {:?}: give sqlite:PATH, postgres://USER@HOST/DATABASE or parquet:DIR",
                redacted(text)
            ))
        }
    }
}

/// The URL with its password, if any, replaced by `***`: after the user, and in a
/// `password=` query parameter (libpq's other place for it).
fn redacted(text: &str) -> String {
    match url::Url::parse(text) {
        Ok(mut url) => {
            if url.password().is_some() {
                // Only a URL that cannot have a password refuses one, and this one has one.
                let _ = url.set_password(Some("***"));
            }
            if url.query_pairs().any(|(k, _)| k == "password") {
                let pairs: Vec<(String, String)> = url
                    .query_pairs()
                    .map(|(k, v)| {
                        let v = if k == "password" {
                            "***".into()
                        } else {
                            v.into_owned()
                        };
                        (k.into_owned(), v)
                    })
                    .collect();
                url.query_pairs_mut().clear().extend_pairs(pairs);
            }
            url.to_string()
        }
        // An unparsable text may still hold a password after a colon: show its scheme only.
        Err(_) if text.contains('@') => match text.split_once("://") {
            Some((scheme, _)) => format!("{scheme}://…"),
            None => "…".to_owned(),
        },
        Err(_) => text.to_owned(),
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
            Target::Parquet(path) => write!(f, "parquet:{}", path.display()),
            Target::Postgres(url) => f.write_str(&redacted(url.expose_secret())),
        }
    }
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Target({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn a_password_never_shows() {
        let target: Target = "postgresql://me:s3cret-pw@127.0.0.1:5433/db"
            .parse()
            .unwrap();
        for shown in [target.to_string(), format!("{target:?}")] {
            assert!(!shown.contains("s3cret-pw"), "{shown}");
            assert!(shown.contains("127.0.0.1:5433/db"), "{shown}");
        }
        let error = "mysql://me:s3cret-pw@host/db"
            .parse::<Target>()
            .unwrap_err();
        assert!(
            !error.contains("s3cret-pw") && error.contains("sqlite:PATH"),
            "{error}"
        );
    }

    #[test]
    fn a_password_in_the_query_never_shows_either() {
        let target: Target = "postgres://me@db/x?password=s3cret-pw&sslmode=disable"
            .parse()
            .unwrap();
        let shown = target.to_string();
        assert!(
            !shown.contains("s3cret-pw") && shown.contains("sslmode=disable"),
            "{shown}"
        );
    }

    #[test]
    fn paths_are_required() {
        assert!(
            "sqlite:"
                .parse::<Target>()
                .unwrap_err()
                .contains("needs a path")
        );
        assert!(matches!("parquet:out".parse(), Ok(Target::Parquet(p)) if p == Path::new("out")));
    }
}
