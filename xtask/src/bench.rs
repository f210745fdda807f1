//! `cargo xtask bench`: the benchmarks, then their result lines checked against targets.
//!
//! Bench programs print one line per measurement on stdout:
//! `bench NAME VALUE UNIT [ratio=R] [target=<=T | target=>=T] [KEY=VALUE]...`.

use std::io::{BufRead, BufReader};
use std::path::Path;

use crate::cmd::Invocation;

/// One `bench ...` line.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    pub name: String,
    pub value: f64,
    pub unit: String,
    /// The value divided by its floor, when the bench has one.
    pub ratio: Option<f64>,
    /// `(at_least, threshold)`: `>=` (throughput) when `at_least`, else `<=`.
    pub target: Option<(bool, f64)>,
}

impl Measurement {
    /// Whether the target holds, for the ratio when there is one (a measurement against its
    /// floor), else for the value; `None` without a target.
    pub fn holds(&self) -> Option<bool> {
        let (at_least, threshold) = self.target?;
        let subject = self.ratio.unwrap_or(self.value);
        Some(match at_least {
            true => subject >= threshold,
            false => subject <= threshold,
        })
    }

    /// The line printed in the summary.
    pub fn summary(&self) -> String {
        let mut line = format!("{:<40} {:>12.3} {}", self.name, self.value, self.unit);
        if let Some(ratio) = self.ratio {
            line.push_str(&format!("  ratio {ratio:.3}"));
        }
        if let Some((at_least, threshold)) = self.target {
            let op = if at_least { ">=" } else { "<=" };
            let holds = self.holds() == Some(true);
            let verdict = if holds { "holds" } else { "MISSES" };
            line.push_str(&format!("  target {op} {threshold}: {verdict}"));
        }
        line
    }
}

/// Parses a `bench ...` line. `None` for lines that are not bench lines at all; `Some(Err)`
/// for a bench line that is malformed, so a typo in a bench program is reported, not lost.
pub fn parse_line(line: &str) -> Option<Result<Measurement, String>> {
    let mut tokens = line.split_whitespace();
    let malformed = |why| format!("malformed bench line `{}`: {why}", line.trim());
    (tokens.next() == Some("bench")).then(|| fields(tokens).map_err(malformed))
}

fn fields(mut tokens: std::str::SplitWhitespace<'_>) -> Result<Measurement, String> {
    let mut field = |what: &str| tokens.next().ok_or(format!("no {what}"));
    let mut measurement = Measurement {
        name: field("name")?.to_string(),
        value: number(field("value")?)?,
        unit: field("unit")?.to_string(),
        ratio: None,
        target: None,
    };
    for token in tokens {
        if let Some(ratio) = token.strip_prefix("ratio=") {
            measurement.ratio = Some(number(ratio)?);
        } else if let Some(target) = token.strip_prefix("target=") {
            measurement.target = Some(match target.split_at_checked(2) {
                Some(("<=", t)) => (false, number(t)?),
                Some((">=", t)) => (true, number(t)?),
                _ => return Err(format!("target `{target}` must start with <= or >=")),
            });
        } else if !token.contains('=') {
            // Other `key=value` annotations are for people; free prose means a note went to
            // stdout, where it would be read as a measurement.
            return Err(format!(
                "unexpected `{token}` after the unit; print notes to stderr"
            ));
        }
    }
    Ok(measurement)
}

fn number(text: &str) -> Result<f64, String> {
    let finite = text.parse::<f64>().ok().filter(|n| n.is_finite());
    finite.ok_or_else(|| format!("`{text}` is not a number"))
}

/// The `cargo bench` command for `cargo xtask bench` arguments, and whether it is a quick run.
///
/// `--quick` sets `OPRETAIL_BENCH_QUICK=1` for bench programs and passes criterion's own
/// `--quick`. Anything after `--` goes to the bench programs as is.
pub fn invocation(args: &[String]) -> Result<(Invocation, bool), String> {
    // `--bench *` selects bench targets only: `--benches` would also run the libraries'
    // unit-test harness in bench mode, which rejects criterion's flags such as `--quick`.
    // Only the features the benches need (the client bench compares both clients): with
    // `--all-features`, feature unification would build the measured `opretail` binary
    // with `native-tls`, whose trust-store set-up costs every run ~60 ms of CPU and 6 MiB
    // that the shipped binary does not pay.
    let mut invocation = Invocation::of(
        "cargo bench --workspace --features opretail/async,opretail/blocking,opretail-sync/postgres,opretail-sync/parquet --bench *",
    );
    let quick = args.first().is_some_and(|a| a == "--quick");
    let passthrough = match &args[usize::from(quick)..] {
        [] => &[][..],
        [dashes, rest @ ..] if dashes == "--" => rest,
        [other, ..] => {
            return Err(format!(
                "unknown argument `{other}` for `cargo xtask bench`; it takes `--quick` and `-- ARGS` for the bench programs"
            ));
        }
    };
    if quick {
        invocation = invocation.with_env("OPRETAIL_BENCH_QUICK", "1");
    }
    if quick || !passthrough.is_empty() {
        invocation.args.push("--".to_string());
        invocation.args.extend(quick.then(|| "--quick".to_string()));
        invocation.args.extend(passthrough.iter().cloned());
    }
    Ok((invocation, quick))
}

