"""A Kinesis Data Analytics SQL application translated to Apache Flink by kdaflow.

This file is the same for every application: it runs the job that `job.json` describes
(`job.sql` is the same job for people to read; `report.md` says what was translated how).

Locally (`kdaflow flink run` starts it, or by hand with PyFlink 1.20):

    python main.py --input-dir DIR --output-dir DIR [--parallelism N]

On Managed Service for Apache Flink the property group `kdaflow` of the application's
runtime properties fills the `${NAME}` placeholders of the job's tables (stream ARNs that the
translation could not know, e.g. the Kinesis stream that replaces a Firehose input).

On the kdaflow twin (its kinesisanalyticsv2 runs the zip): `python main.py --twin-dir DIR`, with
the runtime properties in the file KDAFLOW_PROPERTIES names. The job's Kinesis and Firehose
tables are then filesystem tables under DIR, which the twin feeds from and drains into its own
streams; checkpoints (which commit the sink files) are taken every second, and the process runs
until the twin stops it. Snapshots are Flink savepoints: the twin asks for one by writing
`DIR/control/savepoint-NAME` (or `stop-NAME` to stop the job with one), and main.py answers
with `DIR/control/done-NAME` (the savepoint's path) or `failed-NAME` (why);
`--restore PATH` starts the job from a savepoint.
"""

import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MSF_PROPERTIES = "/etc/flink/application_properties.json"


def properties():
    """The `kdaflow` property group on Managed Service for Apache Flink or the twin (empty
    elsewhere)."""
    path = os.environ.get("KDAFLOW_PROPERTIES") or MSF_PROPERTIES
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        groups = json.load(f)
    for group in groups:
        if group.get("PropertyGroupId") == "kdaflow":
            return dict(group.get("PropertyMap", {}))
    return {}


def filler(values):
    def fill(sql):
        def one(m):
            name = m.group(1)
            if name not in values or values[name] in (None, ""):
                raise SystemExit(
                    f"kdaflow: the job needs ${{{name}}}: give it in the `kdaflow` property group "
                    f"(or as --set {name}=VALUE)"
                )
            return values[name]

        return re.sub(r"\$\{([A-Z0-9_]+)\}", one, sql)

    return fill


def quote(name):
    return "`" + name.replace("`", "``") + "`"


def type_info(flink_type):
    """The DataStream type of a column's Flink SQL type."""
    from pyflink.common import Types

    t = flink_type.upper()
    base = t.split("(")[0].strip()
    simple = {
        "BOOLEAN": Types.BOOLEAN,
        "TINYINT": Types.BYTE,
        "SMALLINT": Types.SHORT,
        "INT": Types.INT,
        "BIGINT": Types.LONG,
        "FLOAT": Types.FLOAT,
        "DOUBLE": Types.DOUBLE,
        "DECIMAL": Types.BIG_DEC,
        "CHAR": Types.STRING,
        "VARCHAR": Types.STRING,
        "DATE": Types.SQL_DATE,
        "TIME": Types.SQL_TIME,
        "TIMESTAMP": Types.SQL_TIMESTAMP,
    }
    if base in simple:
        return simple[base]()
    if base in ("BINARY", "VARBINARY"):
        return Types.PRIMITIVE_ARRAY(Types.BYTE())
    raise SystemExit(f"kdaflow: no DataStream type for {flink_type}")


