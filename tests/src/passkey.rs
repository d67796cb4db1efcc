//! A software authenticator: what a phone or a security key does in a WebAuthn ceremony, with a
//! P-256 key of its own, so the tests can register passkeys and sign in with them over plain HTTP.
//! It speaks the structures of the spec (authenticator data, a `"none"` attestation, a COSE key),
//! and signs with RustCrypto's `p256`, as a real authenticator would.

use ciborium::Value;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use sha2::{Digest, Sha256};
use shared::passkey::encode;

pub struct SoftAuthenticator {
    key: SigningKey,
    pub credential_id: Vec<u8>,
    /// Its signature counter: each assertion adds one.
    pub count: u32,
}

/// What `navigator.credentials.create` hands the page (base64url, as the app sends it).
pub struct Attestation {
    pub client_data_json: String,
    pub attestation_object: String,
}

/// What `navigator.credentials.get` hands the page.
pub struct Assertion {
    pub credential_id: String,
    pub client_data_json: String,
    pub authenticator_data: String,
    pub signature: String,
}

impl Default for SoftAuthenticator {
    fn default() -> Self {
        Self::new()
    }
}

impl SoftAuthenticator {
    pub fn new() -> Self {
        let seed: Vec<u8> = (0..2)
            .flat_map(|_| *uuid::Uuid::new_v4().as_bytes())
            .collect();
        SoftAuthenticator {
            key: SigningKey::from_slice(&seed).expect("32 random bytes are a P-256 key"),
            credential_id: uuid::Uuid::new_v4().as_bytes().to_vec(),
            count: 0,
        }
    }

    /// Registers for `rp_id`, answering `challenge` (base64url) asked by a page of `origin`.
    pub fn register(&self, rp_id: &str, origin: &str, challenge: &str) -> Attestation {
        let client_data = client_data("webauthn.create", challenge, origin);
        let point = self.key.verifying_key().to_encoded_point(false);
        let cose = cbor(&Value::Map(vec![
            (int(1), int(2)),
            (int(3), int(-7)),
            (int(-1), int(1)),
            (int(-2), Value::Bytes(point.x().expect("x").to_vec())),
            (int(-3), Value::Bytes(point.y().expect("y").to_vec())),
        ]));
        let mut auth_data = authenticator_data(rp_id, 0x45, self.count);
        auth_data.extend_from_slice(&[0; 16]);
        auth_data.extend_from_slice(&(self.credential_id.len() as u16).to_be_bytes());
        auth_data.extend_from_slice(&self.credential_id);
        auth_data.extend_from_slice(&cose);
        let attestation = cbor(&Value::Map(vec![
            (Value::Text("fmt".into()), Value::Text("none".into())),
            (Value::Text("attStmt".into()), Value::Map(Vec::new())),
            (Value::Text("authData".into()), Value::Bytes(auth_data)),
        ]));
        Attestation {
            client_data_json: encode(client_data.as_bytes()),
            attestation_object: encode(&attestation),
        }
    }

    /// Signs in to `rp_id`, answering `challenge` asked by a page of `origin`.
    pub fn assert(&mut self, rp_id: &str, origin: &str, challenge: &str) -> Assertion {
        self.count += 1;
        let client_data = client_data("webauthn.get", challenge, origin);
        let auth_data = authenticator_data(rp_id, 0x05, self.count);
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&Sha256::digest(client_data.as_bytes()));
        let signature: Signature = self.key.sign(&signed);
        Assertion {
            credential_id: encode(&self.credential_id),
            client_data_json: encode(client_data.as_bytes()),
            authenticator_data: encode(&auth_data),
            signature: encode(signature.to_der().as_bytes()),
        }
    }
}

fn client_data(kind: &str, challenge: &str, origin: &str) -> String {
    serde_json::json!({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": false})
        .to_string()
}

/// The relying party's hash, the flags (user present, verified, and attested data if registering)
/// and the counter.
fn authenticator_data(rp_id: &str, flags: u8, count: u32) -> Vec<u8> {
    let mut data = Sha256::digest(rp_id.as_bytes()).to_vec();
    data.push(flags);
    data.extend_from_slice(&count.to_be_bytes());
    data
}

fn int(value: i64) -> Value {
    Value::Integer(value.into())
}

fn cbor(value: &Value) -> Vec<u8> {
    let mut bytes = Vec::new();
    ciborium::into_writer(value, &mut bytes).expect("CBOR");
    bytes
}
