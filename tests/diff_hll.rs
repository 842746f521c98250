//! Differential test of the HyperLogLog commands against a real redis-server 7.0:
//! seeded random scripts of PFADD / PFCOUNT / PFMERGE / PFDEBUG over a few keys, with
//! `hll-sparse-max-bytes` changed on the way so sparse HLLs are promoted to dense at
//! different sizes, `GET` of every key after each step (the representation byte for
//! byte, cached cardinality included), and corruption through SETRANGE / APPEND / SET
//! (Redis's INVALIDOBJ and WRONGTYPE texts). Every reply compared byte for byte.
//! Skipped (loudly) where redis-server is not installed; CI installs it.

mod common;

use common::diff::assert_scripts_match;

/// A small deterministic generator (xorshift64*), so a failing script is reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const KEYS: &[&str] = &["h1", "h2", "h3", "{h}x"];

fn key(rng: &mut Rng) -> &'static str {
    KEYS[rng.below(KEYS.len() as u64) as usize]
}

fn element(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => rng.below(100_000).to_string(),
        1 => format!("e{}", rng.below(5000)),
        2 => format!(
            "long-element-{}-{}",
            rng.below(1000),
            "x".repeat(rng.below(20) as usize)
        ),
        _ => rng.below(50).to_string(),
    }
}

fn script(seed: u64) -> Vec<String> {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut out = Vec::new();
    let max_bytes = [3000, 3000, 100, 500, 1, 0, 12000][rng.below(7) as usize];
    out.push(format!("CONFIG SET hll-sparse-max-bytes {max_bytes}"));
    for _ in 0..40 {
        let k = key(&mut rng);
        let line = match rng.below(20) {
            0..=7 => {
                let n = [1, 2, 5, 30, 200, 600][rng.below(6) as usize];
                let elements: Vec<String> = (0..n).map(|_| element(&mut rng)).collect();
                format!("PFADD {k} {}", elements.join(" "))
            }
            8 => format!("PFADD {k}"),
            9 | 10 => format!("PFCOUNT {k}"),
            11 => format!("PFCOUNT {k} {} {}", key(&mut rng), key(&mut rng)),
            12 => format!("PFMERGE {k} {} {}", key(&mut rng), key(&mut rng)),
            13 => format!("PFMERGE {k}"),
            14 => {
                let sub =
                    ["ENCODING", "DECODE", "TODENSE", "GETREG", "BOGUS"][rng.below(5) as usize];
                format!("PFDEBUG {sub} {k}")
            }
            15 => format!(
                "CONFIG SET hll-sparse-max-bytes {}",
                [0, 50, 300, 3000, 20000][rng.below(5) as usize]
            ),
            16 => match rng.below(6) {
                // Corruptions: a broken opcode, a bad encoding byte, a bad magic.
                0 => format!("SETRANGE {k} {} '\x01'", 16 + rng.below(8)),
                1 => format!("SETRANGE {k} 4 '\x05'"),
                2 => format!("SETRANGE {k} 0 X"),
                3 => format!("APPEND {k} '\x7f'"),
                4 => format!("SET {k} notanhll"),
                _ => format!("SET {k} 12345"),
            },
            17 => format!("OBJECT ENCODING {k}"),
            18 => format!("DEL {k}"),
            _ => format!("STRLEN {k}"),
        };
        out.push(line);
        out.push(format!("GET {k}"));
    }
    for k in KEYS {
        out.push(format!("GET {k}"));
    }
    out.push("CONFIG SET hll-sparse-max-bytes 3000".into());
    out
}

const FIXED: &[&str] = &[
    "PFADD",
    "PFCOUNT",
    "PFMERGE",
    "PFDEBUG GETREG",
    "PFDEBUG GETREG nokey x",
    "PFDEBUG GETREG nokey",
    "PFSELFTEST x",
    "LPUSH l a",
    "PFADD l a",
    "PFCOUNT l",
    "PFCOUNT l l",
    "PFMERGE l",
    "PFMERGE x l",
    "PFDEBUG ENCODING l",
    "PFADD k a b c d e f g",
    "GET k",
    "PFCOUNT k",
    "GET k",
    "PFADD k a",
    "GET k",
    "PFADD k zzz",
    "GET k",
    "OBJECT ENCODING k",
    "PFDEBUG DECODE k",
    "PFDEBUG ENCODING k",
    "PFDEBUG TODENSE k",
    "PFDEBUG TODENSE k",
    "PFDEBUG DECODE k",
    "PFCOUNT k",
    "GET k",
    "PFMERGE dst k",
    "GET dst",
    "PFMERGE new",
    "GET new",
    "PFCOUNT new k dst nokey",
    "SET s ''",
    "PFADD s a",
    "SET s HYLL",
    "PFADD s a",
    "COMMAND INFO pfadd pfcount pfmerge pfdebug pfselftest",
    "COMMAND GETKEYS pfmerge d a b",
    "COMMAND GETKEYS pfdebug getreg k",
];

#[test]
fn hyperloglog_matches_redis() {
    let scripts: Vec<Vec<String>> = (0..60).map(script).collect();
    let owned: Vec<Vec<&str>> = scripts
        .iter()
        .map(|s| s.iter().map(String::as_str).collect())
        .collect();
    let mut all: Vec<&[&str]> = owned.iter().map(Vec::as_slice).collect();
    all.push(FIXED);
    let commands: usize = all.iter().map(|s| s.len()).sum();
    eprintln!("{} scripts, {commands} commands compared", all.len());
    assert_scripts_match(&all);
}
