//! placeholder
use super::Reply;
use bytes::BytesMut;
pub fn encode(_reply: &Reply, _proto: u8, _out: &mut BytesMut) {}
