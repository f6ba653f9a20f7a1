"""boto3 against the twin: the wire protocols work for a client written by others.

Starts `kdaflow serve --port 0` (the binary `cargo test` built), then drives Kinesis Analytics,
Firehose, Kinesis, Step Functions and EventBridge through boto3 exactly as a user would, and
checks the answers and the error codes. Run by .ci/run; exits non-zero on the first failure.
"""

import json
import os
import subprocess
import sys
import time

import boto3
import botocore.exceptions
from botocore.config import Config

KDAFLOW = os.environ.get("KDAFLOW_BIN", "target/debug/kdaflow")


def main() -> int:
    server = subprocess.Popen(
        [KDAFLOW, "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        first = server.stdout.readline()
        endpoint = next(w for w in first.split() if w.startswith("http://"))
        session = boto3.session.Session(
            aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
        )
        # StartSyncExecution/TestState use a `sync-` host prefix that loopback cannot resolve.
        config = Config(inject_host_prefix=False, retries={"max_attempts": 1})

        def client(name):
            return session.client(name, endpoint_url=endpoint, config=config)

        kda = client("kinesisanalytics")
        kda.create_application(ApplicationName="boto3-app", ApplicationCode="")
        detail = kda.describe_application(ApplicationName="boto3-app")["ApplicationDetail"]
        assert detail["ApplicationStatus"] == "READY", detail
        assert detail["ApplicationVersionId"] == 1, detail
        names = [a["ApplicationName"] for a in kda.list_applications()["ApplicationSummaries"]]
        assert "boto3-app" in names, names
        try:
            kda.describe_application(ApplicationName="nope")
            raise AssertionError("describe of a missing application succeeded")
        except kda.exceptions.ResourceNotFoundException as e:
            assert "nope" in e.response["Error"]["Message"]
        try:
            kda.create_application(ApplicationName="bad name")
            raise AssertionError("a bad name was accepted")
        except botocore.exceptions.ClientError as e:
            assert e.response["Error"]["Code"] == "ValidationException", e.response
            assert "applicationName" in e.response["Error"]["Message"], e.response

        firehose = client("firehose")
        out = firehose.put_record_batch(
            DeliveryStreamName="dsoaws-kinesis-data-firehose",
            Records=[{"Data": b"R000000000001\t5\tBooks\tGreat\n"}],
        )
        assert out["FailedPutCount"] == 0, out

        kinesis = client("kinesis")
        streams = kinesis.list_streams()["StreamNames"]
        assert "dsoaws-kinesis-data-stream" in streams, streams

        sfn = client("stepfunctions")
        machines = {m["name"]: m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]}
        arn = machines["kdaflow-bootstrap"]
        bad = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"firehose_arn": "x"}))
        for _ in range(100):
            status = sfn.describe_execution(executionArn=bad["executionArn"])
            if status["status"] != "RUNNING":
                break
            time.sleep(0.05)
        assert status["status"] == "FAILED", status
        assert status["error"] == "Bootstrap.PrerequisiteInvalid", status
        sync = sfn.create_state_machine(
            name="boto3-express",
            type="EXPRESS",
            roleArn="arn:aws:iam::000000000000:role/r",
            definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}),
        )
        ran = sfn.start_sync_execution(stateMachineArn=sync["stateMachineArn"], input='{"a": 1}')
        assert ran["status"] == "SUCCEEDED" and json.loads(ran["output"]) == {"a": 1}, ran

        events = client("events")
        rules = [r["Name"] for r in events.list_rules()["Rules"]]
        assert "kdaflow-BootstrapRequestedRule" in rules, rules
        try:
            events.put_rule(Name="broken", EventPattern='{"source": [{"prefix": 1}]}')
            raise AssertionError("a malformed pattern was accepted")
        except events.exceptions.InvalidEventPatternException:
            pass
        print("boto3 smoke: Kinesis Analytics, Firehose, Kinesis, Step Functions, EventBridge: ok")
        return 0
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
