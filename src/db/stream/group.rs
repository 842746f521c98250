//! Consumer groups (streamCG, streamConsumer, streamNACK): the group's pending entries
//! list is the one owner of each NACK; a consumer's PEL names the IDs it owns, and the
//! NACK names its consumer, which is what Redis's shared pointers amount to.

use super::StreamId;
use bytes::Bytes;
use std::collections::{BTreeMap, BTreeSet};

/// SCG_INVALID_ENTRIES_READ.
pub const INVALID_ENTRIES_READ: i64 = -1;

#[derive(Clone, Debug, PartialEq)]
pub struct Nack {
    /// mstime_t of the last delivery.
    pub delivery_time: i64,
    pub delivery_count: u64,
    pub consumer: Bytes,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Consumer {
    /// mstime_t of the consumer's last activity.
    pub seen_time: i64,
    pub pel: BTreeSet<StreamId>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConsumerGroup {
    pub last_id: StreamId,
    pub entries_read: i64,
    pub pel: BTreeMap<StreamId, Nack>,
    pub consumers: BTreeMap<Bytes, Consumer>,
}

impl ConsumerGroup {
    pub fn new(last_id: StreamId, entries_read: i64) -> ConsumerGroup {
        ConsumerGroup {
            last_id,
            entries_read,
            pel: BTreeMap::new(),
            consumers: BTreeMap::new(),
        }
    }

    /// Gives `id` to `consumer` (created if needed is the caller's business): a new NACK,
    /// or an existing one moved from its owner with its count reset (what
    /// streamReplyWithRange does for a delivery).
    pub fn deliver(&mut self, id: StreamId, consumer: &Bytes, now_ms: i64) {
        if let Some(old) = self.pel.get(&id).map(|n| n.consumer.clone()) {
            if let Some(c) = self.consumers.get_mut(&old) {
                c.pel.remove(&id);
            }
        }
        self.pel.insert(
            id,
            Nack {
                delivery_time: now_ms,
                delivery_count: 1,
                consumer: consumer.clone(),
            },
        );
        if let Some(c) = self.consumers.get_mut(consumer) {
            c.pel.insert(id);
        }
    }

    /// Acknowledges `id`: true if it was pending.
    pub fn ack(&mut self, id: StreamId) -> bool {
        let Some(nack) = self.pel.remove(&id) else {
            return false;
        };
        if let Some(c) = self.consumers.get_mut(&nack.consumer) {
            c.pel.remove(&id);
        }
        true
    }

    /// streamDelConsumer: removes a consumer and its pending entries; returns how many
    /// it had.
    pub fn delete_consumer(&mut self, name: &[u8]) -> Option<usize> {
        let c = self.consumers.remove(name)?;
        for id in &c.pel {
            self.pel.remove(id);
        }
        Some(c.pel.len())
    }

    /// Every NACK belongs to an existing consumer whose PEL lists it, and the other way
    /// round.
    pub fn check_invariants(&self) -> Result<(), String> {
        for (id, nack) in &self.pel {
            let ok = self
                .consumers
                .get(&nack.consumer)
                .is_some_and(|c| c.pel.contains(id));
            if !ok {
                return Err(format!("NACK {id} not in its consumer's PEL"));
            }
        }
        for (name, c) in &self.consumers {
            for id in &c.pel {
                if self.pel.get(id).map(|n| &n.consumer) != Some(name) {
                    return Err(format!(
                        "consumer PEL entry {id} not owned in the group PEL"
                    ));
                }
            }
        }
        Ok(())
    }
}
