//! The client commands: each builds a request, calls the server through
//! [`hallpass_client::Client`] and prints the answer.

use std::process::ExitCode;

use anyhow::Context as _;
use hallpass_api as api;
use hallpass_client::Client;
use serde::Serialize;

use crate::args::{
    ClientCommand, EventsCommand, KeysCommand, ProductsCommand, SessionsCommand, TypeFields,
    TypesCommand, WebhooksCommand,
};
use crate::output;
use crate::settings::ClientSettings;

fn json_arg(what: &str, text: &str) -> anyhow::Result<serde_json::Value> {
    serde_json::from_str(text).with_context(|| format!("--{what} must be JSON"))
}

fn type_body(
    tag: Option<String>,
    product: Option<String>,
    f: TypeFields,
) -> anyhow::Result<api::SessionTypeBody> {
    Ok(api::SessionTypeBody {
        product,
        tag,
        name: f.name,
        description: f.description.map(Some),
        schema: f
            .schema
            .as_deref()
            .map(|s| json_arg("schema", s))
            .transpose()?
            .map(Some),
        selector: f.selector.map(Some),
        expiry: f.expiry,
        period: f.period,
        refresh_expiry: f.refresh_expiry,
        refresh_period: f.refresh_period,
        refresh_grace: f.refresh_grace,
        idle_timeout: f.idle_timeout.map(|c| c.0),
        max_sessions: f.max_sessions.map(|c| c.0),
        on_limit: f.on_limit,
        ..Default::default()
    })
}

/// A repeated flag given at least once, or `None`.
fn non_empty(items: Vec<String>) -> Option<Vec<String>> {
    (!items.is_empty()).then_some(items)
}

