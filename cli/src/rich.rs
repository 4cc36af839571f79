//! Rich outputs (plots, images, tables) as MCP content: PNG and JPEG as image content, HTML
//! and the rest as text, so an assistant sees the plot itself.

use hopx_core::RichOutput;
use rmcp::model::ContentBlock;
use serde_json::Value;

pub fn blocks(output: &RichOutput) -> Vec<ContentBlock> {
    let string = |mime: &str| output.data.get(mime).and_then(Value::as_str);
    for mime in ["image/png", "image/jpeg"] {
        if let Some(b64) = string(mime) {
            return vec![ContentBlock::image(b64.replace(['\n', '\r'], ""), mime)];
        }
    }
    for (mime, label) in [("text/html", "HTML"), ("image/svg+xml", "SVG"), ("text/markdown", "Markdown")] {
        if let Some(body) = string(mime) {
            return vec![ContentBlock::text(format!("{label} output:\n{body}"))];
        }
    }
    if let Some(json) = output.data.get("application/json") {
        return vec![ContentBlock::text(format!("JSON output:\n{json}"))];
    }
    string("text/plain").map(|t| vec![ContentBlock::text(t.to_string())]).unwrap_or_default()
}
