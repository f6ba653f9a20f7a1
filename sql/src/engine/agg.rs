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
    dec_sum: rust_decimal::Decimal,
    best: Value,
    ignore_nulls: bool,
    /// Welford's running mean and sum of squared differences, for the variances.
    mean: f64,
    m2: f64,
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
            dec_sum: rust_decimal::Decimal::ZERO,
            best: Value::Null,
            ignore_nulls: call.ignore_nulls,
            mean: 0.0,
            m2: 0.0,
        }
    }

    /// Adds one input value (`None` for COUNT(*)). NULLs are ignored, as SQL requires.
    pub fn add(&mut self, v: Option<&Value>) {
        let Some(v) = v else {
            self.count += 1;
            return;
        };
        if matches!(self.func, AggFunc::FirstValue | AggFunc::LastValue) {
            if v.is_null() && self.ignore_nulls {
                return;
            }
            self.count += 1;
            if self.func == AggFunc::LastValue || self.count == 1 {
                self.best = v.clone();
            }
            return;
        }
        if v.is_null() {
            return;
        }
        self.count += 1;
        match self.func {
            // LAG and NTH_VALUE pick a row of the window (see `sliding::positional`).
            AggFunc::Count
            | AggFunc::FirstValue
            | AggFunc::LastValue
            | AggFunc::Lag
            | AggFunc::NthValue
            | AggFunc::NthValueFromLast
            | AggFunc::ExpAvg => {}
            AggFunc::Any => {
                if *v == Value::Bool(true) {
                    self.best = Value::Bool(true);
                }
            }
            AggFunc::Every => {
                if *v == Value::Bool(false) {
                    self.best = Value::Bool(false);
                }
            }
            AggFunc::VarPop | AggFunc::VarSamp | AggFunc::StddevPop | AggFunc::StddevSamp => {
                let x = v.as_f64().unwrap_or(0.0);
                let delta = x - self.mean;
                self.mean += delta / self.count as f64;
                self.m2 += delta * (x - self.mean);
            }
            AggFunc::Sum | AggFunc::Avg => match v {
                Value::Int(i) => match self.int_sum.checked_add(*i) {
                    Some(s) => self.int_sum = s,
                    None => self.overflow = true,
                },
                Value::Decimal(d) => match self.dec_sum.checked_add(*d) {
                    Some(s) => self.dec_sum = s,
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
            AggFunc::Sum | AggFunc::Avg if matches!(ty, SqlType::Decimal(..)) => {
                let total = self.dec_sum + rust_decimal::Decimal::from(self.int_sum);
                let v = if self.func == AggFunc::Sum {
                    total
                } else {
                    total / rust_decimal::Decimal::from(self.count)
                };
                crate::coerce::coerce(ty, Value::Decimal(v)).map_err(|e| e.to_string())?
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
            AggFunc::Min | AggFunc::Max | AggFunc::FirstValue | AggFunc::LastValue => {
                self.best.clone()
            }
            AggFunc::Lag | AggFunc::NthValue | AggFunc::NthValueFromLast | AggFunc::ExpAvg => {
                Value::Null
            }
            // Non-NULL values were seen: ANY is TRUE if one was true, EVERY FALSE if one was false.
            AggFunc::Any => {
                if self.best.is_null() {
                    Value::Bool(false)
                } else {
                    self.best.clone()
                }
            }
            AggFunc::Every => {
                if self.best.is_null() {
                    Value::Bool(true)
                } else {
                    self.best.clone()
                }
            }
            AggFunc::VarSamp | AggFunc::StddevSamp if self.count < 2 => Value::Null,
            AggFunc::VarPop => Value::Double(self.m2 / self.count as f64),
            AggFunc::VarSamp => Value::Double(self.m2 / (self.count - 1) as f64),
            AggFunc::StddevPop => Value::Double((self.m2 / self.count as f64).sqrt()),
            AggFunc::StddevSamp => Value::Double((self.m2 / (self.count - 1) as f64).sqrt()),
        })
    }
}
