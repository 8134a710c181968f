//! Raw command-line arguments, as clap parses them. Validation happens in `settings`.

use clap::{Args, Parser, Subcommand};

/// hallpass: sessions for your backend — start, verify, refresh, list and revoke.
#[derive(Debug, Parser)]
#[command(name = "hallpass", version)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub client: ClientArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run the server.
    Serve(ServeArgs),
    /// Seal the JSON read on stdin (iron "Fe26.2", as h3 and iron-session write cookies).
    Seal(SealArgs),
    /// Open the seal read on stdin and print its JSON.
    Unseal(SealArgs),
    #[command(flatten)]
    Client(ClientCommand),
}

/// Options of `seal` and `unseal`.
#[derive(Debug, Args)]
pub(crate) struct SealArgs {
    /// File holding the password (one trailing newline is ignored), or a JSON map
    /// `{"id": "password", …}` of passwords by id.
    #[arg(long)]
    pub password_file: std::path::PathBuf,
    /// With a password map: the id to seal with (opening uses the id in the seal).
    #[arg(long)]
    pub password_id: Option<String>,
    /// PBKDF2 iterations: 1 (iron-webcrypto, h3 1.x, the default) or 8192 (h3 2.x).
    #[arg(long, default_value_t = 1)]
    pub iterations: u32,
    /// Lifetime of the seal in seconds (sealing only; default: no expiry).
    #[arg(long)]
    pub ttl: Option<u64>,
    /// Encryption: aes-256-cbc (default) or aes-128-ctr.
    #[arg(long, default_value = "aes-256-cbc")]
    pub algorithm: String,
}

/// Options of `serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on (`127.0.0.1:0` picks a free port).
    #[arg(long, env = "HALLPASS_LISTEN")]
    pub listen: Option<String>,
    /// Database: `sqlite://hallpass.db` (created if missing), or
    /// `postgres://user:password@host/database` for several nodes (needs HALLPASS_MASTER_KEY).
    #[arg(long, env = "HALLPASS_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Public URL of this server, used as the tokens' `iss` (default: `http://<listen address>`).
    #[arg(long, env = "HALLPASS_ISSUER")]
    pub issuer: Option<String>,
    /// Request body limit in bytes (default 65536).
    #[arg(long, env = "HALLPASS_BODY_LIMIT")]
    pub body_limit: Option<usize>,
    /// Proxies (addresses or CIDR networks, comma-separated) whose `X-Forwarded-For` names the
    /// client of browser requests (default: none; the peer address is the client).
    #[arg(long, env = "HALLPASS_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<String>,
    /// Seconds a request head may take from its first byte, and a new connection may wait
    /// before sending one (default 10).
    #[arg(long, env = "HALLPASS_HEADER_READ_TIMEOUT")]
    pub header_read_timeout: Option<u64>,
    /// Seconds a request body may take to arrive whole; then 408 (default 30).
    #[arg(long, env = "HALLPASS_BODY_READ_TIMEOUT")]
    pub body_read_timeout: Option<u64>,
    /// Seconds a kept-alive connection may wait for its next request (default 75).
    #[arg(long, env = "HALLPASS_IDLE_TIMEOUT")]
    pub idle_timeout: Option<u64>,
    /// Most connections open at once; more are answered 503 and closed (default 4096, lowered
    /// to what the open-file limit allows).
    #[arg(long, env = "HALLPASS_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// Seconds shutdown waits for requests being served to finish (default 10).
    #[arg(long, env = "HALLPASS_SHUTDOWN_TIMEOUT")]
    pub shutdown_timeout: Option<u64>,
    /// How long events are kept, e.g. `30d` (the default), `12h`, `90m` or seconds.
    #[arg(long, env = "HALLPASS_EVENT_RETENTION")]
    pub event_retention: Option<String>,
    /// Failed authentications one client address may make in a burst before it is answered
    /// 429 (refilled at one fiftieth of it per second; default 100).
    #[arg(long, env = "HALLPASS_AUTH_FAILURE_BURST")]
    pub auth_failure_burst: Option<u32>,
    /// Let webhook endpoints be loopback or private addresses, and plain http:// there
    /// (development and tests; by default no webhook reaches the server's own network).
    #[arg(long, env = "HALLPASS_ALLOW_PRIVATE_WEBHOOKS")]
    pub allow_private_webhooks: bool,
    /// Also create a demo product, session type and keys, and print them.
    #[arg(long)]
    pub dev: bool,
    /// Settings file (default `hallpass.toml` in the current directory, if present).
    #[arg(long, env = "HALLPASS_CONFIG")]
    pub config: Option<std::path::PathBuf>,
}

