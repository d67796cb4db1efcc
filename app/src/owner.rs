//! This device's name: a readable random one on first run, kept in localStorage, editable.

const KEY: &str = "tracker.owner";

const ADJECTIVES: [&str; 16] = [
    "Amber", "Brave", "Calm", "Clever", "Eager", "Gentle", "Jolly", "Keen", "Lucky", "Mellow",
    "Nimble", "Quiet", "Rapid", "Sunny", "Tidy", "Witty",
];
const ANIMALS: [&str; 16] = [
    "Badger", "Crane", "Dolphin", "Falcon", "Fox", "Heron", "Koala", "Lynx", "Marten", "Otter",
    "Panda", "Puffin", "Raven", "Seal", "Tiger", "Wren",
];

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

pub fn load() -> String {
    if let Some(name) = storage().and_then(|s| s.get_item(KEY).ok().flatten())
        && !name.trim().is_empty()
    {
        return name;
    }
    fn pick(list: &'static [&'static str; 16]) -> &'static str {
        list[(js_sys::Math::random() * 16.0) as usize % 16]
    }
    let name = format!("{} {}", pick(&ADJECTIVES), pick(&ANIMALS));
    save(&name);
    name
}

pub fn save(name: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(KEY, name);
    }
}
