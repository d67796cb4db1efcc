//! The list on the screen: which window of rows to ask the engine for, and moving through the list.
//!
//! Every row is [`row_height`] pixels high (one line, or two on a narrow screen) and the list is as tall as all its rows, so the page
//! scrolls as if every row were there; only the window the engine sent is in the DOM (the rows on the
//! screen, [`OVERSCAN`] more above and below). Scrolling asks for a new window when the screen
//! nears the edge of the one held ([`use_viewport`]).
//!
//! After each view is on the page ([`after_render`]): rows that arrived above the screen move it down
//! by as much (the first row on the screen stays where it was, unless the list was at its top); a
//! jump to an issue (`WindowRequest::around`) brings it to the middle and selects it; a selection
//! by position (Home, End, Page Down, ...) waiting for its row selects it.

use std::cell::Cell;

use dioxus::prelude::*;
use engine::messages::View;
use shared::issue::{Seen, WindowRequest};
use uuid::Uuid;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::state::AppState;

/// Each row's height, in CSS pixels (`#issue-rows .row` in `style.css` has the same): one line...
pub const ROW_HEIGHT: f64 = 42.0;
/// ... or, on a narrow screen, two: the title on its own line, the properties below it.
pub const NARROW_ROW_HEIGHT: f64 = 80.0;
/// The media query `style.css` lays rows out on two lines under.
const NARROW: &str = "(max-width: 36rem)";
/// Rows held above and below the screen.
const OVERSCAN: u64 = 20;
/// A window starts at a multiple of this many rows, so scrolling asks again every few rows.
const STEP: u64 = 10;
/// The list's element.
const LIST_ID: &str = "issue-rows";

thread_local! {
    /// Rows to move the screen by once the view that moved them is on the page.
    static SHIFT: Cell<i64> = const { Cell::new(0) };
    /// A row to select once it is in a view (it was chosen by position).
    static PENDING: Cell<Option<u64>> = const { Cell::new(None) };
    /// The engine's first view is on the page (for the first render's breakdown).
    static LIVE: Cell<bool> = const { Cell::new(false) };
    /// The screen is narrow: rows are two lines high.
    static IS_NARROW: Cell<bool> = Cell::new(narrow_now());
}

/// Whether the screen is narrow now (the media query `style.css` uses).
fn narrow_now() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media(NARROW).ok().flatten())
        .is_some_and(|query| query.matches())
}

/// A row's height on this screen, in CSS pixels.
pub fn row_height() -> f64 {
    if IS_NARROW.get() {
        NARROW_ROW_HEIGHT
    } else {
        ROW_HEIGHT
    }
}

/// The list's top, relative to the screen's, and the screen's height; `None` when the list is not
/// on the page.
fn geometry() -> Option<(f64, f64)> {
    let window = web_sys::window()?;
    let list = window.document()?.get_element_by_id(LIST_ID)?;
    let height = window.inner_height().ok()?.as_f64()?;
    Some((list.get_bounding_client_rect().top(), height))
}

/// The first row on the screen and how many rows the screen holds.
pub fn on_screen() -> (u64, u64) {
    let (top, height) = geometry().unwrap_or_else(|| {
        let height = web_sys::window()
            .and_then(|w| w.inner_height().ok())
            .and_then(|h| h.as_f64())
            .unwrap_or(800.0);
        (0.0, height)
    });
    let first = (-top / row_height()).max(0.0).floor() as u64;
    let rows = (height / row_height()).ceil() as u64;
    (first, rows.max(1))
}

/// The window for what is on the screen now.
pub fn wanted() -> WindowRequest {
    let (first, rows) = on_screen();
    let start = first.saturating_sub(OVERSCAN) / STEP * STEP;
    let len = rows + 2 * OVERSCAN + STEP;
    WindowRequest {
        start,
        len: len.min(u64::from(shared::issue::MAX_WINDOW)) as u32,
        around: None,
        seen: None,
    }
}

/// The first row on the screen and its position in the view on the page: what a window asked for
/// now is measured on (the engine moves it by the rows that arrived above since that view).
pub fn seen(state: AppState) -> Option<Seen> {
    geometry()?;
    let (first, _) = on_screen();
    let view = state.view.peek();
    let row = first
        .checked_sub(view.start)
        .and_then(|at| view.issues.get(at as usize))?;
    Some(Seen {
        version: view.version,
        id: row.id,
        at: first,
    })
}

/// Asks for a new window whenever scrolling or resizing needs one.
pub fn use_viewport(mut state: AppState) {
    use_hook(move || {
        let on_move = Closure::<dyn FnMut()>::new(move || {
            let narrow = narrow_now();
            if narrow != IS_NARROW.replace(narrow) {
                state.narrow.set(narrow);
            }
            let current = *state.window.peek();
            if current.around.is_some() || state.open_issue.peek().is_some() {
                return;
            }
            let wanted = wanted();
            if wanted != current {
                state.window.set(wanted);
            }
        });
        if let Some(window) = web_sys::window() {
            for event in ["scroll", "resize"] {
                let _ = window
                    .add_event_listener_with_callback(event, on_move.as_ref().unchecked_ref());
            }
        }
        on_move.forget();
    });
}

