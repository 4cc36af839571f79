//! The envelope of the control plane's lists (`GET /v1/sandboxes`, `GET /v1/templates`).

use crate::lenient::{or_default, present_items};
use serde::{Deserialize, Serialize};

/// A page of records. A reader takes a missing or `null` `data` as empty and skips `null`
/// items; an item it cannot read fails the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub struct List<T> {
    /// Always `"list"`.
    #[serde(default, deserialize_with = "or_default")]
    pub object: String,
    #[serde(default = "Vec::new", deserialize_with = "present_items")]
    pub data: Vec<T>,
    #[serde(default, deserialize_with = "or_default")]
    pub has_more: bool,
    /// Where the next page starts (the `cursor` query parameter); left out on the last page.
    #[serde(default, deserialize_with = "or_default", skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// The path listed.
    #[serde(default, deserialize_with = "or_default")]
    pub url: String,
    #[serde(default, deserialize_with = "or_default")]
    pub request_id: String,
}

impl<T> List<T> {
    /// A page of `data` listed at `url`.
    pub fn new(data: Vec<T>, url: &str, request_id: String) -> List<T> {
        List { object: "list".into(), data, has_more: false, next_cursor: None, url: url.into(), request_id }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    #[test]
    fn null_data_and_null_items_are_nothing() {
        let list: List<Value> = serde_json::from_value(json!({"data": null})).unwrap();
        assert!(list.data.is_empty());
        let list: List<u8> = serde_json::from_value(json!({"data": [1, null, 2], "url": 5})).unwrap();
        assert_eq!((list.data, list.url), (vec![1, 2], String::new()));
        assert!(serde_json::from_value::<List<u8>>(json!({"data": ["x"]})).is_err());
    }
}
