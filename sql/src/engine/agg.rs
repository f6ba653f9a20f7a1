//! Aggregate accumulators shared by tumbling and sliding windows.

use std::cmp::Ordering;

use crate::engine::eval::compare;
use crate::plan::{AggCall, AggFunc};
use crate::types::{SqlType, Value};

/// The running state of one aggregate.
#[derive(Debug, Clone)]
pub struct AggState {
    func: AggFunc,
    count: i64,
    int_sum: i64,
    dbl_sum: f64,
    overflow: bool,
    best: Value,
}

impl AggState {
    /// A fresh accumulator for `call`.
    pub fn new(call: &AggCall) -> Self {
        Self {
            func: call.func,
            count: 0,
            int_sum: 0,
            dbl_sum: 0.0,
            overflow: false,
            best: Value::Null,
        }
    }

    /// Adds one input value (`None` for COUNT(*)). NULLs are ignored, as SQL requires.
    pub fn add(&mut self, v: Option<&Value>) {
        let Some(v) = v else {
            self.count += 1;
            return;
        };
        if v.is_null() {
            return;
        }
        self.count += 1;
        match self.func {
            AggFunc::Count => {}
            AggFunc::Sum | AggFunc::Avg => match v {
                Value::Int(i) => match self.int_sum.checked_add(*i) {
                    Some(s) => self.int_sum = s,
                    None => self.overflow = true,
                },
                other => self.dbl_sum += other.as_f64().unwrap_or(0.0),
            },
            AggFunc::Min | AggFunc::Max => {
                let replace = self.best.is_null()
                    || match compare(v, &self.best) {
                        Some(Ordering::Less) => self.func == AggFunc::Min,
                        Some(Ordering::Greater) => self.func == AggFunc::Max,
                        _ => false,
                    };
                if replace {
                    self.best = v.clone();
                }
            }
        }
    }

    /// The result, typed as `call.ty`. An overflowed integer SUM is an error.
    pub fn result(&self, ty: &SqlType) -> Result<Value, String> {
        Ok(match self.func {
            AggFunc::Count => Value::Int(self.count),
            _ if self.count == 0 => Value::Null,
            AggFunc::Sum | AggFunc::Avg if self.overflow => {
                return Err("Numeric overflow in SUM/AVG".into());
            }
            AggFunc::Sum => {
                if ty.is_integer() {
                    Value::Int(self.int_sum)
                } else {
                    Value::Double(self.dbl_sum + self.int_sum as f64)
                }
            }
            AggFunc::Avg => {
                if ty.is_integer() {
                    // Integer AVG truncates, like integer division.
                    Value::Int(self.int_sum / self.count)
                } else {
                    Value::Double((self.dbl_sum + self.int_sum as f64) / self.count as f64)
                }
            }
            AggFunc::Min | AggFunc::Max => self.best.clone(),
        })
    }
}
