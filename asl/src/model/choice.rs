//! Choice rules.
//!
//! A rule is stored as typed fields plus one [`Comparison`] (operator and operand). The serde
//! form is the flat JSON object of the States Language, so the model round-trips exactly.

use indexmap::IndexMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

macro_rules! operators {
    ($($v:ident),* $(,)?) => {
        /// Every comparison operator of a Choice rule (the `...Path` variants included).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[allow(missing_docs)]
        pub enum Operator { $($v),* }

        impl Operator {
            /// Every operator.
            pub const ALL: &'static [Operator] = &[$(Operator::$v),*];
            /// The field name of the operator.
            pub fn as_str(self) -> &'static str {
                match self { $(Operator::$v => stringify!($v)),* }
            }
            /// The operator named `name`.
            pub fn parse(name: &str) -> Option<Self> {
                match name { $(stringify!($v) => Some(Operator::$v),)* _ => None }
            }
        }
    };
}

operators!(
    StringEquals,
    StringEqualsPath,
    StringLessThan,
    StringLessThanPath,
    StringGreaterThan,
    StringGreaterThanPath,
    StringLessThanEquals,
    StringLessThanEqualsPath,
    StringGreaterThanEquals,
    StringGreaterThanEqualsPath,
    StringMatches,
    NumericEquals,
    NumericEqualsPath,
    NumericLessThan,
    NumericLessThanPath,
    NumericGreaterThan,
    NumericGreaterThanPath,
    NumericLessThanEquals,
    NumericLessThanEqualsPath,
    NumericGreaterThanEquals,
    NumericGreaterThanEqualsPath,
    BooleanEquals,
    BooleanEqualsPath,
    TimestampEquals,
    TimestampEqualsPath,
    TimestampLessThan,
    TimestampLessThanPath,
    TimestampGreaterThan,
    TimestampGreaterThanPath,
    TimestampLessThanEquals,
    TimestampLessThanEqualsPath,
    TimestampGreaterThanEquals,
    TimestampGreaterThanEqualsPath,
    IsNull,
    IsPresent,
    IsNumeric,
    IsString,
    IsBoolean,
    IsTimestamp,
);

impl Operator {
    /// Whether the operand is a reference path to compare against.
    pub fn is_path(self) -> bool {
        self.as_str().ends_with("Path")
    }
}

/// One comparison: `"<Operator>": <operand>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The operator.
    pub operator: Operator,
    /// The operand exactly as written.
    pub operand: Value,
}

/// A Choice rule (top level or nested in And/Or/Not).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChoiceRule {
    /// `Variable` (JSONPath): the value tested.
    pub variable: Option<String>,
    /// The comparison, if this is a comparison rule.
    pub comparison: Option<Comparison>,
    /// `And`.
    pub and: Option<Vec<ChoiceRule>>,
    /// `Or`.
    pub or: Option<Vec<ChoiceRule>>,
    /// `Not`.
    pub not: Option<Box<ChoiceRule>>,
    /// `Condition` (JSONata).
    pub condition: Option<Value>,
    /// `Next` (top-level rules only).
    pub next: Option<String>,
    /// `Comment`.
    pub comment: Option<String>,
    /// `Assign`.
    pub assign: Option<Value>,
    /// `Output` (JSONata).
    pub output: Option<Value>,
    /// Fields the model does not know (kept so validation can report them and round-trips stay
    /// exact).
    pub unknown: IndexMap<String, Value>,
}

impl ChoiceRule {
    /// A comparison rule `Variable <op> operand`.
    pub fn compare(variable: impl Into<String>, operator: Operator, operand: Value) -> Self {
        Self {
            variable: Some(variable.into()),
            comparison: Some(Comparison { operator, operand }),
            ..Self::default()
        }
    }
    /// `And` of the rules.
    pub fn and(rules: Vec<ChoiceRule>) -> Self {
        Self {
            and: Some(rules),
            ..Self::default()
        }
    }
    /// `Or` of the rules.
    pub fn or(rules: Vec<ChoiceRule>) -> Self {
        Self {
            or: Some(rules),
            ..Self::default()
        }
    }
    /// `Not` of the rule.
    pub fn negate(rule: ChoiceRule) -> Self {
        Self {
            not: Some(Box::new(rule)),
            ..Self::default()
        }
    }
    /// Sets `Next`.
    pub fn next(mut self, next: impl Into<String>) -> Self {
        self.next = Some(next.into());
        self
    }

    fn to_map(&self) -> serde_json::Map<String, Value> {
        let mut m = serde_json::Map::new();
        if let Some(v) = &self.variable {
            m.insert("Variable".into(), v.clone().into());
        }
        if let Some(c) = &self.comparison {
            m.insert(c.operator.as_str().into(), c.operand.clone());
        }
        if let Some(rules) = &self.and {
            m.insert(
                "And".into(),
                serde_json::to_value(rules).unwrap_or_default(),
            );
        }
        if let Some(rules) = &self.or {
            m.insert("Or".into(), serde_json::to_value(rules).unwrap_or_default());
        }
        if let Some(rule) = &self.not {
            m.insert("Not".into(), serde_json::to_value(rule).unwrap_or_default());
        }
        for (k, v) in [
            ("Condition", &self.condition),
            ("Assign", &self.assign),
            ("Output", &self.output),
        ] {
            if let Some(v) = v {
                m.insert(k.into(), v.clone());
            }
        }
        if let Some(v) = &self.next {
            m.insert("Next".into(), v.clone().into());
        }
        if let Some(v) = &self.comment {
            m.insert("Comment".into(), v.clone().into());
        }
        for (k, v) in &self.unknown {
            m.insert(k.clone(), v.clone());
        }
        m
    }
}

impl Serialize for ChoiceRule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_map().serialize(s)
    }
}

impl<'de> Deserialize<'de> for ChoiceRule {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let map = IndexMap::<String, Value>::deserialize(d)?;
        let mut rule = ChoiceRule::default();
        let string = |v: Value, k: &str| -> Result<String, D::Error> {
            match v {
                Value::String(s) => Ok(s),
                _ => Err(D::Error::custom(format!("{k} must be a string"))),
            }
        };
        let rules = |v: Value| -> Result<Vec<ChoiceRule>, D::Error> {
            serde_json::from_value(v).map_err(D::Error::custom)
        };
        for (k, v) in map {
            match k.as_str() {
                "Variable" => rule.variable = Some(string(v, &k)?),
                "Next" => rule.next = Some(string(v, &k)?),
                "Comment" => rule.comment = Some(string(v, &k)?),
                "And" => rule.and = Some(rules(v)?),
                "Or" => rule.or = Some(rules(v)?),
                "Not" => {
                    rule.not = Some(Box::new(
                        serde_json::from_value(v).map_err(D::Error::custom)?,
                    ))
                }
                "Condition" => rule.condition = Some(v),
                "Assign" => rule.assign = Some(v),
                "Output" => rule.output = Some(v),
                other => match Operator::parse(other) {
                    Some(operator) if rule.comparison.is_none() => {
                        rule.comparison = Some(Comparison {
                            operator,
                            operand: v,
                        })
                    }
                    _ => {
                        rule.unknown.insert(k, v);
                    }
                },
            }
        }
        Ok(rule)
    }
}
