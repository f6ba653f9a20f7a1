"""Lambda through boto3: the operations, their errors and invocations of a Python function run
by the twin under the official runtime interface client.

Usage: python lambda_boto3.py ENDPOINT
"""

import base64
import io
import json
import sys
import zipfile

import boto3
from botocore.config import Config


def main(endpoint: str) -> None:
    session = boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )
    lam = session.client("lambda", endpoint_url=endpoint, config=Config(retries={"max_attempts": 1}))
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as z:
        z.writestr("app.py", "def handler(event, context):\n    print('got', event)\n    return {'echo': event}\n")
    role = "arn:aws:iam::000000000000:role/r"
    created = lam.create_function(
        FunctionName="boto3-echo", Runtime="python3.12", Role=role, Handler="app.handler",
        Code={"ZipFile": code.getvalue()},
    )
    assert created["State"] == "Pending", created
    lam.get_waiter("function_active_v2").wait(FunctionName="boto3-echo")
    try:
        lam.create_function(
            FunctionName="boto3-echo", Runtime="python3.12", Role=role, Handler="app.handler",
            Code={"ZipFile": code.getvalue()},
        )
        raise AssertionError("a duplicate was created")
    except lam.exceptions.ResourceConflictException:
        pass
    try:
        lam.get_function(FunctionName="nope")
        raise AssertionError("a missing function was found")
    except lam.exceptions.ResourceNotFoundException:
        pass
    out = lam.invoke(FunctionName="boto3-echo", Payload=json.dumps({"n": 1}), LogType="Tail")
    assert json.loads(out["Payload"].read()) == {"echo": {"n": 1}}, out
    log = base64.b64decode(out["LogResult"]).decode()
    assert "got {'n': 1}" in log and log.startswith("START RequestId:"), log
    v1 = lam.publish_version(FunctionName="boto3-echo")["Version"]
    lam.create_alias(FunctionName="boto3-echo", Name="live", FunctionVersion=v1)
    out = lam.invoke(FunctionName="boto3-echo", Qualifier="live", Payload=b"{}")
    assert out["ExecutedVersion"] == v1, out
    try:
        lam.invoke(FunctionName="boto3-echo", Payload=b" " * (6 * 1024 * 1024 + 1))
        raise AssertionError("a 6 MB payload was accepted")
    except lam.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "RequestEntityTooLargeException", e.response
        assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 413, e.response
    names = [f["FunctionName"] for f in lam.list_functions()["Functions"]]
    assert "boto3-echo" in names, names
    lam.delete_function(FunctionName="boto3-echo")
    print("boto3: Lambda operations, errors and invocations as the service answers them")


if __name__ == "__main__":
    main(sys.argv[1])
