//! Passkeys (WebAuthn), checked on the server: a registration's attestation and a sign-in's
//! assertion, against the challenge the server made, this deployment's origin and relying-party id,
//! and the credential's signature counter. ES256 (ECDSA P-256 with SHA-256, what platform and
//! roaming authenticators make by default) through RustCrypto's `p256`; CBOR and COSE keys read with
//! `ciborium`. No cryptography is written here: only the reading of the WebAuthn structures around
//! it (spec: <https://www.w3.org/TR/webauthn-3/>).
//!
//! Attestation is not verified (the server asks for `"none"`): a passkey proves it is the same
//! authenticator each time, not which maker built it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ciborium::Value;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// COSE's number for ES256.
pub const ES256: i64 = -7;
/// How long a challenge may be answered, in milliseconds.
pub const CHALLENGE_MS: u64 = 2 * 60 * 1000;
/// The most passkeys one member may register.
pub const MAX_PER_MEMBER: u64 = 10;

/// Authenticator data flags.
const USER_PRESENT: u8 = 0x01;
const ATTESTED_CREDENTIAL: u8 = 0x40;

/// Who the passkeys are for: this deployment's relying-party id (its host name) and origin
/// (`https://tracker.example.com`, or `http://localhost:8787` under `wrangler dev`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelyingParty {
    pub id: String,
    pub origin: String,
}

impl RelyingParty {
    /// From the URL a request came to: its origin, and its host without the port.
    pub fn from_url(url: &str) -> Option<RelyingParty> {
        let (scheme, rest) = url.split_once("://")?;
        let authority = rest.split(['/', '?', '#']).next()?;
        let host = match authority.strip_prefix('[') {
            Some(v6) => v6.split(']').next()?,
            None => authority.split(':').next()?,
        };
        if host.is_empty() || !matches!(scheme, "http" | "https") {
            return None;
        }
        Some(RelyingParty {
            id: host.to_owned(),
            origin: format!("{scheme}://{authority}"),
        })
    }
}

/// Why a passkey's answer is refused. Each is a `401 Unauthenticated` at sign-in and a `400
/// InvalidRequest` at registration, with this message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasskeyError {
    #[error("the passkey's answer is malformed: {0}")]
    Malformed(&'static str),
    #[error("the passkey answered a {0:?} ceremony, not this one")]
    WrongType(String),
    #[error("the passkey answered another challenge")]
    WrongChallenge,
    #[error("the passkey was asked by another site ({0:?}), not this one")]
    WrongOrigin(String),
    #[error("the passkey is for another site (relying-party id)")]
    WrongRelyingParty,
    #[error("the authenticator did not check that someone is present")]
    NotPresent,
    #[error("this kind of passkey is not supported: only ES256 (algorithm -7)")]
    Unsupported,
    #[error("the passkey's signature does not match")]
    BadSignature,
    #[error("the passkey's signature counter went back: it may have been cloned")]
    CounterWentBack,
}

/// A passkey as stored: its COSE public key and algorithm, and the last counter seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credential {
    pub id: Vec<u8>,
    pub public_key: Vec<u8>,
    pub algorithm: i64,
    pub sign_count: u32,
}

/// What the authenticator signed over, as the browser hands it on.
#[derive(Debug, Deserialize)]
struct ClientData {
    #[serde(rename = "type")]
    kind: String,
    challenge: String,
    origin: String,
    #[serde(default, rename = "crossOrigin")]
    cross_origin: bool,
}

/// The parts of authenticator data a check needs.
struct AuthenticatorData<'a> {
    rp_id_hash: &'a [u8],
    flags: u8,
    sign_count: u32,
    /// After the counter: the attested credential (registration only), then extensions.
    rest: &'a [u8],
}

/// Checks a registration (`navigator.credentials.create`'s answer): `client_data_json` and
/// `attestation_object` as the browser gave them. The new credential, to store.
pub fn verify_registration(
    rp: &RelyingParty,
    challenge: &[u8],
    client_data_json: &[u8],
    attestation_object: &[u8],
) -> Result<Credential, PasskeyError> {
    check_client_data(rp, "webauthn.create", challenge, client_data_json)?;
    let attestation: Value = ciborium::from_reader(attestation_object)
        .map_err(|_| PasskeyError::Malformed("the attestation object is not CBOR"))?;
    let auth_data = map_get(&attestation, &Value::Text("authData".into()))
        .and_then(Value::as_bytes)
        .ok_or(PasskeyError::Malformed("no authData"))?;
    let data = check_authenticator_data(rp, auth_data)?;
    if data.flags & ATTESTED_CREDENTIAL == 0 {
        return Err(PasskeyError::Malformed("no attested credential"));
    }
    // AAGUID (16 bytes), the credential id's length (2) and the id, then its COSE key.
    let rest = data.rest;
    let length = rest
        .get(16..18)
        .map(|len| u16::from_be_bytes([len[0], len[1]]) as usize)
        .ok_or(PasskeyError::Malformed(
            "the attested credential is cut short",
        ))?;
    let id = rest
        .get(18..18 + length)
        .ok_or(PasskeyError::Malformed("the credential id is cut short"))?;
    let mut key_bytes = rest.get(18 + length..).unwrap_or_default();
    let whole = key_bytes;
    let _: Value = ciborium::from_reader(&mut key_bytes)
        .map_err(|_| PasskeyError::Malformed("the public key is not CBOR"))?;
    let public_key = &whole[..whole.len() - key_bytes.len()];
    let (algorithm, _) = es256_key(public_key)?;
    Ok(Credential {
        id: id.to_vec(),
        public_key: public_key.to_vec(),
        algorithm,
        sign_count: data.sign_count,
    })
}

