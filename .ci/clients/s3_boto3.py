"""S3 through boto3 against the twin: buckets, objects, ETags as S3 computes them, checksums in
both of the ways clients send them (aws-chunked bodies with a trailing CRC32, as current botocore
does by default, and plain bodies with Content-MD5, as older clients do), ranges, metadata,
listings with the paginator, S3's errors, a multipart upload_fileobj and a presigned GET.

Usage: python s3_boto3.py ENDPOINT
"""

import base64
import hashlib
import io
import sys
import urllib.error
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


def error_code(call) -> str:
    try:
        call()
    except ClientError as e:
        return e.response["Error"]["Code"]
    raise AssertionError("the call succeeded")


def main(endpoint: str) -> None:
    session = boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )
    retries = {"max_attempts": 1}
    s3 = session.client(
        "s3", endpoint_url=endpoint,
        config=Config(retries=retries, s3={"addressing_style": "path"}),
    )
    # An older client's wire: no default checksums, Content-MD5 where the caller gives one.
    legacy = session.client(
        "s3", endpoint_url=endpoint,
        config=Config(
            retries=retries, s3={"addressing_style": "path"},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        ),
    )

    bucket = "boto3-bucket"
    s3.create_bucket(Bucket=bucket)
    assert bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    s3.head_bucket(Bucket=bucket)
    assert error_code(lambda: s3.create_bucket(Bucket="Not_Valid")) == "InvalidBucketName"
    assert error_code(lambda: s3.head_bucket(Bucket="no-such-bucket")) == "404"
    assert error_code(lambda: s3.list_objects_v2(Bucket="no-such-bucket")) == "NoSuchBucket"

    # A round trip with the default (aws-chunked, trailing CRC32) wire; the ETag is the MD5.
    body = b"id,rating\n1,5\n2,3\n"
    put = s3.put_object(Bucket=bucket, Key="data/reviews.csv", Body=body,
                        ContentType="text/csv", Metadata={"origin": "boto3"})
    assert put["ETag"] == '"%s"' % hashlib.md5(body).hexdigest(), put["ETag"]
    got = s3.get_object(Bucket=bucket, Key="data/reviews.csv")
    assert got["Body"].read() == body
    assert got["ContentType"] == "text/csv", got["ContentType"]
    assert got["Metadata"] == {"origin": "boto3"}, got["Metadata"]
    assert got["ETag"] == put["ETag"]

    # SHA256 asked for on the way in and returned with ChecksumMode on the way out.
    sha = base64.b64encode(hashlib.sha256(body).digest()).decode()
    s3.put_object(Bucket=bucket, Key="data/sha.csv", Body=body, ChecksumAlgorithm="SHA256")
    head = s3.head_object(Bucket=bucket, Key="data/sha.csv", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == sha, head
    assert head["ContentLength"] == len(body)

    # Ranges, and one past the end.
    part = s3.get_object(Bucket=bucket, Key="data/reviews.csv", Range="bytes=3-8")
    assert part["Body"].read() == body[3:9]
    assert part["ContentRange"] == "bytes 3-8/%d" % len(body), part["ContentRange"]
    assert error_code(
        lambda: s3.get_object(Bucket=bucket, Key="data/reviews.csv", Range="bytes=1000-")
    ) == "InvalidRange"
    assert error_code(lambda: s3.get_object(Bucket=bucket, Key="missing")) == "NoSuchKey"

    # The older wire: a plain body with a good Content-MD5 is stored, a wrong one refused.
    md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
    legacy.put_object(Bucket=bucket, Key="legacy.csv", Body=body, ContentMD5=md5)
    assert legacy.get_object(Bucket=bucket, Key="legacy.csv")["Body"].read() == body
    wrong = base64.b64encode(hashlib.md5(b"something else").digest()).decode()
    assert error_code(
        lambda: legacy.put_object(Bucket=bucket, Key="bad.csv", Body=body, ContentMD5=wrong)
    ) == "BadDigest"
    assert error_code(lambda: s3.head_object(Bucket=bucket, Key="bad.csv")) == "404"

    # Listings: a delimiter groups prefixes; the paginator walks pages of two.
    for i in range(5):
        s3.put_object(Bucket=bucket, Key="logs/2026/%02d.log" % i, Body=b"line %d\n" % i)
    top = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    prefixes = sorted(p["Prefix"] for p in top.get("CommonPrefixes", []))
    assert prefixes == ["data/", "logs/"], prefixes
    assert [o["Key"] for o in top["Contents"]] == ["legacy.csv"], top["Contents"]
    pages = list(s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix="logs/", PaginationConfig={"PageSize": 2}))
    keys = [o["Key"] for p in pages for o in p.get("Contents", [])]
    assert len(pages) == 3, len(pages)
    assert keys == ["logs/2026/%02d.log" % i for i in range(5)], keys

    # A copy keeps the bytes and the ETag.
    copied = s3.copy_object(Bucket=bucket, Key="copy.csv",
                            CopySource={"Bucket": bucket, "Key": "data/reviews.csv"})
    assert copied["CopyObjectResult"]["ETag"] == put["ETag"]

    # upload_fileobj of 12 MiB in 5 MiB parts: a multipart upload, ETag "<md5 of md5s>-3".
    big = bytes(range(256)) * (12 * 1024 * 4)
    from boto3.s3.transfer import TransferConfig
    transfer = TransferConfig(multipart_threshold=5 * 1024 * 1024,
                              multipart_chunksize=5 * 1024 * 1024, use_threads=False)
    s3.upload_fileobj(io.BytesIO(big), bucket, "big.bin", Config=transfer)
    parts = [big[i:i + 5 * 1024 * 1024] for i in range(0, len(big), 5 * 1024 * 1024)]
    expected = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest()
    head = s3.head_object(Bucket=bucket, Key="big.bin")
    assert head["ETag"] == '"%s-%d"' % (expected, len(parts)), head["ETag"]
    out = io.BytesIO()
    s3.download_fileobj(bucket, "big.bin", out, Config=transfer)
    assert out.getvalue() == big

    # A presigned GET is an ordinary URL any HTTP client can fetch.
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "copy.csv"},
                                    ExpiresIn=300)
    with urllib.request.urlopen(url) as r:
        assert r.read() == body
    try:
        urllib.request.urlopen(s3.generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": "absent"}, ExpiresIn=300))
        raise AssertionError("a presigned GET of a missing key succeeded")
    except urllib.error.HTTPError as e:
        assert e.code == 404 and b"<Code>NoSuchKey</Code>" in e.read()

    # A bucket with objects in it is not deleted; emptied, it is.
    assert error_code(lambda: s3.delete_bucket(Bucket=bucket)) == "BucketNotEmpty"
    keys = [o["Key"] for p in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
            for o in p.get("Contents", [])]
    deleted = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys]})
    assert len(deleted["Deleted"]) == len(keys) and not deleted.get("Errors"), deleted
    s3.delete_bucket(Bucket=bucket)
    assert error_code(lambda: s3.delete_bucket(Bucket=bucket)) == "NoSuchBucket"
    print("boto3 S3: buckets, objects, checksums, ranges, listings, multipart, presigned, errors")


if __name__ == "__main__":
    main(sys.argv[1])
