//! Everything between `fork` and `exec` of a sandboxed process: the namespaces, the mounts,
//! the id maps, the seccomp filter, and the little process tree that holds them together.
//!
//! The engine does not run this code in its own process: it builds a [`plan::PlanSpec`] and
//! execs the `hopx-sandbox` helper binary (built from this crate and embedded in the engine),
//! which decodes the plan and becomes the sandbox's intermediate. Forking the engine itself
//! would copy the page tables of whatever embeds it (a Python or Node process of any size)
//! two or three times per sandboxed process; an exec'd helper costs the same at any size.

pub mod child;
pub mod exec;
mod mounts;
mod net;
pub mod plan;
mod seccomp;
pub mod sys;
pub mod uidmap;
