//! The OpenAPI 3.1 document, generated from the handlers' annotations and the wire types.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::{admin, public, session_types, sessions};

#[derive(OpenApi)]
#[openapi(
    info(title = "hallpass", description = "Session service API v1: start, verify, refresh, list and revoke sessions."),
    paths(
        sessions::start, sessions::verify, sessions::refresh, sessions::revoke, sessions::revoke_all, sessions::list,
        session_types::create, session_types::update, session_types::fetch, session_types::list, session_types::remove,
        admin::create_product, admin::update_product, admin::get_product, admin::list_products,
        admin::create_key, admin::list_keys, admin::delete_key, admin::rotate_signing_key,
        public::jwks, public::healthz, public::readyz, public::metrics, public::openapi,
    ),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("hp_sk_… / hp_admin_…")
                    .build(),
            ),
        );
    }
}

/// The OpenAPI document of every route.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
