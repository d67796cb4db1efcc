//! Session cookies: what signs someone in, and everything that must not.

use shared::session::{LIFETIME_MS, Session, SessionError, encode_secret, hash_secret};
use uuid::Uuid;

const KEY: &[u8] = b"a session key of at least thirty-two bytes";
const NOW: u64 = 1_764_000_000_000;

#[test]
fn a_signed_session_verifies_until_it_expires() {
    let session = Session::starting(Uuid::new_v4(), NOW);
    assert_eq!(session.expires_at, NOW + LIFETIME_MS);
    let value = session.sign(KEY);
    assert_eq!(Session::verify(&value, KEY, NOW + 1), Ok(session));
    assert_eq!(
        Session::verify(&value, KEY, session.expires_at),
        Err(SessionError::Expired)
    );
    assert!(!session.wants_renewal(NOW + LIFETIME_MS / 4));
    assert!(session.wants_renewal(NOW + LIFETIME_MS * 3 / 4));
}

#[test]
fn a_tampered_foreign_or_malformed_cookie_signs_no_one_in() {
    let session = Session::starting(Uuid::new_v4(), NOW);
    let value = session.sign(KEY);
    // Someone else's id, or a later expiry, under the same signature.
    let other = value.replace(&session.member_id.to_string(), &Uuid::new_v4().to_string());
    assert_eq!(
        Session::verify(&other, KEY, NOW),
        Err(SessionError::BadSignature)
    );
    let later = value.replace(
        &session.expires_at.to_string(),
        &(session.expires_at + 1).to_string(),
    );
    assert_eq!(
        Session::verify(&later, KEY, NOW),
        Err(SessionError::BadSignature)
    );
    // Signed under another key.
    let foreign = session.sign(b"another deployment's key, also long enough");
    assert_eq!(
        Session::verify(&foreign, KEY, NOW),
        Err(SessionError::BadSignature)
    );
    for junk in ["", "v1", "no dots at all", "v1.x.y.!!!", "v1.a.b.c.d"] {
        assert!(Session::verify(junk, KEY, NOW).is_err(), "{junk:?}");
    }
    // A validly signed payload of the wrong shape is still refused.
    let (payload, _) = value.rsplit_once('.').unwrap();
    let wrong = format!("v2{}", &payload[2..]);
    let resigned = {
        use base64::Engine;
        use hmac::Mac;
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(KEY).unwrap();
        mac.update(wrong.as_bytes());
        let tag = mac.finalize().into_bytes();
        format!(
            "{wrong}.{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tag)
        )
    };
    assert_eq!(
        Session::verify(&resigned, KEY, NOW),
        Err(SessionError::Malformed)
    );
}

#[test]
fn secrets_are_stored_as_their_hash() {
    let secret = encode_secret("trk_", &[7; 32]);
    assert!(secret.starts_with("trk_"));
    assert_eq!(secret.len(), 4 + 43);
    let hash = hash_secret(&secret);
    assert_eq!(hash.len(), 64);
    assert_ne!(hash, secret);
    assert_eq!(hash, hash_secret(&secret));
    assert_ne!(hash, hash_secret(&encode_secret("trk_", &[8; 32])));
}
