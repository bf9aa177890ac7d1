//! CPU-bound work (packument parsing, signature and bundle verification, content hashing) runs on
//! rayon's pool: one thread per core, so it never starves the async workers that keep requests
//! flowing, nor (in the addon) Node's main thread.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

/// Runs `work` on the rayon pool and waits for it without blocking an async worker. A panic in
/// `work` is re-raised here, in the caller's task.
pub(crate) async fn on_cpu_pool<R, F>(work: F) -> R
where
    R: Send + 'static,
    F: FnOnce() -> R + Send + 'static,
{
    let (done, result) = tokio::sync::oneshot::channel();
    rayon::spawn(move || {
        let _ = done.send(catch_unwind(AssertUnwindSafe(work)));
    });
    match result.await.expect("the rayon job always answers") {
        Ok(value) => value,
        Err(panic) => resume_unwind(panic),
    }
}
