//! Benchmark result lines and their targets.
//!
//! Bench programs print one line per measurement on stdout:
//! `bench NAME VALUE UNIT [ratio=R] [target=OP T]`, with OP `<=` or `>=`. The target
//! applies to the ratio when there is one (a measurement against its floor), else to the
//! value itself.

use std::fmt;
use std::io::{BufRead, BufReader};
use std::path::Path;

use crate::cmd::Invocation;

/// How a measurement must compare with its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `<=`: at most the threshold (times, ratios over a floor).
    AtMost,
    /// `>=`: at least the threshold (throughput).
    AtLeast,
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Op::AtMost => "<=",
            Op::AtLeast => ">=",
        })
    }
}

/// A target such as `<= 1.3`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Goal {
    /// The comparison.
    pub op: Op,
    /// The threshold.
    pub threshold: f64,
}

/// One `bench ...` line.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// What was measured, e.g. `sign/md5`.
    pub name: String,
    /// The measured value.
    pub value: f64,
    /// Its unit, e.g. `ns`.
    pub unit: String,
    /// The value divided by its floor, when the bench has one.
    pub ratio: Option<f64>,
    /// The target, when the bench has one.
    pub goal: Option<Goal>,
}

/// Whether a measurement meets its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The target holds.
    Holds,
    /// The target does not hold.
    Misses,
    /// Nothing to check.
    NoTarget,
}

/// Parses a `bench ...` line. `None` for lines that are not bench lines at all; `Some(Err)`
/// for a bench line that is malformed, so a typo in a bench program is reported, not lost.
pub fn parse_line(line: &str) -> Option<Result<Measurement, String>> {
    let trimmed = line.trim();
    let rest = if trimmed == "bench" {
        ""
    } else {
        trimmed.strip_prefix("bench ")?
    };
    Some(parse_fields(rest).map_err(|why| format!("malformed bench line `{}`: {why}", line.trim())))
}

fn parse_fields(rest: &str) -> Result<Measurement, String> {
    let mut tokens = rest.split_whitespace();
    let name = tokens.next().ok_or("no name")?.to_string();
    let value = number(tokens.next().ok_or("no value")?)?;
    let unit = tokens.next().ok_or("no unit")?.to_string();
    let mut ratio = None;
    let mut goal = None;
    while let Some(token) = tokens.next() {
        if let Some(r) = token.strip_prefix("ratio=") {
            ratio = Some(number(r)?);
        } else if let Some(target) = token.strip_prefix("target=") {
            let (op, inline) = if let Some(t) = target.strip_prefix("<=") {
                (Op::AtMost, t)
            } else if let Some(t) = target.strip_prefix(">=") {
                (Op::AtLeast, t)
            } else {
                return Err(format!("target `{target}` must start with <= or >="));
            };
            // Both `target=<=1.3` and `target=<= 1.3` are accepted.
            let threshold = if inline.is_empty() {
                tokens.next().ok_or("target without a threshold")?
            } else {
                inline
            };
            goal = Some(Goal {
                op,
                threshold: number(threshold)?,
            });
        } else if !token.contains('=') {
            // Other `key=value` annotations are for people; free prose means a note went to
            // stdout, where it would be read as a measurement.
            return Err(format!(
                "unexpected `{token}` after the unit; print notes to stderr"
            ));
        }
    }
    Ok(Measurement {
        name,
        value,
        unit,
        ratio,
        goal,
    })
}

fn number(text: &str) -> Result<f64, String> {
    text.parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .ok_or_else(|| format!("`{text}` is not a number"))
}

/// Checks a measurement against its target.
pub fn verdict(measurement: &Measurement) -> Verdict {
    let Some(goal) = measurement.goal else {
        return Verdict::NoTarget;
    };
    let subject = measurement.ratio.unwrap_or(measurement.value);
    let holds = match goal.op {
        Op::AtMost => subject <= goal.threshold,
        Op::AtLeast => subject >= goal.threshold,
    };
    if holds {
        Verdict::Holds
    } else {
        Verdict::Misses
    }
}

