//! `/v1/sessions/*`: start, verify, refresh, revoke, revoke-all, list.

use axum::Json;
use axum::extract::State;
use hallpass_api::{
    ErrorBody, IssuedResponse, ListRequest, ListResponse, RefreshRequest, RevokeAllRequest,
    RevokeAllResponse, RevokeRequest, RevokeResponse, StartRequest, VerifyRequest, VerifyResponse,
};

use hallpass::Issued;
use hallpass::core::model::Scope;

use crate::convert;
use crate::error::ApiError;
use crate::extract::Scoped;
use crate::state::AppState;

type ApiResult<T> = Result<Json<T>, ApiError>;

/// Starts a session.
#[utoipa::path(post, path = "/v1/sessions/start", request_body = StartRequest, tag = "sessions",
    security(("bearer" = [])),
    responses((status = 200, body = IssuedResponse), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn start(
    State(s): State<AppState>,
    Scoped(scope, body): Scoped<StartRequest>,
) -> ApiResult<IssuedResponse> {
    let issued = s
        .hallpass
        .start(&scope, convert::start_input(body)?)
        .await?;
    let cookies = session_cookies(&s, &scope, &issued).await;
    Ok(Json(convert::issued(&issued, cookies)))
}

/// Verifies a token (no database round trip).
#[utoipa::path(post, path = "/v1/sessions/verify", request_body = VerifyRequest, tag = "sessions",
    security(("bearer" = [])),
    responses((status = 200, body = VerifyResponse), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn verify(
    State(s): State<AppState>,
    Scoped(scope, body): Scoped<VerifyRequest>,
) -> ApiResult<VerifyResponse> {
    let verified = s.hallpass.verify(&scope, &body.tag, &body.token).await;
    crate::metrics::verify_outcome(verified.as_ref().map(drop));
    Ok(Json(convert::verified(verified?)))
}

/// Rotates the refresh token and issues a new token.
#[utoipa::path(post, path = "/v1/sessions/refresh", request_body = RefreshRequest, tag = "sessions",
    security(("bearer" = [])),
    responses((status = 200, body = IssuedResponse), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn refresh(
    State(s): State<AppState>,
    Scoped(scope, body): Scoped<RefreshRequest>,
) -> ApiResult<IssuedResponse> {
    let issued = s
        .hallpass
        .refresh(&scope, &body.tag, &body.refresh_token)
        .await?;
    let cookies = session_cookies(&s, &scope, &issued).await;
    Ok(Json(convert::issued(&issued, cookies)))
}

/// Revokes one session.
#[utoipa::path(post, path = "/v1/sessions/revoke", request_body = RevokeRequest, tag = "sessions",
    security(("bearer" = [])),
    responses((status = 200, body = RevokeResponse), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn revoke(
    State(s): State<AppState>,
    Scoped(scope, body): Scoped<RevokeRequest>,
) -> ApiResult<RevokeResponse> {
    let revoked = s
        .hallpass
        .revoke(&scope, &body.tag, &body.session_id)
        .await?;
    Ok(Json(convert::revoked(revoked)))
}

/// Revokes every session of an identifier (optionally but one).
#[utoipa::path(post, path = "/v1/sessions/revoke-all", request_body = RevokeAllRequest, tag = "sessions",
    security(("bearer" = [])),
    responses((status = 200, body = RevokeAllResponse), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn revoke_all(
    State(s): State<AppState>,
    Scoped(scope, body): Scoped<RevokeAllRequest>,
) -> ApiResult<RevokeAllResponse> {
    let revoked_count = s
        .hallpass
        .revoke_all(
            &scope,
            &body.tag,
            &body.identifier,
            body.exclude_current_session.as_deref(),
        )
        .await?;
    Ok(Json(convert::revoked_count(revoked_count)))
}

/// Lists an identifier's active sessions, newest first.
#[utoipa::path(post, path = "/v1/sessions/list", request_body = ListRequest, tag = "sessions",
    security(("bearer" = [])),
    responses((status = 200, body = ListResponse), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn list(
    State(s): State<AppState>,
    Scoped(scope, body): Scoped<ListRequest>,
) -> ApiResult<ListResponse> {
    let page = s
        .hallpass
        .list(
            &scope,
            &body.tag,
            &body.identifier,
            body.limit,
            body.cursor.as_deref(),
        )
        .await?;
    Ok(Json(convert::session_list(page)))
}

/// The `Set-Cookie` values of a session just issued, when its type has cookie settings. The
/// type was read moments ago (cached), so a failure here only leaves the cookies out; the
/// session itself is answered either way.
async fn session_cookies(s: &AppState, scope: &Scope, issued: &Issued) -> Option<Vec<String>> {
    let session_type = s
        .hallpass
        .session_type(&scope.product, &issued.session.tag)
        .await
        .ok()?;
    let settings = session_type.record.config.cookie.as_ref()?;
    Some(crate::cookies::issued_cookies(settings, scope, issued))
}
