//! How a reader survives what the cloud may send: fields of another type than documented,
//! `null` where a list should be, items it cannot read. Used through
//! `#[serde(default, deserialize_with = "...")]` on the fields that need it.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Any value that fits `T`, else `T`'s default: a field of the wrong type reads like a
/// missing one, instead of failing the whole body.
pub fn or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + Default,
{
    Ok(serde_json::from_value(Value::deserialize(d)?).unwrap_or_default())
}

/// A list of which only the items that fit are kept; anything but a list is `None`.
pub fn fitting_items<'de, D, T>(d: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => {
            Some(items.into_iter().filter_map(|v| serde_json::from_value(v).ok()).collect())
        }
        _ => None,
    })
}

/// A list whose `null` items are skipped, and `null` itself is empty; an item that does not
/// fit fails the whole list (a broken record is reported, not hidden).
pub fn present_items<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let items: Option<Vec<Option<T>>> = Deserialize::deserialize(d)?;
    Ok(items.into_iter().flatten().flatten().collect())
}

/// An integer, a numeric string or nothing (older docs send organisation ids as strings).
pub fn int_or_numeric_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    })
}

/// For `skip_serializing_if`: a flag is only written when set.
pub fn is_false(b: &bool) -> bool {
    !*b
}
