//! The identifiers Kinesis Data Streams hands out, shaped as the service shapes them.
//!
//! - Shard ids: `shardId-` and twelve digits (`shardId-000000000000`).
//! - Hash key ranges: the 128-bit key space split evenly, shard *i* starting at
//!   `floor(i * 2^128 / n)`, the last ending at `2^128 - 1`.
//! - A record's hash key: the MD5 of its partition key read as a big-endian 128-bit number
//!   (or its `ExplicitHashKey`).
//! - Sequence numbers: 56 decimal digits. The twin's encode the stream's creation second, the
//!   shard and the record's position in the shard, so they increase within a shard and name
//!   their shard (which `GetShardIterator` checks, as the service does).
//! - Shard iterators: opaque base64 text carrying the position and the time they were issued
//!   (they expire after five minutes).

use base64::Engine;
use md5::{Digest, Md5};

/// The shard id of shard `index`.
pub fn shard_id(index: usize) -> String {
    format!("shardId-{index:012}")
}

/// The index a shard id names.
pub fn shard_index(id: &str) -> Option<usize> {
    let digits = id.strip_prefix("shardId-")?;
    if digits.len() != 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// `(starting, ending)` hash keys of shard `i` of `n`.
pub fn hash_range(i: usize, n: usize) -> (u128, u128) {
    let start = |i: usize| -> u128 {
        if i == 0 {
            return 0;
        }
        let n = n as u128;
        let i = i as u128;
        // floor(i * 2^128 / n) without overflow: 2^128 = q*n + r.
        let mut q = u128::MAX / n;
        let mut r = u128::MAX % n + 1;
        if r == n {
            q += 1;
            r = 0;
        }
        i * q + (i * r) / n
    };
    let end = if i + 1 == n {
        u128::MAX
    } else {
        start(i + 1) - 1
    };
    (start(i), end)
}

/// The hash key of a partition key.
pub fn hash_key(partition_key: &str) -> u128 {
    let digest = Md5::digest(partition_key.as_bytes());
    u128::from_be_bytes(digest.into())
}

/// The shard (of `n`) whose range holds `key`.
pub fn shard_for(key: u128, n: usize) -> usize {
    (0..n)
        .find(|&i| {
            let (s, e) = hash_range(i, n);
            s <= key && key <= e
        })
        .unwrap_or(n - 1)
}

/// The sequence number of the record at `position` of shard `shard` of a stream created at
/// `created_s` (epoch seconds).
pub fn sequence_number(created_s: i64, shard: usize, position: u64) -> String {
    format!("49{:012}{:06}{:036}", created_s.max(0), shard, position)
}

/// `(created_s, shard, position)` of a sequence number the twin handed out.
pub fn parse_sequence_number(s: &str) -> Option<(i64, usize, u64)> {
    if s.len() != 56 || !s.starts_with("49") || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((
        s[2..14].parse().ok()?,
        s[14..20].parse().ok()?,
        s[20..].parse().ok()?,
    ))
}

/// What a shard iterator holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Iterator {
    /// The stream's name.
    pub stream: String,
    /// The stream's creation time (ms): an iterator of a deleted and recreated stream is stale.
    pub created_ms: i64,
    /// The shard index.
    pub shard: usize,
    /// The next position to read.
    pub position: u64,
    /// When it was issued (ms).
    pub issued_ms: i64,
}

impl Iterator {
    /// The opaque text form.
    pub fn encode(&self) -> String {
        let raw = format!(
            "kdaflow1|{}|{}|{}|{}|{}",
            self.created_ms, self.shard, self.position, self.issued_ms, self.stream
        );
        base64::engine::general_purpose::STANDARD.encode(raw)
    }

    /// Reads the text form back.
    pub fn decode(text: &str) -> Option<Self> {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(text)
            .ok()?;
        let raw = String::from_utf8(raw).ok()?;
        let mut parts = raw.splitn(6, '|');
        if parts.next()? != "kdaflow1" {
            return None;
        }
        Some(Self {
            created_ms: parts.next()?.parse().ok()?,
            shard: parts.next()?.parse().ok()?,
            position: parts.next()?.parse().ok()?,
            issued_ms: parts.next()?.parse().ok()?,
            stream: parts.next()?.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_split_the_key_space_as_aws_does() {
        assert_eq!(hash_range(0, 1), (0, u128::MAX));
        assert_eq!(
            hash_range(1, 2).0,
            170_141_183_460_469_231_731_687_303_715_884_105_728
        );
        assert_eq!(
            hash_range(1, 3).0,
            113_427_455_640_312_821_154_458_202_477_256_070_485
        );
        for n in 1..9 {
            for i in 1..n {
                assert_eq!(hash_range(i, n).0, hash_range(i - 1, n).1 + 1);
            }
        }
    }

    #[test]
    fn sequence_numbers_round_trip_and_sort() {
        let a = sequence_number(1_767_225_600, 3, 9);
        let b = sequence_number(1_767_225_600, 3, 10);
        assert_eq!(a.len(), 56);
        assert!(a < b);
        assert_eq!(parse_sequence_number(&a), Some((1_767_225_600, 3, 9)));
        assert_eq!(shard_index(&shard_id(7)), Some(7));
    }

    #[test]
    fn md5_hash_keys() {
        // MD5("a") = 0cc175b9c0f1b6a831c399e269772661
        assert_eq!(hash_key("a"), 0x0cc175b9c0f1b6a831c399e269772661);
        assert_eq!(shard_for(hash_key("a"), 2), 0);
    }
}
