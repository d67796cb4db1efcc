//! Copying text to the clipboard: the invite link, a new API token, the inspector's JSON.

/// Writes `text` to the clipboard; why not, in the browser's words, when it refuses.
pub async fn write(text: &str) -> Result<(), String> {
    let clipboard = web_sys::window()
        .ok_or("no window")?
        .navigator()
        .clipboard();
    wasm_bindgen_futures::JsFuture::from(clipboard.write_text(text))
        .await
        .map(|_| ())
        .map_err(|err| {
            js_sys::Reflect::get(&err, &"message".into())
                .ok()
                .and_then(|message| message.as_string())
                .unwrap_or_else(|| "the browser refused".to_owned())
        })
}
