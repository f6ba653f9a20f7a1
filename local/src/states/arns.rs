//! Names, ARNs and pagination tokens.

use super::error::StatesError;
use crate::protocol::AwsError;

/// Longest state machine or execution name.
pub const MAX_NAME: usize = 80;
/// Default page size of the List* operations and GetExecutionHistory.
pub const DEFAULT_PAGE: usize = 100;
/// Largest page.
pub const MAX_PAGE: i64 = 1000;

/// Checks a state machine or execution name: 1-80 characters, none of whitespace, brackets
/// `< > { } [ ]`, wildcards `? *`, the special characters `" # % \ ^ | ~ ` $ & , ; : /`, or
/// control characters (U+0000-001F, U+007F-009F), as the API reference states.
pub fn check_name(name: &str) -> Result<(), AwsError> {
    let bad =
        |why: &str| Err(StatesError::InvalidName.with(format!("Invalid Name: '{name}' ({why})")));
    let len = name.chars().count();
    if len == 0 || len > MAX_NAME {
        return bad("a name has 1 to 80 characters");
    }
    for c in name.chars() {
        if c.is_whitespace()
            || "<>{}[]?*\"#%\\^|~`$&,;:/".contains(c)
            || (c as u32) <= 0x1f
            || (0x7f..=0x9f).contains(&(c as u32))
        {
            return bad(&format!(
                "the character {c:?} is not allowed: no whitespace, brackets, wildcards, control or special characters"
            ));
        }
    }
    Ok(())
}

/// `InvalidArn` with AWS's wording.
pub fn invalid_arn(arn: &str, expected: &str) -> AwsError {
    StatesError::InvalidArn.with(format!(
        "Invalid Arn: '{arn}' is not a valid {expected} ARN"
    ))
}

/// The parts of an `arn:aws:states:<region>:<account>:<kind>:<rest>` ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatesArn<'a> {
    /// Region.
    pub region: &'a str,
    /// Account.
    pub account: &'a str,
    /// `stateMachine`, `execution`, `express`.
    pub kind: &'a str,
    /// What follows the kind.
    pub rest: &'a str,
}

/// Parses a Step Functions ARN.
pub fn parse(arn: &str) -> Option<StatesArn<'_>> {
    let mut parts = arn.splitn(7, ':');
    let (Some("arn"), Some(_partition), Some("states")) =
        (parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let region = parts.next()?;
    let account = parts.next()?;
    let kind = parts.next()?;
    let rest = parts.next()?;
    if region.is_empty() || account.is_empty() || rest.is_empty() {
        return None;
    }
    Some(StatesArn {
        region,
        account,
        kind,
        rest,
    })
}

/// Checks that `arn` is a state machine ARN (a version or alias qualifier is refused).
pub fn check_machine_arn(arn: &str) -> Result<(), AwsError> {
    match parse(arn) {
        Some(p) if p.kind == "stateMachine" && !p.rest.contains(':') => Ok(()),
        _ => Err(invalid_arn(arn, "state machine")),
    }
}

/// Checks that `arn` is an execution ARN (standard or express).
pub fn check_execution_arn(arn: &str) -> Result<(), AwsError> {
    match parse(arn) {
        Some(p) if p.kind == "execution" && p.rest.split(':').count() == 2 => Ok(()),
        Some(p) if p.kind == "express" && p.rest.split(':').count() == 3 => Ok(()),
        _ => Err(invalid_arn(arn, "execution")),
    }
}

/// Checks a role ARN (`arn:aws:iam::<12 digits>:role/<path>`).
pub fn check_role_arn(arn: &str) -> Result<(), AwsError> {
    let ok = arn
        .strip_prefix("arn:aws:iam::")
        .and_then(|r| r.split_once(":role/"))
        .is_some_and(|(account, name)| {
            account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) && !name.is_empty()
        });
    if ok {
        Ok(())
    } else {
        Err(invalid_arn(arn, "IAM role"))
    }
}

