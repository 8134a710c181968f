//! A Rust client for the hallpass HTTP API v1.
//!
//! ```no_run
//! # async fn demo() -> Result<(), hallpass_client::ClientError> {
//! use hallpass_client::Client;
//! let client = Client::new("http://127.0.0.1:8420", "hp_sk_…")?;
//! let started = client
//!     .start(&hallpass_api::StartRequest {
//!         tag: "user-session".into(),
//!         data: serde_json::json!({"userId": "user-123"}),
//!         ..Default::default()
//!     })
//!     .await?;
//! let verified = client
//!     .verify(&hallpass_api::VerifyRequest { tag: "user-session".into(), token: started.token, ..Default::default() })
//!     .await?;
//! assert_eq!(verified.session_id, started.session_id);
//! # Ok(()) }
//! ```

use std::time::Duration;

use hallpass_api as api;
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// What a call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server answered with an error (its stable code and message).
    #[error("{code}: {message} (HTTP {status})")]
    Api {
        /// HTTP status.
        status: u16,
        /// Stable snake_case code.
        code: String,
        /// The server's message.
        message: String,
    },
    /// The server could not be reached or answered something that is not the API.
    #[error("cannot reach hallpass at {url}")]
    Transport {
        /// The URL called.
        url: String,
        /// The cause.
        #[source]
        source: reqwest::Error,
    },
    /// The base URL is not usable.
    #[error("invalid server URL '{0}': use http://host:port")]
    InvalidUrl(String),
}

impl ClientError {
    /// The server's error code, if the server answered.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Api { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// A hallpass API client holding the base URL and the key.
#[derive(Clone, Debug)]
pub struct Client {
    base: String,
    key: Option<String>,
    http: reqwest::Client,
}

impl Client {
    /// A client for the server at `base_url` (e.g. `http://127.0.0.1:8420`) with `key`.
    ///
    /// # Errors
    /// [`ClientError::InvalidUrl`] when the URL is not http(s).
    pub fn new(base_url: &str, key: &str) -> Result<Self, ClientError> {
        let mut client = Self::anonymous(base_url)?;
        client.key = Some(key.to_owned());
        Ok(client)
    }

    /// A client without a key (for public routes).
    ///
    /// # Errors
    /// [`ClientError::InvalidUrl`] when the URL is not http(s).
    pub fn anonymous(base_url: &str) -> Result<Self, ClientError> {
        let base = base_url.trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(ClientError::InvalidUrl(base_url.to_owned()));
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|source| ClientError::Transport {
                url: base.clone(),
                source,
            })?;
        Ok(Self {
            base,
            key: None,
            http,
        })
    }

    async fn call<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<T, ClientError> {
        let url = format!("{}{path}", self.base);
        let mut req = self.http.request(method, &url);
        if let Some(key) = &self.key {
            req = req.bearer_auth(key);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        let transport = |source| ClientError::Transport {
            url: url.clone(),
            source,
        };
        let response = req.send().await.map_err(transport)?;
        let status = response.status();
        if status.is_success() {
            return response.json().await.map_err(transport);
        }
        let text = response.text().await.map_err(transport)?;
        Err(match serde_json::from_str::<api::ErrorBody>(&text) {
            Ok(e) => ClientError::Api {
                status: status.as_u16(),
                code: e.error.code,
                message: e.error.message,
            },
            Err(_) => ClientError::Api {
                status: status.as_u16(),
                code: if status == StatusCode::NOT_FOUND {
                    "not_found".into()
                } else {
                    "unexpected_response".into()
                },
                message: text.chars().take(200).collect(),
            },
        })
    }

    async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ClientError> {
        self.call(Method::POST, path, Some(body)).await
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        self.call::<(), T>(Method::GET, path, None).await
    }

    /// `POST /v1/sessions/start`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn start(&self, req: &api::StartRequest) -> Result<api::IssuedResponse, ClientError> {
        self.post("/v1/sessions/start", req).await
    }

