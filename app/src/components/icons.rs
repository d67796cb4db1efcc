//! The small pictures a row is scanned by: a status icon, a priority icon, a member's avatar
//! (initials on a colour of their own), and a time relative to now with the full date on hover.
//! Drawn as inline SVG and coloured by class: the page's CSP (`style-src 'self'`) allows no inline
//! styles.

use dioxus::prelude::*;
use shared::mutations::fields::{Priority, Status};
use uuid::Uuid;

use super::priority_name;

/// A status as a circle: empty (not started), half (in progress), full with a tick (done).
#[component]
pub fn StatusIcon(status: Status) -> Element {
    let class = format!("icon status-icon {}", crate::url::slug(status));
    rsx! {
        svg { class: "{class}", view_box: "0 0 16 16", "aria-hidden": "true",
            circle { cx: "8", cy: "8", r: "6.25", fill: "none", stroke: "currentColor", stroke_width: "1.5" }
            match status {
                Status::NotStarted => rsx! {},
                Status::InProgress => rsx! {
                    path { d: "M8 3.5 A4.5 4.5 0 0 1 8 12.5 Z", fill: "currentColor" }
                },
                Status::Done => rsx! {
                    circle { cx: "8", cy: "8", r: "6.25", fill: "currentColor" }
                    path { class: "tick", d: "M5.2 8.2 7.1 10 10.8 6.2", fill: "none", stroke_width: "1.6" }
                },
            }
        }
    }
}

/// A priority as bars (low, medium, high) or a filled square with "!" (urgent); nothing for none.
/// Its name is in `title` and, for screen readers, in text beside it.
#[component]
pub fn PriorityIcon(priority: Priority) -> Element {
    let bars = match priority {
        Priority::None => return rsx! {},
        Priority::Low => 1,
        Priority::Medium => 2,
        Priority::High => 3,
        Priority::Urgent => 0,
    };
    let name = priority_name(priority);
    rsx! {
        span { class: "priority {priority.as_str()}", title: "Priority: {name}",
            svg { class: "icon", view_box: "0 0 16 16", "aria-hidden": "true",
                if priority == Priority::Urgent {
                    rect { x: "1.5", y: "1.5", width: "13", height: "13", rx: "3", fill: "currentColor" }
                    path { class: "bang", d: "M8 4.5v4.5M8 11.2v.3", stroke_width: "1.8", stroke_linecap: "round" }
                } else {
                    for (at, height) in [5.0_f32, 8.5, 12.0].into_iter().enumerate() {
                        rect {
                            key: "{at}",
                            class: if at < bars { "on" } else { "off" },
                            x: "{1.5 + at as f32 * 5.0}",
                            y: "{14.0 - height}",
                            width: "3.2",
                            height: "{height}",
                            rx: "1",
                        }
                    }
                }
            }
            span { class: "visually-hidden", "{name}" }
        }
    }
}

/// How many avatar colours `style.css` has (`.avatar.c0` to `.c7`).
const AVATAR_COLOURS: u128 = 8;

/// A member as their initials on a colour derived from their id (the same on every screen and every
/// device). `label` is what a screen reader and the tooltip say ("Assigned to Grace"); empty, the
/// avatar is only a picture beside the name written out.
#[component]
pub fn Avatar(member: Uuid, name: String, label: String) -> Element {
    let colour = member.as_u128() % AVATAR_COLOURS;
    if label.is_empty() {
        return rsx! {
            span { class: "avatar c{colour}", "aria-hidden": "true", "{initials(&name)}" }
        };
    }
    rsx! {
        span { class: "avatar c{colour}", title: "{label}",
            span { "aria-hidden": "true", "{initials(&name)}" }
            span { class: "visually-hidden", "{label}" }
        }
    }
}

/// "Ada Lovelace" → "AL", "grace" → "G", "" → "?".
pub fn initials(name: &str) -> String {
    let mut words = name
        .split_whitespace()
        .filter(|word| word.chars().next().is_some_and(char::is_alphanumeric));
    let first = words.next().and_then(|w| w.chars().next());
    let last = words.next_back().and_then(|w| w.chars().next());
    let picked: String = first
        .into_iter()
        .chain(last)
        .flat_map(char::to_uppercase)
        .collect();
    if picked.is_empty() {
        "?".to_owned()
    } else {
        picked
    }
}

/// A moment as "now", "5 min", "3 h", "2 d", or a date past four weeks, with the full date and time
/// in its tooltip; `prefix` starts the tooltip ("Created").
#[component]
pub fn Ago(millis: u64, prefix: String) -> Element {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(millis as f64));
    // By hand, not `toLocaleString`: Intl's formatter costs a row's render more than the rest of it.
    let full = format!(
        "{} {} {}, {:02}:{:02}",
        date.get_date(),
        MONTHS[date.get_month() as usize % 12],
        date.get_full_year(),
        date.get_hours(),
        date.get_minutes()
    );
    let iso: String = date.to_iso_string().into();
    rsx! {
        time { class: "date", datetime: "{iso}", title: "{prefix} {full}",
            "{ago(js_sys::Date::now() as u64, millis)}"
        }
    }
}

/// Months as the list's dates show them.
pub const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The short relative form of `then`, seen at `now` (both epoch milliseconds).
pub fn ago(now: u64, then: u64) -> String {
    const MINUTE: u64 = 60_000;
    const HOUR: u64 = 60 * MINUTE;
    const DAY: u64 = 24 * HOUR;
    let since = now.saturating_sub(then);
    match since {
        s if s < MINUTE => "now".to_owned(),
        s if s < HOUR => format!("{} min", s / MINUTE),
        s if s < DAY => format!("{} h", s / HOUR),
        s if s < 28 * DAY => format!("{} d", s / DAY),
        _ => super::list::short_date(then),
    }
}