fn show<T: Serialize>(value: &T, json: bool) -> anyhow::Result<ExitCode> {
    output::print(&serde_json::to_value(value)?, json);
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn run(s: ClientSettings, cmd: ClientCommand) -> anyhow::Result<ExitCode> {
    let client = Client::new(&s.url, &s.key)?;
    let (product, env, json) = (s.product.clone(), s.env.clone(), s.json);
    match cmd {
        ClientCommand::Products(ProductsCommand::Create {
            tag,
            name,
            envs,
            allowed_origins,
        }) => {
            let tag = tag.value();
            let body = api::ProductCreate {
                name: name.unwrap_or_else(|| tag.clone()),
                tag,
                envs: (!envs.is_empty()).then_some(envs),
                allowed_origins: (!allowed_origins.is_empty()).then_some(allowed_origins),
            };
            show(&client.create_product(&body).await?, json)
        }
        ClientCommand::Products(ProductsCommand::List) => show(&client.products().await?, json),
        ClientCommand::Keys(KeysCommand::Create { kind, name }) => {
            let created = client
                .create_key(&api::KeyCreate {
                    kind,
                    product,
                    env,
                    name,
                })
                .await?;
            if !json {
                eprintln!("store this key now: it is not shown again");
            }
            show(&created, json)
        }
        ClientCommand::Keys(KeysCommand::List) => show(&client.keys().await?, json),
        ClientCommand::Keys(KeysCommand::Delete { id }) => {
            show(&client.delete_key(&id.value()).await?, json)
        }
        ClientCommand::Types(TypesCommand::Create { tag, fields }) => show(
            &client
                .create_session_type(&type_body(Some(tag.value()), product, fields)?)
                .await?,
            json,
        ),
        ClientCommand::Types(TypesCommand::Update { tag, fields }) => show(
            &client
                .update_session_type(&tag.value(), &type_body(None, product, fields)?)
                .await?,
            json,
        ),
        ClientCommand::Types(TypesCommand::Get { tag }) => show(
            &client
                .session_type(&tag.value(), product.as_deref())
                .await?,
            json,
        ),
        ClientCommand::Types(TypesCommand::List) => {
            show(&client.session_types(product.as_deref()).await?, json)
        }
        ClientCommand::Types(TypesCommand::Delete { tag, force }) => show(
            &client
                .delete_session_type(&tag.value(), product.as_deref(), force)
                .await?,
            json,
        ),
        ClientCommand::Sessions(cmd) => sessions(&client, product, env, json, cmd).await,
        ClientCommand::Webhooks(cmd) => webhooks(&client, product, env, json, cmd).await,
        ClientCommand::Events(EventsCommand::List {
            types,
            identifier,
            session_id,
            limit,
            cursor,
        }) => show(
            &client
                .events(&api::EventsQuery {
                    product,
                    env,
                    types,
                    identifier,
                    session_id,
                    cursor,
                    limit,
                })
                .await?,
            json,
        ),
    }
}

async fn sessions(
    client: &Client,
    product: Option<String>,
    env: Option<String>,
    json: bool,
    cmd: SessionsCommand,
) -> anyhow::Result<ExitCode> {
    match cmd {
        SessionsCommand::Start {
            tag,
            data,
            identifier,
            expires_in,
            amr,
        } => {
            let req = api::StartRequest {
                product,
                env,
                tag,
                data: json_arg("data", &data)?,
                identifier: identifier.map(serde_json::Value::String),
                expires_in,
                device: None,
                amr: non_empty(amr),
            };
            show(&client.start(&req).await?, json)
        }
        SessionsCommand::Verify {
            tag,
            token,
            max_auth_age,
        } => show(
            &client
                .verify(&api::VerifyRequest {
                    product,
                    env,
                    tag,
                    token,
                    max_auth_age,
                })
                .await?,
            json,
        ),
        SessionsCommand::Update {
            tag,
            session_id,
            data,
            replace,
        } => {
            let req = api::UpdateRequest {
                product,
                env,
                tag,
                session_id,
                data: json_arg("data", &data)?,
                merge: Some(!replace),
            };
            show(&client.update(&req).await?, json)
        }
        SessionsCommand::UpdateAll {
            tag,
            identifier,
            data,
            replace,
        } => {
            let req = api::UpdateAllRequest {
                product,
                env,
                tag,
                identifier,
                data: json_arg("data", &data)?,
                merge: Some(!replace),
            };
            show(&client.update_all(&req).await?, json)
        }
        SessionsCommand::Reauthenticate {
            tag,
            session_id,
            amr,
        } => {
            let req = api::ReauthenticateRequest {
                product,
                env,
                tag,
                session_id,
                amr: non_empty(amr),
            };
            show(&client.reauthenticate(&req).await?, json)
        }
        SessionsCommand::Refresh { tag, refresh_token } => show(
            &client
                .refresh(&api::RefreshRequest {
                    product,
                    env,
                    tag,
                    refresh_token,
                })
                .await?,
            json,
        ),
        SessionsCommand::Revoke { tag, session_id } => show(
            &client
                .revoke(&api::RevokeRequest {
                    product,
                    env,
                    tag,
                    session_id,
                })
                .await?,
            json,
        ),
        SessionsCommand::RevokeAll {
            tag,
            identifier,
            exclude_current_session,
        } => {
            let req = api::RevokeAllRequest {
                product,
                env,
                tag,
                identifier,
                exclude_current_session,
            };
            show(&client.revoke_all(&req).await?, json)
        }
        SessionsCommand::List {
            tag,
            identifier,
            limit,
            cursor,
        } => show(
            &client
                .list(&api::ListRequest {
                    product,
                    env,
                    tag,
                    identifier,
                    limit,
                    cursor,
                })
                .await?,
            json,
        ),
    }
}

async fn webhooks(
    client: &Client,
    product: Option<String>,
    env: Option<String>,
    json: bool,
    cmd: WebhooksCommand,
) -> anyhow::Result<ExitCode> {
    match cmd {
        WebhooksCommand::Create {
            endpoint,
            events,
            description,
        } => {
            let created = client
                .create_webhook(&api::WebhookCreate {
                    product,
                    env,
                    url: endpoint,
                    events,
                    description,
                })
                .await?;
            if !json {
                eprintln!("store this secret now: it is not shown again");
            }
            show(&created, json)
        }
        WebhooksCommand::List => show(&client.webhooks(product.as_deref()).await?, json),
        WebhooksCommand::Get(id) => show(&client.webhook(&id.value()).await?, json),
        WebhooksCommand::Update {
            id,
            endpoint,
            events,
            description,
            enabled,
        } => {
            let patch = api::WebhookPatchBody {
                url: endpoint,
                events: non_empty(events),
                description: description.map(Some),
                enabled,
            };
            show(&client.update_webhook(&id.value(), &patch).await?, json)
        }
        WebhooksCommand::Delete(id) => show(&client.delete_webhook(&id.value()).await?, json),
        WebhooksCommand::Test(id) => show(&client.test_webhook(&id.value()).await?, json),
        WebhooksCommand::Deliveries { id, limit } => {
            show(&client.webhook_deliveries(&id.value(), limit).await?, json)
        }
    }
}
