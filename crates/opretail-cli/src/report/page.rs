//! The report as one self-contained HTML page: inline CSS, inline SVG charts, the figures as
//! embedded JSON data, no script that runs and nothing fetched at view time.

use std::fmt::Write as _;

use super::charts;
use super::figures::{self, Figures, Share};

/// Where the rows came from, said at the top of the page.
#[derive(Debug, Clone)]
pub struct Origin {
    /// What the rows were read from: the sandbox, a gateway URL or a database target.
    pub source: Source,
    /// When they were read, as the page shows it (gateway time).
    pub read_at: String,
}

/// The kinds of source.
#[derive(Debug, Clone)]
pub enum Source {
    /// The embedded sandbox: made-up demo data.
    Sandbox,
    /// A gateway, by endpoint.
    Gateway(String),
    /// A synced database, by target (passwords masked).
    Database(String),
}

/// Text made safe for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

fn signed_percent(change: Option<f64>) -> String {
    match change {
        Some(c) if c > 0.0 => format!("+{c:.1}%"),
        Some(c) => format!("{c:.1}%"),
        None => "n/a".to_owned(),
    }
}

fn rate(rate: Option<f64>) -> String {
    rate.map_or_else(|| "n/a".to_owned(), |r| format!("{r:.1}%"))
}

