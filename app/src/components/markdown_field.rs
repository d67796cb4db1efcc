//! The field descriptions and comments are written in: a text area with a Write/Preview switch,
//! and `@` offering the workspace's members. Picking one (arrows and Enter or Tab, or a click)
//! writes a mention, `[@Ada Lovelace](mention:<id>)`, which shows as the member's current name
//! wherever the text is read (`shared::references`).

use dioxus::prelude::*;
use wasm_bindgen::JsCast;

use super::markdown::Markdown;
use crate::state::AppState;

/// The most members the `@` list shows.
const SUGGESTIONS: usize = 6;

/// An `@` being typed: where it is (byte offsets into the text) and what follows it so far.
#[derive(Debug, Clone, PartialEq)]
struct Typing {
    at: usize,
    caret: usize,
    query: String,
    active: usize,
}

#[component]
pub fn MarkdownField(
    label: String,
    value: String,
    on_input: EventHandler<String>,
    max_chars: usize,
    #[props(default = 4)] rows: i64,
    #[props(default)] invalid: bool,
    /// Ctrl/Cmd+Enter.
    on_submit: Option<EventHandler<()>>,
    on_mounted: Option<EventHandler<MountedEvent>>,
) -> Element {
    let state = use_context::<AppState>();
    let mut preview = use_signal(|| false);
    let mut typing = use_signal(|| None::<Typing>);
    let id = use_hook(|| format!("text-{}", uuid::Uuid::new_v4().simple()));
    let list_id = format!("{id}-members");
    let choices: Vec<(uuid::Uuid, String)> = match &*typing.read() {
        Some(t) => matching(state.people(None), &t.query),
        None => Vec::new(),
    };
    let open = !choices.is_empty();
    let active = typing
        .read()
        .as_ref()
        .map_or(0, |t| t.active.min(choices.len().saturating_sub(1)));

    let field = id.clone();
    let text = value.clone();
    let pick = use_callback(move |(member, name): (uuid::Uuid, String)| {
        let Some(t) = typing.peek().clone() else {
            return;
        };
        let mention = shared::references::mention(member, &name);
        let Some(before) = text.get(..t.at) else {
            return;
        };
        let after = text.get(t.caret..).unwrap_or("");
        let written = format!("{before}{mention} {after}");
        let caret = utf16_len(&written[..before.len() + mention.len() + 1]);
        // Text and caret in the field at once: a key typed before the next render would otherwise
        // land where the browser put the caret when the value changed (its end), out of order.
        if let Some(area) = text_area(&field) {
            area.set_value(&written);
            let _ = area.set_selection_range(caret, caret);
        }
        on_input.call(written);
        typing.set(None);
        let field = field.clone();
        spawn(async move {
            // After the new text is in the field.
            gloo_timers::future::TimeoutFuture::new(0).await;
            if let Some(area) = text_area(&field) {
                let _ = area.focus();
                let _ = area.set_selection_range(caret, caret);
            }
        });
    });

    let field = id.clone();
    let pick_key = choices.clone();
    rsx! {
        div { class: "field markdown-field",
            div { class: "field-head",
                label { r#for: "{id}", "{label}" }
                div { class: "tabs", role: "tablist", aria_label: "Write or preview",
                    button {
                        r#type: "button",
                        role: "tab",
                        aria_selected: !preview(),
                        onclick: move |_| preview.set(false),
                        "Write"
                    }
                    button {
                        r#type: "button",
                        role: "tab",
                        aria_selected: preview(),
                        onclick: move |_| {
                            typing.set(None);
                            preview.set(true);
                        },
                        "Preview"
                    }
                }
            }
            if preview() {
                div { class: "preview", role: "tabpanel", aria_label: "Preview",
                    if value.trim().is_empty() {
                        p { class: "hint", "Nothing to preview." }
                    } else {
                        Markdown { source: value.clone() }
                    }
                }
            } else {
                div { class: "write",
                    textarea {
                        id: "{id}",
                        rows,
                        value: "{value}",
                        maxlength: crate::max_input_length(max_chars),
                        aria_invalid: invalid,
                        aria_autocomplete: "list",
                        aria_controls: if open { list_id.clone() } else { String::new() },
                        aria_activedescendant: if open { format!("{list_id}-{active}") } else { String::new() },
                        onmounted: move |evt| {
                            if let Some(handler) = on_mounted {
                                handler.call(evt);
                            }
                        },
                        oninput: move |evt| {
                            let written = evt.value();
                            typing.set(typed_mention(&written, caret_of(&field)));
                            on_input.call(written);
                        },
                        onkeydown: move |evt| {
                            let key = evt.key();
                            if !pick_key.is_empty() {
                                let count = pick_key.len();
                                match key {
                                    Key::ArrowDown | Key::ArrowUp => {
                                        evt.prevent_default();
                                        let step = if key == Key::ArrowDown { 1 } else { count - 1 };
                                        if let Some(t) = typing.write().as_mut() {
                                            t.active = (t.active.min(count - 1) + step) % count;
                                        }
                                        return;
                                    }
                                    Key::Enter | Key::Tab => {
                                        evt.prevent_default();
                                        if let Some(choice) = pick_key.get(active) {
                                            pick(choice.clone());
                                        }
                                        return;
                                    }
                                    Key::Escape => {
                                        evt.prevent_default();
                                        evt.stop_propagation();
                                        typing.set(None);
                                        return;
                                    }
                                    _ => {}
                                }
                            }
                            let modifiers = evt.modifiers();
                            if key == Key::Enter && (modifiers.ctrl() || modifiers.meta())
                                && let Some(submit) = on_submit
                            {
                                evt.prevent_default();
                                submit.call(());
                            }
                        },
                        onblur: move |_| {
                            // A click on a suggestion lands first (mousedown keeps the focus).
                            typing.set(None);
                        },
                    }
                    if open {
                        ul { id: "{list_id}", class: "mentions", role: "listbox", aria_label: "Mention a member",
                            for (i, (member, name)) in choices.into_iter().enumerate() {
                                li {
                                    key: "{member}",
                                    id: "{list_id}-{i}",
                                    role: "option",
                                    aria_selected: i == active,
                                    onmousedown: move |evt| {
                                        evt.prevent_default();
                                        pick((member, name.clone()));
                                    },
                                    "{name}"
                                }
                            }
                        }
                    }
                }
            }
            p { class: "hint markdown-hint",
                "Markdown: **bold**, `code`, - [ ] tasks. @ mentions a member, #42 links an issue."
            }
        }
    }
}

/// Members whose name has a word starting with `query` (any case), by name, at most
/// [`SUGGESTIONS`]; everyone for an empty query.
fn matching(people: Vec<(uuid::Uuid, String)>, query: &str) -> Vec<(uuid::Uuid, String)> {
    let query = query.to_lowercase();
    people
        .into_iter()
        .filter(|(_, name)| {
            let name = name.to_lowercase();
            query.is_empty()
                || name.starts_with(&query)
                || name.split_whitespace().any(|word| word.starts_with(&query))
        })
        .take(SUGGESTIONS)
        .collect()
}

/// The `@…` being typed before the caret (a UTF-16 offset, as the browser counts): an `@` at the
/// start or after a space or an opening bracket, then up to 30 letters, digits, spaces, dots,
/// hyphens or apostrophes on the same line.
fn typed_mention(text: &str, caret16: Option<u32>) -> Option<Typing> {
    let caret = byte_offset(text, caret16?)?;
    let before = &text[..caret];
    let at = before.rfind('@')?;
    let query = &before[at + 1..];
    let starts_word = before[..at]
        .chars()
        .next_back()
        .is_none_or(|c| c.is_whitespace() || matches!(c, '(' | '['));
    let fits = query.chars().count() <= 30
        && !query.starts_with(' ')
        && !query.contains("  ")
        && query
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '.' | '-' | '\''));
    (starts_word && fits).then(|| Typing {
        at,
        caret,
        query: query.trim_end().to_owned(),
        active: 0,
    })
}

fn text_area(id: &str) -> Option<web_sys::HtmlTextAreaElement> {
    web_sys::window()?
        .document()?
        .get_element_by_id(id)?
        .dyn_into::<web_sys::HtmlTextAreaElement>()
        .ok()
}

fn caret_of(id: &str) -> Option<u32> {
    text_area(id)?.selection_start().ok().flatten()
}

/// The byte offset of UTF-16 offset `offset16` in `text`, if it falls on a character.
fn byte_offset(text: &str, offset16: u32) -> Option<usize> {
    let mut counted = 0u32;
    for (byte, c) in text.char_indices() {
        if counted == offset16 {
            return Some(byte);
        }
        counted += c.len_utf16() as u32;
    }
    (counted == offset16).then_some(text.len())
}

fn utf16_len(text: &str) -> u32 {
    text.chars().map(|c| c.len_utf16() as u32).sum()
}
