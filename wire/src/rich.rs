//! Rich outputs (plots, tables, any MIME bundle) and the flat fields that repeat them.
//!
//! A run's rich outputs travel twice in an `/execute` response: as the `rich_outputs` array,
//! and as the flat fields the official SDKs read (`png`, `html`, ...: the first output of each
//! type). The engine writes the flat fields from its outputs and the client fills the ones a
//! stream result lacks the same way, so both use [`FlatRich::of`].

use crate::lenient::or_default;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

const PNG: &str = "image/png";
const HTML: &str = "text/html";
const SVG: &str = "image/svg+xml";
const MARKDOWN: &str = "text/markdown";
const JSON: &str = "application/json";
const PLAIN: &str = "text/plain";

/// One rich output of a run: a plot, a table, any MIME bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RichOutput {
    /// The main MIME type, a plain string such as `image/png`.
    #[serde(rename = "type")]
    pub mime_type: String,
    /// MIME type to payload (base64 text for images, text or JSON otherwise).
    #[serde(default)]
    pub data: Map<String, Value>,
    #[serde(default)]
    pub metadata: Map<String, Value>,
}

impl RichOutput {
    /// An output with one payload.
    pub fn single(mime: &str, payload: Value) -> RichOutput {
        let mut data = Map::new();
        data.insert(mime.to_string(), payload);
        RichOutput { mime_type: mime.to_string(), data, metadata: Map::new() }
    }

    /// Marks the output as the value of the cell's last expression (`metadata.kind`), which
    /// is where the flat `result` comes from.
    pub fn mark_as_result(&mut self) {
        self.metadata.insert("kind".into(), Value::from("result"));
    }

    /// Whether [`RichOutput::mark_as_result`] marked it.
    pub fn is_result(&self) -> bool {
        self.metadata.get("kind") == Some(&Value::from("result"))
    }
}

/// The flat rich fields of an `/execute` response (the official JS SDK's fields). A text field
/// that is empty counts as absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FlatRich {
    /// Base64 PNG.
    #[serde(default, deserialize_with = "or_default", skip_serializing_if = "Option::is_none")]
    pub png: Option<String>,
    #[serde(default, deserialize_with = "or_default", skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    #[serde(default, deserialize_with = "or_default", skip_serializing_if = "Option::is_none")]
    pub svg: Option<String>,
    #[serde(default, deserialize_with = "or_default", skip_serializing_if = "Option::is_none")]
    pub markdown: Option<String>,
    /// A JSON value (the spec types it as an object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json: Option<Value>,
    /// The text of the last expression's value (a figure shows as `<Figure size ... with 1
    /// Axes>`, as in Jupyter).
    #[serde(default, deserialize_with = "or_default", skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
}

impl FlatRich {
    /// The flat fields of `outputs`: each the first payload of its type (text only when not
    /// empty), and `result` the plain text of the last output marked as a result.
    pub fn of(outputs: &[RichOutput]) -> FlatRich {
        let first = |mime: &str| outputs.iter().find_map(|o| o.data.get(mime));
        let text = |v: Option<&Value>| v.and_then(Value::as_str).filter(|s| !s.is_empty()).map(String::from);
        let last_result = outputs.iter().rev().find(|o| o.is_result());
        FlatRich {
            png: text(first(PNG)),
            html: text(first(HTML)),
            svg: text(first(SVG)),
            markdown: text(first(MARKDOWN)),
            json: first(JSON).cloned(),
            result: text(last_result.and_then(|o| o.data.get(PLAIN))),
        }
    }

    /// These fields, with the missing ones taken from `other`.
    pub fn or(self, other: FlatRich) -> FlatRich {
        FlatRich {
            png: self.png.or(other.png),
            html: self.html.or(other.html),
            svg: self.svg.or(other.svg),
            markdown: self.markdown.or(other.markdown),
            json: self.json.or(other.json),
            result: self.result.or(other.result),
        }
    }

    /// One output per field that is set, in the order the official SDKs build them (`result`
    /// aside: whether it is an output is the reader's call).
    pub fn outputs(&self) -> Vec<RichOutput> {
        let texts = [(PNG, &self.png), (HTML, &self.html), (SVG, &self.svg), (MARKDOWN, &self.markdown)];
        let mut out: Vec<RichOutput> = texts
            .into_iter()
            .filter_map(|(mime, v)| v.as_ref().filter(|s| !s.is_empty()).map(|s| (mime, s)))
            .map(|(mime, s)| RichOutput::single(mime, Value::String(s.clone())))
            .collect();
        out.extend(self.json.clone().map(|v| RichOutput::single(JSON, v)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn output(v: Value) -> RichOutput {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn flat_fields_take_the_first_output_of_each_type_and_the_last_result() {
        let mut value = output(json!({"type": PLAIN, "data": {PLAIN: "<Figure>"}}));
        value.mark_as_result();
        let outputs = [
            output(json!({"type": HTML, "data": {HTML: ""}})),
            output(json!({"type": PNG, "data": {PNG: "AAAA", PLAIN: "<Figure>"}})),
            output(json!({"type": PNG, "data": {PNG: "BBBB"}})),
            output(json!({"type": JSON, "data": {JSON: [1, 2]}})),
            value,
        ];
        let flat = FlatRich::of(&outputs);
        assert_eq!(flat.png.as_deref(), Some("AAAA"));
        assert_eq!(flat.html, None, "an empty text is no field");
        assert_eq!(flat.json, Some(json!([1, 2])));
        assert_eq!(flat.result.as_deref(), Some("<Figure>"));
        assert_eq!(FlatRich::of(&outputs[..4]).result, None, "only a marked output is a result");
    }

    #[test]
    fn flat_fields_read_leniently_and_become_outputs_in_order() {
        let flat: FlatRich =
            serde_json::from_value(json!({"svg": "<svg/>", "png": "AA", "html": 5, "json": null})).unwrap();
        assert_eq!((flat.html.as_deref(), flat.json.as_ref()), (None, None));
        let types: Vec<_> = flat.outputs().into_iter().map(|o| o.mime_type).collect();
        assert_eq!(types, [PNG, SVG]);
        let kept = FlatRich { png: Some("P".into()), ..Default::default() }.or(flat);
        assert_eq!((kept.png.as_deref(), kept.svg.as_deref()), (Some("P"), Some("<svg/>")));
    }
}
