//! An HTTP client of one server, authenticated with one key, its answers, and the product
//! that most tests set up through it.

use std::time::Duration;

use serde_json::{Value, json};

use super::TAG;

/// An HTTP client of one server, authenticated with one key.
#[derive(Clone)]
pub struct Api {
    client: reqwest::Client,
    url: String,
    key: String,
}

impl Api {
    pub fn new(url: &str, key: &str) -> Self {
        Self {
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()
                .expect("HTTP client"),
            url: url.to_owned(),
            key: key.to_owned(),
        }
    }

    /// The same server with another key.
    pub fn with_key(&self, key: &str) -> Self {
        Self {
            client: self.client.clone(),
            url: self.url.clone(),
            key: key.to_owned(),
        }
    }

    /// Sends a request; transport errors (server gone) are returned, not panicked on.
    pub async fn try_send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Reply, reqwest::Error> {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(&self.key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await?;
        Ok(Reply {
            status,
            body: if bytes.is_empty() {
                Value::Null
            } else {
                serde_json::from_slice(&bytes)
                    .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
            },
        })
    }

    pub async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Reply {
        self.try_send(method.clone(), path, body)
            .await
            .unwrap_or_else(|e| panic!("{method} {}{path} failed: {e}", self.url))
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(reqwest::Method::GET, path, None).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        self.send(reqwest::Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(reqwest::Method::DELETE, path, None).await
    }

    /// Starts a session of [`TAG`] for `user` (the identifier).
    pub async fn start(&self, user: &str) -> Reply {
        self.post(
            "/v1/sessions/start",
            json!({"tag": TAG, "data": {"userId": user}}),
        )
        .await
    }

    pub async fn verify(&self, token: &str) -> Reply {
        self.post("/v1/sessions/verify", json!({"tag": TAG, "token": token}))
            .await
    }

    pub async fn refresh(&self, refresh_token: &str) -> Reply {
        self.post(
            "/v1/sessions/refresh",
            json!({"tag": TAG, "refreshToken": refresh_token}),
        )
        .await
    }

    pub async fn revoke(&self, session_id: &str) -> Reply {
        self.post(
            "/v1/sessions/revoke",
            json!({"tag": TAG, "sessionId": session_id}),
        )
        .await
    }

    /// Every active session of `identifier`, following `nextCursor` to the end.
    pub async fn list_all(&self, identifier: &str) -> Vec<Value> {
        let mut all = Vec::new();
        let mut cursor = Value::Null;
        loop {
            let page = self
                .post(
                    "/v1/sessions/list",
                    json!({"tag": TAG, "identifier": identifier, "limit": 1000, "cursor": cursor}),
                )
                .await
                .expect_status(200);
            all.extend(
                page.body["sessions"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default(),
            );
            cursor = page.body["nextCursor"].clone();
            if cursor.is_null() {
                return all;
            }
        }
    }
}

/// An HTTP answer: status and JSON body (the text as a JSON string when the body is not JSON,
/// `Value::Null` when empty).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    /// The error code of an error answer, or "" for a success.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }

    /// `self[field]` as a string, panicking with the whole answer when it is not one.
    pub fn str(&self, field: &str) -> String {
        self.body[field]
            .as_str()
            .unwrap_or_else(|| panic!("no string {field:?} in {self:?}"))
            .to_owned()
    }

    /// Panics with the whole answer unless the status is `status`.
    #[track_caller]
    pub fn expect_status(self, status: u16) -> Self {
        assert_eq!(self.status, status, "unexpected answer: {self:?}");
        self
    }
}

/// Creates product `shop` (envs dev, prd), an access key for shop/dev, and, with `admin`,
/// session type [`TAG`] (`{"userId": ...}`, selector `$Session{userId}`, one-hour tokens);
/// returns the access key.
pub async fn set_up_shop(admin: &Api) -> String {
    admin
        .post("/v1/products", json!({"tag": "shop", "name": "Shop"}))
        .await
        .expect_status(201);
    let key = admin
        .post(
            "/v1/keys",
            json!({"kind": "access", "product": "shop", "env": "dev", "name": "backend"}),
        )
        .await
        .expect_status(201)
        .str("key");
    // Session types are shared by every env: the admin key (or a key of all envs) makes them.
    admin
        .post(
            "/v1/session-types",
            json!({
                "product": "shop",
                "name": "User session", "tag": TAG, "schema": {"userId": "u"},
                "selector": "$Session{userId}", "expiry": 1, "period": "hours"
            }),
        )
        .await
        .expect_status(201);
    key
}
