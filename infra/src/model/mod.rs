//! A typed CloudFormation template: the parts kdaflow's stack uses, each field in the order
//! CloudFormation's documentation lists it, serialised with serde into deterministic JSON.
//!
//! Maps are [`IndexMap`]s (insertion order, which the stack keeps stable) and free-form property
//! values are `serde_json::Value`s, whose maps keep insertion order too (the workspace enables
//! serde_json's `preserve_order`). Nothing here is a `HashMap`, so the same stack always
//! renders to the same bytes.

pub mod intrinsic;

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;

pub use intrinsic::Intrinsic;

/// The only template format version CloudFormation has ever published.
pub const FORMAT_VERSION: &str = "2010-09-09";

/// A CloudFormation template.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Template {
    /// `AWSTemplateFormatVersion` (always [`FORMAT_VERSION`]).
    #[serde(rename = "AWSTemplateFormatVersion")]
    pub format_version: &'static str,
    /// What the stack is.
    pub description: String,
    /// Template-level metadata (free-form documentation for people and tools).
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub metadata: IndexMap<String, Value>,
    /// Input parameters, by logical id.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub parameters: IndexMap<String, Parameter>,
    /// Named conditions (each a condition function), by name.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub conditions: IndexMap<String, Value>,
    /// Resources, by logical id.
    pub resources: IndexMap<String, Resource>,
    /// Outputs, by logical id.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub outputs: IndexMap<String, Output>,
}

impl Template {
    /// An empty template with a description.
    pub fn new(description: impl Into<String>) -> Self {
        Template {
            format_version: FORMAT_VERSION,
            description: description.into(),
            ..Template::default()
        }
    }

    /// The template as a JSON value.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).expect("a template always serialises")
    }

    /// The template as pretty JSON (two-space indentation) with a final newline.
    pub fn to_json_pretty(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a template always serialises");
        text.push('\n');
        text
    }
}

/// A parameter's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ParameterType {
    /// A string.
    String,
    /// A number.
    Number,
}

/// A template parameter.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Parameter {
    /// Its type.
    #[serde(rename = "Type")]
    pub kind: ParameterType,
    /// What to pass.
    pub description: String,
    /// The value when the deployer passes none (absent: the parameter is required).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// A regular expression the value must match (absent: any value).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_pattern: Option<String>,
    /// The only values allowed (absent: any value).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_values: Option<Vec<Value>>,
    /// Shown when the value breaks the pattern (absent: CloudFormation's generic message).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub constraint_description: Option<String>,
}

impl Parameter {
    /// A required string parameter.
    pub fn string(description: impl Into<String>) -> Self {
        Parameter {
            kind: ParameterType::String,
            description: description.into(),
            default: None,
            allowed_pattern: None,
            allowed_values: None,
            constraint_description: None,
        }
    }

    /// A number parameter.
    pub fn number(description: impl Into<String>) -> Self {
        Parameter {
            kind: ParameterType::Number,
            ..Parameter::string(description)
        }
    }

    /// With a default value.
    pub fn default(mut self, value: impl Into<Value>) -> Self {
        self.default = Some(value.into());
        self
    }

    /// With a pattern and the message shown when a value breaks it.
    pub fn pattern(mut self, pattern: impl Into<String>, message: impl Into<String>) -> Self {
        self.allowed_pattern = Some(pattern.into());
        self.constraint_description = Some(message.into());
        self
    }

    /// With the only values allowed.
    pub fn allowed(mut self, values: impl IntoIterator<Item = Value>) -> Self {
        self.allowed_values = Some(values.into_iter().collect());
        self
    }
}

/// A resource.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Resource {
    /// The resource type, e.g. `AWS::Lambda::Function`.
    #[serde(rename = "Type")]
    pub kind: String,
    /// The condition that must hold for the resource to exist (absent: always).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// Resources to create first, beyond those its properties reference (absent: none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    /// Resource metadata (kdaflow uses it for checkov suppressions with their reasons).
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub metadata: IndexMap<String, Value>,
    /// The resource's properties.
    pub properties: IndexMap<String, Value>,
}

impl Resource {
    /// A resource of `kind` with no properties yet.
    pub fn new(kind: impl Into<String>) -> Self {
        Resource {
            kind: kind.into(),
            condition: None,
            depends_on: Vec::new(),
            metadata: IndexMap::new(),
            properties: IndexMap::new(),
        }
    }

    /// With one more property.
    pub fn property(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.properties.insert(name.to_string(), value.into());
        self
    }

    /// Only when `condition` holds.
    pub fn condition(mut self, condition: &str) -> Self {
        self.condition = Some(condition.to_string());
        self
    }

    /// With a checkov suppression: the check id and the reason it cannot apply. The reason is
    /// the point — checkov reads `Metadata.checkov.skip[].comment` and prints it.
    pub fn checkov_skip(mut self, id: &str, reason: &str) -> Self {
        let checkov = self
            .metadata
            .entry("checkov".to_string())
            .or_insert_with(|| serde_json::json!({ "skip": [] }));
        if let Some(skips) = checkov["skip"].as_array_mut() {
            skips.push(serde_json::json!({ "id": id, "comment": reason }));
        }
        self
    }
}

/// A stack output.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    /// What it is.
    pub description: String,
    /// Its value (usually an intrinsic).
    pub value: Value,
    /// The condition under which the output exists (absent: always).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

impl Output {
    /// An output.
    pub fn new(description: impl Into<String>, value: impl Into<Value>) -> Self {
        Output {
            description: description.into(),
            value: value.into(),
            condition: None,
        }
    }

    /// Only when `condition` holds.
    pub fn condition(mut self, condition: &str) -> Self {
        self.condition = Some(condition.to_string());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_in_documented_order_and_skips_empty_sections() {
        let mut t = Template::new("d");
        t.resources.insert(
            "B".into(),
            Resource::new("AWS::Logs::LogGroup").property("RetentionInDays", 7),
        );
        t.resources
            .insert("A".into(), Resource::new("AWS::SNS::Topic").condition("C"));
        let text = serde_json::to_string(&t).unwrap();
        assert_eq!(
            text,
            r#"{"AWSTemplateFormatVersion":"2010-09-09","Description":"d","Resources":{"B":{"Type":"AWS::Logs::LogGroup","Properties":{"RetentionInDays":7}},"A":{"Type":"AWS::SNS::Topic","Condition":"C","Properties":{}}}}"#
        );
    }

    #[test]
    fn checkov_skips_accumulate_with_reasons() {
        let r = Resource::new("AWS::Lambda::Function")
            .checkov_skip("CKV_AWS_1", "one")
            .checkov_skip("CKV_AWS_2", "two");
        assert_eq!(
            serde_json::to_value(&r.metadata).unwrap(),
            serde_json::json!({"checkov": {"skip": [
                {"id": "CKV_AWS_1", "comment": "one"},
                {"id": "CKV_AWS_2", "comment": "two"}
            ]}})
        );
    }
}