def random_cut_forest(t_env, step):
    """RANDOM_CUT_FOREST over a view, as one forest at parallelism 1 (the service's forest
    is one per pump): the view's rows leave the Table API, are scored in order, and come
    back with ANOMALY_SCORE and their ROWTIME as event time."""
    from pyflink.common import Row, Types
    from pyflink.datastream import MapFunction
    from pyflink.table import Schema

    columns = step["columns"]
    width = len(columns)
    numeric = step["numeric"]
    explanation = step.get("explanation")
    params = dict(
        dims=len(numeric),
        shingle_size=step["shingle_size"],
        trees=step["trees"],
        sample_size=step["sample_size"],
        time_decay=step["time_decay"],
        seed=step["seed"],
        column_names=step.get("column_names", []),
        explanation=explanation,
    )

    class Score(MapFunction):
        def open(self, runtime_context):
            from kdaflow_rcf import Forest

            self.forest = Forest(**params)

        def map(self, row):
            values = [row[i] for i in range(width)]
            scored = self.forest.push([values[i] for i in numeric])
            if explanation is None:
                return Row(*values, scored)
            return Row(*values, *scored)

    names = [c["name"] for c in columns] + ["ANOMALY_SCORE"]
    types = [type_info(c["flink_type"]) for c in columns] + [Types.DOUBLE()]
    if explanation is not None:
        names.append("ANOMALY_EXPLANATION")
        types.append(Types.STRING())
    stream = t_env.to_data_stream(t_env.from_path(quote(step["input"])))
    scored = (
        stream.map(Score(), output_type=Types.ROW_NAMED(names, types))
        .name(f"RANDOM_CUT_FOREST {step['output']}")
        .set_parallelism(1)
    )
    schema = Schema.new_builder()
    for c in columns:
        schema.column(c["name"], c["flink_type"])
    schema.column("ANOMALY_SCORE", "DOUBLE")
    if explanation is not None:
        schema.column("ANOMALY_EXPLANATION", "VARCHAR(20480)")
    schema.column_by_metadata("ROWTIME", "TIMESTAMP(3)", "rowtime")
    schema.watermark("ROWTIME", "SOURCE_WATERMARK()")
    t_env.create_temporary_view(quote(step["output"]), t_env.from_data_stream(scored, schema.build()))


