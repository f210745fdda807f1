//! Hiding secrets in text an error quotes: the values of token-like fields.
//!
//! An error quotes at most [`BODY_SNIPPET_LIMIT`](crate::BODY_SNIPPET_LIMIT) bytes of an
//! unexpected answer so that a user can see what came back. Such an answer may carry a login
//! token or a password (a proxy's error page echoing a request, a broken login answer), and an
//! error ends up on stderr and in logs. So every value of a field whose name is in
//! [`REDACTED_FIELDS`], or ends in `token`, `password` or `secret`, is replaced by
//! `<redacted>`: in JSON (`"token": "…"`), in forms and query strings (`token=…`) and in
//! header-like lines (`authenticator: …`). Names are compared ignoring ASCII case, `-` and
//! `_`, so `accessToken`, `access_token` and `ACCESS-TOKEN` are one name.

/// The field names whose values an error never quotes (compared ignoring ASCII case, `-` and
/// `_`). Names ending in `token`, `password` or `secret` are hidden too.
pub const REDACTED_FIELDS: &[&str] = &[
    "token",
    "accessToken",
    "refreshToken",
    "authorization",
    "ovo-authorization",
    "authenticator",
    "password",
    "passwd",
    "pwd",
    "secret",
    "sessionId",
    "ticket",
    "cookie",
    "set-cookie",
    "_asid",
    "_sig",
];

/// What stands in for a hidden value.
const REDACTED: &str = "<redacted>";

/// Whether a field called `name` holds a secret.
pub(crate) fn is_secret_name(name: &str) -> bool {
    let normal: String = name
        .chars()
        .filter(|c| *c != '-' && *c != '_')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if normal.is_empty() {
        return false;
    }
    normal.ends_with("token")
        || normal.ends_with("password")
        || normal.ends_with("secret")
        || REDACTED_FIELDS.iter().any(|field| {
            field
                .chars()
                .filter(|c| *c != '-' && *c != '_')
                .map(|c| c.to_ascii_lowercase())
                .eq(normal.chars())
        })
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// `text` with the value of every token-like field replaced by `<redacted>`.
///
/// ```
/// use opretail_model::engine::redact_secrets;
///
/// let text = r#"{"data":{"token":"tok-1","enterpriseId":7},"x":"accessToken=tok-2&a=1"}"#;
/// let shown = redact_secrets(text);
/// assert!(!shown.contains("tok-1") && !shown.contains("tok-2"), "{shown}");
/// assert!(shown.contains("\"enterpriseId\":7") && shown.contains("a=1"), "{shown}");
/// assert_eq!(redact_secrets("authenticator: abc def"), "authenticator: <redacted> def");
/// ```
pub fn redact_secrets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut search = 0;
    while let Some(offset) = text[search..].find([':', '=']) {
        let separator = search + offset;
        search = separator + 1;
        if separator < copied || !is_secret_name(name_before(&text[..separator])) {
            continue;
        }
        let (start, end) = value_after(text, separator + 1);
        if start >= end {
            continue;
        }
        out.push_str(&text[copied..start]);
        out.push_str(REDACTED);
        copied = end;
        search = end.max(search);
    }
    out.push_str(&text[copied..]);
    out
}

/// The field name that ends `before` (the text up to a `:` or `=`): skips white space and
/// closing quotes (`"`, `'`, an escaped `\"`), then takes name characters.
fn name_before(before: &str) -> &str {
    let trimmed = before.trim_end();
    let unquoted = trimmed
        .strip_suffix('"')
        .or_else(|| trimmed.strip_suffix('\''))
        .map(|t| t.strip_suffix('\\').unwrap_or(t))
        .unwrap_or(trimmed);
    let start = unquoted
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_name_char(*c))
        .last()
        .map_or(unquoted.len(), |(i, _)| i);
    &unquoted[start..]
}

/// Where the value after a separator at `from` starts and ends: a quoted value up to its
/// closing quote (or the end of a cut-off text), quotes kept; a bare one up to a delimiter.
fn value_after(text: &str, from: usize) -> (usize, usize) {
    let rest = &text[from..];
    let start = from + (rest.len() - rest.trim_start_matches([' ', '\t']).len());
    let value = &text[start..];
    let (quote, skip) = if value.starts_with("\\\"") {
        ("\\\"", 2)
    } else if value.starts_with('"') {
        ("\"", 1)
    } else if value.starts_with('\'') {
        ("'", 1)
    } else {
        let end = value
            .find(|c: char| c.is_whitespace() || ",;&}]<>\"'".contains(c))
            .unwrap_or(value.len());
        return (start, start + end);
    };
    let body = &value[skip..];
    let mut index = 0;
    let end = loop {
        match body[index..].find(quote) {
            // In JSON an escaped quote (`\"`) does not close a `"…"` value.
            Some(i) if quote == "\"" && body[..index + i].ends_with('\\') => index += i + 1,
            Some(i) => break index + i,
            None => break body.len(),
        }
    };
    (start + skip, start + skip + end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_like_values_are_hidden_wherever_they_sit() {
        for (text, secret) in [
            (r#"{"token":"t-1"}"#, "t-1"),
            (r#"{ "Token" : "t-2" , "a": 1}"#, "t-2"),
            (r#"{"data":{"accessToken":12345}}"#, "12345"),
            (r#"{"ovo-authorization":"t-3\"x"}"#, "t-3"),
            (r#""{\"token\":\"t-4\"}""#, "t-4"),
            ("userName=u&password=p-5&x=1", "p-5"),
            ("Authenticator: t-6\r\nHost: x", "t-6"),
            (r#"{"sessionId":"s-7"#, "s-7"),
            (r#"{"user_token":"t-8"}"#, "t-8"),
            (r#"{"token":"t-9 cut off"#, "cut off"),
        ] {
            let shown = redact_secrets(text);
            assert!(!shown.contains(secret), "{text} -> {shown}");
            assert!(shown.contains(REDACTED), "{text} -> {shown}");
        }
    }

    #[test]
    fn other_fields_stay() {
        let text = r#"{"tokenExpirationTimestamp":1,"enterpriseId":"42","name":"a:b=c"}"#;
        assert_eq!(redact_secrets(text), text);
        assert_eq!(redact_secrets("no fields at all"), "no fields at all");
        assert_eq!(redact_secrets(""), "");
    }
}
