//! Constraint checks of the kinesisanalyticsv2 shapes, in the front end's wording, through the
//! collector every service shares ([`crate::validation::Constraints`]). Member paths are
//! lowerCamel with 1-based `.N.member` list indices, as the service prints them.

use std::sync::LazyLock;

use regex::Regex;

use super::model::*;
use crate::validation::{Constraints, anchored};

/// The model's patterns.
pub mod patterns {
    /// RoleARN, BucketARN, LogStreamARN, ResourceARN.
    pub const ARN: &str = "arn:.*";
    /// SnapshotName, Id (PropertyGroupId, CloudWatchLoggingOptionId).
    pub const NAME: &str = "[a-zA-Z0-9_.-]+";
    /// ConditionalToken.
    pub const CONDITIONAL_TOKEN: &str = "[a-zA-Z0-9-_+/=]+";
    /// ApplicationMaintenanceWindowStartTime.
    pub const WINDOW_START: &str = "([01][0-9]|2[0-3]):[0-5][0-9]";
}

static ARN: LazyLock<Regex> = LazyLock::new(|| Regex::new("^arn:").expect("valid"));
static NAME: LazyLock<Regex> = LazyLock::new(|| anchored(patterns::NAME));
static TOKEN: LazyLock<Regex> = LazyLock::new(|| anchored(patterns::CONDITIONAL_TOKEN));
static WINDOW: LazyLock<Regex> = LazyLock::new(|| anchored(patterns::WINDOW_START));

/// The model's RuntimeEnvironment values.
pub const RUNTIMES: &[&str] = &[
    "SQL-1_0",
    "FLINK-1_6",
    "FLINK-1_8",
    "ZEPPELIN-FLINK-1_0",
    "FLINK-1_11",
    "FLINK-1_13",
    "ZEPPELIN-FLINK-2_0",
    "FLINK-1_15",
    "ZEPPELIN-FLINK-3_0",
    "FLINK-1_18",
    "FLINK-1_19",
    "FLINK-1_20",
    "FLINK-2_2",
    "FLINK-2_3",
];
const CONFIGURATION_TYPES: &[&str] = &["DEFAULT", "CUSTOM"];
const METRICS_LEVELS: &[&str] = &["APPLICATION", "TASK", "OPERATOR", "PARALLELISM"];
const LOG_LEVELS: &[&str] = &["INFO", "WARN", "ERROR", "DEBUG"];
const CODE_CONTENT_TYPES: &[&str] = &["PLAINTEXT", "ZIPFILE"];
/// ApplicationRestoreType values.
pub const RESTORE_TYPES: &[&str] = &[
    "SKIP_RESTORE_FROM_SNAPSHOT",
    "RESTORE_FROM_LATEST_SNAPSHOT",
    "RESTORE_FROM_CUSTOM_SNAPSHOT",
];
/// OperationStatus values.
pub const OPERATION_STATUSES: &[&str] = &["IN_PROGRESS", "CANCELLED", "SUCCESSFUL", "FAILED"];
const MODES: &[&str] = &["STREAMING", "INTERACTIVE"];
/// ZipFileContent's largest size in bytes (50 MiB).
pub const MAX_ZIP_BYTES: usize = 52_428_800;

fn arn(v: &mut Constraints, path: &str, value: Option<&String>) {
    if let Some(x) = value {
        v.len(path, x, 1, 2048);
        v.pattern(path, x, &ARN, patterns::ARN);
    }
}

/// A required ARN member.
pub fn required_arn(v: &mut Constraints, path: &str, value: &Option<String>) {
    let x = v.required(path, value);
    arn(v, path, x);
}

/// A RuntimeEnvironment.
pub fn runtime(v: &mut Constraints, path: &str, value: Option<&String>) {
    if let Some(x) = value {
        v.one_of(path, x, RUNTIMES);
    }
}

/// An ApplicationMode.
pub fn mode(v: &mut Constraints, path: &str, value: Option<&String>) {
    if let Some(x) = value {
        v.one_of(path, x, MODES);
    }
}

