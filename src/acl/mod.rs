//! Access control lists as Redis 7.0 has them (acl.c): users with passwords and
//! selectors, rule parsing and description, the permission check dispatch makes before
//! every command, and the ACL log. Nothing here touches I/O: ACL LOAD/SAVE go through
//! the command layer.
//!
//! - `commands`: every command and subcommand under an id (its bit in a selector).
//! - `selector`: the rules about commands, keys and channels, and their description.
//! - `user`: flags, password hashes (SHA-256), selectors.
//! - `log`: ACL LOG's entries.

pub mod commands;
pub mod file;
pub mod log;
pub mod selector;
pub mod user;

use crate::cmd::table::Command;
use bytes::Bytes;
use std::collections::BTreeMap;
pub use user::User;

/// Why a rule was refused (acl.c sets errno; `ACLSetUserStringError` words it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleError {
    Syntax,
    UnknownCommand,
    KeyAfterAll,
    ChannelAfterAll,
    NoSuchPassword,
    BadHash,
    FirstArgOfSubcommand,
}

impl RuleError {
    pub fn message(self) -> &'static str {
        match self {
            RuleError::Syntax => "Syntax error",
            RuleError::UnknownCommand => "Unknown command or category name in ACL",
            RuleError::KeyAfterAll => "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
            RuleError::ChannelAfterAll => "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels",
            RuleError::NoSuchPassword => "The password you are trying to remove from the user does not exist",
            RuleError::BadHash => "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters",
            RuleError::FirstArgOfSubcommand => "Allowing first-arg of a subcommand is not supported",
        }
    }
}

/// Why a command was refused, with the argument that caused it (ACL_DENIED_*). Ordered
/// as Redis's codes, which pick the error reported when every selector refuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Denial {
    Command,
    Key(usize),
    Channel(usize),
}

impl Denial {
    fn code(self) -> (u8, usize) {
        match self {
            Denial::Command => (1, 0),
            Denial::Key(pos) => (2, pos),
            Denial::Channel(pos) => (4, pos),
        }
    }
}

/// The users and the log.
#[derive(Clone, Debug)]
pub struct Acl {
    /// By name, in byte order (ACL LIST and USERS order, as Redis's rax).
    pub users: BTreeMap<Bytes, User>,
    pub log: log::AclLog,
}

impl Default for Acl {
    fn default() -> Self {
        Acl::new()
    }
}

/// `ACLMergeSelectorArguments`: a selector may be spread over several arguments
/// (`(~key` `+get)`); they are joined with spaces. `Err` names the argument that opened
/// an unmatched parenthesis.
pub fn merge_selector_args(args: &[Bytes]) -> Result<Vec<Bytes>, Bytes> {
    let mut merged = Vec::with_capacity(args.len());
    let mut open: Option<(Bytes, Vec<u8>)> = None;
    for op in args {
        let closes = op.last() == Some(&b')');
        if op.first() == Some(&b'(') && !closes {
            open = Some((op.clone(), op.to_vec()));
            continue;
        }
        if let Some((_, selector)) = open.as_mut() {
            selector.push(b' ');
            selector.extend_from_slice(crate::util::c_str(op));
            if closes {
                let (_, selector) = open.take().expect("open selector");
                merged.push(Bytes::from(selector));
            }
            continue;
        }
        merged.push(op.clone());
    }
    match open {
        Some((start, _)) => Err(start),
        None => Ok(merged),
    }
}

impl Acl {
    /// `ACLInit`: only `default`, allowed everything, without a password.
    pub fn new() -> Acl {
        let mut default = User::new(Bytes::from_static(b"default"), false);
        for rule in ["+@all", "~*", "&*", "on", "nopass"] {
            default
                .apply(rule.as_bytes(), false)
                .expect("default user's rules");
        }
        let mut users = BTreeMap::new();
        users.insert(default.name.clone(), default);
        Acl {
            users,
            log: log::AclLog::default(),
        }
    }

    pub fn user(&self, name: &[u8]) -> Option<&User> {
        self.users.get(name)
    }

    pub fn default_user(&self) -> &User {
        self.users.get(b"default".as_slice()).expect("default user")
    }

    /// `authRequired` for a client that has not authenticated: the default user has a
    /// password or is disabled.
    pub fn default_requires_auth(&self) -> bool {
        let d = self.default_user();
        !d.nopass() || !d.enabled()
    }

