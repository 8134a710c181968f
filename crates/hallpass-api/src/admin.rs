//! Bodies of products, keys and signing-key rotation.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::formats::{AlgName, Name, NewKeyKind, Origin, Tag};

/// `POST /v1/products`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProductCreate {
    /// Tag (`shop`).
    #[schema(value_type = Tag)]
    pub tag: String,
    /// Display name.
    #[schema(value_type = Name)]
    pub name: String,
    /// Envs (default `["dev", "prd"]`): 1 to 16 different tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::formats::env_list)]
    pub envs: Option<Vec<String>>,
    /// Origins allowed to call browser endpoints (at most 64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Origin>>, max_items = 64)]
    pub allowed_origins: Option<Vec<String>>,
}

/// `PATCH /v1/products/{tag}`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProductPatchBody {
    /// New display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Name>)]
    pub name: Option<String>,
    /// New allowed origins (at most 64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Origin>>, max_items = 64)]
    pub allowed_origins: Option<Vec<String>>,
}

/// A product.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProductResponse {
    /// Tag.
    pub tag: String,
    /// Display name.
    pub name: String,
    /// Envs.
    pub envs: Vec<String>,
    /// Allowed origins.
    pub allowed_origins: Vec<String>,
    /// Creation time.
    pub created_at: String,
    /// Last update.
    pub updated_at: String,
}

/// `GET /v1/products`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProductList {
    /// Products.
    pub products: Vec<ProductResponse>,
}

/// `POST /v1/keys`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct KeyCreate {
    /// `access` or `publishable`.
    #[schema(value_type = NewKeyKind)]
    pub kind: String,
    /// Product (defaults to the caller's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Tag>)]
    pub product: Option<String>,
    /// Env (required for publishable keys; absent: all envs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Tag>)]
    pub env: Option<String>,
    /// Display name.
    #[schema(value_type = Name)]
    pub name: String,
}

/// A key, without its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct KeyInfo {
    /// Id.
    pub id: String,
    /// `admin`, `access` or `publishable`.
    pub kind: String,
    /// Product (null for admin keys).
    pub product: Option<String>,
    /// Env (null: all envs).
    pub env: Option<String>,
    /// Display name.
    pub name: String,
    /// Creation time.
    pub created_at: String,
}

/// A newly created key, with its secret (shown only here).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct KeyCreated {
    /// Id.
    pub id: String,
    /// `access` or `publishable`.
    pub kind: String,
    /// Product.
    pub product: Option<String>,
    /// Env.
    pub env: Option<String>,
    /// Display name.
    pub name: String,
    /// The secret key: store it now, it is not shown again.
    pub key: String,
    /// Creation time.
    pub created_at: String,
}

/// `GET /v1/keys`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct KeyList {
    /// Keys without secrets.
    pub keys: Vec<KeyInfo>,
}

/// `POST /v1/products/{product}/envs/{env}/signing-keys/rotate`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct RotateRequest {
    /// `EdDSA` (default), `ES256` or `HS256`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<AlgName>)]
    pub alg: Option<String>,
}

/// Answer of a rotation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RotateResponse {
    /// The new key's id.
    pub kid: String,
    /// Its algorithm.
    pub alg: String,
}
