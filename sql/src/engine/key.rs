//! Hashable wrapper for values used as group keys and distinct items.

use std::hash::{Hash, Hasher};

use crate::types::Value;

/// A value with total equality and hashing (doubles compare by bits; NULLs are equal, as
/// GROUP BY treats them).
#[derive(Debug, Clone)]
pub struct Key(pub Value);

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Value::Double(a), Value::Double(b)) => a.to_bits() == b.to_bits(),
            (a, b) => a == b,
        }
    }
}

impl Eq for Key {}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::mem::discriminant(&self.0).hash(state);
        match &self.0 {
            Value::Null => {}
            Value::Bool(b) => b.hash(state),
            Value::Int(i)
            | Value::Timestamp(i)
            | Value::Date(i)
            | Value::Time(i)
            | Value::Interval(i) => i.hash(state),
            Value::Double(d) => d.to_bits().hash(state),
            // Equal decimals hash alike whatever their scale (1.5 and 1.50).
            Value::Decimal(d) => d.normalize().hash(state),
            Value::Str(s) => s.hash(state),
            Value::Bytes(b) => b.hash(state),
        }
    }
}
