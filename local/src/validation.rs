//! Constraint checks for the twin's front ends, reported as one
//! `ValidationException` in the services' wording: `1 validation error detected: Value 'x!' at
//! 'deliveryStreamName' failed to satisfy constraint: Member must satisfy regular expression
//! pattern: [a-zA-Z0-9_.-]+`.
//!
//! Every AWS front end of the twin shares this collector and its wording; the Kinesis
//! Analytics shapes are added to it in [`crate::kinesisanalytics::validate`].

use regex::Regex;

use crate::protocol::{AwsError, CommonError};

/// Longest value echoed back in a message; longer ones are cut (records can be 1 MiB).
const MAX_ECHO: usize = 200;

/// Collects constraint violations, all of them, before an operation runs.
#[derive(Debug, Default)]
pub struct Constraints {
    list: Vec<String>,
}

fn echo(value: &str) -> String {
    if value.chars().count() > MAX_ECHO {
        let cut: String = value.chars().take(MAX_ECHO).collect();
        format!("{cut}...")
    } else {
        value.to_string()
    }
}

impl Constraints {
    fn push(&mut self, value: Option<&str>, path: &str, constraint: String) {
        let value = match value {
            Some(v) => format!("'{}'", echo(v)),
            None => "null".to_string(),
        };
        self.list.push(format!(
            "Value {value} at '{path}' failed to satisfy constraint: Member {constraint}"
        ));
    }

    /// A required member; returns the value when present.
    pub fn required<'a, T>(&mut self, path: &str, value: &'a Option<T>) -> Option<&'a T> {
        if value.is_none() {
            self.push(None, path, "must not be null".into());
        }
        value.as_ref()
    }

    /// `n` within `min..=max`, or a violation naming the bound (`what`: "length", "value").
    fn bounds<T: PartialOrd + std::fmt::Display>(
        &mut self,
        path: &str,
        shown: &str,
        what: &str,
        n: T,
        min: T,
        max: T,
    ) {
        if n < min {
            self.push(
                Some(shown),
                path,
                format!("must have {what} greater than or equal to {min}"),
            );
        } else if n > max {
            self.push(
                Some(shown),
                path,
                format!("must have {what} less than or equal to {max}"),
            );
        }
    }

    /// String length in characters.
    pub fn len(&mut self, path: &str, value: &str, min: usize, max: usize) {
        self.bounds(path, value, "length", value.chars().count(), min, max);
    }

    /// A blob's length in bytes (the value is not echoed: it is binary).
    pub fn blob_len(&mut self, path: &str, len: usize, min: usize, max: usize) {
        let shown = format!("java.nio.HeapByteBuffer[pos=0 lim={len} cap={len}]");
        self.bounds(path, &shown, "length", len, min, max);
    }

    /// A regular expression the whole value must match; `shown` is the model's pattern text.
    pub fn pattern(&mut self, path: &str, value: &str, re: &Regex, shown: &str) {
        if !re.is_match(value) {
            self.push(
                Some(value),
                path,
                format!("must satisfy regular expression pattern: {shown}"),
            );
        }
    }

    /// A numeric range.
    pub fn range(&mut self, path: &str, value: i64, min: i64, max: i64) {
        self.bounds(path, &value.to_string(), "value", value, min, max);
    }

    /// A list's length.
    pub fn list_len(&mut self, path: &str, len: usize, min: usize, max: usize) {
        self.bounds(path, &format!("[{len} items]"), "length", len, min, max);
    }

    /// An enum member.
    pub fn one_of(&mut self, path: &str, value: &str, allowed: &[&str]) {
        if !allowed.contains(&value) {
            self.push(
                Some(value),
                path,
                format!("must satisfy enum value set: [{}]", allowed.join(", ")),
            );
        }
    }

    /// `ValidationException` listing every violation, or Ok.
    pub fn finish(self) -> Result<(), AwsError> {
        match self.list.len() {
            0 => Ok(()),
            n => Err(CommonError::Validation.with(format!(
                "{n} validation error{} detected: {}",
                if n == 1 { "" } else { "s" },
                self.list.join("; ")
            ))),
        }
    }
}

/// Anchors a model pattern so it must match the whole value.
pub fn anchored(p: &str) -> Regex {
    Regex::new(&format!("^(?:{p})$")).expect("model patterns are valid regular expressions")
}

/// Decodes a base64 blob member as awsJson carries it; bad base64 is a `SerializationException`
/// (what the front ends answer when a blob does not decode).
pub fn decode_blob(path: &str, value: &str) -> Result<Vec<u8>, AwsError> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(value)
        .map_err(|e| AwsError::serialization(format!("Member {path} is not valid base64: {e}")))
}

/// Encodes a blob for an awsJson response.
pub fn encode_blob(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// The resource name an ARN of `service` and `kind` designates in this region and account, or
/// `None` if the ARN is of another kind, region or account. `value` may also be a plain name.
pub fn name_from_arn<'a>(
    value: &'a str,
    service: &str,
    kind: &str,
    region: &str,
    account: &str,
) -> Option<&'a str> {
    let Some(rest) = value.strip_prefix("arn:") else {
        return Some(value);
    };
    // arn:<partition>:<service>:<region>:<account>:<kind>/<name>
    let mut parts = rest.splitn(5, ':');
    let _partition = parts.next()?;
    let (s, r, a, resource) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if s != service || r != region || a != account {
        return None;
    }
    resource.strip_prefix(kind)?.strip_prefix('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_like_the_service() {
        let mut c = Constraints::default();
        c.required::<String>("deliveryStreamName", &None);
        c.list_len("records", 501, 1, 500);
        let e = c.finish().unwrap_err();
        assert_eq!(
            e.message,
            "2 validation errors detected: Value null at 'deliveryStreamName' failed to satisfy \
             constraint: Member must not be null; Value '[501 items]' at 'records' failed to \
             satisfy constraint: Member must have length less than or equal to 500"
        );
    }

    #[test]
    fn arns_resolve_only_in_this_region_and_account() {
        let arn = "arn:aws:kinesis:us-east-1:000000000000:stream/s1";
        assert_eq!(
            name_from_arn(arn, "kinesis", "stream", "us-east-1", "000000000000"),
            Some("s1")
        );
        assert_eq!(
            name_from_arn(arn, "kinesis", "stream", "eu-west-1", "000000000000"),
            None
        );
        assert_eq!(
            name_from_arn("s1", "kinesis", "stream", "x", "y"),
            Some("s1")
        );
    }
}
