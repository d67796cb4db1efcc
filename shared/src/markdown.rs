//! Descriptions and comments as Markdown: CommonMark with tables, task lists, strikethrough and
//! bare web addresses, parsed by pulldown-cmark into a tree of [`Node`]s that the app renders as
//! elements. Nothing here writes HTML, and nothing in the tree is markup:
//! - raw HTML in the text is a [`Node::Text`] of itself;
//! - a link is followed only to `http:`, `https:` and `mailto:` addresses ([`Kind::Link`]); any
//!   other (`javascript:`, `data:`, a relative path) keeps its text and goes nowhere
//!   ([`Kind::Unlinked`]);
//! - an image is never loaded: it is its description, linked to its address ([`Kind::Image`]);
//! - containers nested deeper than [`MAX_DEPTH`] are flattened into the one at that depth, so the
//!   renderer's recursion is bounded whatever the text.
//!
//! Mentions (`[@Ada](mention:<id>)`) and issue references (`#42`, `TRK-42`) are found here too, by
//! [`crate::references`]' rules.

use std::ops::Range;

use pulldown_cmark::{
    Alignment, CodeBlockKind, Event, Options, Parser, Tag, TagEnd, TextMergeWithOffset,
};
use uuid::Uuid;

use crate::references::{self, MENTION_PREFIX, Piece};

/// The deepest a rendered tree nests (block quotes in lists in quotes...).
pub const MAX_DEPTH: usize = 12;

/// A piece of a rendered text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Text(String),
    /// A code span.
    Code(String),
    SoftBreak,
    HardBreak,
    Rule,
    /// A task list's box, checked or not; `at` is the byte offset of its `[` in the source, which
    /// [`toggle_task`] flips.
    Task {
        checked: bool,
        at: usize,
    },
    /// `#42` or `TRK-42` as written.
    Reference {
        key: Option<String>,
        number: u64,
        text: String,
    },
    Element {
        kind: Kind,
        children: Vec<Node>,
    },
}

/// What an element is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Paragraph,
    /// A heading, level 1 to 6.
    Heading(u8),
    Quote,
    CodeBlock {
        language: Option<String>,
    },
    /// A list, numbered from `start` when it is ordered.
    List {
        start: Option<u64>,
    },
    Item,
    /// A table, with each column's alignment.
    Table {
        align: Vec<Align>,
    },
    TableHead,
    TableRow,
    /// A cell; `head` in the table's head row.
    TableCell {
        head: bool,
    },
    Emphasis,
    Strong,
    Strike,
    /// A link to a web or mail address.
    Link {
        href: String,
    },
    /// A link to any other kind of address: its text, not followed.
    Unlinked {
        address: String,
    },
    /// An image, never loaded: its description, linked to its address when that is a web one.
    Image {
        href: Option<String>,
    },
    /// A member, by id; the children are the name the text was written with.
    Mention(Uuid),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    None,
    Left,
    Center,
    Right,
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS | Options::ENABLE_STRIKETHROUGH
}

/// One open container while parsing; `kind` is `None` for one that is not rendered as itself
/// (raw HTML blocks, containers past [`MAX_DEPTH`]): its children join its parent's.
struct Frame {
    kind: Option<Kind>,
    children: Vec<Node>,
}

/// Parses `source` into the tree the app renders.
pub fn parse(source: &str) -> Vec<Node> {
    let mut stack = vec![Frame {
        kind: None,
        children: Vec::new(),
    }];
    let mut depth = 0;
    let mut in_head = false;
    // Inside a code block, a link or an image: text is taken as it is (no references, no
    // addresses; a link inside a link is not one).
    let mut literal = 0;
    let events = TextMergeWithOffset::new(Parser::new_ext(source, options()).into_offset_iter());
    for (event, range) in events {
        match event {
            Event::Start(tag) => {
                if matches!(tag, Tag::TableHead) {
                    in_head = true;
                }
                let kind = (depth < MAX_DEPTH).then(|| kind_of(tag, in_head)).flatten();
                if kind.is_some() {
                    depth += 1;
                }
                if kind.as_ref().is_some_and(is_literal) {
                    literal += 1;
                }
                stack.push(Frame {
                    kind,
                    children: Vec::new(),
                });
            }
            Event::End(end) => {
                if matches!(end, TagEnd::TableHead) {
                    in_head = false;
                }
                if stack.len() < 2 {
                    continue;
                }
                let Some(frame) = stack.pop() else { continue };
                let parent = stack.last_mut().map(|f| &mut f.children);
                let Some(parent) = parent else { continue };
                match frame.kind {
                    Some(kind) => {
                        depth -= 1;
                        if is_literal(&kind) {
                            literal -= 1;
                        }
                        parent.push(Node::Element {
                            kind,
                            children: frame.children,
                        });
                    }
                    None => parent.extend(frame.children),
                }
            }
            Event::Text(text) => {
                if let Some(frame) = stack.last_mut() {
                    push_text(&mut frame.children, &text, literal > 0);
                }
            }
            other => {
                if let Some(frame) = stack.last_mut()
                    && let Some(node) = leaf(other, range)
                {
                    frame.children.push(node);
                }
            }
        }
    }
    // Every container the parser opened it closed; whatever is left open is flattened.
    let mut nodes = Vec::new();
    for frame in stack {
        nodes.extend(frame.children);
    }
    nodes
}

