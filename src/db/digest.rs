//! DEBUG DIGEST and DEBUG DIGEST-VALUE: Redis's `computeDatasetDigest` and
//! `xorObjectDigest` (debug.c), ported exactly, so a digest taken from seedis equals the
//! one real Redis computes for the same data. Tests compare datasets with it (before and
//! after DEBUG RELOAD, across replicas), so it must not depend on encodings or on the
//! order of a hash table: unordered collections are combined with XOR, ordered ones
//! (a list, a key's parts) with `mix`, which is order-sensitive.

use super::listpack::Entry;
use super::{Keyspace, Value};
use crate::util::float::d2string;
use crate::util::int::{ll2string, LL_STR_MAX};

pub type Digest = [u8; 20];

fn sha1(data: &[u8]) -> Digest {
    sha1_smol::Sha1::from(data).digest().bytes()
}

/// `xorDigest`: digest ^= SHA1(data).
fn xor(digest: &mut Digest, data: &[u8]) {
    for (d, h) in digest.iter_mut().zip(sha1(data)) {
        *d ^= h;
    }
}

/// `mixDigest`: digest = SHA1(digest ^ SHA1(data)).
fn mix(digest: &mut Digest, data: &[u8]) {
    xor(digest, data);
    *digest = sha1(&digest[..]);
}

fn mix_entry(digest: &mut Digest, entry: Entry<'_>) {
    match entry {
        Entry::Str(s) => mix(digest, s),
        Entry::Int(n) => mix(digest, ll2string(n, &mut [0u8; LL_STR_MAX])),
    }
}

/// Redis's type numbers (OBJ_STRING...), hashed in network order.
fn type_code(value: &Value) -> u32 {
    match value {
        Value::Str(_) => 0,
        Value::List(_) => 1,
        Value::Set(_) => 2,
        Value::ZSet(_) => 3,
        Value::Hash(_) => 4,
        Value::Stream(_) => 6,
    }
}

/// `xorObjectDigest`: mixes a value (and whether it has a TTL) into `digest`.
pub fn mix_value(digest: &mut Digest, value: &Value, has_expire: bool) {
    mix(digest, &type_code(value).to_be_bytes());
    match value {
        Value::Str(s) => mix(digest, &s.to_bytes()),
        Value::List(list) => {
            for entry in list.iter() {
                mix_entry(digest, entry);
            }
        }
        Value::Set(set) => {
            for member in set.members() {
                xor(digest, &member);
            }
        }
        Value::ZSet(zset) => {
            for (score, member) in zset.iter() {
                let mut element = [0u8; 20];
                mix(&mut element, &member);
                mix(&mut element, d2string(score).as_bytes());
                xor(digest, &element);
            }
        }
        Value::Hash(hash) => {
            for (field, val) in hash.iter() {
                let mut element = [0u8; 20];
                mix(&mut element, &field);
                mix(&mut element, &val);
                xor(digest, &element);
            }
        }
        Value::Stream(stream) => {
            let all = stream.range(
                super::stream::StreamId::MIN,
                super::stream::StreamId::MAX,
                false,
                0,
            );
            for (id, fields) in all {
                mix(digest, format!("{}.{}", id.ms, id.seq).as_bytes());
                for (f, v) in fields {
                    mix(digest, &f);
                    mix(digest, &v);
                }
            }
        }
    }
    if has_expire {
        xor(digest, b"!!expire!!");
    }
}

impl Keyspace {
    /// DEBUG DIGEST: every database, keys expired or not (Redis does not look them up).
    pub fn digest(&self) -> Digest {
        let mut total = [0u8; 20];
        for index in 0..self.databases() {
            let db = self.db(index);
            if db.dict.is_empty() {
                continue;
            }
            let db_id = u32::try_from(index).unwrap_or(u32::MAX);
            mix(&mut total, &db_id.to_be_bytes());
            for (key, value) in db.dict.iter() {
                let mut entry = [0u8; 20];
                mix(&mut entry, key.as_bytes());
                let has_expire = db.expires.get(key.as_bytes()).is_some();
                mix_value(&mut entry, value, has_expire);
                xor(&mut total, &entry);
            }
        }
        total
    }

    /// DEBUG DIGEST-VALUE: one key's value (all zeros for a missing key).
    pub fn digest_value(&self, db: usize, key: &[u8]) -> Digest {
        let mut digest = [0u8; 20];
        let db = self.db(db);
        if let Some(value) = db.dict.get(key) {
            mix_value(&mut digest, value, db.expires.get(key).is_some());
        }
        digest
    }
}

pub fn hex(digest: &Digest) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
