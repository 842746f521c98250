//! Reply shapes several families share: Redis's HELP text and SCAN's reply.

use crate::resp::Reply;
use bytes::Bytes;

/// Redis's `addReplyHelp`: a header line, the given lines, and the HELP entry, as an
/// array of simple strings.
pub fn help_reply(container: &str, body: &[&'static str]) -> Reply {
    let mut out = Vec::with_capacity(body.len() + 3);
    out.push(Reply::Simple(
        format!("{container} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:").into(),
    ));
    out.extend(body.iter().map(|line| Reply::simple(line)));
    out.push(Reply::simple("HELP"));
    out.push(Reply::simple("    Prints this help."));
    Reply::Array(out)
}

/// A SCAN-family reply: the next cursor and the items.
pub fn scan_reply(cursor: u64, items: Vec<Reply>) -> Reply {
    Reply::Array(vec![
        Reply::Bulk(Bytes::from(cursor.to_string())),
        Reply::Array(items),
    ])
}

/// The SCAN-family reply for a missing key: cursor 0, no items.
pub fn empty_scan() -> Reply {
    scan_reply(0, Vec::new())
}
