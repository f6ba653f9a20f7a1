//! S3 on the twin through `aws-sdk-s3`: buckets, objects, listings, copies, multipart uploads,
//! S3's errors, checksums in aws-chunked bodies, virtual-host-style requests, and objects that
//! survive a restart.

use aws_sdk_s3 as s3;
use aws_sdk_s3::primitives::ByteStream;
use s3::types::{ChecksumAlgorithm, ChecksumMode, CompletedMultipartUpload, CompletedPart};

use crate::support::{Harness, code};
use kdaflow_local::TwinConfig;

fn client(endpoint: &str) -> s3::Client {
    crate::support::s3_client(endpoint)
}

async fn body(out: s3::operation::get_object::GetObjectOutput) -> Vec<u8> {
    out.body.collect().await.unwrap().into_bytes().to_vec()
}

#[tokio::test]
async fn buckets_and_their_errors() {
    let h = Harness::new().await;
    let c = client(&h.running.endpoint_url());
    c.create_bucket().bucket("data").send().await.unwrap();
    // us-east-1 answers 200 to the owner's repeat.
    c.create_bucket().bucket("data").send().await.unwrap();
    c.head_bucket().bucket("data").send().await.unwrap();
    let names: Vec<String> = c
        .list_buckets()
        .send()
        .await
        .unwrap()
        .buckets()
        .iter()
        .filter_map(|b| b.name().map(str::to_string))
        .collect();
    assert_eq!(names, vec!["data"]);
    let e = c.head_bucket().bucket("nope").send().await.unwrap_err();
    assert!(e.into_service_error().is_not_found());
    let e = c
        .get_object()
        .bucket("nope")
        .key("k")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "NoSuchBucket");
    let e = c
        .get_object()
        .bucket("data")
        .key("k")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "NoSuchKey");
    let e = c
        .create_bucket()
        .bucket("Bad_Name")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidBucketName");
    c.put_object()
        .bucket("data")
        .key("k")
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap();
    let e = c.delete_bucket().bucket("data").send().await.unwrap_err();
    assert_eq!(code(&e), "BucketNotEmpty");
    c.delete_object()
        .bucket("data")
        .key("k")
        .send()
        .await
        .unwrap();
    c.delete_bucket().bucket("data").send().await.unwrap();
    let e = c.delete_bucket().bucket("data").send().await.unwrap_err();
    assert_eq!(code(&e), "NoSuchBucket");
}

#[tokio::test]
async fn outside_us_east_1_a_repeat_create_is_already_owned() {
    let config = TwinConfig {
        region: "eu-west-1".to_string(),
        ..TwinConfig::default()
    };
    let h = Harness::with_config(config).await;
    let c = client(&h.running.endpoint_url());
    let e = c.create_bucket().bucket("bkt").send().await.unwrap_err();
    assert_eq!(code(&e), "IllegalLocationConstraintException");
    let make = || {
        c.create_bucket().bucket("bkt").create_bucket_configuration(
            s3::types::CreateBucketConfiguration::builder()
                .location_constraint(s3::types::BucketLocationConstraint::EuWest1)
                .build(),
        )
    };
    make().send().await.unwrap();
    let e = make().send().await.unwrap_err();
    assert_eq!(code(&e), "BucketAlreadyOwnedByYou");
}

