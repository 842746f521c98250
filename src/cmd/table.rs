//! The command table (placeholder until the command families land).

use super::Ctx;
use crate::resp::Reply;
use bytes::Bytes;

pub fn dispatch(_ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let name = argv
        .first()
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .unwrap_or_default();
    Reply::error(format!(
        "ERR unknown command '{name}', with args beginning with: "
    ))
}
