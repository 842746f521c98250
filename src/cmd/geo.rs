//! Geo commands (geo.c): GEOADD, GEODIST, GEOHASH, GEOPOS, GEORADIUS[_RO],
//! GEORADIUSBYMEMBER[_RO], GEOSEARCH, GEOSEARCHSTORE. A geo set is a sorted set whose
//! scores are 52-bit geohashes (`db::geohash`); GEOADD is ZADD with the scores computed,
//! run through the command table and propagated as that ZADD, as Redis's
//! `replaceClientCommandVector` does.

use super::args::{is, wrongtype, ERR_NOT_FLOAT, ERR_NOT_INT, ERR_SYNTAX};
use super::notify::{self, notify};
use super::table::*;
use super::Ctx;
use crate::db::geohash::{self, Search, Shape};
use crate::db::zset::ZSetValue;
use crate::db::{Ttl, Value};
use crate::resp::Reply;
use crate::util::float::string2d;
use crate::util::int::string2ll;
use bytes::Bytes;

const ERR_UNIT: &str = "ERR unsupported unit provided. please use M, KM, FT, MI";
const ERR_MEMBER: &str = "ERR could not decode requested zset member";

/// getDoubleFromObjectOrReply, with Redis's default or a custom message.
fn arg_f64(arg: &[u8], msg: Option<&'static str>) -> Result<f64, Reply> {
    string2d(arg).ok_or_else(|| match msg {
        Some(m) => Reply::error(format!("ERR {m}")),
        None => Reply::err(ERR_NOT_FLOAT),
    })
}

/// extractLongLatOrReply.
fn lon_lat(args: &[Bytes]) -> Result<[f64; 2], Reply> {
    let x = arg_f64(&args[0], None)?;
    let y = arg_f64(&args[1], None)?;
    if !(geohash::LONG_MIN..=geohash::LONG_MAX).contains(&x)
        || !(geohash::LAT_MIN..=geohash::LAT_MAX).contains(&y)
    {
        return Err(Reply::error(format!(
            "ERR invalid longitude,latitude pair {x:.6},{y:.6}"
        )));
    }
    Ok([x, y])
}

/// extractUnitOrReply: metres per unit.
fn unit(arg: &[u8]) -> Result<f64, Reply> {
    if is(arg, "m") {
        Ok(1.0)
    } else if is(arg, "km") {
        Ok(1000.0)
    } else if is(arg, "ft") {
        Ok(0.3048)
    } else if is(arg, "mi") {
        Ok(1609.34)
    } else {
        Err(Reply::err(ERR_UNIT))
    }
}

/// extractDistanceOrReply: (radius, conversion).
fn radius_arg(args: &[Bytes]) -> Result<(f64, f64), Reply> {
    let d = arg_f64(&args[0], Some("need numeric radius"))?;
    if d < 0.0 {
        return Err(Reply::err("ERR radius cannot be negative"));
    }
    Ok((d, unit(&args[1])?))
}

/// extractBoxOrReply: (width, height, conversion).
fn box_arg(args: &[Bytes]) -> Result<(f64, f64, f64), Reply> {
    let w = arg_f64(&args[0], Some("need numeric width"))?;
    let h = arg_f64(&args[1], Some("need numeric height"))?;
    if h < 0.0 || w < 0.0 {
        return Err(Reply::err("ERR height or width cannot be negative"));
    }
    Ok((w, h, unit(&args[2])?))
}

/// addReplyDoubleDistance: fixedpoint_d2string with 4 decimals (llrint, ties to even).
pub fn distance_text(d: f64) -> String {
    if d == 0.0 {
        return "0.0000".into();
    }
    let v = (d * 10000.0).round_ties_even();
    // llrint of what does not fit is LLONG_MIN (the x86 "indefinite" value).
    // 2^63: what does not fit an i64 is LLONG_MIN (x86's "indefinite" integer).
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    let v = if (-LIMIT..LIMIT).contains(&v) {
        v as i64
    } else {
        i64::MIN
    };
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    format!("{sign}{}.{:04}", a / 10000, a % 10000)
}

/// addReplyHumanLongDouble's text: `%.17Lf` with trailing zeros trimmed.
pub fn human_text(x: f64) -> String {
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.into();
    }
    let mut s = format!("{x:.17}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" {
        s = "0".into();
    }
    s
}

