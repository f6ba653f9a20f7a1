//! Many clients at once: operations on one application are serialised and no update is lost.

use aws_sdk_kinesisanalytics::types::*;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_taggers_lose_nothing() {
    let h = Harness::new().await;
    create_bare(&h.client, "c").await;
    let arn = "arn:aws:kinesisanalytics:us-east-1:000000000000:application/c";
    let mut tasks = Vec::new();
    for i in 0..32 {
        let c = client(&h.running.endpoint_url());
        tasks.push(tokio::spawn(async move {
            c.tag_resource()
                .resource_arn(arn)
                .tags(
                    Tag::builder()
                        .key(format!("k{i}"))
                        .value(format!("{i}"))
                        .build()
                        .unwrap(),
                )
                .send()
                .await
                .map(|_| ())
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let tags = h
        .client
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags().len(), 32);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_with_one_version_exactly_one_wins() {
    let h = Harness::new().await;
    create_bare(&h.client, "w").await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let c = client(&h.running.endpoint_url());
        tasks.push(tokio::spawn(async move {
            c.add_application_output()
                .application_name("w")
                .current_application_version_id(1)
                .output(stream_output(
                    &format!("OUT_{i}"),
                    arns::STREAM,
                    arns::ROLE_KINESIS,
                ))
                .send()
                .await
                .map_err(|e| code(&e))
        }));
    }
    let mut wins = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => wins += 1,
            Err(code) => assert_eq!(code, "ConcurrentModificationException"),
        }
    }
    assert_eq!(wins, 1);
    h.advance_ms(1_000);
    let d = h
        .client
        .describe_application()
        .application_name("w")
        .send()
        .await
        .unwrap();
    let d = d.application_detail.unwrap();
    assert_eq!(d.application_version_id, 2);
    assert_eq!(d.output_descriptions().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_of_one_name_exactly_one_wins() {
    let h = Harness::new().await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let c = client(&h.running.endpoint_url());
        tasks.push(tokio::spawn(async move {
            create_reference(&c, "same")
                .await
                .map(|_| ())
                .map_err(|e| code(&e))
        }));
    }
    let mut wins = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => wins += 1,
            Err(code) => assert_eq!(code, "ResourceInUseException"),
        }
    }
    assert_eq!(wins, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_and_writers_on_different_applications_proceed_together() {
    let h = Harness::new().await;
    for i in 0..4 {
        create_reference(&h.client, &format!("rw-{i}"))
            .await
            .unwrap();
    }
    let mut tasks = Vec::new();
    for i in 0..4 {
        let c = client(&h.running.endpoint_url());
        tasks.push(tokio::spawn(async move {
            let name = format!("rw-{i}");
            for _ in 0..25 {
                c.describe_application()
                    .application_name(&name)
                    .send()
                    .await
                    .unwrap();
            }
            c.tag_resource()
                .resource_arn(format!(
                    "arn:aws:kinesisanalytics:us-east-1:000000000000:application/{name}"
                ))
                .tags(Tag::builder().key("done").value("yes").build().unwrap())
                .send()
                .await
                .unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    for i in 0..4 {
        let tags = h
            .client
            .list_tags_for_resource()
            .resource_arn(format!(
                "arn:aws:kinesisanalytics:us-east-1:000000000000:application/rw-{i}"
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(tags.tags().len(), 1);
    }
}
