//! Characters of the input that must not reach a terminal or a renderer as they are: control
//! characters (ESC, BEL, OSC sequences) and the bidirectional overrides that reorder how text is
//! displayed (U+202E and friends, the "trojan source" characters). Used by the reports and by the
//! graph's dot and mermaid output. No dependencies: every layer may use it.

/// Whether `c` must be shown escaped: a control character other than newline and tab, or a
/// bidirectional formatting character.
pub fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || is_bidi(c)
}

/// The bidirectional formatting characters (Unicode's Bidi_Control property).
pub fn is_bidi(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every unsafe character written as `U+XXXX` (no backslash, so that no output
/// format reads it as an escape of its own).
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) || c == '\n' || c == '\t' {
            out.push_str(&format!("U+{:04X}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_overrides_are_made_visible() {
        assert_eq!(visible("web"), "web");
        assert_eq!(visible("a\u{1b}]0;x\u{7}b"), "aU+001B]0;xU+0007b");
        assert_eq!(visible("admin\u{202E}nimda"), "adminU+202Enimda");
        assert!(is_unsafe('\u{2066}') && !is_unsafe('é'));
    }
}
