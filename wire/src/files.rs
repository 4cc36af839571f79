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
/// takes either spelling, and a writer writes `is_directory` and `modified_time` under both
/// names (the official JS SDK reads `is_dir` and `modified`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(from = "FileInfoEither")]
pub struct FileInfo {
    pub name: String,
    pub path: String,
    pub size: u64,
    pub is_directory: bool,
    /// RFC 3339.
    pub modified_time: String,
    /// As `ls -l` shows them: `-rw-r--r--`, `drwxr-xr-x`.
    pub permissions: String,
}

/// A listing entry in either spelling (both may be present: the engine writes both).
#[derive(Deserialize)]
struct FileInfoEither {
    #[serde(default, deserialize_with = "or_default")]
    name: String,
    #[serde(default, deserialize_with = "or_default")]
    path: String,
    #[serde(default, deserialize_with = "or_default")]
    size: u64,
    #[serde(default, deserialize_with = "or_default")]
    is_directory: Option<bool>,
    #[serde(default, deserialize_with = "or_default")]
    is_dir: Option<bool>,
    #[serde(default, deserialize_with = "or_default")]
    modified_time: Option<String>,
    #[serde(default, deserialize_with = "or_default")]
    modified: Option<String>,
    #[serde(default, deserialize_with = "or_default")]
    permissions: Option<String>,
    #[serde(default, deserialize_with = "or_default")]
    mode: Option<String>,
}

impl From<FileInfoEither> for FileInfo {
    fn from(e: FileInfoEither) -> FileInfo {
        FileInfo {
            name: e.name,
            path: e.path,
            size: e.size,
            is_directory: e.is_directory.or(e.is_dir).unwrap_or(false),
            modified_time: e.modified_time.or(e.modified).unwrap_or_default(),
            permissions: e.permissions.or(e.mode).unwrap_or_default(),
        }
    }
}

impl Serialize for FileInfo {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("FileInfo", 8)?;
        st.serialize_field("name", &self.name)?;
        st.serialize_field("path", &self.path)?;
        st.serialize_field("size", &self.size)?;
        st.serialize_field("is_directory", &self.is_directory)?;
        st.serialize_field("is_dir", &self.is_directory)?;
        st.serialize_field("modified_time", &self.modified_time)?;
        st.serialize_field("modified", &self.modified_time)?;
        st.serialize_field("permissions", &self.permissions)?;
        st.end()
    }
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
        let written = serde_json::to_value(&list.files[0]).unwrap();
        assert_eq!((&written["is_dir"], &written["is_directory"]), (&json!(true), &json!(true)));
        assert_eq!(serde_json::from_value::<FileInfo>(written).unwrap(), list.files[0], "reads back");
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
