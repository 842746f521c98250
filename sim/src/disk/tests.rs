//! The disk model's own tests: what survives a power loss and a process crash, when a
//! rename is durable, fsyncgate, and forked children in virtual time.

use super::*;
use proptest::prelude::*;

const START_US: u64 = 1_000_000;

fn disk(seed: u64, plan: DiskPlan) -> (SimDisk, SimClock) {
    let clock = SimClock::new(START_US);
    (SimDisk::new(seed, plan, clock.clone()), clock)
}

fn plan(sector_bytes: usize) -> DiskPlan {
    DiskPlan {
        sector_bytes,
        ..DiskPlan::none()
    }
}

/// Writes all of `data` and returns it (the test's record of what was written).
fn put(d: &mut SimDisk, file: FileId, data: &[u8]) {
    seedis::storage::write_all(d, file, data).expect("no faults planned");
}

fn read(d: &mut SimDisk, path: &str) -> Option<Vec<u8>> {
    match seedis::storage::read_to_end(d, path) {
        Ok(data) => Some(data),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => panic!("read {path}: {e}"),
    }
}

/// After a power loss a file must be its synced contents followed by, for each later
/// (appending) write, each sector-aligned piece either written or not (zeros), and the
/// length at the synced length or at the end of a piece that landed.
fn check_landed(synced: &[u8], later: &[Vec<u8>], sector: usize, got: &[u8]) -> Result<(), String> {
    if got.len() < synced.len() || got[..synced.len()] != *synced {
        return Err(format!(
            "synced prefix of {} bytes not intact (got {} bytes)",
            synced.len(),
            got.len()
        ));
    }
    let mut offset = synced.len();
    let mut ends = vec![synced.len()];
    for write in later {
        let end = offset + write.len();
        let mut start = offset;
        while start < end {
            let stop = (((start / sector) + 1) * sector).min(end);
            ends.push(stop);
            let have = &got[start.min(got.len())..stop.min(got.len())];
            let new = &write[start - offset..start - offset + have.len()];
            let landed = have == new;
            let absent = have.iter().all(|&b| b == 0);
            if !landed && !absent {
                return Err(format!(
                    "piece {start}..{stop} is neither written nor absent"
                ));
            }
            start = stop;
        }
        offset = end;
    }
    if !ends.contains(&got.len()) {
        return Err(format!("length {} is not at a piece's end", got.len()));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn power_loss_leaves_synced_data_plus_whole_torn_or_no_later_writes(
        seed in any::<u64>(),
        sector in prop_oneof![Just(512usize), Just(4096usize)],
        // Per file: writes (length, byte) and whether an fsync follows each.
        files in prop::collection::vec(
            prop::collection::vec((1usize..9000, 1u8..=255, any::<bool>()), 0..8),
            1..4,
        ),
    ) {
        let (mut d, _) = disk(seed, plan(sector));
        let mut expected = Vec::new();
        for (i, writes) in files.iter().enumerate() {
            let path = format!("f{i}");
            let file = d.create(&path).unwrap();
            d.sync_dir(".").unwrap();
            let mut synced = Vec::new();
            let mut later: Vec<Vec<u8>> = Vec::new();
            for &(len, byte, sync) in writes {
                let data = vec![byte; len];
                put(&mut d, file, &data);
                later.push(data);
                if sync {
                    d.fsync(file).unwrap();
                    for w in later.drain(..) {
                        synced.extend_from_slice(&w);
                    }
                }
            }
            expected.push((path, synced, later));
        }
        d.power_loss();
        for (path, synced, later) in &expected {
            let got = read(&mut d, path).expect("a file whose directory was synced survives");
            prop_assert!(check_landed(synced, later, sector, &got).is_ok(),
                "{path}: {:?}", check_landed(synced, later, sector, &got));
        }
    }

    #[test]
    fn process_crash_keeps_everything_written(
        seed in any::<u64>(),
        writes in prop::collection::vec((0usize..3, 1usize..5000, any::<u8>()), 1..20),
    ) {
        let (mut d, _) = disk(seed, DiskPlan::none());
        let mut files = Vec::new();
        let mut want = vec![Vec::new(); 3];
        for i in 0..3 {
            files.push(d.create(&format!("f{i}")).unwrap());
        }
        for (i, len, byte) in writes {
            let data = vec![byte; len];
            put(&mut d, files[i], &data);
            want[i].extend_from_slice(&data);
        }
        d.rename("f2", "g2").unwrap();
        d.process_crash();
        prop_assert_eq!(read(&mut d, "f0"), Some(want[0].clone()));
        prop_assert_eq!(read(&mut d, "f1"), Some(want[1].clone()));
        prop_assert_eq!(read(&mut d, "f2"), None);
        prop_assert_eq!(read(&mut d, "g2"), Some(want[2].clone()));
    }
}

/// Redis's SAVE: the temp file fsynced, renamed over dump.rdb, the directory not synced.
fn save(d: &mut SimDisk, contents: &[u8], sync_dir: bool) {
    let file = d.create("temp-1.rdb").unwrap();
    put(d, file, contents);
    d.fsync(file).unwrap();
    d.close(file);
    d.rename("temp-1.rdb", "dump.rdb").unwrap();
    if sync_dir {
        d.sync_dir(".").unwrap();
    }
}

#[test]
fn rename_is_durable_only_after_the_directory_is_synced() {
    let mut outcomes = std::collections::BTreeSet::new();
    for seed in 0..200 {
        let (mut d, _) = disk(seed, DiskPlan::none());
        save(&mut d, b"old", true);
        save(&mut d, b"new", false);
        d.power_loss();
        let dump = read(&mut d, "dump.rdb");
        let temp = read(&mut d, "temp-1.rdb");
        // Either the rename happened, or it did not (and then the temp file's creation may
        // or may not have: its data was fsynced, so it is whole if present).
        match (dump.as_deref(), temp.as_deref()) {
            (Some(b"new"), None) => outcomes.insert("renamed"),
            (Some(b"old"), Some(b"new")) => outcomes.insert("temp left"),
            (Some(b"old"), None) => outcomes.insert("nothing"),
            other => panic!("seed {seed}: impossible state {other:?}"),
        };

        let (mut d, _) = disk(seed, DiskPlan::none());
        save(&mut d, b"old", true);
        save(&mut d, b"new", true);
        d.power_loss();
        assert_eq!(read(&mut d, "dump.rdb").as_deref(), Some(&b"new"[..]));
        assert_eq!(read(&mut d, "temp-1.rdb"), None);
    }
    assert_eq!(outcomes.len(), 3, "every outcome reached: {outcomes:?}");
}

#[test]
fn a_created_file_whose_directory_was_never_synced_may_vanish() {
    let mut vanished = 0;
    for seed in 0..100 {
        let (mut d, _) = disk(seed, DiskPlan::none());
        let file = d.create("f").unwrap();
        put(&mut d, file, b"data");
        d.fsync(file).unwrap();
        d.power_loss();
        match read(&mut d, "f") {
            None => vanished += 1,
            Some(data) => assert_eq!(data, b"data"),
        }
    }
    assert!(vanished > 0 && vanished < 100, "vanished {vanished} of 100");
}

#[test]
fn after_a_failed_fsync_a_successful_one_does_not_bring_the_data_back() {
    let mut lost = 0;
    for seed in 0..100 {
        let (mut d, _) = disk(seed, DiskPlan::none());
        let file = d.create("f").unwrap();
        d.sync_dir(".").unwrap();
        put(&mut d, file, &[7u8; 10_000]);
        d.set_plan(DiskPlan {
            fsync_eio: 1.0,
            ..DiskPlan::none()
        });
        let e = d.fsync(file).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(5), "EIO");
        d.set_plan(DiskPlan::none());
        d.fsync(file)
            .expect("the error was reported once; the pages are clean now");
        // The process still reads what it wrote...
        assert_eq!(read(&mut d, "f").unwrap(), vec![7u8; 10_000]);
        d.power_loss();
        // ...but the disk may not have it.
        if read(&mut d, "f").unwrap() != vec![7u8; 10_000] {
            lost += 1;
        }
    }
    assert!(lost > 0, "fsyncgate never lost data in 100 seeds");
}

