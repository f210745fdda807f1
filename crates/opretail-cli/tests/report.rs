//! `opretail report`, run as a user runs it: against the sandbox built into the binary, and
//! from a SQLite database filled by `opretail sync`; the page opened in headless Chromium
//! when the machine has it (CI installs it).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{NaiveDate, TimeDelta, Utc};
use rusqlite::Connection;
use serde_json::Value;

/// Three stores of the sandbox's demo user.
const STORES: [&str; 3] = ["S_1001", "S_1002", "S_1003"];

/// The gateway's day today (UTC+08:00).
fn gateway_today() -> NaiveDate {
    (Utc::now() + TimeDelta::hours(8)).date_naive()
}

/// The report's period: the seven days ending three days ago, settled whatever the time.
fn period() -> (NaiveDate, NaiveDate) {
    let to = gateway_today() - TimeDelta::days(3);
    (to - TimeDelta::days(6), to)
}

/// A directory of its own for one test.
fn dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "opretail-report-tests-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a test directory");
    dir
}

fn opretail(home: &str) -> Command {
    common::isolated(Command::new(env!("CARGO_BIN_EXE_opretail")), home)
}

/// Runs `command`, which must succeed; gives its stdout.
/// `opretail report` of [`period`] from the SQLite database `db`, with `more` arguments (the
/// stores, `--html` and so on).
fn report_from(home: &str, db: &Path, more: &[&str]) -> Command {
    let (from, to) = period();
    let mut command = opretail(home);
    command
        .args([
            "report",
            "--from",
            &from.to_string(),
            "--to",
            &to.to_string(),
        ])
        .args(["--from-db", &format!("sqlite:{}", db.display())])
        .args(more);
    command
}

fn run(command: &mut Command) -> String {
    let out = command.output().expect("the binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{command:?} failed: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn id_args() -> Vec<&'static str> {
    STORES.iter().flat_map(|id| ["--id", *id]).collect()
}

/// `opretail --sandbox report` of [`STORES`] over [`period`] into `html`.
fn sandbox_report(html: &Path, more: &[&str]) {
    let (from, to) = period();
    run(opretail("report")
        .args(["--sandbox", "report", "--from", &from.to_string()])
        .args(["--to", &to.to_string(), "--html"])
        .arg(html)
        .args(id_args())
        .args(more));
}

/// The figures a page embeds as data.
fn figures(html: &str) -> Value {
    let start = "<script type=\"application/json\" id=\"report-data\">";
    let at = html.find(start).expect("the page embeds its figures") + start.len();
    let end = html[at..].find("</script>").expect("the data ends") + at;
    serde_json::from_str(&html[at..end]).expect("the figures are JSON")
}

/// The rows of `passenger-flow series` over `from..=to`, as JSON.
fn series(by: &str, from: NaiveDate, to: NaiveDate) -> Vec<Value> {
    let out = run(opretail("report")
        .args([
            "--sandbox",
            "passenger-flow",
            "series",
            "--by",
            by,
            "--output",
            "json",
        ])
        .args(["--from", &from.to_string(), "--to", &to.to_string()])
        .args(id_args()));
    common::json(&out).as_array().expect("rows").clone()
}

fn sum_entering(rows: &[Value], id: &str, from: NaiveDate, to: NaiveDate) -> i64 {
    rows.iter()
        .filter(|r| r["id"] == id)
        .filter(|r| {
            let day = NaiveDate::parse_from_str(&r["bucket"].as_str().unwrap()[..10], "%Y-%m-%d")
                .unwrap();
            day >= from && day <= to
        })
        .map(|r| r["entering"].as_i64().expect("a count"))
        .sum()
}

#[test]
fn every_number_of_a_sandbox_report_is_the_series_rows() {
    let dir = dir("numbers");
    let html = dir.join("report.html");
    sandbox_report(&html, &["--demographics"]);
    let page = std::fs::read_to_string(&html).expect("the page is written");
    let data = figures(&page);
    let (from, to) = period();
    let before = from - TimeDelta::days(7);
    assert_eq!(data["previous_from"], before.to_string());

    // Totals and changes: the daily rows of the period and of the seven days before.
    let daily = series("day", before, to);
    let mut total = 0;
    for store in data["stores"].as_array().expect("stores") {
        let id = store["id"].as_str().unwrap();
        let entering = sum_entering(&daily, id, from, to);
        let previous = sum_entering(&daily, id, before, from - TimeDelta::days(1));
        assert_eq!(store["entering"], entering, "{id}");
        assert_eq!(store["previous"], previous, "{id}");
        total += entering;
    }
    assert_eq!(data["stores"].as_array().unwrap().len(), STORES.len());
    assert_eq!(data["entering"], total);
    let stores = data["stores"].as_array().unwrap();
    assert!(
        stores
            .windows(2)
            .all(|w| w[0]["entering"].as_i64() >= w[1]["entering"].as_i64()),
        "ranked by entering"
    );

    // The heat map: the hourly rows summed by weekday and hour.
    let hourly = series("hour", from, to);
    let mut heat = vec![vec![0i64; 24]; 7];
    for row in &hourly {
        let at = chrono::NaiveDateTime::parse_from_str(
            row["bucket"].as_str().unwrap(),
            "%Y-%m-%d %H:%M:%S",
        )
        .unwrap();
        use chrono::{Datelike, Timelike};
        heat[at.weekday().num_days_from_monday() as usize][at.hour() as usize] +=
            row["entering"].as_i64().unwrap();
    }
    assert_eq!(data["heat"], serde_json::json!(heat));

    // Demographics: the same call's people, summed over the stores.
    let out = run(opretail("report")
        .args([
            "--sandbox",
            "passenger-flow",
            "demographics",
            "--output",
            "json",
        ])
        .args(["--from", &from.to_string(), "--to", &to.to_string()])
        .args(id_args()));
    let rows = common::json(&out);
    let male: i64 = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["dimension"] == "gender" && r["group"] == "male")
        .map(|r| r["people"].as_i64().unwrap())
        .sum();
    let shown = data["gender"]
        .as_array()
        .expect("gender shares")
        .iter()
        .find(|s| s["group"] == "male")
        .expect("a male share");
    assert_eq!(shown["people"], male);

    // The page says where the data came from, and the summary shows the total.
    assert!(page.contains("made-up demo data from the embedded sandbox"));
    let total_text = thousands(total);
    assert!(
        page.contains(&total_text),
        "the total {total_text} is on the page"
    );
}

