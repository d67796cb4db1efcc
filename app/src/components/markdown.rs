//! A description or a comment rendered from Markdown (`shared::markdown`'s tree) as Dioxus
//! elements, never through `innerHTML`: raw HTML in the text is text, links go only to web and
//! mail addresses (`rel="noopener noreferrer"`), images are links to where they are, never loaded.
//! A mention shows the member's current name; `#42` and `TRK-42` link to the issue, with its title
//! and status on hover. With `on_edit`, a task list's boxes can be checked: each is an edit of the
//! text, handed to `on_edit`.

use dioxus::prelude::*;
use shared::issue::Issue;
use shared::markdown::{Align, Kind, Node, parse, plain_text, toggle_task};

use super::issue_page::open_issue;
use super::status_name;
use crate::state::AppState;

#[component]
pub fn Markdown(source: String, on_edit: Option<EventHandler<String>>) -> Element {
    let state = use_context::<AppState>();
    let tree = use_memo(use_reactive!(|source| parse(&source)));
    let references = state
        .view
        .read()
        .open
        .as_ref()
        .map(|open| open.references.clone())
        .unwrap_or_default();
    let context = Context {
        state,
        key: state.issue_key().as_str().to_owned(),
        references,
        source,
        on_edit,
    };
    let tree = tree.read();
    rsx! {
        div { class: "markdown", {context.nodes(&tree, None)} }
    }
}

/// What rendering a tree needs besides the tree.
struct Context {
    state: AppState,
    key: String,
    references: Vec<Issue>,
    source: String,
    on_edit: Option<EventHandler<String>>,
}

impl Context {
    /// `nodes` in order; `align` the columns' alignment inside a table row.
    fn nodes(&self, nodes: &[Node], align: Option<&[Align]>) -> Element {
        rsx! {
            for (i, node) in nodes.iter().enumerate() {
                {self.node(node, align.map(|a| a.get(i).copied().unwrap_or(Align::None)), align)}
            }
        }
    }

