//! An ACL selector (acl.c's `aclSelector`): which commands, keys and channels one set of
//! rules allows. A user has a root selector and any number of `(...)` selectors; a
//! command runs if one selector allows it whole.

use super::commands::{category_by_name, index, CommandIndex};
use super::RuleError;
use crate::util::{c_str, ctype::is_space, glob::stringmatchlen};
use bytes::Bytes;
use std::collections::BTreeMap;

/// Key pattern permissions (`ACL_READ_PERMISSION`, `ACL_WRITE_PERMISSION`).
pub const READ: u8 = 1;
pub const WRITE: u8 = 2;
pub const ALL: u8 = READ | WRITE;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyPattern {
    pub flags: u8,
    pub pattern: Bytes,
}

impl KeyPattern {
    /// `sdsCatPatternString`: `~p`, `%R~p` or `%W~p`.
    pub fn describe(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(match self.flags {
            ALL => b"~".as_slice(),
            READ => b"%R~",
            _ => b"%W~",
        });
        out.extend_from_slice(&self.pattern);
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selector {
    pub root: bool,
    pub all_keys: bool,
    pub all_channels: bool,
    pub all_commands: bool,
    /// One bit per command id, plus the future-commands bit.
    allowed: Vec<u64>,
    /// First arguments allowed for a command whose bit is not set (`+select|0`), by id.
    first_args: BTreeMap<usize, Vec<Bytes>>,
    pub patterns: Vec<KeyPattern>,
    pub channels: Vec<Bytes>,
}

fn eq(op: &[u8], word: &str) -> bool {
    c_str(op).eq_ignore_ascii_case(word.as_bytes())
}

/// `ACLCheckChannelAgainstList`: a channel matches an allowed pattern; a pattern (from
/// PSUBSCRIBE) must equal one literally.
pub fn channel_in_list(list: &[Bytes], channel: &[u8], is_pattern: bool) -> bool {
    list.iter().any(|p| {
        if is_pattern {
            c_str(p) == c_str(channel)
        } else {
            stringmatchlen(p, channel, false)
        }
    })
}

/// `ACLStringHasSpaces`: C's isspace or a NUL anywhere.
pub fn has_spaces(s: &[u8]) -> bool {
    s.iter().any(|&c| is_space(c) || c == 0)
}

impl Selector {
    /// `ACLCreateSelector`: no permissions, but all channels when `acl-pubsub-default`
    /// is `allchannels`.
    pub fn new(root: bool, all_channels: bool) -> Selector {
        Selector {
            root,
            all_keys: false,
            all_channels,
            all_commands: false,
            allowed: vec![0; index().words()],
            first_args: BTreeMap::new(),
            patterns: Vec::new(),
            channels: Vec::new(),
        }
    }

    pub fn bit(&self, id: usize) -> bool {
        self.allowed[id / 64] & (1 << (id % 64)) != 0
    }

    fn set_bit(&mut self, id: usize, value: bool) {
        if value {
            self.allowed[id / 64] |= 1 << (id % 64);
        } else {
            self.allowed[id / 64] &= !(1 << (id % 64));
            self.all_commands = false;
        }
    }

    /// `ACLChangeSelectorPerm`: a command and, for a container, all its subcommands.
    fn change_perm(&mut self, ix: &CommandIndex, id: usize, allow: bool) {
        self.set_bit(id, allow);
        self.first_args.remove(&id);
        for &sub in &ix.children[id] {
            self.set_bit(sub, allow);
        }
    }

    /// `ACLSetSelectorCommandBitsForCategoryLogic`, walking containers before their
    /// subcommands as Redis does.
    fn set_category(&mut self, ix: &CommandIndex, category: u32, allow: bool) {
        for (id, cmd) in ix.entries.iter().enumerate() {
            if cmd.acl_categories() & category != 0 {
                self.change_perm(ix, id, allow);
            }
        }
    }

    fn count_category(&self, ix: &CommandIndex, category: u32) -> (u64, u64) {
        let (mut on, mut off) = (0, 0);
        for (id, cmd) in ix.entries.iter().enumerate() {
            if cmd.acl_categories() & category != 0 {
                if self.bit(id) {
                    on += 1;
                } else {
                    off += 1;
                }
            }
        }
        (on, off)
    }

    /// Whether a first argument holds a space (`+get|a b` is accepted, in Redis too, but
    /// its description cannot be read back).
    pub fn first_args_have_spaces(&self) -> bool {
        self.first_args.values().flatten().any(|a| has_spaces(a))
    }

    pub fn first_args(&self, id: usize) -> Option<&[Bytes]> {
        self.first_args.get(&id).map(Vec::as_slice)
    }

    /// `ACLSetSelector`: one rule about commands, keys or channels.
    pub fn apply(&mut self, op: &[u8]) -> Result<(), RuleError> {
        let ix = index();
        if op.is_empty() {
            return Err(RuleError::Syntax);
        }
        if eq(op, "allkeys") || eq(op, "~*") {
            self.all_keys = true;
            self.patterns.clear();
        } else if eq(op, "resetkeys") {
            self.all_keys = false;
            self.patterns.clear();
        } else if eq(op, "allchannels") || eq(op, "&*") {
            self.all_channels = true;
            self.channels.clear();
        } else if eq(op, "resetchannels") {
            self.all_channels = false;
            self.channels.clear();
        } else if eq(op, "allcommands") || eq(op, "+@all") {
            self.allowed.iter_mut().for_each(|w| *w = u64::MAX);
            self.all_commands = true;
            self.first_args.clear();
        } else if eq(op, "nocommands") || eq(op, "-@all") {
            self.allowed.iter_mut().for_each(|w| *w = 0);
            self.all_commands = false;
            self.first_args.clear();
        } else if op[0] == b'~' || op[0] == b'%' {
            self.add_key_pattern(op)?;
        } else if op[0] == b'&' {
            if self.all_channels {
                return Err(RuleError::ChannelAfterAll);
            }
            let pattern = &op[1..];
            if has_spaces(pattern) {
                return Err(RuleError::Syntax);
            }
            if !self.channels.iter().any(|c| c == pattern) {
                self.channels.push(Bytes::copy_from_slice(pattern));
            }
            self.all_channels = false;
        } else if op[0] == b'+' && op.get(1) != Some(&b'@') {
            self.allow_command(ix, c_str(&op[1..]))?;
        } else if op[0] == b'-' && op.get(1) != Some(&b'@') {
            let id = ix
                .lookup_rule_name(c_str(&op[1..]))
                .ok_or(RuleError::UnknownCommand)?;
            self.change_perm(ix, id, false);
        } else if (op[0] == b'+' || op[0] == b'-') && op.get(1) == Some(&b'@') {
            let category = category_by_name(c_str(&op[2..])).ok_or(RuleError::UnknownCommand)?;
            self.set_category(ix, category, op[0] == b'+');
        } else {
            return Err(RuleError::Syntax);
        }
        Ok(())
    }

    fn add_key_pattern(&mut self, op: &[u8]) -> Result<(), RuleError> {
        if self.all_keys {
            return Err(RuleError::KeyAfterAll);
        }
        let mut flags = 0;
        let mut offset = 1;
        if op[0] == b'%' {
            while offset < op.len() {
                let c = op[offset];
                if c.eq_ignore_ascii_case(&b'r') && flags & READ == 0 {
                    flags |= READ;
                } else if c.eq_ignore_ascii_case(&b'w') && flags & WRITE == 0 {
                    flags |= WRITE;
                } else if c == b'~' {
                    offset += 1;
                    break;
                } else {
                    return Err(RuleError::Syntax);
                }
                offset += 1;
            }
            // redis-server 7.0.15 answers a syntax error for `%` and `%~p`.
            if flags == 0 {
                return Err(RuleError::Syntax);
            }
        } else {
            flags = ALL;
        }
        let pattern = &op[offset..];
        if has_spaces(pattern) {
            return Err(RuleError::Syntax);
        }
        match self.patterns.iter_mut().find(|p| p.pattern == pattern) {
            Some(existing) => existing.flags |= flags,
            None => self.patterns.push(KeyPattern {
                flags,
                pattern: Bytes::copy_from_slice(pattern),
            }),
        }
        self.all_keys = false;
        Ok(())
    }

    /// `+cmd`, `+container|sub`, or `+cmd|firstarg`.
    fn allow_command(&mut self, ix: &CommandIndex, name: &[u8]) -> Result<(), RuleError> {
        let Some(bar) = name.iter().rposition(|&b| b == b'|') else {
            let id = ix.lookup_rule_name(name).ok_or(RuleError::UnknownCommand)?;
            self.change_perm(ix, id, true);
            return Ok(());
        };
        let (base, sub) = (&name[..bar], &name[bar + 1..]);
        let id = ix.lookup_rule_name(base).ok_or(RuleError::UnknownCommand)?;
        if ix.parent[id].is_some() {
            return Err(RuleError::FirstArgOfSubcommand);
        }
        if sub.is_empty() {
            return Err(RuleError::Syntax);
        }
        if !ix.children[id].is_empty() {
            let sub_id = ix.lookup_rule_name(name).ok_or(RuleError::UnknownCommand)?;
            self.change_perm(ix, sub_id, true);
        } else {
            let args = self.first_args.entry(id).or_default();
            if !args.iter().any(|a| a.eq_ignore_ascii_case(sub)) {
                args.push(Bytes::copy_from_slice(sub));
            }
        }
        Ok(())
    }

    /// `ACLDescribeSelectorCommandRules`: `+@all` or `-@all`, then the categories that
    /// best approximate the bitmap, then single commands to make it exact.
    pub fn describe_commands(&self) -> Vec<u8> {
        let ix = index();
        let mut rules = Vec::new();
        let mut fake = Selector::new(false, false);
        let additive = !self.bit(ix.future_bit());
        if additive {
            rules.extend_from_slice(b"-@all ");
        } else {
            rules.extend_from_slice(b"+@all ");
            fake.allowed.iter_mut().for_each(|w| *w = u64::MAX);
        }
        let mut temp = Selector::new(false, false);
        temp.allowed.clone_from(&self.allowed);
        let names = crate::cmd::table::ACL_NAMES;
        let mut applied = vec![false; names.len()];
        loop {
            let mut best = None;
            let (mut min_diff, mut max_same) = (u64::MAX, 0);
            for (j, (category, _)) in names.iter().enumerate() {
                if applied[j] {
                    continue;
                }
                let (on, off) = temp.count_category(ix, *category);
                let (diff, same) = if additive { (off, on) } else { (on, off) };
                if same > diff && (diff < min_diff || (diff == min_diff && same > max_same)) {
                    best = Some(j);
                    min_diff = diff;
                    max_same = same;
                }
            }
            let Some(best) = best else { break };
            let (category, name) = names[best];
            fake.set_category(ix, category, additive);
            temp.set_category(ix, category, !additive);
            rules.extend_from_slice(if additive { b"+@" } else { b"-@" });
            rules.extend_from_slice(name.as_bytes());
            rules.push(b' ');
            applied[best] = true;
        }
        for (id, cmd) in ix.entries.iter().enumerate() {
            let user_bit = self.bit(id);
            if user_bit != fake.bit(id) {
                rules.push(if user_bit { b'+' } else { b'-' });
                rules.extend_from_slice(cmd.name.as_bytes());
                rules.push(b' ');
                fake.change_perm(ix, id, user_bit);
            }
            if let (false, Some(args)) = (user_bit, self.first_args.get(&id)) {
                for arg in args {
                    rules.push(b'+');
                    rules.extend_from_slice(cmd.name.as_bytes());
                    rules.push(b'|');
                    rules.extend_from_slice(arg);
                    rules.push(b' ');
                }
            }
        }
        rules.pop();
        // The description must rebuild exactly this bitmap (Redis panics otherwise:
        // describing is security-relevant, and a mismatch is a bug here, not input).
        assert_eq!(fake.allowed, self.allowed, "ACL description does not match");
        rules
    }

    /// `ACLDescribeSelector`: keys, channels, then command rules.
    pub fn describe(&self) -> Vec<u8> {
        let mut out = Vec::new();
        if self.all_keys {
            out.extend_from_slice(b"~* ");
        } else {
            for p in &self.patterns {
                p.describe(&mut out);
                out.push(b' ');
            }
        }
        if self.all_channels {
            out.extend_from_slice(b"&* ");
        } else {
            out.extend_from_slice(b"resetchannels ");
            for c in &self.channels {
                out.push(b'&');
                out.extend_from_slice(c);
                out.push(b' ');
            }
        }
        out.extend_from_slice(&self.describe_commands());
        out
    }

    /// GETUSER's `keys` field: the patterns separated by spaces, or `~*`.
    pub fn describe_keys(&self) -> Vec<u8> {
        if self.all_keys {
            return b"~*".to_vec();
        }
        let mut out = Vec::new();
        for (i, p) in self.patterns.iter().enumerate() {
            if i > 0 {
                out.push(b' ');
            }
            p.describe(&mut out);
        }
        out
    }

    /// GETUSER's `channels` field.
    pub fn describe_channels(&self) -> Vec<u8> {
        if self.all_channels {
            return b"&*".to_vec();
        }
        let mut out = Vec::new();
        for (i, c) in self.channels.iter().enumerate() {
            if i > 0 {
                out.push(b' ');
            }
            out.push(b'&');
            out.extend_from_slice(c);
        }
        out
    }

    /// `ACLSelectorCheckKey`: whether a key may be used with a key spec's flags.
    pub fn check_key(&self, key: &[u8], spec_flags: u16) -> bool {
        use crate::cmd::table::{ACCESS, DELETE, INSERT, UPDATE};
        if self.all_keys {
            return true;
        }
        let mut needed = 0;
        if spec_flags & ACCESS != 0 {
            needed |= READ;
        }
        if spec_flags & (INSERT | DELETE | UPDATE) != 0 {
            needed |= WRITE;
        }
        self.patterns
            .iter()
            .any(|p| p.flags & needed == needed && stringmatchlen(&p.pattern, key, false))
    }

    /// `ACLCheckChannelAgainstList` over this selector (all channels allowed aside): a
    /// pattern given to PSUBSCRIBE must equal an allowed pattern literally.
    pub fn check_channel(&self, channel: &[u8], is_pattern: bool) -> bool {
        self.all_channels || channel_in_list(&self.channels, channel, is_pattern)
    }

    /// `ACLSelectorHasUnrestrictedKeyAccess`: `allkeys`, or a `*` pattern with `perm`.
    pub fn has_unrestricted_key_access(&self, perm: u8) -> bool {
        self.all_keys
            || self
                .patterns
                .iter()
                .any(|p| p.flags & perm == perm && c_str(&p.pattern) == b"*")
    }
}
