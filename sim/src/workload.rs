//! The workload: what the simulated clients send. Its vocabulary ([`Cmd`], the keys and
//! families it names, how each command goes on the wire and reads in a replay script) and
//! the seeded [`Generator`] that picks each client's next command.
//!
//! The driver ([`crate::run`]) decides when a client sends and records what came back;
//! the spec ([`crate::model`]) says what each command may answer. This file is the one
//! place that says which commands exist and how often each is drawn.

use bytes::Bytes;
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use seedis::resp::Reply;

/// A key of the workload's small key spaces: the family's prefix and an index
/// (`k0`, `l1`, `h2`, ...). Ids are distinct across families: `family * 32 + index`.
pub type KeyId = u8;

/// The data-type families of the workload, each with its own keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    Str = 0,
    List = 1,
    Hash = 2,
    Set = 3,
    ZSet = 4,
    /// HyperLogLogs: strings in Redis, register arrays in the model.
    Hll = 5,
    /// Geo sets: sorted sets of fixed points ([`GEO_POINTS`]).
    Geo = 6,
    /// Opt-in (`--families ...,streams`): not in [`Family::ALL`], so the seeds' own
    /// family mixes, and with them every existing trace, stay as they were.
    Stream = 7,
}

impl Family {
    pub const ALL: [Family; 7] = [
        Family::Str,
        Family::List,
        Family::Hash,
        Family::Set,
        Family::ZSet,
        Family::Hll,
        Family::Geo,
    ];

    /// Every family, streams included, in discriminant order.
    pub const EVERY: [Family; 8] = [
        Family::Str,
        Family::List,
        Family::Hash,
        Family::Set,
        Family::ZSet,
        Family::Hll,
        Family::Geo,
        Family::Stream,
    ];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Family::Stream => "streams",
            Family::Str => "strings",
            Family::List => "lists",
            Family::Hash => "hashes",
            Family::Set => "sets",
            Family::ZSet => "zsets",
            Family::Hll => "hlls",
            Family::Geo => "geo",
        }
    }

    fn prefix(self) -> char {
        match self {
            Family::Stream => 'x',
            Family::Str => 'k',
            Family::List => 'l',
            Family::Hash => 'h',
            Family::Set => 's',
            Family::ZSet => 'z',
            Family::Hll => 'p',
            Family::Geo => 'g',
        }
    }

    /// The `index`-th key of the family (index < 32).
    pub fn key(self, index: u8) -> KeyId {
        self as u8 * KEYS_PER_FAMILY + index % KEYS_PER_FAMILY
    }

    pub fn of_key(key: KeyId) -> Family {
        Family::EVERY[usize::from(key / KEYS_PER_FAMILY).min(7)]
    }
}

/// Room for key ids per family.
pub const KEYS_PER_FAMILY: u8 = 32;

/// The name of the `channel`-th pub/sub channel of the workload.
pub fn channel_name(channel: u8) -> String {
    format!("ch{channel}")
}

pub fn key_name(key: KeyId) -> String {
    format!("{}{}", Family::of_key(key).prefix(), key % KEYS_PER_FAMILY)
}

/// The restricted user of the seeds with [`Extras::acl`], as a `user` line of the
/// server's configuration: every command but DEL, LPOP and scripts; any key to read,
/// but only `k1` and the lists to write; only channel `ch0`.
pub const LIMITED_USER: &[&str] = &[
    "limited",
    "on",
    ">pw",
    "+@all",
    "-del",
    "-lpop",
    "-@scripting",
    "%R~*",
    "~k1",
    "~l*",
    "resetchannels",
    "&ch0",
];

/// Why the limited user may not run `cmd` (the reply Redis gives), or `None`.
pub fn limited_denial(cmd: &Cmd) -> Option<&'static str> {
    let command = match cmd {
        Cmd::Del(_) => Some("del"),
        Cmd::LPop(_) => Some("lpop"),
        Cmd::Cas { .. }
        | Cmd::LockRelease { .. }
        | Cmd::LockExtend { .. }
        | Cmd::LockReacquire { .. }
        | Cmd::Transfer { .. } => Some("eval"),
        _ => None,
    };
    if let Some(name) = command {
        return Some(match name {
            "del" => "NOPERM this user has no permissions to run the 'del' command",
            "lpop" => "NOPERM this user has no permissions to run the 'lpop' command",
            _ => "NOPERM this user has no permissions to run the 'eval' command",
        });
    }
    if let Cmd::Publish { channel, .. } = cmd {
        return (*channel != 0).then_some(
            "NOPERM this user has no permissions to access one of the channels used as arguments",
        );
    }
    let writable = |key: &KeyId| *key == Family::Str.key(1) || Family::of_key(*key) == Family::List;
    let writes = !cmd.is_read_only() && !matches!(cmd, Cmd::Auth);
    // The keys the command writes (SORT only reads the key it sorts: %R~* allows that).
    let written = match cmd {
        Cmd::Sort { store, .. } => store.iter().copied().collect(),
        Cmd::BitOp(_, dest, _) => vec![*dest],
        _ => cmd.keys(),
    };
    (writes && !written.iter().all(writable)).then_some(
        "NOPERM this user has no permissions to access one of the keys used as arguments",
    )
}

/// What a restricted client sends instead of a script: its commands one by one, without
/// WATCH, transactions or optimistic locking (whose refusals inside MULTI the runner
/// does not model).
pub fn limited_script(script: Script) -> Vec<Cmd> {
    let mut out = Vec::new();
    for cmd in script.cmds {
        match cmd {
            Cmd::Watch(_) => {}
            Cmd::Multi { cmds, .. } => out.extend(cmds),
            other => out.push(other),
        }
    }
    out
}

/// Whether a SET applies only when the key is absent (NX) or present (XX).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SetCond {
    Always,
    Nx,
    Xx,
}

/// XADD's ID argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum XId {
    /// `*`: the clock's ms (sequence 0) past the last ID, else the last ID plus one.
    Auto,
    /// `<ms>-*`.
    Ms(u64),
    /// `<ms>-<seq>`.
    Full(u64, u64),
}

/// ZADD's options. The workload only sends combinations Redis accepts: not NX with XX,
/// GT or LT, and not GT with LT.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ZAddFlags {
    pub nx: bool,
    pub xx: bool,
    pub gt: bool,
    pub lt: bool,
    pub ch: bool,
}

/// The Lua script of [`Cmd::Cas`]: an atomic read-modify-write through EVAL.
pub const CAS_SCRIPT: &str = "local v = redis.pcall('get', KEYS[1]) \
    if type(v) == 'table' then return -1 end \
    if v == ARGV[1] then redis.call('set', KEYS[1], ARGV[2]) return 1 end return 0";

/// BITOP's operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BitOpKind {
    And,
    Or,
    Xor,
    Not,
}

/// BITFIELD's OVERFLOW modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Overflow {
    Wrap,
    Sat,
    Fail,
}

/// One BITFIELD operation: a field of `bits` bits (`signed`: i, else u) at bit `offset`
/// (sent as `#N` when `hash`: then `offset` is N * bits), or an OVERFLOW switch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldOp {
    Get {
        signed: bool,
        bits: u32,
        offset: u64,
        hash: bool,
    },
    /// SET (`incr` false: `value` is the new value) or INCRBY (`value` is the increment).
    Write {
        incr: bool,
        signed: bool,
        bits: u32,
        offset: u64,
        hash: bool,
        value: i64,
    },
    Overflow(Overflow),
}

impl FieldOp {
    fn argv(&self, out: &mut Vec<Vec<u8>>) {
        let ty = |signed: bool, bits: u32| format!("{}{bits}", if signed { 'i' } else { 'u' });
        let at = |offset: u64, bits: u32, hash: bool| {
            if hash {
                format!("#{}", offset / u64::from(bits))
            } else {
                offset.to_string()
            }
        };
        match *self {
            FieldOp::Get {
                signed,
                bits,
                offset,
                hash,
            } => out.extend([
                word("GET"),
                word(&ty(signed, bits)),
                word(&at(offset, bits, hash)),
            ]),
            FieldOp::Write {
                incr,
                signed,
                bits,
                offset,
                hash,
                value,
            } => out.extend([
                word(if incr { "INCRBY" } else { "SET" }),
                word(&ty(signed, bits)),
                word(&at(offset, bits, hash)),
                word(&value.to_string()),
            ]),
            FieldOp::Overflow(mode) => out.extend([
                word("OVERFLOW"),
                word(match mode {
                    Overflow::Wrap => "WRAP",
                    Overflow::Sat => "SAT",
                    Overflow::Fail => "FAIL",
                }),
            ]),
        }
    }
}
/// redis-py's `Lock` scripts (redis/lock.py), sent verbatim: release, extend (ARGV[3] "0"
/// adds to the TTL, "1" replaces it) and reacquire. The lock is taken with SET NX PX.
pub const LOCK_RELEASE_SCRIPT: &str = "
        local token = redis.call('get', KEYS[1])
        if not token or token ~= ARGV[1] then
            return 0
        end
        redis.call('del', KEYS[1])
        return 1
    ";
