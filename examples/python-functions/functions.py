"""A preprocessing function and an output function for a Kinesis Data Analytics SQL
application, as the reference notebook's application uses them (both deployed to the kdaflow
twin with boto3 by run.py; unchanged, they deploy to AWS Lambda too).

preprocess: the input preprocessing contract — each record arrives base64-encoded; the function
  answers every recordId with result Ok (and the new data), Dropped or ProcessingFailed.
deliver: the output contract — the application delivers batches of rows; the function answers
  each recordId with Ok or DeliveryFailed. Here it forwards each row to a Kinesis stream.
"""

import base64
import json
import os

import boto3


def preprocess(event, context):
    out = []
    for record in event["records"]:
        review = json.loads(base64.b64decode(record["data"]))
        if not review.get("review_body"):
            out.append({"recordId": record["recordId"], "result": "Dropped"})
            continue
        review["review_body"] = review["review_body"].strip().lower()
        data = (json.dumps(review) + "\n").encode()
        out.append(
            {
                "recordId": record["recordId"],
                "result": "Ok",
                "data": base64.b64encode(data).decode(),
            }
        )
    return {"records": out}


def deliver(event, context):
    kinesis = boto3.client("kinesis")
    stream = os.environ["RESULTS_STREAM"]
    for record in event["records"]:
        kinesis.put_record(
            StreamName=stream, PartitionKey="rows", Data=base64.b64decode(record["data"])
        )
    return {"records": [{"recordId": r["recordId"], "result": "Ok"} for r in event["records"]]}