fn thousands(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Syncs [`STORES`] from the sandbox built into the binary into a new SQLite database
/// covering [`period`] and the week before it.
fn synced_database(dir: &Path) -> PathBuf {
    let db = dir.join("footfall.db");
    let (from, _) = period();
    let since = from - TimeDelta::days(7);
    run(opretail("report")
        .args(["--sandbox", "sync", "--to"])
        .arg(format!("sqlite:{}", db.display()))
        .args(["--since", &since.to_string()])
        .args([
            "--streams",
            "stores,flow_hourly,flow_daily,demographics_daily",
        ])
        .args(id_args()));
    db
}

#[test]
fn a_report_from_a_synced_database_calls_nothing_and_matches_the_gateway() {
    let dir = dir("database");
    let db = synced_database(&dir);
    let (from, to) = period();
    let html = dir.join("from-db.html");
    // No endpoint, key or secret: a call could not even be signed.
    let out = report_from(
        "report-db",
        &db,
        &["--all-stores", "--demographics", "--html"],
    )
    .arg(&html)
    .output()
    .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = std::fs::read_to_string(&html).expect("written");
    assert!(
        page.contains("the synced database sqlite:"),
        "the source is named"
    );
    let from_db = figures(&page);

    // The same numbers as a report made from the gateway.
    let gateway_html = dir.join("from-gateway.html");
    sandbox_report(&gateway_html, &[]);
    let from_gateway = figures(&std::fs::read_to_string(&gateway_html).unwrap());
    for key in [
        "entering",
        "previous",
        "change",
        "entry_rate",
        "heat",
        "curve",
        "days",
    ] {
        assert_eq!(from_db[key], from_gateway[key], "{key}");
    }
    let numbers = |figures: &Value| -> Vec<(Value, Value, Value)> {
        figures["stores"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["id"].clone(),
                    s["entering"].clone(),
                    s["previous"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(numbers(&from_db), numbers(&from_gateway));

    // And the database's own rows.
    let connection = Connection::open(&db).unwrap();
    let entering: i64 = connection
        .query_row(
            "SELECT sum(entering) FROM flow_daily WHERE day >= ?1 AND day <= ?2",
            [from.to_string(), to.to_string()],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(from_db["entering"], entering);
    let male: i64 = connection
        .query_row(
            "SELECT sum(people) FROM demographics_daily WHERE dimension = 'gender' AND grp = \
             'male' AND day >= ?1 AND day <= ?2",
            [from.to_string(), to.to_string()],
            |row| row.get(0),
        )
        .unwrap();
    let shown = from_db["gender"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["group"] == "male")
        .unwrap()
        .clone();
    assert_eq!(shown["people"], male);

    // One store of the database only.
    let one = dir.join("one.html");
    run(report_from("report-db", &db, &["--id", "S_1002", "--html"]).arg(&one));
    let one = figures(&std::fs::read_to_string(&one).unwrap());
    assert_eq!(one["stores"].as_array().unwrap().len(), 1);
    assert_eq!(one["stores"][0]["id"], "S_1002");
}

#[test]
fn bad_input_is_refused_before_anything_is_read_or_sent() {
    let dir = dir("usage");
    let missing = dir.join("nothing.db");
    let html = dir.join("r.html");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "--from-db".into(),
                format!("sqlite:{}", missing.display()),
                "--all-stores".into(),
            ],
            "does not exist",
        ),
        (
            vec![
                "--from-db".into(),
                format!("parquet:{}", dir.display()),
                "--all-stores".into(),
            ],
            "SQLite or PostgreSQL",
        ),
        (
            vec![
                "--from-db".into(),
                "sqlite:x.db".into(),
                "--id".into(),
                "O_42".into(),
            ],
            "not a store",
        ),
        (
            vec![
                "--from-db".into(),
                "mysql://db/x".into(),
                "--all-stores".into(),
            ],
            "--from-db",
        ),
    ];
    for (args, expected) in cases {
        let out = opretail("report-usage")
            .args([
                "report",
                "--from",
                "2026-11-01",
                "--to",
                "2026-11-07",
                "--html",
            ])
            .arg(&html)
            .args(&args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    assert!(!missing.exists(), "a missing database is not created");
    // Demographics from the gateway cover 31 days at most; the period is checked first.
    for (from, to, expected) in [
        ("2026-10-01", "2026-11-30", "at most 31 days"),
        ("2026-11-07", "2026-11-01", "before the first"),
        ("2025-01-01", "2026-11-30", "at most 366 days"),
    ] {
        let out = opretail("report-usage")
            .args([
                "--sandbox",
                "report",
                "--from",
                from,
                "--to",
                to,
                "--demographics",
            ])
            .args(["--id", "S_1001", "--html"])
            .arg(&html)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{from} {to}: {stderr}");
        assert!(stderr.contains(expected), "{from} {to}: {stderr}");
    }
    assert!(!html.exists(), "no page for a refused run");
}

/// Headless Chromium, when the machine has it.
fn chromium() -> Option<PathBuf> {
    let found = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists());
    if found.is_none() {
        eprintln!(
            "SKIPPED: no Chromium at /usr/bin/chromium: install Debian's `chromium` to run the \
             report's browser tests (CI installs it)"
        );
    }
    found
}

/// What Chromium made of `page`: the document after rendering, and the console messages.
fn render(browser: &Path, page: &Path, profile: &Path) -> (String, Vec<String>) {
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
        ])
        .args(["--enable-logging=stderr", "--v=0", "--dump-dom"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let console = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_owned)
        .collect();
    (String::from_utf8(out.stdout).expect("UTF-8"), console)
}

/// The element `<tag id="id">…</tag>` of `dom`.
fn element<'a>(dom: &'a str, tag: &str, id: &str) -> &'a str {
    let start = dom
        .find(&format!("<{tag} id=\"{id}\""))
        .unwrap_or_else(|| panic!("no {tag}#{id} in the page"));
    let end = dom[start..].find(&format!("</{tag}>")).expect("it ends") + start;
    &dom[start..end]
}

