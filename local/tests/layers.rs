//! The engine's layers, checked from its source: the transport (`http`) calls the engine, the
//! engine runs code through `exec`, `exec` starts processes through `spawn`, and never the
//! reverse. Each `crate::` path in a file names a module that file depends on; a dependency on
//! a higher layer (which any cycle between layers needs) fails this test.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The top-level modules, highest layer first: each may use only those after it. `ids` (random
/// ids and timestamps) is a leaf that every layer may use.
const LAYERS: [&str; 6] = ["http", "engine", "exec", "files", "spawn", "ids"];

/// The files that assemble the layers (the crate root, the server, the embedded and shared engines) may
/// use any of them.
const ENTRY: [&str; 4] = ["lib", "server", "embedded", "shared"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module of a source file: `src/exec/kernel/run.rs` is in `exec`.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
    first.trim_end_matches(".rs").to_string()
}

/// The top-level modules that `crate::` paths in `code` name, comment lines left out; a
/// `use crate::{a, b::c}` group names each of its items.
fn uses(code: &str) -> BTreeSet<String> {
    let code: String =
        code.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && (c.is_alphanumeric() || c == '_') => {
                        found.insert(ident(&group[i..]));
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            found.insert(ident(rest));
        }
    }
    found
}

fn ident(s: &str) -> String {
    s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect()
}

#[test]
fn no_layer_uses_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    // The binary is a crate of its own, built on the library's public items.
    files.retain(|f| f.file_name().is_some_and(|n| n != "main.rs"));
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut wrong = Vec::new();
    for file in &files {
        let from = module_of(&src, file);
        let code = std::fs::read_to_string(file).unwrap();
        for to in uses(&code) {
            if to == from {
                continue;
            }
            edges.entry(from.clone()).or_default().insert(to.clone());
            if ENTRY.contains(&from.as_str()) {
                continue;
            }
            let rank = |m: &str| LAYERS.iter().position(|l| *l == m);
            match (rank(&from), rank(&to)) {
                (Some(a), Some(b)) if a < b => {}
                _ => wrong.push(format!("{} uses crate::{to}", file.strip_prefix(&src).unwrap().display())),
            }
        }
    }
    for (from, to) in &edges {
        println!("{from} -> {}", to.iter().cloned().collect::<Vec<_>>().join(", "));
    }
    assert!(edges.contains_key("http") && edges.contains_key("exec"), "the source was read: {edges:?}");
    assert!(wrong.is_empty(), "layers used from below (order: {LAYERS:?}):\n{}", wrong.join("\n"));
}

#[test]
fn the_check_sees_every_form_of_path() {
    let code = "use crate::exec::{a, b};\n// crate::http in a comment\nlet x = crate::ids::secret();\n\
                use crate::{spawn::{self, Command}, engine::Engine, Server};";
    let found: Vec<String> = uses(code).into_iter().collect();
    assert_eq!(found, ["Server", "engine", "exec", "ids", "spawn"]);
}
