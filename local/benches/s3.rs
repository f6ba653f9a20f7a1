//! S3 on the twin: PutObject and GetObject of one large object through `aws-sdk-s3`, against
//! the disk itself (a file of the same size written, synced and read back) in the same run,
//! with the process's resident memory before and after (the body is streamed, never held).
//!
//! `cargo bench -p kdaflow-local --bench s3 -- --mb 100`

use std::io::{Read, Write};
use std::time::Instant;

use aws_sdk_s3::primitives::ByteStream;
use kdaflow_local::{Twin, TwinConfig};

mod common;
use common::arg;

/// Resident memory now and at its peak (kB), from /proc/self/status.
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn mb_per_s(bytes: u64, secs: f64) -> f64 {
    bytes as f64 / 1e6 / secs
}

#[tokio::main]
async fn main() {
    let mb = arg("--mb", 100);
    let bytes = mb * 1024 * 1024;
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source.bin");
    {
        let mut f = std::fs::File::create(&source).unwrap();
        let block: Vec<u8> = (0..1024 * 1024).map(|i| (i % 251) as u8).collect();
        for _ in 0..mb {
            f.write_all(&block).unwrap();
        }
        f.sync_all().unwrap();
    }

    // The disk: the same bytes copied into a new file and synced, then read back.
    let t = Instant::now();
    let copy = dir.path().join("copy.bin");
    {
        let mut out = std::fs::File::create(&copy).unwrap();
        std::io::copy(&mut std::fs::File::open(&source).unwrap(), &mut out).unwrap();
        out.sync_all().unwrap();
    }
    let disk_write = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut buf = vec![0u8; 256 * 1024];
    let mut f = std::fs::File::open(&copy).unwrap();
    while f.read(&mut buf).unwrap() > 0 {}
    let disk_read = t.elapsed().as_secs_f64();

    // The floor under PutObject: S3's ETag is the MD5 of the bytes, and MD5 is sequential.
    let t = Instant::now();
    let mut f = std::fs::File::open(&copy).unwrap();
    let mut md5 = <md5::Md5 as md5::Digest>::new();
    loop {
        let n = f.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        md5::Digest::update(&mut md5, &buf[..n]);
    }
    std::hint::black_box(md5::Digest::finalize(md5));
    let md5_alone = t.elapsed().as_secs_f64();

    let state = dir.path().join("state");
    let config = TwinConfig {
        state_dir: Some(state),
        ..TwinConfig::default()
    };
    let twin = Twin::builder(config).build().unwrap();
    let running = twin.spawn(0).await.unwrap();
    let c = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::Config::builder()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(aws_sdk_s3::config::Region::new("us-east-1"))
            .endpoint_url(running.endpoint_url())
            .force_path_style(true)
            .credentials_provider(aws_sdk_s3::config::Credentials::new(
                "AKIDBENCH",
                "secret",
                None,
                None,
                "bench",
            ))
            .build(),
    );
    c.create_bucket().bucket("bench").send().await.unwrap();
    let (rss_before, _) = memory();

    let t = Instant::now();
    c.put_object()
        .bucket("bench")
        .key("big")
        .body(ByteStream::from_path(&source).await.unwrap())
        .send()
        .await
        .unwrap();
    let put = t.elapsed().as_secs_f64();
    let (rss_after_put, _) = memory();

    let t = Instant::now();
    let mut body = c
        .get_object()
        .bucket("bench")
        .key("big")
        .send()
        .await
        .unwrap()
        .body;
    let mut got = 0u64;
    while let Some(chunk) = body.try_next().await.unwrap() {
        got += chunk.len() as u64;
    }
    let get = t.elapsed().as_secs_f64();
    assert_eq!(got, bytes);
    let (rss_after_get, peak) = memory();

    println!(
        "S3 on the twin, one {mb} MiB object (client and twin in this process; state dir synced)"
    );
    println!(
        "  disk write+sync  {:>8.1} MB/s   PutObject (aws-sdk-s3, CRC32 trailer)  {:>8.1} MB/s",
        mb_per_s(bytes, disk_write),
        mb_per_s(bytes, put)
    );
    println!(
        "  disk read        {:>8.1} MB/s   GetObject                              {:>8.1} MB/s",
        mb_per_s(bytes, disk_read),
        mb_per_s(bytes, get)
    );
    println!(
        "  MD5 of the bytes {:>8.1} MB/s   (the ETag; one core, the bound on PutObject)",
        mb_per_s(bytes, md5_alone)
    );
    println!(
        "  resident memory: {} MiB before, {} MiB after PutObject, {} MiB after GetObject (peak {} MiB; the object is {mb} MiB)",
        rss_before / 1024,
        rss_after_put / 1024,
        rss_after_get / 1024,
        peak / 1024
    );
}