/// Options every client command takes.
#[derive(Debug, Args)]
pub(crate) struct ClientArgs {
    /// Server URL.
    #[arg(long, global = true, env = "HALLPASS_URL")]
    pub url: Option<String>,
    /// API key (`hp_admin_…`, `hp_sk_…`).
    #[arg(long, global = true, env = "HALLPASS_KEY", hide_env_values = true)]
    pub key: Option<String>,
    /// Product (defaults to the key's).
    #[arg(long, global = true, env = "HALLPASS_PRODUCT")]
    pub product: Option<String>,
    /// Env (defaults to the key's).
    #[arg(long, global = true, env = "HALLPASS_ENV")]
    pub env: Option<String>,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Settings file (default `hallpass.toml` in the current directory, if present).
    #[arg(long, global = true, env = "HALLPASS_CONFIG")]
    pub config: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ClientCommand {
    /// Manage products (admin key).
    #[command(subcommand)]
    Products(ProductsCommand),
    /// Manage API keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Manage session types.
    #[command(subcommand)]
    Types(TypesCommand),
    /// Start, verify, refresh, list and revoke sessions.
    #[command(subcommand)]
    Sessions(SessionsCommand),
    /// Read the audit log.
    #[command(subcommand)]
    Events(EventsCommand),
    /// Manage webhook endpoints (admin key, or an access key of every env).
    #[command(subcommand)]
    Webhooks(WebhooksCommand),
}

#[derive(Debug, Subcommand)]
pub(crate) enum WebhooksCommand {
    /// Create an endpoint; prints its secret, shown only once.
    Create {
        /// Where to deliver (https://…); `--url` is the server's.
        #[arg(long)]
        endpoint: String,
        /// An event type to deliver (repeat for several); `*` for every type.
        #[arg(long = "event", required = true)]
        events: Vec<String>,
        /// A note for people.
        #[arg(long)]
        description: Option<String>,
    },
    /// List the product's endpoints.
    List,
    /// Show one endpoint.
    Get(IdArg),
    /// Change an endpoint.
    Update {
        #[command(flatten)]
        id: IdArg,
        /// New endpoint URL.
        #[arg(long)]
        endpoint: Option<String>,
        /// New event types (repeat for several; replaces the list).
        #[arg(long = "event")]
        events: Vec<String>,
        /// New description.
        #[arg(long)]
        description: Option<String>,
        /// Enable (true) or disable (false) deliveries.
        #[arg(long)]
        enabled: Option<bool>,
    },
    /// Delete an endpoint with its pending deliveries.
    Delete(IdArg),
    /// Send a webhook.test event now and print the attempt.
    Test(IdArg),
    /// The latest delivery attempts, newest first.
    Deliveries {
        #[command(flatten)]
        id: IdArg,
        /// How many (default 100, max 1000).
        #[arg(long)]
        limit: Option<u32>,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum EventsCommand {
    /// List recorded events, newest first (`--product`/`--env` narrow them).
    List {
        /// Only events of this type (repeat for several).
        #[arg(long = "type")]
        types: Vec<String>,
        /// Only events about this identifier's sessions.
        #[arg(long)]
        identifier: Option<String>,
        /// Only events about this session.
        #[arg(long)]
        session_id: Option<String>,
        /// Page size (default 100, max 1000).
        #[arg(long)]
        limit: Option<u32>,
        /// Cursor of the next page.
        #[arg(long)]
        cursor: Option<String>,
    },
}

/// A tag given as a positional value or as `--tag`.
#[derive(Debug, Args)]
pub(crate) struct TagArg {
    /// Tag.
    #[arg(value_name = "TAG", required_unless_present = "tag_option")]
    tag: Option<String>,
    /// Tag (the same as the positional TAG).
    #[arg(
        long = "tag",
        id = "tag_option",
        value_name = "TAG",
        conflicts_with = "tag"
    )]
    tag_option: Option<String>,
}

impl TagArg {
    /// The tag, whichever way it was given.
    pub fn value(self) -> String {
        self.tag.or(self.tag_option).unwrap_or_default()
    }
}

/// A key id given as a positional value or as `--id`.
#[derive(Debug, Args)]
pub(crate) struct IdArg {
    /// Key id.
    #[arg(value_name = "ID", required_unless_present = "id_option")]
    id: Option<String>,
    /// Key id (the same as the positional ID).
    #[arg(
        long = "id",
        id = "id_option",
        value_name = "ID",
        conflicts_with = "id"
    )]
    id_option: Option<String>,
}