#[test]
fn write_faults_fire_and_are_errors_or_short() {
    let (mut d, _) = disk(1, DiskPlan::none());
    let file = d.create("f").unwrap();
    d.set_plan(DiskPlan {
        write_eio: 1.0,
        ..DiskPlan::none()
    });
    assert_eq!(d.write(file, b"x").unwrap_err().raw_os_error(), Some(5));
    d.set_plan(DiskPlan {
        write_enospc: 1.0,
        ..DiskPlan::none()
    });
    assert_eq!(d.write(file, b"x").unwrap_err().raw_os_error(), Some(28));
    d.set_plan(DiskPlan {
        short_write: 1.0,
        ..DiskPlan::none()
    });
    let n = d.write(file, &[1u8; 100]).unwrap();
    assert!((1..100).contains(&n));
    d.set_plan(DiskPlan {
        capacity_bytes: 150,
        ..DiskPlan::none()
    });
    assert_eq!(
        d.write(file, &[1u8; 100]).unwrap_err().raw_os_error(),
        Some(28)
    );
    assert_eq!(d.stats().write_eio, 1);
}

#[test]
fn fsync_latency_moves_the_shared_clock() {
    let (mut d, clock) = disk(
        3,
        DiskPlan {
            fsync_latency_max_us: 1_000_000,
            ..DiskPlan::none()
        },
    );
    let file = d.create("f").unwrap();
    let before = clock.now_us();
    for _ in 0..5 {
        d.fsync(file).unwrap();
    }
    assert!(clock.now_us() > before);
}

