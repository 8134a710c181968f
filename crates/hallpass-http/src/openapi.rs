//! The OpenAPI 3.1 document: its title and security scheme here; its paths and schemas come
//! from the routes as they are declared (`routes/mod.rs`) and the wire types.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "hallpass", description = "Session service API v1: start, verify, refresh, list and revoke sessions."),
    // The data of the revocation feed's events: the route answers `text/event-stream`, whose
    // events no response schema can describe, so their JSON is named here for clients.
    components(schemas(
        hallpass_api::RevocationSnapshot,
        hallpass_api::RevokedSession,
        hallpass_api::SupersededSession
    )),
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

/// Completes the document once the routes have added their paths: an operation declared for
/// several methods (forward-auth) keeps its id on GET and gets `<id>_<method>` on the others,
/// as operation ids must be unique.
pub(crate) fn finish(document: &mut utoipa::openapi::OpenApi) {
    for item in document.paths.paths.values_mut() {
        let others = [
            ("post", &mut item.post),
            ("put", &mut item.put),
            ("patch", &mut item.patch),
            ("delete", &mut item.delete),
            ("head", &mut item.head),
            ("options", &mut item.options),
            ("trace", &mut item.trace),
        ];
        let Some(get_id) = item.get.as_ref().and_then(|op| op.operation_id.clone()) else {
            continue;
        };
        for (method, operation) in others {
            if let Some(op) = operation
                && op.operation_id.as_deref() == Some(get_id.as_str())
            {
                op.operation_id = Some(format!("{get_id}_{method}"));
            }
        }
    }
}

/// The document before the routes add their paths.
pub(crate) fn base() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    /// `docs/openapi.json` is the committed copy of the document (clients are generated and
    /// checked against it). Regenerate with `HALLPASS_UPDATE_OPENAPI=1 cargo test -p hallpass-http openapi`.
    #[test]
    fn committed_openapi_document_is_current() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
        let generated = format!(
            "{}\n",
            crate::openapi_document()
                .to_pretty_json()
                .expect("serializable")
        );
        if std::env::var_os("HALLPASS_UPDATE_OPENAPI").is_some() {
            std::fs::write(&path, &generated).expect("write docs/openapi.json");
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "docs/openapi.json is out of date: run HALLPASS_UPDATE_OPENAPI=1 cargo test -p hallpass-http openapi"
        );
    }

    /// OpenAPI requires unique operation ids; generated clients name their methods by them.
    #[test]
    fn operation_ids_are_unique() {
        let doc = serde_json::to_value(crate::openapi_document()).expect("serializable");
        let mut seen = std::collections::BTreeSet::new();
        for operations in doc["paths"].as_object().expect("paths").values() {
            for operation in operations.as_object().expect("operations").values() {
                if let Some(id) = operation["operationId"].as_str() {
                    assert!(seen.insert(id.to_owned()), "operationId {id} is used twice");
                }
            }
        }
    }

    #[test]
    fn the_document_is_openapi_3_1_with_every_route() {
        let doc = serde_json::to_value(crate::openapi_document()).expect("serializable");
        assert!(
            doc["openapi"]
                .as_str()
                .is_some_and(|v| v.starts_with("3.1"))
        );
        let paths = doc["paths"].as_object().expect("paths");
        for path in [
            "/v1/sessions/start",
            "/v1/sessions/verify",
            "/v1/sessions/refresh",
            "/v1/sessions/revoke",
            "/v1/sessions/revoke-all",
            "/v1/sessions/list",
            "/v1/sessions/update",
            "/v1/sessions/update-all",
            "/v1/sessions/reauthenticate",
            "/v1/session-types",
            "/v1/session-types/{tag}",
            "/v1/products",
            "/v1/products/{tag}",
            "/v1/products/{product}/envs/{env}/signing-keys/rotate",
            "/v1/keys",
            "/v1/keys/{id}",
            "/v1/jwks/{product}/{env}",
            "/v1/forward-auth",
            "/v1/browser/{product}/{env}/{tag}/session",
            "/v1/browser/{product}/{env}/{tag}/refresh",
            "/v1/browser/{product}/{env}/{tag}/sign-out",
            "/v1/browser/{product}/{env}/{tag}/sessions",
            "/v1/browser/{product}/{env}/{tag}/sessions/{id}",
            "/healthz",
            "/readyz",
            "/metrics",
            "/v1/openapi.json",
        ] {
            assert!(
                paths.contains_key(path),
                "{path} is missing from the OpenAPI document"
            );
        }
    }
}
