//! The report's charts as inline SVG, drawn by `plotters`' SVG backend (which escapes every
//! text it writes, store names included).
//!
//! No chart fills its background: the page does, so that the marks (points, cells, bars)
//! are the only `circle` and `rect` elements of their charts, and tests can count them.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::figures::{self, Figures, Share, StoreFigures};

/// The colours of the curve's lines, in order; the last is for "others".
const LINE_COLOURS: [RGBColor; 6] = [
    RGBColor(37, 99, 235),
    RGBColor(234, 88, 12),
    RGBColor(22, 163, 74),
    RGBColor(147, 51, 234),
    RGBColor(219, 39, 119),
    RGBColor(100, 116, 139),
];
const BAR: RGBColor = RGBColor(37, 99, 235);
const UP: RGBColor = RGBColor(22, 163, 74);
const DOWN: RGBColor = RGBColor(220, 38, 38);
const INK: RGBColor = RGBColor(51, 65, 85);
const GRID: RGBColor = RGBColor(226, 232, 240);
const FONT: &str = "sans-serif";

/// What drawing a chart can fail with (plotters' own errors, made text).
pub type ChartError = String;

/// Draws into a new SVG of `size` with `draw`, and gives its text.
fn svg(
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), ChartError>,
) -> Result<String, ChartError> {
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
        draw(&root)?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(text)
}

fn err(e: impl std::fmt::Display) -> ChartError {
    e.to_string()
}

/// The top of a value axis: a little above the largest value, never zero.
fn axis_top(max: i64) -> i64 {
    (max + max / 10).max(1)
}

/// The daily curve of entering flow: one line per top store and one for the others, a
/// point per day.
pub fn daily_curve(figures: &Figures) -> Result<String, ChartError> {
    let days = figures.days.len();
    let max = figures
        .curve
        .iter()
        .flat_map(|l| l.days.iter().copied())
        .max()
        .unwrap_or(0);
    svg((900, 380), |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(32)
            .y_label_area_size(64)
            .build_cartesian_2d(0..days.max(2) as i32 - 1, 0..axis_top(max))
            .map_err(err)?;
        let dates = &figures.days;
        chart
            .configure_mesh()
            .light_line_style(GRID)
            .bold_line_style(GRID)
            .axis_style(INK)
            .x_labels(days.min(12))
            .x_label_formatter(&|i| {
                usize::try_from(*i)
                    .ok()
                    .and_then(|i| dates.get(i))
                    .map(|d| d.format("%m-%d").to_string())
                    .unwrap_or_default()
            })
            .label_style((FONT, 13).into_font().color(&INK))
            .y_desc("entering")
            .draw()
            .map_err(err)?;
        for (n, line) in figures.curve.iter().enumerate() {
            let colour = if n + 1 == figures.curve.len() && line.label.starts_with("others (") {
                LINE_COLOURS[5]
            } else {
                LINE_COLOURS[n % 5]
            };
            let points: Vec<(i32, i64)> = line
                .days
                .iter()
                .enumerate()
                .map(|(i, v)| (i as i32, *v))
                .collect();
            chart
                .draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))
                .map_err(err)?
                .label(line.label.as_str())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(3))
                });
            chart
                .draw_series(
                    points
                        .into_iter()
                        .map(|p| Circle::new(p, 3, colour.filled())),
                )
                .map_err(err)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .label_font((FONT, 13).into_font().color(&INK))
            .background_style(WHITE.mix(0.85))
            .border_style(GRID)
            .draw()
            .map_err(err)
    })
}

/// The weekday x hour heat map: one cell per weekday and hour, darker for more entering.
pub fn heat_map(figures: &Figures) -> Result<String, ChartError> {
    let max = figures
        .heat
        .iter()
        .flat_map(|w| w.iter().copied())
        .max()
        .unwrap_or(0);
    svg((900, 300), |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(44)
            .build_cartesian_2d((0..24i32).into_segmented(), (0..7i32).into_segmented())
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .axis_style(INK)
            .x_labels(24)
            .x_label_formatter(&|h| match h {
                SegmentValue::CenterOf(h) if *h < 24 => format!("{h:02}"),
                _ => String::new(),
            })
            .y_labels(7)
            .y_label_formatter(&|w| match w {
                // Monday at the top.
                SegmentValue::CenterOf(w) if (0..7).contains(w) => {
                    figures::weekday_name(u32::try_from(6 - *w).unwrap_or(7)).to_owned()
                }
                _ => String::new(),
            })
            .label_style((FONT, 12).into_font().color(&INK))
            .draw()
            .map_err(err)?;
        let cells = (0..7).flat_map(|w| (0..24).map(move |h| (w, h)));
        chart
            .draw_series(cells.map(|(w, h)| {
                let value = figures.heat[w][h];
                let level = if max > 0 {
                    value as f64 / max as f64
                } else {
                    0.0
                };
                let (x, y) = (h as i32, 6 - w as i32);
                let mut cell = Rectangle::new(
                    [
                        (SegmentValue::Exact(x), SegmentValue::Exact(y)),
                        (SegmentValue::Exact(x + 1), SegmentValue::Exact(y + 1)),
                    ],
                    heat_colour(level).filled(),
                );
                cell.set_margin(1, 1, 1, 1);
                cell
            }))
            .map_err(err)?;
        Ok(())
    })
}

