"""Timestamp inputs through boto3, which truncates timestamps to whole epoch seconds on the
awsJson wire: the CreateTimestamp that DescribeApplication returned must delete the application.

Usage: python timestamps_boto3.py ENDPOINT
"""

import datetime
import sys

import boto3
import botocore.exceptions
from botocore.config import Config


def main(endpoint: str) -> None:
    session = boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )
    config = Config(retries={"max_attempts": 1})
    kda = session.client("kinesisanalytics", endpoint_url=endpoint, config=config)
    kda.create_application(ApplicationName="boto3-ts")
    created = kda.describe_application(ApplicationName="boto3-ts")["ApplicationDetail"][
        "CreateTimestamp"
    ]
    try:
        kda.delete_application(
            ApplicationName="boto3-ts",
            CreateTimestamp=created + datetime.timedelta(seconds=5),
        )
        raise AssertionError("a wrong CreateTimestamp was accepted")
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "InvalidArgumentException", e.response
    kda.delete_application(ApplicationName="boto3-ts", CreateTimestamp=created)

    kinesis = session.client("kinesis", endpoint_url=endpoint, config=config)
    kinesis.create_stream(StreamName="boto3-ts", ShardCount=1)
    summary = kinesis.describe_stream_summary(StreamName="boto3-ts")["StreamDescriptionSummary"]
    shards = kinesis.list_shards(
        StreamName="boto3-ts", StreamCreationTimestamp=summary["StreamCreationTimestamp"]
    )["Shards"]
    assert len(shards) == 1, shards
    before = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=1)
    kinesis.put_record(StreamName="boto3-ts", PartitionKey="k", Data=b"x")
    it = kinesis.get_shard_iterator(
        StreamName="boto3-ts",
        ShardId="shardId-000000000000",
        ShardIteratorType="AT_TIMESTAMP",
        Timestamp=before,
    )["ShardIterator"]
    records = kinesis.get_records(ShardIterator=it)["Records"]
    assert len(records) == 1, records

    events = session.client("events", endpoint_url=endpoint, config=config)
    out = events.put_events(
        Entries=[
            {
                "Source": "kdaflow.boto3",
                "DetailType": "t",
                "Detail": "{}",
                "Time": datetime.datetime(2026, 1, 1, 0, 0, 1, 250000, datetime.timezone.utc),
            }
        ]
    )
    assert out["FailedEntryCount"] == 0, out
    print("boto3: every timestamp input accepted")


if __name__ == "__main__":
    main(sys.argv[1])
