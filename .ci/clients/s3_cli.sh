#!/usr/bin/env bash
# S3 through the AWS CLI (v1): `aws s3 mb/cp/ls/sync/rm/rb` and `aws s3api` against the twin.
# A 20 MiB file is copied with the CLI's multipart upload (8 MiB parts: ETag "...-3"); a tree is
# synced up and back down and compared byte for byte; a second sync uploads nothing.
# Usage: s3_cli.sh ENDPOINT  (with `aws` on PATH)
set -euo pipefail
endpoint=$1
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 AWS_MAX_ATTEMPTS=1
aws() { command aws --endpoint-url "$endpoint" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

aws s3 mb s3://cli-bucket >/dev/null
aws s3 ls | grep -q ' cli-bucket$' || fail "ls does not list cli-bucket"

printf 'id,rating\n1,5\n' >"$work/small.csv"
aws s3 cp "$work/small.csv" s3://cli-bucket/small.csv >/dev/null
aws s3 cp s3://cli-bucket/small.csv "$work/small.back" >/dev/null
cmp "$work/small.csv" "$work/small.back" || fail "small.csv came back different"

head -c $((20 * 1024 * 1024)) /dev/urandom >"$work/big.bin"
aws s3 cp "$work/big.bin" s3://cli-bucket/big.bin >/dev/null
etag=$(aws s3api head-object --bucket cli-bucket --key big.bin --query ETag --output text)
case "$etag" in *-3\") ;; *) fail "big.bin's ETag is $etag, not a 3-part multipart ETag" ;; esac
aws s3 cp s3://cli-bucket/big.bin "$work/big.back" >/dev/null
cmp "$work/big.bin" "$work/big.back" || fail "big.bin came back different"

mkdir -p "$work/tree/a/b" "$work/down"
for i in 1 2 3; do echo "file $i" >"$work/tree/a/f$i.txt"; done
echo deep >"$work/tree/a/b/deep.txt"
echo top >"$work/tree/top.txt"
aws s3 sync "$work/tree" s3://cli-bucket/tree >/dev/null
n=$(aws s3 ls s3://cli-bucket/tree/ --recursive | wc -l)
[ "$n" = 5 ] || fail "sync uploaded $n objects, not 5"
again=$(aws s3 sync "$work/tree" s3://cli-bucket/tree)
[ -z "$again" ] || fail "a second sync uploaded again: $again"
aws s3 sync s3://cli-bucket/tree "$work/down" >/dev/null
diff -r "$work/tree" "$work/down" || fail "the synced-down tree differs"
listing=$(aws s3 ls s3://cli-bucket/tree/)
echo "$listing" | grep -q 'PRE a/' || fail "ls with a delimiter shows no a/: $listing"

code=$(aws s3api get-object --bucket cli-bucket --key absent "$work/x" 2>&1 || true)
echo "$code" | grep -q NoSuchKey || fail "get-object of a missing key said: $code"
code=$(aws s3 rb s3://cli-bucket 2>&1 || true)
echo "$code" | grep -q BucketNotEmpty || fail "rb of a full bucket said: $code"
aws s3 rm s3://cli-bucket --recursive >/dev/null
aws s3 rb s3://cli-bucket >/dev/null
code=$(aws s3api head-bucket --bucket cli-bucket 2>&1 || true)
echo "$code" | grep -q 404 || fail "head-bucket after rb said: $code"
echo "AWS CLI S3: mb, cp (multipart), ls, sync both ways, rm --recursive, rb"
