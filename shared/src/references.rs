//! What a description or a comment points at: members it mentions and issues it refers to.
//!
//! - A **mention** is stored as a Markdown link whose address is the member's id,
//!   `[@Ada Lovelace](mention:2b0c…)`: readable in the text field, rendered with the member's
//!   current name, and found here without parsing Markdown (the inbox reads it in SQL too, as
//!   [`MENTION_PREFIX`] followed by the id).
//! - An **issue reference** is `#42`, or the workspace's key and a number, `TRK-42`. Any key of two
//!   to five capital letters is recognised here; the app links only the workspace's own.
//!
//! The scanners are plain text scans, so the engine can use them without a Markdown parser: a
//! reference inside a code span is found too, and the renderer, which knows better, shows it as code.

use uuid::Uuid;

/// What comes before a member's id in a mention's address.
pub const MENTION_PREFIX: &str = "mention:";

/// The most references and mentions read from one text: a longer list is not a conversation.
pub const MAX_FOUND: usize = 50;

/// A piece of plain text: as it is, or an issue reference in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    /// `#42` (`key` is `None`) or `TRK-42`; `text` is how it was written.
    Reference {
        key: Option<&'a str>,
        number: u64,
        text: &'a str,
    },
    /// A bare `http(s)://` address, ending before whitespace and trailing punctuation.
    Url(&'a str),
}

/// Splits `text` into plain text, issue references and bare web addresses, in order.
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut plain = 0;
    let mut at = 0;
    while at < bytes.len() {
        let found = if at == 0 || !is_word(bytes[at - 1]) {
            reference_at(text, at)
                .or_else(|| url_at(text, at).map(|end| (Piece::Url(&text[at..end]), end)))
        } else {
            None
        };
        match found {
            Some((piece, end)) => {
                if plain < at {
                    out.push(Piece::Text(&text[plain..at]));
                }
                out.push(piece);
                at = end;
                plain = end;
            }
            None => at += 1,
        }
    }
    if plain < bytes.len() {
        out.push(Piece::Text(&text[plain..]));
    }
    out
}

/// The issue numbers `text` refers to with `#42` or `KEY-42`, each once, in order of first use.
pub fn referenced_numbers(text: &str) -> Vec<u64> {
    let mut numbers = Vec::new();
    for piece in pieces(text) {
        if let Piece::Reference { number, .. } = piece
            && !numbers.contains(&number)
        {
            numbers.push(number);
            if numbers.len() == MAX_FOUND {
                break;
            }
        }
    }
    numbers
}

/// The members `text` mentions, each once, in order of first mention.
pub fn mentioned_members(text: &str) -> Vec<Uuid> {
    let mut members = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(MENTION_PREFIX) {
        let after = &rest[at + MENTION_PREFIX.len()..];
        if let Some(id) = mention_id(after)
            && !members.contains(&id)
        {
            members.push(id);
            if members.len() == MAX_FOUND {
                break;
            }
        }
        rest = after;
    }
    members
}

/// The member id a mention's address names, from what follows [`MENTION_PREFIX`].
pub fn mention_id(address: &str) -> Option<Uuid> {
    address.get(..36).and_then(|id| Uuid::parse_str(id).ok())
}

/// The text that mentions `member`, shown as `name` until rendered.
pub fn mention(member: Uuid, name: &str) -> String {
    let name: String = name
        .chars()
        .map(|c| if matches!(c, '[' | ']') { ' ' } else { c })
        .collect();
    format!("[@{}]({MENTION_PREFIX}{member})", name.trim())
}

/// The issue reference starting at byte `at`, and where it ends.
fn reference_at(text: &str, at: usize) -> Option<(Piece<'_>, usize)> {
    let bytes = text.as_bytes();
    let (key, digits_at) = if bytes[at] == b'#' {
        (None, at + 1)
    } else {
        let letters = bytes[at..]
            .iter()
            .take_while(|b| b.is_ascii_uppercase())
            .count();
        if !(2..=5).contains(&letters) || bytes.get(at + letters) != Some(&b'-') {
            return None;
        }
        (Some(&text[at..at + letters]), at + letters + 1)
    };
    let digits = bytes[digits_at..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let end = digits_at + digits;
    if digits == 0 || digits > 9 || bytes.get(end).is_some_and(|b| is_word(*b)) {
        return None;
    }
    let number = text[digits_at..end].parse().ok().filter(|n| *n > 0)?;
    Some((
        Piece::Reference {
            key,
            number,
            text: &text[at..end],
        },
        end,
    ))
}

/// The end of a bare web address starting at byte `at`.
fn url_at(text: &str, at: usize) -> Option<usize> {
    let rest = &text[at..];
    let scheme = ["https://", "http://"].into_iter().find(|scheme| {
        rest.len() > scheme.len() && rest[..scheme.len()].eq_ignore_ascii_case(scheme)
    })?;
    let length = rest
        .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"'))
        .unwrap_or(rest.len());
    let trimmed =
        rest[..length].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'', '*', '_']);
    (trimmed.len() > scheme.len()).then_some(at + trimmed.len())
}

fn is_word(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'&' || byte == b'/'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_numbers_after_a_hash_or_a_key() {
        assert_eq!(
            pieces("see #42, TRK-7 and UTF-8"),
            vec![
                Piece::Text("see "),
                Piece::Reference {
                    key: None,
                    number: 42,
                    text: "#42"
                },
                Piece::Text(", "),
                Piece::Reference {
                    key: Some("TRK"),
                    number: 7,
                    text: "TRK-7"
                },
                Piece::Text(" and "),
                Piece::Reference {
                    key: Some("UTF"),
                    number: 8,
                    text: "UTF-8"
                },
            ]
        );
        for not_one in [
            "a#42",
            "#42a",
            "#0",
            "&#42;",
            "T-1",
            "TOOLONG-1",
            "path/#3",
            "#",
        ] {
            assert_eq!(referenced_numbers(not_one), Vec::<u64>::new(), "{not_one}");
        }
        assert_eq!(referenced_numbers("#3 #3 (#4)"), vec![3, 4]);
    }

    #[test]
    fn bare_addresses_end_before_trailing_punctuation() {
        assert_eq!(
            pieces("at https://example.com/a?b=1. Then"),
            vec![
                Piece::Text("at "),
                Piece::Url("https://example.com/a?b=1"),
                Piece::Text(". Then"),
            ]
        );
        assert_eq!(pieces("http://"), vec![Piece::Text("http://")]);
        assert_eq!(
            pieces("javascript:alert(1)"),
            vec![Piece::Text("javascript:alert(1)")]
        );
    }

    #[test]
    fn mentions_are_found_by_their_address() {
        let ada = Uuid::from_u128(1);
        let bob = Uuid::from_u128(2);
        let text = format!(
            "{} and {} and {} and [@x](mention:nonsense)",
            mention(ada, "Ada [the first]"),
            mention(bob, "Bob"),
            mention(ada, "Ada")
        );
        assert!(text.starts_with("[@Ada  the first](mention:"));
        assert_eq!(mentioned_members(&text), vec![ada, bob]);
    }
}