fn human(ctx: &Ctx<'_>, x: f64) -> Reply {
    // RESP3 sends a double; its digits are the encoder's (%.17g), not Redis's
    // `%.17Lf` (a known difference, RESP2 is exact).
    if ctx.session.resp == 3 {
        Reply::Double(x)
    } else {
        Reply::Bulk(Bytes::from(human_text(x)))
    }
}

fn read_zset<'a>(ctx: &'a mut Ctx<'_>, key: &[u8]) -> Result<Option<&'a ZSetValue>, Reply> {
    let now = ctx.now_ms();
    ctx.keyspace
        .read_as::<ZSetValue>(ctx.session.db, key, now)
        .map_err(|_| wrongtype())
}

/// The source sorted set after its lookup (no expiry, no hit counted again).
fn peek_zset<'a>(ctx: &'a mut Ctx<'_>, key: &[u8]) -> Option<&'a ZSetValue> {
    match ctx.keyspace.peek_mut(ctx.session.db, key) {
        Some(Value::ZSet(z)) => Some(&**z),
        _ => None,
    }
}

fn member_score(ctx: &mut Ctx<'_>, key: &[u8], member: &[u8]) -> Option<f64> {
    peek_zset(ctx, key).and_then(|z| z.score(member))
}

// ---- GEOADD -----------------------------------------------------------------------

fn geoadd_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let (mut nx, mut xx) = (false, false);
    let mut longidx = 2;
    while longidx < argv.len() {
        let opt = &argv[longidx];
        if is(opt, "nx") {
            nx = true;
        } else if is(opt, "xx") {
            xx = true;
        } else if !is(opt, "ch") {
            break;
        }
        longidx += 1;
    }
    if !(argv.len() - longidx).is_multiple_of(3) || (xx && nx) {
        return Err(Reply::err(ERR_SYNTAX));
    }
    let mut zadd: Vec<Bytes> = Vec::with_capacity(longidx + (argv.len() - longidx) / 3 * 2);
    zadd.push(Bytes::from_static(b"zadd"));
    zadd.extend_from_slice(&argv[1..longidx]);
    for triple in argv[longidx..].chunks(3) {
        let [x, y] = lon_lat(&triple[..2])?;
        let score = geohash::score_of(x, y).unwrap_or(0);
        zadd.push(Bytes::from(score.to_string()));
        zadd.push(triple[2].clone());
    }
    let Some(zadd_cmd) = lookup(b"zadd") else {
        return Err(Reply::err("ERR unknown command 'zadd'"));
    };
    ctx.propagate_as(zadd.clone());
    (zadd_cmd.handler)(ctx, &zadd)
}

// ---- GEOPOS / GEOHASH / GEODIST ---------------------------------------------------

fn scores_of(ctx: &mut Ctx<'_>, key: &[u8], members: &[Bytes]) -> Result<Vec<Option<f64>>, Reply> {
    let z = read_zset(ctx, key)?;
    Ok(members.iter().map(|m| z.and_then(|z| z.score(m))).collect())
}

fn geopos_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let scores = scores_of(ctx, &argv[1], &argv[2..])?;
    let out = scores
        .into_iter()
        .map(|s| match s.and_then(geohash::decode_score) {
            Some(xy) => Reply::Array(vec![human(ctx, xy[0]), human(ctx, xy[1])]),
            None => Reply::NullArray,
        })
        .collect();
    Ok(Reply::Array(out))
}

fn geohash_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let scores = scores_of(ctx, &argv[1], &argv[2..])?;
    let out = scores
        .into_iter()
        .map(|s| match s.and_then(geohash::standard_geohash) {
            Some(text) => Reply::Bulk(Bytes::copy_from_slice(&text)),
            None => Reply::Null,
        })
        .collect();
    Ok(Reply::Array(out))
}

fn geodist_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let to_meter = match argv.len() {
        5 => unit(&argv[4])?,
        n if n > 5 => return Err(Reply::err(ERR_SYNTAX)),
        _ => 1.0,
    };
    let Some(z) = read_zset(ctx, &argv[1])? else {
        return Ok(Reply::Null);
    };
    let (Some(a), Some(b)) = (z.score(&argv[2]), z.score(&argv[3])) else {
        return Ok(Reply::Null);
    };
    match (geohash::decode_score(a), geohash::decode_score(b)) {
        (Some(p), Some(q)) => {
            let d = geohash::distance(p[0], p[1], q[0], q[1]) / to_meter;
            Ok(Reply::Bulk(Bytes::from(distance_text(d))))
        }
        _ => Ok(Reply::Null),
    }
}

