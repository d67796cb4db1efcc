//! Session cookies: what signs someone in, and everything that must not.

use shared::session::{
    LIFETIME_MS, MAX_AGE_MS, Session, SessionError, encode_secret, hash_secret, sign_outdated,
};
use uuid::Uuid;

const KEY: &[u8] = b"a session key of at least thirty-two bytes";
const NOW: u64 = 1_764_000_000_000;

#[test]
fn a_signed_session_verifies_until_it_expires() {
    let session = Session::starting(Uuid::new_v4(), Uuid::new_v4(), NOW);
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
    let session = Session::starting(Uuid::new_v4(), Uuid::new_v4(), NOW);
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
    // Another session's id.
    let stolen = value.replace(&session.id.to_string(), &Uuid::new_v4().to_string());
    assert_eq!(
        Session::verify(&stolen, KEY, NOW),
        Err(SessionError::BadSignature)
    );
    for junk in ["", "v1", "v2", "no dots at all", "v1.x.y.!!!", "v1.a.b.c.d"] {
        assert!(Session::verify(junk, KEY, NOW).is_err(), "{junk:?}");
    }
    // A validly signed payload of the wrong shape is still refused.
    let (payload, _) = value.rsplit_once('.').unwrap();
    let wrong = format!("v3{}", &payload[2..]);
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

#[test]
fn a_session_renews_until_its_absolute_lifetime_and_no_further() {
    let session = Session::starting(Uuid::new_v4(), Uuid::new_v4(), NOW);
    let mut current = session;
    // Opened every 20 days: renewed each time it is past half its life, until 90 days from sign-in.
    let day = 24 * 60 * 60 * 1000;
    for at in (1..=10).map(|n| NOW + n * 20 * day) {
        if at < current.expires_at && current.wants_renewal(at) {
            current = current.renewed(at);
            assert_eq!((current.id, current.started_at), (session.id, NOW));
        }
    }
    assert_eq!(current.expires_at, NOW + MAX_AGE_MS, "never past 90 days");
    assert!(!current.wants_renewal(NOW + MAX_AGE_MS - 1));
    assert_eq!(
        Session::verify(&current.sign(KEY), KEY, NOW + MAX_AGE_MS),
        Err(SessionError::Expired)
    );
}

#[test]
fn a_first_format_cookie_is_read_only_to_be_traded() {
    let member = Uuid::new_v4();
    let value = sign_outdated(member, NOW + LIFETIME_MS, KEY);
    assert_eq!(
        Session::verify(&value, KEY, NOW + 1),
        Err(SessionError::Outdated {
            member_id: member,
            issued_at: NOW
        })
    );
    assert_eq!(
        Session::verify(&value, KEY, NOW + LIFETIME_MS),
        Err(SessionError::Expired)
    );
    let foreign = sign_outdated(
        member,
        NOW + LIFETIME_MS,
        b"another deployment's key, long enough",
    );
    assert_eq!(
        Session::verify(&foreign, KEY, NOW),
        Err(SessionError::BadSignature)
    );
}