/// Called with the view the engine just sent, before it replaces the one shown: if rows arrived
/// above the first row on the screen, the screen follows that row once the new view is rendered.
pub fn arriving(old: &View, new: &View) {
    let (first, _) = on_screen();
    if first == 0 || geometry().is_none() {
        return;
    }
    let Some(row) = first
        .checked_sub(old.start)
        .and_then(|at| old.issues.get(at as usize))
    else {
        return;
    };
    if let Some(now) = new.issues.iter().position(|issue| issue.id == row.id) {
        let moved = (new.start + now as u64) as i64 - first as i64;
        SHIFT.set(SHIFT.get() + moved);
    }
}

/// After a view is on the page: follow the rows that moved, finish a jump, select a row chosen by
/// position.
pub fn after_render(mut state: AppState) {
    if *state.loaded.peek() && !LIVE.replace(true) {
        crate::engine_link::mark("ui-first-view-on-page");
    }
    let shift = SHIFT.replace(0);
    if let (true, Some(window)) = (shift != 0, web_sys::window()) {
        window.scroll_by_with_x_and_y(0.0, shift as f64 * row_height());
    }
    let view = state.view.peek();
    let position = |id: Uuid| {
        view.issues
            .iter()
            .position(|issue| issue.id == id)
            .map(|at| view.start + at as u64)
    };
    let request = *state.window.peek();
    if let Some(id) = request.around {
        // This view answers the jump (answers to earlier windows are dropped on arrival): the issue
        // is in it, or it is not in the list (deleted, or the filter no longer shows it). Either
        // way the jump is over, and scrolling asks for windows again.
        let found = position(id);
        drop(view);
        if let Some(index) = found {
            centre(index);
            state.selected.set(Some(id));
        }
        state.window.set(wanted());
        return;
    }
    if let Some(index) = PENDING.get() {
        let found = index
            .checked_sub(view.start)
            .and_then(|at| view.issues.get(at as usize))
            .map(|issue| issue.id);
        drop(view);
        if let Some(id) = found {
            PENDING.set(None);
            state.selected.set(Some(id));
        }
    }
}

/// The selected row's position: the row chosen by position and not arrived yet, else the selected
/// row's if it is in the window held.
pub fn selected_index(state: AppState) -> Option<u64> {
    if let Some(index) = PENDING.get() {
        return Some(index);
    }
    let selected = (*state.selected.peek())?;
    let view = state.view.peek();
    view.issues
        .iter()
        .position(|issue| issue.id == selected)
        .map(|at| view.start + at as u64)
}

/// Selects the row at `index` (clamped to the list) and brings it onto the screen; a row not held
/// yet is selected when its window arrives.
pub fn select_index(mut state: AppState, index: u64) {
    let view = state.view.peek();
    if view.matching == 0 {
        return;
    }
    let index = index.min(view.matching - 1);
    let held = index
        .checked_sub(view.start)
        .and_then(|at| view.issues.get(at as usize))
        .map(|issue| issue.id);
    drop(view);
    match held {
        Some(id) => {
            PENDING.set(None);
            state.selected.set(Some(id));
        }
        None => PENDING.set(Some(index)),
    }
    bring_into_view(index);
}

/// Scrolls just enough for row `index` to be on the screen.
pub fn bring_into_view(index: u64) {
    let (Some((top, height)), Some(window)) = (geometry(), web_sys::window()) else {
        return;
    };
    // A pixel more: the list may sit at a fractional offset, and scrolling moves by whole pixels.
    let row_top = top + index as f64 * row_height();
    if row_top < 0.0 {
        window.scroll_by_with_x_and_y(0.0, row_top.floor() - 1.0);
    } else if row_top + row_height() > height {
        window.scroll_by_with_x_and_y(0.0, (row_top + row_height() - height).ceil() + 1.0);
    }
}

/// Scrolls row `index` to the middle of the screen.
fn centre(index: u64) {
    let (Some((top, height)), Some(window)) = (geometry(), web_sys::window()) else {
        return;
    };
    let row_top = top + index as f64 * row_height();
    window.scroll_by_with_x_and_y(0.0, row_top - (height - row_height()) / 2.0);
}

/// Back to the list's first row (the filter changed).
pub fn to_top() {
    let (Some((top, _)), Some(window)) = (geometry(), web_sys::window()) else {
        return;
    };
    if top < 0.0 {
        window.scroll_by_with_x_and_y(0.0, top);
    }
    PENDING.set(None);
    SHIFT.set(0);
}
