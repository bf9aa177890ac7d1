//! The process allocator of the npm-sigverify binary and addon, and its settings.
//!
//! A run allocates and frees at a high rate: hundreds of thousands of small strings and maps
//! while packuments are parsed, and large buffers (packument bodies up to tens of MB, tarballs
//! and their inflated bytes, ~200 MB in all on a cold run of the 671-package bench tree).
//! glibc's malloc spent ~10% of a cold run's CPU in its own code, and with its mmap threshold
//! fixed low (to keep peak RSS down) another ~10% in the kernel, faulting in and unmapping the
//! large buffers. jemalloc reuses freed pages for a short while instead, and is faster for the
//! small objects: a cold run is ~8-10% faster (interleaved runs, `bench/README.md`) at the same
//! peak RSS.

/// The allocator the npm-sigverify binary and addon declare as their `#[global_allocator]`.
#[cfg(not(target_env = "msvc"))]
pub type Allocator = tikv_jemallocator::Jemalloc;
/// The allocator the npm-sigverify binary and addon declare as their `#[global_allocator]`.
#[cfg(target_env = "msvc")]
pub type Allocator = std::alloc::System;

/// jemalloc's settings for the addon, read when it starts (`_RJEM_MALLOC_CONF` in the
/// environment still overrides them): one arena (two cores; fewer partly used pages than one
/// per thread) and freed pages handed back to the system after ~100 ms instead of 10 s. A
/// longer delay is faster (1 s: ~20 ms less of a cold run) but the addon's cold peak RSS, with
/// Node's own ~47 MB beside it, then exceeds 100 MB on the bench tree; per-thread arenas cost
/// ~5 MB of peak for no measurable time.
pub const ADDON_SETTINGS: &[u8] = b"narenas:1,dirty_decay_ms:100\0";

/// jemalloc's settings for the standalone binary, which has no Node heap beside it: freed
/// pages are kept 1 s (bench tree cold, 10 interleaved runs: 385 -> 365 ms, 640 -> 615 ms of
/// CPU, peak RSS 55 -> 68 MB).
pub const BINARY_SETTINGS: &[u8] = b"narenas:1,dirty_decay_ms:1000\0";

/// Declares the C string jemalloc reads its settings from (`const char *malloc_conf`, under the
/// `_rjem_` prefix of tikv-jemalloc-sys), in the artifact that links the allocator: the binary
/// and the addon each give theirs ([`BINARY_SETTINGS`], [`ADDON_SETTINGS`]). `Option<&u8>` has
/// the layout of a nullable pointer; the settings end with a NUL.
#[macro_export]
macro_rules! jemalloc_settings {
    ($settings:expr) => {
        #[cfg(not(target_env = "msvc"))]
        #[export_name = "_rjem_malloc_conf"]
        pub static JEMALLOC_CONF: Option<&u8> = Some(&$settings[0]);
    };
}
