//! Pub/Sub (pubsub.c): SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH,
//! sharded pub/sub (SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH: channels of their own, no
//! patterns, `smessage` frames, counted apart) and PUBSUB CHANNELS / NUMSUB / NUMPAT /
//! SHARDCHANNELS / SHARDNUMSUB. Without cluster mode a shard channel is served by this
//! server, as in Redis.
//!
//! The server-wide index ([`PubSub`], in [`ServerState`](super::ServerState)) maps each
//! channel and pattern to its subscribers, named by (client id, fd) so PUBLISH can hand a
//! message to another client's output through the [`ClientRegistry`](super::ClientRegistry);
//! each session keeps its own channel and pattern sets. The loop removes a client from the
//! index when it disconnects, and `check_invariants` verifies both sides agree.

use super::table::*;
use super::{Ctx, Session};
use crate::resp::Reply;
use crate::util::glob::stringmatchlen;
use bytes::Bytes;
use std::collections::BTreeMap;

/// A subscriber: client id and descriptor.
type Subscriber = (u64, u32);

#[derive(Default, Debug)]
pub struct PubSub {
    channels: BTreeMap<Bytes, Vec<Subscriber>>,
    patterns: BTreeMap<Bytes, Vec<Subscriber>>,
    /// Shard channels (`server.pubsubshard_channels`).
    shard_channels: BTreeMap<Bytes, Vec<Subscriber>>,
}

impl PubSub {
    fn add(map: &mut BTreeMap<Bytes, Vec<Subscriber>>, name: &Bytes, who: Subscriber) {
        map.entry(name.clone()).or_default().push(who);
    }

    fn del(map: &mut BTreeMap<Bytes, Vec<Subscriber>>, name: &[u8], id: u64) {
        if let Some(subs) = map.get_mut(name) {
            subs.retain(|s| s.0 != id);
            if subs.is_empty() {
                map.remove(name);
            }
        }
    }

    /// Forgets every subscription of a client (disconnect, RESET).
    pub fn remove_client(&mut self, session: &mut Session) {
        for ch in std::mem::take(&mut session.channels) {
            Self::del(&mut self.channels, &ch, session.id);
        }
        for p in std::mem::take(&mut session.patterns) {
            Self::del(&mut self.patterns, &p, session.id);
        }
        for ch in std::mem::take(&mut session.shard_channels) {
            Self::del(&mut self.shard_channels, &ch, session.id);
        }
    }

    /// Number of channels with subscribers (INFO `pubsub_channels`).
    pub fn channel_count(&self) -> usize {
        self.channels.len()
    }

    /// Number of distinct patterns (INFO `pubsub_patterns`, PUBSUB NUMPAT).
    pub fn pattern_count(&self) -> usize {
        self.patterns.len()
    }

    /// Number of shard channels with subscribers.
    pub fn shard_channel_count(&self) -> usize {
        self.shard_channels.len()
    }

    /// Every (id, fd) with a subscription, with its channel, pattern and shard channel
    /// counts.
    pub fn subscribers(&self) -> BTreeMap<Subscriber, (usize, usize, usize)> {
        let mut out: BTreeMap<Subscriber, (usize, usize, usize)> = BTreeMap::new();
        for subs in self.channels.values() {
            for s in subs {
                out.entry(*s).or_default().0 += 1;
            }
        }
        for subs in self.patterns.values() {
            for s in subs {
                out.entry(*s).or_default().1 += 1;
            }
        }
        for subs in self.shard_channels.values() {
            for s in subs {
                out.entry(*s).or_default().2 += 1;
            }
        }
        out
    }

    /// Every subscription: client id, channel or pattern, and whether it is a pattern
    /// (shard channels are channels, as ACLs see them).
    pub fn each_subscription(&self, mut f: impl FnMut(u64, &Bytes, bool)) {
        for (name, subs) in self.channels.iter().chain(&self.shard_channels) {
            subs.iter().for_each(|s| f(s.0, name, false));
        }
        for (name, subs) in &self.patterns {
            subs.iter().for_each(|s| f(s.0, name, true));
        }
    }

    /// No empty subscriber list, no client twice on one channel or pattern.
    pub fn check_invariants(&self) -> Result<(), String> {
        for (kind, map) in [
            ("channel", &self.channels),
            ("pattern", &self.patterns),
            ("shard channel", &self.shard_channels),
        ] {
            for (name, subs) in map {
                if subs.is_empty() {
                    return Err(format!("{kind} {name:?} with no subscribers"));
                }
                let mut ids: Vec<u64> = subs.iter().map(|s| s.0).collect();
                ids.sort_unstable();
                ids.dedup();
                if ids.len() != subs.len() {
                    return Err(format!("{kind} {name:?} lists a client twice"));
                }
            }
        }
        Ok(())
    }
}