    /// `ACLUpdateDefaultUserPassword` (requirepass): the default user's only password,
    /// or nopass when empty.
    pub fn set_requirepass(&mut self, password: &[u8]) {
        let default = self
            .users
            .get_mut(b"default".as_slice())
            .expect("default user");
        let _ = default.apply(b"resetpass", false);
        if password.is_empty() {
            let _ = default.apply(b"nopass", false);
        } else {
            let _ = default.apply(&[b">", password].concat(), false);
        }
    }

    /// `ACLStringSetUser`: applies every rule to a copy, and only when all succeed
    /// stores it (creating the user if needed). The error is Redis's text without `ERR`.
    /// Returns the user as it was before, when it existed.
    pub fn set_user(
        &mut self,
        name: &Bytes,
        rules: &[Bytes],
        pubsub_all: bool,
    ) -> Result<Option<User>, Vec<u8>> {
        let merged = merge_selector_args(rules).map_err(|start| {
            [
                b"Unmatched parenthesis in acl selector starting at '".as_slice(),
                crate::util::c_str(&start),
                b"'.",
            ]
            .concat()
        })?;
        let old = self.users.get(name).cloned();
        let mut staged = old
            .clone()
            .unwrap_or_else(|| User::new(name.clone(), pubsub_all));
        for op in &merged {
            if let Err(e) = staged.apply(op, pubsub_all) {
                return Err([
                    b"Error in ACL SETUSER modifier '".as_slice(),
                    crate::util::c_str(op),
                    b"': ",
                    e.message().as_bytes(),
                ]
                .concat());
            }
        }
        self.users.insert(name.clone(), staged);
        Ok(old)
    }

    /// `ACLCheckUserCredentials`: a user that exists, is on, and takes the password.
    pub fn credentials_ok(&self, name: &[u8], password: &[u8]) -> bool {
        self.users
            .get(name)
            .is_some_and(|u| u.password_ok(password))
    }
}

/// `ACLAppendUserForLoading`'s checks on a `user` line of the configuration (`words` is
/// the name, then the rules): every rule parses (unknown commands aside, which Redis
/// leaves for later), and the name is not declared twice. The error is Redis's reason.
pub fn validate_config_user(words: &[Bytes], earlier: &[Vec<Bytes>]) -> Result<(), String> {
    let Some((name, rules)) = words.split_first() else {
        return Err("Bad directive or wrong number of arguments".into());
    };
    let quote = |arg: &[u8], why: &str| {
        format!(
            "Error in user declaration '{}': {why}",
            String::from_utf8_lossy(crate::util::c_str(arg))
        )
    };
    if earlier.iter().any(|w| w.first() == Some(name)) {
        return Err(quote(
            name,
            "Duplicate user found. A user can only be defined once in config files",
        ));
    }
    let merged = merge_selector_args(rules).map_err(|start| quote(&start, "Syntax error"))?;
    let mut fake = User::new(Bytes::from_static(b"__fakeuser__"), false);
    for op in &merged {
        match fake.apply(op, false) {
            Ok(()) | Err(RuleError::UnknownCommand) => {}
            Err(e) => return Err(quote(op, e.message())),
        }
    }
    Ok(())
}

impl Acl {
    /// The users at startup: `requirepass` for the default user, then the `user` lines
    /// of the configuration (a declared `default` is reset first). A rule that fails here
    /// (an unknown command) is skipped; Redis refuses to start instead.
    pub fn from_config(config: &crate::config::Config) -> Acl {
        let mut acl = Acl::new();
        acl.set_requirepass(config.requirepass.as_bytes());
        let pubsub_all = pubsub_default_all(config);
        for words in &config.acl_users {
            let Some((name, rules)) = words.split_first() else {
                continue;
            };
            if !user::valid_name(name) {
                continue;
            }
            let user = acl
                .users
                .entry(name.clone())
                .or_insert_with(|| User::new(name.clone(), pubsub_all));
            if name.as_ref() == b"default" {
                let _ = user.apply(b"reset", pubsub_all);
            }
            for op in merge_selector_args(rules).unwrap_or_default() {
                let _ = user.apply(&op, pubsub_all);
            }
        }
        acl
    }
}

/// `acl-pubsub-default`: whether new users and selectors start with all channels.
pub fn pubsub_default_all(config: &crate::config::Config) -> bool {
    config.get("acl-pubsub-default").as_deref() == Some("allchannels")
}

/// `acllog-max-len`.
pub fn log_max_len(config: &crate::config::Config) -> u64 {
    config
        .get("acllog-max-len")
        .and_then(|v| v.parse().ok())
        .unwrap_or(128)
}

