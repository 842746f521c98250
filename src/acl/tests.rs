use super::*;

fn b(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

fn setuser(acl: &mut Acl, name: &str, rules: &[&str]) -> Result<(), String> {
    let rules: Vec<Bytes> = rules.iter().map(|r| b(r)).collect();
    acl.set_user(&b(name), &rules, false)
        .map(|_| ())
        .map_err(|e| String::from_utf8_lossy(&e).into_owned())
}

fn describe(acl: &Acl, name: &str) -> String {
    String::from_utf8_lossy(&acl.user(name.as_bytes()).unwrap().describe()).into_owned()
}

#[test]
fn default_user_and_new_users_describe_like_redis() {
    let mut acl = Acl::new();
    assert_eq!(describe(&acl, "default"), "on nopass ~* &* +@all");
    setuser(&mut acl, "t2", &["%RW"]).unwrap();
    assert_eq!(describe(&acl, "t2"), "off ~ resetchannels -@all");
    setuser(
        &mut acl,
        "u",
        &["on", ">p", "~k*", "%R~r*", "&ch", "+get", "(+set ~w*)"],
    )
    .unwrap();
    assert_eq!(
        describe(&acl, "u"),
        "on #148de9c5a7a44d19e56cd9ae1a554bf67847afb0c58f6e12fa29ac7ddfca9940 ~k* %R~r* resetchannels &ch -@all +get (~w* resetchannels -@all +set)"
    );
    setuser(&mut acl, "r", &["reset"]).unwrap();
    assert_eq!(
        describe(&acl, "r"),
        "off sanitize-payload resetchannels -@all"
    );
}

#[test]
fn rule_errors_leave_the_user_unchanged() {
    let mut acl = Acl::new();
    setuser(&mut acl, "u", &["on", "+get"]).unwrap();
    let before = describe(&acl, "u");
    let err = setuser(&mut acl, "u", &["+set", "+nosuch"]).unwrap_err();
    assert_eq!(
        err,
        "Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL"
    );
    assert_eq!(describe(&acl, "u"), before);
    for (rule, why) in [
        ("%", "Syntax error"),
        ("%~foo", "Syntax error"),
        ("+get|", "Syntax error"),
        ("+config|get|x", "Allowing first-arg of a subcommand is not supported"),
        ("-get|x", "Unknown command or category name in ACL"),
        ("#abc", "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"),
        ("<nopass", "The password you are trying to remove from the user does not exist"),
        ("foo", "Syntax error"),
    ] {
        let err = setuser(&mut acl, "u", &[rule]).unwrap_err();
        assert!(err.ends_with(why), "{rule}: {err}");
    }
    assert_eq!(
        setuser(&mut acl, "u", &["(~x"]).unwrap_err(),
        "Unmatched parenthesis in acl selector starting at '(~x'."
    );
}

#[test]
fn permission_checks_follow_key_specs_and_selectors() {
    let mut acl = Acl::new();
    setuser(
        &mut acl,
        "u",
        &["on", "nopass", "+@all", "%R~r*", "%W~w*", "(~sel* +get)"],
    )
    .unwrap();
    let u = acl.user(b"u").unwrap().clone();
    let run = |args: &[&str]| {
        let argv: Vec<Bytes> = args.iter().map(|a| b(a)).collect();
        let cmd = crate::cmd::table::lookup(&argv[0]).unwrap();
        let cmd = crate::cmd::table::resolve(cmd, &argv).unwrap();
        check_command(&u, cmd, &argv)
    };
    assert_eq!(run(&["get", "r1"]), Ok(()));
    assert_eq!(run(&["get", "w1"]), Err(Denial::Key(1)));
    assert_eq!(run(&["set", "w1", "v"]), Ok(()));
    assert_eq!(run(&["set", "r1", "v"]), Err(Denial::Key(1)));
    assert_eq!(run(&["get", "sel1"]), Ok(()));
    assert_eq!(
        run(&["lmove", "r1", "w1", "left", "left"]),
        Err(Denial::Key(1))
    );
    assert_eq!(run(&["publish", "ch", "m"]), Err(Denial::Channel(1)));
    setuser(&mut acl, "v", &["on", "-@all", "+select|0", "+config|get"]).unwrap();
    let v = acl.user(b"v").unwrap();
    assert_eq!(
        String::from_utf8_lossy(&v.describe()),
        "on resetchannels -@all +config|get +select|0"
    );
}

#[test]
fn log_groups_similar_entries_and_keeps_max_len() {
    use log::{AclLog, Context, Entry, Reason};
    let entry = |object: &str, ms: u64| Entry {
        count: 1,
        reason: Reason::Auth,
        context: Context::Toplevel,
        object: b(object),
        username: b("u"),
        ctime_ms: ms,
        client_info: b("id=1"),
    };
    let mut log = AclLog::default();
    // A thousand failed AUTHs within a minute are one entry.
    for i in 0..1000 {
        log.add(entry("AUTH", i), 128);
    }
    assert_eq!(log.len(), 1);
    assert_eq!(log.iter().next().unwrap().count, 1000);
    // Past 60 s, or a different object, starts a new entry; the newest comes first.
    log.add(entry("AUTH", 200_000), 128);
    log.add(entry("HELLO", 200_001), 128);
    let objects: Vec<&[u8]> = log.iter().map(|e| e.object.as_ref()).collect();
    assert_eq!(objects, [b"HELLO".as_slice(), b"AUTH", b"AUTH"]);
    for i in 0..10 {
        log.add(entry(&format!("k{i}"), 300_000), 4);
    }
    assert_eq!(log.len(), 4);
    log.reset();
    assert!(log.is_empty());
}

/// The `acl_rules` fuzz target's properties on seeded random rules, in plain `cargo
/// test`: rules never panic, a refused SETUSER changes nothing, and a description
/// rebuilds a user with the same description and the same command bitmap.
#[test]
fn random_rules_round_trip_through_their_description() {
    use rand_chacha::ChaCha8Rng;
    use rand_core::{RngCore, SeedableRng};
    const WORDS: &[&str] = &[
        "on",
        "off",
        "nopass",
        "resetpass",
        "reset",
        "allkeys",
        "resetkeys",
        "allchannels",
        "resetchannels",
        "allcommands",
        "nocommands",
        "clearselectors",
        "sanitize-payload",
        "skip-sanitize-payload",
        ">p",
        "<p",
        "~a*",
        "%R~r*",
        "%W~w*",
        "%RW~x",
        "&c*",
        "+@all",
        "-@all",
        "+@string",
        "-@write",
        "+@read",
        "-@dangerous",
        "+config|get",
        "-config",
        "+client",
        "-client|kill",
        "+select|0",
        "+get",
        "-get",
        "+set",
        "(+get ~s*)",
        "(-@all +@hash",
        "~h*)",
        "(&x allkeys)",
        "bogus",
        "+nosuch",
        "%",
        "~",
    ];
    let mut rng = ChaCha8Rng::seed_from_u64(15);
    let ix = commands::index();
    let mut round_trips = 0;
    for _ in 0..300 {
        let mut acl = Acl::new();
        for _ in 0..4 {
            let n = 1 + rng.next_u32() as usize % 6;
            let rules: Vec<Bytes> = (0..n)
                .map(|_| b(WORDS[rng.next_u32() as usize % WORDS.len()]))
                .collect();
            let before = acl.user(b"u").cloned();
            if acl
                .set_user(&b("u"), &rules, rng.next_u32() % 2 == 0)
                .is_err()
            {
                assert_eq!(acl.user(b"u").cloned(), before);
            }
        }
        let Some(user) = acl.user(b"u").cloned() else {
            continue;
        };
        let description = user.describe();
        let words: Vec<Bytes> = description
            .split(|&c| c == b' ')
            .filter(|w| !w.is_empty())
            .map(Bytes::copy_from_slice)
            .collect();
        acl.set_user(&b("v"), &words, false)
            .unwrap_or_else(|e| panic!("{:?}", String::from_utf8_lossy(&e)));
        let copy = acl.user(b"v").unwrap();
        assert_eq!(copy.describe(), description);
        for (i, (a, c)) in user.selectors.iter().zip(&copy.selectors).enumerate() {
            for id in 0..=ix.future_bit() {
                assert_eq!(a.bit(id), c.bit(id), "selector {i}, command id {id}");
            }
        }
        round_trips += 1;
    }
    assert!(round_trips > 100, "only {round_trips} users to round-trip");
}

/// Found by the acl_rules fuzz target: SET's getkeys procedure names argument 1, which a
/// bare `["set"]` does not have.
#[test]
fn key_positions_past_argv_do_not_panic() {
    let mut acl = Acl::new();
    setuser(&mut acl, "u", &["on", "+@all", "~k*"]).unwrap();
    let u = acl.user(b"u").unwrap();
    for name in ["set", "zunionstore", "get", "lmove"] {
        let cmd = crate::cmd::table::lookup(name.as_bytes()).unwrap();
        assert_eq!(check_command(u, cmd, &[b(name)]), Ok(()), "{name}");
    }
    let set = crate::cmd::table::lookup(b"set").unwrap();
    assert_eq!(
        check_command(u, set, &[b("set"), b("x"), b("1")]),
        Err(Denial::Key(1))
    );
}

/// Found by the acl_rules fuzz target: a NUL inside a selector made sdssplitargs's port
/// (which expects no NUL) loop forever; Redis reads the selector as a C string.
#[test]
fn a_nul_inside_a_selector_ends_it_as_in_redis() {
    let mut acl = Acl::new();
    let rules = [b("(\0C\x1a"), b(")"), b("resetkeys")];
    acl.set_user(&b("u"), &rules, false).unwrap();
    assert_eq!(
        describe(&acl, "u"),
        "off resetchannels -@all (resetchannels -@all)"
    );
}
