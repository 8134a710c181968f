//! `GET /v1/revocations/{product}/{env}`: the revocation feed as server-sent events
//! (docs/API.md §14.4). The service answers the subscription from memory; this module only
//! writes it as SSE: the start (a `snapshot`, or the replayed events after `Last-Event-ID`),
//! then each live event, with a comment line as heartbeat.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::Stream;
use hallpass::core::feed::{FeedChange, FeedEvent};
use hallpass::{FeedStart, FeedSubscription};
use hallpass_api::ErrorBody;
use hallpass_api::formats::Tag;
use serde::Serialize;

use crate::convert;
use crate::error::ApiError;
use crate::extract::Backend;
use crate::state::AppState;

/// The header a reconnecting `EventSource` (or any SSE client) sends with the last id it saw.
const LAST_EVENT_ID: &str = "last-event-id";

/// Revoked and superseded sessions of the env, as `text/event-stream`: one `snapshot` event,
/// then one `revoked` or `superseded` event per change, each with an id to resume from
/// (`Last-Event-ID`). A comment line every 15 s keeps proxies from closing it. Served from the
/// node's memory.
#[utoipa::path(get, path = "/v1/revocations/{product}/{env}", tag = "sessions",
    params(
        ("product" = Tag, Path, description = "product tag"),
        ("env" = Tag, Path, description = "env tag"),
        ("Last-Event-ID" = Option<String>, Header, description = "the id of the last event received, to resume after it"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Server-sent events: `snapshot` (data: RevocationSnapshot), `revoked` (data: RevokedSession), `superseded` (data: SupersededSession)", content_type = "text/event-stream", body = String),
        (status = "4XX", body = ErrorBody)))]
pub(crate) async fn revocation_feed(
    State(s): State<AppState>,
    Backend(who): Backend,
    Path((product, env)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let scope = s
        .hallpass
        .resolve_scope(&who, Some(&product), Some(&env))
        .await?;
    let last = headers.get(LAST_EVENT_ID).and_then(|v| v.to_str().ok());
    let subscription = s.hallpass.revocation_feed(&scope, last);
    let sse = Sse::new(events(subscription))
        .keep_alive(KeepAlive::new().interval(s.feed_heartbeat).text(""));
    let mut response = sse.into_response();
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // nginx buffers proxied answers unless told not to; a feed must pass through at once.
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

/// The subscription as SSE events: its start, then live events until it is cut off.
fn events(subscription: FeedSubscription) -> impl Stream<Item = Result<Event, Infallible>> {
    let mut first = VecDeque::new();
    match &subscription.start {
        FeedStart::Snapshot(snapshot) => {
            let data = convert::revocation_snapshot(snapshot);
            first.push_back(event("snapshot", &snapshot.id.to_string(), &data));
        }
        FeedStart::Replay(replay) => first.extend(replay.iter().map(change)),
    }
    futures_util::stream::unfold(
        (subscription, first),
        |(mut subscription, mut first)| async move {
            if let Some(event) = first.pop_front() {
                return Some((Ok(event), (subscription, first)));
            }
            let next = subscription.next().await?;
            Some((Ok(change(&next)), (subscription, first)))
        },
    )
}

/// One change as its SSE event.
fn change(e: &Arc<FeedEvent>) -> Event {
    let id = e.id.to_string();
    match &e.change {
        FeedChange::Revoked(r) => event("revoked", &id, &convert::revoked_session(r)),
        FeedChange::Superseded(s) => event("superseded", &id, &convert::superseded_session(s)),
    }
}

fn event(name: &str, id: &str, data: &impl Serialize) -> Event {
    // The wire types are strings and numbers only: serialising them cannot fail.
    let json = serde_json::to_string(data).unwrap_or_default();
    Event::default().event(name).id(id).data(json)
}
