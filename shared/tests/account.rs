//! The account's pure parts: the devices list's words for a User-Agent, and this deployment as a
//! passkey relying party, from the URL a request came to.

use shared::account::{describe_device, kept_user_agent};
use shared::passkey::{RelyingParty, decode, encode};

#[test]
fn a_user_agent_reads_as_a_browser_on_a_system() {
    let cases = [
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
            "Chrome on Linux",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
            "Safari on iPhone",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox on macOS",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        ("curl/8.5.0", "curl on an unknown system"),
        ("", "a browser on an unknown system"),
    ];
    for (agent, words) in cases {
        assert_eq!(describe_device(agent), words, "{agent}");
    }
    assert_eq!(kept_user_agent(&"x".repeat(1_000)).len(), 300);
}

#[test]
fn the_relying_party_is_the_requests_host_and_origin() {
    let rp =
        RelyingParty::from_url("https://tracker.example.com/api/passkeys/sign-in/begin").unwrap();
    assert_eq!(rp.id, "tracker.example.com");
    assert_eq!(rp.origin, "https://tracker.example.com");
    let local = RelyingParty::from_url("http://localhost:8787/api/x?y=1").unwrap();
    assert_eq!(local.id, "localhost");
    assert_eq!(local.origin, "http://localhost:8787");
    let v6 = RelyingParty::from_url("http://[::1]:8787/api").unwrap();
    assert_eq!(v6.id, "::1");
    for bad in ["", "tracker.example.com", "ftp://host/x", "http:///x"] {
        assert_eq!(RelyingParty::from_url(bad), None, "{bad:?}");
    }
    assert_eq!(decode(&encode(b"\x00\xffbytes")).unwrap(), b"\x00\xffbytes");
    assert_eq!(decode("AA==").unwrap(), vec![0]);
    assert!(decode("not base64!").is_err());
}
