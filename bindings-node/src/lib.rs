//! The native half of `@hopx-ai/sdk`: napi-rs wrappers over `hopx-core`.
//!
//! Everything here is thin. The JS facade (`index.js`) owns the public API and argument
//! checks; `hopx-core` owns every rule shared with the Python binding. The generated
//! `native.js`/`native.d.ts` are private to the package.

mod convert;
mod errors;
mod sandbox;
mod stream;
