//! Runtime stages: the executable form of [`StageSpec`]. Every stage takes rows in ROWTIME
//! order, may emit rows at once, and may emit rows when time advances (window close).

use crate::engine::Row;
use crate::engine::eval::{Ctx, eval, holds};
use crate::engine::join::{RefJoin, StreamJoin};
use crate::engine::sliding::Sliding;
use crate::engine::sort::{Distinct, GroupRank, Sort};
use crate::engine::stagger::Stagger;
use crate::engine::tumbling::Tumbling;
use crate::error::SqlError;
use crate::functions::distinct::CountDistinct;
use crate::functions::hotspots::Hotspots;
use crate::functions::rcf::Forest;
use crate::functions::topk::TopK;
use crate::plan::{CExpr, StageSpec};

/// A row a stage could not process; it becomes an error_stream row.
#[derive(Debug, Clone, PartialEq)]
pub struct RowFailure {
    /// What went wrong.
    pub message: String,
    /// The offending row.
    pub row: Row,
}

/// A stage ready to run.
#[derive(Debug)]
pub enum Stage {
    /// Filter and project.
    Project {
        /// WHERE.
        filter: Option<CExpr>,
        /// Output expressions.
        items: Vec<CExpr>,
    },
    /// Tumbling GROUP BY.
    Tumbling(Box<Tumbling>),
    /// WINDOWED BY STAGGER.
    Stagger(Box<Stagger>),
    /// Sliding window aggregates.
    Sliding(Box<Sliding>),
    /// A join with the reference table.
    RefJoin(Box<RefJoin>),
    /// ORDER BY.
    Sort(Box<Sort>),
    /// SELECT DISTINCT.
    Distinct(Box<Distinct>),
    /// GROUP_RANK.
    GroupRank(Box<GroupRank>),
    /// HOTSPOTS.
    Hotspots(Box<Hotspots>),
    /// A join of two streams.
    StreamJoin(Box<StreamJoin>),
    /// Random cut forest.
    Rcf(Box<Forest>),
    /// Distinct count per tumbling window.
    CountDistinct(Box<CountDistinct>),
    /// Top-K per tumbling window.
    TopK(Box<TopK>),
}

impl Stage {
    /// Builds a stage; `seed` makes the forest deterministic.
    pub fn new(spec: &StageSpec, seed: u64) -> Result<Self, SqlError> {
        Ok(match spec {
            StageSpec::Project { filter, items } => Stage::Project {
                filter: filter.clone(),
                items: items.clone(),
            },
            StageSpec::Tumbling { .. } => Stage::Tumbling(Box::new(Tumbling::new(spec))),
            StageSpec::Stagger { .. } => Stage::Stagger(Box::new(Stagger::new(spec))),
            StageSpec::Sliding { .. } => Stage::Sliding(Box::new(Sliding::new(spec))),
            StageSpec::RefJoin(j) => Stage::RefJoin(Box::new(RefJoin::new(j))),
            StageSpec::StreamJoin(j) => Stage::StreamJoin(Box::new(StreamJoin::new(j))),
            StageSpec::Hotspots {
                columns,
                window,
                radius,
                min_points,
            } => Stage::Hotspots(Box::new(Hotspots::new(
                columns,
                *window,
                *radius,
                *min_points,
            ))),
            StageSpec::GroupRank {
                column,
                desc,
                output_desc,
                max_idle_ms,
                output_max,
            } => Stage::GroupRank(Box::new(GroupRank::new(
                *column,
                *desc,
                *output_desc,
                *max_idle_ms,
                *output_max,
            ))),
            StageSpec::Distinct { leading, width } => {
                Stage::Distinct(Box::new(Distinct::new(*leading, *width)))
            }
            StageSpec::Sort {
                width,
                keys,
                leading,
            } => Stage::Sort(Box::new(Sort::new(*width, keys, leading.as_ref()))),
            StageSpec::Rcf(r) => Stage::Rcf(Box::new(Forest::new(r, seed)?)),
            StageSpec::CountDistinct { column, window_ms } => {
                Stage::CountDistinct(Box::new(CountDistinct::new(*column, *window_ms)))
            }
            StageSpec::TopK {
                column,
                k,
                window_ms,
            } => Stage::TopK(Box::new(TopK::new(*column, *k, *window_ms))),
        })
    }

    /// Processes one row.
    pub fn push(&mut self, row: &Row, out: &mut Vec<Row>, failures: &mut Vec<RowFailure>) {
        let result = match self {
            Stage::Project { filter, items } => project(filter.as_ref(), items, row, out),
            Stage::Tumbling(t) => t.push(row, out),
            Stage::Stagger(s) => s.push(row, out),
            Stage::Sliding(s) => s.push(row, out),
            Stage::RefJoin(j) => j.push(row, out),
            Stage::Sort(s) => {
                s.push(row, out);
                Ok(())
            }
            Stage::StreamJoin(j) => j.push(false, row, out),
            Stage::Distinct(d) => {
                d.push(row, out);
                Ok(())
            }
            Stage::GroupRank(g) => {
                g.push(row, out);
                Ok(())
            }
            Stage::Hotspots(h) => {
                h.push(row, out);
                Ok(())
            }
            Stage::Rcf(f) => f.push(row, out),
            Stage::CountDistinct(d) => {
                d.push(row, out);
                Ok(())
            }
            Stage::TopK(t) => {
                t.push(row, out);
                Ok(())
            }
        };
        if let Err(message) = result {
            failures.push(RowFailure {
                message,
                row: row.clone(),
            });
        }
    }

    /// Processes a row of a stream join's right stream (other stages have one input).
    pub fn push_right(&mut self, row: &Row, out: &mut Vec<Row>, failures: &mut Vec<RowFailure>) {
        if let Stage::StreamJoin(j) = self
            && let Err(message) = j.push(true, row, out)
        {
            failures.push(RowFailure {
                message,
                row: row.clone(),
            });
        }
    }

    /// Closes every window that ends at or before `t`, emitting its rows.
    pub fn advance(&mut self, t: i64, out: &mut Vec<Row>, failures: &mut Vec<RowFailure>) {
        match self {
            Stage::Tumbling(s) => s.advance(t, out, failures),
            Stage::Stagger(s) => s.advance(t, out, failures),
            Stage::CountDistinct(d) => d.advance(t, out),
            Stage::TopK(k) => k.advance(t, out),
            Stage::StreamJoin(j) => j.advance(t, out),
            Stage::GroupRank(g) => g.advance(t, out),
            Stage::Sort(s) => {
                if let Err(message) = s.advance(t, out) {
                    failures.push(RowFailure {
                        message,
                        row: Row {
                            rowtime: t,
                            values: Vec::new(),
                        },
                    });
                }
            }
            Stage::Project { .. }
            | Stage::Sliding(_)
            | Stage::RefJoin(_)
            | Stage::Rcf(_)
            | Stage::Distinct(_)
            | Stage::Hotspots(_) => {}
        }
    }
}

fn project(
    filter: Option<&CExpr>,
    items: &[CExpr],
    row: &Row,
    out: &mut Vec<Row>,
) -> Result<(), String> {
    let cx = Ctx::row(row);
    if !holds(filter, &cx)? {
        return Ok(());
    }
    let mut values = Vec::with_capacity(items.len());
    for e in items {
        values.push(eval(e, &cx)?);
    }
    out.push(Row {
        rowtime: row.rowtime,
        values,
    });
    Ok(())
}
