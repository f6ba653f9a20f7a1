// Timestamp inputs through the AWS SDK for JavaScript v3 (milliseconds as a fraction on the
// awsJson wire): Kinesis Analytics DeleteApplication CreateTimestamp, Kinesis ListShards
// StreamCreationTimestamp and GetShardIterator AT_TIMESTAMP, EventBridge PutEvents Time.
// Usage: node timestamps.mjs ENDPOINT
import {
  KinesisAnalyticsClient, CreateApplicationCommand, DescribeApplicationCommand,
  DeleteApplicationCommand,
} from "@aws-sdk/client-kinesis-analytics";
import {
  KinesisClient, CreateStreamCommand, DescribeStreamSummaryCommand, ListShardsCommand,
  PutRecordCommand, GetShardIteratorCommand, GetRecordsCommand,
} from "@aws-sdk/client-kinesis";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";

const endpoint = process.argv[2];
const config = {
  endpoint, region: "us-east-1", maxAttempts: 1,
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
};
const check = (ok, what) => { if (!ok) { console.error(`FAIL: ${what}`); process.exit(1); } };

const kda = new KinesisAnalyticsClient(config);
await kda.send(new CreateApplicationCommand({ ApplicationName: "js-app" }));
const detail = (await kda.send(new DescribeApplicationCommand({ ApplicationName: "js-app" })))
  .ApplicationDetail;
check(detail.CreateTimestamp instanceof Date, "CreateTimestamp is a Date");
await kda.send(new DeleteApplicationCommand({
  ApplicationName: "js-app", CreateTimestamp: detail.CreateTimestamp,
}));
try {
  await kda.send(new DeleteApplicationCommand({
    ApplicationName: "js-app", CreateTimestamp: new Date(detail.CreateTimestamp.getTime() + 5000),
  }));
  check(false, "a wrong CreateTimestamp is refused");
} catch (e) {
  check(["InvalidArgumentException", "ResourceInUseException"].includes(e.name), `refusal: ${e.name}`);
}

const kinesis = new KinesisClient(config);
await kinesis.send(new CreateStreamCommand({ StreamName: "js-stream", ShardCount: 1 }));
const created = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: "js-stream" })))
  .StreamDescriptionSummary.StreamCreationTimestamp;
const shards = await kinesis.send(new ListShardsCommand({
  StreamName: "js-stream", StreamCreationTimestamp: created,
}));
check(shards.Shards.length === 1, "ListShards with StreamCreationTimestamp");
const before = new Date();
await kinesis.send(new PutRecordCommand({
  StreamName: "js-stream", PartitionKey: "k", Data: new TextEncoder().encode("x"),
}));
const it = await kinesis.send(new GetShardIteratorCommand({
  StreamName: "js-stream", ShardId: "shardId-000000000000", ShardIteratorType: "AT_TIMESTAMP",
  Timestamp: new Date(before.getTime() - 1000),
}));
const got = await kinesis.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
check(got.Records.length === 1, `AT_TIMESTAMP reads the record (${got.Records.length})`);

const events = new EventBridgeClient(config);
const put = await events.send(new PutEventsCommand({
  Entries: [{ Source: "kdaflow.js", DetailType: "t", Detail: "{}", Time: new Date(1767225601250) }],
}));
check(put.FailedEntryCount === 0, "PutEvents with Time");
console.log("JavaScript SDK v3: every timestamp input accepted");