// ---- GEORADIUS / GEOSEARCH --------------------------------------------------------

const RADIUS_COORDS: u8 = 1 << 0;
const RADIUS_MEMBER: u8 = 1 << 1;
const RADIUS_NOSTORE: u8 = 1 << 2;
const GEOSEARCH: u8 = 1 << 3;
const GEOSEARCHSTORE: u8 = 1 << 4;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sort {
    None,
    Asc,
    Desc,
}

/// One match: geoPoint.
struct Point {
    xy: [f64; 2],
    dist: f64,
    score: f64,
    member: Bytes,
}

/// membersOfAllNeighbors: the points of the 9 boxes inside the shape, box by box, each
/// box in score order; with `limit` (ANY), stops once that many were found.
fn points_in_shape(z: &ZSetValue, search: &Search, limit: usize) -> Vec<Point> {
    let boxes = geohash::areas_by_shape(search);
    let mut out: Vec<Point> = Vec::new();
    let mut last_processed = 0usize;
    for (i, b) in boxes.iter().enumerate() {
        if b.bits == 0 && b.step == 0 {
            continue;
        }
        // Redis compares with the last processed box only once one other than the
        // centre was processed (`last_processed` 0 means none to it).
        if last_processed != 0 && *b == boxes[last_processed] {
            continue;
        }
        if !out.is_empty() && limit != 0 && out.len() >= limit {
            break;
        }
        let (min, max) = geohash::box_scores(*b);
        let (min, max) = (min as f64, max as f64);
        let lo = z.count_before(|s, _| s < min);
        let hi = z.count_before(|s, _| s < max);
        for (score, member) in z.range(lo, hi) {
            if let Some(xy) = geohash::decode_score(score) {
                if let Some(dist) = geohash::within(search, xy) {
                    out.push(Point {
                        xy,
                        dist,
                        score,
                        member,
                    });
                }
            }
            if !out.is_empty() && limit != 0 && out.len() >= limit {
                break;
            }
        }
        last_processed = i;
    }
    out
}

struct Opts {
    withdist: bool,
    withhash: bool,
    withcoords: bool,
    sort: Sort,
    any: bool,
    count: i64,
    storekey: Option<Bytes>,
    storedist: bool,
}

