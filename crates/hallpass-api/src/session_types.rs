//! Bodies of `/v1/session-types`.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::double_option;
use crate::formats::{
    CookieDomain, CookieName, CookiePath, Description, Expiry, GraceSecs, IdleTimeoutSecs,
    LifetimeSecs, MaxSessions, OnLimitName, PeriodName, SameSiteName, SelectorPath, Tag, TypeName,
};
use crate::whole;

/// Create (`POST`) or merge (`PATCH`) a session type. On create, `tag`, `name`, `expiry` and
/// `period` are required; on PATCH every field is optional and `null` clears nullable ones.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionTypeBody {
    /// Product (defaults to the key's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Tag>)]
    pub product: Option<String>,
    /// Env (ignored: session types belong to the whole product).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<String>,
    /// Tag, unique in the product: `[a-z0-9][a-z0-9_-]{0,63}`. On PATCH, the path's tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Tag>)]
    pub tag: Option<String>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<TypeName>)]
    pub name: Option<String>,
    /// Description.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<Description>)]
    pub description: Option<Option<String>>,
    /// Example object, or a JSON Schema document (with `"$schema"`).
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<Object>)]
    pub schema: Option<Option<Value>>,
    /// `$Session{key}{nested}` selector of the identifier.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<SelectorPath>)]
    pub selector: Option<Option<String>>,
    /// Token lifetime in `period` units.
    #[serde(
        default,
        deserialize_with = "whole::optional",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<Expiry>)]
    pub expiry: Option<u64>,
    /// `seconds|minutes|hours|days|weeks` (singular accepted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<PeriodName>)]
    pub period: Option<String>,
    /// Session lifetime in `refreshPeriod` units (default 30 days).
    #[serde(
        default,
        deserialize_with = "whole::optional",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<Expiry>)]
    pub refresh_expiry: Option<u64>,
    /// Unit of `refreshExpiry`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<PeriodName>)]
    pub refresh_period: Option<String>,
    /// Seconds the just-rotated refresh token answers the same pair (default 10).
    #[serde(
        default,
        deserialize_with = "whole::optional",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<GraceSecs>)]
    pub refresh_grace: Option<u64>,
    /// Browser cookie settings.
    #[serde(
        default,
        deserialize_with = "crate::object::double_optional",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<CookieBody>)]
    pub cookie: Option<Option<CookieBody>>,
    /// Sliding-expiry threshold in seconds.
    #[serde(
        default,
        deserialize_with = "whole::double_optional",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<LifetimeSecs>)]
    pub update_age: Option<Option<u64>>,
    /// Whether forward auth passes the data as `X-Session-Data`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forward_data: Option<bool>,
    /// Seconds without activity after which a session ends (`null`: no timeout).
    #[serde(
        default,
        deserialize_with = "whole::double_optional",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<IdleTimeoutSecs>)]
    pub idle_timeout: Option<Option<u64>>,
    /// Most active sessions per identifier (`null`: unlimited).
    #[serde(
        default,
        deserialize_with = "whole::double_optional",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<MaxSessions>)]
    pub max_sessions: Option<Option<u32>>,
    /// What a start beyond `maxSessions` does: `revoke_oldest` (default) or `refuse`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<OnLimitName>)]
    pub on_limit: Option<String>,
}

/// The body of `POST /v1/session-types` in the document: a [`SessionTypeBody`] with `tag`,
/// `name`, `expiry` and `period` present and not `null`. Only describes; the server reads a
/// `SessionTypeBody`.
pub enum SessionTypeCreate {}

impl utoipa::PartialSchema for SessionTypeCreate {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        use utoipa::openapi::schema::{AllOfBuilder, ObjectBuilder, Type};
        AllOfBuilder::new()
            .item(utoipa::openapi::Ref::from_schema_name("SessionTypeBody"))
            .item(["tag", "name", "expiry", "period"].into_iter().fold(
                ObjectBuilder::new(),
                |o, field| {
                    let kind = if field == "expiry" {
                        Type::Integer
                    } else {
                        Type::String
                    };
                    o.required(field)
                        .property(field, ObjectBuilder::new().schema_type(kind))
                },
            ))
            .into()
    }
}

impl ToSchema for SessionTypeCreate {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        schemas.push((
            SessionTypeBody::name().into_owned(),
            <SessionTypeBody as utoipa::PartialSchema>::schema(),
        ));
        <SessionTypeBody as ToSchema>::schemas(schemas);
    }
}

/// Cookie settings; omitted fields take their defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CookieBody {
    /// Cookie name (default `hallpass.session`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<CookieName>)]
    pub name: Option<String>,
    /// `Secure` (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secure: Option<bool>,
    /// `lax` (default), `strict` or `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<SameSiteName>)]
    pub same_site: Option<String>,
    /// `Path` (default `/`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<CookiePath>)]
    pub path: Option<String>,
    /// `HttpOnly` (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_only: Option<bool>,
    /// `Domain`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<CookieDomain>)]
    pub domain: Option<String>,
}

/// A session type with every field, defaults filled in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionTypeResponse {
    /// Product.
    pub product: String,
    /// Tag.
    pub tag: String,
    /// Display name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Schema (example object, JSON Schema document, or null).
    #[schema(value_type = Option<Object>)]
    pub schema: Value,
    /// Selector.
    pub selector: Option<String>,
    /// Token lifetime in `period` units.
    pub expiry: u64,
    /// Unit of `expiry`.
    pub period: String,
    /// Session lifetime in `refreshPeriod` units.
    pub refresh_expiry: u64,
    /// Unit of `refreshExpiry`.
    pub refresh_period: String,
    /// Refresh grace in seconds.
    pub refresh_grace: u64,
    /// Cookie settings (all fields filled in), or null.
    pub cookie: Option<CookieResponse>,
    /// Sliding-expiry threshold in seconds, or null.
    pub update_age: Option<u64>,
    /// Whether forward auth passes the data.
    pub forward_data: bool,
    /// Idle timeout in seconds, or null.
    pub idle_timeout: Option<u64>,
    /// Most active sessions per identifier, or null (unlimited).
    pub max_sessions: Option<u32>,
    /// What a start beyond `maxSessions` does.
    #[schema(value_type = OnLimitName)]
    pub on_limit: String,
    /// Creation time.
    pub created_at: String,
    /// Last update.
    pub updated_at: String,
}

/// Cookie settings with every field filled in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CookieResponse {
    /// Name.
    pub name: String,
    /// `Secure`.
    pub secure: bool,
    /// `SameSite`.
    pub same_site: String,
    /// `Path`.
    pub path: String,
    /// `HttpOnly`.
    pub http_only: bool,
    /// `Domain`.
    pub domain: Option<String>,
}

/// `GET /v1/session-types`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionTypeList {
    /// Every session type of the product.
    pub session_types: Vec<SessionTypeResponse>,
}

/// `DELETE /v1/session-types/{tag}` query.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteTypeQuery {
    /// Product (defaults to the key's).
    #[param(value_type = Option<Tag>)]
    pub product: Option<String>,
    /// Env (ignored).
    pub env: Option<String>,
    /// Revoke the type's active sessions and delete it anyway.
    pub force: Option<bool>,
}
