//! A throwaway PostgreSQL 15 cluster for one test: its own data directory in a temporary
//! directory, no TCP port at all (it listens on a Unix socket in that directory only), and
//! `trust` authentication for the test user. Stopped and removed when dropped.
//!
//! It needs Debian's `postgresql-15` (the binaries in `/usr/lib/postgresql/15/bin`); without
//! them the tests fail, saying so. PostgreSQL refuses to run as root, so under root (as CI
//! runs) the cluster is run as the package's `postgres` user.

#![allow(dead_code)] // each test uses its own part of this module

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio_postgres::{NoTls, Row, types::ToSql};

/// Where Debian's `postgresql-15` puts the server's programs.
pub const BIN: &str = "/usr/lib/postgresql/15/bin";

/// The superuser the cluster is made with, trusted without a password.
pub const USER: &str = "sync";

/// A user that must give its password (SCRAM), to check what errors show of it.
pub const PASSWORD_USER: &str = "secretive";

/// The database every cluster has for the tests.
pub const DATABASE: &str = "footfall";

/// The port the socket is named after; nothing listens on TCP.
const PORT: u16 = 5432;

/// A running cluster. See the module's documentation.
pub struct Cluster {
    dir: PathBuf,
    as_postgres: bool,
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// `text` percent-encoded for the host part of a URL (a socket directory is a path).
fn encode_host(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

fn shown(out: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

impl Cluster {
    /// Makes and starts a cluster, with the [`DATABASE`] database and the [`PASSWORD_USER`]
    /// role (password `password`).
    pub fn start() -> Cluster {
        Cluster::start_with_password("password")
    }

    /// [`Cluster::start`], with `password` for [`PASSWORD_USER`].
    pub fn start_with_password(password: &str) -> Cluster {
        let initdb = Path::new(BIN).join("initdb");
        assert!(
            initdb.exists(),
            "PostgreSQL 15 is not installed ({} is missing): install Debian's `postgresql-15` \
             (apt-get install postgresql-15), as `cargo xtask ci` does",
            initdb.display()
        );
        static CLUSTERS: AtomicUsize = AtomicUsize::new(0);
        let n = CLUSTERS.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("opretail-pg-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let as_postgres = is_root();
        let cluster = Cluster { dir, as_postgres };
        if as_postgres {
            let out = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&cluster.dir)
                .output()
                .expect("chown runs");
            assert!(
                out.status.success(),
                "PostgreSQL refuses to run as root, and the `postgres` user (made by Debian's \
                 postgresql-15) cannot be given the cluster's directory: {}",
                shown(&out)
            );
        }
        let data = cluster.data();
        cluster.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                USER,
                "--auth=trust",
                "--no-sync",
                "--no-instructions",
                "-E",
                "UTF8",
                "--locale=C",
            ],
        );
        // The first matching line wins: the password user must prove its password.
        let hba = format!("local all {PASSWORD_USER} scram-sha-256\nlocal all all trust\n");
        std::fs::write(Path::new(&data).join("pg_hba.conf"), hba).expect("pg_hba.conf");
        let options = format!(
            "-c listen_addresses='' -k {} -p {PORT} -c fsync=off -c synchronous_commit=off",
            cluster.dir.display()
        );
        let log = cluster.dir.join("server.log").display().to_string();
        cluster.run(
            "pg_ctl",
            &["-D", &data, "-l", &log, "-o", &options, "-w", "start"],
        );
        let admin = cluster.client("postgres");
        admin.execute(
            &format!("CREATE ROLE {PASSWORD_USER} LOGIN PASSWORD '{password}'"),
            &[],
        );
        // Its owner may create tables in its `public` schema (PostgreSQL 15 lets no one else).
        admin.execute(
            &format!("CREATE DATABASE {DATABASE} OWNER {PASSWORD_USER}"),
            &[],
        );
        cluster
    }

    fn data(&self) -> String {
        self.dir.join("data").display().to_string()
    }

    /// The socket's directory.
    pub fn socket_dir(&self) -> &Path {
        &self.dir
    }

    /// Runs one of the server's programs, as `postgres` under root; panics with its output
    /// and the server's log when it fails.
    fn run(&self, program: &str, args: &[&str]) {
        let path = Path::new(BIN).join(program);
        let mut command = if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&path);
            command
        } else {
            Command::new(&path)
        };
        // The postgres user may not be allowed into the directory the tests run in.
        command.args(args).current_dir(&self.dir);
        let out = command
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", path.display()));
        if !out.status.success() {
            let log = std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
            panic!("{program} failed: {}\nserver log:\n{log}", shown(&out));
        }
    }

    /// The URL of `database` for the trusted user, through the socket.
    pub fn url(&self) -> String {
        format!(
            "postgres://{USER}@{}:{PORT}/{DATABASE}",
            encode_host(&self.dir.display().to_string())
        )
    }

    /// The URL of [`DATABASE`] for [`PASSWORD_USER`] with `password`.
    pub fn url_with_password(&self, password: &str) -> String {
        format!(
            "postgres://{PASSWORD_USER}:{password}@{}:{PORT}/{DATABASE}",
            encode_host(&self.dir.display().to_string())
        )
    }

    /// A client of `database`, as the trusted user, for checks.
    pub fn client(&self, database: &str) -> Db {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let mut config = tokio_postgres::Config::new();
        config
            .host_path(&self.dir)
            .port(PORT)
            .user(USER)
            .dbname(database);
        let (client, connection) = runtime
            .block_on(config.connect(NoTls))
            .expect("the check client connects");
        runtime.spawn(connection);
        Db { runtime, client }
    }

    /// A client of [`DATABASE`], as the trusted user, for checks.
    pub fn db(&self) -> Db {
        self.client(DATABASE)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data();
        let path = Path::new(BIN).join("pg_ctl");
        let mut command = if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&path);
            command
        } else {
            Command::new(&path)
        };
        let _ = command
            .args(["-D", &data, "stop", "-m", "immediate"])
            .current_dir(&self.dir)
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A plain client, for what the tests check or break behind the sink's back.
pub struct Db {
    runtime: tokio::runtime::Runtime,
    client: tokio_postgres::Client,
}

impl Db {
    /// The rows of `sql`; panics on an error.
    pub fn query(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Vec<Row> {
        self.runtime
            .block_on(self.client.query(sql, params))
            .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
    }

    /// Runs `sql`; panics on an error.
    pub fn execute(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> u64 {
        self.runtime
            .block_on(self.client.execute(sql, params))
            .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
    }

    /// Every row of `table` as JSON text, ordered by `order`, without the columns named in
    /// `except`.
    pub fn rows_as_text(&self, table: &str, order: &[&str], except: &[&str]) -> Vec<String> {
        let rows = self.query(
            &format!(
                "SELECT to_jsonb(t)::text FROM {table} t ORDER BY {}",
                order.join(", ")
            ),
            &[],
        );
        rows.iter()
            .map(|row| {
                let mut value: serde_json::Value =
                    serde_json::from_str(row.get::<_, &str>(0)).expect("JSON");
                if let Some(object) = value.as_object_mut() {
                    for name in except {
                        object.remove(*name);
                    }
                }
                value.to_string()
            })
            .collect()
    }
}
