#!/usr/bin/env bash
# Clients written by others against one `kdaflow serve`: the AWS CLI (v1) and the AWS SDK for
# JavaScript v3 (pinned, installed on first run into .venv/awscli and .ci/clients/node_modules),
# and boto3 (the venv .ci/run made): timestamps, Lambda, the Python-functions example, S3. Run from the repository root by .ci/run:
#   KDAFLOW_BIN=target/debug/kdaflow bash .ci/clients/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
AWSCLI_VERSION=1.46.3
BIN=${KDAFLOW_BIN:-target/debug/kdaflow}

if [ ! -x .venv/awscli/bin/aws ] || ! .venv/awscli/bin/aws --version 2>&1 | grep -q "aws-cli/$AWSCLI_VERSION "; then
  python3 -m venv .venv/awscli
  .venv/awscli/bin/python -m pip install --quiet --disable-pip-version-check "awscli==$AWSCLI_VERSION"
fi
if [ ! -d .ci/clients/node_modules ]; then
  (cd .ci/clients && npm ci --silent --no-audit --no-fund)
fi

log=$(mktemp)
"$BIN" serve --port 0 >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
  endpoint=$(grep -o 'http://127.0.0.1:[0-9]*' "$log" | head -1 || true)
  [ -n "$endpoint" ] && break
  sleep 0.1
done
[ -n "${endpoint:-}" ] || { echo "kdaflow serve did not start:" >&2; cat "$log" >&2; exit 1; }

.venv/boto3/bin/python .ci/clients/timestamps_boto3.py "$endpoint"
PATH="$PWD/.venv/awscli/bin:$PATH" bash .ci/clients/timestamps_cli.sh "$endpoint"
node --no-warnings .ci/clients/timestamps.mjs "$endpoint"
# Lambda with boto3, and the README's example: a user's own Python functions in an application.
.venv/boto3/bin/python .ci/clients/lambda_boto3.py "$endpoint"
.venv/boto3/bin/python examples/python-functions/run.py "$endpoint"
# S3 with boto3 (both checksum wires, multipart, presigned) and the AWS CLI (cp, sync, rb).
.venv/boto3/bin/python .ci/clients/s3_boto3.py "$endpoint"
PATH="$PWD/.venv/awscli/bin:$PATH" bash .ci/clients/s3_cli.sh "$endpoint"
# Managed Service for Apache Flink (kinesisanalyticsv2) with boto3.
.venv/boto3/bin/python .ci/clients/flink_boto3.py "$endpoint"
