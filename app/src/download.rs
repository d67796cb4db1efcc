//! Exporting the workspace: the UI asks the engine (which holds the replica) for the file, and saves
//! what it answers as a download. Nothing goes to the server.

use dioxus::prelude::*;
use engine::messages::{ExportFormat, ToEngine};
use shared::api::MemberInfo;
use wasm_bindgen::JsCast;

use crate::engine_link::EngineLink;
use crate::state::AppState;

/// Asks the engine for an export of the workspace in `format`; [`save`] takes its answer.
pub fn request(state: AppState, engine: &EngineLink, format: ExportFormat) {
    let members = state
        .members
        .peek()
        .iter()
        .map(|m| MemberInfo {
            id: m.id,
            name: m.name.clone(),
        })
        .chain(state.former.peek().iter().map(|m| MemberInfo {
            id: m.id,
            name: m.name.clone(),
        }))
        .collect();
    let workspace = state.session.peek().as_ref().and_then(|info| {
        info.workspaces
            .iter()
            .find(|w| w.id == state.workspace)
            .cloned()
    });
    engine.send(ToEngine::Export {
        format,
        workspace,
        members,
    });
}

/// The engine's answer: the file, saved as a download named after the workspace and the day; or
/// why there is none, as a notice.
pub fn save(state: AppState, format: ExportFormat, result: Result<String, String>) {
    let text = match result {
        Ok(text) => text,
        Err(problem) => {
            state.notify(format!("Could not export: {problem}"));
            return;
        }
    };
    let workspace = state
        .session
        .peek()
        .as_ref()
        .and_then(|info| {
            info.workspaces
                .iter()
                .find(|w| w.id == state.workspace)
                .map(|w| w.name.clone())
        })
        .unwrap_or_else(|| "workspace".to_owned());
    let day = js_sys::Date::new_0()
        .to_iso_string()
        .as_string()
        .unwrap_or_default();
    let name = format!(
        "{}-{}.{}",
        file_safe(&workspace),
        day.get(..10).unwrap_or("export"),
        format.extension()
    );
    match download(&name, format.media_type(), &text) {
        Ok(()) => state.notify(format!("Exported {name}")),
        Err(problem) => state.notify(format!("Could not export: {problem}")),
    }
}

/// A workspace's name as a file name: letters, digits and dashes.
fn file_safe(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let safe = safe.trim_matches('-').to_owned();
    if safe.is_empty() {
        "workspace".to_owned()
    } else {
        safe
    }
}

fn download(name: &str, media_type: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(&format!("{media_type};charset=utf-8"));
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| "the browser could not make the file")?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "the browser could not make the file's address")?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let link: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| "no link")?
        .dyn_into()
        .map_err(|_| "no link")?;
    link.set_href(&url);
    link.set_download(name);
    link.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}
