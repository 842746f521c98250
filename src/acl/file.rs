//! The ACL file (`aclfile`): ACL SAVE's text and ACL LOAD's reading of it, as acl.c's
//! ACLSaveToFile and ACLLoadFromFile do, sans-IO (the command reads and writes the file
//! through the storage seam). Loading is all or nothing: every error of every line is
//! collected and, if there is any, the users stay as they were.

use super::{merge_selector_args, selector::has_spaces, Acl, RuleError, User};
use crate::util::c_str;
use bytes::Bytes;
use std::collections::BTreeMap;

/// ACLSaveToFile's content: `user <name> <description>` for every user, by name.
pub fn to_text(acl: &Acl) -> Vec<u8> {
    let mut out = Vec::new();
    for user in acl.users.values() {
        out.extend_from_slice(b"user ");
        out.extend_from_slice(&user.name);
        out.push(b' ');
        out.extend_from_slice(&user.describe());
        out.push(b'\n');
    }
    out
}

fn trim<'a>(mut s: &'a [u8], chars: &[u8]) -> &'a [u8] {
    while let [first, rest @ ..] = s {
        if !chars.contains(first) {
            break;
        }
        s = rest;
    }
    while let [rest @ .., last] = s {
        if !chars.contains(last) {
            break;
        }
        s = rest;
    }
    s
}

/// ACLLoadFromFile over the file's bytes (`filename` as the messages name it): the new
/// users (a `default` user with Redis's defaults when the file has none), or Redis's
/// error text, every problem found, then the notice that nothing changed.
pub fn from_text(
    text: &[u8],
    filename: &str,
    pubsub_all: bool,
) -> Result<BTreeMap<Bytes, User>, String> {
    // The file is read as a C string: a NUL ends it.
    let text = c_str(text);
    let mut users: BTreeMap<Bytes, User> = BTreeMap::new();
    let mut errors = String::new();
    for (index, line) in text.split(|&b| b == b'\n').enumerate() {
        let n = index + 1;
        let line = trim(line, b" \t\r\n");
        if line.is_empty() {
            continue;
        }
        // sdssplitlen on single spaces: two spaces make an empty word, which ACLSetUser
        // takes as a no-op.
        let argv: Vec<&[u8]> = line.split(|&b| b == b' ').collect();
        if argv[0] != b"user" || argv.len() < 2 {
            errors.push_str(&format!(
                "{filename}:{n} should start with user keyword followed by the username. "
            ));
            continue;
        }
        let name = argv[1];
        if has_spaces(name) {
            errors.push_str(&format!(
                "'{filename}:{n}: username '{}' contains invalid characters. ",
                String::from_utf8_lossy(c_str(name))
            ));
            continue;
        }
        if users.contains_key(name) {
            errors.push_str(&format!(
                "WARNING: Duplicate user '{}' found on line {n}. ",
                String::from_utf8_lossy(c_str(name))
            ));
            continue;
        }
        let name = Bytes::copy_from_slice(name);
        let mut user = User::new(name.clone(), pubsub_all);
        let rules: Vec<Bytes> = argv[2..]
            .iter()
            .map(|r| Bytes::copy_from_slice(r))
            .collect();
        let merged = match merge_selector_args(&rules) {
            Ok(merged) => merged,
            Err(_) => {
                errors.push_str(&format!(
                    "{filename}:{n}: Unmatched parenthesis in selector definition."
                ));
                Vec::new()
            }
        };
        let mut syntax_error = false;
        for op in &merged {
            let op = trim(op, b"\t\r\n");
            if op.is_empty() {
                continue;
            }
            match user.apply(op, pubsub_all) {
                Ok(()) => {}
                // Unknown commands are named: the name is not a secret.
                Err(RuleError::UnknownCommand) => errors.push_str(&format!(
                    "{filename}:{n}: Error in applying operation '{}': {}. ",
                    String::from_utf8_lossy(c_str(op)),
                    RuleError::UnknownCommand.message()
                )),
                // Only the first other error: it may explain the ones after it.
                Err(e) if !syntax_error => {
                    errors.push_str(&format!("{filename}:{n}: {}. ", e.message()));
                    syntax_error = true;
                }
                Err(_) => {}
            }
        }
        users.insert(name, user);
    }
    if !errors.is_empty() {
        errors.push_str(
            "WARNING: ACL errors detected, no change to the previously active ACL rules was performed",
        );
        return Err(errors);
    }
    if !users.contains_key(b"default".as_slice()) {
        let fresh = Acl::new();
        let default = fresh.default_user().clone();
        users.insert(default.name.clone(), default);
    }
    Ok(users)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_then_load_gives_the_same_users() {
        let mut acl = Acl::new();
        let rules: Vec<Bytes> = ["on", ">pw", "+get", "~k*", "(+set ~w*)"]
            .iter()
            .map(|r| Bytes::from_static(r.as_bytes()))
            .collect();
        acl.set_user(&Bytes::from_static(b"alice"), &rules, false)
            .unwrap();
        let text = to_text(&acl);
        let users = from_text(&text, "users.acl", false).unwrap();
        let mut reloaded = Acl::new();
        reloaded.users = users;
        assert_eq!(to_text(&reloaded), text);
    }

    #[test]
    fn every_error_is_reported_and_nothing_loads() {
        let text = b"user a on +nosuch +alsonot\nfoo bar\nuser a on\nuser b on >x <y\n\n   \nuser c (+get\n";
        let err = from_text(text, "f.acl", false).unwrap_err();
        assert_eq!(
            err,
            "f.acl:1: Error in applying operation '+nosuch': Unknown command or category name in ACL. \
             f.acl:1: Error in applying operation '+alsonot': Unknown command or category name in ACL. \
             f.acl:2 should start with user keyword followed by the username. \
             WARNING: Duplicate user 'a' found on line 3. \
             f.acl:4: The password you are trying to remove from the user does not exist. \
             f.acl:7: Unmatched parenthesis in selector definition.\
             WARNING: ACL errors detected, no change to the previously active ACL rules was performed"
        );
        let users = from_text(b"user x on nopass +@all ~*\n", "f", false).unwrap();
        assert!(
            users.contains_key(b"default".as_slice()),
            "a default user is added"
        );
    }
}
