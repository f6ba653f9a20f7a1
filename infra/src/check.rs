//! Invariants of an emitted template, checked on the JSON CloudFormation receives:
//!
//! - every `Ref`, `Fn::GetAtt` and `Fn::Sub` `${...}` names a parameter, a pseudo-parameter or a
//!   resource (and `Fn::GetAtt` a resource);
//! - every `Condition` a resource or output names is defined;
//! - every `${Var}` in the state machine's definition has a `DefinitionSubstitutions` entry;
//! - every IAM statement passes [`crate::iam::violations`].

use serde_json::Value;

/// CloudFormation's pseudo-parameters.
pub const PSEUDO_PARAMETERS: [&str; 8] = [
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
];

/// A reference found in a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// `Ref` or `${Name}`: a parameter, pseudo-parameter or resource.
    Name(String),
    /// `Fn::GetAtt` or `${Resource.Attribute}`: a resource.
    Resource(String),
}

/// The `${...}` names of an `Fn::Sub` string (`${!Literal}` is an escape, not a reference).
pub fn sub_names(text: &str) -> Vec<String> {
    kdaflow_workflow::placeholders::names(text)
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// Every reference in `value`.
pub fn references(value: &Value) -> Vec<Reference> {
    let mut found = Vec::new();
    walk(value, &mut found);
    found
}

fn walk(value: &Value, found: &mut Vec<Reference>) {
    match value {
        Value::Object(m) => {
            for (k, v) in m {
                match (k.as_str(), v) {
                    ("Ref", Value::String(name)) => found.push(Reference::Name(name.clone())),
                    ("Fn::GetAtt", Value::Array(a)) => {
                        if let Some(Value::String(r)) = a.first() {
                            found.push(Reference::Resource(r.clone()));
                        }
                    }
                    ("Fn::Sub", Value::String(text)) => {
                        for name in sub_names(text) {
                            found.push(match name.split_once('.') {
                                Some((resource, _)) => Reference::Resource(resource.to_string()),
                                None => Reference::Name(name),
                            });
                        }
                    }
                    _ => walk(v, found),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| walk(v, found)),
        _ => {}
    }
}

fn keys(template: &Value, section: &str) -> Vec<String> {
    template
        .get(section)
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// Every reference or condition that resolves to nothing.
pub fn unresolved(template: &Value) -> Vec<String> {
    let parameters = keys(template, "Parameters");
    let resources = keys(template, "Resources");
    let conditions = keys(template, "Conditions");
    let mut problems = Vec::new();
    for r in references(template) {
        match &r {
            Reference::Name(n)
                if !parameters.contains(n)
                    && !resources.contains(n)
                    && !PSEUDO_PARAMETERS.contains(&n.as_str()) =>
            {
                problems.push(format!(
                    "{n} is neither a parameter, a pseudo-parameter nor a resource"
                ));
            }
            Reference::Resource(n) if !resources.contains(n) => {
                problems.push(format!(
                    "{n} (in Fn::GetAtt or ${{{n}.…}}) is not a resource"
                ));
            }
            _ => {}
        }
    }
    for section in ["Resources", "Outputs"] {
        for (id, item) in template
            .get(section)
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if let Some(c) = item.get("Condition").and_then(Value::as_str)
                && !conditions.iter().any(|k| k == c)
            {
                problems.push(format!("{section}.{id}: condition {c} is not defined"));
            }
        }
    }
    problems
}

/// Every `${Var}` of each state machine's definition that has no substitution.
pub fn unsubstituted(template: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    for (id, r) in template
        .get("Resources")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if r["Type"] != "AWS::StepFunctions::StateMachine" {
            continue;
        }
        let definition = r["Properties"]["DefinitionString"].as_str().unwrap_or("");
        let substitutions = &r["Properties"]["DefinitionSubstitutions"];
        for var in kdaflow_workflow::machine::variables(definition) {
            if substitutions.get(&var).is_none() {
                problems.push(format!(
                    "{id}: ${{{var}}} has no DefinitionSubstitutions entry"
                ));
            }
        }
    }
    problems
}

/// All invariants; `Err` lists every broken one.
pub fn all(template: &Value) -> Result<(), crate::InfraError> {
    let mut problems = unresolved(template);
    problems.extend(unsubstituted(template));
    problems.extend(crate::iam::violations(template));
    if problems.is_empty() {
        Ok(())
    } else {
        Err(crate::InfraError::Invariants(problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_refs_getatts_and_sub_names_but_not_escapes() {
        let v = json!({"a": {"Ref": "P"}, "b": [{"Fn::GetAtt": ["R", "Arn"]}],
                       "c": {"Fn::Sub": "x${AWS::Region}${R2.Arn}${!Literal}"}});
        assert_eq!(
            references(&v),
            vec![
                Reference::Name("P".into()),
                Reference::Resource("R".into()),
                Reference::Name("AWS::Region".into()),
                Reference::Resource("R2".into()),
            ]
        );
    }

    #[test]
    fn reports_what_resolves_to_nothing() {
        let t = json!({"Parameters": {"P": {}}, "Resources": {"R": {"Type": "T", "Condition": "Nope",
            "Properties": {"a": {"Ref": "Missing"}, "b": {"Fn::GetAtt": ["P", "Arn"]}, "c": {"Ref": "P"}}}}});
        let problems = unresolved(&t);
        assert_eq!(problems.len(), 3, "{problems:#?}");
    }
}
