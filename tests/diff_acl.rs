//! Differential test for ACL: every rule kind and ACL subcommand, and a table-driven
//! permission suite (users without the command, without the key, with read-only or
//! write-only key access, and with exactly the rights needed), sent to seedis and to a
//! real redis-server 7.0.15 on one connection each, every reply compared byte for byte.
//! After each refused command the keyspace is read back as `default`, so a denied
//! command that changed anything shows up as a differing reply. `?` sends a line
//! without comparing its reply (GENPASS's random bytes); `~` compares an array as a
//! multiset. Descriptions with more than one single-command rule are not compared:
//! Redis emits those in its command dict's order, which its hash seed randomises.

mod common;

/// Run last in every script, so users do not leak into the next one.
const CLEANUP: &str = "?ACL DELUSER u v w nocmd nokey ro wo exact";

const RULES: &[&[&str]] = &[
    // Users, flags and passwords
    &[
        "ACL SETUSER u",
        "ACL GETUSER u",
        "ACL LIST",
        "ACL USERS",
        "ACL SETUSER u on >p1 >p2 >p1",
        "ACL GETUSER u",
        "ACL SETUSER u <p2",
        "ACL SETUSER u <p2",
        "ACL SETUSER u #0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "ACL SETUSER u !0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "ACL SETUSER u !0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "ACL SETUSER u #0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
        "ACL SETUSER u #abc",
        "ACL SETUSER u !abc",
        "ACL GETUSER u",
        "ACL SETUSER u nopass",
        "ACL GETUSER u",
        "ACL SETUSER u resetpass",
        "ACL GETUSER u",
        "ACL SETUSER u off",
        "ACL SETUSER u skip-sanitize-payload",
        "ACL LIST",
        "ACL SETUSER u sanitize-payload",
        "ACL LIST",
        "ACL SETUSER u reset",
        "ACL LIST",
        "ACL SETUSER 'a b'",
        "ACL SETUSER u bogus",
        "ACL SETUSER u ''",
        "ACL GETUSER nosuch",
        CLEANUP,
    ],
    // Commands and categories
    &[
        "ACL SETUSER u +get",
        "ACL GETUSER u",
        "ACL SETUSER u +@string",
        "ACL LIST",
        "ACL SETUSER u -@string +@hash",
        "ACL LIST",
        "ACL SETUSER u allcommands",
        "ACL LIST",
        "ACL SETUSER u -get",
        "ACL LIST",
        "ACL SETUSER u nocommands",
        "ACL LIST",
        "ACL SETUSER u +@all -@dangerous",
        "ACL GETUSER u",
        "ACL SETUSER u -@all +config|get",
        "ACL GETUSER u",
        "ACL SETUSER u -config|get",
        "ACL SETUSER u -@all +select|0",
        "ACL GETUSER u",
        "ACL SETUSER u +select|1",
        "ACL SETUSER u -select",
        "ACL GETUSER u",
        "ACL SETUSER u +client",
        "ACL SETUSER u -client|kill",
        "ACL SETUSER u +nosuch",
        "ACL SETUSER u -nosuch",
        "ACL SETUSER u +@nosuch",
        "ACL SETUSER u -@nosuch",
        "ACL SETUSER u +",
        "ACL SETUSER u +get|",
        "ACL SETUSER u +config|get|x",
        "ACL SETUSER u +config|nosuch",
        "ACL SETUSER u -get|x",
        "ACL SETUSER u +a|b|c",
        "ACL SETUSER u +@ALL",
        "ACL SETUSER u NOCOMMANDS +GET",
        "ACL GETUSER u",
        CLEANUP,
    ],
    // Keys and channels
    &[
        "ACL SETUSER u ~a* ~b",
        "ACL GETUSER u",
        "ACL SETUSER u %R~r* %W~w* %RW~rw* %WR~x",
        "ACL GETUSER u",
        "ACL SETUSER u %R~a*",
        "ACL LIST",
        "ACL SETUSER u %",
        "ACL SETUSER u %~x",
        "ACL SETUSER u %X~x",
        "ACL SETUSER u %RR~x",
        "ACL SETUSER u %RW",
        "ACL SETUSER u allkeys",
        "ACL SETUSER u ~x",
        "ACL SETUSER u ~*",
        "ACL GETUSER u",
        "ACL SETUSER u resetkeys ~k",
        "ACL GETUSER u",
        "ACL SETUSER u &ch1 &ch*",
        "ACL GETUSER u",
        "ACL SETUSER u allchannels",
        "ACL SETUSER u &x",
        "ACL SETUSER u &*",
        "ACL GETUSER u",
        "ACL SETUSER u resetchannels &c",
        "ACL LIST",
        CLEANUP,
    ],
    // Selectors
    &[
        "ACL SETUSER u on nopass +get ~a (+set ~b) (~c +@hash)",
        "ACL GETUSER u",
        "ACL LIST",
        "ACL SETUSER u (~d",
        "ACL SETUSER u '(~d' '+get)'",
        "ACL GETUSER u",
        "ACL SETUSER u (on)",
        "ACL SETUSER u (+nosuch)",
        "ACL SETUSER u ()",
        "ACL SETUSER u '( )'",
        "ACL LIST",
        "ACL SETUSER u clearselectors",
        "ACL GETUSER u",
        "ACL SETUSER u '(%R~r &ch allchannels)'",
        "ACL GETUSER u",
        "ACL DRYRUN u get a",
        "ACL DRYRUN u get b",
        "ACL DRYRUN u get r",
        "ACL DRYRUN u set r 1",
        "ACL DRYRUN u set a 1",
        "ACL DRYRUN u publish ch m",
        "ACL SETUSER u reset",
        "ACL GETUSER u",
        CLEANUP,
    ],
    // The other subcommands, AUTH and HELLO
    &[
        "ACL",
        "ACL HELP",
        "ACL NOSUCH",
        "ACL WHOAMI",
        "ACL WHOAMI x",
        "ACL CAT",
        "ACL CAT nosuch",
        "ACL CAT a b",
        "?ACL GENPASS",
        "ACL GENPASS 0",
        "ACL GENPASS 4097",
        "ACL GENPASS -1",
        "ACL GENPASS x",
        "ACL GENPASS 1 2",
        "ACL DELUSER default",
        "ACL DELUSER nosuch",
        "ACL SETUSER v on >pw +@all ~*",
        "ACL SETUSER w",
        "ACL DELUSER v w nosuch",
        "ACL DELUSER u default",
        "ACL GETUSER",
        "ACL DRYRUN nosuch get a",
        "ACL DRYRUN default nosuch a",
        "ACL DRYRUN default get",
        "ACL DRYRUN default get a",
        "ACL DRYRUN default config get x",
        "ACL DRYRUN default config nosuch",
        "ACL LOAD",
        "ACL SAVE",
        "ACL LOG x",
        "ACL LOG 1 2",
        "ACL LOG RESET",
        "ACL LOG",
        "ACL SETUSER u on >pw -@all +acl|whoami +ping",
        "AUTH u wrong",
        "AUTH nosuch pw",
        "AUTH pw",
        "AUTH u pw",
        "ACL WHOAMI",
        "PING",
        "GET x",
        "ACL LIST",
        "HELLO 2 AUTH u wrong",
        "AUTH default any",
        "ACL WHOAMI",
        "ACL SETUSER u off",
        "AUTH u pw",
        "ACL LOG 0",
        "CLIENT KILL USER nosuch",
        "CLIENT KILL USER u",
        "ACL SETUSER u on",
        "?HELLO 2 AUTH u pw",
        "ACL WHOAMI",
        "AUTH default x",
        CLEANUP,
    ],
    // MULTI: refused at queue time, and at EXEC when the rules changed meanwhile
    &[
        "SET k v",
        "ACL SETUSER u on nopass +@all -get ~*",
        "AUTH u x",
        "MULTI",
        "GET k",
        "SET k 2",
        "EXEC",
        "GET k",
        "MULTI",
        "SET k 3",
        "ACL SETUSER u -set",
        "EXEC",
        "AUTH default x",
        "GET k",
        CLEANUP,
    ],
    // Scripts run as the caller
    &[
        "SET k v",
        "SET other v",
        "ACL SETUSER u on nopass +eval +get +set ~k",
        "AUTH u x",
        "EVAL 'return redis.call(\"get\", KEYS[1])' 1 k",
        "EVAL 'return redis.call(\"get\", \"other\")' 0",
        "EVAL 'return redis.call(\"del\", \"k\")' 0",
        "EVAL 'return redis.pcall(\"set\", \"other\", \"x\")' 0",
        "EVAL 'return redis.call(\"get\", KEYS[1])' 1 other",
        "EVAL 'return redis.acl_check_cmd(\"get\", \"k\")' 0",
        "EVAL 'return redis.acl_check_cmd(\"get\", \"other\")' 0",
        "EVAL 'return redis.acl_check_cmd(\"del\", \"k\")' 0",
        "EVAL 'return redis.acl_check_cmd(\"nosuch\")' 0",
        "AUTH default x",
        "GET other",
        CLEANUP,
    ],
    // acl-pubsub-default and requirepass
    &[
        "CONFIG SET acl-pubsub-default allchannels",
        "ACL SETUSER u",
        "ACL GETUSER u",
        "ACL SETUSER u (~x)",
        "ACL LIST",
        "ACL SETUSER u reset",
        "ACL LIST",
        "CONFIG SET acl-pubsub-default resetchannels",
        "ACL SETUSER u reset (~y)",
        "ACL LIST",
        "CONFIG SET requirepass secret",
        "ACL GETUSER default",
        "AUTH secret",
        "AUTH wrong",
        "AUTH default secret",
        "CONFIG SET requirepass ''",
        "ACL LIST",
        "AUTH x",
        CLEANUP,
    ],
    // Pub/sub channels
    &[
        "ACL SETUSER u on nopass +@all ~* resetchannels &news.*",
        "AUTH u x",
        "PUBLISH news.1 m",
        "PUBLISH sport m",
        "SUBSCRIBE sport",
        "PSUBSCRIBE news.*",
        "AUTH default x",
        CLEANUP,
    ],
];

