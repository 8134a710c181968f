//! A browser for the browser-session tests: a small cookie jar that keeps what `Set-Cookie`
//! sets and sends each cookie only to the paths it was set for, and a service whose
//! `user-session` type has cookies.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request};
use serde_json::{Value, json};

use super::{App, Resp, setup};

/// Where the browser endpoints of shop/dev/user-session are.
pub const BASE: &str = "/v1/browser/shop/dev/user-session";
/// The origin [`browser_app`] allows.
pub const ORIGIN: &str = "https://app.example.com";

/// A cookie the browser holds.
#[derive(Clone, Debug)]
pub struct Held {
    name: String,
    value: String,
    path: String,
}

/// One browser: its cookies and its User-Agent.
#[derive(Default)]
pub struct Browser {
    pub cookies: Vec<Held>,
    user_agent: &'static str,
}

impl Browser {
    pub fn new(user_agent: &'static str) -> Self {
        Self {
            cookies: Vec::new(),
            user_agent,
        }
    }

    /// Keeps the cookies a `Set-Cookie` list sets; drops those it deletes.
    pub fn take(&mut self, set_cookies: impl IntoIterator<Item = String>) {
        for line in set_cookies {
            let mut parts = line.split(';').map(str::trim);
            let (name, value) = parts
                .next()
                .and_then(|p| p.split_once('='))
                .expect("name=value");
            let mut path = "/".to_owned();
            let mut removal = value.is_empty();
            for attribute in parts {
                if let Some(p) = attribute.strip_prefix("Path=") {
                    path = p.to_owned();
                }
                removal |= attribute == "Max-Age=0";
            }
            self.cookies.retain(|c| !(c.name == name && c.path == path));
            if !removal {
                self.cookies.push(Held {
                    name: name.to_owned(),
                    value: value.to_owned(),
                    path,
                });
            }
        }
    }

    pub fn value(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.value.as_str())
    }

    /// Calls a browser endpoint with the cookies whose path covers it.
    pub async fn call(
        &mut self,
        app: &App,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
    ) -> Resp {
        let full = format!("{BASE}{path}");
        let cookie = self
            .cookies
            .iter()
            .filter(|c| full.starts_with(&c.path))
            .map(|c| format!("{}={}", c.name, c.value))
            .collect::<Vec<_>>()
            .join("; ");
        let mut req = Request::builder()
            .method(method)
            .uri(&full)
            .header("user-agent", self.user_agent);
        if !cookie.is_empty() {
            req = req.header("cookie", cookie);
        }
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let mut req = req.body(Body::empty()).expect("request");
        let peer: SocketAddr = "198.51.100.20:50000".parse().expect("addr");
        req.extensions_mut().insert(ConnectInfo(peer));
        let resp = app.send(req).await;
        self.take(set_cookies(&resp));
        resp
    }
}

pub fn set_cookies(resp: &Resp) -> Vec<String> {
    resp.headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().expect("ascii").to_owned())
        .collect()
}

/// `setup()` with cookies on `user-session` (updateAge 10 minutes) and an allowed origin.
pub async fn browser_app() -> App {
    let app = setup().await;
    let (s, b) = app
        .patch(
            "/v1/session-types/user-session",
            &app.product_key,
            json!({"cookie": {"name": "sid"}, "updateAge": 600}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = app
        .patch(
            "/v1/products/shop",
            &app.admin,
            json!({"allowedOrigins": [ORIGIN]}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    app
}

/// A browser signed in as `user`: the backend started the session and forwarded its cookies.
pub async fn signed_in(app: &App, user: &str, user_agent: &'static str) -> (Browser, Value) {
    let started = app.start(user).await;
    let mut browser = Browser::new(user_agent);
    let cookies = started["cookies"].as_array().expect("cookies").clone();
    browser.take(
        cookies
            .iter()
            .map(|c| c.as_str().expect("string").to_owned()),
    );
    (browser, started)
}

/// The header that passes the CSRF check of a state-changing call (with a SameSite=Lax
/// cookie).
pub const CSRF: (&str, &str) = ("x-hallpass-csrf", "1");
