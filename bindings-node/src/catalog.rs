//! Calls that are not about one sandbox: the pages `Sandbox.iter` walks through, the
//! templates, and the control plane's health. Answers are the control plane's JSON as it is.

use crate::convert::{ClientArgs, ListArgs};
use crate::errors::IntoJs;
use crate::sandbox::Sandbox;
use hopx_core as hcore;
use napi::Result;
use napi_derive::napi;
use serde_json::Value;

/// One page of sandboxes and the cursor of the next, if there is one (only ever returned).
#[napi(object, object_from_js = false)]
pub struct SandboxPage {
    pub sandboxes: Vec<Sandbox>,
    pub next_cursor: Option<String>,
}

async fn client(args: ClientArgs) -> Result<hcore::Client> {
    hcore::Client::new(args.into()).await.js()
}

/// One page of `GET /v1/sandboxes` from `cursor`.
#[napi(catch_unwind)]
pub async fn list_page(
    client_args: ClientArgs,
    options: ListArgs,
    cursor: Option<String>,
) -> Result<SandboxPage> {
    let c = client(client_args).await?;
    let (page, next_cursor) = c.list_page(options.into(), cursor.as_deref()).await.js()?;
    Ok(SandboxPage {
        sandboxes: page.into_iter().map(|(inner, _)| Sandbox::wrap(inner)).collect(),
        next_cursor,
    })
}

/// `GET /v1/templates`.
#[napi(catch_unwind)]
pub async fn list_templates(
    client_args: ClientArgs,
    category: Option<String>,
    language: Option<String>,
) -> Result<Vec<Value>> {
    client(client_args).await?.list_templates(category.as_deref(), language.as_deref()).await.js()
}

/// `GET /v1/templates/{name}`.
#[napi(catch_unwind)]
pub async fn get_template(client_args: ClientArgs, name: String) -> Result<Value> {
    client(client_args).await?.get_template(&name).await.js()
}

/// `DELETE /v1/templates/{template_id}`.
#[napi(catch_unwind)]
pub async fn delete_template(client_args: ClientArgs, template_id: String) -> Result<Value> {
    client(client_args).await?.delete_template(&template_id).await.js()
}

/// `GET /health` of the control plane.
#[napi(catch_unwind)]
pub async fn health_check(client_args: ClientArgs) -> Result<Value> {
    client(client_args).await?.health_check().await.js()
}
