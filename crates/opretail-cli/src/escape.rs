//! Text from the network, made safe to show on a terminal.
//!
//! A gateway (or anything pretending to be one) chooses the text of its messages. Written to a
//! terminal as it came, an escape sequence could move the cursor, rewrite earlier lines, set
//! the window title or hide text, and a bidi override could make `S_1` look like `1_S`. Every
//! piece of text that did not come from this program goes through [`for_terminal`] before it
//! reaches a table or stderr. JSON output needs none of this: serde escapes control
//! characters, and a program reading JSON sees the exact text.

use std::borrow::Cow;
use std::fmt::Write;

/// The longest message shown on stderr, in characters, before it is clipped.
pub const STDERR_CHARS: usize = 2_000;

/// The marker put where text was clipped.
pub const CLIPPED: &str = "…";

/// Whether `c` changes how other text is shown without being visible itself: the bidi
/// embeddings, overrides, isolates and marks, zero-width characters, the byte-order mark,
/// line and paragraph separators and the other format characters that can hide in an id
/// (Unicode's `Cf` characters of the BMP that text editors do not show).
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'                      // soft hyphen
            | '\u{034F}'                // combining grapheme joiner
            | '\u{061C}'                // Arabic letter mark
            | '\u{115F}'..='\u{1160}'   // Hangul fillers
            | '\u{17B4}'..='\u{17B5}'   // Khmer inherent vowels
            | '\u{180B}'..='\u{180F}'   // Mongolian variation selectors and vowel separator
            | '\u{200B}'..='\u{200F}'   // zero-width space, joiners, LRM, RLM
            | '\u{2028}'..='\u{202E}'   // line/paragraph separators, bidi embeddings, overrides
            | '\u{2060}'..='\u{206F}'   // word joiner, invisible operators, bidi isolates
            | '\u{3164}'                // Hangul filler
            | '\u{FE00}'..='\u{FE0F}'   // variation selectors
            | '\u{FEFF}'                // byte-order mark, zero-width no-break space
            | '\u{FFA0}'                // half-width Hangul filler
            | '\u{FFF9}'..='\u{FFFB}'   // interlinear annotation
            | '\u{E0000}'..='\u{E0FFF}' // tags and supplementary variation selectors
    )
}

/// Whether `c` must not reach a terminal as it is: C0 controls (ESC among them), DEL, C1
/// controls (U+0080 to U+009F, which some terminals obey like ESC sequences) and the
/// invisible characters of [`is_invisible`].
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_invisible(c)
}

/// `text` with every unsafe character written as a visible escape (`\n`, `\t`, `\r`, or
/// `\u{1b}` for the others), clipped to at most `max_chars` characters of the result with
/// [`CLIPPED`] at the end. Text that needs neither is returned as it is.
///
/// ```text
/// assert_eq!(for_terminal("a\u{1b}[2Jb", 100), "a\\u{1b}[2Jb");
/// assert_eq!(for_terminal("abcdef", 4), "abc…");
/// ```
pub fn for_terminal(text: &str, max_chars: usize) -> Cow<'_, str> {
    let max_chars = max_chars.max(1);
    let mut chars = 0usize;
    let mut clean = true;
    for c in text.chars() {
        chars += 1;
        if is_unsafe(c) || chars > max_chars {
            clean = false;
            break;
        }
    }
    if clean {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len().min(max_chars * 4) + 8);
    let mut shown = 0usize;
    // Where to cut if the text turns out too long: the end of the last piece that leaves a
    // place for the marker. An escape is never cut in half.
    let mut cut = 0usize;
    for c in text.chars() {
        let before = out.len();
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
        shown += out[before..].chars().count();
        if shown < max_chars {
            cut = out.len();
        } else if shown > max_chars {
            out.truncate(cut);
            out.push_str(CLIPPED);
            return Cow::Owned(out);
        }
    }
    Cow::Owned(out)
}

/// [`for_terminal`] with the limit for stderr messages.
pub fn for_stderr(text: &str) -> Cow<'_, str> {
    for_terminal(text, STDERR_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_as_it_is() {
        let text = "SIGN_WRONG (7): 签名错误 [cid 0a]";
        assert!(matches!(for_terminal(text, 100), Cow::Borrowed(t) if t == text));
    }

    #[test]
    fn escape_sequences_and_controls_become_visible() {
        assert_eq!(for_terminal("a\u{1b}[2Jb", 100), "a\\u{1b}[2Jb");
        assert_eq!(
            for_terminal("x\u{1b}]0;title\u{7}y", 100),
            "x\\u{1b}]0;title\\u{7}y"
        );
        assert_eq!(for_terminal("a\nb\rc\td", 100), "a\\nb\\rc\\td");
        assert_eq!(for_terminal("\u{7f}\u{9b}31m", 100), "\\u{7f}\\u{9b}31m");
        assert_eq!(for_terminal("\0", 100), "\\u{0}");
    }

    #[test]
    fn bidi_overrides_and_invisible_characters_become_visible() {
        assert_eq!(for_terminal("S_1\u{202e}2", 100), "S_1\\u{202e}2");
        assert_eq!(
            for_terminal("\u{2066}x\u{2069}", 100),
            "\\u{2066}x\\u{2069}"
        );
        assert_eq!(
            for_terminal("a\u{200b}b\u{feff}", 100),
            "a\\u{200b}b\\u{feff}"
        );
        assert_eq!(for_terminal("\u{e0041}", 100), "\\u{e0041}");
    }

    #[test]
    fn long_text_is_clipped_with_a_marker() {
        assert_eq!(for_terminal("abcdef", 4), "abc…");
        assert_eq!(for_terminal("abcd", 4), "abcd");
        assert_eq!(for_terminal("一二三四五", 3), "一二…");
        // An escape is never cut in half.
        assert_eq!(for_terminal("ab\u{1b}cdef", 5), "ab…");
        let long = "x".repeat(10_000);
        assert_eq!(for_stderr(&long).chars().count(), STDERR_CHARS);
    }

    #[test]
    fn escaping_twice_changes_nothing_more() {
        let once = for_terminal("a\u{1b}b\u{202e}", 100).into_owned();
        assert_eq!(for_terminal(&once, 100), once);
    }
}