def twin_controls(client, twin_dir):
    """Answers the twin's requests for savepoints (its snapshots) in a thread, while the main
    thread waits for the job."""
    import threading
    import time

    control = os.path.join(twin_dir, "control")
    savepoints = os.path.join(twin_dir, "savepoints")
    os.makedirs(control, exist_ok=True)

    def answer(name, ok, text):
        final = f"{'done' if ok else 'failed'}-{name}"
        hidden = os.path.join(control, "." + final)
        with open(hidden, "w") as f:
            f.write(text)
        os.replace(hidden, os.path.join(control, final))

    def serve():
        while True:
            for entry in sorted(os.listdir(control)):
                kind, _, name = entry.partition("-")
                if kind not in ("savepoint", "stop") or not name:
                    continue
                os.remove(os.path.join(control, entry))
                target = "file://" + os.path.join(savepoints, name)
                try:
                    if kind == "stop":
                        path = client.stop_with_savepoint(False, target).result()
                    else:
                        path = client.trigger_savepoint(target).result()
                    answer(name, True, str(path))
                except Exception as e:  # the twin reports it as the snapshot's failure
                    answer(name, False, str(e).splitlines()[0][:500] if str(e) else repr(e))
                if kind == "stop":
                    print(f"kdaflow: job stopped with savepoint {name}", flush=True)
                    os._exit(0)
            time.sleep(0.2)

    threading.Thread(target=serve, daemon=True).start()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input-dir", help="the local profile's source directories")
    parser.add_argument("--output-dir", help="the local profile's sink directories")
    parser.add_argument("--parallelism", type=int, help="the job's default parallelism")
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="fill a ${NAME} placeholder"
    )
    parser.add_argument("--plan", help="write the job's plan to this file (and run it)")
    parser.add_argument(
        "--twin-dir", help="run on the kdaflow twin: the Kinesis tables as files under this directory"
    )
    parser.add_argument("--restore", help="start from this savepoint (the twin's snapshots)")
    parser.add_argument(
        "--allow-non-restored-state",
        action="store_true",
        help="with --restore: start even if the savepoint has state the job cannot map",
    )
    args, _ = parser.parse_known_args()

    with open(os.path.join(HERE, "job.json")) as f:
        job = json.load(f)
    values = {"AWS_REGION": os.environ.get("AWS_REGION", "")}
    if args.input_dir:
        values["INPUT_DIR"] = "file://" + os.path.abspath(args.input_dir)
    if args.output_dir:
        values["OUTPUT_DIR"] = "file://" + os.path.abspath(args.output_dir)
    if args.twin_dir:
        values["TWIN_DIR"] = "file://" + os.path.abspath(args.twin_dir)
    values.update(properties())
    for item in args.set:
        name, _, value = item.partition("=")
        values[name] = value
    fill = filler(values)

    from pyflink.common import Configuration
    from pyflink.datastream import RuntimeExecutionMode, StreamExecutionEnvironment
    from pyflink.table import EnvironmentSettings, StreamTableEnvironment

    startup = Configuration()
    if args.restore:
        startup.set_string("execution.savepoint.path", args.restore)
        if args.allow_non_restored_state:
            startup.set_string("execution.savepoint.ignore-unclaimed-state", "true")
    env = StreamExecutionEnvironment.get_execution_environment(startup)
    env.set_runtime_mode(RuntimeExecutionMode.STREAMING)
    if args.parallelism:
        env.set_parallelism(args.parallelism)
    env.add_python_file(os.path.join(HERE, "kdaflow_rcf.py"))
    t_env = StreamTableEnvironment.create(env, EnvironmentSettings.in_streaming_mode())
    config = t_env.get_config()
    config.set("table.local-time-zone", "UTC")
    config.set("pipeline.name", job["name"])
    if args.parallelism:
        config.set("table.exec.resource.default-parallelism", str(args.parallelism))
    # Aggregates in one phase: a sum of doubles adds in arrival order, as the engine does
    # (two-phase aggregation at parallelism > 1 reorders the additions).
    config.set("table.optimizer.agg-phase-strategy", "ONE_PHASE")
    if args.twin_dir:
        # The filesystem sink commits its files at checkpoints: every second on the twin.
        config.set("execution.checkpointing.interval", "1 s")
    # Values are cut to a column's VARCHAR(n) (and CHAR(n) padded) by the CAST each pump's
    # SELECT makes, as the service does; the sink's TRIM_PAD enforcer is not used (in 1.20 it
    # fails on a NULL string).

    streams_api = False
    for step in job["steps"]:
        if step["kind"] == "sql":
            sql = step.get("twin") if args.twin_dir and step.get("twin") else step["sql"]
            t_env.execute_sql(fill(sql))
        elif step["kind"] == "rcf":
            random_cut_forest(t_env, step)
            streams_api = True
        else:
            raise SystemExit(f"kdaflow: unknown step {step['kind']!r} in job.json")
    if not job["inserts"]:
        raise SystemExit("kdaflow: the job writes no output (see report.md)")
    statements = t_env.create_statement_set()
    for insert in job["inserts"]:
        statements.add_insert_sql(fill(insert))
    if streams_api:
        statements.attach_as_datastream()
        if args.plan:
            with open(args.plan, "w") as f:
                f.write(env.get_execution_plan())
        if args.twin_dir:
            client = env.execute_async(job["name"])
            print(f"kdaflow: job {client.get_job_id()} submitted", flush=True)
            twin_controls(client, args.twin_dir)
            client.get_job_execution_result().result()
        else:
            env.execute(job["name"])
    else:
        if args.plan:
            with open(args.plan, "w") as f:
                f.write(statements.explain())
        result = statements.execute()
        if args.twin_dir:
            client = result.get_job_client()
            print(f"kdaflow: job {client.get_job_id()} submitted", flush=True)
            twin_controls(client, args.twin_dir)
        # Locally the job ends with its bounded input, and on the twin it runs until the twin
        # stops it; on Managed Service for Apache Flink the service owns the running job, and
        # main.py returns once it is submitted.
        if args.input_dir or args.twin_dir:
            result.wait()
    print(f"kdaflow: {job['name']} finished", file=sys.stderr)


if __name__ == "__main__":
    main()
