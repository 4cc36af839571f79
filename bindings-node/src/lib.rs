//! The native half of `@hopx-ai/sdk`: napi-rs wrappers over `hopx-core`.
//!
//! Everything here is thin. The JS facade (`index.js`) owns the public API and argument
//! checks; `hopx-core` owns every rule shared with the Python binding. The generated
//! `native.js`/`native.d.ts` are private to the package.

// `#[napi]` items are used by being registered with Node, and napi-derive emits that
// registration only outside `cfg(test)`. So in the test build (`clippy --all-targets`) every
// exported item looks unused; the normal build still reports real dead code.
#![cfg_attr(test, allow(dead_code))]

mod catalog;
mod cli;
mod commands;
mod convert;
mod env;
mod errors;
mod files;
mod introspect;
mod progress;
mod run_variants;
mod sandbox;
mod shared_engine;
mod stream;
mod terminal;
mod watch;
