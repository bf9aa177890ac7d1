//! The standalone `npm-sigverify` binary (the npm package runs the same code through the addon).

use sigverify_core::work::memory::Allocator;

#[global_allocator]
static ALLOCATOR: Allocator = Allocator {};

sigverify_core::jemalloc_settings!(sigverify_core::work::memory::BINARY_SETTINGS);

fn main() {
    let code = sigverify_cli::run(std::env::args_os().collect());
    std::process::exit(code);
}
