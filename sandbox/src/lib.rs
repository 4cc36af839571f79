//! Everything between `fork` and `exec` of a sandboxed process: the namespaces, the mounts,
//! the id maps, the seccomp filter, and the little process trees that hold them together.
//!
//! The engine does not run this code in its own process: it builds a [`plan::PlanSpec`] and
//! execs the `hopx-sandbox` helper binary (built from this crate and embedded in the engine),
//! which decodes the plan and makes a sandbox (`holder.rs`), starts a process in one
//! (`join.rs`), connects to a port on a sandbox's loopback for the engine (`connect.rs`), or,
//! for trusted code, becomes the program unisolated (`unisolated.rs`).
//! Forking the engine itself would copy the page tables of whatever embeds it (a Python or
//! Node process of any size) two or three times per sandboxed process; an exec'd helper costs
//! the same at any size.

pub mod child;
mod codec;
mod connect;
mod files;
mod holder;
mod identity;
mod join;
mod mounts;
mod net;
pub mod plan;
mod pre_exec;
mod program;
mod seccomp;
pub mod sys;
pub mod uidmap;
mod unisolated;

/// Runs the plan: never returns.
pub fn run(plan: &mut child::ChildPlan) -> ! {
    match plan.mode {
        plan::Mode::Holder => holder::start(plan),
        plan::Mode::Join => join::start(plan),
        plan::Mode::Connect => connect::start(plan),
        plan::Mode::Unisolated => unisolated::start(plan),
    }
}