/// One summary line per measurement.
pub fn summary_line(measurement: &Measurement) -> String {
    let m = measurement;
    let mut line = format!("{:<40} {:>12.3} {}", m.name, m.value, m.unit);
    if let Some(ratio) = m.ratio {
        line.push_str(&format!("  ratio {ratio:.3}"));
    }
    if let Some(goal) = m.goal {
        let label = match verdict(m) {
            Verdict::Holds => "holds",
            Verdict::Misses => "MISSES",
            Verdict::NoTarget => "",
        };
        line.push_str(&format!("  target {} {}: {label}", goal.op, goal.threshold));
    }
    line
}

/// The features `cargo xtask bench` builds with, on top of each crate's defaults.
pub const BENCH_FEATURES: &str = "opretail/async,opretail/blocking";

/// The `cargo bench` command for `cargo xtask bench` arguments, and whether it is a quick run.
///
/// `--quick` sets `OPRETAIL_BENCH_QUICK=1` for bench programs and passes criterion's own
/// `--quick`. Anything after `--` goes to the bench programs as is.
pub fn invocation(args: &[String]) -> Result<(Invocation, bool), String> {
    // `--bench "*"` selects bench targets only: `--benches` would also run the libraries'
    // unit-test harness in bench mode, which rejects criterion's flags such as `--quick`.
    // Only the features the benches need (the client bench compares both clients): with
    // `--all-features`, feature unification would build the measured `opretail` binary
    // with `native-tls`, whose trust-store set-up costs every run ~60 ms of CPU and 6 MiB
    // that the shipped binary does not pay.
    let mut invocation = Invocation::new(
        "cargo",
        &[
            "bench",
            "--workspace",
            "--features",
            BENCH_FEATURES,
            "--bench",
            "*",
        ],
    );
    let mut passthrough = Vec::new();
    let mut quick = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => {
                quick = true;
                invocation = invocation.with_env("OPRETAIL_BENCH_QUICK", "1");
                passthrough.push("--quick".to_string());
            }
            "--" => passthrough.extend(args.by_ref().cloned()),
            other => {
                return Err(format!(
                    "unknown argument `{other}` for `cargo xtask bench`; it takes `--quick` and `-- ARGS` for the bench programs"
                ));
            }
        }
    }
    if !passthrough.is_empty() {
        invocation.args.push("--".to_string());
        invocation.args.extend(passthrough);
    }
    Ok((invocation, quick))
}

/// The 1, 5 and 15 minute load averages from `/proc/loadavg` (Linux; `None` elsewhere).
fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let fields: Vec<&str> = text.split_whitespace().take(3).collect();
    (fields.len() == 3).then(|| fields.join(" "))
}

/// Notes the machine's load next to the figures: every ratio is taken within one run, but a
/// busy machine still widens the spread between runs.
fn print_load(when: &str) {
    if let Some(load) = load_average() {
        println!("==> load average {when} the benchmarks (1, 5, 15 min): {load}");
    }
}