pub const LOCK_EXTEND_SCRIPT: &str = "
        local token = redis.call('get', KEYS[1])
        if not token or token ~= ARGV[1] then
            return 0
        end
        local expiration = redis.call('pttl', KEYS[1])
        if not expiration then
            expiration = 0
        end
        if expiration < 0 then
            return 0
        end

        local newttl = ARGV[2]
        if ARGV[3] == \"0\" then
            newttl = ARGV[2] + expiration
        end
        redis.call('pexpire', KEYS[1], newttl)
        return 1
    ";
pub const LOCK_REACQUIRE_SCRIPT: &str = "
        local token = redis.call('get', KEYS[1])
        if not token or token ~= ARGV[1] then
            return 0
        end
        redis.call('pexpire', KEYS[1], ARGV[2])
        return 1
    ";

/// A transfer between two counters as one script: 1 when moved, 0 when the source would
/// go negative, -1 when either key is not an integer (or would overflow). Failed paths
/// undo the first INCRBY with a second, as such scripts do.
pub const TRANSFER_SCRIPT: &str = "local n = tonumber(ARGV[1])
local a = redis.pcall('incrby', KEYS[1], -n)
if type(a) == 'table' then return -1 end
if a < 0 then redis.call('incrby', KEYS[1], n) return 0 end
local b = redis.pcall('incrby', KEYS[2], n)
if type(b) == 'table' then redis.call('incrby', KEYS[1], n) return -1 end
return 1";

/// The commands the simulated clients send.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Cmd {
    Set {
        key: KeyId,
        value: Bytes,
        ttl_ms: Option<u64>,
        cond: SetCond,
        get: bool,
    },
    Get(KeyId),
    Del(Vec<KeyId>),
    Exists(Vec<KeyId>),
    IncrBy(KeyId, i64),
    Append(KeyId, Bytes),
    GetDel(KeyId),
    Strlen(KeyId),
    /// Compare-and-set as one EVAL ([`CAS_SCRIPT`]): 1 if the key held `expected` and now
    /// holds `new` (without TTL), 0 if not, -1 if it holds another type.
    Cas {
        key: KeyId,
        expected: Bytes,
        new: Bytes,
    },
    /// redis-py's lock scripts ([`LOCK_RELEASE_SCRIPT`]...), each one atomic step.
    LockRelease {
        key: KeyId,
        token: Bytes,
    },
    LockExtend {
        key: KeyId,
        token: Bytes,
        ms: u64,
        replace: bool,
    },
    LockReacquire {
        key: KeyId,
        token: Bytes,
        ms: u64,
    },
    /// [`TRANSFER_SCRIPT`]: `amount` from one counter to another.
    Transfer {
        from: KeyId,
        to: KeyId,
        amount: u8,
    },
    MSet(Vec<(KeyId, Bytes)>),
    MGet(Vec<KeyId>),
    PExpire(KeyId, u64),
    Persist(KeyId),
    PTtl(KeyId),
    Type(KeyId),
    Ping,
    /// `AUTH limited pw`: the first command on every connection of a restricted client.
    Auth,
    LPush(KeyId, Vec<Bytes>),
    RPush(KeyId, Vec<Bytes>),
    LPop(KeyId),
    RPop(KeyId),
    LLen(KeyId),
    LRange(KeyId, i64, i64),
    LIndex(KeyId, i64),
    HSet(KeyId, Vec<(Bytes, Bytes)>),
    HGet(KeyId, Bytes),
    HDel(KeyId, Vec<Bytes>),
    HLen(KeyId),
    HIncrBy(KeyId, Bytes, i64),
    HExists(KeyId, Bytes),
    SAdd(KeyId, Vec<Bytes>),
    SRem(KeyId, Vec<Bytes>),
    SIsMember(KeyId, Bytes),
    SCard(KeyId),
    ZAdd(KeyId, ZAddFlags, Vec<(i64, Bytes)>),
    ZIncrBy(KeyId, i64, Bytes),
    ZScore(KeyId, Bytes),
    ZRank(KeyId, Bytes),
    ZRem(KeyId, Vec<Bytes>),
    ZCard(KeyId),
    /// `ZRANGE key 0 -1`: every member, ordered by (score, member).
    ZRangeAll(KeyId),
    /// `PFADD key element...`.
    PfAdd(KeyId, Vec<Bytes>),
    /// `PFCOUNT key...`: one key's estimate, or the union's.
    PfCount(Vec<KeyId>),
    /// `PFMERGE dest source...`.
    PfMerge(KeyId, Vec<KeyId>),
    /// `GEOADD key lon lat member...`, each point one of [`GEO_POINTS`] by index.
    GeoAdd(KeyId, Vec<(u8, Bytes)>),
    /// `GEOPOS key member...`.
    GeoPos(KeyId, Vec<Bytes>),
    /// `GEODIST key a b km`.
    GeoDist(KeyId, Bytes, Bytes),
    /// `GEOSEARCH key FROMLONLAT <point> BYRADIUS <km> km ASC WITHDIST`.
    GeoSearch(KeyId, u8, u32),
    /// `WATCH key...`: answers `+OK`. The model remembers, per connection, whether a
    /// watched key is touched before that connection's next EXEC.
    Watch(Vec<KeyId>),
    /// `MULTI`, the queued commands, `EXEC`, sent as one pipelined batch: one op whose
    /// output is EXEC's array reply (the runner checks MULTI's `+OK` and the `+QUEUED`s).
    /// The commands take effect atomically, in order, at one instant. `watch` names the
    /// keys this connection WATCHed in an earlier op ([`Cmd::Watch`]); EXEC then aborts
    /// (a null array, nothing done) exactly when one of them was touched in between.
    Multi {
        watch: Vec<KeyId>,
        cmds: Vec<Cmd>,
    },
    /// `BLPOP key timeout` with a timeout in milliseconds (sent as seconds): the head of
    /// the list as `[key, element]`, or a null array when it timed out.
    BLPop(KeyId, u64),
    /// Not sent: the second half of the BLPOP just before it in the history, whose
    /// window it shares. The BLPOP op is the instant the server ran the command (popped
    /// at once, or joined the key's queue of blocked clients); this one is the instant it
    /// was served or timed out, which the reply shows.
    BLPopDone(KeyId),
    /// `XADD key [MAXLEN n] <id> field value...`.
    XAdd {
        key: KeyId,
        id: XId,
        maxlen: Option<u64>,
        fields: Vec<(Bytes, Bytes)>,
    },
    XLen(KeyId),
    /// `XRANGE key - + [COUNT n]`, or `XREVRANGE key + - [COUNT n]` when `rev`.
    XRange {
        key: KeyId,
        rev: bool,
        count: Option<u64>,
    },
    XDel(KeyId, Vec<(u64, u64)>),
    /// `XTRIM key MAXLEN n` (exact).
    XTrim(KeyId, u64),
    /// `DUMP key`: the string's RDB payload (a function of its bytes, as in Redis).
    Dump(KeyId),
    /// `RESTORE key ttl payload [REPLACE]`, the payload being DUMP's of the string
    /// `value` (`persist::rdb::dump_payload`), or with its checksum's last byte flipped
    /// when `corrupt`. `ttl_ms` 0 is no TTL.
    Restore {
        key: KeyId,
        value: Bytes,
        ttl_ms: u64,
        replace: bool,
        corrupt: bool,
    },
    /// `SORT key [LIMIT offset count] [DESC] [ALPHA] [STORE dest]` of a list, set or
    /// sorted set: numeric (every element must be a number) or ALPHA (bytes).
    Sort {
        key: KeyId,
        desc: bool,
        alpha: bool,
        limit: Option<(i64, i64)>,
        store: Option<KeyId>,
    },
    /// `PUBLISH channel message`: the receiver count depends on subscribers the model
    /// does not track, so only its range is checked (at most `max_receivers`).
    Publish {
        channel: u8,
        message: Bytes,
        max_receivers: u8,
    },
    /// `SETBIT key offset 0|1`.
    SetBit(KeyId, u64, bool),
    /// `GETBIT key offset`.
    GetBit(KeyId, u64),
    /// `BITCOUNT key [start end [BIT]]` (`true`: BIT).
    BitCount(KeyId, Option<(i64, i64, bool)>),
    /// `BITPOS key bit [start [end [BIT]]]`: `range` is (start, end, BIT).
    BitPos {
        key: KeyId,
        bit: bool,
        range: Option<(i64, Option<(i64, bool)>)>,
    },
    /// `BITOP op dest src...`.
    BitOp(BitOpKind, KeyId, Vec<KeyId>),
    /// `BITFIELD key op...`. The workload never puts OVERFLOW FAIL before the first write
    /// (see `bits_cmd`).
    BitField(KeyId, Vec<FieldOp>),
}

/// The DUMP payload of the string `value`, its last byte flipped when `corrupt` (a
/// checksum that no longer matches).
pub fn restore_payload(value: &Bytes, corrupt: bool) -> Vec<u8> {
    let mut payload = seedis::persist::rdb::dump_payload(&seedis::db::Value::str(value.clone()));
    if corrupt {
        *payload.last_mut().expect("a payload has a footer") ^= 1;
    }
    payload
}

fn word(text: &str) -> Vec<u8> {
    text.as_bytes().to_vec()
}