    /// `POST /v1/sessions/verify`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn verify(
        &self,
        req: &api::VerifyRequest,
    ) -> Result<api::VerifyResponse, ClientError> {
        self.post("/v1/sessions/verify", req).await
    }

    /// `POST /v1/sessions/refresh`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn refresh(
        &self,
        req: &api::RefreshRequest,
    ) -> Result<api::IssuedResponse, ClientError> {
        self.post("/v1/sessions/refresh", req).await
    }

    /// `POST /v1/sessions/revoke`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn revoke(
        &self,
        req: &api::RevokeRequest,
    ) -> Result<api::RevokeResponse, ClientError> {
        self.post("/v1/sessions/revoke", req).await
    }

    /// `POST /v1/sessions/revoke-all`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn revoke_all(
        &self,
        req: &api::RevokeAllRequest,
    ) -> Result<api::RevokeAllResponse, ClientError> {
        self.post("/v1/sessions/revoke-all", req).await
    }

    /// `POST /v1/sessions/list`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn list(&self, req: &api::ListRequest) -> Result<api::ListResponse, ClientError> {
        self.post("/v1/sessions/list", req).await
    }

    /// `POST /v1/sessions/update`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn update(
        &self,
        req: &api::UpdateRequest,
    ) -> Result<api::UpdateResponse, ClientError> {
        self.post("/v1/sessions/update", req).await
    }

    /// `POST /v1/sessions/update-all`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn update_all(
        &self,
        req: &api::UpdateAllRequest,
    ) -> Result<api::UpdateAllResponse, ClientError> {
        self.post("/v1/sessions/update-all", req).await
    }

    /// `POST /v1/sessions/reauthenticate`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn reauthenticate(
        &self,
        req: &api::ReauthenticateRequest,
    ) -> Result<api::UpdateResponse, ClientError> {
        self.post("/v1/sessions/reauthenticate", req).await
    }

    fn scope_query(product: Option<&str>) -> String {
        product.map_or_else(String::new, |p| format!("?product={}", encode(p)))
    }

    /// `POST /v1/session-types`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn create_session_type(
        &self,
        body: &api::SessionTypeBody,
    ) -> Result<api::SessionTypeResponse, ClientError> {
        self.post("/v1/session-types", body).await
    }

    /// `PATCH /v1/session-types/{tag}`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn update_session_type(
        &self,
        tag: &str,
        body: &api::SessionTypeBody,
    ) -> Result<api::SessionTypeResponse, ClientError> {
        self.call(
            Method::PATCH,
            &format!("/v1/session-types/{}", encode(tag)),
            Some(body),
        )
        .await
    }

    /// `GET /v1/session-types/{tag}`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn session_type(
        &self,
        tag: &str,
        product: Option<&str>,
    ) -> Result<api::SessionTypeResponse, ClientError> {
        self.get(&format!(
            "/v1/session-types/{}{}",
            encode(tag),
            Self::scope_query(product)
        ))
        .await
    }

    /// `GET /v1/session-types`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn session_types(
        &self,
        product: Option<&str>,
    ) -> Result<api::SessionTypeList, ClientError> {
        self.get(&format!("/v1/session-types{}", Self::scope_query(product)))
            .await
    }

    /// `DELETE /v1/session-types/{tag}`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn delete_session_type(
        &self,
        tag: &str,
        product: Option<&str>,
        force: bool,
    ) -> Result<api::Deleted, ClientError> {
        let mut query = Self::scope_query(product);
        if force {
            query.push(if query.is_empty() { '?' } else { '&' });
            query.push_str("force=true");
        }
        self.call::<(), _>(
            Method::DELETE,
            &format!("/v1/session-types/{}{query}", encode(tag)),
            None,
        )
        .await
    }

    /// `POST /v1/products`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn create_product(
        &self,
        body: &api::ProductCreate,
    ) -> Result<api::ProductResponse, ClientError> {
        self.post("/v1/products", body).await
    }

    /// `GET /v1/products`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn products(&self) -> Result<api::ProductList, ClientError> {
        self.get("/v1/products").await
    }

    /// `POST /v1/keys`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn create_key(&self, body: &api::KeyCreate) -> Result<api::KeyCreated, ClientError> {
        self.post("/v1/keys", body).await
    }

    /// `GET /v1/keys`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn keys(&self) -> Result<api::KeyList, ClientError> {
        self.get("/v1/keys").await
    }

    /// `DELETE /v1/keys/{id}`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn delete_key(&self, id: &str) -> Result<api::Deleted, ClientError> {
        self.call::<(), _>(Method::DELETE, &format!("/v1/keys/{}", encode(id)), None)
            .await
    }

    /// `POST /v1/products/{product}/envs/{env}/signing-keys/rotate`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn rotate_signing_key(
        &self,
        product: &str,
        env: &str,
        alg: Option<&str>,
    ) -> Result<api::RotateResponse, ClientError> {
        let body = api::RotateRequest {
            alg: alg.map(str::to_owned),
        };
        self.post(
            &format!(
                "/v1/products/{}/envs/{}/signing-keys/rotate",
                encode(product),
                encode(env)
            ),
            &body,
        )
        .await
    }

    /// `GET /v1/events`: one page of recorded events, newest first.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn events(&self, q: &api::EventsQuery) -> Result<api::EventsResponse, ClientError> {
        let limit = q.limit.map(|l| l.to_string());
        let single = [
            ("product", q.product.as_deref()),
            ("env", q.env.as_deref()),
            ("identifier", q.identifier.as_deref()),
            ("sessionId", q.session_id.as_deref()),
            ("cursor", q.cursor.as_deref()),
            ("limit", limit.as_deref()),
        ];
        let pairs: Vec<String> = single
            .into_iter()
            .filter_map(|(name, value)| value.map(|v| format!("{name}={}", encode(v))))
            .chain(q.types.iter().map(|t| format!("type={}", encode(t))))
            .collect();
        let query = if pairs.is_empty() {
            String::new()
        } else {
            format!("?{}", pairs.join("&"))
        };
        self.get(&format!("/v1/events{query}")).await
    }

    /// `POST /v1/webhooks`: the answer holds the endpoint's secret, shown only here.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn create_webhook(
        &self,
        body: &api::WebhookCreate,
    ) -> Result<api::WebhookCreated, ClientError> {
        self.post("/v1/webhooks", body).await
    }

    /// `GET /v1/webhooks`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn webhooks(&self, product: Option<&str>) -> Result<api::WebhookList, ClientError> {
        self.get(&format!("/v1/webhooks{}", Self::scope_query(product)))
            .await
    }

    /// `GET /v1/webhooks/{id}`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn webhook(&self, id: &str) -> Result<api::WebhookResponse, ClientError> {
        self.get(&format!("/v1/webhooks/{}", encode(id))).await
    }

    /// `PATCH /v1/webhooks/{id}`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn update_webhook(
        &self,
        id: &str,
        patch: &api::WebhookPatchBody,
    ) -> Result<api::WebhookResponse, ClientError> {
        self.call(
            Method::PATCH,
            &format!("/v1/webhooks/{}", encode(id)),
            Some(patch),
        )
        .await
    }

    /// `DELETE /v1/webhooks/{id}`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn delete_webhook(&self, id: &str) -> Result<api::Deleted, ClientError> {
        self.call::<(), _>(
            Method::DELETE,
            &format!("/v1/webhooks/{}", encode(id)),
            None,
        )
        .await
    }

    /// `POST /v1/webhooks/{id}/test`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn test_webhook(&self, id: &str) -> Result<api::DeliveryAttempt, ClientError> {
        self.post(
            &format!("/v1/webhooks/{}/test", encode(id)),
            &serde_json::json!({}),
        )
        .await
    }

    /// `GET /v1/webhooks/{id}/deliveries`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn webhook_deliveries(
        &self,
        id: &str,
        limit: Option<u32>,
    ) -> Result<api::DeliveryList, ClientError> {
        let query = limit.map_or_else(String::new, |l| format!("?limit={l}"));
        self.get(&format!("/v1/webhooks/{}/deliveries{query}", encode(id)))
            .await
    }

    /// `GET /v1/jwks/{product}/{env}`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn jwks(&self, product: &str, env: &str) -> Result<serde_json::Value, ClientError> {
        self.get(&format!("/v1/jwks/{}/{}", encode(product), encode(env)))
            .await
    }
}

/// Percent-encodes a path segment or query value.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(encode("user-session"), "user-session");
        assert_eq!(encode("a/b c"), "a%2Fb%20c");
    }

    #[test]
    fn only_http_urls_are_accepted() {
        assert!(Client::anonymous("http://127.0.0.1:8420/").is_ok());
        assert!(matches!(
            Client::anonymous("127.0.0.1:8420"),
            Err(ClientError::InvalidUrl(_))
        ));
    }
}