/// georadiusGeneric.
fn georadius_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], src: usize, flags: u8) -> CmdResult {
    let src_key = &argv[src];
    // The source is looked up once, up front, as Redis's lookupKeyRead does (hits and
    // misses counted once); later reads peek at it.
    let has_z = read_zset(ctx, src_key)?.is_some();
    let mut center = [0.0f64; 2];
    let mut shape = Shape::Circle { radius: 0.0 };
    let mut conversion = 0.0;
    let base_args;
    let mut o = Opts {
        withdist: false,
        withhash: false,
        withcoords: false,
        sort: Sort::None,
        any: false,
        count: 0,
        storekey: None,
        storedist: false,
    };
    if flags & RADIUS_COORDS != 0 {
        base_args = 6;
        center = lon_lat(&argv[2..4])?;
        let (r, c) = radius_arg(&argv[4..6])?;
        (shape, conversion) = (Shape::Circle { radius: r }, c);
    } else if flags & RADIUS_MEMBER != 0 {
        base_args = 5;
        if has_z {
            center = member_score(ctx, src_key, &argv[2])
                .and_then(geohash::decode_score)
                .ok_or_else(|| Reply::err(ERR_MEMBER))?;
            let (r, c) = radius_arg(&argv[3..5])?;
            (shape, conversion) = (Shape::Circle { radius: r }, c);
        }
    } else {
        base_args = if flags & GEOSEARCHSTORE != 0 { 3 } else { 2 };
        if flags & GEOSEARCHSTORE != 0 {
            o.storekey = Some(argv[1].clone());
        }
    }
    let (mut frommember, mut fromloc, mut byradius, mut bybox) = (false, false, false, false);
    let rest = &argv[base_args.min(argv.len())..];
    let remaining = rest.len();
    let mut i = 0;
    while i < remaining {
        let arg = &rest[i];
        let search = flags & GEOSEARCH != 0;
        let store_ok = flags & RADIUS_NOSTORE == 0 && !search;
        if is(arg, "withdist") {
            o.withdist = true;
        } else if is(arg, "withhash") {
            o.withhash = true;
        } else if is(arg, "withcoord") {
            o.withcoords = true;
        } else if is(arg, "any") {
            o.any = true;
        } else if is(arg, "asc") {
            o.sort = Sort::Asc;
        } else if is(arg, "desc") {
            o.sort = Sort::Desc;
        } else if is(arg, "count") && i + 1 < remaining {
            o.count = string2ll(&rest[i + 1]).ok_or_else(|| Reply::err(ERR_NOT_INT))?;
            if o.count <= 0 {
                return Err(Reply::err("ERR COUNT must be > 0"));
            }
            i += 1;
        } else if is(arg, "store") && i + 1 < remaining && store_ok {
            o.storekey = Some(rest[i + 1].clone());
            o.storedist = false;
            i += 1;
        } else if is(arg, "storedist") && i + 1 < remaining && store_ok {
            o.storekey = Some(rest[i + 1].clone());
            o.storedist = true;
            i += 1;
        } else if is(arg, "storedist") && search && flags & GEOSEARCHSTORE != 0 {
            o.storedist = true;
        } else if is(arg, "frommember") && i + 1 < remaining && search && !fromloc {
            if has_z {
                center = member_score(ctx, src_key, &rest[i + 1])
                    .and_then(geohash::decode_score)
                    .ok_or_else(|| Reply::err(ERR_MEMBER))?;
            }
            frommember = true;
            i += 1;
        } else if is(arg, "fromlonlat") && i + 2 < remaining && search && !frommember {
            center = lon_lat(&rest[i + 1..i + 3])?;
            fromloc = true;
            i += 2;
        } else if is(arg, "byradius") && i + 2 < remaining && search && !bybox {
            let (r, c) = radius_arg(&rest[i + 1..i + 3])?;
            (shape, conversion) = (Shape::Circle { radius: r }, c);
            byradius = true;
            i += 2;
        } else if is(arg, "bybox") && i + 3 < remaining && search && !byradius {
            let (w, h, c) = box_arg(&rest[i + 1..i + 4])?;
            (shape, conversion) = (
                Shape::Box {
                    width: w,
                    height: h,
                },
                c,
            );
            bybox = true;
            i += 3;
        } else {
            return Err(Reply::err(ERR_SYNTAX));
        }
        i += 1;
    }
    if o.storekey.is_some() && (o.withdist || o.withhash || o.withcoords) {
        let what = if flags & GEOSEARCHSTORE != 0 {
            "GEOSEARCHSTORE"
        } else {
            "STORE option in GEORADIUS"
        };
        return Err(Reply::error(format!(
            "ERR {what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
        )));
    }
    if flags & GEOSEARCH != 0 && !(frommember || fromloc) {
        let mut t = b"ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ".to_vec();
        t.extend(argv[0].iter().take_while(|&&c| c != 0));
        return Err(Reply::error_bytes(t));
    }
    if flags & GEOSEARCH != 0 && !(byradius || bybox) {
        let mut t = b"ERR exactly one of BYRADIUS and BYBOX can be specified for ".to_vec();
        t.extend(argv[0].iter().take_while(|&&c| c != 0));
        return Err(Reply::error_bytes(t));
    }
    if o.any && o.count == 0 {
        return Err(Reply::err("ERR the ANY argument requires COUNT argument"));
    }
    if !has_z {
        return match &o.storekey {
            Some(dst) => {
                delete_store_key(ctx, dst);
                Ok(Reply::Integer(0))
            }
            None => Ok(Reply::Array(Vec::new())),
        };
    }
    if o.count != 0 && o.sort == Sort::None && !o.any {
        o.sort = Sort::Asc;
    }
    let search = Search {
        xy: center,
        shape,
        conversion,
    };
    let limit = if o.any { o.count as usize } else { 0 };
    let mut points = match peek_zset(ctx, src_key) {
        Some(z) => points_in_shape(z, &search, limit),
        None => Vec::new(),
    };
    if points.is_empty() && o.storekey.is_none() {
        return Ok(Reply::Array(Vec::new()));
    }
    let returned = if o.count == 0 || (points.len() as i64) < o.count {
        points.len()
    } else {
        o.count as usize
    };
    // glibc's qsort (a merge sort for these sizes) keeps equal distances in order.
    match o.sort {
        Sort::Asc => points.sort_by(|a, b| a.dist.total_cmp(&b.dist)),
        Sort::Desc => points.sort_by(|a, b| b.dist.total_cmp(&a.dist)),
        Sort::None => {}
    }
    points.truncate(returned);
    for p in &mut points {
        p.dist /= search.conversion;
    }
    match o.storekey {
        None => {
            let out = points
                .iter()
                .map(|p| {
                    let mut item = vec![Reply::Bulk(p.member.clone())];
                    if o.withdist {
                        item.push(Reply::Bulk(Bytes::from(distance_text(p.dist))));
                    }
                    if o.withhash {
                        item.push(Reply::Integer(p.score as i64));
                    }
                    if o.withcoords {
                        item.push(Reply::Array(vec![human(ctx, p.xy[0]), human(ctx, p.xy[1])]));
                    }
                    if item.len() == 1 {
                        item.pop().unwrap_or(Reply::Null)
                    } else {
                        Reply::Array(item)
                    }
                })
                .collect();
            Ok(Reply::Array(out))
        }
        Some(dst) => {
            if points.is_empty() {
                delete_store_key(ctx, &dst);
                return Ok(Reply::Integer(0));
            }
            let lim = crate::db::zset::Limits {
                max_entries: ctx.server.config.zset_max_listpack_entries,
                max_value: ctx.server.config.zset_max_listpack_value,
                hash_keys: ctx.keyspace.hash_keys(),
            };
            let mut stored = ZSetValue::new(false, lim.hash_keys);
            for p in &points {
                let score = if o.storedist { p.dist } else { p.score };
                stored.set(&p.member, score, lim);
            }
            stored.shrink_encoding(lim.max_entries, lim.max_value);
            ctx.keyspace
                .set(ctx.session.db, dst.clone(), Value::zset(stored), Ttl::Clear);
            let event = if flags & GEOSEARCH != 0 {
                "geosearchstore"
            } else {
                "georadiusstore"
            };
            notify(ctx, notify::ZSET, event, &dst);
            ctx.add_dirty(returned as u64);
            Ok(Reply::Integer(returned as i64))
        }
    }
}

