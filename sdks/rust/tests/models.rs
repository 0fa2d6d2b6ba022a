//! The generated models against JSON as the server writes it.

use tidings::models::{ApiKeyWithSecret, Problem, Readiness, Role, ServerFrame, Tenant};
use tidings::{CloseAction, ErrorCode};

#[test]
fn optional_fields_are_left_out_and_enums_use_the_wire_spelling() {
    let json = r#"{"id":"t1","slug":"acme","name":"Acme","status":"past_due","plan":"free","created_at":"2026-01-01T00:00:00Z"}"#;
    let tenant: Tenant = serde_json::from_str(json).unwrap();
    assert_eq!(tenant.role, None);
    let back = serde_json::to_value(&tenant).unwrap();
    assert_eq!(back["status"], "past_due");
    assert!(back.get("role").is_none(), "absent stays absent, not null");
    assert_eq!(Role::Owner.as_str(), "owner");
    assert_eq!(Role::ALL.len(), 5);
}

#[test]
fn all_of_models_carry_every_field() {
    let json = r#"{"id":"i","key_id":"abcdefghijkl","project_id":"p","name":"ci","scopes":{"publish":[">"]},"created_at":"x","key":"tdg_live_abcdefghijkl_s"}"#;
    let key: ApiKeyWithSecret = serde_json::from_str(json).unwrap();
    assert_eq!(key.key, "tdg_live_abcdefghijkl_s");
    assert_eq!(key.scopes.publish.as_deref(), Some(&[">".to_string()][..]));
}

#[test]
fn maps_of_models() {
    let json = r#"{"status":"unavailable","checks":{"nats":{"ok":false,"error":"refused"},"postgres":{"ok":true,"latency_ms":1.5}}}"#;
    let readiness: Readiness = serde_json::from_str(json).unwrap();
    assert!(!readiness.checks["nats"].ok);
    assert_eq!(readiness.checks["postgres"].latency_ms, Some(1.5));
}

#[test]
fn frames_dispatch_on_their_type_tag() {
    let json = r#"{"type":"error","code":"going_away","message":"bye","close_code":4001}"#;
    let ServerFrame::Error(frame) = serde_json::from_str::<ServerFrame>(json).unwrap() else {
        panic!("an error frame must decode as ServerFrame::Error");
    };
    assert_eq!(frame.code, "going_away");
    let pong = serde_json::from_str::<ServerFrame>(r#"{"type":"pong","id":"p1"}"#).unwrap();
    assert!(matches!(pong, ServerFrame::Pong(p) if p.id.as_deref() == Some("p1")));
    assert_eq!(frame.r#type, "error");
    let unknown = serde_json::from_str::<ServerFrame>(r#"{"type":"nope"}"#).unwrap_err();
    assert!(unknown.to_string().contains("unknown variant"), "{unknown}");
}

#[test]
fn the_error_registry_maps_codes_and_close_codes() {
    let code = ErrorCode::from_code("going_away").unwrap();
    assert_eq!(code.info().action, Some(CloseAction::Reconnect));
    assert_eq!(ErrorCode::from_close_code(4001), Some(code));
    assert_eq!(ErrorCode::Unauthenticated.info().status, Some(401));
    assert_eq!(ErrorCode::from_code("from_a_newer_server"), None);
}

#[test]
fn problems_parse() {
    let json = r#"{"type":"https://tidings.dev/problems/validation_failed","title":"Validation Failed","status":400,"code":"validation_failed","errors":[{"pointer":"/slug","message":"too short"}]}"#;
    let problem: Problem = serde_json::from_str(json).unwrap();
    assert_eq!(problem.errors.unwrap()[0].pointer.as_deref(), Some("/slug"));
}
