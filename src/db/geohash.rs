//! geohash.