/// A SnapshotName (1..256, pattern).
pub fn snapshot_name(v: &mut Constraints, path: &str, value: &Option<String>) {
    if let Some(x) = v.required(path, value) {
        v.len(path, x, 1, 256);
        v.pattern(path, x, &NAME, patterns::NAME);
    }
}

/// An optional SnapshotName.
pub fn optional_snapshot_name(v: &mut Constraints, path: &str, value: &Option<String>) {
    if value.is_some() {
        snapshot_name(v, path, value);
    }
}

/// A ConditionalToken.
pub fn conditional_token(v: &mut Constraints, path: &str, value: &Option<String>) {
    if let Some(x) = value {
        v.len(path, x, 1, 512);
        v.pattern(path, x, &TOKEN, patterns::CONDITIONAL_TOKEN);
    }
}

/// An optional CurrentApplicationVersionId.
pub fn optional_version(v: &mut Constraints, path: &str, value: Option<i64>) {
    if let Some(x) = value {
        v.range(path, x, 1, 999_999_999);
    }
}

/// A list `Limit` (1..50) and `NextToken` (1..512).
pub fn page(v: &mut Constraints, limit: Option<i64>, next_token: &Option<String>) {
    if let Some(l) = limit {
        v.range("limit", l, 1, 50);
    }
    if let Some(t) = next_token {
        v.len("nextToken", t, 1, 512);
    }
}

/// An OperationId (1..64).
pub fn operation_id(v: &mut Constraints, path: &str, value: &Option<String>) {
    if let Some(x) = v.required(path, value) {
        v.len(path, x, 1, 64);
    }
}

/// A maintenance window start (HH:MM).
pub fn window_start(v: &mut Constraints, path: &str, value: &Option<String>) {
    if let Some(x) = v.required(path, value) {
        v.len(path, x, 5, 5);
        v.pattern(path, x, &WINDOW, patterns::WINDOW_START);
    }
}

fn name_id(v: &mut Constraints, path: &str, value: &Option<String>) {
    if let Some(x) = v.required(path, value) {
        v.len(path, x, 1, 50);
        v.pattern(path, x, &NAME, patterns::NAME);
    }
}

fn text(v: &mut Constraints, path: &str, value: &Option<String>) {
    if let Some(x) = value {
        v.len(path, x, 0, 102_400);
    }
}

fn s3_location(v: &mut Constraints, path: &str, value: &S3ContentLocation) {
    required_arn(v, &format!("{path}.bucketARN"), &value.bucket_arn);
    let p = format!("{path}.fileKey");
    if let Some(k) = v.required(&p, &value.file_key) {
        v.len(&p, k, 1, 1024);
    }
    if let Some(o) = &value.object_version {
        v.len(&format!("{path}.objectVersion"), o, 0, 1024);
    }
}

fn checkpoint(v: &mut Constraints, path: &str, c: &CheckpointConfiguration) {
    let p = format!("{path}.configurationType");
    if let Some(t) = v.required(&p, &c.configuration_type) {
        v.one_of(&p, t, CONFIGURATION_TYPES);
    }
    if let Some(i) = c.checkpoint_interval {
        v.range(&format!("{path}.checkpointInterval"), i, 1, i64::MAX);
    }
    if let Some(m) = c.min_pause_between_checkpoints {
        v.range(
            &format!("{path}.minPauseBetweenCheckpoints"),
            m,
            0,
            i64::MAX,
        );
    }
}

fn monitoring(v: &mut Constraints, path: &str, c: &MonitoringConfiguration) {
    let p = format!("{path}.configurationType");
    if let Some(t) = v.required(&p, &c.configuration_type) {
        v.one_of(&p, t, CONFIGURATION_TYPES);
    }
    if let Some(m) = &c.metrics_level {
        v.one_of(&format!("{path}.metricsLevel"), m, METRICS_LEVELS);
    }
    if let Some(l) = &c.log_level {
        v.one_of(&format!("{path}.logLevel"), l, LOG_LEVELS);
    }
}

