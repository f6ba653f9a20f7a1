//! RANDOM_CUT_FOREST and RANDOM_CUT_FOREST_WITH_EXPLANATION.
//!
//! The forest is `krcflib` (library name `rcflib`): a packaging of the Rust port in AWS's own
//! random-cut-forest-by-aws, the reference implementation of the algorithm the service is
//! documented to use. `rcf3` was also evaluated: a separate, newer re-implementation by the
//! same packager that bundles other detectors (online isolation forest, mStream) and pulls
//! `ndarray` and a second `rand` generation; staying with the reference implementation keeps
//! scores closest to AWS's and the dependency tree smaller. krcflib's optional rayon
//! parallelism is switched off: the engine runs on the caller's thread.
//!
//! Service behaviour reproduced: each record is scored *before* it updates the forest; the
//! score is 0 until `subSampleSize` records have been seen (warm-up); `timeDecay` is the
//! number of recent records that matter, i.e. a decay rate of `1 / timeDecay`; only numeric
//! columns feed the forest (NULL is fed as 0), other columns pass through.

use rcflib::rcf::{RCF, RCFBuilder, RCFOptionsBuilder};

use crate::engine::Row;
use crate::error::SqlError;
use crate::plan::RcfSpec;
use crate::types::Value;

/// A forest plus its warm-up counter.
pub struct Forest {
    rcf: Box<dyn RCF + Sync + Send>,
    spec: RcfSpec,
    seen: u64,
    point: Vec<f32>,
}

impl std::fmt::Debug for Forest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Forest")
            .field("spec", &self.spec)
            .field("seen", &self.seen)
            .finish()
    }
}

impl Forest {
    /// Builds a forest for `spec`, seeded for reproducible scores.
    pub fn new(spec: &RcfSpec, seed: u64) -> Result<Self, SqlError> {
        let dims = spec.numeric_columns.len();
        let rcf = RCFBuilder::new(dims, spec.shingle_size)
            .number_of_trees(spec.trees)
            .tree_capacity(spec.sample_size)
            .time_decay(1.0 / spec.time_decay as f64)
            .random_seed(seed)
            .parallel_enabled(false)
            .internal_shingling(true)
            .store_attributes(false)
            .build_default()
            .map_err(|e| SqlError::Forest(format!("{e:?}")))?;
        Ok(Self {
            rcf,
            spec: spec.clone(),
            seen: 0,
            point: vec![0.0; dims],
        })
    }

    /// Scores the row, updates the forest, and emits the row with ANOMALY_SCORE appended.
    pub fn push(&mut self, row: &Row, out: &mut Vec<Row>) -> Result<(), String> {
        for (slot, &c) in self.point.iter_mut().zip(&self.spec.numeric_columns) {
            *slot = row.values[c].as_f64().unwrap_or(0.0) as f32;
        }
        let warm = self.seen >= self.spec.sample_size as u64 && self.rcf.is_output_ready();
        let score = if warm {
            self.rcf
                .score(&self.point)
                .map_err(|e| format!("random cut forest: {e:?}"))?
        } else {
            0.0
        };
        let explanation = match self.spec.explanation {
            Some(directional) => Some(if warm {
                self.explain(directional)?
            } else {
                "{}".to_string()
            }),
            None => None,
        };
        self.rcf
            .update(&self.point, 0)
            .map_err(|e| format!("random cut forest: {e:?}"))?;
        self.seen += 1;
        let mut values = Vec::with_capacity(row.values.len() + 2);
        values.extend(row.values.iter().cloned());
        values.push(Value::Double(score));
        if let Some(e) = explanation {
            values.push(Value::str(&e));
        }
        out.push(Row {
            rowtime: row.rowtime,
            values,
        });
        Ok(())
    }

    /// ANOMALY_EXPLANATION: per column, the attribution (sum over the shingle of the high and
    /// low parts), and with directionality whether the value is unusually HIGH or LOW.
    fn explain(&self, directional: bool) -> Result<String, String> {
        let di = self
            .rcf
            .attribution(&self.point)
            .map_err(|e| format!("random cut forest: {e:?}"))?;
        let dims = self.spec.numeric_columns.len();
        let mut obj = serde_json::Map::new();
        for (i, name) in self.spec.column_names.iter().enumerate() {
            let (mut high, mut low) = (0.0, 0.0);
            // Attribution covers every shingle position; the newest value's dims come last.
            let mut j = i;
            while j < di.high.len() {
                high += di.high[j];
                low += di.low[j];
                j += dims;
            }
            let mut m = serde_json::Map::new();
            if directional {
                m.insert(
                    "DIRECTION".into(),
                    (if high >= low { "HIGH" } else { "LOW" }).into(),
                );
                m.insert(
                    "STRENGTH".into(),
                    format!("{:.4}", (high - low).abs()).into(),
                );
            }
            m.insert(
                "ATTRIBUTION_SCORE".into(),
                format!("{:.4}", high + low).into(),
            );
            obj.insert(name.clone(), serde_json::Value::Object(m));
        }
        Ok(serde_json::Value::Object(obj).to_string())
    }
}
