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