/// The page size of a request: absent or 0 means the default; negative or above 1000 is a
/// `ValidationException`.
pub fn page_size(max_results: Option<i64>) -> Result<usize, AwsError> {
    match max_results {
        None | Some(0) => Ok(DEFAULT_PAGE),
        Some(n) if (1..=MAX_PAGE).contains(&n) => Ok(n as usize),
        Some(n) => Err(StatesError::Validation.with(format!(
                "1 validation error detected: Value '{n}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000"
            ),
        )),
    }
}

/// One page of a List* answer: `{key: [...]}` with `render` of the items from the token's
/// offset (at most `max_results`), and `nextToken` when more follow. Tokens are scoped to
/// `scope`, so one listing's token is refused by another.
pub fn page<T>(
    key: &str,
    items: &[T],
    scope: &str,
    max_results: Option<i64>,
    next_token: Option<&str>,
    render: impl FnMut(&T) -> serde_json::Value,
) -> Result<serde_json::Value, AwsError> {
    let size = page_size(max_results)?;
    let start = offset(scope, next_token)?;
    let rendered: Vec<serde_json::Value> =
        items.iter().skip(start).take(size).map(render).collect();
    let mut out = serde_json::json!({ key: rendered });
    if start + size < items.len() {
        out["nextToken"] = serde_json::json!(token(scope, start + size));
    }
    Ok(out)
}

/// Token prefix: tokens are opaque to callers; this marks the twin's own.
const TOKEN_PREFIX: &str = "kdaflow-page-";

/// The token for the page starting at `offset` of the list `scope` (so that a token of one
/// list is refused by another).
pub fn token(scope: &str, offset: usize) -> String {
    format!("{TOKEN_PREFIX}{offset}-{:016x}", fnv(scope))
}

/// The offset a token stands for; a token of another list or a forged one is `InvalidToken`.
pub fn offset(scope: &str, token: Option<&str>) -> Result<usize, AwsError> {
    let Some(token) = token else { return Ok(0) };
    let invalid = || {
        StatesError::InvalidToken.with(format!(
                "Invalid Token: '{token}' was not returned by a previous call of this operation with the same parameters"
            ),
        )
    };
    let rest = token.strip_prefix(TOKEN_PREFIX).ok_or_else(invalid)?;
    let (n, hash) = rest.split_once('-').ok_or_else(invalid)?;
    if hash != format!("{:016x}", fnv(scope)) {
        return Err(invalid());
    }
    n.parse().map_err(|_| invalid())
}

/// FNV-1a: a stable hash (std's hashers are not promised to be stable across releases).
pub fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(check_name("Bootstrap-1_ok.x").is_ok());
        for bad in ["", "a b", "a/b", "a:b", "a*", "a\u{7}", &"x".repeat(81)] {
            assert_eq!(check_name(bad).unwrap_err().code, "InvalidName", "{bad:?}");
        }
    }

    #[test]
    fn arns() {
        assert!(check_machine_arn("arn:aws:states:us-east-1:000000000000:stateMachine:M").is_ok());
        assert!(check_machine_arn("arn:aws:states:us-east-1:000000000000:execution:M:e").is_err());
        assert!(check_execution_arn("arn:aws:states:us-east-1:000000000000:execution:M:e").is_ok());
        assert!(check_execution_arn("nope").is_err());
        assert!(check_role_arn("arn:aws:iam::000000000000:role/R").is_ok());
        assert!(check_role_arn("arn:aws:iam::0:role/R").is_err());
    }

    #[test]
    fn tokens_round_trip_and_are_scoped() {
        let t = token("a", 7);
        assert_eq!(offset("a", Some(&t)).unwrap(), 7);
        assert_eq!(offset("b", Some(&t)).unwrap_err().code, "InvalidToken");
        assert_eq!(offset("a", Some("junk")).unwrap_err().code, "InvalidToken");
    }
}
