//! What every test of the binary shares.

use assert_cmd::Command;

/// The `opretail` binary, cut off from the settings of the machine running the tests: no
/// `OPRETAIL_*` or `RUST_LOG` variable of the environment, and an empty home directory so that
/// no config file leaks in.
pub fn isolated_command(home_name: &str) -> Command {
    Command::from_std(isolated(
        std::process::Command::new(env!("CARGO_BIN_EXE_opretail")),
        home_name,
    ))
}

/// `command` (the binary, or a program that runs it) with the isolation of
/// [`isolated_command`].
pub fn isolated(mut command: std::process::Command, home_name: &str) -> std::process::Command {
    for var in [
        "OPRETAIL_ENDPOINT",
        "OPRETAIL_AKEY",
        "OPRETAIL_ASID",
        "OPRETAIL_SIGN_METHOD",
        "OPRETAIL_TIMEOUT",
        "OPRETAIL_CONFIG",
        "OPRETAIL_CA_CERT",
        "OPRETAIL_AID",
        "OPRETAIL_USER",
        "OPRETAIL_PASSWORD",
        "OPRETAIL_TOKEN",
        "OPRETAIL_LOGIN_METHOD",
        "RUST_LOG",
    ] {
        command.env_remove(var);
    }
    let home = std::env::temp_dir().join(home_name);
    command
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_CACHE_HOME", home.join(".cache"));
    command
}
