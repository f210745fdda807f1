//! CSV lines, their cells guarded against formulas.

use std::io;

/// One CSV record of `cells`, each guarded against formulas (see [`guard`]) unless `raw`:
/// every CSV row of every command is written here.
pub fn line<I, S>(cells: I, raw: bool) -> io::Result<Vec<u8>>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut writer = csv::WriterBuilder::new()
        .buffer_capacity(1024)
        .from_writer(Vec::new());
    let cells = cells.into_iter().map(|cell| {
        if raw {
            cell.as_ref().to_owned()
        } else {
            guard(cell.as_ref()).into_owned()
        }
    });
    writer.write_record(cells).map_err(io_error)?;
    writer
        .into_inner()
        .map_err(|e| io::Error::other(e.to_string()))
}

/// A cell a spreadsheet would read as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a
/// carriage return) gets a leading `'`, so that it is shown as text; plain numbers such as
/// `-12.5` or `+3` are left alone. This is OWASP's advice against CSV injection: text from the
/// gateway is data, never a formula that runs on the machine of whoever opens the file.
pub fn guard(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = matches!(
        cell.chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r')
    );
    if risky && !is_plain_number(cell) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// An optional sign, digits with at most one decimal point, and an optional exponent.
fn is_plain_number(text: &str) -> bool {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (unsigned, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = !(int.is_empty() && frac.is_empty()) && digits(int) && digits(frac);
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

fn io_error(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn formulas_become_text_and_numbers_stay_numbers() {
        for (cell, shown) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-", "'-"),
            ("-12.5%", "'-12.5%"),
        ] {
            assert_eq!(guard(cell), shown, "{cell:?}");
        }
        for cell in ["-12.5", "+3", "-0.5e-3", "1234", "多云", "35.2%", "", "a=b"] {
            assert_eq!(guard(cell), cell, "{cell:?}");
        }
    }
}
