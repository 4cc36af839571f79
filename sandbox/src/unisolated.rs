//! Without isolation (trusted code only, `HOPX_LOCAL_ISOLATION=none`): the helper, exec'd by
//! the engine, becomes the program itself, with no namespaces of its own.

use crate::child::{fail, ok, or_fail, ChildPlan};
use crate::pre_exec::{reset_signals, stdio_and_limits};
use crate::sys;

/// Becomes the program, as the engine's user, in a session of its own (so its whole process
/// group can be killed), dying with the engine's spawner thread. Never returns.
pub fn start(plan: &mut ChildPlan) -> ! {
    let st = plan.fds.status;
    or_fail(st, "pdeathsig", sys::die_with_parent(plan.fds.engine_pidfd));
    // SAFETY: setsid in a process that leads no group yet.
    or_fail(st, "setsid", ok(unsafe { libc::setsid() }));
    crate::program::prepare_files(plan, st);
    let st = stdio_and_limits(plan, st);
    // SAFETY: chdir to a valid path.
    or_fail(st, "chdir", ok(unsafe { libc::chdir(plan.cwd.as_ptr()) }));
    reset_signals();
    // SAFETY: program, argv and envp are NUL-terminated and point into `plan._strings`.
    unsafe { libc::execve(plan.program.as_ptr(), plan.argv.as_ptr(), plan.envp.as_ptr()) };
    fail(st, "exec", sys::errno())
}
