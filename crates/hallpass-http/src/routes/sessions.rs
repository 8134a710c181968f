//! `/v1/sessions/*`: start, verify, refresh, revoke, revoke-all, list, and the changes of a
//! live session: update, update-all, reauthenticate.

use axum::Json;
use axum::extract::State;
use hallpass_api::{
    ErrorBody, IssuedResponse, ListRequest, ListResponse, ReauthenticateRequest, RefreshRequest,
    RevokeAllRequest, RevokeAllResponse, RevokeRequest, RevokeResponse, StartRequest,
    UpdateAllRequest, UpdateAllResponse, UpdateRequest, UpdateResponse, VerifyRequest,
    VerifyResponse,
};

use hallpass::core::model::Scope;
use hallpass::{Issued, VerifyOptions};

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
    Scoped(scope, body, actor): Scoped<StartRequest>,
) -> ApiResult<IssuedResponse> {
    let issued = s
        .hallpass
        .start(&scope, &actor, convert::start_input(body)?)
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
    Scoped(scope, body, _): Scoped<VerifyRequest>,
) -> ApiResult<VerifyResponse> {
    let options = VerifyOptions {
        max_auth_age: body.max_auth_age,
        ..VerifyOptions::default()
    };
    let verified = s
        .hallpass
        .verify_with(&scope, &body.tag, &body.token, options)
        .await;
    crate::metrics::verify_outcome(verified.as_ref().map(drop));
    Ok(Json(convert::verified(verified?)))
}

/// Rotates the refresh token and issues a new token.
#[utoipa::path(post, path = "/v1/sessions/refresh", request_body = RefreshRequest, tag = "sessions",
    security(("bearer" = [])),
    responses((status = 200, body = IssuedResponse), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn refresh(
    State(s): State<AppState>,
    Scoped(scope, body, actor): Scoped<RefreshRequest>,
) -> ApiResult<IssuedResponse> {
    let issued = s
        .hallpass
        .refresh(&scope, &actor, &body.tag, &body.refresh_token, None)
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
    Scoped(scope, body, actor): Scoped<RevokeRequest>,
) -> ApiResult<RevokeResponse> {
    let revoked = s
        .hallpass
        .revoke(&scope, &actor, &body.tag, &body.session_id)
        .await?;
    Ok(Json(convert::revoked(revoked)))
}

/// Revokes every session of an identifier (optionally but one).
#[utoipa::path(post, path = "/v1/sessions/revoke-all", request_body = RevokeAllRequest, tag = "sessions",
    security(("bearer" = [])),
    responses((status = 200, body = RevokeAllResponse), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn revoke_all(
    State(s): State<AppState>,
    Scoped(scope, body, actor): Scoped<RevokeAllRequest>,
) -> ApiResult<RevokeAllResponse> {
    let revoked_count = s
        .hallpass
        .revoke_all(
            &scope,
            &actor,
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
    Scoped(scope, body, _): Scoped<ListRequest>,
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

/// Changes a live session's data; every older token of it is superseded.
#[utoipa::path(post, path = "/v1/sessions/update", request_body = UpdateRequest, tag = "sessions", operation_id = "update_session",
    security(("bearer" = [])),
    responses((status = 200, body = UpdateResponse), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn update(
    State(s): State<AppState>,
    Scoped(scope, body, actor): Scoped<UpdateRequest>,
) -> ApiResult<UpdateResponse> {
    let changed = s
        .hallpass
        .update(
            &scope,
            &actor,
            &body.tag,
            &body.session_id,
            body.data,
            body.merge.unwrap_or(true),
        )
        .await?;
    Ok(Json(convert::changed(changed)))
}

/// Changes the data of every active session of an identifier.
#[utoipa::path(post, path = "/v1/sessions/update-all", request_body = UpdateAllRequest, tag = "sessions",
    security(("bearer" = [])),
    responses((status = 200, body = UpdateAllResponse), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn update_all(
    State(s): State<AppState>,
    Scoped(scope, body, actor): Scoped<UpdateAllRequest>,
) -> ApiResult<UpdateAllResponse> {
    let updated = s
        .hallpass
        .update_all(
            &scope,
            &actor,
            &body.tag,
            &body.identifier,
            body.data,
            body.merge.unwrap_or(true),
        )
        .await?;
    Ok(Json(convert::updated_count(updated)))
}

/// Records that the user proved who they are again (step-up): `auth_time` becomes now.
#[utoipa::path(post, path = "/v1/sessions/reauthenticate", request_body = ReauthenticateRequest, tag = "sessions",
    security(("bearer" = [])),
    responses((status = 200, body = UpdateResponse), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn reauthenticate(
    State(s): State<AppState>,
    Scoped(scope, body, actor): Scoped<ReauthenticateRequest>,
) -> ApiResult<UpdateResponse> {
    let changed = s
        .hallpass
        .reauthenticate(&scope, &actor, &body.tag, &body.session_id, body.amr)
        .await?;
    Ok(Json(convert::changed(changed)))
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