fn bulk(s: &'static str) -> Reply {
    Reply::Bulk(Bytes::from_static(s.as_bytes()))
}

/// A (un)subscribe confirmation: `[kind, name or nil, count]`, a push in RESP3.
fn confirmation(kind: &'static str, name: Option<&Bytes>, count: usize) -> Reply {
    Reply::Push(vec![
        bulk(kind),
        name.map_or(Reply::Null, |n| Reply::Bulk(n.clone())),
        Reply::Integer(count as i64),
    ])
}

/// Several confirmations: all but the last go out before the command's reply.
fn replies(ctx: &mut Ctx<'_>, mut all: Vec<Reply>) -> CmdResult {
    let last = all.pop().unwrap_or(Reply::Null);
    ctx.session.pushes.extend(all);
    Ok(last)
}

fn subscribe_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let who = (ctx.session.id, ctx.session.fd);
    let mut out = Vec::with_capacity(argv.len() - 1);
    for ch in &argv[1..] {
        if ctx.session.channels.insert(ch.clone()) {
            PubSub::add(&mut ctx.server.pubsub.channels, ch, who);
        }
        out.push(confirmation(
            "subscribe",
            Some(ch),
            ctx.session.subscriptions(),
        ));
    }
    replies(ctx, out)
}

fn psubscribe_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let who = (ctx.session.id, ctx.session.fd);
    let mut out = Vec::with_capacity(argv.len() - 1);
    for p in &argv[1..] {
        if ctx.session.patterns.insert(p.clone()) {
            PubSub::add(&mut ctx.server.pubsub.patterns, p, who);
        }
        out.push(confirmation(
            "psubscribe",
            Some(p),
            ctx.session.subscriptions(),
        ));
    }
    replies(ctx, out)
}

fn unsubscribe_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], patterns: bool) -> CmdResult {
    let kind = if patterns {
        "punsubscribe"
    } else {
        "unsubscribe"
    };
    let names: Vec<Bytes> = if argv.len() > 1 {
        argv[1..].to_vec()
    } else if patterns {
        ctx.session.patterns.iter().cloned().collect()
    } else {
        ctx.session.channels.iter().cloned().collect()
    };
    if names.is_empty() {
        return Ok(confirmation(kind, None, ctx.session.subscriptions()));
    }
    let id = ctx.session.id;
    let mut out = Vec::with_capacity(names.len());
    for name in &names {
        let (mine, index) = if patterns {
            (&mut ctx.session.patterns, &mut ctx.server.pubsub.patterns)
        } else {
            (&mut ctx.session.channels, &mut ctx.server.pubsub.channels)
        };
        if mine.remove(name) {
            PubSub::del(index, name, id);
        }
        out.push(confirmation(kind, Some(name), ctx.session.subscriptions()));
    }
    replies(ctx, out)
}

fn unsubscribe_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    unsubscribe_generic(ctx, argv, false)
}

fn punsubscribe_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    unsubscribe_generic(ctx, argv, true)
}

/// PUBLISH: channel subscribers first, then pattern subscribers; the reply counts the
/// deliveries. A message to oneself goes out before the reply.
fn publish_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let receivers = publish(ctx, &argv[1], &argv[2]);
    Ok(Reply::Integer(receivers as i64))
}

/// `pubsubPublishMessage`: delivers `message` on `channel` to its subscribers, then to
/// the matching patterns' (the calling client included, ahead of its reply); returns
/// how many received it. PUBLISH and keyspace notifications both go through here.
pub fn publish(ctx: &mut Ctx<'_>, channel: &Bytes, message: &Bytes) -> usize {
    let mut targets: Vec<(Subscriber, Reply)> = Vec::new();
    if let Some(subs) = ctx.server.pubsub.channels.get(channel) {
        let msg = Reply::Push(vec![
            bulk("message"),
            Reply::Bulk(channel.clone()),
            Reply::Bulk(message.clone()),
        ]);
        targets.extend(subs.iter().map(|s| (*s, msg.clone())));
    }
    for (pattern, subs) in &ctx.server.pubsub.patterns {
        if !stringmatchlen(pattern, channel, false) {
            continue;
        }
        let msg = Reply::Push(vec![
            bulk("pmessage"),
            Reply::Bulk(pattern.clone()),
            Reply::Bulk(channel.clone()),
            Reply::Bulk(message.clone()),
        ]);
        targets.extend(subs.iter().map(|s| (*s, msg.clone())));
    }
    deliver(ctx, targets)
}