/// `NAME key item...`: a command on one key with a list of elements, fields or members.
fn key_and_items(name: &str, key: KeyId, items: &[Bytes]) -> Vec<Vec<u8>> {
    let mut argv = vec![word(name), key_name(key).into_bytes()];
    argv.extend(items.iter().map(|item| item.to_vec()));
    argv
}

/// The keys of `cmds`, sorted, each once.
fn keys_of(cmds: &[Cmd]) -> Vec<KeyId> {
    let mut keys: Vec<KeyId> = cmds.iter().flat_map(Cmd::keys).collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

impl Cmd {
    /// The command as the client sends it.
    pub fn argv(&self) -> Vec<Vec<u8>> {
        let k = |key: &KeyId| key_name(*key).into_bytes();
        let num = |n: i64| n.to_string().into_bytes();
        let mut argv: Vec<Vec<u8>> = Vec::new();
        match self {
            Cmd::Set {
                key,
                value,
                ttl_ms,
                cond,
                get,
            } => {
                argv.extend([b"SET".to_vec(), k(key), value.to_vec()]);
                if let Some(ms) = ttl_ms {
                    argv.extend([b"PX".to_vec(), ms.to_string().into_bytes()]);
                }
                match cond {
                    SetCond::Always => {}
                    SetCond::Nx => argv.push(b"NX".to_vec()),
                    SetCond::Xx => argv.push(b"XX".to_vec()),
                }
                if *get {
                    argv.push(b"GET".to_vec());
                }
            }
            Cmd::Get(key) => argv.extend([b"GET".to_vec(), k(key)]),
            Cmd::Del(keys) => {
                argv.push(b"DEL".to_vec());
                argv.extend(keys.iter().map(k));
            }
            Cmd::Exists(keys) => {
                argv.push(b"EXISTS".to_vec());
                argv.extend(keys.iter().map(k));
            }
            Cmd::IncrBy(key, by) => argv.extend([b"INCRBY".to_vec(), k(key), num(*by)]),
            Cmd::Append(key, value) => argv.extend([b"APPEND".to_vec(), k(key), value.to_vec()]),
            Cmd::GetDel(key) => argv.extend([b"GETDEL".to_vec(), k(key)]),
            Cmd::Strlen(key) => argv.extend([b"STRLEN".to_vec(), k(key)]),
            Cmd::SetBit(key, offset, on) => argv.extend([
                word("SETBIT"),
                k(key),
                word(&offset.to_string()),
                word(if *on { "1" } else { "0" }),
            ]),
            Cmd::GetBit(key, offset) => {
                argv.extend([word("GETBIT"), k(key), word(&offset.to_string())])
            }
            Cmd::BitCount(key, range) => {
                argv.extend([word("BITCOUNT"), k(key)]);
                if let Some((start, end, bit)) = range {
                    argv.extend([num(*start), num(*end)]);
                    if *bit {
                        argv.push(word("BIT"));
                    }
                }
            }
            Cmd::BitPos { key, bit, range } => {
                argv.extend([word("BITPOS"), k(key), word(if *bit { "1" } else { "0" })]);
                if let Some((start, end)) = range {
                    argv.push(num(*start));
                    if let Some((end, unit_bit)) = end {
                        argv.push(num(*end));
                        if *unit_bit {
                            argv.push(word("BIT"));
                        }
                    }
                }
            }
            Cmd::BitOp(op, dest, srcs) => {
                argv.extend([
                    word("BITOP"),
                    word(match op {
                        BitOpKind::And => "AND",
                        BitOpKind::Or => "OR",
                        BitOpKind::Xor => "XOR",
                        BitOpKind::Not => "NOT",
                    }),
                    k(dest),
                ]);
                argv.extend(srcs.iter().map(k));
            }
            Cmd::BitField(key, ops) => {
                argv.extend([word("BITFIELD"), k(key)]);
                for op in ops {
                    op.argv(&mut argv);
                }
            }
            Cmd::Dump(key) => argv.extend([b"DUMP".to_vec(), k(key)]),
            Cmd::Sort {
                key,
                desc,
                alpha,
                limit,
                store,
            } => {
                argv.extend([word("SORT"), k(key)]);
                if let Some((offset, count)) = limit {
                    argv.extend([
                        word("LIMIT"),
                        word(&offset.to_string()),
                        word(&count.to_string()),
                    ]);
                }
                if *desc {
                    argv.push(word("DESC"));
                }
                if *alpha {
                    argv.push(word("ALPHA"));
                }
                if let Some(dest) = store {
                    argv.extend([word("STORE"), k(dest)]);
                }
            }
            Cmd::Restore {
                key,
                value,
                ttl_ms,
                replace,
                corrupt,
            } => {
                argv.extend([
                    b"RESTORE".to_vec(),
                    k(key),
                    ttl_ms.to_string().into_bytes(),
                    restore_payload(value, *corrupt),
                ]);
                if *replace {
                    argv.push(b"REPLACE".to_vec());
                }
            }
            Cmd::Cas { key, expected, new } => argv.extend([
                b"EVAL".to_vec(),
                CAS_SCRIPT.as_bytes().to_vec(),
                b"1".to_vec(),
                k(key),
                expected.to_vec(),
                new.to_vec(),
            ]),
            Cmd::LockRelease { key, token } => argv.extend([
                b"EVAL".to_vec(),
                LOCK_RELEASE_SCRIPT.as_bytes().to_vec(),
                b"1".to_vec(),
                k(key),
                token.to_vec(),
            ]),
            Cmd::LockExtend {
                key,
                token,
                ms,
                replace,
            } => argv.extend([
                b"EVAL".to_vec(),
                LOCK_EXTEND_SCRIPT.as_bytes().to_vec(),
                b"1".to_vec(),
                k(key),
                token.to_vec(),
                ms.to_string().into_bytes(),
                if *replace {
                    b"1".to_vec()
                } else {
                    b"0".to_vec()
                },
            ]),
            Cmd::LockReacquire { key, token, ms } => argv.extend([
                b"EVAL".to_vec(),
                LOCK_REACQUIRE_SCRIPT.as_bytes().to_vec(),
                b"1".to_vec(),
                k(key),
                token.to_vec(),
                ms.to_string().into_bytes(),
            ]),
            Cmd::Transfer { from, to, amount } => argv.extend([
                b"EVAL".to_vec(),
                TRANSFER_SCRIPT.as_bytes().to_vec(),
                b"2".to_vec(),
                k(from),
                k(to),
                amount.to_string().into_bytes(),
            ]),
            Cmd::MSet(pairs) => {
                argv.push(b"MSET".to_vec());
                for (key, value) in pairs {
                    argv.push(k(key));
                    argv.push(value.to_vec());
                }
            }
            Cmd::MGet(keys) => {
                argv.push(b"MGET".to_vec());
                argv.extend(keys.iter().map(k));
            }
            Cmd::PExpire(key, ms) => {
                argv.extend([b"PEXPIRE".to_vec(), k(key), ms.to_string().into_bytes()])
            }
            Cmd::Persist(key) => argv.extend([b"PERSIST".to_vec(), k(key)]),
            Cmd::PTtl(key) => argv.extend([b"PTTL".to_vec(), k(key)]),
            Cmd::Type(key) => argv.extend([b"TYPE".to_vec(), k(key)]),
            Cmd::Ping => argv.push(b"PING".to_vec()),
            Cmd::Auth => argv.extend([word("AUTH"), word(LIMITED_USER[0]), word("pw")]),
            Cmd::LPush(key, elems) => argv = key_and_items("LPUSH", *key, elems),
            Cmd::RPush(key, elems) => argv = key_and_items("RPUSH", *key, elems),
            Cmd::LPop(key) => argv.extend([word("LPOP"), k(key)]),
            Cmd::RPop(key) => argv.extend([word("RPOP"), k(key)]),
            Cmd::LLen(key) => argv.extend([word("LLEN"), k(key)]),
            Cmd::XAdd {
                key,
                id,
                maxlen,
                fields,
            } => {
                argv.extend([word("XADD"), k(key)]);
                if let Some(n) = maxlen {
                    argv.extend([word("MAXLEN"), n.to_string().into_bytes()]);
                }
                argv.push(match id {
                    XId::Auto => word("*"),
                    XId::Ms(ms) => format!("{ms}-*").into_bytes(),
                    XId::Full(ms, seq) => format!("{ms}-{seq}").into_bytes(),
                });
                for (f, v) in fields {
                    argv.push(f.to_vec());
                    argv.push(v.to_vec());
                }
            }
            Cmd::XLen(key) => argv.extend([word("XLEN"), k(key)]),
            Cmd::XRange { key, rev, count } => {
                if *rev {
                    argv.extend([word("XREVRANGE"), k(key), word("+"), word("-")]);
                } else {
                    argv.extend([word("XRANGE"), k(key), word("-"), word("+")]);
                }
                if let Some(n) = count {
                    argv.extend([word("COUNT"), n.to_string().into_bytes()]);
                }
            }
            Cmd::XDel(key, ids) => {
                argv.extend([word("XDEL"), k(key)]);
                argv.extend(
                    ids.iter()
                        .map(|(ms, seq)| format!("{ms}-{seq}").into_bytes()),
                );
            }
            Cmd::XTrim(key, n) => argv.extend([
                word("XTRIM"),
                k(key),
                word("MAXLEN"),
                n.to_string().into_bytes(),
            ]),
            Cmd::LRange(key, start, stop) => {
                argv.extend([word("LRANGE"), k(key), num(*start), num(*stop)])
            }
            Cmd::LIndex(key, index) => argv.extend([word("LINDEX"), k(key), num(*index)]),
            Cmd::HSet(key, pairs) => {
                argv.extend([word("HSET"), k(key)]);
                for (field, value) in pairs {
                    argv.push(field.to_vec());
                    argv.push(value.to_vec());
                }
            }
            Cmd::HGet(key, field) => argv.extend([word("HGET"), k(key), field.to_vec()]),
            Cmd::HDel(key, fields) => argv = key_and_items("HDEL", *key, fields),
            Cmd::HLen(key) => argv.extend([word("HLEN"), k(key)]),
            Cmd::HIncrBy(key, field, by) => {
                argv.extend([word("HINCRBY"), k(key), field.to_vec(), num(*by)])
            }
            Cmd::HExists(key, field) => argv.extend([word("HEXISTS"), k(key), field.to_vec()]),
            Cmd::SAdd(key, members) => argv = key_and_items("SADD", *key, members),
            Cmd::SRem(key, members) => argv = key_and_items("SREM", *key, members),
            Cmd::SIsMember(key, member) => {
                argv.extend([word("SISMEMBER"), k(key), member.to_vec()])
            }
            Cmd::SCard(key) => argv.extend([word("SCARD"), k(key)]),
            Cmd::ZAdd(key, flags, pairs) => {
                argv.extend([word("ZADD"), k(key)]);
                for (on, name) in [
                    (flags.nx, "NX"),
                    (flags.xx, "XX"),
                    (flags.gt, "GT"),
                    (flags.lt, "LT"),
                    (flags.ch, "CH"),
                ] {
                    if on {
                        argv.push(word(name));
                    }
                }
                for (score, member) in pairs {
                    argv.push(num(*score));
                    argv.push(member.to_vec());
                }
            }
            Cmd::ZIncrBy(key, by, member) => {
                argv.extend([word("ZINCRBY"), k(key), num(*by), member.to_vec()])
            }
            Cmd::ZScore(key, member) => argv.extend([word("ZSCORE"), k(key), member.to_vec()]),
            Cmd::ZRank(key, member) => argv.extend([word("ZRANK"), k(key), member.to_vec()]),
            Cmd::ZRem(key, members) => argv = key_and_items("ZREM", *key, members),
            Cmd::ZCard(key) => argv.extend([word("ZCARD"), k(key)]),
            Cmd::ZRangeAll(key) => argv.extend([word("ZRANGE"), k(key), word("0"), word("-1")]),
            Cmd::PfAdd(key, elements) => argv = key_and_items("PFADD", *key, elements),
            Cmd::PfCount(keys) => {
                argv.push(word("PFCOUNT"));
                argv.extend(keys.iter().map(k));
            }
            Cmd::PfMerge(dest, sources) => {
                argv.extend([word("PFMERGE"), k(dest)]);
                argv.extend(sources.iter().map(k));
            }
            Cmd::GeoAdd(key, points) => {
                argv.extend([word("GEOADD"), k(key)]);
                for (point, member) in points {
                    let p = &GEO_POINTS[usize::from(*point)];
                    argv.extend([word(p.lon), word(p.lat), member.to_vec()]);
                }
            }
            Cmd::GeoPos(key, members) => argv = key_and_items("GEOPOS", *key, members),
            Cmd::GeoDist(key, a, b) => {
                argv.extend([word("GEODIST"), k(key), a.to_vec(), b.to_vec(), word("km")])
            }
            Cmd::GeoSearch(key, point, km) => {
                let p = &GEO_POINTS[usize::from(*point)];
                argv.extend([word("GEOSEARCH"), k(key), word("FROMLONLAT"), word(p.lon)]);
                argv.extend([
                    word(p.lat),
                    word("BYRADIUS"),
                    num(i64::from(*km)),
                    word("km"),
                ]);
                argv.extend([word("ASC"), word("WITHDIST")]);
            }
            Cmd::Watch(keys) => {
                argv.push(word("WATCH"));
                argv.extend(keys.iter().map(k));
            }
            // The wire form is `commands()`; as one line, the EXEC that answers.
            Cmd::Multi { .. } => argv.push(word("EXEC")),
            // Nothing goes on the wire; a replay script shows it as a comment.
            Cmd::BLPopDone(key) => argv.extend([word("#"), word("BLPOP"), k(key), word("answers")]),
            Cmd::BLPop(key, ms) => argv.extend([
                word("BLPOP"),
                k(key),
                word(&format!("{}.{:03}", ms / 1000, ms % 1000)),
            ]),
            Cmd::Publish {
                channel, message, ..
            } => argv.extend([
                word("PUBLISH"),
                word(&channel_name(*channel)),
                message.to_vec(),
            ]),
        }
        argv
    }

    /// The commands sent on the wire, in order: MULTI, the queued ones and EXEC for a
    /// transaction, the command itself otherwise.
    pub fn commands(&self) -> Vec<Vec<Vec<u8>>> {
        match self {
            Cmd::Multi { cmds, .. } => {
                let mut out = vec![vec![word("MULTI")]];
                out.extend(cmds.iter().map(Cmd::argv));
                out.push(vec![word("EXEC")]);
                out
            }
            Cmd::BLPopDone(_) => Vec::new(),
            _ => vec![self.argv()],
        }
    }

    /// The keys the command touches.
    pub fn keys(&self) -> Vec<KeyId> {
        match self {
            Cmd::Set { key, .. }
            | Cmd::Get(key)
            | Cmd::IncrBy(key, _)
            | Cmd::Append(key, _)
            | Cmd::GetDel(key)
            | Cmd::Strlen(key)
            | Cmd::Dump(key)
            | Cmd::Restore { key, .. }
            | Cmd::Cas { key, .. }
            | Cmd::LockRelease { key, .. }
            | Cmd::LockExtend { key, .. }
            | Cmd::LockReacquire { key, .. }
            | Cmd::PExpire(key, _)
            | Cmd::Persist(key)
            | Cmd::PTtl(key)
            | Cmd::Type(key)
            | Cmd::LPush(key, _)
            | Cmd::RPush(key, _)
            | Cmd::LPop(key)
            | Cmd::RPop(key)
            | Cmd::LLen(key)
            | Cmd::XAdd { key, .. }
            | Cmd::XLen(key)
            | Cmd::XRange { key, .. }
            | Cmd::XDel(key, _)
            | Cmd::XTrim(key, _)
            | Cmd::LRange(key, _, _)
            | Cmd::LIndex(key, _)
            | Cmd::HSet(key, _)
            | Cmd::HGet(key, _)
            | Cmd::HDel(key, _)
            | Cmd::HLen(key)
            | Cmd::HIncrBy(key, _, _)
            | Cmd::HExists(key, _)
            | Cmd::SAdd(key, _)
            | Cmd::SRem(key, _)
            | Cmd::SIsMember(key, _)
            | Cmd::SCard(key)
            | Cmd::ZAdd(key, _, _)
            | Cmd::ZIncrBy(key, _, _)
            | Cmd::ZScore(key, _)
            | Cmd::ZRank(key, _)
            | Cmd::ZRem(key, _)
            | Cmd::ZCard(key)
            | Cmd::ZRangeAll(key)
            | Cmd::PfAdd(key, _)
            | Cmd::GeoAdd(key, _)
            | Cmd::GeoPos(key, _)
            | Cmd::GeoDist(key, _, _)
            | Cmd::GeoSearch(key, _, _) => vec![*key],
            Cmd::PfCount(keys) => keys.clone(),
            Cmd::PfMerge(dest, sources) => std::iter::once(*dest)
                .chain(sources.iter().copied())
                .collect(),
            Cmd::SetBit(key, _, _)
            | Cmd::GetBit(key, _)
            | Cmd::BitCount(key, _)
            | Cmd::BitPos { key, .. }
            | Cmd::BitField(key, _) => vec![*key],
            Cmd::BitOp(_, dest, srcs) => {
                std::iter::once(*dest).chain(srcs.iter().copied()).collect()
            }
            Cmd::Sort { key, store, .. } => std::iter::once(*key).chain(*store).collect(),
            Cmd::Del(keys) | Cmd::Exists(keys) | Cmd::MGet(keys) | Cmd::Watch(keys) => keys.clone(),
            Cmd::MSet(pairs) => pairs.iter().map(|(k, _)| *k).collect(),
            Cmd::Transfer { from, to, .. } if from == to => vec![*from],
            Cmd::Transfer { from, to, .. } => vec![*from, *to],
            Cmd::BLPop(key, _) | Cmd::BLPopDone(key) => vec![*key],
            // EXEC reads its watched keys' state: they join its partition.
            Cmd::Multi { cmds, watch } => {
                let mut keys = keys_of(cmds);
                keys.extend(watch);
                keys.sort_unstable();
                keys.dedup();
                keys
            }
            Cmd::Ping | Cmd::Auth | Cmd::Publish { .. } => Vec::new(),
        }
    }

    /// True for commands that change nothing (the shrinker may drop them).
    pub fn is_read_only(&self) -> bool {
        if let Cmd::Multi { cmds, watch } = self {
            // EXEC ends its connection's WATCH: that changes the model's state.
            return watch.is_empty() && cmds.iter().all(Cmd::is_read_only);
        }
        matches!(
            self,
            Cmd::Get(_)
                | Cmd::Exists(_)
                | Cmd::Strlen(_)
                | Cmd::Dump(_)
                | Cmd::MGet(_)
                | Cmd::PTtl(_)
                | Cmd::Type(_)
                | Cmd::Ping
                | Cmd::LLen(_)
                | Cmd::XLen(_)
                | Cmd::XRange { .. }
                | Cmd::LRange(..)
                | Cmd::LIndex(..)
                | Cmd::HGet(..)
                | Cmd::HLen(_)
                | Cmd::HExists(..)
                | Cmd::SIsMember(..)
                | Cmd::SCard(_)
                | Cmd::ZScore(..)
                | Cmd::ZRank(..)
                | Cmd::ZCard(_)
                | Cmd::ZRangeAll(_)
                | Cmd::PfCount(_)
                | Cmd::GeoPos(..)
                | Cmd::GeoDist(..)
                | Cmd::GeoSearch(..)
                | Cmd::Sort { store: None, .. }
                | Cmd::GetBit(..)
                | Cmd::BitCount(..)
                | Cmd::BitPos { .. }
        ) || matches!(self, Cmd::BitField(_, ops) if ops.iter().all(|op| !matches!(op, FieldOp::Write { .. })))
    }

    /// One redis-cli line, for replay scripts.
    pub fn cli_line(&self) -> String {
        if let Cmd::BLPopDone(_) = self {
            return Self::cli_words(&self.argv());
        }
        self.commands()
            .iter()
            .map(|argv| Self::cli_words(argv))
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn cli_words(argv: &[Vec<u8>]) -> String {
        argv.iter()
            .map(|a| {
                let s = String::from_utf8_lossy(a);
                if s.is_empty() || s.contains([' ', '"', '\'']) {
                    format!("{s:?}")
                } else {
                    s.into_owned()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A command with the window in which it took effect, in virtual milliseconds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimedCmd {
    pub cmd: Cmd,
    /// The connection that sent it (the history's client id): WATCH state is per
    /// connection.
    pub conn: u64,
    /// Sent by a client running as [`LIMITED_USER`].
    pub limited: bool,
    pub call_ms: u64,
    /// `None`: the reply never came; the op may have run at any later time.
    pub ret_ms: Option<u64>,
}

/// The workload's features beyond plain commands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Extras {
    /// Some batches carry `MULTI`, 1–4 commands, `EXEC`.
    pub txn: bool,
    /// Some list ops are `BLPOP` with a short timeout.
    pub blocking: bool,
    /// A subscriber comes and goes (reset or closed mid-way) while clients PUBLISH.
    pub pubsub: bool,
    /// Some string ops are DUMP, or RESTORE of a payload (sometimes corrupted).
    pub dump: bool,
    /// Some list, set and sorted set ops are SORT (sometimes STORE into a list).
    pub sort: bool,
    /// Even-numbered clients run as the restricted ACL user [`LIMITED_USER`].
    pub acl: bool,
    /// Some values are big ([`BIG_VALUE_SIZES`]): the parser's big-argument path, reply
    /// blocks and by-reference bulks, writes spanning several passes, and the encodings'
    /// value-size thresholds are reached.
    pub big_values: bool,
    /// Some string ops are bitmap commands (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP,
    /// BITFIELD) on the same keys.
    pub bits: bool,
    /// A spinning script (`while true do end`) is sent now and then and killed by an
    /// administrator's SCRIPT KILL; clients meanwhile get -BUSY. One seed in four, and
    /// then without transactions, blocking pops, pub/sub and restricted clients (whose
    /// multi-step exchanges a -BUSY in the middle would cut).
    pub busy: bool,
}

impl Extras {
    pub const NONE: Extras = Extras {
        txn: false,
        blocking: false,
        pubsub: false,
        dump: false,
        sort: false,
        acl: false,
        big_values: false,
        bits: false,
        busy: false,
    };

    /// Swarm testing: each feature on in about half of the seeds.
    pub fn from_seed(seed: u64) -> Extras {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(5);
        let draw = rng.next_u32();
        let busy = draw & 192 == 192;
        Extras {
            txn: draw & 1 != 0 && !busy,
            blocking: draw & 2 != 0 && !busy,
            pubsub: draw & 4 != 0 && !busy,
            dump: draw & 8 != 0,
            sort: draw & 16 != 0,
            acl: draw & 32 != 0 && !busy,
            busy,
            // High bits, apart from the low ones other features take in turn.
            big_values: draw & (1 << 24) != 0,
            bits: draw & (1 << 8) != 0,
        }
    }

    /// Whether this run injects busy scripts (see `busy`: only without the features a
    /// -BUSY would cut in the middle, whatever a caller combined).
    pub fn busy_scripts(&self) -> bool {
        self.busy && !(self.txn || self.blocking || self.pubsub || self.acl)
    }
}

/// A set of data-type families, as a bit mask over [`Family`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Families(pub u8);

impl Families {
    pub const ALL: Families = Families(0b111_1111);
    /// The families before HyperLogLog and geo joined: seeds that draw neither keep the
    /// traces they had.
    const CLASSIC: u8 = 0b1_1111;

    /// Swarm testing: one seed in four uses every family, the others a random
    /// non-empty subset, so that some runs hammer few families hard.
    pub fn from_seed(seed: u64) -> Families {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(4);
        let draw = rng.next_u32();
        let classic = if draw.is_multiple_of(4) {
            Families::CLASSIC
        } else {
            ((draw >> 8) % 31 + 1) as u8
        };
        // HyperLogLog and geo each join about one seed in three, drawn apart.
        rng.set_stream(6);
        let extra = rng.next_u32();
        let hll = if extra % 3 == 0 {
            1 << Family::Hll as u8
        } else {
            0
        };
        let geo = if (extra >> 8) % 3 == 0 {
            1 << Family::Geo as u8
        } else {
            0
        };
        Families(classic | hll | geo)
    }

    pub fn contains(self, family: Family) -> bool {
        self.0 & (1 << family as u8) != 0
    }

    pub fn list(self) -> Vec<Family> {
        Family::EVERY
            .into_iter()
            .filter(|f| self.contains(*f))
            .collect()
    }

    /// A comma list of family names (`strings,lists,hashes,sets,zsets`) or `all`.
    pub fn from_names(text: &str) -> Result<Families, String> {
        if text == "all" {
            return Ok(Families::ALL);
        }
        let mut mask = 0u8;
        for name in text.split(',').map(str::trim) {
            let family = Family::EVERY
                .into_iter()
                .find(|f| f.name() == name)
                .ok_or_else(|| {
                    format!(
                        "unknown family {name:?} (strings, lists, hashes, sets, zsets, hlls, geo, streams, all)"
                    )
                })?;
            mask |= 1 << family as u8;
        }
        if mask == 0 {
            return Err("no family named".into());
        }
        Ok(Families(mask))
    }
}

impl std::fmt::Display for Families {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.list().into_iter().map(Family::name).collect();
        write!(f, "{}", names.join(","))
    }
}

/// Keys of a family a transaction may touch: its first two.
const TXN_KEYS: u8 = 2;
/// Connections the subscriber opens in a run, at most.
pub const SUBSCRIBER_CONNECTIONS: u8 = 3;
/// Channels the workload publishes to (the subscriber listens to all of them).
pub const CHANNELS: u32 = 2;

/// Draws commands for one run's clients. It borrows the run's RNG, so the commands drawn
/// interleave with the driver's own choices exactly as the seed dictates.
pub struct Generator<'a> {
    pub rng: &'a mut ChaCha8Rng,
    pub families: Families,
    /// Keys of the strings family in use (the aggregate families use `AGGREGATE_KEYS`).
    pub keys: u8,
    /// Whether MSET/MGET/EXISTS name several keys.
    pub multi_key: bool,
    pub extras: Extras,
}

/// One client's source of unique values: a read then names the write it saw.
#[derive(Clone, Copy, Debug)]
pub struct ValueSource {
    pub client: u64,
    pub next_value: u64,
}

/// What a client sends next: one command, or a short script of several.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Script {
    pub cmds: Vec<Cmd>,
    /// Optimistic locking: the script is `WATCH key; GET key`, and once GET answers the
    /// client sends `MULTI; SET key f(value); EXEC` ([`cas_txn`]).
    pub cas: Option<KeyId>,
}

impl Script {
    fn one(cmd: Cmd) -> Script {
        Script {
            cmds: vec![cmd],
            cas: None,
        }
    }
}

/// The transaction that completes an optimistic-locking script: `SET key f(v)` where `v`
/// is what `GET key` answered (an integer is incremented, anything else replaced by a
/// fresh value), under the WATCH the script began with. Committing after another client
/// changed the key in between would lose that client's update.
pub fn cas_txn(key: KeyId, read: &Reply, values: &mut ValueSource) -> Cmd {
    values.next_value += 1;
    let fresh = || Bytes::from((values.client * 1_000_000 + values.next_value).to_string());
    let value = match read {
        Reply::Bulk(v) => match crate::model::parse_redis_int(v).and_then(|n| n.checked_add(1)) {
            Some(n) => Bytes::from(n.to_string()),
            None => fresh(),
        },
        Reply::Null => Bytes::from_static(b"1"),
        _ => fresh(),
    };
    Cmd::Multi {
        watch: vec![key],
        cmds: vec![Cmd::Set {
            key,
            value,
            ttl_ms: None,
            cond: SetCond::Always,
            get: false,
        }],
    }
}

impl Generator<'_> {
    /// The next script for the client whose values come from `values`: a transaction
    /// (when they are on, one in six; a third of them WATCHed), an optimistic-locking
    /// script (one in twelve), or a single command. A client `watching` (its WATCH sent,
    /// its EXEC not yet) gets single commands only, as its own writes in the window are
    /// part of what WATCH must notice, but another MULTI or WATCH would end the window.
    pub fn next_script(&mut self, values: &mut ValueSource, watching: bool) -> Script {
        if !self.extras.txn || watching {
            return Script::one(self.random_cmd(values));
        }
        match self.rng.next_u32() % 12 {
            0 | 1 => {
                let txn = self.random_txn(values);
                let Cmd::Multi { cmds, .. } = &txn else {
                    unreachable!("random_txn makes transactions")
                };
                // One transaction in three watches its keys first.
                let keys = keys_of(cmds);
                if keys.is_empty() || !self.rng.next_u32().is_multiple_of(3) {
                    return Script::one(txn);
                }
                let Cmd::Multi { cmds, .. } = txn else {
                    unreachable!()
                };
                Script {
                    cmds: vec![Cmd::Watch(keys.clone()), Cmd::Multi { watch: keys, cmds }],
                    cas: None,
                }
            }
            2 if self.families.contains(Family::Str) => {
                let key = Family::Str.key((self.rng.next_u32() % u32::from(TXN_KEYS)) as u8);
                Script {
                    cmds: vec![Cmd::Watch(vec![key]), Cmd::Get(key)],
                    cas: Some(key),
                }
            }
            _ => Script::one(self.random_cmd(values)),
        }
    }

    /// A transaction of 1–4 workload commands. Its keys join their partitions, which
    /// makes the check expensive, so the commands keep to the family of the first keyed
    /// one and to its first `TXN_KEYS` keys (the family's other keys stay apart).
    fn random_txn(&mut self, values: &mut ValueSource) -> Cmd {
        let n = 1 + (self.rng.next_u32() % 4) as usize;
        let mut cmds: Vec<Cmd> = Vec::with_capacity(n);
        let mut family: Option<Family> = None;
        let mut attempts = 0;
        while cmds.len() < n && attempts < 20 {
            attempts += 1;
            let cmd = self.random_cmd(values);
            let families: Vec<Family> = cmd.keys().into_iter().map(Family::of_key).collect();
            if let Some(&first) = families.first() {
                let want = *family.get_or_insert(first);
                let keys = cmd.keys();
                if families.iter().any(|f| *f != want)
                    || keys.iter().any(|k| k % KEYS_PER_FAMILY >= TXN_KEYS)
                {
                    continue;
                }
            }
            cmds.push(cmd);
        }
        Cmd::Multi {
            watch: Vec::new(),
            cmds,
        }
    }

    fn random_cmd(&mut self, values: &mut ValueSource) -> Cmd {
        let families = self.families.list();
        let families = if families.is_empty() {
            Family::ALL.to_vec()
        } else {
            families
        };
        let string_keys = self.keys.clamp(1, KEYS_PER_FAMILY);
        values.next_value += 1;
        // Unique values, so that a read names the write it saw; some are integers so
        // that INCRBY and HINCRBY have something to count.
        let value = if self.rng.next_u32().is_multiple_of(3) {
            Bytes::from((values.client * 1_000_000 + values.next_value).to_string())
        } else {
            Bytes::from(format!("c{}-{}", values.client, values.next_value))
        };
        // Only seeds with big values draw here, so the others keep their traces.
        let value = if self.extras.big_values && self.rng.next_u32().is_multiple_of(6) {
            let size = BIG_VALUE_SIZES[self.rng.next_u32() as usize % BIG_VALUE_SIZES.len()];
            big_value(&value, size)
        } else {
            value
        };
        let mut keys = Keys {
            rng: self.rng,
            families: &families,
            string_keys,
        };
        // One op in eight is a generic command (keys of every family in use); the rest
        // are commands of one family, of which one in twenty-five is sent to a key of
        // another family on purpose (WRONGTYPE, or a key created with another type).
        let extras = self.extras;
        if extras.pubsub && keys.below(12) == 0 {
            return Cmd::Publish {
                channel: keys.below(CHANNELS) as u8,
                message: value,
                max_receivers: 2 * SUBSCRIBER_CONNECTIONS,
            };
        }
        if extras.blocking && families.contains(&Family::List) && keys.below(10) == 0 {
            // Half of them on l0, so that several clients queue on one key.
            let key = if keys.coin(2) {
                Family::List.key(0)
            } else {
                keys.of(Family::List)
            };
            return Cmd::BLPop(key, 50 + u64::from(keys.below(251)));
        }
        if keys.below(8) == 0 {
            return keys.generic_cmd(self.multi_key);
        }
        let family = families[keys.below(families.len() as u32) as usize];
        let mut key_family = family;
        if keys.below(25) == 0 {
            key_family = Family::ALL[keys.below(5) as usize];
        }
        let key = keys.of(key_family);
        // Only seeds with SORT on draw here, so the others keep their traces.
        if self.extras.sort
            && matches!(family, Family::List | Family::Set | Family::ZSet)
            && keys.below(8) == 0
        {
            return keys.sort_cmd(key);
        }
        // Only seeds with bitmaps on draw here, so the others keep their traces.
        if self.extras.bits && family == Family::Str && keys.below(3) == 0 {
            return keys.bits_cmd(key);
        }
        match family {
            Family::Str => keys.string_cmd(key, self.multi_key, value, self.extras.dump),
            Family::List => keys.list_cmd(key, value),
            Family::Hash => keys.hash_cmd(key, value),
            Family::Set => keys.set_cmd(key),
            Family::ZSet => keys.zset_cmd(key),
            // Their own keys only: a recovered string is read back as an HLL by its
            // key's family, and the model keeps geo sets' points only for its own.
            Family::Hll => {
                let key = keys.of(Family::Hll);
                keys.hll_cmd(key)
            }
            Family::Geo => {
                let key = keys.of(Family::Geo);
                keys.geo_cmd(key)
            }
            Family::Stream => keys.stream_cmd(key, value),
        }
    }
}

/// Sizes of big values, on both sides of the server's thresholds: a listpack entry's 64
/// bytes, the 16 KiB reply block (and the by-reference bulk), the 32 KiB big argument of
/// the parser (PROTO_MBULK_BIG_ARG), the 64 KiB written per client per pass, and more.
pub const BIG_VALUE_SIZES: [usize; 9] = [
    65,
    16 * 1024 - 1,
    16 * 1024,
    16 * 1024 + 1,
    32 * 1024 - 1,
    32 * 1024,
    32 * 1024 + 5,
    64 * 1024 + 7,
    200_000,
];

/// `unique` (the value's identity, first) padded to `size` bytes with a pattern that
/// shows where any byte went astray.
pub fn big_value(unique: &[u8], size: usize) -> Bytes {
    let mut out = Vec::with_capacity(size.max(unique.len() + 1));
    out.extend_from_slice(unique);
    out.push(b':');
    let mut i = 0u32;
    while out.len() < size {
        out.push(b'a' + (i % 26) as u8);
        i += 1;
    }
    Bytes::from(out)
}

/// Keys of the aggregate families (few, so that clients collide).
const AGGREGATE_KEYS: u8 = 3;

/// The workload's random choices of keys and commands.
struct Keys<'a> {
    rng: &'a mut ChaCha8Rng,
    families: &'a [Family],
    string_keys: u8,
}

impl Keys<'_> {
    fn below(&mut self, n: u32) -> u32 {
        self.rng.next_u32() % n
    }

    fn coin(&mut self, one_in: u32) -> bool {
        self.below(one_in) == 0
    }

    /// An increment within 2 of i64::MAX or i64::MIN.
    fn i64_edge(&mut self) -> i64 {
        let off = i64::from(self.below(3));
        if self.coin(2) {
            i64::MAX - off
        } else {
            i64::MIN + off
        }
    }

    fn of(&mut self, family: Family) -> KeyId {
        let n = match family {
            Family::Str => self.string_keys,
            _ => AGGREGATE_KEYS,
        };
        family.key(self.below(u32::from(n)) as u8)
    }

    /// A key of any family in use.
    fn any(&mut self) -> KeyId {
        let family = self.families[self.below(self.families.len() as u32) as usize];
        self.of(family)
    }

    /// A name from a small domain (`f0`..., `m0`...), so that fields and members collide.
    fn name(&mut self, prefix: &str, n: u32) -> Bytes {
        Bytes::from(format!("{prefix}{}", self.below(n)))
    }

    /// Two keys of one family in use: a multi-key op joins its keys' partitions, and
    /// joining families would make one partition of everything, too costly to check.
    fn pair(&mut self) -> Vec<KeyId> {
        let family = self.families[self.below(self.families.len() as u32) as usize];
        vec![self.of(family), self.of(family)]
    }

    fn generic_cmd(&mut self, multi_key: bool) -> Cmd {
        match self.below(9) {
            0 | 1 => Cmd::Del(vec![self.any()]),
            2 if multi_key => Cmd::Exists(self.pair()),
            2 => Cmd::Exists(vec![self.any()]),
            3 => Cmd::PExpire(self.any(), 1 + u64::from(self.below(3000))),
            4 => Cmd::Persist(self.any()),
            5 => Cmd::PTtl(self.any()),
            6 | 7 => Cmd::Type(self.any()),
            // MGET answers nil for a key of another type.
            _ if multi_key => Cmd::MGet(self.pair()),
            _ => Cmd::Ping,
        }
    }

    fn string_set(&mut self, key: KeyId, value: Bytes) -> Cmd {
        Cmd::Set {
            key,
            value,
            ttl_ms: self
                .coin(4)
                .then(|| 1 + u64::from(self.rng.next_u32() % 2000)),
            cond: match self.below(6) {
                0 => SetCond::Nx,
                1 => SetCond::Xx,
                _ => SetCond::Always,
            },
            get: self.coin(4),
        }
    }

    fn string_cmd(&mut self, key: KeyId, multi_key: bool, value: Bytes, dump: bool) -> Cmd {
        match self.below(24) {
            0..=3 => self.string_set(key, value),
            4..=7 => Cmd::Get(key),
            8 => Cmd::Del(vec![key]),
            9 if multi_key => Cmd::Exists(vec![key, self.of(Family::Str)]),
            9 => Cmd::Exists(vec![key]),
            // One in eight increments is near an end of i64: INCRBY's overflow error,
            // and values at the edge for the next command to read or increment.
            10..=11 if self.coin(8) => Cmd::IncrBy(key, self.i64_edge()),
            10..=11 => Cmd::IncrBy(key, i64::from(self.below(10)) - 3),
            12 => Cmd::Append(key, Bytes::from(format!("+{}", client_suffix(&value)))),
            13 => Cmd::GetDel(key),
            14 => Cmd::Strlen(key),
            15 if multi_key => Cmd::MSet(vec![(key, value.clone()), (self.of(Family::Str), value)]),
            15 => Cmd::MSet(vec![(key, value)]),
            16 if multi_key => Cmd::MGet(vec![key, self.of(Family::Str)]),
            16 => Cmd::MGet(vec![key]),
            17 => Cmd::PExpire(key, 1 + u64::from(self.below(3000))),
            18 => {
                if self.coin(2) {
                    Cmd::Persist(key)
                } else {
                    Cmd::PTtl(key)
                }
            }
            // Counters (INCRBY) hold small numbers, so a CAS from one of them can succeed.
            19 if self.coin(2) => Cmd::Cas {
                key,
                expected: Bytes::from(self.below(4).to_string()),
                new: value,
            },
            // redis-py's lock on a string key: SET NX PX, then its scripts, with a few
            // tokens so that clients hold, miss and steal each other's locks.
            20 | 21 => {
                let token = Bytes::from(format!("t{}", self.below(3)));
                let ms = 1 + u64::from(self.below(2000));
                match self.below(4) {
                    0 => Cmd::Set {
                        key,
                        value: token,
                        ttl_ms: Some(ms),
                        cond: SetCond::Nx,
                        get: false,
                    },
                    1 => Cmd::LockRelease { key, token },
                    2 => Cmd::LockExtend {
                        key,
                        token,
                        ms,
                        replace: self.coin(2),
                    },
                    _ => Cmd::LockReacquire { key, token, ms },
                }
            }
            22 => Cmd::Transfer {
                from: key,
                to: if multi_key { self.of(Family::Str) } else { key },
                amount: self.below(5) as u8,
            },
            // Only seeds with DUMP on draw more here, so the others keep their traces.
            _ if dump && self.coin(2) => Cmd::Dump(key),
            _ if dump => Cmd::Restore {
                key,
                value,
                ttl_ms: if self.coin(3) {
                    1 + u64::from(self.below(3000))
                } else {
                    0
                },
                replace: self.coin(2),
                corrupt: self.coin(6),
            },
            _ => Cmd::Ping,
        }
    }

    fn list_cmd(&mut self, key: KeyId, value: Bytes) -> Cmd {
        // Elements are unique values, so a pop names the push it undoes.
        let elems = |keys: &mut Self| {
            if keys.coin(4) {
                let second = Bytes::from(format!("{}b", client_suffix(&value)));
                vec![value.clone(), second]
            } else {
                vec![value.clone()]
            }
        };
        match self.below(17) {
            0..=2 => Cmd::LPush(key, elems(self)),
            3..=5 => Cmd::RPush(key, elems(self)),
            6..=7 => Cmd::LPop(key),
            8..=9 => Cmd::RPop(key),
            10 => Cmd::LLen(key),
            11..=12 => {
                let start = i64::from(self.below(5)) - 2;
                let stop = i64::from(self.below(7)) - 3;
                Cmd::LRange(key, start, stop)
            }
            13 => Cmd::LRange(key, 0, -1),
            14 => Cmd::LIndex(key, i64::from(self.below(7)) - 3),
            15 => Cmd::PExpire(key, 1 + u64::from(self.below(3000))),
            _ => Cmd::Del(vec![key]),
        }
    }

    fn hash_cmd(&mut self, key: KeyId, value: Bytes) -> Cmd {
        match self.below(15) {
            0..=3 => {
                let mut pairs = vec![(self.name("f", 4), value.clone())];
                if self.coin(4) {
                    pairs.push((
                        self.name("f", 4),
                        Bytes::from(format!("{}b", client_suffix(&value))),
                    ));
                }
                Cmd::HSet(key, pairs)
            }
            4..=5 => Cmd::HGet(key, self.name("f", 4)),
            6..=7 => {
                let mut fields = vec![self.name("f", 4)];
                if self.coin(4) {
                    fields.push(self.name("f", 4));
                }
                Cmd::HDel(key, fields)
            }
            8 => Cmd::HLen(key),
            9..=10 if self.coin(8) => Cmd::HIncrBy(key, self.name("f", 4), self.i64_edge()),
            9..=10 => Cmd::HIncrBy(key, self.name("f", 4), i64::from(self.below(10)) - 3),
            11 => Cmd::HExists(key, self.name("f", 4)),
            12 => Cmd::PExpire(key, 1 + u64::from(self.below(3000))),
            13 => Cmd::PTtl(key),
            _ => Cmd::Del(vec![key]),
        }
    }

    fn members(&mut self, n: u32) -> Vec<Bytes> {
        let mut members = vec![self.name("m", n)];
        if self.coin(3) {
            members.push(self.name("m", n));
        }
        members
    }

    /// A bit offset: mostly in the first bytes, where commands collide; one in eight
    /// several KiB in, so strings grow and are edited far from their start.
    fn bit_offset(&mut self) -> u64 {
        if self.coin(8) {
            u64::from(self.below(40_000))
        } else {
            u64::from(self.below(64))
        }
    }

    /// A range index, negative ones counting from the end.
    fn bit_index(&mut self, bit_unit: bool) -> i64 {
        let span = if bit_unit { 80 } else { 12 };
        i64::from(self.below(2 * span)) - i64::from(span)
    }

    fn field_op(&mut self, write: bool) -> FieldOp {
        let signed = self.coin(2);
        let bits = match self.below(8) {
            0 if signed => 64,
            0 => 63,
            1 => 1 + self.below(63),
            _ => 1 + self.below(16),
        };
        let hash = self.coin(4);
        let offset = if hash {
            u64::from(self.below(8)) * u64::from(bits)
        } else {
            self.bit_offset()
        };
        if !write {
            return FieldOp::Get {
                signed,
                bits,
                offset,
                hash,
            };
        }
        let value = if self.coin(8) {
            self.i64_edge()
        } else {
            i64::from(self.below(600)) - 300
        };
        FieldOp::Write {
            incr: self.coin(2),
            signed,
            bits,
            offset,
            hash,
            value,
        }
    }

    /// A bitmap command on a string key. BITOP's sources are string keys (and sometimes
    /// `key` itself, which may hold another type); BITFIELD never has OVERFLOW FAIL before
    /// its first write, because a write that fails on a key it had to create or grow
    /// changes the key without counting a change (Redis 7.0.15: no signal, no dirty, no
    /// propagation), which the model's WATCH and the replay oracle would not expect.
    fn bits_cmd(&mut self, key: KeyId) -> Cmd {
        match self.below(10) {
            0 | 1 => Cmd::SetBit(key, self.bit_offset(), self.coin(2)),
            2 => Cmd::GetBit(key, self.bit_offset()),
            3 => {
                let range = (!self.coin(3)).then(|| {
                    let bit = self.coin(2);
                    (self.bit_index(bit), self.bit_index(bit), bit)
                });
                Cmd::BitCount(key, range)
            }
            4 => {
                let bit_unit = self.coin(2);
                let range = match self.below(3) {
                    0 => None,
                    1 => Some((self.bit_index(false), None)),
                    _ => Some((
                        self.bit_index(bit_unit),
                        Some((self.bit_index(bit_unit), bit_unit)),
                    )),
                };
                Cmd::BitPos {
                    key,
                    bit: self.coin(2),
                    range,
                }
            }
            5 | 6 => {
                let op = [
                    BitOpKind::And,
                    BitOpKind::Or,
                    BitOpKind::Xor,
                    BitOpKind::Not,
                ][self.below(4) as usize];
                let n = if op == BitOpKind::Not {
                    1
                } else {
                    1 + self.below(3)
                };
                let srcs = (0..n)
                    .map(|_| {
                        if self.coin(6) {
                            key
                        } else {
                            self.of(Family::Str)
                        }
                    })
                    .collect();
                Cmd::BitOp(op, key, srcs)
            }
            _ => {
                let mut ops = Vec::new();
                let mut wrote = false;
                for _ in 0..1 + self.below(3) {
                    match self.below(5) {
                        0 => {
                            let mode = match self.below(3) {
                                0 if wrote => Overflow::Fail,
                                0 | 1 => Overflow::Sat,
                                _ => Overflow::Wrap,
                            };
                            ops.push(FieldOp::Overflow(mode));
                        }
                        1 | 2 => ops.push(self.field_op(false)),
                        _ => {
                            wrote = true;
                            ops.push(self.field_op(true));
                        }
                    }
                }
                Cmd::BitField(key, ops)
            }
        }
    }

    fn sort_cmd(&mut self, key: KeyId) -> Cmd {
        let limit = self
            .coin(3)
            .then(|| (i64::from(self.below(6)) - 1, i64::from(self.below(6)) - 2));
        // STORE into a list key (the destination may hold another type: SORT replaces it).
        let store = self.coin(3).then(|| self.of(Family::List));
        Cmd::Sort {
            key,
            desc: self.coin(2),
            alpha: !self.coin(4),
            limit,
            store,
        }
    }

    /// Stream commands: IDs from a few ms, so explicit ones collide with `*`'s and with
    /// each other (the errors of an ID not past the last one).
    fn stream_cmd(&mut self, key: KeyId, value: Bytes) -> Cmd {
        match self.below(16) {
            0..=6 => {
                let id = match self.below(4) {
                    0 | 1 => XId::Auto,
                    2 => XId::Ms(u64::from(self.below(5))),
                    _ => XId::Full(u64::from(self.below(5)), u64::from(self.below(3))),
                };
                let mut fields = vec![(self.name("f", 2), value.clone())];
                if self.coin(3) {
                    fields.push((self.name("f", 3), value));
                }
                let maxlen = self.coin(6).then(|| u64::from(self.below(4)));
                Cmd::XAdd {
                    key,
                    id,
                    maxlen,
                    fields,
                }
            }
            7 => Cmd::XLen(key),
            8..=10 => Cmd::XRange {
                key,
                rev: self.coin(2),
                count: self.coin(2).then(|| u64::from(self.below(4))),
            },
            11..=12 => {
                let id = (u64::from(self.below(5)), u64::from(self.below(3)));
                Cmd::XDel(key, vec![id])
            }
            13 => Cmd::XTrim(key, u64::from(self.below(4))),
            14 => Cmd::PExpire(key, 1 + u64::from(self.below(3000))),
            _ => Cmd::Del(vec![key]),
        }
    }

    fn set_cmd(&mut self, key: KeyId) -> Cmd {
        match self.below(13) {
            0..=3 => Cmd::SAdd(key, self.members(6)),
            4..=6 => Cmd::SRem(key, self.members(6)),
            7..=8 => Cmd::SIsMember(key, self.name("m", 6)),
            9..=10 => Cmd::SCard(key),
            11 => Cmd::PExpire(key, 1 + u64::from(self.below(3000))),
            _ => Cmd::Del(vec![key]),
        }
    }

    fn zset_cmd(&mut self, key: KeyId) -> Cmd {
        match self.below(19) {
            0..=4 => {
                let mut flags = ZAddFlags::default();
                match self.below(8) {
                    0 => flags.nx = true,
                    1 => flags.xx = true,
                    2 => flags.gt = true,
                    3 => flags.lt = true,
                    4 => (flags.xx, flags.gt) = (true, true),
                    5 => (flags.xx, flags.lt) = (true, true),
                    _ => {}
                }
                flags.ch = self.coin(3);
                let mut pairs = vec![(i64::from(self.below(21)) - 10, self.name("m", 5))];
                if self.coin(3) {
                    pairs.push((i64::from(self.below(21)) - 10, self.name("m", 5)));
                }
                Cmd::ZAdd(key, flags, pairs)
            }
            5..=6 => Cmd::ZIncrBy(key, i64::from(self.below(11)) - 5, self.name("m", 5)),
            7..=8 => Cmd::ZScore(key, self.name("m", 5)),
            9..=10 => Cmd::ZRank(key, self.name("m", 5)),
            11..=12 => Cmd::ZRem(key, self.members(5)),
            13 => Cmd::ZCard(key),
            14..=15 => Cmd::ZRangeAll(key),
            16 => Cmd::PExpire(key, 1 + u64::from(self.below(3000))),
            17 => Cmd::Persist(key),
            _ => Cmd::Del(vec![key]),
        }
    }
}

