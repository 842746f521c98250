//! Replays the committed `resp_parse` fuzz seeds (and any crash input added beside them as
//! a regression) through `RequestParser` in plain `cargo test`: whole, and one byte per
//! read, must give the same commands, error and leftover, as the fuzz target checks.

use bytes::{Bytes, BytesMut};
use seedis::resp::{Limits, ProtocolError, RequestParser};
use std::path::Path;

#[derive(Debug, PartialEq)]
struct Outcome {
    commands: Vec<Vec<Bytes>>,
    error: Option<ProtocolError>,
    left: Option<(Vec<u8>, bool)>,
}

fn run(input: &[u8], read_len: usize, limits: &Limits) -> Outcome {
    let mut parser = RequestParser::new();
    let mut buf = BytesMut::new();
    let mut commands = Vec::new();
    for chunk in input.chunks(read_len.max(1)) {
        buf.extend_from_slice(chunk);
        loop {
            match parser.next_command(&mut buf, limits) {
                Ok(Some(cmd)) => commands.push(cmd),
                Ok(None) => break,
                Err(e) => {
                    return Outcome {
                        commands,
                        error: Some(e),
                        left: None,
                    }
                }
            }
        }
    }
    Outcome {
        commands,
        error: None,
        left: Some((buf.to_vec(), parser.is_idle())),
    }
}

#[test]
fn resp_parse_seeds_parse_the_same_in_any_reads() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/resp_parse");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("fuzz/seeds/resp_parse exists") {
        let path = entry.expect("dir entry").path();
        let input = std::fs::read(&path).expect("read seed");
        for authenticated in [true, false] {
            let limits = Limits {
                authenticated,
                ..Limits::default()
            };
            let whole = run(&input, input.len(), &limits);
            assert_eq!(whole, run(&input, 1, &limits), "{}", path.display());
            assert_eq!(whole, run(&input, 7, &limits), "{}", path.display());
        }
        seen += 1;
    }
    assert!(seen >= 10, "only {seen} seeds in {}", dir.display());
}

#[test]
fn seed_traffic_parses_as_expected() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/resp_parse");
    let read = |name: &str| std::fs::read(dir.join(name)).expect("seed");
    let limits = Limits::default();
    let bench = run(&read("benchmark-pipeline"), 16384, &limits);
    assert_eq!(bench.commands.len(), 16);
    assert_eq!(bench.error, None);
    let err = run(&read("err-after-good"), 16384, &limits);
    assert_eq!(err.commands.len(), 1);
    assert_eq!(
        err.error,
        Some(ProtocolError(
            "ERR Protocol error: invalid bulk length".into()
        ))
    );
}
