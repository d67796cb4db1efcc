//! Issue numbers as people say them: a workspace's key and an issue's number, `TRK-42`. The number is
//! the server's to give ([`crate::server`]); the key is the workspace's, chosen at setup (or made from
//! its name) and changeable by its owner. A reference names an issue by number whatever key it was
//! written with, so links made before the key changed still open the issue.

use serde::{Deserialize, Serialize};

/// A workspace's issue key: 2 to 5 letters A-Z.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IssueKey(String);

impl IssueKey {
    pub const MIN_CHARS: usize = 2;
    pub const MAX_CHARS: usize = 5;

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A key made from a workspace's name: the initials of its words when it has two or more, else
    /// its first letters; `ISS` when the name has too few letters A-Z.
    pub fn from_name(name: &str) -> IssueKey {
        let words: Vec<String> = name
            .split(|c: char| !c.is_ascii_alphanumeric())
            .map(|word| {
                word.chars()
                    .filter(char::is_ascii_alphabetic)
                    .map(|c| c.to_ascii_uppercase())
                    .collect::<String>()
            })
            .filter(|word| !word.is_empty())
            .collect();
        let initials: String = words
            .iter()
            .filter_map(|w| w.chars().next())
            .take(Self::MAX_CHARS)
            .collect();
        let key = if initials.len() >= Self::MIN_CHARS {
            initials
        } else {
            words.concat().chars().take(3).collect()
        };
        IssueKey::try_from(key).unwrap_or_else(|_| IssueKey("ISS".to_owned()))
    }

    /// `TRK-42`.
    pub fn issue(&self, number: u64) -> String {
        format!("{}-{number}", self.0)
    }
}

impl TryFrom<String> for IssueKey {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        let key = value.trim().to_ascii_uppercase();
        let letters = key.chars().all(|c| c.is_ascii_uppercase());
        if letters && (Self::MIN_CHARS..=Self::MAX_CHARS).contains(&key.len()) {
            Ok(IssueKey(key))
        } else {
            Err(format!(
                "an issue key is {} to {} letters A-Z, like TRK; got {}",
                Self::MIN_CHARS,
                Self::MAX_CHARS,
                crate::error::quote(&value)
            ))
        }
    }
}

impl From<IssueKey> for String {
    fn from(key: IssueKey) -> String {
        key.0
    }
}

/// The issue number a reference names: `42`, `#42`, or `KEY-42` with any key of 2 to 5 letters, in
/// any case; `None` for anything else.
pub fn parse_reference(text: &str) -> Option<u64> {
    let text = text.trim();
    let digits = match text.rsplit_once('-') {
        Some((key, digits)) => {
            IssueKey::try_from(key.to_owned()).ok()?;
            digits
        }
        None => text.strip_prefix('#').unwrap_or(text),
    };
    if digits.is_empty() || digits.len() > 15 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|n| *n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_made_from_a_name() {
        assert_eq!(IssueKey::from_name("Tracker").as_str(), "TRA");
        assert_eq!(IssueKey::from_name("Acme web team").as_str(), "AWT");
        assert_eq!(
            IssueKey::from_name("the quick brown fox jumps over").as_str(),
            "TQBFJ"
        );
        assert_eq!(IssueKey::from_name("42").as_str(), "ISS");
        assert_eq!(IssueKey::from_name("Ünïcode").as_str(), "NC");
        assert_eq!(IssueKey::from_name("x").as_str(), "ISS");
    }

    #[test]
    fn a_key_is_two_to_five_letters() {
        assert_eq!(
            IssueKey::try_from("trk".to_owned()).map(String::from),
            Ok("TRK".to_owned())
        );
        for bad in ["T", "TOOLONG", "T1", "T-K", "", "ÄB"] {
            assert!(IssueKey::try_from(bad.to_owned()).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_reference_names_a_number() {
        assert_eq!(parse_reference("42"), Some(42));
        assert_eq!(parse_reference("#42"), Some(42));
        assert_eq!(parse_reference("TRK-42"), Some(42));
        assert_eq!(parse_reference(" trk-7 "), Some(7));
        for bad in [
            "",
            "0",
            "TRK-",
            "T-4",
            "fix-42x",
            "TRK-4-2",
            "-4",
            "4.2",
            "99999999999999999",
        ] {
            assert_eq!(parse_reference(bad), None, "{bad}");
        }
    }
}
