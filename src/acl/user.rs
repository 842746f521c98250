//! An ACL user (acl.c's `user`): flags, password hashes and selectors, the root first.

use super::selector::{has_spaces, Selector};
use super::RuleError;
use crate::util::c_str;
use bytes::Bytes;
use sha2::{Digest, Sha256};

/// `ACLUserFlags`, in the order ACL LIST and GETUSER print them.
pub const ENABLED: u8 = 1 << 0;
pub const DISABLED: u8 = 1 << 1;
pub const NOPASS: u8 = 1 << 2;
pub const SKIP_SANITIZE: u8 = 1 << 3;
pub const SANITIZE: u8 = 1 << 4;

pub const FLAG_NAMES: &[(u8, &str)] = &[
    (ENABLED, "on"),
    (DISABLED, "off"),
    (NOPASS, "nopass"),
    (SKIP_SANITIZE, "skip-sanitize-payload"),
    (SANITIZE, "sanitize-payload"),
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub name: Bytes,
    pub flags: u8,
    /// SHA-256 of each password, as 64 lowercase hex characters.
    pub passwords: Vec<String>,
    /// The root selector first, then the `(...)` ones in the order they were added.
    pub selectors: Vec<Selector>,
}

/// `ACLHashPassword`: lowercase hex SHA-256.
pub fn hash_password(clear: &[u8]) -> String {
    let digest = Sha256::digest(clear);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// `ACLCheckPasswordHash`: 64 characters of `0-9a-f`.
fn valid_hash(hash: &[u8]) -> bool {
    hash.len() == 64 && hash.iter().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

fn eq(op: &[u8], word: &str) -> bool {
    c_str(op).eq_ignore_ascii_case(word.as_bytes())
}

impl User {
    /// `ACLCreateUser`: disabled, no password, no permissions.
    pub fn new(name: Bytes, pubsub_all: bool) -> User {
        User {
            name,
            flags: DISABLED,
            passwords: Vec::new(),
            selectors: vec![Selector::new(true, pubsub_all)],
        }
    }

    pub fn root(&self) -> &Selector {
        &self.selectors[0]
    }

    pub fn enabled(&self) -> bool {
        self.flags & DISABLED == 0
    }

    pub fn nopass(&self) -> bool {
        self.flags & NOPASS != 0
    }

    /// `ACLSetUser`: one rule. `pubsub_all` is `acl-pubsub-default`, which `reset` and new
    /// selectors follow.
    pub fn apply(&mut self, op: &[u8], pubsub_all: bool) -> Result<(), RuleError> {
        if op.is_empty() {
            return Ok(());
        }
        if eq(op, "on") {
            self.flags = (self.flags | ENABLED) & !DISABLED;
        } else if eq(op, "off") {
            self.flags = (self.flags | DISABLED) & !ENABLED;
        } else if eq(op, "skip-sanitize-payload") {
            self.flags = (self.flags | SKIP_SANITIZE) & !SANITIZE;
        } else if eq(op, "sanitize-payload") {
            self.flags = (self.flags | SANITIZE) & !SKIP_SANITIZE;
        } else if eq(op, "nopass") {
            self.flags |= NOPASS;
            self.passwords.clear();
        } else if eq(op, "resetpass") {
            self.flags &= !NOPASS;
            self.passwords.clear();
        } else if op[0] == b'>' || op[0] == b'#' {
            let hash = if op[0] == b'>' {
                hash_password(&op[1..])
            } else if valid_hash(&op[1..]) {
                String::from_utf8_lossy(&op[1..]).into_owned()
            } else {
                return Err(RuleError::BadHash);
            };
            if !self.passwords.contains(&hash) {
                self.passwords.push(hash);
            }
            self.flags &= !NOPASS;
        } else if op[0] == b'<' || op[0] == b'!' {
            let hash = if op[0] == b'<' {
                hash_password(&op[1..])
            } else if valid_hash(&op[1..]) {
                String::from_utf8_lossy(&op[1..]).into_owned()
            } else {
                return Err(RuleError::BadHash);
            };
            let at = self
                .passwords
                .iter()
                .position(|p| *p == hash)
                .ok_or(RuleError::NoSuchPassword)?;
            self.passwords.remove(at);
        } else if op[0] == b'(' && op[op.len() - 1] == b')' {
            let mut selector = Selector::new(false, pubsub_all);
            let inner = &op[1..op.len() - 1];
            // sdssplitargs reads a C string (it stops at a NUL), and failing (unbalanced
            // quotes) it leaves no rules: an empty selector.
            for rule in crate::resp::parse::split_args(c_str(inner)).unwrap_or_default() {
                selector.apply(&rule)?;
            }
            self.selectors.push(selector);
        } else if eq(op, "clearselectors") {
            self.selectors.truncate(1);
        } else if eq(op, "reset") {
            for rule in ["resetpass", "resetkeys", "resetchannels"] {
                self.apply(rule.as_bytes(), pubsub_all)?;
            }
            if pubsub_all {
                self.apply(b"allchannels", pubsub_all)?;
            }
            for rule in ["off", "sanitize-payload", "clearselectors", "-@all"] {
                self.apply(rule.as_bytes(), pubsub_all)?;
            }
        } else {
            self.selectors[0].apply(op)?;
        }
        Ok(())
    }

    /// `ACLDescribeUser`: flags, `#hash`es, the root selector, then `(selector)`s.
    pub fn describe(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (bit, name) in FLAG_NAMES {
            if self.flags & bit != 0 {
                out.extend_from_slice(name.as_bytes());
                out.push(b' ');
            }
        }
        for hash in &self.passwords {
            out.push(b'#');
            out.extend_from_slice(hash.as_bytes());
            out.push(b' ');
        }
        for selector in &self.selectors {
            if selector.root {
                out.extend_from_slice(&selector.describe());
            } else {
                out.extend_from_slice(b" (");
                out.extend_from_slice(&selector.describe());
                out.push(b')');
            }
        }
        out
    }

    /// `ACLCheckUserCredentials` for an existing user.
    pub fn password_ok(&self, password: &[u8]) -> bool {
        if !self.enabled() {
            return false;
        }
        if self.nopass() {
            return true;
        }
        let hashed = hash_password(password);
        // Compared without an early exit, as Redis's time_independent_strcmp.
        self.passwords.iter().fold(false, |found, p| {
            let diff = p
                .bytes()
                .zip(hashed.bytes())
                .fold(0u8, |d, (a, b)| d | (a ^ b));
            found | (diff == 0)
        })
    }
}

/// Whether a user name is acceptable (`ACLStringHasSpaces`).
pub fn valid_name(name: &[u8]) -> bool {
    !has_spaces(name)
}
