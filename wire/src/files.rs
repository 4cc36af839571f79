//! The agent's `/files/*` calls: the JSON answers of read, write, list and exists, the write
//! request, and the messages of the `/files/watch` WebSocket. Upload (multipart) and download
//! (raw bytes) carry no JSON but the plain [`FileResponse`] of the upload.

use crate::lenient::{or_default, present_items};
use serde::{Deserialize, Serialize};

/// The body of `POST /files/write`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileWriteRequest {
    pub path: String,
    /// Text, or base64 when `encoding` is `"base64"`.
    pub content: String,
    /// Octal permission bits, as text (`"0644"`).
    pub mode: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
}

/// `GET /files/read`: a text file's content.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileContent {
    #[serde(default, deserialize_with = "or_default")]
    pub content: String,
    #[serde(default, deserialize_with = "or_default")]
    pub path: String,
    #[serde(default, deserialize_with = "or_default")]
    pub size: u64,
}

/// What write, upload, remove and mkdir answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileResponse {
    #[serde(default = "yes", deserialize_with = "or_default")]
    pub success: bool,
    #[serde(default, deserialize_with = "or_default")]
    pub path: String,
    #[serde(default, deserialize_with = "or_default")]
    pub size: u64,
    #[serde(default, deserialize_with = "or_default")]
    pub message: String,
    #[serde(default, deserialize_with = "or_default")]
    pub timestamp: String,
}

fn yes() -> bool {
    true
}

/// One entry of a folder listing. Older agents spell three fields differently; a reader
/// takes either spelling.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileInfo {
    #[serde(default, deserialize_with = "or_default")]
    pub name: String,
    #[serde(default, deserialize_with = "or_default")]
    pub path: String,
    #[serde(default, deserialize_with = "or_default")]
    pub size: u64,
    #[serde(default, alias = "is_dir", deserialize_with = "or_default")]
    pub is_directory: bool,
    /// RFC 3339.
    #[serde(default, alias = "modified", deserialize_with = "or_default")]
    pub modified_time: String,
    /// As `ls -l` shows them: `-rw-r--r--`, `drwxr-xr-x`.
    #[serde(default, alias = "mode", deserialize_with = "or_default")]
    pub permissions: String,
}

/// `GET /files/list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileList {
    #[serde(default, deserialize_with = "or_default")]
    pub path: String,
    #[serde(default, deserialize_with = "or_default")]
    pub count: u64,
    #[serde(default, deserialize_with = "present_items")]
    pub files: Vec<FileInfo>,
}

/// `GET /files/exists`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileExists {
    #[serde(default, deserialize_with = "or_default")]
    pub exists: bool,
    #[serde(default, deserialize_with = "or_default")]
    pub path: String,
}

/// What the client sends on `/files/watch`: `{"action": "watch", "path": ...}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatchRequest {
    pub action: String,
    pub path: String,
}

/// A change the agent reports on `/files/watch`: `{"type": "change", ...}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileChange {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default, deserialize_with = "or_default")]
    pub path: String,
    /// `created`, `modified`, `deleted` or `renamed`.
    #[serde(default, deserialize_with = "or_default")]
    pub event: String,
    #[serde(default, deserialize_with = "or_default")]
    pub timestamp: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn listings_read_either_spelling_and_skip_nulls() {
        let list: FileList = serde_json::from_value(json!({
            "path": "/workspace",
            "files": [
                {"name": "a", "path": "/workspace/a", "size": 3, "is_dir": true, "modified": "t", "mode": "drwx"},
                null,
                {"name": "b", "size": "not a number"}
            ]
        }))
        .unwrap();
        assert_eq!(list.files.len(), 2);
        assert!(list.files[0].is_directory);
        assert_eq!(list.files[0].permissions, "drwx");
        assert_eq!(list.files[0].modified_time, "t");
        assert_eq!(list.files[1].size, 0);
        let empty: FileList = serde_json::from_value(json!({"files": null})).unwrap();
        assert!(empty.files.is_empty());
    }

    #[test]
    fn a_write_request_has_the_wire_fields() {
        let text =
            FileWriteRequest { path: "/a".into(), content: "x".into(), mode: "0644".into(), encoding: None };
        assert_eq!(
            serde_json::to_value(&text).unwrap(),
            json!({"path": "/a", "content": "x", "mode": "0644"})
        );
        let change: FileChange =
            serde_json::from_value(json!({"type": "change", "path": "/w/a", "event": "created"})).unwrap();
        assert_eq!((change.kind.as_str(), change.event.as_str()), ("change", "created"));
    }
}
