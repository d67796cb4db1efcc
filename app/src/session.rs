//! Who is signed in here, remembered in localStorage, so the tracker opens at once (and offline) as
//! the member it last was, while `GET /api/session` confirms it in the background. The names of each
//! workspace's members are kept too, so authors show by name offline.

use shared::api::{FormerMember, Members, Membership, SessionInfo};
use uuid::Uuid;

const SESSION: &str = "tracker.session";
const LAST_WORKSPACE: &str = "tracker.lastWorkspace";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn read<T: serde::de::DeserializeOwned>(key: &str) -> Option<T> {
    let text = storage()?.get_item(key).ok()??;
    serde_json::from_str(&text).ok()
}

fn write<T: serde::Serialize>(key: &str, value: &T) {
    if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(value)) {
        let _ = storage.set_item(key, &text);
    }
}

/// The session as the server last confirmed it on this browser.
pub fn cached() -> Option<SessionInfo> {
    read(SESSION)
}

pub fn remember(info: &SessionInfo) {
    write(SESSION, info);
}

/// Signed out: nothing about who it was stays, nor the rows they saw.
pub fn forget() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(SESSION);
        let _ = storage.remove_item(LAST_WORKSPACE);
    }
    crate::first_screen::forget();
}

pub fn last_workspace() -> Option<Uuid> {
    read(LAST_WORKSPACE)
}

pub fn set_last_workspace(workspace: Uuid) {
    write(LAST_WORKSPACE, &workspace);
}

fn members_key(workspace: Uuid) -> String {
    format!("tracker.members.{workspace}")
}

/// The workspace's members as last fetched here.
pub fn cached_members(workspace: Uuid) -> Vec<Membership> {
    read::<Vec<Membership>>(&members_key(workspace)).unwrap_or_default()
}

/// The people removed from the workspace, as last fetched here.
pub fn cached_former(workspace: Uuid) -> Vec<FormerMember> {
    read::<Vec<FormerMember>>(&former_key(workspace)).unwrap_or_default()
}

fn former_key(workspace: Uuid) -> String {
    format!("tracker.former.{workspace}")
}

pub fn remember_members(workspace: Uuid, members: &Members) {
    write(&former_key(workspace), &members.former);
    write(&members_key(workspace), &members.members);
}
