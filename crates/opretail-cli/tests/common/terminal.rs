//! `opretail login` on a pseudo-terminal (made by util-linux's `script`, which every Debian
//! system has), for the tests of the password prompt.

use std::io::Read;
use std::path::Path;
use std::process::{ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use opretail_sandbox::{DEFAULT_AKEY, DEFAULT_ASID, DEMO_USER};

/// Runs `opretail login` to `endpoint` as the demo user, followed by the shell commands
/// `after`, on a pseudo-terminal; calls `end` with the terminal's input and the command's
/// process id once the password prompt shows and echo is off; returns what the terminal
/// showed once the shell has ended, successfully.
pub fn login_at_the_prompt(
    endpoint: &str,
    after: &str,
    home_name: &str,
    cache: &Path,
    end: impl FnOnce(&mut ChildStdin, u32),
) -> String {
    let shell = format!(
        "{} --endpoint {endpoint} --akey {DEFAULT_AKEY} --asid {DEFAULT_ASID} login{after}",
        env!("CARGO_BIN_EXE_opretail"),
    );
    let mut script = Command::new("script");
    script.args(["--quiet", "--return", "--command", &shell, "/dev/null"]);
    let mut child = super::isolated(script, home_name)
        .env("XDG_CACHE_HOME", cache)
        .env("SHELL", "/bin/sh")
        .env("OPRETAIL_USER", DEMO_USER)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("util-linux's script runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = child.stdout.take().expect("stdout");

    // Act only once asked and once echo is off (the prompt comes first): the terminal echoes
    // whatever is typed before.
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !String::from_utf8_lossy(&seen).contains("password of demo: ") {
        let n = stdout.read(&mut byte).expect("the terminal's output");
        assert!(n > 0, "no prompt: {}", String::from_utf8_lossy(&seen));
        seen.push(byte[0]);
    }
    let opretail =
        descendant_running(child.id(), env!("CARGO_BIN_EXE_opretail")).expect("the command runs");
    let terminal = terminal_of(opretail).expect("the command's terminal");
    let asked = Instant::now();
    while echoes(&terminal) {
        assert!(asked.elapsed() < Duration::from_secs(20), "echo stays on");
        std::thread::sleep(Duration::from_millis(1));
    }
    end(&mut stdin, opretail);
    stdout
        .read_to_end(&mut seen)
        .expect("the rest of the output");
    let status = child.wait().expect("script ends");
    drop(stdin);
    let transcript = String::from_utf8_lossy(&seen).into_owned();
    assert!(status.success(), "{transcript}");
    transcript
}

/// The process below `ancestor` that runs the program at `program`.
fn descendant_running(ancestor: u32, program: &str) -> Option<u32> {
    let program = std::fs::canonicalize(program).ok()?;
    let parent_of = |pid: u32| -> Option<u32> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // `pid (comm) state ppid …`; the name may hold spaces and parentheses.
        stat.rsplit_once(')')?
            .1
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    };
    // Processes may come and go meanwhile: one that cannot be read is skipped.
    let pids = std::fs::read_dir("/proc")
        .ok()?
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok());
    for pid in pids {
        if std::fs::read_link(format!("/proc/{pid}/exe")).ok() != Some(program.clone()) {
            continue;
        }
        let mut up = pid;
        while let Some(parent) = parent_of(up).filter(|p| *p > 1) {
            if parent == ancestor {
                return Some(pid);
            }
            up = parent;
        }
    }
    None
}

/// The terminal that `pid` reads from, opened without making it this process's controlling
/// terminal.
fn terminal_of(pid: u32) -> Option<rustix::fd::OwnedFd> {
    use rustix::fs::{Mode, OFlags};
    let stdin = std::fs::read_link(format!("/proc/{pid}/fd/0")).ok()?;
    if !stdin.starts_with("/dev/pts") {
        return None;
    }
    rustix::fs::open(&stdin, OFlags::RDONLY | OFlags::NOCTTY, Mode::empty()).ok()
}

/// Whether the terminal echoes what is typed.
fn echoes(terminal: &rustix::fd::OwnedFd) -> bool {
    let modes = rustix::termios::tcgetattr(terminal).expect("the terminal's modes");
    modes
        .local_modes
        .contains(rustix::termios::LocalModes::ECHO)
}
