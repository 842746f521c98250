//! Which allocator the process runs on, for INFO's `mem_allocator` and `used_memory`.
//!
//! The allocator is the binary's choice (`#[global_allocator]` in the server binary; the
//! simulator, tests and fuzzers run on the system's), so the binary tells the server which
//! one it installed ([`crate::server::EventLoop::set_allocator`]). Reading jemalloc's
//! statistics is a call into the allocator, not I/O and not time.

/// An allocator as INFO reports it.
#[derive(Clone, Copy, Debug)]
pub struct Allocator {
    /// INFO `mem_allocator`: `libc`, or `jemalloc-5.3.0` as Redis prints it.
    pub name: &'static str,
    /// Bytes the program holds allocated, when the allocator can say (jemalloc's
    /// `stats.allocated`, Redis's `zmalloc_used_memory` with jemalloc).
    pub allocated: Option<fn() -> Option<usize>>,
}

/// The system allocator: no statistics, so INFO falls back to the keyspace's estimate.
pub const LIBC: Allocator = Allocator {
    name: "libc",
    allocated: None,
};

/// jemalloc, when it is the global allocator.
#[cfg(feature = "jemalloc")]
pub fn jemalloc() -> Allocator {
    use std::sync::OnceLock;
    static NAME: OnceLock<String> = OnceLock::new();
    let name = NAME.get_or_init(|| {
        // "5.3.0-1-g<hash>" -> "jemalloc-5.3.0", as Redis's ZMALLOC_LIB.
        let v = tikv_jemalloc_ctl::version::read().unwrap_or("unknown");
        format!("jemalloc-{}", v.split('-').next().unwrap_or(v))
    });
    Allocator {
        name,
        allocated: Some(jemalloc_allocated),
    }
}

#[cfg(feature = "jemalloc")]
fn jemalloc_allocated() -> Option<usize> {
    // jemalloc caches its statistics; advancing the epoch refreshes them.
    tikv_jemalloc_ctl::epoch::advance().ok()?;
    tikv_jemalloc_ctl::stats::allocated::read().ok()
}
