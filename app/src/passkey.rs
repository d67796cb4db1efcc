//! Passkeys in the browser: `navigator.credentials.create` and `.get` with the options the server
//! made (`shared::account::PasskeyChallenge`), their answers turned into the base64url fields the
//! server checks. The options are plain objects built with `js_sys::Reflect`, which every browser
//! with WebAuthn reads.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use js_sys::{Array, ArrayBuffer, Function, Object, Promise, Reflect, Uint8Array};
use shared::account::PasskeyChallenge;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// What a new passkey answered: `clientDataJSON` and `attestationObject`.
pub struct Created {
    pub client_data_json: String,
    pub attestation_object: String,
}

/// What a sign-in answered.
pub struct Asserted {
    pub credential_id: String,
    pub client_data_json: String,
    pub authenticator_data: String,
    pub signature: String,
    pub user_handle: Option<String>,
}

/// Makes a passkey on this device's authenticator (or a security key) for `challenge`'s user.
pub async fn create(challenge: &PasskeyChallenge) -> Result<Created, String> {
    let user = challenge
        .user
        .as_ref()
        .ok_or("the server asked for no user")?;
    let options = object(&[
        ("challenge", bytes(&challenge.challenge)?),
        (
            "rp",
            object(&[
                ("id", challenge.rp_id.as_str().into()),
                ("name", challenge.rp_name.as_str().into()),
            ])
            .into(),
        ),
        (
            "user",
            object(&[
                ("id", bytes(&user.id)?),
                ("name", user.name.as_str().into()),
                ("displayName", user.name.as_str().into()),
            ])
            .into(),
        ),
        (
            "pubKeyCredParams",
            challenge
                .algorithms
                .iter()
                .map(|alg| {
                    JsValue::from(object(&[
                        ("type", "public-key".into()),
                        ("alg", (*alg as f64).into()),
                    ]))
                })
                .collect::<Array>()
                .into(),
        ),
        (
            "excludeCredentials",
            credentials(&challenge.exclude_credentials)?,
        ),
        ("timeout", (challenge.timeout_ms as f64).into()),
        ("attestation", "none".into()),
        (
            "authenticatorSelection",
            object(&[
                ("residentKey", "required".into()),
                ("requireResidentKey", true.into()),
                ("userVerification", "preferred".into()),
            ])
            .into(),
        ),
    ]);
    let credential = call("create", options).await?;
    let response = get(&credential, "response")?;
    Ok(Created {
        client_data_json: buffer(&get(&response, "clientDataJSON")?)?,
        attestation_object: buffer(&get(&response, "attestationObject")?)?,
    })
}

/// Signs in with a passkey this device (or a security key) holds for this site.
pub async fn sign_in(challenge: &PasskeyChallenge) -> Result<Asserted, String> {
    let options = object(&[
        ("challenge", bytes(&challenge.challenge)?),
        ("rpId", challenge.rp_id.as_str().into()),
        ("timeout", (challenge.timeout_ms as f64).into()),
        ("userVerification", "preferred".into()),
    ]);
    let credential = call("get", options).await?;
    let response = get(&credential, "response")?;
    let handle = get(&response, "userHandle")?;
    Ok(Asserted {
        credential_id: buffer(&get(&credential, "rawId")?)?,
        client_data_json: buffer(&get(&response, "clientDataJSON")?)?,
        authenticator_data: buffer(&get(&response, "authenticatorData")?)?,
        signature: buffer(&get(&response, "signature")?)?,
        user_handle: if handle.is_null() || handle.is_undefined() {
            None
        } else {
            Some(buffer(&handle)?)
        },
    })
}

/// `navigator.credentials[method]({publicKey: options})`, awaited; a refusal in words.
async fn call(method: &str, options: Object) -> Result<JsValue, String> {
    let window = web_sys::window().ok_or("no window")?;
    let credentials = get(&window.navigator(), "credentials")?;
    let function: Function = get(&credentials, method)?
        .dyn_into()
        .map_err(|_| "this browser cannot use passkeys".to_owned())?;
    let promise: Promise = function
        .call1(&credentials, &object(&[("publicKey", options.into())]))
        .map_err(words)?
        .dyn_into()
        .map_err(|_| "this browser cannot use passkeys".to_owned())?;
    let answer = JsFuture::from(promise).await.map_err(words)?;
    if answer.is_null() {
        return Err("no passkey was chosen".to_owned());
    }
    Ok(answer)
}

/// A browser's refusal (`NotAllowedError: …`) in words.
fn words(error: JsValue) -> String {
    let name = Reflect::get(&error, &"name".into())
        .ok()
        .and_then(|v| v.as_string());
    match name.as_deref() {
        Some("NotAllowedError") => "the passkey prompt was cancelled or timed out".to_owned(),
        Some("InvalidStateError") => "this device has a passkey for you here already".to_owned(),
        _ => Reflect::get(&error, &"message".into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_else(|| "the passkey could not be used".to_owned()),
    }
}

fn object(fields: &[(&str, JsValue)]) -> Object {
    let object = Object::new();
    for (key, value) in fields {
        let _ = Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object
}

fn get(target: &JsValue, key: &str) -> Result<JsValue, String> {
    Reflect::get(target, &JsValue::from_str(key)).map_err(|_| format!("no {key} in the answer"))
}

/// base64url → a `Uint8Array`.
fn bytes(text: &str) -> Result<JsValue, String> {
    let decoded = URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| "the server's challenge is not base64url".to_owned())?;
    Ok(Uint8Array::from(decoded.as_slice()).into())
}

fn credentials(ids: &[String]) -> Result<JsValue, String> {
    let list = Array::new();
    for id in ids {
        list.push(&object(&[("type", "public-key".into()), ("id", bytes(id)?)]).into());
    }
    Ok(list.into())
}

/// An `ArrayBuffer` → base64url.
fn buffer(value: &JsValue) -> Result<String, String> {
    let buffer: &ArrayBuffer = value
        .dyn_ref()
        .ok_or_else(|| "the answer is not binary".to_owned())?;
    Ok(URL_SAFE_NO_PAD.encode(Uint8Array::new(buffer).to_vec()))
}