impl Keys<'_> {
    fn hll_cmd(&mut self, key: KeyId) -> Cmd {
        match self.below(10) {
            0..=4 => {
                // Up to 200 elements from a space of 3000: keys grow past the sparse
                // limit over a run, and repeat elements often.
                let most = if self.coin(4) { 200 } else { 8 };
                let n = 1 + self.below(most);
                let elements = (0..n)
                    .map(|_| Bytes::from(format!("e{}", self.below(3000))))
                    .collect();
                Cmd::PfAdd(key, elements)
            }
            5..=6 => Cmd::PfCount(vec![key]),
            7 => Cmd::PfCount(vec![key, self.of(Family::Hll)]),
            8 => Cmd::PfMerge(key, vec![self.of(Family::Hll), self.of(Family::Hll)]),
            _ => Cmd::Del(vec![key]),
        }
    }

    fn geo_cmd(&mut self, key: KeyId) -> Cmd {
        let point = |keys: &mut Self| keys.below(GEO_POINTS.len() as u32) as u8;
        match self.below(12) {
            0..=3 => {
                let mut points = vec![(point(self), self.name("m", 5))];
                if self.coin(2) {
                    points.push((point(self), self.name("m", 5)));
                }
                Cmd::GeoAdd(key, points)
            }
            4..=5 => Cmd::GeoPos(key, self.members(5)),
            6..=7 => Cmd::GeoDist(key, self.name("m", 5), self.name("m", 5)),
            8..=10 => {
                let km = [30, 100, 150, 250][self.below(4) as usize];
                Cmd::GeoSearch(key, point(self), km)
            }
            _ => Cmd::Del(vec![key]),
        }
    }
}

