//! Every command and subcommand of the table under a small integer id, the index of the
//! bit ACL selectors keep for it (Redis's `ACLGetCommandID`), and the walks Redis makes
//! over its command dict: containers first, each followed by its subcommands.

use crate::cmd::table::{self, Command};
use std::sync::OnceLock;

pub struct CommandIndex {
    /// Containers and plain commands in table order, each container followed by its
    /// subcommands; an entry's position is its id.
    pub entries: Vec<&'static Command>,
    /// The container of each entry (`None` for top-level commands).
    pub parent: Vec<Option<usize>>,
    /// The ids of each entry's subcommands.
    pub children: Vec<Vec<usize>>,
    /// Full names (`config|get`), sorted, with their ids: lookup by binary search.
    by_name: Vec<(&'static str, usize)>,
}

impl CommandIndex {
    /// The bit a selector sets for "commands added in the future" (Redis's reserved last
    /// bit): set by `+@all` and `allcommands` only, so a description knows whether to
    /// start from `+@all` or `-@all`.
    pub fn future_bit(&self) -> usize {
        self.entries.len()
    }

    /// Words a command bitmap needs, the future bit included.
    pub fn words(&self) -> usize {
        self.entries.len() / 64 + 1
    }

    pub fn id_of(&self, name: &str) -> Option<usize> {
        self.by_name
            .binary_search_by(|(n, _)| n.cmp(&name))
            .ok()
            .map(|i| self.by_name[i].1)
    }

    /// `lookupCommandBySdsLogic` in strict mode over a rule's name: `cmd` or
    /// `container|sub`, case-insensitively; more than one `|`, an unknown name, a
    /// subcommand of a command without subcommands, all fail.
    pub fn lookup_rule_name(&self, name: &[u8]) -> Option<usize> {
        let mut parts = name.split(|&b| b == b'|');
        let base = parts.next()?;
        let sub = parts.next();
        if parts.next().is_some() {
            return None;
        }
        let lower = |s: &[u8]| String::from_utf8_lossy(s).to_ascii_lowercase();
        let base_id = self
            .id_of(&lower(base))
            .filter(|&id| self.parent[id].is_none())?;
        match sub {
            None => Some(base_id),
            Some(sub) => {
                if self.children[base_id].is_empty() {
                    return None;
                }
                let full = format!("{}|{}", self.entries[base_id].name, lower(sub));
                self.id_of(&full)
            }
        }
    }
}

/// The index over [`table::all`], built once.
pub fn index() -> &'static CommandIndex {
    static INDEX: OnceLock<CommandIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut entries = Vec::new();
        let mut parent = Vec::new();
        let mut children = Vec::new();
        for cmd in table::all() {
            let id = entries.len();
            entries.push(cmd);
            parent.push(None);
            children.push(Vec::new());
            for sub in cmd.subcommands {
                let sub_id = entries.len();
                entries.push(sub);
                parent.push(Some(id));
                children.push(Vec::new());
                children[id].push(sub_id);
            }
        }
        let mut by_name: Vec<(&'static str, usize)> = entries
            .iter()
            .enumerate()
            .map(|(id, c)| (c.name, id))
            .collect();
        by_name.sort_unstable();
        CommandIndex {
            entries,
            parent,
            children,
            by_name,
        }
    })
}

/// A category's bit by its name (without `@`), case-insensitively.
pub fn category_by_name(name: &[u8]) -> Option<u32> {
    table::ACL_NAMES
        .iter()
        .find(|(_, n)| n.as_bytes().eq_ignore_ascii_case(name))
        .map(|(bit, _)| *bit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_rule_names() {
        let ix = index();
        let get = ix.lookup_rule_name(b"GET").unwrap();
        assert_eq!(ix.entries[get].name, "get");
        let cg = ix.lookup_rule_name(b"Config|Get").unwrap();
        assert_eq!(ix.entries[cg].name, "config|get");
        assert_eq!(ix.parent[cg], ix.lookup_rule_name(b"config"));
        assert!(ix.lookup_rule_name(b"get|x").is_none());
        assert!(ix.lookup_rule_name(b"config|get|x").is_none());
        assert!(ix.lookup_rule_name(b"").is_none());
        assert!(ix.lookup_rule_name(b"config|").is_none());
        assert!(ix.lookup_rule_name(b"|get").is_none());
        // A subcommand's bare name is not a command.
        assert!(ix.lookup_rule_name(b"config|get").is_some());
        assert_eq!(ix.future_bit(), ix.entries.len());
    }
}
