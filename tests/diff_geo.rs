//! Differential test of the geo commands against a real redis-server 7.0: seeded random
//! scripts of GEOADD (NX/XX/CH), GEOPOS, GEOHASH, GEODIST (every unit), GEORADIUS[_RO],
//! GEORADIUSBYMEMBER[_RO] (STORE/STOREDIST, ANY, COUNT, WITH*), GEOSEARCH (FROMMEMBER,
//! FROMLONLAT, BYRADIUS, BYBOX, ASC/DESC) and GEOSEARCHSTORE (STOREDIST), over points
//! spread across the globe and clustered near each other, with out-of-range
//! coordinates, bad units, bad numbers and wrong option mixes among them; the stored
//! results read back with ZRANGE WITHSCORES. Every reply compared byte for byte.
//! Skipped (loudly) where redis-server is not installed; CI installs it.

mod common;

use common::diff::assert_scripts_match;

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
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
    /// A coordinate in [lo, hi] with up to 6 decimals.
    fn coord(&mut self, lo: f64, hi: f64) -> String {
        let steps = ((hi - lo) * 1e6) as u64;
        format!("{:.6}", lo + self.below(steps + 1) as f64 / 1e6)
    }
}

const UNITS: &[&str] = &["m", "km", "ft", "mi", "KM", "Mi", "yd"];

fn lonlat(rng: &mut Rng) -> String {
    match rng.below(10) {
        // Near a cluster centre (13, 38), so small radii find several points.
        0..=4 => format!("{} {}", rng.coord(12.5, 13.5), rng.coord(37.5, 38.5)),
        5..=7 => format!("{} {}", rng.coord(-180.0, 180.0), rng.coord(-85.05, 85.05)),
        8 => [
            "180 85.05112878",
            "-180 -85.05112878",
            "0 0",
            "179.999 0.001",
        ][rng.below(4) as usize]
            .into(),
        _ => ["181 0", "0 86", "abc 1", "1 nan", "-180.0001 0"][rng.below(5) as usize].into(),
    }
}

fn member(rng: &mut Rng) -> String {
    format!("m{}", rng.below(30))
}

fn radius(rng: &mut Rng) -> String {
    let r = match rng.below(8) {
        0 => "0".to_string(),
        1 => "-1".to_string(),
        2 => "x".to_string(),
        3 => "20000".to_string(),
        _ => format!("{}", rng.below(300_000)),
    };
    format!("{r} {}", rng.pick(UNITS))
}

fn options(rng: &mut Rng, with: bool) -> String {
    let mut out = Vec::new();
    for _ in 0..rng.below(4) {
        let opt = match rng.below(9) {
            0 if with => "WITHDIST".to_string(),
            1 if with => "WITHCOORD".to_string(),
            2 if with => "WITHHASH".to_string(),
            3 => "ASC".to_string(),
            4 => "DESC".to_string(),
            5 => format!("COUNT {}", [1, 2, 3, 5, 0, -1][rng.below(6) as usize]),
            6 => format!("COUNT {} ANY", 1 + rng.below(4)),
            7 => "ANY".to_string(),
            _ => "DESC".to_string(),
        };
        out.push(opt);
    }
    out.join(" ")
}

fn script(seed: u64) -> Vec<String> {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut out = Vec::new();
    // zset-max-listpack-entries low in some scripts, so both encodings are searched.
    if rng.below(2) == 0 {
        out.push("CONFIG SET zset-max-listpack-entries 4".to_string());
    } else {
        out.push("CONFIG SET zset-max-listpack-entries 128".to_string());
    }
    for _ in 0..6 {
        let pts: Vec<String> = (0..1 + rng.below(6))
            .map(|_| format!("{} {}", lonlat(&mut rng), member(&mut rng)))
            .collect();
        out.push(format!("GEOADD g {}", pts.join(" ")));
    }
    for _ in 0..40 {
        let line = match rng.below(16) {
            0 => {
                let flags =
                    ["", "NX ", "XX ", "CH ", "NX CH ", "XX CH ", "NX XX "][rng.below(7) as usize];
                format!("GEOADD g {flags}{} {}", lonlat(&mut rng), member(&mut rng))
            }
            1 => format!("GEOPOS g {} {} nosuch", member(&mut rng), member(&mut rng)),
            2 => format!("GEOHASH g {} {} nosuch", member(&mut rng), member(&mut rng)),
            3 => format!(
                "GEODIST g {} {} {}",
                member(&mut rng),
                member(&mut rng),
                rng.pick(UNITS)
            ),
            4 => format!("GEODIST g {} {}", member(&mut rng), member(&mut rng)),
            5 => format!(
                "GEORADIUS g {} {} {}",
                lonlat(&mut rng),
                radius(&mut rng),
                options(&mut rng, true)
            ),
            6 => format!(
                "GEORADIUS_RO g {} {} {}",
                lonlat(&mut rng),
                radius(&mut rng),
                options(&mut rng, true)
            ),
            7 => format!(
                "GEORADIUSBYMEMBER g {} {} {}",
                member(&mut rng),
                radius(&mut rng),
                options(&mut rng, true)
            ),
            8 => format!(
                "GEORADIUSBYMEMBER_RO g {} {} {}",
                member(&mut rng),
                radius(&mut rng),
                options(&mut rng, true)
            ),
            9 => {
                let store = if rng.below(2) == 0 {
                    "STORE"
                } else {
                    "STOREDIST"
                };
                let with = rng.below(4) == 0;
                format!(
                    "GEORADIUS g {} {} {} {store} dst",
                    lonlat(&mut rng),
                    radius(&mut rng),
                    options(&mut rng, with)
                )
            }
            10 => {
                let store = if rng.below(2) == 0 {
                    "STORE"
                } else {
                    "STOREDIST"
                };
                format!(
                    "GEORADIUSBYMEMBER g {} {} {store} dst {}",
                    member(&mut rng),
                    radius(&mut rng),
                    options(&mut rng, false)
                )
            }
            11 | 12 => {
                let from = if rng.below(2) == 0 {
                    format!("FROMMEMBER {}", member(&mut rng))
                } else {
                    format!("FROMLONLAT {}", lonlat(&mut rng))
                };
                let by = if rng.below(2) == 0 {
                    format!("BYRADIUS {}", radius(&mut rng))
                } else {
                    format!(
                        "BYBOX {} {} {}",
                        rng.below(400_000),
                        rng.below(400_000),
                        rng.pick(UNITS)
                    )
                };
                format!("GEOSEARCH g {from} {by} {}", options(&mut rng, true))
            }
            13 => {
                let from = format!("FROMMEMBER {}", member(&mut rng));
                let by = format!("BYBOX {} {} km", rng.below(500), rng.below(500));
                let dist = if rng.below(2) == 0 { "STOREDIST" } else { "" };
                let with = rng.below(5) == 0;
                format!(
                    "GEOSEARCHSTORE dst g {from} {by} {} {dist}",
                    options(&mut rng, with)
                )
            }
            14 => "ZRANGE dst 0 -1 WITHSCORES".to_string(),
            _ => "ZRANGE g 0 -1 WITHSCORES".to_string(),
        };
        out.push(line);
    }
    out.push("ZRANGE g 0 -1 WITHSCORES".to_string());
    out.push("CONFIG SET zset-max-listpack-entries 128".to_string());
    out
}

