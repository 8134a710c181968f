//! `/v1/events`: the audit query.

use axum::Json;
use axum::extract::State;
use hallpass_api::{ErrorBody, EventsQuery, EventsResponse};

use crate::convert;
use crate::error::ApiError;
use crate::extract::{ApiListQuery, Caller};
use crate::state::AppState;

/// Recorded events, newest first: any product's for an admin key, its own product's for an
/// access key, its own env's for an env-scoped one.
#[utoipa::path(get, path = "/v1/events", tag = "events",
    params(EventsQuery),
    security(("bearer" = [])),
    responses((status = 200, body = EventsResponse), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn list_events(
    State(s): State<AppState>,
    Caller(who): Caller,
    ApiListQuery(q): ApiListQuery<EventsQuery>,
) -> Result<Json<EventsResponse>, ApiError> {
    let list = s.hallpass.events(&who, convert::event_query(q)?).await?;
    Ok(Json(convert::event_list(&list)))
}

#[cfg(test)]
mod tests {
    use hallpass::core::events::EventType;

    #[test]
    fn the_documented_event_types_are_the_ones_recorded() {
        let recorded: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
        assert_eq!(recorded, hallpass_api::formats::EVENT_TYPES);
    }
}
