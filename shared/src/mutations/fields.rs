//! Argument types that validate themselves while they are parsed: a value of one of these types is
//! always within the protocol's limits, so a mutator never sees invalid input.

use serde::{Deserialize, Serialize};

use crate::protocol::MAX_SAFE_INTEGER;

/// Defines a trimmed, length-checked text field.
macro_rules! text_field {
    ($(#[$doc:meta])* $name:ident, $field:literal, min = $min:literal, max = $max:literal, trim = $trim:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;

            fn try_from(value: String) -> Result<Self, String> {
                let value = if $trim { value.trim().to_owned() } else { value };
                let chars = value.chars().count();
                if ($min..=$max).contains(&chars) {
                    Ok(Self(value))
                } else if $trim {
                    Err(format!(
                        "{} must be {} to {} characters after trimming, got {chars}",
                        $field, $min, $max
                    ))
                } else {
                    Err(format!("{} must be at most {} characters, got {chars}", $field, $max))
                }
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
    };
}

/// Control characters other than line breaks and tabs have no place in an issue's text, and each one
/// escapes to six bytes of JSON (`\u0001`): refused in new mutations, so no new entry can balloon a
/// pull page. An acceptance rule, not part of the field types: entries logged under older rules must
/// still replay (see `Mutation::parse_new`).
pub fn check_no_control_characters(field: &str, value: &str) -> Result<(), String> {
    match value
        .chars()
        .enumerate()
        .find(|(_, c)| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        Some((at, c)) => Err(format!(
            "{field} must not contain control characters other than line breaks and tabs: \
             U+{:04X} at character {}",
            c as u32,
            at + 1
        )),
        None => Ok(()),
    }
}

/// A name shown on one line (a workspace's, a member's, an API token's): no control characters at
/// all (line breaks and tabs included), no line or paragraph separators (U+2028, U+2029), and no
/// bidirectional overrides or isolates (U+202A to U+202E, U+2066 to U+2069), which would let a name
/// reorder the text shown after it.
pub fn check_single_line(field: &str, value: &str) -> Result<(), String> {
    let breaks_the_line = |c: char| {
        c.is_control()
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    match value.chars().enumerate().find(|(_, c)| breaks_the_line(*c)) {
        Some((at, c)) => Err(format!(
            "{field} must be one line of plain text: no control characters, line breaks, tabs or \
             bidirectional overrides (U+{:04X} at character {})",
            c as u32,
            at + 1
        )),
        None => Ok(()),
    }
}

text_field!(
    /// An issue's title: 1 to 200 characters once surrounding whitespace is trimmed (and stored trimmed).
    Title, "title", min = 1, max = 200, trim = true
);
text_field!(
    /// An issue's description: up to 10,000 characters, stored exactly as given.
    Description, "description", min = 0, max = 10_000, trim = false
);
text_field!(
    /// Who owns an issue: 1 to 100 characters once trimmed.
    Owner, "owner", min = 1, max = 100, trim = true
);

text_field!(
    /// A label's name: 1 to 40 characters once trimmed; unique in its workspace, whatever the case.
    LabelName, "name", min = 1, max = 40, trim = true
);
text_field!(
    /// A comment's text: 1 to 10,000 characters once surrounding whitespace is trimmed.
    CommentBody, "body", min = 1, max = 10_000, trim = true
);

/// A label's colour: `#rrggbb`, stored in lowercase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Color(String);

impl Color {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Color {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        let hex = value.strip_prefix('#').unwrap_or("");
        if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
            Ok(Self(value.to_ascii_lowercase()))
        } else {
            Err(format!(
                "color must be #rrggbb (six hexadecimal digits), got {:?}",
                crate::error::quote(&value)
            ))
        }
    }
}

impl From<Color> for String {
    fn from(value: Color) -> String {
        value.0
    }
}

/// How urgent an issue is.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    #[default]
    None,
    Low,
    Medium,
    High,
    Urgent,
}

impl Priority {
    /// Least to most urgent.
    pub const ALL: [Priority; 5] = [
        Priority::None,
        Priority::Low,
        Priority::Medium,
        Priority::High,
        Priority::Urgent,
    ];

    /// Reads the name used on the wire and in the `issue.priority` column.
    pub fn parse(name: &str) -> Option<Priority> {
        Priority::ALL
            .into_iter()
            .find(|priority| priority.as_str() == name)
    }

    /// The name used on the wire and in the `issue.priority` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::None => "none",
            Priority::Low => "low",
            Priority::Medium => "medium",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }

    /// Most urgent first sorts by this, descending.
    pub fn rank(self) -> u8 {
        self as u8
    }
}

/// Where an issue stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    #[default]
    #[serde(rename = "not started")]
    NotStarted,
    #[serde(rename = "in progress")]
    InProgress,
    #[serde(rename = "done")]
    Done,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::NotStarted, Status::InProgress, Status::Done];

    /// Reads the name used on the wire and in the `issue.status` column.
    pub fn parse(name: &str) -> Option<Status> {
        Status::ALL
            .into_iter()
            .find(|status| status.as_str() == name)
    }

    /// The name used on the wire and in the `issue.status` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotStarted => "not started",
            Status::InProgress => "in progress",
            Status::Done => "done",
        }
    }
}

/// A client-made time in epoch milliseconds, between 0 and 2^53 - 1 so that D1 stores it exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u64", into = "u64")]
pub struct Millis(u64);

impl Millis {
    pub fn get(self) -> u64 {
        self.0
    }

    /// A clock reading, held within the range (a clock 285,000 years ahead stops there).
    pub fn clamped(value: u64) -> Millis {
        Millis(value.min(MAX_SAFE_INTEGER))
    }
}

impl TryFrom<u64> for Millis {
    type Error = String;

    fn try_from(value: u64) -> Result<Self, String> {
        if value <= MAX_SAFE_INTEGER {
            Ok(Self(value))
        } else {
            Err(format!(
                "a time must be at most 2^53 - 1 milliseconds, got {value}"
            ))
        }
    }
}

impl From<Millis> for u64 {
    fn from(value: Millis) -> u64 {
        value.0
    }
}

/// An issue's id: a client-made UUID, stored in its lowercase hyphenated form.
pub type IssueId = uuid::Uuid;
/// A label's id: client-made, like an issue's.
pub type LabelId = uuid::Uuid;
/// A comment's id: client-made, like an issue's.
pub type CommentId = uuid::Uuid;
/// A member's id, made by the server when they joined.
pub type MemberId = uuid::Uuid;