const FIXED: &[&str] = &[
    "GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania",
    "GEOADD Sicily NX XX 1 1 x",
    "GEOADD Sicily 1 1",
    "GEOADD Sicily ch ch ch",
    "GEOADD Sicily 13 38",
    "GEODIST Sicily Palermo Catania km extra",
    "GEODIST nokey a b",
    "GEOPOS nokey a",
    "GEOHASH nokey a",
    "GEORADIUS nokey 15 37 200 km",
    "GEORADIUS nokey 15 37 200 km STORE dst",
    "GEORADIUSBYMEMBER nokey nobody 200 km",
    "GEORADIUSBYMEMBER Sicily nobody 200 km",
    "GEORADIUS Sicily 15 37 200 km WITHDIST STORE dst",
    "GEORADIUS_RO Sicily 15 37 200 km STORE dst",
    "GEORADIUS Sicily 15 37 200 km COUNT",
    "GEORADIUS Sicily 15 37 200 km COUNT x",
    "GEORADIUS Sicily 15 37 200 km ANY",
    "GEORADIUS Sicily 15 37 200 km BYBOX 1 1 km",
    "GEOSEARCH Sicily BYRADIUS 200 km",
    "GEOSEARCH Sicily FROMLONLAT 15 37 ASC",
    "geosearch Sicily FROMLONLAT 15 37 ASC",
    "GEOSEARCH Sicily FROMLONLAT 15 37 FROMMEMBER Palermo BYRADIUS 1 km",
    "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 1 km BYBOX 1 1 km",
    "GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX -1 1 km",
    "GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX a 1 km",
    "GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 a km",
    "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km STORE x",
    "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST",
    "GEOSEARCH nokey FROMMEMBER x BYRADIUS 200 km",
    "GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km WITHCOORD",
    "GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST",
    "ZRANGE dst 0 -1 WITHSCORES",
    "GEOSEARCHSTORE dst nokey FROMLONLAT 15 37 BYRADIUS 200 km",
    "EXISTS dst",
    "SET str x",
    "GEOPOS str a",
    "GEOADD str 1 1 a",
    "GEOSEARCH str FROMLONLAT 1 1 BYRADIUS 1 m",
    "GEOADD dup 10 10 a 10 10 b 10 10 c 10.0001 10 d",
    "GEOSEARCH dup FROMLONLAT 10 10 BYRADIUS 100 km ASC WITHDIST WITHHASH WITHCOORD",
    "GEOSEARCH dup FROMLONLAT 10 10 BYRADIUS 100 km DESC",
    "GEORADIUS dup 10 10 100 km COUNT 2 ANY",
    "COMMAND INFO geoadd geodist geohash geopos georadius georadius_ro georadiusbymember georadiusbymember_ro geosearch geosearchstore",
    "COMMAND GETKEYS georadius k 1 1 1 km STORE a STOREDIST b",
    "COMMAND GETKEYS georadiusbymember k m 1 km STOREDIST b",
    "COMMAND GETKEYS geosearchstore d s FROMMEMBER m BYRADIUS 1 km",
];

#[test]
fn geo_matches_redis() {
    let scripts: Vec<Vec<String>> = (0..80).map(script).collect();
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
