//! Expiry over real TCP: lazy (on access) and active (the cron's sampling cycle).

mod common;

use common::Server;
use std::time::{Duration, Instant};

#[test]
fn lazy_expiry_on_access() {
    let server = Server::start(&[]);
    let mut conn = server.client();
    let _: () = redis::cmd("DEBUG")
        .arg("SET-ACTIVE-EXPIRE")
        .arg(0)
        .query(&mut conn)
        .unwrap();
    let _: () = redis::cmd("SET")
        .arg("k")
        .arg("v")
        .arg("PX")
        .arg(50)
        .query(&mut conn)
        .unwrap();
    std::thread::sleep(Duration::from_millis(150));
    // Without the active cycle the key is still stored, as in Redis...
    let size: u64 = redis::cmd("DBSIZE").query(&mut conn).unwrap();
    assert_eq!(size, 1);
    // ...until it is touched.
    let v: Option<String> = redis::cmd("GET").arg("k").query(&mut conn).unwrap();
    assert_eq!(v, None);
    let size: u64 = redis::cmd("DBSIZE").query(&mut conn).unwrap();
    assert_eq!(size, 0);
}

#[test]
fn active_expiry_reclaims_untouched_keys() {
    let server = Server::start(&["--hz", "50"]);
    let mut conn = server.client();
    for i in 0..500 {
        let _: () = redis::cmd("SET")
            .arg(format!("t{i}"))
            .arg("v")
            .arg("PX")
            .arg(100)
            .query(&mut conn)
            .unwrap();
    }
    for i in 0..50 {
        let _: () = redis::cmd("SET")
            .arg(format!("keep{i}"))
            .arg("v")
            .query(&mut conn)
            .unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let size: u64 = redis::cmd("DBSIZE").query(&mut conn).unwrap();
        if size == 50 {
            break;
        }
        assert!(Instant::now() < deadline, "active expiry left {size} keys");
        std::thread::sleep(Duration::from_millis(50));
    }
    let info: String = redis::cmd("INFO").arg("stats").query(&mut conn).unwrap();
    assert!(info.contains("expired_keys:500"), "{info}");
}

#[test]
fn idle_clients_are_closed_after_timeout() {
    let server = Server::start(&["--timeout", "1"]);
    let mut idle = server.raw();
    let (data, closed) = common::read_until_close(&mut idle, Duration::from_secs(5));
    assert!(data.is_empty());
    assert!(
        closed,
        "an idle client must be closed after `timeout` seconds"
    );
}