fn is_literal(kind: &Kind) -> bool {
    matches!(
        kind,
        Kind::CodeBlock { .. }
            | Kind::Link { .. }
            | Kind::Unlinked { .. }
            | Kind::Image { .. }
            | Kind::Mention(_)
    )
}

/// The element a tag opens, or `None` for one rendered only as its contents.
fn kind_of(tag: Tag, in_head: bool) -> Option<Kind> {
    Some(match tag {
        Tag::Paragraph => Kind::Paragraph,
        Tag::Heading { level, .. } => Kind::Heading(level as u8),
        Tag::BlockQuote(_) => Kind::Quote,
        Tag::CodeBlock(CodeBlockKind::Fenced(info)) => Kind::CodeBlock {
            language: info
                .split_whitespace()
                .next()
                .map(|word| word.chars().take(20).collect()),
        },
        Tag::CodeBlock(CodeBlockKind::Indented) => Kind::CodeBlock { language: None },
        Tag::List(start) => Kind::List { start },
        Tag::Item => Kind::Item,
        Tag::Table(alignments) => Kind::Table {
            align: alignments
                .into_iter()
                .map(|a| match a {
                    Alignment::None => Align::None,
                    Alignment::Left => Align::Left,
                    Alignment::Center => Align::Center,
                    Alignment::Right => Align::Right,
                })
                .collect(),
        },
        Tag::TableHead => Kind::TableHead,
        Tag::TableRow => Kind::TableRow,
        Tag::TableCell => Kind::TableCell { head: in_head },
        Tag::Emphasis => Kind::Emphasis,
        Tag::Strong => Kind::Strong,
        Tag::Strikethrough => Kind::Strike,
        Tag::Link { dest_url, .. } => {
            if let Some(member) = dest_url
                .strip_prefix(MENTION_PREFIX)
                .and_then(references::mention_id)
                .filter(|_| dest_url.len() == MENTION_PREFIX.len() + 36)
            {
                Kind::Mention(member)
            } else {
                match web_address(&dest_url) {
                    Some(href) => Kind::Link { href },
                    None => Kind::Unlinked {
                        address: dest_url.to_string(),
                    },
                }
            }
        }
        Tag::Image { dest_url, .. } => Kind::Image {
            href: web_address(&dest_url),
        },
        _ => return None,
    })
}

/// A leaf event as a node: raw HTML is its own text; what this tree does not render (footnotes,
/// math, none of which are enabled) is dropped.
fn leaf(event: Event, range: Range<usize>) -> Option<Node> {
    Some(match event {
        Event::Code(code) => Node::Code(code.to_string()),
        Event::Html(html) | Event::InlineHtml(html) => Node::Text(html.to_string()),
        Event::SoftBreak => Node::SoftBreak,
        Event::HardBreak => Node::HardBreak,
        Event::Rule => Node::Rule,
        Event::TaskListMarker(checked) => Node::Task {
            checked,
            at: range.start,
        },
        _ => return None,
    })
}

/// Appends text, split into references and bare web addresses unless `literal`.
fn push_text(children: &mut Vec<Node>, text: &str, literal: bool) {
    if literal {
        children.push(Node::Text(text.to_owned()));
        return;
    }
    for piece in references::pieces(text) {
        children.push(match piece {
            Piece::Text(text) => Node::Text(text.to_owned()),
            Piece::Reference { key, number, text } => Node::Reference {
                key: key.map(str::to_owned),
                number,
                text: text.to_owned(),
            },
            Piece::Url(url) => Node::Element {
                kind: Kind::Link {
                    href: url.to_owned(),
                },
                children: vec![Node::Text(url.to_owned())],
            },
        });
    }
}

/// `address` when a link may go there: a web (`http:`, `https:`) or mail (`mailto:`) address.
pub fn web_address(address: &str) -> Option<String> {
    let address = address.trim();
    let lower = address.get(..8).unwrap_or(address).to_ascii_lowercase();
    let safe = ["http://", "https://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme));
    (safe && !address.chars().any(char::is_control)).then(|| address.to_owned())
}

/// `source` with the task list box whose `[` is at byte `at` checked or unchecked: checking a box
/// is an ordinary edit of the text. `None` when there is no box there (the text changed since).
pub fn toggle_task(source: &str, at: usize) -> Option<String> {
    let marker = source.get(at..at + 3)?;
    let flipped = match marker {
        "[ ]" => "[x]",
        "[x]" | "[X]" => "[ ]",
        _ => return None,
    };
    let mut text = String::with_capacity(source.len());
    text.push_str(&source[..at]);
    text.push_str(flipped);
    text.push_str(&source[at + 3..]);
    Some(text)
}

/// The text of `nodes` without any markup: what a tooltip or a notification shows.
pub fn plain_text(nodes: &[Node]) -> String {
    let mut out = String::new();
    for node in nodes {
        match node {
            Node::Text(text) | Node::Code(text) => out.push_str(text),
            Node::Reference { text, .. } => out.push_str(text),
            Node::SoftBreak | Node::HardBreak | Node::Rule => out.push(' '),
            Node::Task { .. } => {}
            Node::Element { kind, children } => {
                out.push_str(&plain_text(children));
                if !matches!(
                    kind,
                    Kind::Emphasis
                        | Kind::Strong
                        | Kind::Strike
                        | Kind::Link { .. }
                        | Kind::Unlinked { .. }
                        | Kind::Image { .. }
                        | Kind::Mention(_)
                ) {
                    out.push(' ');
                }
            }
        }
    }
    out
}
