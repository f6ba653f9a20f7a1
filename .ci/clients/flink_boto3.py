"""Managed Service for Apache Flink (kinesisanalyticsv2) through boto3 against the twin: a Flink
application with its code in the twin's S3, described, listed, updated with the ConditionalToken
(and refused with a stale one), its versions, tags, the service's errors, and StartApplication,
which says why the job cannot run (no Flink on the machine, or code that is not a translated
application).

Usage: python flink_boto3.py ENDPOINT
"""

import sys
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::000000000000:role/flink-app"


def error(call):
    try:
        call()
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"]["Message"]
    raise AssertionError("the call succeeded")


def main(endpoint: str) -> None:
    session = boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )
    config = Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"})
    s3 = session.client("s3", endpoint_url=endpoint, config=config)
    v2 = session.client("kinesisanalyticsv2", endpoint_url=endpoint, config=config)

    s3.create_bucket(Bucket="boto3-flink-code")
    s3.put_object(Bucket="boto3-flink-code", Key="app.zip", Body=b"PK\x05\x06" + b"\0" * 18)
    code = {
        "ApplicationCodeConfiguration": {
            "CodeContentType": "ZIPFILE",
            "CodeContent": {
                "S3ContentLocation": {
                    "BucketARN": "arn:aws:s3:::boto3-flink-code",
                    "FileKey": "app.zip",
                }
            },
        },
        "EnvironmentProperties": {
            "PropertyGroups": [
                {
                    "PropertyGroupId": "kinesis.analytics.flink.run.options",
                    "PropertyMap": {"python": "main.py"},
                }
            ]
        },
    }
    detail = v2.create_application(
        ApplicationName="boto3-flink",
        RuntimeEnvironment="FLINK-1_20",
        ServiceExecutionRole=ROLE,
        ApplicationConfiguration=code,
        Tags=[{"Key": "team", "Value": "data"}],
    )["ApplicationDetail"]
    assert detail["ApplicationStatus"] == "READY", detail
    assert detail["ApplicationVersionId"] == 1, detail
    described = v2.describe_application(ApplicationName="boto3-flink")["ApplicationDetail"]
    code_description = described["ApplicationConfigurationDescription"][
        "ApplicationCodeConfigurationDescription"
    ]["CodeContentDescription"]
    assert code_description["CodeSize"] == 22, code_description
    names = [a["ApplicationName"] for a in v2.list_applications()["ApplicationSummaries"]]
    assert "boto3-flink" in names, names

    token = described["ConditionalToken"]
    updated = v2.update_application(
        ApplicationName="boto3-flink",
        ConditionalToken=token,
        ApplicationConfigurationUpdate={
            "FlinkApplicationConfigurationUpdate": {
                "ParallelismConfigurationUpdate": {
                    "ConfigurationTypeUpdate": "CUSTOM",
                    "ParallelismUpdate": 2,
                }
            }
        },
    )
    assert updated["ApplicationDetail"]["ApplicationVersionId"] == 2, updated
    assert updated["OperationId"], updated
    op = v2.describe_application_operation(
        ApplicationName="boto3-flink", OperationId=updated["OperationId"]
    )["ApplicationOperationInfoDetails"]
    assert op["Operation"] == "UpdateApplication", op
    assert op["OperationStatus"] == "SUCCESSFUL", op
    code_name, message = error(
        lambda: v2.update_application(
            ApplicationName="boto3-flink",
            ConditionalToken=token,
            ServiceExecutionRoleUpdate=ROLE,
        )
    )
    assert code_name == "ConcurrentModificationException", (code_name, message)
    versions = v2.list_application_versions(ApplicationName="boto3-flink")
    ids = [v["ApplicationVersionId"] for v in versions["ApplicationVersionSummaries"]]
    assert ids == [2, 1], ids
    tags = v2.list_tags_for_resource(ResourceARN=detail["ApplicationARN"])["Tags"]
    assert tags == [{"Key": "team", "Value": "data"}], tags

    code_name, message = error(
        lambda: v2.create_application(
            ApplicationName="boto3-flink",
            RuntimeEnvironment="FLINK-1_20",
            ServiceExecutionRole=ROLE,
            ApplicationConfiguration=code,
        )
    )
    assert code_name == "ResourceInUseException", (code_name, message)
    code_name, message = error(lambda: v2.describe_application(ApplicationName="nope"))
    assert code_name == "ResourceNotFoundException", (code_name, message)
    code_name, message = error(
        lambda: v2.create_application(
            ApplicationName="bad name", RuntimeEnvironment="FLINK-1_20", ServiceExecutionRole=ROLE
        )
    )
    assert code_name == "ValidationException", (code_name, message)
    assert "applicationName" in message, message

    # StartApplication: a twin without Java or PyFlink answers every call but says why it
    # cannot run a job; with them (as in .ci/run, after `kdaflow flink setup`) the job starts and
    # fails at once, because this zip is not a translated application, and the start's
    # operation says so while the application goes back to READY.
    try:
        op = v2.start_application(ApplicationName="boto3-flink")["OperationId"]
    except ClientError as e:
        assert e.response["Error"]["Code"] == "InvalidApplicationConfigurationException", e.response
        assert "cannot run its Flink job" in e.response["Error"]["Message"], e.response
    else:
        for _ in range(200):
            info = v2.describe_application_operation(ApplicationName="boto3-flink", OperationId=op)[
                "ApplicationOperationInfoDetails"
            ]
            if info["OperationStatus"] != "IN_PROGRESS":
                break
            time.sleep(0.05)
        assert info["OperationStatus"] == "FAILED", info
        why = info["OperationFailureDetails"]["ErrorInfo"]["ErrorString"]
        assert "job.json" in why, why
        status = v2.describe_application(ApplicationName="boto3-flink")["ApplicationDetail"]
        assert status["ApplicationStatus"] == "READY", status
    print("boto3 kinesisanalyticsv2: ok")


if __name__ == "__main__":
    main(sys.argv[1])