#[tokio::test]
async fn objects_round_trip_with_etags_ranges_metadata_and_checksums() {
    let h = Harness::new().await;
    let c = client(&h.running.endpoint_url());
    c.create_bucket().bucket("data").send().await.unwrap();
    // The SDK's default: a CRC32 in an aws-chunked body's trailer.
    let put = c
        .put_object()
        .bucket("data")
        .key("dir/hello world.txt")
        .content_type("text/plain")
        .metadata("owner", "kdaflow")
        .body(ByteStream::from_static(b"hello world"))
        .send()
        .await
        .unwrap();
    // MD5("hello world")
    assert_eq!(put.e_tag(), Some("\"5eb63bbbe01eeed093cb22bb8f5acdc3\""));
    assert_eq!(put.checksum_crc32(), Some("DUoRhQ=="));
    let got = c
        .get_object()
        .bucket("data")
        .key("dir/hello world.txt")
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await
        .unwrap();
    assert_eq!(got.content_type(), Some("text/plain"));
    assert_eq!(got.metadata().unwrap()["owner"], "kdaflow");
    assert_eq!(got.checksum_crc32(), Some("DUoRhQ=="));
    assert_eq!(body(got).await, b"hello world");
    let part = c
        .get_object()
        .bucket("data")
        .key("dir/hello world.txt")
        .range("bytes=6-")
        .send()
        .await
        .unwrap();
    assert_eq!(part.content_range(), Some("bytes 6-10/11"));
    assert_eq!(body(part).await, b"world");
    let e = c
        .get_object()
        .bucket("data")
        .key("dir/hello world.txt")
        .range("bytes=20-30")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidRange");
    let head = c
        .head_object()
        .bucket("data")
        .key("dir/hello world.txt")
        .send()
        .await
        .unwrap();
    assert_eq!(head.content_length(), Some(11));
    // Other algorithms, and a checksum that does not match.
    let sha = c
        .put_object()
        .bucket("data")
        .key("sha")
        .checksum_algorithm(ChecksumAlgorithm::Sha256)
        .body(ByteStream::from_static(b"abc"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        sha.checksum_sha256(),
        Some("ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=")
    );
    let e = c
        .put_object()
        .bucket("data")
        .key("bad")
        .checksum_crc32("AAAAAA==")
        .body(ByteStream::from_static(b"abc"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "BadDigest");
    let e = c
        .head_object()
        .bucket("data")
        .key("bad")
        .send()
        .await
        .unwrap_err();
    assert!(
        e.into_service_error().is_not_found(),
        "nothing half-written is visible"
    );
}

#[tokio::test]
async fn listings_page_by_prefix_and_delimiter_and_copies_and_deletes() {
    let h = Harness::new().await;
    let c = client(&h.running.endpoint_url());
    c.create_bucket().bucket("data").send().await.unwrap();
    for k in ["a/1", "a/2", "b/1", "c", "d e"] {
        c.put_object()
            .bucket("data")
            .key(k)
            .body(ByteStream::from_static(b"1"))
            .send()
            .await
            .unwrap();
    }
    let top = c
        .list_objects_v2()
        .bucket("data")
        .delimiter("/")
        .send()
        .await
        .unwrap();
    let prefixes: Vec<&str> = top
        .common_prefixes()
        .iter()
        .filter_map(|p| p.prefix())
        .collect();
    let keys: Vec<&str> = top.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(prefixes, vec!["a/", "b/"]);
    assert_eq!(keys, vec!["c", "d e"]);
    // Pagination, two at a time, through the SDK's paginator.
    let pages: Vec<_> = c
        .list_objects_v2()
        .bucket("data")
        .max_keys(2)
        .into_paginator()
        .send()
        .collect::<Vec<_>>()
        .await;
    assert_eq!(pages.len(), 3);
    let all: Vec<String> = pages
        .into_iter()
        .flat_map(|p| p.unwrap().contents.unwrap_or_default())
        .filter_map(|o| o.key)
        .collect();
    assert_eq!(all, vec!["a/1", "a/2", "b/1", "c", "d e"]);
    let under_a = c
        .list_objects_v2()
        .bucket("data")
        .prefix("a/")
        .send()
        .await
        .unwrap();
    assert_eq!(under_a.key_count(), Some(2));
    // Copy, to itself only with REPLACE.
    c.copy_object()
        .bucket("data")
        .key("copy")
        .copy_source("data/c")
        .send()
        .await
        .unwrap();
    let e = c
        .copy_object()
        .bucket("data")
        .key("c")
        .copy_source("data/c")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidRequest");
    let e = c
        .copy_object()
        .bucket("data")
        .key("x")
        .copy_source("data/missing")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "NoSuchKey");
    let del = c
        .delete_objects()
        .bucket("data")
        .delete(
            s3::types::Delete::builder()
                .objects(
                    s3::types::ObjectIdentifier::builder()
                        .key("a/1")
                        .build()
                        .unwrap(),
                )
                .objects(
                    s3::types::ObjectIdentifier::builder()
                        .key("copy")
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(del.deleted().len(), 2);
    assert_eq!(
        h.twin().s3().keys("data", ""),
        vec!["a/2", "b/1", "c", "d e"]
    );
}

#[tokio::test]
async fn multipart_uploads_give_s3s_etag_and_refuse_bad_part_lists() {
    let h = Harness::new().await;
    let c = client(&h.running.endpoint_url());
    c.create_bucket().bucket("data").send().await.unwrap();
    let id = c
        .create_multipart_upload()
        .bucket("data")
        .key("big")
        .send()
        .await
        .unwrap()
        .upload_id
        .unwrap();
    let five_mib = vec![7u8; 5 * 1024 * 1024];
    let mut parts = Vec::new();
    for (n, data) in [five_mib.clone(), five_mib.clone(), b"tail".to_vec()]
        .into_iter()
        .enumerate()
    {
        let out = c
            .upload_part()
            .bucket("data")
            .key("big")
            .upload_id(&id)
            .part_number(n as i32 + 1)
            .body(ByteStream::from(data))
            .send()
            .await
            .unwrap();
        parts.push(
            CompletedPart::builder()
                .part_number(n as i32 + 1)
                .e_tag(out.e_tag().unwrap())
                .build(),
        );
    }
    let listed = c
        .list_parts()
        .bucket("data")
        .key("big")
        .upload_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.parts().len(), 3);
    let wrong = vec![parts[1].clone(), parts[0].clone()];
    let e = c
        .complete_multipart_upload()
        .bucket("data")
        .key("big")
        .upload_id(&id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(wrong))
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidPartOrder");
    let done = c
        .complete_multipart_upload()
        .bucket("data")
        .key("big")
        .upload_id(&id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(parts))
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert!(
        done.e_tag().unwrap().ends_with("-3\""),
        "{:?}",
        done.e_tag()
    );
    let head = c
        .head_object()
        .bucket("data")
        .key("big")
        .send()
        .await
        .unwrap();
    assert_eq!(head.content_length(), Some(10 * 1024 * 1024 + 4));
    let e = c
        .list_parts()
        .bucket("data")
        .key("big")
        .upload_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "NoSuchUpload");
    // A small part that is not the last.
    let id = c
        .create_multipart_upload()
        .bucket("data")
        .key("small")
        .send()
        .await
        .unwrap()
        .upload_id
        .unwrap();
    let mut parts = Vec::new();
    for n in 1..=2 {
        let out = c
            .upload_part()
            .bucket("data")
            .key("small")
            .upload_id(&id)
            .part_number(n)
            .body(ByteStream::from_static(b"tiny"))
            .send()
            .await
            .unwrap();
        parts.push(
            CompletedPart::builder()
                .part_number(n)
                .e_tag(out.e_tag().unwrap())
                .build(),
        );
    }
    let e = c
        .complete_multipart_upload()
        .bucket("data")
        .key("small")
        .upload_id(&id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(parts))
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "EntityTooSmall");
    c.abort_multipart_upload()
        .bucket("data")
        .key("small")
        .upload_id(&id)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn virtual_host_style_names_the_bucket_in_the_host() {
    let h = Harness::new().await;
    let c = client(&h.running.endpoint_url());
    c.create_bucket().bucket("vhost").send().await.unwrap();
    c.put_object()
        .bucket("vhost")
        .key("greeting")
        .body(ByteStream::from_static(b"hi"))
        .send()
        .await
        .unwrap();
    let addr = h.running.addr();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let request = format!(
        "GET /greeting HTTP/1.1\r\nHost: vhost.localhost:{}\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0\r\nConnection: close\r\n\r\n",
        addr.port()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).await.unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.ends_with("hi"), "{reply}");
}

#[tokio::test]
async fn objects_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = TwinConfig {
        state_dir: Some(dir.path().to_path_buf()),
        ..TwinConfig::default()
    };
    let etag = {
        let h = Harness::with_config(config.clone()).await;
        let c = client(&h.running.endpoint_url());
        c.create_bucket().bucket("keep").send().await.unwrap();
        let put = c
            .put_object()
            .bucket("keep")
            .key("k")
            .body(ByteStream::from_static(b"kept"))
            .send()
            .await
            .unwrap();
        drop(c);
        h.running.shutdown().await.unwrap();
        put.e_tag.unwrap()
    };
    let h = Harness::with_config(config).await;
    let c = client(&h.running.endpoint_url());
    let got = c.get_object().bucket("keep").key("k").send().await.unwrap();
    assert_eq!(got.e_tag(), Some(etag.as_str()));
    assert_eq!(body(got).await, b"kept");
}