fn parallelism(v: &mut Constraints, path: &str, c: &ParallelismConfiguration) {
    let p = format!("{path}.configurationType");
    if let Some(t) = v.required(&p, &c.configuration_type) {
        v.one_of(&p, t, CONFIGURATION_TYPES);
    }
    if let Some(n) = c.parallelism {
        v.range(&format!("{path}.parallelism"), n, 1, i64::from(i32::MAX));
    }
    if let Some(n) = c.parallelism_per_kpu {
        v.range(
            &format!("{path}.parallelismPerKPU"),
            n,
            1,
            i64::from(i32::MAX),
        );
    }
}

/// PropertyGroups (at most 50; each map 1..50 entries of 1..2048-character keys and values).
pub fn property_groups(v: &mut Constraints, path: &str, groups: &Option<Vec<PropertyGroup>>) {
    let Some(groups) = v.required(path, groups) else {
        return;
    };
    v.list_len(path, groups.len(), 0, 50);
    for (i, g) in groups.iter().enumerate() {
        let base = format!("{path}.{}.member", i + 1);
        name_id(v, &format!("{base}.propertyGroupId"), &g.property_group_id);
        let p = format!("{base}.propertyMap");
        if let Some(map) = v.required(&p, &g.property_map) {
            v.list_len(&p, map.len(), 1, 50);
            for (k, val) in map {
                v.len(&format!("{p}.key"), k, 1, 2048);
                v.len(&format!("{p}.value"), val, 1, 2048);
            }
        }
    }
}

fn code_content(v: &mut Constraints, path: &str, c: &CodeContent) {
    text(v, &format!("{path}.textContent"), &c.text_content);
    if let Some(loc) = &c.s3_content_location {
        s3_location(v, &format!("{path}.s3ContentLocation"), loc);
    }
}

/// ApplicationConfiguration.
pub fn configuration(v: &mut Constraints, path: &str, c: &ApplicationConfiguration) {
    if let Some(code) = &c.application_code_configuration {
        let p = format!("{path}.applicationCodeConfiguration");
        let t = format!("{p}.codeContentType");
        if let Some(ty) = v.required(&t, &code.code_content_type) {
            v.one_of(&t, ty, CODE_CONTENT_TYPES);
        }
        if let Some(content) = &code.code_content {
            code_content(v, &format!("{p}.codeContent"), content);
        }
    }
    if let Some(f) = &c.flink_application_configuration {
        let p = format!("{path}.flinkApplicationConfiguration");
        if let Some(x) = &f.checkpoint_configuration {
            checkpoint(v, &format!("{p}.checkpointConfiguration"), x);
        }
        if let Some(x) = &f.monitoring_configuration {
            monitoring(v, &format!("{p}.monitoringConfiguration"), x);
        }
        if let Some(x) = &f.parallelism_configuration {
            parallelism(v, &format!("{p}.parallelismConfiguration"), x);
        }
    }
    if let Some(e) = &c.environment_properties {
        property_groups(
            v,
            &format!("{path}.environmentProperties.propertyGroups"),
            &e.property_groups,
        );
    }
    if let Some(s) = &c.application_snapshot_configuration {
        v.required(
            &format!("{path}.applicationSnapshotConfiguration.snapshotsEnabled"),
            &s.snapshots_enabled,
        );
    }
    if let Some(r) = &c.application_system_rollback_configuration {
        v.required(
            &format!("{path}.applicationSystemRollbackConfiguration.rollbackEnabled"),
            &r.rollback_enabled,
        );
    }
}