/// Commands of the permission suite, with the data they work on.
const COMMANDS: &[&str] = &[
    "GET k1",
    "SET k1 new",
    "SET k9 new",
    "INCR n1",
    "APPEND k1 x",
    "STRLEN k1",
    "GETDEL k1",
    "GETSET k1 x",
    "SETNX k9 x",
    "MSET k1 a k2 b",
    "MGET k1 k2",
    "DEL k1 k2",
    "EXISTS k1",
    "TYPE k1",
    "TTL k1",
    "EXPIRE k1 100",
    "PERSIST k1",
    "RENAME k1 k9",
    "COPY k1 k9",
    "OBJECT ENCODING k1",
    "LPUSH l1 z",
    "LRANGE l1 0 -1",
    "LPOP l1",
    "LMOVE l1 l2 LEFT RIGHT",
    "RPOPLPUSH l1 l2",
    "BLPOP l1 1",
    "LINDEX l1 0",
    "HSET h1 f2 v",
    "HGET h1 f",
    "HGETALL h1",
    "HDEL h1 f",
    "SADD s1 c",
    "~SMEMBERS s1",
    "SINTERSTORE s3 s1 s2",
    "SMOVE s1 s2 a",
    "ZADD z1 2 b",
    "ZRANGE z1 0 -1",
    "ZUNIONSTORE z3 2 z1 z2",
    "ZINCRBY z1 1 a",
    "PUBLISH ch m",
];

