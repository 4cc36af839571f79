//! `sandbox.env`: the sandbox-wide environment variables (the agent's `/env`). Every later run,
//! command and background run sees them under its own request's `env`, which wins.
//!
//! Every call may be sent twice without harm (a read, a replace, a merge of the same values),
//! so all retry like any idempotent call. The agent has no call that removes one variable, so
//! `delete` reads all and writes back the rest; it refuses when the agent masked a value it
//! would write back, instead of replacing a secret by its mask as the official SDKs do.

use crate::error::{Error, ErrorKind, Plane};
use crate::http;
use crate::retry::IDEMPOTENT;
use crate::sandbox::Sandbox;
use crate::Result;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// Timeout of each `/env` call (the official SDKs' agent default).
const ENV_TIMEOUT: Duration = Duration::from_secs(60);
/// What an agent sends instead of a value it considers secret (names with KEY, TOKEN, ...).
pub const MASKED: &str = "***MASKED***";

/// Variable names to values.
pub type EnvVars = BTreeMap<String, String>;

/// The environment calls of one sandbox. Cheap to clone.
#[derive(Clone)]
pub struct Env {
    sandbox: Sandbox,
    timeout: Option<Duration>,
}

impl Env {
    /// The same calls with `timeout` bounding each request (`None`: 60 s).
    pub fn with_timeout(&self, timeout: Option<Duration>) -> Env {
        Env { sandbox: self.sandbox.clone(), timeout }
    }

    /// `GET /env`: every sandbox-wide variable.
    pub async fn get_all(&self) -> Result<EnvVars> {
        let answer = self.call(reqwest::Method::GET, None).await?;
        vars_of(answer)?.ok_or_else(|| not_understood("no env_vars"))
    }

    /// One variable, `None` when it is not set.
    pub async fn get(&self, key: &str) -> Result<Option<String>> {
        checked_key(key)?;
        Ok(self.get_all().await?.remove(key))
    }

    /// `PUT /env`: replaces every variable by `vars`; returns them all afterwards.
    pub async fn set_all(&self, vars: &EnvVars) -> Result<EnvVars> {
        checked_vars(vars)?;
        let answer = self.call(reqwest::Method::PUT, Some(json!({ "env_vars": vars }))).await?;
        // An agent that answers with no body (204) did what was asked.
        Ok(vars_of(answer)?.unwrap_or_else(|| vars.clone()))
    }

    /// `PATCH /env`: sets `vars`, keeping the others; returns them all afterwards.
    pub async fn update(&self, vars: &EnvVars) -> Result<EnvVars> {
        checked_vars(vars)?;
        let body = json!({ "env_vars": vars, "merge": true });
        match vars_of(self.call(reqwest::Method::PATCH, Some(body)).await?)? {
            Some(all) => Ok(all),
            None => self.get_all().await,
        }
    }

    /// Sets one variable, keeping the others; returns them all afterwards.
    pub async fn set(&self, key: &str, value: &str) -> Result<EnvVars> {
        self.update(&EnvVars::from([(key.to_string(), value.to_string())])).await
    }

    /// Removes one variable (nothing happens when it is not set).
    pub async fn delete(&self, key: &str) -> Result<()> {
        checked_key(key)?;
        let mut all = self.get_all().await?;
        if all.remove(key).is_none() {
            return Ok(());
        }
        let masked: Vec<&str> = all.iter().filter(|(_, v)| *v == MASKED).map(|(k, _)| k.as_str()).collect();
        if !masked.is_empty() {
            return Err(Error::new(
                ErrorKind::Validation,
                format!(
                    "cannot delete {key}: the agent hides the values of {} and has no call that \
                     removes one variable, so writing the others back would replace those \
                     values by {MASKED}; use set_all with every value instead",
                    masked.join(", ")
                ),
            ));
        }
        self.set_all(&all).await.map(drop)
    }

    async fn call(&self, method: reqwest::Method, body: Option<Value>) -> Result<Value> {
        let timeout = self.timeout.unwrap_or(ENV_TIMEOUT);
        let http = self.sandbox.client().control().http()?;
        self.sandbox.ensure_alive()?;
        let body = body.map(|b| b.to_string());
        self.sandbox
            .agent_call(&IDEMPOTENT, |url, tok| {
                let mut req = http.request(method.clone(), format!("{url}/env")).bearer_auth(tok);
                if let Some(body) = &body {
                    req = req.header("Content-Type", "application/json").body(body.clone());
                }
                async move { http::send(Plane::Agent, req, timeout).await }
            })
            .await
    }
}

impl Sandbox {
    /// The sandbox-wide environment variables (`sandbox.env`).
    pub fn env(&self) -> Env {
        Env { sandbox: self.clone(), timeout: None }
    }
}

/// The `env_vars` of an answer; `None` when the answer has none (an empty 200 or a 204).
fn vars_of(answer: Value) -> Result<Option<EnvVars>> {
    let Value::Object(mut obj) = answer else { return Err(not_understood("not an object")) };
    match obj.remove("env_vars") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => map
            .into_iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k, s)),
                // Numbers and booleans are values too, as their JSON text.
                Value::Number(_) | Value::Bool(_) => Ok((k, v.to_string())),
                other => Err(not_understood(&format!("{k} is {other}"))),
            })
            .collect::<Result<EnvVars>>()
            .map(Some),
        Some(other) => Err(not_understood(&format!("env_vars is {other}"))),
    }
}

fn not_understood(why: &str) -> Error {
    Error::new(ErrorKind::Api, format!("the agent's answer to /env could not be read: {why}"))
}

/// A name a process environment can hold: not empty, no `=`, no NUL.
fn checked_key(key: &str) -> Result<()> {
    if key.is_empty() || key.contains(['=', '\0']) {
        return Err(Error::validation(format!(
            "invalid environment variable name {key:?}: it must be non-empty without '=' or NUL"
        )));
    }
    Ok(())
}

/// Names and values of variables a process environment can hold.
pub(crate) fn checked_vars(vars: &EnvVars) -> Result<()> {
    for (key, value) in vars {
        checked_key(key)?;
        if value.contains('\0') {
            return Err(Error::validation(format!("the value of {key} contains a NUL byte")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_strictly() {
        let all = vars_of(json!({"env_vars": {"A": "1", "N": 2, "B": true}})).unwrap().unwrap();
        assert_eq!(
            all,
            EnvVars::from([("A".into(), "1".into()), ("N".into(), "2".into()), ("B".into(), "true".into())])
        );
        assert_eq!(vars_of(json!({})).unwrap(), None);
        assert!(vars_of(json!({"env_vars": ["A"]})).is_err());
        assert!(vars_of(json!({"env_vars": {"A": {"x": 1}}})).is_err());
        assert!(vars_of(json!("text")).is_err());
    }

    #[test]
    fn names_and_values_are_checked() {
        for bad in ["", "A=B", "A\0"] {
            assert_eq!(checked_key(bad).unwrap_err().kind, ErrorKind::Validation, "{bad:?}");
        }
        assert!(checked_key("PATH").is_ok());
        let nul = EnvVars::from([("A".into(), "x\0y".into())]);
        assert_eq!(checked_vars(&nul).unwrap_err().kind, ErrorKind::Validation);
    }
}
