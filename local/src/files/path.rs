//! The paths of the file calls: what the caller wrote, checked and made ready to resolve
//! beneath the sandbox's root.

use crate::spawn::FsView;
use std::ffi::CString;
use std::io;

/// Where a relative path is taken from (the sandbox's working directory by default).
const HOME: &str = "/workspace";

/// A path of the sandbox, as its code would name it.
#[derive(Debug, Clone, PartialEq)]
pub struct SandboxPath {
    /// Absolute, without `.`, `..`, repeated or trailing slashes: what answers show.
    pub shown: String,
    /// What to resolve beneath the root: `shown`, or for an unisolated sandbox the host path
    /// behind it.
    pub resolve: CString,
}

impl SandboxPath {
    /// Checks and cleans `path`. `..` never climbs above `/`, as in the sandbox itself; a
    /// relative path is taken from `/workspace`.
    pub fn new(view: &FsView, path: &str) -> io::Result<SandboxPath> {
        if path.is_empty() {
            return Err(invalid("the path is empty"));
        }
        if path.contains('\0') {
            return Err(invalid("the path contains a NUL byte"));
        }
        let full = if path.starts_with('/') { path.to_string() } else { format!("{HOME}/{path}") };
        let mut parts: Vec<&str> = Vec::new();
        for part in full.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    parts.pop();
                }
                p => parts.push(p),
            }
        }
        let shown = format!("/{}", parts.join("/"));
        let resolve = match view.host_dirs.as_ref() {
            Some((workspace, tmp)) => host_path(&shown, workspace, tmp),
            None => shown.clone(),
        };
        let resolve = CString::new(resolve).map_err(|_| invalid("the path contains a NUL byte"))?;
        Ok(SandboxPath { shown, resolve })
    }

    /// The folder that holds this path and the name in it; `None` for `/`.
    pub fn split(&self) -> Option<(SandboxPath, CString)> {
        let bytes = self.resolve.as_bytes();
        let slash = bytes.iter().rposition(|&b| b == b'/')?;
        let name = &bytes[slash + 1..];
        if name.is_empty() {
            return None;
        }
        let parent = if slash == 0 { b"/".to_vec() } else { bytes[..slash].to_vec() };
        let shown_parent = match self.shown.rsplit_once('/') {
            Some(("", _)) | None => "/".to_string(),
            Some((p, _)) => p.to_string(),
        };
        Some((
            SandboxPath { shown: shown_parent, resolve: CString::new(parent).ok()? },
            CString::new(name).ok()?,
        ))
    }

    /// The path of `name` in this folder.
    pub fn child(&self, name: &str) -> String {
        if self.shown == "/" {
            format!("/{name}")
        } else {
            format!("{}/{name}", self.shown)
        }
    }
}

/// Unisolated: the host folder behind `/workspace` and `/tmp`; other paths are the host's.
fn host_path(inside: &str, workspace: &std::path::Path, tmp: &std::path::Path) -> String {
    for (prefix, host) in [("/workspace", workspace), ("/tmp", tmp)] {
        if let Some(rest) = inside.strip_prefix(prefix) {
            if rest.is_empty() || rest.starts_with('/') {
                return format!("{}{rest}", host.display());
            }
        }
    }
    inside.to_string()
}

pub fn invalid(why: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, why.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn view(host_dirs: Option<(&str, &str)>) -> FsView {
        let root = std::fs::File::open("/").unwrap();
        FsView {
            root: Arc::new(root.into()),
            user: None,
            host_dirs: host_dirs.map(|(w, t)| (w.into(), t.into())),
        }
    }

    #[test]
    fn paths_are_cleaned_and_never_climb_above_the_root() {
        let v = view(None);
        let shown = |p: &str| SandboxPath::new(&v, p).unwrap().shown;
        assert_eq!(shown("/workspace/a/./b//c/"), "/workspace/a/b/c");
        assert_eq!(shown("/../../etc/passwd"), "/etc/passwd");
        assert_eq!(shown("/workspace/../../../x"), "/x");
        assert_eq!(shown("data.csv"), "/workspace/data.csv");
        assert_eq!(shown("/"), "/");
        assert!(SandboxPath::new(&v, "").is_err());
        assert!(SandboxPath::new(&v, "/a\0b").is_err());
    }

    #[test]
    fn split_gives_the_folder_and_the_name() {
        let v = view(None);
        let (parent, name) = SandboxPath::new(&v, "/workspace/a.txt").unwrap().split().unwrap();
        assert_eq!((parent.shown.as_str(), name.to_str().unwrap()), ("/workspace", "a.txt"));
        let (parent, name) = SandboxPath::new(&v, "/top").unwrap().split().unwrap();
        assert_eq!((parent.shown.as_str(), name.to_str().unwrap()), ("/", "top"));
        assert!(SandboxPath::new(&v, "/").unwrap().split().is_none());
    }

    #[test]
    fn unisolated_paths_map_to_the_sandbox_folders() {
        let v = view(Some(("/srv/w", "/srv/t")));
        let p = SandboxPath::new(&v, "/workspace/a").unwrap();
        assert_eq!((p.shown.as_str(), p.resolve.to_str().unwrap()), ("/workspace/a", "/srv/w/a"));
        assert_eq!(SandboxPath::new(&v, "/tmp").unwrap().resolve.to_str().unwrap(), "/srv/t");
        assert_eq!(SandboxPath::new(&v, "/tmpx").unwrap().resolve.to_str().unwrap(), "/tmpx");
    }
}