/// Checks a sign-in (`navigator.credentials.get`'s answer) by the stored `credential`. Its new
/// signature counter, to store.
pub fn verify_assertion(
    rp: &RelyingParty,
    challenge: &[u8],
    credential: &Credential,
    client_data_json: &[u8],
    authenticator_data: &[u8],
    signature: &[u8],
) -> Result<u32, PasskeyError> {
    check_client_data(rp, "webauthn.get", challenge, client_data_json)?;
    let data = check_authenticator_data(rp, authenticator_data)?;
    let (_, key) = es256_key(&credential.public_key)?;
    let signature = Signature::from_der(signature).map_err(|_| PasskeyError::BadSignature)?;
    let mut signed = authenticator_data.to_vec();
    signed.extend_from_slice(&Sha256::digest(client_data_json));
    key.verify(&signed, &signature)
        .map_err(|_| PasskeyError::BadSignature)?;
    // A counter of 0 on both sides means the authenticator keeps none (many platform ones).
    if (data.sign_count != 0 || credential.sign_count != 0)
        && data.sign_count <= credential.sign_count
    {
        return Err(PasskeyError::CounterWentBack);
    }
    Ok(data.sign_count)
}

fn check_client_data(
    rp: &RelyingParty,
    kind: &str,
    challenge: &[u8],
    client_data_json: &[u8],
) -> Result<(), PasskeyError> {
    let data: ClientData = serde_json::from_slice(client_data_json)
        .map_err(|_| PasskeyError::Malformed("clientDataJSON is not the expected JSON"))?;
    if data.kind != kind {
        return Err(PasskeyError::WrongType(data.kind));
    }
    if data.challenge != URL_SAFE_NO_PAD.encode(challenge) {
        return Err(PasskeyError::WrongChallenge);
    }
    if data.origin != rp.origin || data.cross_origin {
        return Err(PasskeyError::WrongOrigin(crate::error::quote(&data.origin)));
    }
    Ok(())
}

fn check_authenticator_data<'a>(
    rp: &RelyingParty,
    data: &'a [u8],
) -> Result<AuthenticatorData<'a>, PasskeyError> {
    if data.len() < 37 {
        return Err(PasskeyError::Malformed(
            "the authenticator data is cut short",
        ));
    }
    let parsed = AuthenticatorData {
        rp_id_hash: &data[..32],
        flags: data[32],
        sign_count: u32::from_be_bytes([data[33], data[34], data[35], data[36]]),
        rest: &data[37..],
    };
    if parsed.rp_id_hash != Sha256::digest(rp.id.as_bytes()).as_slice() {
        return Err(PasskeyError::WrongRelyingParty);
    }
    if parsed.flags & USER_PRESENT == 0 {
        return Err(PasskeyError::NotPresent);
    }
    Ok(parsed)
}

/// An ES256 COSE key (kty 2 EC2, alg -7, crv 1 P-256, x and y): its algorithm and verifying key.
fn es256_key(cose: &[u8]) -> Result<(i64, VerifyingKey), PasskeyError> {
    let key: Value =
        ciborium::from_reader(cose).map_err(|_| PasskeyError::Malformed("the key is not CBOR"))?;
    let int = |label: i64| map_get(&key, &Value::Integer(label.into())).and_then(Value::as_integer);
    let bytes = |label: i64| map_get(&key, &Value::Integer(label.into())).and_then(Value::as_bytes);
    let is = |value: Option<ciborium::value::Integer>, expected: i64| {
        value.is_some_and(|value| i128::from(value) == i128::from(expected))
    };
    if !(is(int(1), 2) && is(int(3), ES256) && is(int(-1), 1)) {
        return Err(PasskeyError::Unsupported);
    }
    let (Some(x), Some(y)) = (bytes(-2), bytes(-3)) else {
        return Err(PasskeyError::Malformed("the key has no coordinates"));
    };
    if x.len() != 32 || y.len() != 32 {
        return Err(PasskeyError::Malformed(
            "the key's coordinates are not 32 bytes",
        ));
    }
    let point = p256::EncodedPoint::from_affine_coordinates(
        p256::FieldBytes::from_slice(x),
        p256::FieldBytes::from_slice(y),
        false,
    );
    let key = VerifyingKey::from_encoded_point(&point)
        .map_err(|_| PasskeyError::Malformed("the key is not a point on P-256"))?;
    Ok((ES256, key))
}

fn map_get<'a>(map: &'a Value, key: &Value) -> Option<&'a Value> {
    map.as_map()?
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, value)| value)
}

/// Bytes as base64url without padding, as WebAuthn writes challenges and ids.
pub fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Base64url (padding tolerated) as bytes.
pub fn decode(text: &str) -> Result<Vec<u8>, PasskeyError> {
    URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(|_| PasskeyError::Malformed("not base64url"))
}
