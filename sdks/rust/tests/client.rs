//! The client against a scripted HTTP/1.1 server on a local socket (no Tidings server needed).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use tidings::{Client, Error, ErrorKind, RetryPolicy};

/// Answers each connection's request with the next canned response; returns the raw requests.
async fn serve(responses: Vec<String>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    tokio::spawn(async move {
        for response in responses {
            let (mut socket, _) = listener.accept().await.unwrap();
            let request = read_request(&mut socket).await;
            log.lock().unwrap().push(request.to_lowercase());
            socket.write_all(response.as_bytes()).await.unwrap();
            socket.shutdown().await.unwrap();
        }
    });
    (url, seen)
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        ..RetryPolicy::default()
    }
}

/// Reads one request: the head, then as many body bytes as its Content-Length says.
async fn read_request(socket: &mut tokio::net::TcpStream) -> String {
    let mut data = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = socket.read(&mut chunk).await.unwrap();
        data.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&data).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_lowercase()
                        .strip_prefix("content-length: ")
                        .map(str::to_owned)
                })
                .map_or(0, |v| v.trim().parse::<usize>().unwrap());
            if data.len() >= end + 4 + length || n == 0 {
                return text;
            }
        }
        if n == 0 {
            return text;
        }
    }
}

/// An HTTP/1.1 answer with the right Content-Length, closing the connection after it.
fn answer(status: &str, headers: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\nconnection: close\r\n{headers}content-length: {}\r\n\r\n{body}",
        body.len()
    )
}

fn unavailable() -> String {
    let body = r#"{"type":"t","title":"Service Unavailable","status":503,"code":"dependency_unavailable"}"#;
    answer("503 Service Unavailable", "retry-after: 0\r\n", body)
}

fn created() -> String {
    let body = r#"{"id":"t1","slug":"acme","name":"Acme","status":"active","plan":"free","created_at":"x"}"#;
    answer("201 Created", "", body)
}

fn not_found() -> String {
    let body = r#"{"type":"t","title":"Not Found","status":404,"code":"not_found"}"#;
    answer("404 Not Found", "x-request-id: req-7\r\n", body)
}

#[tokio::test]
async fn retries_reuse_one_idempotency_key_and_send_the_credential() {
    let (url, seen) = serve(vec![unavailable(), created()]).await;
    let client = Client::builder(url)
        .token("user-jwt")
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    let body = tidings::models::TenantCreate {
        slug: "acme".into(),
        name: "Acme".into(),
    };
    let tenant = client.create_tenant(&body).await.unwrap();
    assert_eq!(tenant.slug, "acme");
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    let key = |request: &str| {
        request
            .lines()
            .find_map(|l| l.strip_prefix("idempotency-key: ").map(str::to_owned))
            .unwrap()
    };
    assert_eq!(key(&seen[0]), key(&seen[1]));
    assert!(seen[0].contains("authorization: bearer user-jwt"));
    assert!(
        seen[0].ends_with(r#"{"name":"acme","slug":"acme"}"#),
        "{}",
        seen[0]
    );
}

#[tokio::test]
async fn client_errors_are_typed_and_not_retried() {
    let (url, seen) = serve(vec![not_found(), created()]).await;
    let client = Client::builder(url)
        .api_key("tdg_live_x")
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    let Err(Error::Api(error)) = client.get_tenant("t/9").await else {
        panic!("expected an API error");
    };
    assert_eq!(error.kind(), ErrorKind::NotFound);
    assert_eq!(error.code.as_deref(), Some("not_found"));
    assert_eq!(error.request_id.as_deref(), Some("req-7"));
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert!(seen[0].starts_with("get /v1/tenants/t%2f9 http/1.1"));
    assert!(!seen[0].contains("idempotency-key"));
}

#[tokio::test]
async fn anonymous_operations_never_see_the_credential() {
    let (url, seen) = serve(vec![answer("200 OK", "", r#"{"status":"ok"}"#)]).await;
    let client = Client::builder(url).api_key("tdg_live_x").build().unwrap();
    client.healthz().await.unwrap();
    assert!(!seen.lock().unwrap()[0].contains("authorization"));
}

#[tokio::test]
async fn an_unreachable_server_is_a_connection_error() {
    let client = Client::builder("http://127.0.0.1:1")
        .retry_policy(RetryPolicy {
            max_retries: 1,
            ..fast_retries()
        })
        .build()
        .unwrap();
    assert!(matches!(client.healthz().await, Err(Error::Connection(_))));
}