/// From a pale grey (nobody) to a deep blue (the busiest cell).
fn heat_colour(level: f64) -> RGBColor {
    let mix =
        |from: u8, to: u8| (f64::from(from) + (f64::from(to) - f64::from(from)) * level) as u8;
    RGBColor(mix(241, 30), mix(245, 64), mix(249, 175))
}

/// Horizontal bars, one per (label, value), the first at the top.
fn bars(
    items: &[(String, f64)],
    unit: &str,
    colour_of: impl Fn(f64) -> RGBColor,
) -> Result<String, ChartError> {
    let n = items.len().max(1) as i32;
    let low = items.iter().map(|i| i.1).fold(0.0f64, f64::min);
    let high = items.iter().map(|i| i.1).fold(0.0f64, f64::max);
    let span = (high - low).max(1.0);
    let (low, high) = (
        if low < 0.0 { low - span * 0.05 } else { 0.0 },
        high + span * 0.08,
    );
    let height = 40 + 26 * n as u32;
    svg((900, height), |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(26)
            .y_label_area_size(220)
            .build_cartesian_2d(low..high, (0..n).into_segmented())
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(GRID)
            .bold_line_style(GRID)
            .axis_style(INK)
            .y_labels(n as usize)
            .y_label_formatter(&|i| match i {
                SegmentValue::CenterOf(i) => usize::try_from(n - 1 - *i)
                    .ok()
                    .and_then(|i| items.get(i))
                    .map(|item| shorten(&item.0))
                    .unwrap_or_default(),
                _ => String::new(),
            })
            .x_label_formatter(&|v| format!("{v:.0}{unit}"))
            .label_style((FONT, 12).into_font().color(&INK))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(items.iter().enumerate().map(|(i, (_, v))| {
                let row = n - 1 - i as i32;
                let mut bar = Rectangle::new(
                    [
                        (0.0, SegmentValue::Exact(row)),
                        (*v, SegmentValue::Exact(row + 1)),
                    ],
                    colour_of(*v).filled(),
                );
                bar.set_margin(4, 4, 0, 0);
                bar
            }))
            .map_err(err)?;
        Ok(())
    })
}

/// Store names are cut to fit the axis; the table under the chart has them whole.
fn shorten(name: &str) -> String {
    const MAX: usize = 28;
    if name.chars().count() <= MAX {
        name.to_owned()
    } else {
        let mut cut: String = name.chars().take(MAX - 1).collect();
        cut.push('…');
        cut
    }
}

/// The stores with the most entering, one bar each.
pub fn ranking(stores: &[StoreFigures]) -> Result<String, ChartError> {
    let items: Vec<(String, f64)> = stores
        .iter()
        .take(figures::RANKED_STORES)
        .map(|s| (figures::label(s), s.entering as f64))
        .collect();
    bars(&items, "", |_| BAR)
}

/// The stores that changed most against the previous period, either way, one bar each.
pub fn changes(stores: &[StoreFigures]) -> Result<String, ChartError> {
    let mut changed: Vec<&StoreFigures> = stores.iter().filter(|s| s.change.is_some()).collect();
    changed.sort_by(|a, b| {
        let key = |s: &StoreFigures| s.change.unwrap_or(0.0).abs();
        key(b).total_cmp(&key(a)).then_with(|| a.id.cmp(&b.id))
    });
    changed.truncate(figures::RANKED_STORES);
    changed.sort_by(|a, b| {
        b.change
            .unwrap_or(0.0)
            .total_cmp(&a.change.unwrap_or(0.0))
            .then_with(|| a.id.cmp(&b.id))
    });
    let items: Vec<(String, f64)> = changed
        .iter()
        .map(|s| (figures::label(s), s.change.unwrap_or(0.0)))
        .collect();
    bars(&items, "%", |v| if v < 0.0 { DOWN } else { UP })
}

/// Shares of visitors, one bar per group.
pub fn shares(shares: &[Share]) -> Result<String, ChartError> {
    let items: Vec<(String, f64)> = shares
        .iter()
        .map(|s| (s.group.clone(), s.percent))
        .collect();
    bars(&items, "%", |_| BAR)
}
