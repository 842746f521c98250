//! The disk's fault plan, drawn per seed like the kernel's (swarm testing: each seed enables
//! a subset of the disk's faults at its own rates). Kept apart from [`crate::faults`] so
//! adding disk faults does not shift the kernel's plans of existing seeds.

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

/// What the simulated disk does wrong, and how its background work is timed.
#[derive(Clone, Debug, PartialEq)]
pub struct DiskPlan {
    /// Per write: EIO, nothing written.
    pub write_eio: f64,
    /// Per write: ENOSPC although the disk has room (a full disk is also modelled by
    /// `capacity_bytes`).
    pub write_enospc: f64,
    /// Per write: only a prefix (at least one byte) is taken.
    pub short_write: f64,
    /// Per fsync/fdatasync: EIO. The dirty data it covered is then written or lost, each
    /// write whole, torn or not at all, and is no longer dirty: a later fsync succeeds
    /// without making it durable (Linux's "fsyncgate" behaviour).
    pub fsync_eio: f64,
    /// Most virtual time one fsync takes (the caller is blocked meanwhile), µs.
    pub fsync_latency_max_us: u64,
    /// Bytes all files may hold in the page cache; a write beyond is ENOSPC.
    pub capacity_bytes: u64,
    /// The unit a torn write is torn at: 512 or 4096.
    pub sector_bytes: usize,
    /// A forked child's run takes `1..=child_delay_max_us` of virtual time: its exit is
    /// reported, and its last file operation lands, no earlier.
    pub child_delay_max_us: u64,
    /// A background fsync completes after `1..=background_fsync_delay_max_us`.
    pub background_fsync_delay_max_us: u64,
}

impl DiskPlan {
    /// A disk that never fails (it still loses unsynced data on power loss).
    pub fn none() -> DiskPlan {
        DiskPlan {
            write_eio: 0.0,
            write_enospc: 0.0,
            short_write: 0.0,
            fsync_eio: 0.0,
            fsync_latency_max_us: 0,
            capacity_bytes: 1 << 30,
            sector_bytes: 4096,
            child_delay_max_us: 50_000,
            background_fsync_delay_max_us: 20_000,
        }
    }

    /// Swarm: each fault on in about one seed in three, at a rate of its own. Stream 6
    /// of the seed (the kernel uses 0 and 1, the workload 2, the server 3).
    pub fn from_seed(seed: u64) -> DiskPlan {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(6);
        let mut rate = |max: f64| {
            if rng.next_u32().is_multiple_of(3) {
                max * f64::from(rng.next_u32() % 1000 + 1) / 1000.0
            } else {
                0.0
            }
        };
        let write_eio = rate(0.02);
        let write_enospc = rate(0.02);
        let short_write = rate(0.3);
        let fsync_eio = rate(0.05);
        let fsync_latency_max_us = if rng.next_u32().is_multiple_of(2) {
            u64::from(rng.next_u32() % 200_000)
        } else {
            0
        };
        let sector_bytes = if rng.next_u32().is_multiple_of(2) {
            512
        } else {
            4096
        };
        DiskPlan {
            write_eio,
            write_enospc,
            short_write,
            fsync_eio,
            fsync_latency_max_us,
            capacity_bytes: 1 << 30,
            sector_bytes,
            child_delay_max_us: 1 + u64::from(rng.next_u32() % 200_000),
            background_fsync_delay_max_us: 1 + u64::from(rng.next_u32() % 50_000),
        }
    }

    /// The names of the faults this plan turns on, for the run's report.
    pub fn names(&self) -> Vec<&'static str> {
        let mut names = Vec::new();
        for (on, name) in [
            (self.write_eio > 0.0, "disk-write-eio"),
            (self.write_enospc > 0.0, "disk-enospc"),
            (self.short_write > 0.0, "disk-short-write"),
            (self.fsync_eio > 0.0, "disk-fsync-eio"),
            (self.fsync_latency_max_us > 0, "disk-fsync-latency"),
        ] {
            if on {
                names.push(name);
            }
        }
        names
    }
}