/// The users of the permission suite: each rule set, and the user name.
fn users_for(command: &str) -> Vec<(&'static str, String)> {
    let name = command.split(' ').next().unwrap().to_ascii_lowercase();
    vec![
        ("nocmd", "on nopass ~* &* +@all -".to_string() + &name),
        ("nokey", "on nopass &* +@all ~other*".to_string()),
        ("ro", "on nopass &* +@all %R~*".to_string()),
        ("wo", "on nopass &* +@all %W~*".to_string()),
        (
            "exact",
            format!("on nopass -@all +{name} ~k* ~l* ~h* ~s* ~z* ~n* &ch"),
        ),
    ]
}

const SEED: &[&str] = &[
    "SET k1 v1",
    "SET n1 1",
    "RPUSH l1 a b",
    "HSET h1 f v",
    "SADD s1 a b",
    "SADD s2 b",
    "ZADD z1 1 a",
    "ZADD z2 3 c",
];

/// Reads the whole keyspace back as `default`.
const CHECK: &[&str] = &[
    "AUTH default x",
    "~KEYS *",
    "GET k1",
    "GET k9",
    "GET n1",
    "LRANGE l1 0 -1",
    "LRANGE l2 0 -1",
    "HGETALL h1",
    "~SMEMBERS s1",
    "~SMEMBERS s3",
    "ZRANGE z1 0 -1 WITHSCORES",
    "ZRANGE z3 0 -1 WITHSCORES",
    "TTL k1",
];

fn permission_scripts() -> Vec<Vec<String>> {
    let mut scripts = Vec::new();
    for command in COMMANDS {
        for (user, rules) in users_for(command) {
            let mut script: Vec<String> = SEED.iter().map(|s| s.to_string()).collect();
            script.push(format!("ACL SETUSER {user} {rules}"));
            script.push(format!("AUTH {user} x"));
            script.push(command.to_string());
            script.extend(CHECK.iter().map(|s| s.to_string()));
            script.push(CLEANUP.to_string());
            scripts.push(script);
        }
    }
    scripts
}

#[test]
fn acl_rules_and_subcommands_match_redis() {
    common::diff::assert_scripts_match(RULES);
}

#[test]
fn permission_suite_matches_redis() {
    let owned = permission_scripts();
    let lines: Vec<Vec<&str>> = owned
        .iter()
        .map(|s| s.iter().map(String::as_str).collect())
        .collect();
    let scripts: Vec<&[&str]> = lines.iter().map(Vec::as_slice).collect();
    common::diff::assert_scripts_match(&scripts);
}
