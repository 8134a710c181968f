//! Products, API keys and signing-key rotation.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hallpass_api::formats::Tag;
use hallpass_api::{
    Deleted, ErrorBody, KeyCreate, KeyCreated, KeyList, ProductCreate, ProductList,
    ProductPatchBody, ProductResponse, RotateRequest, RotateResponse,
};

use crate::convert;
use crate::error::ApiError;
use crate::extract::{ApiJson, Caller, OptionalApiJson};
use crate::state::AppState;

/// Creates a product with its envs (admin key).
#[utoipa::path(post, path = "/v1/products", request_body = ProductCreate, tag = "admin",
    security(("bearer" = [])),
    responses((status = 201, body = ProductResponse), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn create_product(
    State(s): State<AppState>,
    Caller(who): Caller,
    ApiJson(body): ApiJson<ProductCreate>,
) -> Result<(StatusCode, Json<ProductResponse>), ApiError> {
    let product = s
        .hallpass
        .create_product(&who, convert::new_product(body))
        .await?;
    Ok((StatusCode::CREATED, Json(convert::product(&product))))
}

/// Updates a product's name and allowed origins (admin key).
#[utoipa::path(patch, path = "/v1/products/{tag}", request_body = ProductPatchBody, tag = "admin",
    params(("tag" = Tag, Path, description = "product tag")),
    security(("bearer" = [])),
    responses((status = 200, body = ProductResponse), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn update_product(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(tag): Path<String>,
    ApiJson(body): ApiJson<ProductPatchBody>,
) -> Result<Json<ProductResponse>, ApiError> {
    let product = s
        .hallpass
        .update_product(&who, &tag, convert::product_patch(body))
        .await?;
    Ok(Json(convert::product(&product)))
}

/// One product (admin key, or a key of that product).
#[utoipa::path(get, path = "/v1/products/{tag}", tag = "admin",
    params(("tag" = Tag, Path, description = "product tag")),
    security(("bearer" = [])),
    responses((status = 200, body = ProductResponse), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn get_product(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(tag): Path<String>,
) -> Result<Json<ProductResponse>, ApiError> {
    let product = s.hallpass.resolve_product(&who, Some(&tag)).await?;
    Ok(Json(convert::product(&product)))
}

/// Lists products (all for an admin key; its own for an access key).
#[utoipa::path(get, path = "/v1/products", tag = "admin",
    security(("bearer" = [])),
    responses((status = 200, body = ProductList), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn list_products(
    State(s): State<AppState>,
    Caller(who): Caller,
) -> Result<Json<ProductList>, ApiError> {
    let products = s.hallpass.list_products(&who).await?;
    Ok(Json(convert::product_list(&products)))
}

/// Creates an access or publishable key; the secret is in this answer only.
#[utoipa::path(post, path = "/v1/keys", request_body = KeyCreate, tag = "admin",
    security(("bearer" = [])),
    responses((status = 201, body = KeyCreated), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn create_key(
    State(s): State<AppState>,
    Caller(who): Caller,
    ApiJson(body): ApiJson<KeyCreate>,
) -> Result<(StatusCode, Json<KeyCreated>), ApiError> {
    let new = s
        .hallpass
        .create_key(
            &who,
            &body.kind,
            body.product.as_deref(),
            body.env.as_deref(),
            &body.name,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(convert::key_created(&new))))
}

/// Lists keys without their secrets.
#[utoipa::path(get, path = "/v1/keys", tag = "admin",
    security(("bearer" = [])),
    responses((status = 200, body = KeyList), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn list_keys(
    State(s): State<AppState>,
    Caller(who): Caller,
) -> Result<Json<KeyList>, ApiError> {
    let keys = s.hallpass.list_keys(&who).await?;
    Ok(Json(convert::key_list(&keys)))
}

/// Deletes a key; it stops working at once.
#[utoipa::path(delete, path = "/v1/keys/{id}", tag = "admin",
    params(("id" = String, Path, description = "key id")),
    security(("bearer" = [])),
    responses((status = 200, body = Deleted), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn delete_key(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<Json<Deleted>, ApiError> {
    s.hallpass.delete_key(&who, &id).await?;
    Ok(Json(convert::deleted()))
}

/// Rotates an env's signing key; older keys keep verifying their tokens until they expire.
#[utoipa::path(post, path = "/v1/products/{product}/envs/{env}/signing-keys/rotate", request_body = Option<RotateRequest>, tag = "admin",
    params(("product" = Tag, Path, description = "product tag"), ("env" = Tag, Path, description = "env tag")),
    security(("bearer" = [])),
    responses((status = 200, body = RotateResponse), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn rotate_signing_key(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path((product, env)): Path<(String, String)>,
    OptionalApiJson(body): OptionalApiJson<RotateRequest>,
) -> Result<Json<RotateResponse>, ApiError> {
    let alg = body.and_then(|b| b.alg);
    let (kid, alg) = s
        .hallpass
        .rotate_signing_key(&who, &product, &env, alg.as_deref())
        .await?;
    Ok(Json(convert::rotated(kid, alg)))
}
