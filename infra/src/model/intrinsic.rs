//! CloudFormation's intrinsic functions, typed, rendered as the one-key objects CloudFormation
//! reads (`{"Ref": ...}`, `{"Fn::GetAtt": [...]}`, ...).

use serde_json::{Map, Value, json};

use crate::InfraError;

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

/// Resolves `Ref`, `Fn::GetAtt`, `Fn::Sub` and `Fn::Join` in a template fragment, as
/// CloudFormation does at deploy time: `lookup` gives the value of a parameter, a
/// pseudo-parameter (`AWS::Region`) or a resource attribute (`Resource.Attribute`, the name
/// `Fn::GetAtt` and `${Resource.Attribute}` use). `Fn::Sub` honours `${!Literal}` and its
/// two-argument form's own variables. Other one-key objects (conditions, `Fn::If`) are
/// resolved inside and kept.
///
/// ```
/// use kdaflow_infra::model::intrinsic::{resolve, sub};
/// let lookup = |n: &str| (n == "AWS::Region").then(|| "eu-west-1".to_string());
/// let v = resolve(&sub("arn:aws:s3:${AWS::Region}:${!Literal}"), &lookup).unwrap();
/// assert_eq!(v, "arn:aws:s3:eu-west-1:${Literal}");
/// ```
pub fn resolve(
    value: &Value,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Value, InfraError> {
    let missing = |name: &str| {
        InfraError::Unresolved(format!(
            "the template refers to {name}, which is not provided"
        ))
    };
    let get = |name: &str| lookup(name).ok_or_else(|| missing(name));
    Ok(match value {
        Value::Object(m) if m.len() == 1 => {
            let (k, arg) = m.iter().next().expect("one entry");
            match (k.as_str(), arg) {
                ("Ref", Value::String(name)) => Value::String(get(name)?),
                ("Fn::GetAtt", Value::Array(parts)) => {
                    let parts: Vec<&str> = parts.iter().filter_map(Value::as_str).collect();
                    Value::String(get(&parts.join("."))?)
                }
                ("Fn::Sub", Value::String(text)) => Value::String(sub_text(text, &get)?),
                ("Fn::Sub", Value::Array(args)) => {
                    let (Some(Value::String(text)), Some(Value::Object(vars))) =
                        (args.first(), args.get(1))
                    else {
                        return Err(InfraError::Unresolved(format!(
                            "Fn::Sub takes a string or [string, {{variables}}]: {arg}"
                        )));
                    };
                    let mut own = Map::new();
                    for (name, v) in vars {
                        own.insert(name.clone(), resolve(v, lookup)?);
                    }
                    let get_own = |name: &str| match own.get(name) {
                        Some(Value::String(s)) => Ok(s.clone()),
                        Some(other) => Ok(other.to_string()),
                        None => get(name),
                    };
                    Value::String(sub_text(text, &get_own)?)
                }
                ("Fn::Join", Value::Array(args)) => {
                    let sep = args.first().and_then(Value::as_str).unwrap_or_default();
                    let items = args
                        .get(1)
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default();
                    let mut parts = Vec::with_capacity(items.len());
                    for item in &items {
                        match resolve(item, lookup)? {
                            Value::String(s) => parts.push(s),
                            other => parts.push(other.to_string()),
                        }
                    }
                    Value::String(parts.join(sep))
                }
                _ => {
                    let mut out = Map::new();
                    out.insert(k.clone(), resolve(arg, lookup)?);
                    Value::Object(out)
                }
            }
        }
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                out.insert(k.clone(), resolve(v, lookup)?);
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|v| resolve(v, lookup))
                .collect::<Result<_, _>>()?,
        ),
        other => other.clone(),
    })
}

fn sub_text(
    text: &str,
    get: &dyn Fn(&str) -> Result<String, InfraError>,
) -> Result<String, InfraError> {
    kdaflow_workflow::placeholders::substitute(text, get)
}

impl From<kdaflow_workflow::placeholders::Unclosed> for InfraError {
    fn from(e: kdaflow_workflow::placeholders::Unclosed) -> Self {
        InfraError::Unresolved(format!("Fn::Sub: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_as_cloudformation_does() {
        let lookup = |n: &str| match n {
            "P" => Some("p".to_string()),
            "R.Arn" => Some("arn:r".to_string()),
            "AWS::AccountId" => Some("123456789012".to_string()),
            _ => None,
        };
        let fragment = json!({
            "a": reference("P"),
            "b": [get_att("R", "Arn"), sub("${AWS::AccountId}/${R.Arn}/${!Keep}")],
            "c": join("-", vec![json!("x"), reference("P")]),
            "d": {"Fn::Sub": ["${Own}-${P}", {"Own": reference("P")}]},
            "e": {"Fn::Equals": [reference("P"), "p"]},
        });
        assert_eq!(
            resolve(&fragment, &lookup).unwrap(),
            json!({
                "a": "p",
                "b": ["arn:r", "123456789012/arn:r/${Keep}"],
                "c": "x-p",
                "d": "p-p",
                "e": {"Fn::Equals": ["p", "p"]},
            })
        );
        let e = resolve(&reference("Nope"), &lookup).unwrap_err();
        assert!(e.to_string().contains("Nope"), "{e}");
    }

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
