//! Unit tests of `error.rs`.
use super::*;

#[test]
fn every_kind_has_a_unique_class_and_reaches_the_base() {
    let mut names = std::collections::HashSet::new();
    for kind in ErrorKind::ALL {
        assert!(names.insert(kind.class_name()), "duplicate {}", kind.class_name());
        assert_eq!(ErrorKind::from_class_name(kind.class_name()), Some(kind));
        let mut k = kind;
        let mut steps = 0;
        while let Some(p) = k.parent() {
            k = p;
            steps += 1;
            assert!(steps < 5);
        }
        assert_eq!(k, ErrorKind::Hopx);
    }
}

#[test]
fn nested_control_plane_body() {
    let body = r#"{"error":{"code":"RESOURCE_NOT_FOUND","message":"Sandbox not found","request_id":"req_1","details":{"id":"x"}}}"#;
    let e = Error::from_response(Plane::Control, 404, None, body);
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert_eq!(e.message, "Sandbox not found");
    assert_eq!(e.code.as_deref(), Some("RESOURCE_NOT_FOUND"));
    assert_eq!(e.request_id.as_deref(), Some("req_1"));
    assert_eq!(e.details["id"], "x");
}

#[test]
fn flat_agent_body_and_header_request_id_wins() {
    let body = r#"{"error":"File not found","code":"FILE_NOT_FOUND","request_id":"body"}"#;
    let e = Error::from_response(Plane::Agent, 404, Some("hdr".into()), body);
    assert_eq!(e.kind, ErrorKind::FileNotFound);
    assert_eq!(e.message, "File not found");
    assert_eq!(e.request_id.as_deref(), Some("hdr"));
}

#[test]
fn timeout_carries_partial_output() {
    let body = r#"{"error":"timed out","code":"EXECUTION_TIMEOUT","stdout":"a\n","stderr":"b"}"#;
    let e = Error::from_response(Plane::Agent, 408, None, body);
    assert_eq!(e.kind, ErrorKind::Timeout);
    assert_eq!(e.stdout.as_deref(), Some("a\n"));
    assert_eq!(e.stderr.as_deref(), Some("b"));
}

#[test]
fn statuses_without_codes() {
    let k = |plane, status, body: &str| Error::from_response(plane, status, None, body).kind;
    assert_eq!(k(Plane::Control, 401, ""), ErrorKind::Authentication);
    assert_eq!(k(Plane::Control, 429, "{}"), ErrorKind::RateLimit);
    assert_eq!(k(Plane::Control, 503, "oops"), ErrorKind::Server);
    assert_eq!(k(Plane::Control, 402, "{}"), ErrorKind::Api);
    assert_eq!(k(Plane::Agent, 405, "{}"), ErrorKind::Agent);
    assert_eq!(k(Plane::Control, 410, "{}"), ErrorKind::SandboxExpired);
    assert_eq!(
        k(Plane::Control, 403, r#"{"error":{"message":"Sandbox limit reached"}}"#),
        ErrorKind::ResourceLimit
    );
    assert_eq!(k(Plane::Agent, 401, r#"{"error":"token expired"}"#), ErrorKind::TokenExpired);
}

#[test]
fn rate_limit_reads_retry_after_seconds() {
    let body = r#"{"error":{"code":"RATE_LIMIT_EXCEEDED","message":"slow down","details":{"retry_after_seconds":2}},"retry_after":2}"#;
    let e = Error::from_response(Plane::Control, 429, None, body);
    assert_eq!(e.kind, ErrorKind::RateLimit);
    assert_eq!(e.retry_after, Some(2.0));
}

#[test]
fn non_json_body_becomes_the_message() {
    let e = Error::from_response(Plane::Control, 502, None, "Bad Gateway");
    assert_eq!(e.kind, ErrorKind::Server);
    assert_eq!(e.message, "HTTP 502: Bad Gateway");
}
