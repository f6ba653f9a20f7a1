#!/usr/bin/env bash
# Timestamp inputs through the AWS CLI (v1, on botocore: whole epoch seconds on the wire). The
# CreateTimestamp the CLI prints for DescribeApplication must delete the application.
# Usage: timestamps_cli.sh ENDPOINT  (with `aws` on PATH)
set -euo pipefail
endpoint=$1
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 AWS_MAX_ATTEMPTS=1
aws() { command aws --endpoint-url "$endpoint" --output text "$@"; }

aws kinesisanalytics create-application --application-name cli-ts >/dev/null
created=$(aws kinesisanalytics describe-application --application-name cli-ts \
  --query ApplicationDetail.CreateTimestamp)
aws kinesisanalytics delete-application --application-name cli-ts --create-timestamp "$created"
status=$(aws kinesisanalytics describe-application --application-name cli-ts \
  --query ApplicationDetail.ApplicationStatus)
[ "$status" = DELETING ] || { echo "FAIL: status after delete is $status" >&2; exit 1; }

aws kinesis create-stream --stream-name cli-ts --shard-count 1
stream_created=$(aws kinesis describe-stream-summary --stream-name cli-ts \
  --query StreamDescriptionSummary.StreamCreationTimestamp)
n=$(aws kinesis list-shards --stream-name cli-ts --stream-creation-timestamp "$stream_created" \
  --query 'length(Shards)')
[ "$n" = 1 ] || { echo "FAIL: list-shards found $n shards" >&2; exit 1; }

failed=$(aws events put-events --query FailedEntryCount --entries \
  '[{"Source":"kdaflow.cli","DetailType":"t","Detail":"{}","Time":"2026-01-01T00:00:01.250Z"}]')
[ "$failed" = 0 ] || { echo "FAIL: put-events failed $failed entries" >&2; exit 1; }
echo "AWS CLI: every timestamp input accepted"