impl IdArg {
    /// The id, whichever way it was given.
    pub fn value(self) -> String {
        self.id.or(self.id_option).unwrap_or_default()
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum ProductsCommand {
    /// Create a product.
    Create {
        #[command(flatten)]
        tag: TagArg,
        /// Display name (default: the tag).
        #[arg(long)]
        name: Option<String>,
        /// Env tags (repeat; default dev and prd).
        #[arg(long = "envs", value_delimiter = ',')]
        envs: Vec<String>,
        /// Origins allowed to call browser endpoints (repeat or comma-separate).
        #[arg(long = "allowed-origins", value_delimiter = ',')]
        allowed_origins: Vec<String>,
    },
    /// List products.
    List,
}

#[derive(Debug, Subcommand)]
pub(crate) enum KeysCommand {
    /// Create an access or publishable key (the secret is printed once).
    Create {
        /// `access` or `publishable`.
        #[arg(long, default_value = "access")]
        kind: String,
        /// Display name.
        #[arg(long)]
        name: String,
    },
    /// List keys (without secrets).
    List,
    /// Delete a key; it stops working at once.
    Delete {
        #[command(flatten)]
        id: IdArg,
    },
}

/// Session type fields, shared by create and update.
#[derive(Debug, Args)]
pub(crate) struct TypeFields {
    /// Display name.
    #[arg(long)]
    pub name: Option<String>,
    /// Description.
    #[arg(long)]
    pub description: Option<String>,
    /// Schema: an example JSON object, or a JSON Schema document.
    #[arg(long)]
    pub schema: Option<String>,
    /// Selector, e.g. '$Session{userId}'.
    #[arg(long)]
    pub selector: Option<String>,
    /// Token lifetime in period units.
    #[arg(long)]
    pub expiry: Option<u64>,
    /// seconds|minutes|hours|days|weeks.
    #[arg(long)]
    pub period: Option<String>,
    /// Session lifetime in refresh-period units.
    #[arg(long)]
    pub refresh_expiry: Option<u64>,
    /// Unit of --refresh-expiry.
    #[arg(long)]
    pub refresh_period: Option<String>,
    /// Refresh grace in seconds.
    #[arg(long)]
    pub refresh_grace: Option<u64>,
    /// Seconds without activity after which a session ends (60 to 31536000), or `none`.
    #[arg(long)]
    pub idle_timeout: Option<Clearable<u64>>,
    /// Most active sessions per identifier (1 to 1000), or `none`.
    #[arg(long)]
    pub max_sessions: Option<Clearable<u32>>,
    /// What a start beyond --max-sessions does: revoke_oldest or refuse.
    #[arg(long)]
    pub on_limit: Option<String>,
}

/// A number, or `none` to clear the field.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Clearable<T>(pub Option<T>);

impl<T: std::str::FromStr> std::str::FromStr for Clearable<T> {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "none" {
            return Ok(Self(None));
        }
        s.parse()
            .map(|n| Self(Some(n)))
            .map_err(|_| format!("'{s}' is neither a whole number nor `none`"))
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum TypesCommand {
    /// Create a session type.
    Create {
        #[command(flatten)]
        tag: TagArg,
        #[command(flatten)]
        fields: TypeFields,
    },
    /// Merge fields into a session type.
    Update {
        #[command(flatten)]
        tag: TagArg,
        #[command(flatten)]
        fields: TypeFields,
    },
    /// Show a session type.
    Get {
        #[command(flatten)]
        tag: TagArg,
    },
    /// List session types.
    List,
    /// Delete a session type.
    Delete {
        #[command(flatten)]
        tag: TagArg,
        /// Revoke its active sessions and delete anyway.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum SessionsCommand {
    /// Start a session.
    Start {
        /// Session type tag.
        #[arg(long)]
        tag: String,
        /// Session data as a JSON object.
        #[arg(long)]
        data: String,
        /// Identifier (else the type's selector picks it).
        #[arg(long)]
        identifier: Option<String>,
        /// Token lifetime override in seconds.
        #[arg(long)]
        expires_in: Option<u64>,
        /// How the user authenticated (comma-separated, e.g. pwd,otp).
        #[arg(long, value_delimiter = ',')]
        amr: Vec<String>,
    },
    /// Verify a token.
    Verify {
        /// Session type tag.
        #[arg(long)]
        tag: String,
        /// The token.
        #[arg(long)]
        token: String,
        /// Refuse it when the user authenticated longer ago than this many seconds.
        #[arg(long)]
        max_auth_age: Option<u64>,
    },
    /// Change a live session's data (older tokens are superseded).
    Update {
        /// Session type tag.
        #[arg(long)]
        tag: String,
        /// Session id.
        #[arg(long)]
        session_id: String,
        /// The new data as a JSON object (merged; a null removes a key).
        #[arg(long)]
        data: String,
        /// Replace the data instead of merging into it.
        #[arg(long)]
        replace: bool,
    },
    /// Change the data of every active session of an identifier.
    UpdateAll {
        /// Session type tag.
        #[arg(long)]
        tag: String,
        /// Identifier.
        #[arg(long)]
        identifier: String,
        /// The new data as a JSON object (merged; a null removes a key).
        #[arg(long)]
        data: String,
        /// Replace the data instead of merging into it.
        #[arg(long)]
        replace: bool,
    },
    /// Record that the user authenticated again (step-up): auth_time becomes now.
    Reauthenticate {
        /// Session type tag.
        #[arg(long)]
        tag: String,
        /// Session id.
        #[arg(long)]
        session_id: String,
        /// How they did (comma-separated, e.g. pwd,otp); kept when absent.
        #[arg(long, value_delimiter = ',')]
        amr: Vec<String>,
    },
    /// Refresh a session.
    Refresh {
        /// Session type tag.
        #[arg(long)]
        tag: String,
        /// The refresh token.
        #[arg(long)]
        refresh_token: String,
    },
    /// Revoke a session.
    Revoke {
        /// Session type tag.
        #[arg(long)]
        tag: String,
        /// Session id.
        #[arg(long)]
        session_id: String,
    },
    /// Revoke every session of an identifier.
    RevokeAll {
        /// Session type tag.
        #[arg(long)]
        tag: String,
        /// Identifier.
        #[arg(long)]
        identifier: String,
        /// Session id to keep.
        #[arg(long)]
        exclude_current_session: Option<String>,
    },
    /// List an identifier's active sessions.
    List {
        /// Session type tag.
        #[arg(long)]
        tag: String,
        /// Identifier.
        #[arg(long)]
        identifier: String,
        /// Page size.
        #[arg(long)]
        limit: Option<u32>,
        /// Cursor of the next page.
        #[arg(long)]
        cursor: Option<String>,
    },
}