/// Hands each message to its subscriber (the calling client's go out before its reply);
/// returns how many were delivered.
fn deliver(ctx: &mut Ctx<'_>, targets: Vec<(Subscriber, Reply)>) -> usize {
    let mut receivers = 0;
    for ((id, fd), msg) in targets {
        if id == ctx.session.id {
            ctx.session.pushes.push(msg);
            receivers += 1;
        } else if ctx.clients.deliver(fd, id, &msg) {
            receivers += 1;
        }
    }
    receivers
}

// ---- Sharded pub/sub ----------------------------------------------------------------

fn ssubscribe_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    if ctx.session.in_exec {
        // CLIENT_DENY_BLOCKING, with no exception for MULTI (unlike SUBSCRIBE).
        return Err(Reply::err(
            "ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client",
        ));
    }
    let who = (ctx.session.id, ctx.session.fd);
    let mut out = Vec::with_capacity(argv.len() - 1);
    for ch in &argv[1..] {
        if ctx.session.shard_channels.insert(ch.clone()) {
            PubSub::add(&mut ctx.server.pubsub.shard_channels, ch, who);
        }
        // The count is of shard channels only (clientShardSubscriptionsCount).
        out.push(confirmation(
            "ssubscribe",
            Some(ch),
            ctx.session.shard_channels.len(),
        ));
    }
    replies(ctx, out)
}

fn sunsubscribe_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let names: Vec<Bytes> = if argv.len() > 1 {
        argv[1..].to_vec()
    } else {
        ctx.session.shard_channels.iter().cloned().collect()
    };
    if names.is_empty() {
        return Ok(confirmation("sunsubscribe", None, 0));
    }
    let id = ctx.session.id;
    let mut out = Vec::with_capacity(names.len());
    for name in &names {
        if ctx.session.shard_channels.remove(name) {
            PubSub::del(&mut ctx.server.pubsub.shard_channels, name, id);
        }
        out.push(confirmation(
            "sunsubscribe",
            Some(name),
            ctx.session.shard_channels.len(),
        ));
    }
    replies(ctx, out)
}

/// SPUBLISH: the shard channel's subscribers only (patterns never match shard
/// channels), as `smessage`.
fn spublish_cmd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let (channel, message) = (&argv[1], &argv[2]);
    let mut targets = Vec::new();
    if let Some(subs) = ctx.server.pubsub.shard_channels.get(channel) {
        let msg = Reply::Push(vec![
            bulk("smessage"),
            Reply::Bulk(channel.clone()),
            Reply::Bulk(message.clone()),
        ]);
        targets.extend(subs.iter().map(|s| (*s, msg.clone())));
    }
    Ok(Reply::Integer(deliver(ctx, targets) as i64))
}

fn pubsub_shardchannels(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 3 {
        return Err(subcommand_syntax_error(argv));
    }
    let pattern = argv.get(2);
    Ok(Reply::Array(
        ctx.server
            .pubsub
            .shard_channels
            .keys()
            .filter(|ch| pattern.is_none_or(|p| stringmatchlen(p, ch, false)))
            .map(|ch| Reply::Bulk(ch.clone()))
            .collect(),
    ))
}

/// `addReplySubcommandSyntaxError`: PUBSUB checks these arities itself.
fn subcommand_syntax_error(argv: &[Bytes]) -> Reply {
    Reply::error_bytes(
        [
            b"ERR unknown subcommand or wrong number of arguments for '".as_slice(),
            crate::util::printf_s(&argv[1], 128),
            b"'. Try PUBSUB HELP.",
        ]
        .concat(),
    )
}

fn pubsub_shardnumsub(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let mut out = Vec::with_capacity((argv.len() - 2) * 2);
    for ch in &argv[2..] {
        let n = ctx.server.pubsub.shard_channels.get(ch).map_or(0, Vec::len);
        out.push(Reply::Bulk(ch.clone()));
        out.push(Reply::Integer(n as i64));
    }
    Ok(Reply::Array(out))
}

fn pubsub_channels(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 3 {
        return Err(subcommand_syntax_error(argv));
    }
    let pattern = argv.get(2);
    Ok(Reply::Array(
        ctx.server
            .pubsub
            .channels
            .keys()
            .filter(|ch| pattern.is_none_or(|p| stringmatchlen(p, ch, false)))
            .map(|ch| Reply::Bulk(ch.clone()))
            .collect(),
    ))
}

