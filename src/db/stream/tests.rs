use super::*;

fn b(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

fn pairs(v: &[&str]) -> Vec<Bytes> {
    v.iter().map(|s| b(s)).collect()
}

const LIM: NodeLimits = NodeLimits {
    max_bytes: 4096,
    max_entries: 3,
};

fn explicit(ms: u64, seq: u64) -> Option<ParsedId> {
    Some(ParsedId {
        id: StreamId::new(ms, seq),
        seq_given: true,
    })
}

#[test]
fn append_splits_nodes_and_ranges_read_back() {
    let mut s = Stream::new();
    for i in 1..=7u64 {
        let f = if i % 2 == 0 { "a" } else { "b" };
        s.append(&pairs(&[f, &i.to_string()]), explicit(i, 0), 0, LIM)
            .unwrap();
    }
    assert_eq!(s.nodes().len(), 3);
    assert_eq!(s.len(), 7);
    s.check_invariants().unwrap();
    let all = s.range(StreamId::MIN, StreamId::MAX, false, 0);
    assert_eq!(all.len(), 7);
    assert_eq!(all[1], (StreamId::new(2, 0), vec![(b("a"), b("2"))]));
    let rev = s.range(StreamId::new(2, 0), StreamId::new(5, 0), true, 2);
    assert_eq!(rev.iter().map(|e| e.0.ms).collect::<Vec<_>>(), vec![5, 4]);
    assert_eq!(
        s.append(&pairs(&["a", "1"]), explicit(7, 0), 0, LIM),
        Err(AppendError::NotGreater)
    );
    // `*` IDs: the clock, or the next sequence when the clock is behind.
    assert_eq!(
        s.append(&pairs(&["a", "1"]), None, 3, LIM),
        Ok(StreamId::new(7, 1))
    );
    assert_eq!(
        s.append(&pairs(&["a", "1"]), None, 100, LIM),
        Ok(StreamId::new(100, 0))
    );
}

#[test]
fn delete_and_trim_keep_counts() {
    let mut s = Stream::new();
    for i in 1..=10u64 {
        s.append(&pairs(&["f", "v"]), explicit(i, 0), 0, LIM)
            .unwrap();
    }
    assert!(s.delete(StreamId::new(1, 0)));
    assert!(!s.delete(StreamId::new(1, 0)));
    assert_eq!(s.first_id, StreamId::new(1, 0)); // the command updates it
    s.first_id = s.edge_id(true, true);
    s.check_invariants().unwrap();
    let n = s.trim(TrimArgs {
        strategy: TrimStrategy::MaxLen(5),
        approx: false,
        limit: 0,
    });
    assert_eq!(n, 4);
    assert_eq!(s.len(), 5);
    assert_eq!(s.first_id, StreamId::new(6, 0));
    s.check_invariants().unwrap();
    let n = s.trim(TrimArgs {
        strategy: TrimStrategy::MinId(StreamId::new(9, 0)),
        approx: true,
        limit: 0,
    });
    // Approximate: only whole nodes (7-9 is one node whose last ID is not below 9-0).
    assert_eq!(n, 1);
    s.check_invariants().unwrap();
}

#[test]
fn node_layout_is_redis_layout() {
    let mut s = Stream::new();
    s.append(&pairs(&["f", "v"]), explicit(1, 0), 0, LIM)
        .unwrap();
    s.append(&pairs(&["g", "w"]), explicit(1, 1), 0, LIM)
        .unwrap();
    let (_, lp) = s.nodes().next().unwrap();
    let elems: Vec<Bytes> = lp.iter().map(|e| e.to_bytes()).collect();
    let want = [
        "2", "0", "1", "f", "0", // master
        "2", "0", "0", "v", "4", // same fields
        "0", "0", "1", "1", "g", "w", "6", // own fields
    ];
    assert_eq!(elems, pairs(&want));
}