const STYLE: &str = r#"
:root { color-scheme: light; --ink: #0f172a; --soft: #475569; --line: #e2e8f0; --accent: #2563eb; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Noto Sans CJK SC", sans-serif; color: var(--ink); background: #f8fafc; }
main { max-width: 960px; margin: 0 auto; padding: 20px 16px 40px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.15rem; margin: 28px 0 8px; }
.source { color: var(--soft); margin: 0 0 16px; }
.sandbox { display: inline-block; background: #fef3c7; color: #92400e; border-radius: 4px; padding: 0 6px; font-weight: 600; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 10px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.card .label { color: var(--soft); font-size: .8rem; text-transform: uppercase; letter-spacing: .03em; }
.card .value { font-size: 1.35rem; font-weight: 650; overflow-wrap: anywhere; }
.card .note { color: var(--soft); font-size: .85rem; }
.up { color: #15803d; } .down { color: #b91c1c; }
figure { margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 8px; }
figure svg { display: block; width: 100%; height: auto; }
figcaption { color: var(--soft); font-size: .85rem; padding: 4px 4px 0; }
.table { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; background: #fff; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th:nth-child(2), td:nth-child(2) { text-align: left; white-space: normal; }
footer { color: var(--soft); font-size: .85rem; margin-top: 28px; }
@media print { body { background: #fff; } figure, .card, tr { break-inside: avoid; } }
"#;

/// The page for `figures`, read from `origin`.
pub fn render(figures: &Figures, origin: &Origin) -> Result<String, charts::ChartError> {
    let mut page = String::new();
    let period = format!("{} to {}", figures.from, figures.to);
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Footfall {period}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n\
         <h1>Footfall, {period}</h1>\n"
    );
    let source = match &origin.source {
        Source::Sandbox => "<span class=\"sandbox\">sandbox</span> made-up demo data from the \
                            embedded sandbox, not real stores"
            .to_owned(),
        Source::Gateway(url) => format!("the gateway at {}", escape(url)),
        Source::Database(target) => format!("the synced database {}", escape(target)),
    };
    let _ = writeln!(
        page,
        "<p class=\"source\">Data: {source}; read {}. {} stores.</p>",
        escape(&origin.read_at),
        figures.stores.len()
    );
    summary(&mut page, figures);

    let _ = writeln!(page, "<h2>Entering, day by day</h2>");
    figure(
        &mut page,
        "daily-curve",
        &charts::daily_curve(figures)?,
        &format!(
            "One point per day and line. The {} stores with the most entering have a line \
             each{}.",
            figures.curve.len().min(figures::CURVE_STORES),
            if figures.stores.len() > figures::CURVE_STORES {
                "; one more is the average of the others"
            } else {
                ""
            }
        ),
    );
    let _ = writeln!(page, "<h2>Busy hours</h2>");
    figure(
        &mut page,
        "heat-map",
        &charts::heat_map(figures)?,
        "Entering by weekday and hour of the day, summed over the period and the stores \
         (hourly figures); darker is busier.",
    );
    let _ = writeln!(page, "<h2>Stores by entering</h2>");
    figure(
        &mut page,
        "ranking",
        &charts::ranking(&figures.stores)?,
        &format!(
            "The {} stores with the most entering over the period.",
            figures.stores.len().min(figures::RANKED_STORES)
        ),
    );
    let _ = writeln!(page, "<h2>Change against the previous period</h2>");
    figure(
        &mut page,
        "changes",
        &charts::changes(&figures.stores)?,
        &format!(
            "Entering against {} to {}; the stores that changed most, either way.",
            figures.previous_from,
            figures.from - chrono::TimeDelta::days(1)
        ),
    );
    store_table(&mut page, figures);
    if let (Some(gender), Some(age)) = (&figures.gender, &figures.age) {
        let _ = writeln!(page, "<h2>Who the visitors are</h2>");
        share_figure(&mut page, "gender", "By gender", gender)?;
        share_figure(&mut page, "age", "By age group", age)?;
    }
    footer(&mut page, figures);
    // The figures as data, for checking and reuse: `<` escaped so no text ends the element.
    let data = serde_json::to_string(figures)
        .unwrap_or_else(|_| "null".to_owned())
        .replace('<', "\\u003c");
    let _ = write!(
        page,
        "</main>\n<script type=\"application/json\" id=\"report-data\">{data}</script>\n\
         </body>\n</html>\n"
    );
    Ok(page)
}

fn summary(page: &mut String, figures: &Figures) {
    let mut cards = Vec::new();
    cards.push((
        "Entering".to_owned(),
        thousands(figures.entering),
        format!("{} days", figures.days.len()),
    ));
    let class = match figures.change {
        Some(c) if c > 0.0 => "up",
        Some(c) if c < 0.0 => "down",
        _ => "",
    };
    cards.push((
        "Against the previous period".to_owned(),
        format!(
            "<span class=\"{class}\">{}</span>",
            signed_percent(figures.change)
        ),
        format!("{} then", thousands(figures.previous)),
    ));
    cards.push((
        "Entry rate".to_owned(),
        rate(figures.entry_rate),
        "of those who passed, came in".to_owned(),
    ));
    let busiest = figures.stores.first().filter(|s| s.entering > 0);
    cards.push((
        "Busiest store".to_owned(),
        busiest.map_or_else(|| "n/a".to_owned(), |s| escape(&figures::label(s))),
        busiest.map_or_else(String::new, |s| {
            format!("{} entering", thousands(s.entering))
        }),
    ));
    cards.push((
        "Busiest day".to_owned(),
        figures.busiest_day.map_or_else(
            || "n/a".to_owned(),
            |(d, _)| d.format("%Y-%m-%d").to_string(),
        ),
        figures.busiest_day.map_or_else(String::new, |(d, n)| {
            format!("{}, {} entering", d.format("%A"), thousands(n))
        }),
    ));
    cards.push((
        "Busiest hour".to_owned(),
        figures.busiest_hour.map_or_else(
            || "n/a".to_owned(),
            |(w, h, _)| format!("{} {h:02}:00", figures::weekday_name(w)),
        ),
        figures.busiest_hour.map_or_else(String::new, |(_, _, n)| {
            format!("{} entering over the period", thousands(n))
        }),
    ));
    let _ = writeln!(page, "<section class=\"cards\" id=\"summary\">");
    for (label, value, note) in cards {
        let _ = writeln!(
            page,
            "<div class=\"card\"><div class=\"label\">{label}</div><div class=\"value\">{value}</div>\
             <div class=\"note\">{note}</div></div>"
        );
    }
    let _ = writeln!(page, "</section>");
}

fn figure(page: &mut String, id: &str, svg: &str, caption: &str) {
    let _ = writeln!(
        page,
        "<figure id=\"{id}\">{svg}<figcaption>{}</figcaption></figure>",
        escape(caption)
    );
}

fn share_figure(
    page: &mut String,
    id: &str,
    title: &str,
    shares: &[Share],
) -> Result<(), charts::ChartError> {
    let people: i64 = shares.iter().map(|s| s.people).sum();
    figure(
        page,
        id,
        &charts::shares(shares)?,
        &format!("{title}: shares of {} visitors.", thousands(people)),
    );
    Ok(())
}

fn store_table(page: &mut String, figures: &Figures) {
    let _ = writeln!(
        page,
        "<div class=\"table\"><table id=\"stores\"><thead><tr><th>#</th><th>Store</th>\
         <th>Entering</th><th>Previous</th><th>Change</th><th>Entry rate</th></tr></thead><tbody>"
    );
    for (rank, store) in figures.stores.iter().enumerate() {
        let name = if store.name.is_empty() {
            escape(&store.id)
        } else {
            format!(
                "{} <small>{}</small>",
                escape(&store.name),
                escape(&store.id)
            )
        };
        let _ = writeln!(
            page,
            "<tr><td>{}</td><td>{name}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            rank + 1,
            thousands(store.entering),
            thousands(store.previous),
            signed_percent(store.change),
            rate(store.entry_rate)
        );
    }
    let _ = writeln!(page, "</tbody></table></div>");
}

fn footer(page: &mut String, figures: &Figures) {
    let partial = if figures.partial_rows > 0 {
        format!(
            " {} rows were of an hour or day still running when read: their figures may \
             still grow.",
            figures.partial_rows
        )
    } else {
        String::new()
    };
    let _ = writeln!(
        page,
        "<footer>Totals, ranks and changes add up the platform's daily figures; the heat map \
         adds up its hourly figures (a day de-duplicates visitors, so it is not the sum of \
         its hours). Entry rate is entering over entering plus passing. Times are the \
         gateway's local time.{partial} Made by opretail {}.</footer>",
        env!("CARGO_PKG_VERSION")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_content_and_attributes() {
        assert_eq!(
            escape(r#"<a href="x">Tom's & co</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom&#39;s &amp; co&lt;/a&gt;"
        );
    }

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(-1_234_567), "-1,234,567");
    }
}
