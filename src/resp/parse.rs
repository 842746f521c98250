//! placeholder
use bytes::{Bytes, BytesMut};
pub struct Limits {
    pub proto_max_bulk_len: u64,
    pub authenticated: bool,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError(pub String);
#[derive(Default)]
pub struct RequestParser {}
impl RequestParser {
    pub fn new() -> Self {
        RequestParser {}
    }
    pub fn next_command(
        &mut self,
        _buf: &mut BytesMut,
        _limits: &Limits,
    ) -> Result<Option<Vec<Bytes>>, ProtocolError> {
        Ok(None)
    }
    pub fn bulk_remaining(&self) -> Option<usize> {
        None
    }
}