    fn node(&self, node: &Node, cell_align: Option<Align>, row_align: Option<&[Align]>) -> Element {
        match node {
            Node::Text(text) => rsx! { "{text}" },
            Node::Code(code) => rsx! { code { "{code}" } },
            Node::SoftBreak => rsx! { "\n" },
            Node::HardBreak => rsx! { br {} },
            Node::Rule => rsx! { hr {} },
            // A box outside a list item (flattened by depth): shown, not changeable.
            Node::Task { checked, .. } => rsx! {
                input { r#type: "checkbox", checked: *checked, disabled: true }
            },
            Node::Reference { key, number, text } => self.reference(key.as_deref(), *number, text),
            Node::Element { kind, children } => self.element(kind, children, cell_align, row_align),
        }
    }

    fn element(
        &self,
        kind: &Kind,
        children: &[Node],
        cell_align: Option<Align>,
        row_align: Option<&[Align]>,
    ) -> Element {
        let inner = || self.nodes(children, None);
        match kind {
            Kind::Paragraph => rsx! { p { {inner()} } },
            // The page's own headings are h1 to h3: the text's start below them.
            Kind::Heading(1) => rsx! { h4 { {inner()} } },
            Kind::Heading(2) => rsx! { h5 { {inner()} } },
            Kind::Heading(_) => rsx! { h6 { {inner()} } },
            Kind::Quote => rsx! { blockquote { {inner()} } },
            Kind::CodeBlock { language } => rsx! {
                pre {
                    code { "data-language": language.clone().unwrap_or_default(), {inner()} }
                }
            },
            Kind::List { start: Some(start) } => rsx! { ol { start: "{start}", {inner()} } },
            Kind::List { start: None } => rsx! { ul { {inner()} } },
            Kind::Item => self.item(children),
            Kind::Table { align } => {
                let (head, rows) = match children.split_first() {
                    Some((
                        Node::Element {
                            kind: Kind::TableHead,
                            children,
                        },
                        rows,
                    )) => (Some(children.as_slice()), rows),
                    _ => (None, children),
                };
                rsx! {
                    div { class: "table-scroll",
                        table {
                            if let Some(head) = head {
                                thead { tr { {self.nodes(head, Some(align))} } }
                            }
                            tbody {
                                for row in rows {
                                    {self.node(row, None, Some(align))}
                                }
                            }
                        }
                    }
                }
            }
            Kind::TableHead | Kind::TableRow => rsx! { tr { {self.nodes(children, row_align)} } },
            Kind::TableCell { head } => {
                let class = match cell_align.unwrap_or(Align::None) {
                    Align::None => "",
                    Align::Left => "align-left",
                    Align::Center => "align-center",
                    Align::Right => "align-right",
                };
                if *head {
                    rsx! { th { class, scope: "col", {inner()} } }
                } else {
                    rsx! { td { class, {inner()} } }
                }
            }
            Kind::Emphasis => rsx! { em { {inner()} } },
            Kind::Strong => rsx! { strong { {inner()} } },
            Kind::Strike => rsx! { del { {inner()} } },
            Kind::Link { href } => rsx! {
                a { href: "{href}", rel: "noopener noreferrer", target: "_blank", {inner()} }
            },
            Kind::Unlinked { address } => rsx! {
                span { class: "unlinked", title: "Not a web address, so not a link: {address}", {inner()} }
            },
            Kind::Image { href: Some(href) } => rsx! {
                a { class: "image-link", href: "{href}", rel: "noopener noreferrer", target: "_blank",
                    "Image: "
                    {inner()}
                }
            },
            Kind::Image { href: None } => rsx! {
                span { class: "image-link", "Image: " {inner()} }
            },
            Kind::Mention(member) => {
                if self.state.knows(*member) {
                    let name = self.state.name_of(Some(*member));
                    rsx! { span { class: "mention", "@{name}" } }
                } else {
                    rsx! { span { class: "mention", {inner()} } }
                }
            }
        }
    }

    /// A list item; one that starts with a task box has the box named by the item's text.
    fn item(&self, children: &[Node]) -> Element {
        let Some((Node::Task { checked, at }, rest)) = children.split_first() else {
            return rsx! { li { {self.nodes(children, None)} } };
        };
        let (checked, at) = (*checked, *at);
        let name = plain_text(rest);
        let name = name.trim().to_owned();
        let on_edit = self.on_edit;
        let source = self.source.clone();
        rsx! {
            li { class: "task",
                input {
                    r#type: "checkbox",
                    checked,
                    disabled: on_edit.is_none(),
                    aria_label: "{name}",
                    onclick: move |evt| {
                        evt.prevent_default();
                        if let (Some(on_edit), Some(text)) = (on_edit, toggle_task(&source, at)) {
                            on_edit.call(text);
                        }
                    },
                }
                {self.nodes(rest, None)}
            }
        }
    }

    /// `#42` or `TRK-42`: a link to the issue when it is this workspace's and this device has it.
    fn reference(&self, key: Option<&str>, number: u64, text: &str) -> Element {
        let ours = key.is_none_or(|key| key == self.key);
        let found = self
            .references
            .iter()
            .find(|issue| issue.number == Some(number))
            .filter(|_| ours);
        let Some(issue) = found else {
            return rsx! { "{text}" };
        };
        let state = self.state;
        let id = issue.id;
        let title = format!(
            "{}-{number}: {} · {}",
            self.key,
            issue.title,
            status_name(issue.status)
        );
        let done = issue.status == shared::mutations::fields::Status::Done;
        let href = format!("/w/{}/issue/{}-{number}", state.workspace, self.key);
        rsx! {
            a {
                class: if done { "reference done" } else { "reference" },
                href: "{href}",
                title: "{title}",
                onclick: move |evt| {
                    evt.prevent_default();
                    open_issue(state, id);
                },
                "{text}"
            }
        }
    }
}