/// An empty result deletes the destination (dbDelete, announced as `del`).
fn delete_store_key(ctx: &mut Ctx<'_>, dst: &Bytes) {
    if ctx.keyspace.remove(ctx.session.db, dst).is_some() {
        ctx.modified(dst, 0);
        notify(ctx, notify::GENERIC, "del", dst);
        ctx.add_dirty(1);
    }
}

fn georadius_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    georadius_generic(ctx, argv, 1, RADIUS_COORDS)
}

fn georadiusbymember_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    georadius_generic(ctx, argv, 1, RADIUS_MEMBER)
}

fn georadius_ro_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    georadius_generic(ctx, argv, 1, RADIUS_COORDS | RADIUS_NOSTORE)
}

fn georadiusbymember_ro_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    georadius_generic(ctx, argv, 1, RADIUS_MEMBER | RADIUS_NOSTORE)
}

fn geosearch_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    georadius_generic(ctx, argv, 1, GEOSEARCH)
}

fn geosearchstore_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    georadius_generic(ctx, argv, 2, GEOSEARCH | GEOSEARCHSTORE)
}

// ---- Table (flags, key specs, ACL and docs as Redis 7.0.15's COMMAND INFO / DOCS) ----

const RADIUS_COMPLEXITY: &str = "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.";
const SEARCH_COMPLEXITY: &str = "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape";

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("geoadd", -5, WRITE | DENYOOM, Group::Geo, geoadd_cmd).keys(&[key(1, RW | UPDATE)])
        .doc("3.2.0", "Add one or more geospatial items in the geospatial index represented using a sorted set", "O(log(N)) for each item added, where N is the number of elements in the sorted set.")
        .history(&[("6.2.0", "Added the `CH`, `NX` and `XX` options.")]),
    cmd("geodist", -4, READONLY, Group::Geo, geodist_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("3.2.0", "Returns the distance between two members of a geospatial index", "O(log(N))"),
    cmd("geohash", -2, READONLY, Group::Geo, geohash_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("3.2.0", "Returns members of a geospatial index as standard geohash strings", "O(log(N)) for each member requested, where N is the number of elements in the sorted set."),
    cmd("geopos", -2, READONLY, Group::Geo, geopos_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("3.2.0", "Returns longitude and latitude of members of a geospatial index", "O(N) where N is the number of members requested."),
    cmd("georadius", -6, WRITE | DENYOOM, Group::Geo, georadius_cmd)
        .keys(&[key(1, RO | ACCESS), keyword_key("STORE", 6, OW | UPDATE), keyword_key("STOREDIST", 6, OW | UPDATE)])
        .doc("3.2.0", "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point", RADIUS_COMPLEXITY)
        .history(&[("6.2.0", "Added the `ANY` option for `COUNT`."), ("7.0.0", "Added support for uppercase unit names.")])
        .deprecated("6.2.0", "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument"),
    cmd("georadius_ro", -6, READONLY, Group::Geo, georadius_ro_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("3.2.10", "A read-only variant for GEORADIUS", RADIUS_COMPLEXITY)
        .history(&[("6.2.0", "Added the `ANY` option for `COUNT`.")])
        .deprecated("6.2.0", "`GEOSEARCH` with the `BYRADIUS` argument"),
    cmd("georadiusbymember", -5, WRITE | DENYOOM, Group::Geo, georadiusbymember_cmd)
        .keys(&[key(1, RO | ACCESS), keyword_key("STORE", 5, OW | UPDATE), keyword_key("STOREDIST", 5, OW | UPDATE)])
        .doc("3.2.0", "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member", RADIUS_COMPLEXITY)
        .history(&[("7.0.0", "Added support for uppercase unit names.")])
        .deprecated("6.2.0", "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` and `FROMMEMBER` arguments"),
    cmd("georadiusbymember_ro", -5, READONLY, Group::Geo, georadiusbymember_ro_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("3.2.10", "A read-only variant for GEORADIUSBYMEMBER", RADIUS_COMPLEXITY)
        .deprecated("6.2.0", "`GEOSEARCH` with the `BYRADIUS` and `FROMMEMBER` arguments"),
    cmd("geosearch", -7, READONLY, Group::Geo, geosearch_cmd).keys(&[key(1, RO | ACCESS)])
        .doc("6.2.0", "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.", SEARCH_COMPLEXITY)
        .history(&[("7.0.0", "Added support for uppercase unit names.")]),
    cmd("geosearchstore", -8, WRITE | DENYOOM, Group::Geo, geosearchstore_cmd).keys(&[key(1, OW | UPDATE), key(2, RO | ACCESS)])
        .doc("6.2.0", "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.", SEARCH_COMPLEXITY)
        .history(&[("7.0.0", "Added support for uppercase unit names.")]),
];

#[cfg(test)]
mod tests {
    use super::{distance_text, human_text};
    use crate::cmd::testkit::{b, e, i, Harness};
    use crate::resp::Reply;

    #[test]
    fn number_formats() {
        assert_eq!(distance_text(0.0), "0.0000");
        assert_eq!(distance_text(166274.15156960033), "166274.1516");
        assert_eq!(distance_text(0.00005), "0.0000");
        assert_eq!(human_text(13.361389338970184), "13.36138933897018433");
        assert_eq!(human_text(-0.0), "0");
        assert_eq!(human_text(15.0), "15");
    }

    #[test]
    fn sicily() {
        let mut h = Harness::new();
        assert_eq!(
            h.run("GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania"),
            i(2)
        );
        assert_eq!(h.run("GEODIST Sicily Palermo Catania"), b("166274.1516"));
        assert_eq!(h.run("GEODIST Sicily Palermo Catania km"), b("166.2742"));
        assert_eq!(h.run("GEODIST Sicily Palermo nobody"), Reply::Null);
        assert_eq!(
            h.run("GEORADIUS Sicily 15 37 100 km"),
            Reply::Array(vec![b("Catania")])
        );
        assert_eq!(
            h.run("GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ASC"),
            Reply::Array(vec![b("Catania"), b("Palermo")])
        );
        assert_eq!(
            h.run("GEOHASH Sicily Palermo Catania"),
            Reply::Array(vec![b("sqc8b49rny0"), b("sqdtr74hyu0")])
        );
        assert_eq!(
            h.run("GEOADD Sicily 200 1 x"),
            e("ERR invalid longitude,latitude pair 200.000000,1.000000")
        );
        assert_eq!(
            h.run("GEOSEARCHSTORE d Sicily FROMMEMBER Palermo BYBOX 400 400 km STOREDIST"),
            i(2)
        );
        assert_eq!(h.run("ZCARD d"), i(2));
    }
}