/// Runs the benchmarks, echoing their output, then summarises the `bench` lines. Fails when
/// the benches fail, a bench line is malformed or a target misses; in a quick run (a smoke
/// run, too short to judge) missed targets are reported without failing.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let (invocation, quick) = invocation(args)?;
    print_load("before");
    println!("==> {}", invocation.display());
    let mut child = invocation.spawn_piped(root)?;
    let mut measurements = Vec::new();
    let mut malformed = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line.map_err(|e| format!("could not read the benchmarks' output: {e}"))?;
            println!("{line}");
            match parse_line(&line) {
                Some(Ok(measurement)) => measurements.push(measurement),
                Some(Err(why)) => malformed.push(why),
                None => {}
            }
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("could not wait for `cargo bench`: {e}"))?;
    print_load("after");
    println!("==> summary");
    if measurements.is_empty() {
        println!(
            "    no `bench NAME VALUE UNIT ...` lines were printed; only criterion's own report above"
        );
    }
    for measurement in &measurements {
        println!("    {}", summary_line(measurement));
    }
    let misses: Vec<&str> = measurements
        .iter()
        .filter(|m| verdict(m) == Verdict::Misses)
        .map(|m| m.name.as_str())
        .collect();
    if !status.success() {
        return Err(format!("`{}` failed ({status})", invocation.display()));
    }
    if !malformed.is_empty() {
        return Err(malformed.join("\n"));
    }
    if !misses.is_empty() && quick {
        println!(
            "    targets missed in a quick run: {}; quick runs are smoke runs, targets are judged on full runs",
            misses.join(", ")
        );
        return Ok(());
    }
    if !misses.is_empty() {
        return Err(format!(
            "targets missed: {}; see docs/benchmarks.md for how each is measured",
            misses.join(", ")
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(line: &str) -> Measurement {
        parse_line(line)
            .expect("is a bench line")
            .expect("well formed")
    }

    #[test]
    fn parses_a_plain_measurement() {
        let m = parsed("bench decode/total-data 812.5 ns");
        assert_eq!(m.name, "decode/total-data");
        assert_eq!(m.value, 812.5);
        assert_eq!(m.unit, "ns");
        assert_eq!((m.ratio, m.goal), (None, None));
        assert_eq!(verdict(&m), Verdict::NoTarget);
    }

    #[test]
    fn parses_ratio_and_both_target_spellings() {
        let spaced = parsed("bench sign/md5 420 ns ratio=1.12 target=<= 1.3");
        let joined = parsed("bench sign/md5 420 ns ratio=1.12 target=<=1.3");
        let annotated = parsed("bench sign/md5 420 ns ratio=1.12 target=<=1.3 runs=50");
        assert_eq!(spaced, joined);
        assert_eq!(spaced, annotated);
        assert_eq!(spaced.ratio, Some(1.12));
        assert_eq!(
            spaced.goal,
            Some(Goal {
                op: Op::AtMost,
                threshold: 1.3
            })
        );
    }

    #[test]
    fn the_target_applies_to_the_ratio_when_present() {
        assert_eq!(
            verdict(&parsed("bench a 999 ns ratio=1.2 target=<=1.3")),
            Verdict::Holds
        );
        assert_eq!(
            verdict(&parsed("bench a 1 ns ratio=1.4 target=<=1.3")),
            Verdict::Misses
        );
        assert_eq!(
            verdict(&parsed("bench a 1.3 ns target=<=1.3")),
            Verdict::Holds
        );
    }

    #[test]
    fn at_least_targets_compare_the_other_way() {
        assert_eq!(
            verdict(&parsed("bench rps 5000 req/s target=>= 4000")),
            Verdict::Holds
        );
        assert_eq!(
            verdict(&parsed("bench rps 3000 req/s target=>=4000")),
            Verdict::Misses
        );
    }

    #[test]
    fn other_lines_are_not_bench_lines() {
        for line in [
            "",
            "sign/md5  time: [1 ns 2 ns 3 ns]",
            "benchmark 1 2 3",
            "  Running benches/sign.rs",
        ] {
            assert!(parse_line(line).is_none(), "{line}");
        }
    }

    #[test]
    fn malformed_bench_lines_are_reported() {
        for line in [
            "bench",
            "bench x",
            "bench x abc ns",
            "bench x 1",
            "bench x 1 ns ratio=y",
            "bench x 1 ns target=<",
            "bench x 1 ns target=<=",
            "bench x NaN ns",
            "bench client: 500 calls per run",
        ] {
            let result = parse_line(line).expect("is a bench line");
            let err = result.expect_err(line);
            assert!(err.contains("malformed bench line"), "{err}");
        }
    }

    #[test]
    fn builds_the_bench_command() {
        let args = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let (plain, quick) = invocation(&[]).expect("parses");
        assert_eq!(
            (plain.display().as_str(), quick),
            (
                "cargo bench --workspace --features opretail/async,opretail/blocking --bench \"*\"",
                false
            )
        );
        let (fast, quick) = invocation(&args(&["--quick", "--", "sign"])).expect("parses");
        assert_eq!(
            (fast.display().as_str(), quick),
            (
                "OPRETAIL_BENCH_QUICK=1 cargo bench --workspace --features opretail/async,opretail/blocking --bench \"*\" -- --quick sign",
                true
            )
        );
        assert!(invocation(&args(&["--slow"])).is_err());
    }

    #[test]
    fn summary_names_the_verdict() {
        assert!(summary_line(&parsed("bench a 1 ns ratio=1.4 target=<=1.3")).ends_with("MISSES"));
        assert!(summary_line(&parsed("bench a 1 ns ratio=1.2 target=<=1.3")).ends_with("holds"));
    }
}