/// ApplicationConfigurationUpdate.
pub fn configuration_update(v: &mut Constraints, path: &str, c: &ApplicationConfigurationUpdate) {
    if let Some(code) = &c.application_code_configuration_update {
        let p = format!("{path}.applicationCodeConfigurationUpdate");
        if let Some(t) = &code.code_content_type_update {
            v.one_of(&format!("{p}.codeContentTypeUpdate"), t, CODE_CONTENT_TYPES);
        }
        if let Some(u) = &code.code_content_update {
            let p = format!("{p}.codeContentUpdate");
            text(v, &format!("{p}.textContentUpdate"), &u.text_content_update);
            if let Some(s3) = &u.s3_content_location_update {
                let p = format!("{p}.s3ContentLocationUpdate");
                arn(
                    v,
                    &format!("{p}.bucketARNUpdate"),
                    s3.bucket_arn_update.as_ref(),
                );
                if let Some(k) = &s3.file_key_update {
                    v.len(&format!("{p}.fileKeyUpdate"), k, 1, 1024);
                }
            }
        }
    }
    if let Some(f) = &c.flink_application_configuration_update {
        let p = format!("{path}.flinkApplicationConfigurationUpdate");
        if let Some(x) = &f.checkpoint_configuration_update {
            let p = format!("{p}.checkpointConfigurationUpdate");
            if let Some(t) = &x.configuration_type_update {
                v.one_of(
                    &format!("{p}.configurationTypeUpdate"),
                    t,
                    CONFIGURATION_TYPES,
                );
            }
            if let Some(i) = x.checkpoint_interval_update {
                v.range(&format!("{p}.checkpointIntervalUpdate"), i, 1, i64::MAX);
            }
            if let Some(m) = x.min_pause_between_checkpoints_update {
                v.range(
                    &format!("{p}.minPauseBetweenCheckpointsUpdate"),
                    m,
                    0,
                    i64::MAX,
                );
            }
        }
        if let Some(x) = &f.monitoring_configuration_update {
            let p = format!("{p}.monitoringConfigurationUpdate");
            if let Some(t) = &x.configuration_type_update {
                v.one_of(
                    &format!("{p}.configurationTypeUpdate"),
                    t,
                    CONFIGURATION_TYPES,
                );
            }
            if let Some(m) = &x.metrics_level_update {
                v.one_of(&format!("{p}.metricsLevelUpdate"), m, METRICS_LEVELS);
            }
            if let Some(l) = &x.log_level_update {
                v.one_of(&format!("{p}.logLevelUpdate"), l, LOG_LEVELS);
            }
        }
        if let Some(x) = &f.parallelism_configuration_update {
            let p = format!("{p}.parallelismConfigurationUpdate");
            if let Some(t) = &x.configuration_type_update {
                v.one_of(
                    &format!("{p}.configurationTypeUpdate"),
                    t,
                    CONFIGURATION_TYPES,
                );
            }
            if let Some(n) = x.parallelism_update {
                v.range(&format!("{p}.parallelismUpdate"), n, 1, i64::from(i32::MAX));
            }
            if let Some(n) = x.parallelism_per_kpu_update {
                v.range(
                    &format!("{p}.parallelismPerKPUUpdate"),
                    n,
                    1,
                    i64::from(i32::MAX),
                );
            }
        }
    }
    if let Some(e) = &c.environment_property_updates {
        property_groups(
            v,
            &format!("{path}.environmentPropertyUpdates.propertyGroups"),
            &e.property_groups,
        );
    }
    if let Some(s) = &c.application_snapshot_configuration_update {
        v.required(
            &format!("{path}.applicationSnapshotConfigurationUpdate.snapshotsEnabledUpdate"),
            &s.snapshots_enabled_update,
        );
    }
    if let Some(r) = &c.application_system_rollback_configuration_update {
        v.required(
            &format!("{path}.applicationSystemRollbackConfigurationUpdate.rollbackEnabledUpdate"),
            &r.rollback_enabled_update,
        );
    }
}

/// An ApplicationRestoreConfiguration.
pub fn restore(v: &mut Constraints, path: &str, r: &ApplicationRestoreConfiguration) {
    let p = format!("{path}.applicationRestoreType");
    if let Some(t) = v.required(&p, &r.application_restore_type) {
        v.one_of(&p, t, RESTORE_TYPES);
    }
    optional_snapshot_name(v, &format!("{path}.snapshotName"), &r.snapshot_name);
}

/// CloudWatchLoggingOptions (each `{LogStreamARN*}`).
pub fn logging(v: &mut Constraints, path: &str, options: &[CloudWatchLoggingOption]) {
    for (i, o) in options.iter().enumerate() {
        required_arn(
            v,
            &format!("{path}.{}.member.logStreamARN", i + 1),
            &o.log_stream_arn,
        );
    }
}