/// A BGSAVE's child: temp file written, fsynced, renamed over dump.rdb.
fn bgsave_child(contents: Vec<u8>) -> impl FnMut(&mut dyn Storage) -> i32 {
    move |s: &mut dyn Storage| {
        let file = s.create("temp-2.rdb").unwrap();
        seedis::storage::write_all(s, file, &contents).unwrap();
        s.fsync(file).unwrap();
        s.close(file);
        s.rename("temp-2.rdb", "dump.rdb").unwrap();
        0
    }
}

#[test]
fn a_child_lands_its_operations_in_virtual_time_and_reports_its_exit_last() {
    let (mut d, clock) = disk(5, DiskPlan::none());
    save(&mut d, b"old", true);
    let pid = d.fork(&mut bgsave_child(b"new".to_vec())).unwrap();
    // At once: nothing of the child is visible.
    assert_eq!(read(&mut d, "dump.rdb").as_deref(), Some(&b"old"[..]));
    assert!(d.poll_children().is_empty());
    let mut saw_temp = false;
    let mut exits = Vec::new();
    for _ in 0..100_000 {
        clock.advance_us(1);
        exits.extend(d.poll_children());
        if !exits.is_empty() {
            break;
        }
        saw_temp |= read(&mut d, "temp-2.rdb").is_some();
        assert_eq!(
            read(&mut d, "dump.rdb").as_deref(),
            Some(&b"old"[..]),
            "the rename is the child's last op, at its exit"
        );
    }
    assert!(saw_temp, "the temp file exists while the child runs");
    assert_eq!(exits, vec![(pid, ChildExit::Exited(0))]);
    assert_eq!(read(&mut d, "dump.rdb").as_deref(), Some(&b"new"[..]));
    assert_eq!(d.children_running(), 0);
}

#[test]
fn a_crash_kills_the_child_before_its_rename() {
    for seed in 0..50 {
        let (mut d, clock) = disk(seed, DiskPlan::none());
        save(&mut d, b"old", true);
        d.fork(&mut bgsave_child(vec![9u8; 5000])).unwrap();
        // Somewhere inside the child's run (its delay is at least 1 µs).
        clock.advance_us(seed % 3 * 10);
        let running = d.children_running() == 1;
        d.settle();
        let temp = read(&mut d, "temp-2.rdb");
        d.process_crash();
        assert_eq!(d.children_running(), 0);
        if running && d.poll_children().is_empty() {
            // What landed stays (page cache); the rename never happens.
            assert_eq!(read(&mut d, "temp-2.rdb"), temp);
            clock.advance_us(1_000_000);
            assert_eq!(read(&mut d, "dump.rdb").as_deref(), Some(&b"old"[..]));
        }
    }
}

#[test]
fn kill_child_reports_a_signal_and_drops_its_remaining_operations() {
    let (mut d, clock) = disk(8, DiskPlan::none());
    save(&mut d, b"old", true);
    let pid = d.fork(&mut bgsave_child(b"new".to_vec())).unwrap();
    d.kill_child(pid);
    assert_eq!(d.poll_children(), vec![(pid, ChildExit::Signaled(10))]);
    clock.advance_us(10_000_000);
    assert_eq!(read(&mut d, "dump.rdb").as_deref(), Some(&b"old"[..]));
}

#[test]
fn a_background_fsync_completes_later_and_a_crash_before_drops_it() {
    let mut durable_after_wait = true;
    let mut lost_before = 0;
    for seed in 0..50 {
        let (mut d, clock) = disk(seed, DiskPlan::none());
        let file = d.create("aof").unwrap();
        d.sync_dir(".").unwrap();
        put(&mut d, file, &[3u8; 600]);
        d.fsync_background(file).unwrap();
        assert_eq!(d.background_fsyncs_pending(), 1);
        if seed % 2 == 0 {
            d.power_loss();
            lost_before += usize::from(read(&mut d, "aof").unwrap() != vec![3u8; 600]);
        } else {
            clock.advance_us(1_000_000);
            assert_eq!(d.background_fsyncs_pending(), 0);
            d.power_loss();
            durable_after_wait &= read(&mut d, "aof").unwrap() == vec![3u8; 600];
        }
    }
    assert!(durable_after_wait);
    assert!(lost_before > 0);
}

#[test]
fn same_seed_same_outcome() {
    let run = |seed| {
        let (mut d, _) = disk(seed, DiskPlan::from_seed(seed));
        for i in 0..5 {
            if let Ok(file) = d.create(&format!("f{i}")) {
                let _ = seedis::storage::write_all(&mut d, file, &[i as u8 + 1; 3000]);
                let _ = d.fsync(file);
            }
        }
        d.power_loss();
        (
            d.paths(),
            d.trace_hash(),
            (0..5)
                .map(|i| d.contents(&format!("f{i}")))
                .collect::<Vec<_>>(),
        )
    };
    for seed in 0..20 {
        assert_eq!(run(seed), run(seed));
    }
}
