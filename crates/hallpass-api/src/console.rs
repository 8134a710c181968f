//! The console's sign-in (docs/API.md §16).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /v1/console/sign-in`: the key to sign in with (admin or access), sent once; the
/// answer sets the console cookie, and the key is kept nowhere.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConsoleSignInRequest {
    /// An admin (`hp_admin_…`) or access (`hp_sk_…`) key.
    pub key: String,
}

/// A console sign-in, as its page needs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConsoleSessionResponse {
    /// Send as `X-Hallpass-CSRF` on every request that changes something.
    pub csrf_token: String,
    /// The key it acts as: its id, `admin` or `access`, its product and env.
    pub key: ConsoleKey,
    /// When it ends unless used before (30 minutes idle, 12 hours at most).
    pub expires_at: String,
}

/// The key a console sign-in acts as.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConsoleKey {
    /// Id.
    pub id: String,
    /// `admin` or `access`.
    pub kind: String,
    /// Product (null for admin keys).
    pub product: Option<String>,
    /// Env (null: all envs).
    pub env: Option<String>,
}
