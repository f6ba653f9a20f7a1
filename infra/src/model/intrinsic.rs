//! CloudFormation's intrinsic functions, typed, rendered as the one-key objects CloudFormation
//! reads (`{"Ref": ...}`, `{"Fn::GetAtt": [...]}`, ...).

use serde_json::{Value, json};

/// An intrinsic function call.
#[derive(Debug, Clone, PartialEq)]
pub enum Intrinsic {
    /// `Ref`: a parameter's value, a pseudo-parameter, or a resource's primary id.
    Ref(String),
    /// `Fn::GetAtt`: a resource's attribute (`[logical id, attribute]`).
    GetAtt(String, String),
    /// `Fn::Sub` without a variable map: `${Name}` and `${Resource.Attr}` are replaced,
    /// `${!Literal}` stays `${Literal}`.
    Sub(String),
    /// `Fn::Join`: the parts joined with the delimiter.
    Join(String, Vec<Value>),
    /// `Fn::Equals` (conditions only).
    Equals(Value, Value),
    /// `Fn::Not` (conditions only).
    Not(Value),
}

impl Intrinsic {
    /// The JSON CloudFormation reads.
    pub fn to_value(&self) -> Value {
        match self {
            Intrinsic::Ref(name) => json!({ "Ref": name }),
            Intrinsic::GetAtt(resource, attribute) => {
                json!({ "Fn::GetAtt": [resource, attribute] })
            }
            Intrinsic::Sub(text) => json!({ "Fn::Sub": text }),
            Intrinsic::Join(delimiter, parts) => json!({ "Fn::Join": [delimiter, parts] }),
            Intrinsic::Equals(a, b) => json!({ "Fn::Equals": [a, b] }),
            Intrinsic::Not(condition) => json!({ "Fn::Not": [condition] }),
        }
    }
}

impl From<Intrinsic> for Value {
    fn from(i: Intrinsic) -> Value {
        i.to_value()
    }
}

/// `{"Ref": name}`.
pub fn reference(name: &str) -> Value {
    Intrinsic::Ref(name.to_string()).to_value()
}

/// `{"Fn::GetAtt": [resource, attribute]}`.
pub fn get_att(resource: &str, attribute: &str) -> Value {
    Intrinsic::GetAtt(resource.to_string(), attribute.to_string()).to_value()
}

/// `{"Fn::Sub": text}`.
pub fn sub(text: impl Into<String>) -> Value {
    Intrinsic::Sub(text.into()).to_value()
}

/// `{"Fn::Join": [delimiter, parts]}`.
pub fn join(delimiter: &str, parts: Vec<Value>) -> Value {
    Intrinsic::Join(delimiter.to_string(), parts).to_value()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_documented_shapes() {
        assert_eq!(reference("P"), json!({"Ref": "P"}));
        assert_eq!(get_att("R", "Arn"), json!({"Fn::GetAtt": ["R", "Arn"]}));
        assert_eq!(sub("a-${P}"), json!({"Fn::Sub": "a-${P}"}));
        assert_eq!(
            join(",", vec![json!("a"), reference("P")]),
            json!({"Fn::Join": [",", ["a", {"Ref": "P"}]]})
        );
        assert_eq!(
            Intrinsic::Not(Intrinsic::Equals(reference("P"), json!("")).to_value()).to_value(),
            json!({"Fn::Not": [{"Fn::Equals": [{"Ref": "P"}, ""]}]})
        );
    }
}
