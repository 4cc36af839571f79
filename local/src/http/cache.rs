//! `GET /cache/stats` and `POST /cache/clear`: the agent's cache of execution results. Here
//! that is the store of finished background runs (`exec/background.rs`), whose results are
//! kept for later reads; clearing it forgets them (running ones stay listed and killable).

use super::agent::Agent;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

/// The store's numbers, also part of `/metrics/snapshot`.
pub fn numbers(agent: &Agent) -> Value {
    let s = agent.sandbox.background.cache_stats();
    let lookups = s.hits + s.misses;
    let hit_rate = if lookups == 0 { 0.0 } else { s.hits as f64 / lookups as f64 };
    json!({
        "size": s.size,
        "max_size": s.max_size,
        "total_hits": s.hits,
        "hits": s.hits,
        "misses": s.misses,
        "hit_rate": hit_rate,
        // Results are kept until newer ones push them out, not for a time.
        "ttl": "none",
    })
}

pub async fn stats(State(agent): State<Agent>) -> Json<Value> {
    Json(json!({ "cache": numbers(&agent), "timestamp": crate::ids::now_rfc3339() }))
}

pub async fn clear(State(agent): State<Agent>) -> Json<Value> {
    let removed = agent.sandbox.background.clear_finished();
    Json(json!({
        "message": "Cache cleared",
        "entries_removed": removed,
        "timestamp": crate::ids::now_rfc3339(),
    }))
}
