//! Amazon Resource Names: `arn:<partition>:<service>:<region>:<account>:<resource>`.

use std::fmt;

/// The partitions AWS has.
pub const PARTITIONS: [&str; 5] = ["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b"];

/// A parsed ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn {
    /// `aws`, `aws-cn`, ...
    pub partition: String,
    /// `firehose`, `kinesis`, `lambda`, `iam`, ...
    pub service: String,
    /// Region (empty for global services such as IAM).
    pub region: String,
    /// Twelve-digit account id.
    pub account: String,
    /// Everything after the account: `deliverystream/x`, `function:f:alias`, `role/path/r`.
    pub resource: String,
}

impl Arn {
    /// Parses the six colon-separated parts; the resource may itself contain colons.
    ///
    /// ```
    /// let arn = kdaflow_workflow::arn::Arn::parse("arn:aws:lambda:us-east-1:123456789012:function:f:live").unwrap();
    /// assert_eq!(arn.service, "lambda");
    /// assert_eq!(arn.resource, "function:f:live");
    /// ```
    pub fn parse(text: &str) -> Result<Self, String> {
        let parts: Vec<&str> = text.splitn(6, ':').collect();
        if parts.len() != 6 || parts[0] != "arn" {
            return Err(
                "is not an ARN (expected arn:<partition>:<service>:<region>:<account>:<resource>)"
                    .into(),
            );
        }
        let arn = Arn {
            partition: parts[1].into(),
            service: parts[2].into(),
            region: parts[3].into(),
            account: parts[4].into(),
            resource: parts[5].into(),
        };
        if !PARTITIONS.contains(&arn.partition.as_str()) {
            return Err(format!(
                "has partition {:?}; AWS partitions are {}",
                arn.partition,
                PARTITIONS.join(", ")
            ));
        }
        if arn.account.len() != 12 || !arn.account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "has account {:?}; an account id is 12 digits",
                arn.account
            ));
        }
        if arn.resource.is_empty() {
            return Err("names no resource".into());
        }
        Ok(arn)
    }
}

impl fmt::Display for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "arn:{}:{}:{}:{}:{}",
            self.partition, self.service, self.region, self.account, self.resource
        )
    }
}

/// True if `region` looks like an AWS region (`us-east-1`, `eu-central-2`, `us-gov-west-1`).
pub fn is_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].parse::<u8>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let text = "arn:aws:iam::123456789012:role/service/DSOAWS_Kinesis";
        let arn = Arn::parse(text).unwrap();
        assert_eq!(arn.region, "");
        assert_eq!(arn.to_string(), text);
    }

    #[test]
    fn rejects_bad_shapes() {
        assert!(Arn::parse("not-an-arn").unwrap_err().contains("not an ARN"));
        assert!(
            Arn::parse("arn:azure:s3:::b")
                .unwrap_err()
                .contains("partition")
        );
        assert!(
            Arn::parse("arn:aws:s3:us-east-1:123:b")
                .unwrap_err()
                .contains("12 digits")
        );
        assert!(
            Arn::parse("arn:aws:s3:us-east-1:123456789012:")
                .unwrap_err()
                .contains("no resource")
        );
    }

    #[test]
    fn regions() {
        assert!(is_region("us-east-1"));
        assert!(is_region("us-gov-west-1"));
        assert!(is_region("ap-southeast-4"));
        assert!(!is_region("useast1"));
        assert!(!is_region("us-east"));
    }
}