/// `ACLSelectorCheckCmd`: whether one selector allows the command with these arguments.
fn selector_allows(
    selector: &selector::Selector,
    id: usize,
    cmd: &Command,
    argv: &[Bytes],
    keys: &mut Option<Vec<crate::cmd::command_cmd::KeyRef>>,
) -> Result<(), Denial> {
    use crate::cmd::table::NO_AUTH;
    let ix = commands::index();
    if !selector.all_commands && !cmd.has(NO_AUTH) && !selector.bit(id) {
        let arg_at = if ix.parent[id].is_some() { 2 } else { 1 };
        let allowed_first = match (selector.first_args(id), argv.get(arg_at)) {
            (Some(args), Some(arg)) if argv.len() >= 2 => args
                .iter()
                .any(|a| crate::util::c_str(a).eq_ignore_ascii_case(crate::util::c_str(arg))),
            _ => false,
        };
        if !allowed_first {
            return Err(Denial::Command);
        }
    }
    if !selector.all_keys && cmd.has_keys() {
        let keys = keys.get_or_insert_with(|| crate::cmd::command_cmd::command_keys(cmd, argv));
        for key in keys.iter() {
            // The getkeys procedures name fixed positions; dispatch's arity check keeps
            // them inside argv, but a caller that skipped it must not index past it.
            let Some(arg) = argv.get(key.pos) else {
                continue;
            };
            if !selector.check_key(arg, key.flags) {
                return Err(Denial::Key(key.pos));
            }
        }
    }
    if !selector.all_channels {
        for (pos, is_pattern) in channel_args(cmd, argv) {
            if !selector.check_channel(&argv[pos], is_pattern) {
                return Err(Denial::Channel(pos));
            }
        }
    }
    Ok(())
}

/// `commands_with_channels` entries with PUBLISH or SUBSCRIBE flags (the ones ACLs
/// check): the channel arguments and whether each is a pattern.
fn channel_args(cmd: &Command, argv: &[Bytes]) -> Vec<(usize, bool)> {
    match cmd.name {
        "publish" | "spublish" => (1..argv.len().min(2)).map(|i| (i, false)).collect(),
        "subscribe" | "ssubscribe" => (1..argv.len()).map(|i| (i, false)).collect(),
        "psubscribe" => (1..argv.len()).map(|i| (i, true)).collect(),
        _ => Vec::new(),
    }
}

/// `ACLCheckAllUserCommandPerm`: allowed if any selector allows it; otherwise the most
/// relevant refusal (channel over key over command; the later argument on a tie).
pub fn check_command(user: &User, cmd: &'static Command, argv: &[Bytes]) -> Result<(), Denial> {
    let Some(id) = commands::index().id_of(cmd.name) else {
        return Err(Denial::Command);
    };
    let mut keys = None;
    let mut worst = Denial::Command;
    for selector in &user.selectors {
        match selector_allows(selector, id, cmd, argv, &mut keys) {
            Ok(()) => return Ok(()),
            Err(denial) => {
                if denial.code() > worst.code() {
                    worst = denial;
                }
            }
        }
    }
    Err(worst)
}

/// `ACLUserCheckCmdWithUnrestrictedKeyAccess`: a selector allows the command and has
/// `perm` on every key (what SCRIPT and `redis.acl_check_cmd` ask).
pub fn check_command_unrestricted(
    user: &User,
    cmd: &'static Command,
    argv: &[Bytes],
    perm: u8,
) -> bool {
    let Some(id) = commands::index().id_of(cmd.name) else {
        return false;
    };
    let mut keys = None;
    user.selectors.iter().any(|s| {
        selector_allows(s, id, cmd, argv, &mut keys).is_ok() && s.has_unrestricted_key_access(perm)
    })
}

/// `ACLKillPubsubClientsIfNeeded`'s question: the channel patterns `new` allows, when a
/// subscription `original` allowed may no longer be (`None`: every one still is).
pub fn revoked_channels(new: &User, original: &User) -> Option<Vec<Bytes>> {
    if new.selectors.iter().any(|s| s.all_channels) {
        return None;
    }
    let upcoming: Vec<Bytes> = new
        .selectors
        .iter()
        .flat_map(|s| s.channels.iter().cloned())
        .collect();
    let superset = original
        .selectors
        .iter()
        .all(|s| !s.all_channels && s.channels.iter().all(|c| upcoming.contains(c)));
    (!superset).then_some(upcoming)
}

/// `ACLUserCheckChannelPerm`.
pub fn check_channel(user: &User, channel: &[u8], is_pattern: bool) -> bool {
    user.selectors
        .iter()
        .any(|s| s.check_channel(channel, is_pattern))
}

#[cfg(test)]
mod tests;