#[test]
fn the_page_renders_in_chromium_with_its_marks_and_no_console_error() {
    let Some(browser) = chromium() else { return };
    let dir = dir("browser");
    // The check of the console works: a page with an error shows it.
    let broken = dir.join("broken.html");
    std::fs::write(
        &broken,
        "<p>x</p><script>console.error('seen'); missing();</script>",
    )
    .unwrap();
    let (_, console) = render(&browser, &broken, &dir.join("profile-broken"));
    assert!(console.iter().any(|l| l.contains("seen")), "{console:?}");

    let html = dir.join("report.html");
    sandbox_report(&html, &["--demographics"]);
    let (dom, console) = render(&browser, &html, &dir.join("profile"));
    assert_eq!(console, Vec::<String>::new(), "no console message");
    let data = figures(&std::fs::read_to_string(&html).unwrap());
    let days = data["days"].as_array().unwrap().len();
    let lines = data["curve"].as_array().unwrap().len();
    assert_eq!((days, lines), (7, STORES.len()));
    let count = |part: &str, mark: &str| part.matches(&format!("<{mark} ")).count();
    assert_eq!(
        count(element(&dom, "figure", "daily-curve"), "circle"),
        days * lines
    );
    assert_eq!(count(element(&dom, "figure", "heat-map"), "rect"), 7 * 24);
    assert_eq!(
        count(element(&dom, "figure", "ranking"), "rect"),
        STORES.len()
    );
    assert_eq!(
        count(element(&dom, "figure", "changes"), "rect"),
        STORES.len()
    );
    let genders = data["gender"].as_array().unwrap().len();
    assert_eq!(count(element(&dom, "figure", "gender"), "rect"), genders);
    assert_eq!(
        element(&dom, "table", "stores").matches("<tr>").count(),
        STORES.len() + 1,
        "a heading and a row per store"
    );
}

