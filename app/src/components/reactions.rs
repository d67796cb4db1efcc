//! Reactions under an issue's description and under each comment: each emoji someone used, with its
//! count and who (in the tooltip and the accessible name); pressing one that is yours takes it back,
//! one that is not adds yours; *Add reaction* offers the whole set.

use dioxus::prelude::*;
use shared::mutations::SetReaction;
use shared::reaction::{Emoji, Reaction};
use uuid::Uuid;

use crate::engine_link::EngineLink;
use crate::state::{AppState, now};

#[component]
pub fn Reactions(
    issue: Uuid,
    comment: Option<Uuid>,
    /// Every reaction on the issue and its comments: this bar shows its own.
    all: Vec<Reaction>,
    can_react: bool,
) -> Element {
    let state = use_context::<AppState>();
    let engine = use_context::<EngineLink>();
    let mut picking = use_signal(|| false);
    let me = state.me();
    let mine: Vec<&Reaction> = all
        .iter()
        .filter(|r| r.issue_id == issue && r.comment_id == comment)
        .collect();
    let used: Vec<(Emoji, Vec<Uuid>)> = Emoji::ALL
        .into_iter()
        .map(|emoji| {
            let who = mine
                .iter()
                .filter(|r| r.emoji == emoji)
                .map(|r| r.member_id)
                .collect::<Vec<_>>();
            (emoji, who)
        })
        .filter(|(_, who)| !who.is_empty())
        .collect();
    let set = move |emoji: Emoji, on: bool| {
        engine.mutate(SetReaction {
            issue_id: issue,
            comment_id: comment,
            emoji,
            on,
            at: now(),
        });
    };
    let target = if comment.is_some() {
        "comment"
    } else {
        "issue"
    };
    rsx! {
        div { class: "reactions", role: "group", aria_label: "Reactions to this {target}",
            for (emoji, who) in used {
                {
                    let pressed = me.is_some_and(|me| who.contains(&me));
                    let names = who
                        .iter()
                        .map(|m| if Some(*m) == me { "you".to_owned() } else { state.name_of(Some(*m)) })
                        .collect::<Vec<_>>()
                        .join(", ");
                    let count = who.len();
                    let set = set.clone();
                    rsx! {
                        button {
                            key: "{emoji.as_str()}",
                            class: if pressed { "reaction mine" } else { "reaction" },
                            aria_pressed: pressed,
                            disabled: !can_react,
                            aria_label: "{emoji.label()}: {count}, by {names}",
                            title: "{names} reacted with {emoji.label()}",
                            onclick: move |_| set(emoji, !pressed),
                            span { "aria-hidden": "true", "{emoji.glyph()}" }
                            span { class: "count", "aria-hidden": "true", "{count}" }
                        }
                    }
                }
            }
            if can_react {
                button {
                    class: "reaction add",
                    aria_expanded: picking(),
                    aria_label: "Add reaction",
                    title: "Add reaction",
                    onclick: move |_| picking.toggle(),
                    "☺+"
                }
                if picking() {
                    div { class: "reaction-picker", role: "group", aria_label: "Pick a reaction",
                        for emoji in Emoji::ALL {
                            {
                                let set = set.clone();
                                let already = mine
                                    .iter()
                                    .any(|r| r.emoji == emoji && Some(r.member_id) == me);
                                rsx! {
                                    button {
                                        key: "{emoji.as_str()}",
                                        aria_label: "React with {emoji.label()}",
                                        title: "{emoji.label()}",
                                        onclick: move |_| {
                                            set(emoji, !already);
                                            picking.set(false);
                                        },
                                        "{emoji.glyph()}"
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
