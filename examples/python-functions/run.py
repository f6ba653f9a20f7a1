"""Deploys functions.py's two functions to a running kdaflow twin with boto3, creates an
application that uses them (Firehose in, preprocessing, a pump, Lambda out), starts it, sends a
few reviews and prints the rows the output function delivered.

    kdaflow serve &                        # the twin on http://127.0.0.1:4590
    python examples/python-functions/run.py [ENDPOINT]
"""

import io
import json
import pathlib
import sys
import time
import zipfile

import boto3
from botocore.config import Config

ENDPOINT = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:4590"
ACCOUNT = "000000000000"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/example-lambda"
HERE = pathlib.Path(__file__).parent

session = boto3.session.Session(
    aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
)


def client(name):
    return session.client(name, endpoint_url=ENDPOINT, config=Config(retries={"max_attempts": 1}))


lam, kda, firehose, kinesis = client("lambda"), client("kinesisanalytics"), client("firehose"), client("kinesis")

package = io.BytesIO()
with zipfile.ZipFile(package, "w") as z:
    z.write(HERE / "functions.py", "functions.py")
arns = {}
for name, handler in [("example-preprocess", "functions.preprocess"), ("example-deliver", "functions.deliver")]:
    try:
        lam.delete_function(FunctionName=name)
    except lam.exceptions.ResourceNotFoundException:
        pass
    arns[name] = lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler=handler,
        Timeout=30,
        Environment={"Variables": {"RESULTS_STREAM": "example-results"}},
        Code={"ZipFile": package.getvalue()},
    )["FunctionArn"]
    lam.get_waiter("function_active_v2").wait(FunctionName=name)
print("functions:", ", ".join(arns))

for create in (
    lambda: firehose.create_delivery_stream(
        DeliveryStreamName="example-reviews",
        ExtendedS3DestinationConfiguration={"RoleARN": ROLE, "BucketARN": "arn:aws:s3:::example"},
    ),
    lambda: kinesis.create_stream(StreamName="example-results", ShardCount=1),
):
    try:
        create()
    except Exception as e:  # already there from an earlier run
        if "ResourceInUseException" not in str(e):
            raise

app = "example-own-functions"
try:
    created = kda.describe_application(ApplicationName=app)["ApplicationDetail"]["CreateTimestamp"]
    kda.delete_application(ApplicationName=app, CreateTimestamp=created)
    while True:
        kda.describe_application(ApplicationName=app)
        time.sleep(0.5)
except kda.exceptions.ResourceNotFoundException:
    pass
column = lambda n, t: {"Name": n, "Mapping": f"$.{n}", "SqlType": t}
kda.create_application(
    ApplicationName=app,
    Inputs=[
        {
            "NamePrefix": "SOURCE_SQL_STREAM",
            "KinesisFirehoseInput": {
                "ResourceARN": f"arn:aws:firehose:us-east-1:{ACCOUNT}:deliverystream/example-reviews",
                "RoleARN": ROLE,
            },
            "InputProcessingConfiguration": {
                "InputLambdaProcessor": {"ResourceARN": arns["example-preprocess"], "RoleARN": ROLE}
            },
            "InputSchema": {
                "RecordFormat": {
                    "RecordFormatType": "JSON",
                    "MappingParameters": {"JSONMappingParameters": {"RecordRowPath": "$"}},
                },
                "RecordColumns": [column("review_id", "VARCHAR(14)"), column("review_body", "VARCHAR(200)")],
            },
        }
    ],
    Outputs=[
        {
            "Name": "BODIES",
            "LambdaOutput": {"ResourceARN": arns["example-deliver"], "RoleARN": ROLE},
            "DestinationSchema": {"RecordFormatType": "JSON"},
        }
    ],
    ApplicationCode='''CREATE OR REPLACE STREAM "BODIES" (review_id VARCHAR(14), review_body VARCHAR(200));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "BODIES"
  SELECT STREAM "review_id", "review_body" FROM "SOURCE_SQL_STREAM_001";''',
)
input_id = kda.describe_application(ApplicationName=app)["ApplicationDetail"]["InputDescriptions"][0]["InputId"]
kda.start_application(
    ApplicationName=app,
    InputConfigurations=[{"Id": input_id, "InputStartingPositionConfiguration": {"InputStartingPosition": "NOW"}}],
)
while kda.describe_application(ApplicationName=app)["ApplicationDetail"]["ApplicationStatus"] != "RUNNING":
    time.sleep(0.5)
print(f"{app} is RUNNING")

shard = kinesis.get_shard_iterator(
    StreamName="example-results", ShardId="shardId-000000000000", ShardIteratorType="LATEST"
)["ShardIterator"]
reviews = [
    {"review_id": "R1", "review_body": "  Great BOOK  "},
    {"review_id": "R2", "review_body": ""},
    {"review_id": "R3", "review_body": "Broke on DAY ONE"},
]
firehose.put_record_batch(
    DeliveryStreamName="example-reviews",
    Records=[{"Data": (json.dumps(r) + "\n").encode()} for r in reviews],
)
rows, deadline = [], time.time() + 30
while len(rows) < 2 and time.time() < deadline:
    out = kinesis.get_records(ShardIterator=shard)
    shard = out["NextShardIterator"]
    rows += [json.loads(r["Data"]) for r in out["Records"]]
    time.sleep(0.2)
for row in rows:
    print("delivered:", row)
expected = [{"REVIEW_ID": "R1", "REVIEW_BODY": "great book"}, {"REVIEW_ID": "R3", "REVIEW_BODY": "broke on day one"}]
if [{k.upper(): v for k, v in r.items()} for r in rows] != expected:
    sys.exit(f"unexpected rows: {rows}")
print("the preprocessing function lower-cased the bodies and dropped the empty one")