#[test]
fn a_store_name_with_markup_shows_as_text() {
    let dir = dir("markup");
    let db = synced_database(&dir);
    let name = "<script>alert('x')</script><img src=x onerror=alert(1)>";
    Connection::open(&db)
        .unwrap()
        .execute(
            "UPDATE stores SET name = ?1 WHERE store_id = 'S_1001'",
            [name],
        )
        .unwrap();
    let html = dir.join("report.html");
    run(report_from("report-markup", &db, &["--all-stores", "--html"]).arg(&html));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        !page.contains("<script>alert"),
        "the name is escaped everywhere"
    );
    assert!(!page.contains("<img"), "the name is escaped everywhere");
    assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert_eq!(
        figures(&page)["stores"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["name"] == name)
            .count(),
        1
    );

    let Some(browser) = chromium() else { return };
    let (dom, console) = render(&browser, &html, &dir.join("profile"));
    assert_eq!(console, Vec::<String>::new(), "nothing ran");
    assert_eq!(
        dom.matches("<script").count(),
        1,
        "only the page's data element"
    );
    assert_eq!(dom.matches("<img").count(), 0);
    assert!(
        dom.contains("&lt;script&gt;alert('x')&lt;/script&gt;"),
        "shown as text"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn series_tables_on_a_terminal_have_a_sparkline_and_pipes_do_not() {
    let (from, _) = period();
    let line = format!(
        "{} --sandbox passenger-flow series --id S_1001 --from {from} --to {from} --output table",
        env!("CARGO_BIN_EXE_opretail")
    );
    let out = common::isolated(Command::new("script"), "spark")
        .args(["--quiet", "--return", "--command", &line, "/dev/null"])
        .output()
        .expect("util-linux's script runs");
    assert!(out.status.success());
    let shown = String::from_utf8_lossy(&out.stdout);
    let heading = shown
        .lines()
        .find(|l| l.starts_with("id "))
        .expect("a heading");
    assert!(heading.trim_end().ends_with("shape"), "{heading}");
    let blocks: Vec<char> = shown
        .lines()
        .filter(|l| l.starts_with("S_1001"))
        .filter_map(|l| l.trim_end().chars().last())
        .collect();
    assert_eq!(blocks.len(), 24, "{shown}");
    assert!(blocks.iter().all(|c| "▁▂▃▄▅▆▇█".contains(*c)), "{blocks:?}");
    assert!(blocks.contains(&'█'), "the busiest hour is a full block");

    let piped = run(opretail("spark")
        .args([
            "--sandbox",
            "passenger-flow",
            "series",
            "--id",
            "S_1001",
            "--output",
            "table",
        ])
        .args(["--from", &from.to_string(), "--to", &from.to_string()]));
    assert!(!piped.contains("shape") && !piped.contains('█'), "{piped}");
}