/// Notes the machine's load next to the figures: every ratio is taken within one run, but a
/// busy machine still widens the spread between runs.
fn print_load(when: &str) {
    if let Ok(text) = std::fs::read_to_string("/proc/loadavg") {
        let load: Vec<&str> = text.split_whitespace().take(3).collect();
        let load = load.join(" ");
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
    let stdout = child.stdout.take().expect("spawn_piped pipes stdout");
    let (mut measurements, mut malformed) = (Vec::new(), Vec::new());
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| format!("could not read the benchmarks' output: {e}"))?;
        println!("{line}");
        match parse_line(&line) {
            Some(Ok(measurement)) => measurements.push(measurement),
            Some(Err(why)) => malformed.push(why),
            None => {}
        }
    }
    let status = child.wait();
    let status = status.map_err(|e| format!("could not wait for `cargo bench`: {e}"))?;
    print_load("after");
    println!("==> summary");
    if measurements.is_empty() {
        println!(
            "    no `bench NAME VALUE UNIT ...` lines were printed; only criterion's own report above"
        );
    }
    let mut misses = Vec::new();
    for measurement in &measurements {
        println!("    {}", measurement.summary());
        if measurement.holds() == Some(false) {
            misses.push(measurement.name.as_str());
        }
    }
    if !status.success() {
        return Err(invocation.failed(status));
    }
    if !malformed.is_empty() {
        return Err(malformed.join("\n"));
    }
    match misses.join(", ") {
        misses if misses.is_empty() => Ok(()),
        misses if quick => {
            println!(
                "    targets missed in a quick run: {misses}; quick runs are smoke runs, targets are judged on full runs"
            );
            Ok(())
        }
        misses => Err(format!(
            "targets missed: {misses}; see docs/benchmarks.md for how each is measured"
        )),
    }
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
    fn parses_measurements_with_and_without_ratio_and_target() {
        let m = parsed("bench decode/total-data 812.5 ns");
        let fields = (m.name.as_str(), m.value, m.unit.as_str(), m.ratio, m.target);
        assert_eq!(fields, ("decode/total-data", 812.5, "ns", None, None));
        assert_eq!(m.holds(), None);
        let annotated = parsed("bench sign/md5 420 ns ratio=1.12 target=<=1.3 runs=50");
        assert_eq!(
            (annotated.ratio, annotated.target),
            (Some(1.12), Some((false, 1.3)))
        );
    }

    #[test]
    fn the_target_applies_to_the_ratio_when_present_and_compares_either_way() {
        for (line, holds) in [
            ("bench a 999 ns ratio=1.2 target=<=1.3", true),
            ("bench a 1 ns ratio=1.4 target=<=1.3", false),
            ("bench a 1.3 ns target=<=1.3", true),
            ("bench rps 5000 req/s target=>=4000", true),
            ("bench rps 3000 req/s target=>=4000", false),
        ] {
            let m = parsed(line);
            assert_eq!(m.holds(), Some(holds), "{line}");
            let verdict = if holds { "holds" } else { "MISSES" };
            assert!(m.summary().ends_with(verdict), "{}", m.summary());
        }
    }

    #[test]
    fn other_lines_are_ignored_and_malformed_bench_lines_reported() {
        for line in [
            "",
            "sign/md5  time: [1 ns 2 ns]",
            "benchmark 1 2 3",
            "  Running",
        ] {
            assert!(parse_line(line).is_none(), "{line}");
        }
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
            let err = parse_line(line).expect("is a bench line").expect_err(line);
            crate::contains(&err, "malformed bench line");
        }
    }

    #[test]
    fn builds_the_bench_command() {
        let args = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let base = "cargo bench --workspace --features opretail/async,opretail/blocking,opretail-sync/postgres,opretail-sync/parquet --bench \"*\"";
        let (plain, quick) = invocation(&[]).expect("parses");
        assert_eq!((plain.display(), quick), (base.to_string(), false));
        let (fast, quick) = invocation(&args(&["--quick", "--", "sign"])).expect("parses");
        let expected = format!("OPRETAIL_BENCH_QUICK=1 {base} -- --quick sign");
        assert_eq!((fast.display(), quick), (expected, true));
        let (filtered, _) = invocation(&args(&["--", "sign"])).expect("parses");
        assert_eq!(filtered.display(), format!("{base} -- sign"));
        assert!(invocation(&args(&["--slow"])).is_err());
    }
}
