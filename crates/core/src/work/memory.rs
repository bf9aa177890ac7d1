//! The process allocator's settings for a run.

/// Allocations at least this large get their own mapping (glibc's default, 128 KiB, adapts
/// upwards; 64 KiB keeps tarballs and inflated buffers out of the arenas too: the content check
/// runs while the registry checks do, and the addon's cold peak went from ~98 to ~94 MB).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: i32 = 64 * 1024;

/// Keeps large buffers from staying resident after they are freed.
///
/// A run allocates and frees many large buffers (packument bodies up to tens of MB, tarballs,
/// file lists). glibc raises its mmap threshold to the size of each large mapped buffer that is
/// freed, after which later large buffers are carved from the heap arenas, where the space they
/// leave stays resident. With the threshold fixed, every buffer above it is its own mapping and
/// goes back to the system when freed: peak RSS of a cold run on the 671-package bench tree went
/// from ~93 MB to ~70 MB, warm from ~68 MB to ~58 MB (`bench/README.md`). Applied once per
/// process; other C libraries and platforms keep their allocator's defaults.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            // SAFETY: mallopt only changes malloc's tuning parameters; glibc takes its own lock,
            // so calling it while other threads allocate is allowed.
            unsafe {
                libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
            }
        });
    }
}
