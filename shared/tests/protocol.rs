//! The request rules of wire protocol v1, in the order the server checks them.

use serde_json::{Value, json};
use shared::protocol::{MAX_BODY_BYTES, PullRequest, parse_cookie_value, parse_pull, parse_push};
use shared::{ErrorCode, ProtocolError};

const CLIENT: &str = "5e0d0a4e-9c65-4d5b-8f2e-3b1a7c9d0e21";

fn push_body(ids: impl IntoIterator<Item = u64>) -> Value {
    let mutations: Vec<Value> = ids
        .into_iter()
        .map(|id| json!({"id": id, "name": "deleteIssue", "args": {"id": CLIENT}, "timestamp": 1}))
        .collect();
    json!({"clientId": CLIENT, "schemaVersion": 1, "mutations": mutations})
}

fn push_err(body: &[u8]) -> ProtocolError {
    parse_push(body).expect_err("the push must be refused")
}

fn pull_err(body: &[u8]) -> ProtocolError {
    parse_pull(body).expect_err("the pull must be refused")
}

fn bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}

#[test]
fn a_valid_push_parses() {
    let request = parse_push(&bytes(&push_body(3..=5))).unwrap();
    assert_eq!(request.client_id.to_string(), CLIENT);
    assert_eq!(
        request.mutations.iter().map(|m| m.id).collect::<Vec<_>>(),
        [3, 4, 5]
    );
    assert_eq!(request.mutations[0].name, "deleteIssue");
}

#[test]
fn an_empty_push_parses() {
    assert!(
        parse_push(&bytes(&push_body([])))
            .unwrap()
            .mutations
            .is_empty()
    );
}

#[test]
fn malformed_json_is_an_invalid_request() {
    for body in [
        &b"{not json"[..],
        b"",
        b"[]",
        b"42",
        b"null",
        br#"{"clientId": "#,
    ] {
        let err = push_err(body);
        assert_eq!(err.code, ErrorCode::InvalidRequest, "{body:?}");
        assert!(
            err.message.starts_with("malformed JSON body"),
            "{}",
            err.message
        );
        assert_eq!(pull_err(body).code, ErrorCode::InvalidRequest);
    }
}