/// A point the geo workload adds: the coordinates sent, the score Redis 7.0.15 stores
/// and the coordinates GEOPOS answers (both read off redis-server), so the model knows
/// Redis's geohash only through these constants.
pub struct GeoPoint {
    pub lon: &'static str,
    pub lat: &'static str,
    pub score: i64,
    pub pos_lon: &'static str,
    pub pos_lat: &'static str,
}

pub const GEO_POINTS: [GeoPoint; 6] = [
    GeoPoint {
        lon: "13.361389",
        lat: "38.115556",
        score: 3479099956230698,
        pos_lon: "13.36138933897018433",
        pos_lat: "38.11555639549629859",
    },
    GeoPoint {
        lon: "15.087269",
        lat: "37.502669",
        score: 3479447370796909,
        pos_lon: "15.08726745843887329",
        pos_lat: "37.50266842333162032",
    },
    GeoPoint {
        lon: "13.583333",
        lat: "37.316667",
        score: 3479030013248308,
        pos_lon: "13.5833314061164856",
        pos_lat: "37.31666804993816555",
    },
    GeoPoint {
        lon: "14.25",
        lat: "37.5",
        score: 3479412160168404,
        pos_lon: "14.24999982118606567",
        pos_lat: "37.4999993619508345",
    },
    GeoPoint {
        lon: "12.5",
        lat: "38.0",
        score: 3478969960189637,
        pos_lon: "12.49999791383743286",
        pos_lat: "38.0000009925631943",
    },
    GeoPoint {
        lon: "15.55",
        lat: "38.19",
        score: 3479616586915276,
        pos_lon: "15.55000215768814087",
        pos_lat: "38.19000115594608502",
    },
];

fn client_suffix(value: &Bytes) -> String {
    String::from_utf8_lossy(value).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names_and_families() {
        let key = |family: Family, index: u8| family.key(index);
        assert_eq!(key_name(key(Family::Str, 0)), "k0");
        assert_eq!(key_name(key(Family::List, 2)), "l2");
        assert_eq!(key_name(key(Family::ZSet, 1)), "z1");
        assert_eq!(Family::of_key(2 * KEYS_PER_FAMILY), Family::Hash);
        assert_eq!(Family::Set.key(1), 3 * KEYS_PER_FAMILY + 1);
    }
}