fn pubsub_numsub(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> CmdResult {
    let mut out = Vec::with_capacity((argv.len() - 2) * 2);
    for ch in &argv[2..] {
        let n = ctx.server.pubsub.channels.get(ch).map_or(0, Vec::len);
        out.push(Reply::Bulk(ch.clone()));
        out.push(Reply::Integer(n as i64));
    }
    Ok(Reply::Array(out))
}

fn pubsub_numpat(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    Ok(Reply::Integer(ctx.server.pubsub.pattern_count() as i64))
}

const PUBSUB_HELP: &[&str] = &[
    "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CHANNELS [<pattern>]",
    "    Return the currently active channels matching a <pattern> (default: '*').",
    "NUMPAT",
    "    Return number of subscriptions to patterns.",
    "NUMSUB [<channel> ...]",
    "    Return the number of subscribers for the specified channels, excluding",
    "    pattern subscriptions(default: no channels).",
    "SHARDCHANNELS [<pattern>]",
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    "SHARDNUMSUB [<shardchannel> ...]",
    "    Return the number of subscribers for the specified shard level channel(s)",
    "HELP",
    "    Prints this help.",
];

fn pubsub_help(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> CmdResult {
    Ok(Reply::Array(
        PUBSUB_HELP.iter().map(|l| Reply::simple(l)).collect(),
    ))
}

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("psubscribe", -2, PUBSUB | NOSCRIPT | LOADING | STALE, Group::PubSub, psubscribe_cmd)
        .doc("2.0.0", "Listen for messages published to channels matching the given patterns", "O(N) where N is the number of patterns the client is already subscribed to."),
    cmd("publish", 3, PUBSUB | LOADING | STALE | FAST, Group::PubSub, publish_cmd)
        .doc("2.0.0", "Post a message to a channel", "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client)."),
    cmd("pubsub", -2, 0, Group::PubSub, container).subcommands(PUBSUB_SUBCOMMANDS)
        .doc("2.8.0", "A container for Pub/Sub commands", "Depends on subcommand."),
    cmd("spublish", 3, PUBSUB | LOADING | STALE | FAST, Group::PubSub, spublish_cmd).keys(&[key(1, NOT_KEY)])
        .doc("7.0.0", "Post a message to a shard channel", "O(N) where N is the number of clients subscribed to the receiving shard channel."),
    cmd("ssubscribe", -2, PUBSUB | NOSCRIPT | LOADING | STALE, Group::PubSub, ssubscribe_cmd).keys(&[range(1, -1, 1, NOT_KEY)])
        .doc("7.0.0", "Listen for messages published to the given shard channels", "O(N) where N is the number of shard channels to subscribe to."),
    cmd("sunsubscribe", -1, PUBSUB | NOSCRIPT | LOADING | STALE, Group::PubSub, sunsubscribe_cmd).keys(&[range(1, -1, 1, NOT_KEY)])
        .doc("7.0.0", "Stop listening for messages posted to the given shard channels", "O(N) where N is the number of clients already subscribed to a shard channel."),
    cmd("punsubscribe", -1, PUBSUB | NOSCRIPT | LOADING | STALE, Group::PubSub, punsubscribe_cmd)
        .doc("2.0.0", "Stop listening for messages posted to channels matching the given patterns", "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client)."),
    cmd("subscribe", -2, PUBSUB | NOSCRIPT | LOADING | STALE, Group::PubSub, subscribe_cmd)
        .doc("2.0.0", "Listen for messages published to the given channels", "O(N) where N is the number of channels to subscribe to."),
    cmd("unsubscribe", -1, PUBSUB | NOSCRIPT | LOADING | STALE, Group::PubSub, unsubscribe_cmd)
        .doc("2.0.0", "Stop listening for messages posted to the given channels", "O(N) where N is the number of clients already subscribed to a channel."),
];

/// PUBSUB's subcommands, sorted by name.
#[rustfmt::skip]
pub const PUBSUB_SUBCOMMANDS: &[Command] = &[
    cmd("pubsub|channels", -2, PUBSUB | LOADING | STALE, Group::PubSub, pubsub_channels)
        .doc("2.8.0", "List active channels", "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)"),
    cmd("pubsub|help", 2, LOADING | STALE, Group::PubSub, pubsub_help)
        .doc("6.2.0", "Show helpful text about the different subcommands", "O(1)"),
    cmd("pubsub|numpat", 2, PUBSUB | LOADING | STALE, Group::PubSub, pubsub_numpat)
        .doc("2.8.0", "Get the count of unique patterns pattern subscriptions", "O(1)"),
    cmd("pubsub|numsub", -2, PUBSUB | LOADING | STALE, Group::PubSub, pubsub_numsub)
        .doc("2.8.0", "Get the count of subscribers for channels", "O(N) for the NUMSUB subcommand, where N is the number of requested channels"),
    cmd("pubsub|shardchannels", -2, PUBSUB | LOADING | STALE, Group::PubSub, pubsub_shardchannels)
        .doc("7.0.0", "List active shard channels", "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels)."),
    cmd("pubsub|shardnumsub", -2, PUBSUB | LOADING | STALE, Group::PubSub, pubsub_shardnumsub)
        .doc("7.0.0", "Get the count of subscribers for shard channels", "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels"),
];
