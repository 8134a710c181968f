//! The console's sign-in (docs/API.md §16): a key exchanged for an httpOnly `SameSite=Strict`
//! cookie, the sign-in the cookie holds, and signing out. With the cookie, the console page
//! calls the same routes as any client (see `extract::Caller`), with its CSRF token on every
//! change.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use hallpass::ConsoleCaller;
use hallpass::core::console::csrf_token;
use hallpass_api::{ConsoleKey, ConsoleSessionResponse, ConsoleSignInRequest, ErrorBody};

use crate::client::ClientIp;
use crate::cookies::{console_cookie, console_cookie_removal, with_cookies};
use crate::error::ApiError;
use crate::extract::{ApiJson, ConsoleCsrf};
use crate::state::AppState;

/// Signs in with an admin or access key; the answer sets the console cookie.
#[utoipa::path(post, path = "/v1/console/sign-in", request_body = ConsoleSignInRequest,
    tag = "console",
    responses((status = 200, body = ConsoleSessionResponse, headers(("Set-Cookie" = String,
        description = "the console cookie: httpOnly, SameSite=Strict"))),
        (status = "4XX", body = ErrorBody)))]
pub(crate) async fn console_sign_in(
    State(s): State<AppState>,
    ClientIp(client): ClientIp,
    ApiJson(body): ApiJson<ConsoleSignInRequest>,
) -> Result<Response, ApiError> {
    let grant = s
        .hallpass
        .console_sign_in(Some(body.key.as_str()), client)
        .await?;
    let cookie = console_cookie(s.hallpass.issuer(), &grant.token);
    Ok(with_cookies(
        Json(session(&grant.token, &grant.caller)),
        vec![cookie],
    ))
}

/// The console sign-in of the cookie, and its CSRF token.
#[utoipa::path(get, path = "/v1/console/session", tag = "console",
    responses((status = 200, body = ConsoleSessionResponse), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn console_session(
    State(s): State<AppState>,
    ClientIp(client): ClientIp,
    ConsoleCsrf(token): ConsoleCsrf,
) -> Result<Json<ConsoleSessionResponse>, ApiError> {
    let token = token.ok_or_else(no_cookie)?;
    let caller = s.hallpass.console_caller(&token, client).await?;
    Ok(Json(session(&token, &caller)))
}

/// Ends the cookie's console sign-in on every node and removes the cookie; 204 also when
/// there was none.
#[utoipa::path(post, path = "/v1/console/sign-out", tag = "console",
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn console_sign_out(
    State(s): State<AppState>,
    ConsoleCsrf(token): ConsoleCsrf,
) -> Result<Response, ApiError> {
    if let Some(token) = token {
        s.hallpass.console_sign_out(&token).await?;
    }
    Ok(with_cookies(
        StatusCode::NO_CONTENT,
        vec![console_cookie_removal(s.hallpass.issuer())],
    ))
}

fn session(token: &str, caller: &ConsoleCaller) -> ConsoleSessionResponse {
    let who = &caller.principal;
    ConsoleSessionResponse {
        csrf_token: csrf_token(token),
        key: ConsoleKey {
            id: who.key_id.clone(),
            kind: who.kind.as_str().into(),
            product: who.product.clone(),
            env: who.env.clone(),
        },
        expires_at: caller.expires_at.to_iso(),
    }
}

fn no_cookie() -> ApiError {
    ApiError::from(hallpass::core::Error::Unauthorized(
        "not signed in to the console: POST /v1/console/sign-in with an admin or access key".into(),
    ))
}