#[test]
fn the_schema_version_is_checked_before_the_shape() {
    let err = push_err(br#"{"schemaVersion": 5, "whatever": true}"#);
    assert_eq!(err.code, ErrorCode::VersionNotSupported);
    assert_eq!(err.code.status(), 409);
    assert_eq!(
        err.message,
        "schemaVersion 5 is not supported; this server speaks 1 to 4"
    );
    // Every version the server speaks gets as far as the shape.
    for version in [1, 2, 3, 4] {
        let body = format!(r#"{{"schemaVersion": {version}, "whatever": true}}"#);
        assert_eq!(push_err(body.as_bytes()).code, ErrorCode::InvalidRequest);
    }
    assert_eq!(
        pull_err(br#"{"schemaVersion": 0}"#).code,
        ErrorCode::VersionNotSupported
    );
    assert_eq!(
        pull_err(br#"{"schemaVersion": 1.5}"#).code,
        ErrorCode::VersionNotSupported
    );
    let err = push_err(br#"{"clientId": "x", "mutations": []}"#);
    assert_eq!(
        (err.code, err.message.as_str()),
        (ErrorCode::InvalidRequest, "schemaVersion is required")
    );
    let err = push_err(br#"{"schemaVersion": "1"}"#);
    assert_eq!(err.code, ErrorCode::InvalidRequest);
}

#[test]
fn a_bad_shape_is_an_invalid_request() {
    for body in [
        json!({"clientId": "not-a-uuid", "schemaVersion": 1, "mutations": []}),
        json!({"schemaVersion": 1, "mutations": []}),
        json!({"clientId": CLIENT, "schemaVersion": 1}),
        json!({"clientId": CLIENT, "schemaVersion": 1, "mutations": {}}),
        json!({"clientId": CLIENT, "schemaVersion": 1, "mutations": [{"id": 1, "args": {}}]}),
        json!({"clientId": CLIENT, "schemaVersion": 1, "mutations": [{"id": "1", "name": "x"}]}),
        json!({"clientId": CLIENT, "schemaVersion": 1, "mutations": [{"id": -1, "name": "x"}]}),
        json!({"clientId": CLIENT, "schemaVersion": 1, "mutations": [{"id": 1.5, "name": "x"}]}),
    ] {
        let err = push_err(&bytes(&body));
        assert_eq!(err.code, ErrorCode::InvalidRequest, "{body}");
        assert!(
            err.message.starts_with("invalid request: "),
            "{}",
            err.message
        );
    }
}

#[test]
fn ids_must_start_at_one_be_consecutive_and_below_2_pow_53() {
    let err = push_err(&bytes(&push_body([0, 1])));
    assert_eq!(
        (err.code, err.message.as_str()),
        (ErrorCode::InvalidRequest, "mutation ids start at 1, got 0")
    );
    let err = push_err(&bytes(&push_body([1, 2, 4])));
    assert_eq!(
        err.message,
        "mutation ids must be consecutive: 2 is followed by 4"
    );
    let err = push_err(&bytes(&push_body([2, 1])));
    assert_eq!(
        err.message,
        "mutation ids must be consecutive: 2 is followed by 1"
    );
    let err = push_err(&bytes(&push_body([3, 3])));
    assert_eq!(err.code, ErrorCode::InvalidRequest);
    let err = push_err(&bytes(&push_body([1 << 53])));
    assert_eq!(
        err.message,
        "mutation id must be at most 2^53 - 1, got 9007199254740992"
    );
}

#[test]
fn more_than_100_mutations_or_1_mib_is_too_large() {
    parse_push(&bytes(&push_body(1..=100))).unwrap();
    let err = push_err(&bytes(&push_body(1..=101)));
    assert_eq!(err.code, ErrorCode::PayloadTooLarge);
    assert_eq!(err.code.status(), 413);
    assert_eq!(err.message, "a push carries at most 100 mutations, got 101");

    let mut body = push_body([1]);
    body["padding"] = json!("x".repeat(MAX_BODY_BYTES));
    let err = push_err(&bytes(&body));
    assert_eq!(err.code, ErrorCode::PayloadTooLarge);
    assert_eq!(pull_err(&bytes(&body)).code, ErrorCode::PayloadTooLarge);
}

#[test]
fn unprocessed_skips_what_the_server_has_and_refuses_a_gap() {
    let request = parse_push(&bytes(&push_body(3..=6))).unwrap();
    let ids = |last| {
        request
            .unprocessed(last)
            .map(|rest| rest.iter().map(|m| m.id).collect::<Vec<_>>())
    };
    assert_eq!(ids(2).unwrap(), [3, 4, 5, 6]);
    assert_eq!(ids(4).unwrap(), [5, 6]);
    assert_eq!(ids(6).unwrap(), Vec::<u64>::new());
    assert_eq!(ids(100).unwrap(), Vec::<u64>::new());
    let err = ids(0).unwrap_err();
    assert_eq!(err.code, ErrorCode::ClientStateNotFound);
    assert_eq!(
        err.message,
        "the server's lastMutationId for this client is 0, but the first new mutation is 3"
    );
}

#[test]
fn the_pull_cookie_distinguishes_absent_null_and_a_number() {
    let parse = |body: Value| parse_pull(&bytes(&body)).unwrap();
    let base = json!({"clientId": CLIENT, "schemaVersion": 1});
    assert_eq!(parse(base.clone()).cookie, None);
    let mut with = base.clone();
    with["cookie"] = Value::Null;
    assert_eq!(parse(with.clone()).cookie, Some(None));
    with["cookie"] = json!(123);
    assert_eq!(parse(with.clone()).cookie, Some(Some(123)));

    for bad in [json!(-1), json!("12"), json!(1.5), json!(1u64 << 53)] {
        with["cookie"] = bad.clone();
        assert_eq!(
            pull_err(&bytes(&with)).code,
            ErrorCode::InvalidRequest,
            "{bad}"
        );
    }
    // Serialising keeps the distinction, for clients built on these types.
    let absent: PullRequest = parse(base);
    assert!(!serde_json::to_string(&absent).unwrap().contains("cookie"));
    assert!(
        serde_json::to_string(&parse(with_null()))
            .unwrap()
            .contains(r#""cookie":null"#)
    );
}

fn with_null() -> Value {
    json!({"clientId": CLIENT, "schemaVersion": 1, "cookie": null})
}

#[test]
fn the_http_cookie_value_is_a_safe_integer() {
    assert_eq!(parse_cookie_value("42").unwrap(), 42);
    for bad in ["", "-1", "abc", "1.5", "9007199254740992"] {
        assert_eq!(
            parse_cookie_value(bad).unwrap_err().code,
            ErrorCode::InvalidRequest,
            "{bad}"
        );
    }
}

#[test]
fn error_codes_map_to_their_statuses() {
    assert_eq!(ErrorCode::InvalidRequest.status(), 400);
    assert_eq!(ErrorCode::NotFound.status(), 404);
    assert_eq!(ErrorCode::MethodNotAllowed.status(), 405);
    assert_eq!(ErrorCode::ClientStateNotFound.status(), 409);
    assert_eq!(ErrorCode::InternalError.status(), 500);
    let body = shared::protocol::ErrorBody::from(&ProtocolError::invalid_request("bad"));
    assert_eq!(
        serde_json::to_value(body).unwrap(),
        json!({"error": "InvalidRequest", "message": "bad"})
    );
}

#[test]
fn an_error_code_this_build_does_not_know_reads_as_unknown() {
    let body: shared::protocol::ErrorBody =
        serde_json::from_value(json!({"error": "SlowDown", "message": "slow down"})).unwrap();
    assert_eq!(body.error, ErrorCode::Unknown);
    assert_eq!(body.message, "slow down");
    let known: shared::protocol::ErrorBody =
        serde_json::from_value(json!({"error": "ClientStateNotFound", "message": ""})).unwrap();
    assert_eq!(known.error, ErrorCode::ClientStateNotFound);
    assert_eq!(
        serde_json::to_value(ErrorCode::StatementFailed).unwrap(),
        json!("StatementFailed")
    );
}
