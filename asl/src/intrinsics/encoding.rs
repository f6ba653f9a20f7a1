//! Intrinsics for data encoding and decoding, and for hash calculation.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use super::{arity, want_str};
use crate::error::StatesError;

/// AWS's input limit for Base64 and Hash functions, in characters.
pub const MAX_INPUT_CHARS: usize = 10_000;

fn limited<'a>(f: &str, v: &'a Value) -> Result<&'a str, StatesError> {
    let s = want_str(f, v)?;
    if s.chars().count() > MAX_INPUT_CHARS {
        return Err(StatesError::intrinsic(format!(
            "Invalid arguments in {f}: the input exceeds {MAX_INPUT_CHARS} characters"
        )));
    }
    Ok(s)
}

/// `States.Base64Encode(string)`.
pub fn base64_encode(args: &[Value]) -> Result<Value, StatesError> {
    let f = "States.Base64Encode";
    arity(f, args, 1, 1)?;
    Ok(Value::String(STANDARD.encode(limited(f, &args[0])?)))
}

/// `States.Base64Decode(string)`.
pub fn base64_decode(args: &[Value]) -> Result<Value, StatesError> {
    let f = "States.Base64Decode";
    arity(f, args, 1, 1)?;
    let bytes = STANDARD
        .decode(limited(f, &args[0])?)
        .map_err(|e| StatesError::intrinsic(format!("Invalid arguments in {f}: {e}")))?;
    String::from_utf8(bytes)
        .map(Value::String)
        .map_err(|_| StatesError::intrinsic(format!("Invalid arguments in {f}: not UTF-8 text")))
}

/// `States.Hash(string, algorithm)`: lowercase hex of MD5, SHA-1, SHA-256, SHA-384 or SHA-512.
pub fn hash(args: &[Value]) -> Result<Value, StatesError> {
    use sha2::Digest;
    let f = "States.Hash";
    arity(f, args, 2, 2)?;
    let data = limited(f, &args[0])?.as_bytes();
    let bytes: Vec<u8> = match want_str(f, &args[1])? {
        "MD5" => md5::Md5::digest(data).to_vec(),
        "SHA-1" => sha1::Sha1::digest(data).to_vec(),
        "SHA-256" => sha2::Sha256::digest(data).to_vec(),
        "SHA-384" => sha2::Sha384::digest(data).to_vec(),
        "SHA-512" => sha2::Sha512::digest(data).to_vec(),
        other => {
            return Err(StatesError::intrinsic(format!(
                "Invalid arguments in {f}: unsupported algorithm '{other}' (use MD5, SHA-1, SHA-256, SHA-384 or SHA-512)"
            )));
        }
    };
    Ok(Value::String(
        bytes.iter().map(|b| format!("{b:02x}")).collect(),
    ))
}
