//! HOTSPOTS: for each row, the relatively dense regions of the numeric columns of the last
//! `windowSize` rows, found as DBSCAN clusters (the SQL Reference likens scanRadius to its
//! epsilon): a point with at least minimumNumberOfPointsInAHotspot points (itself included)
//! within scanRadius is a core point, and a hotspot is a set of core points reachable from
//! each other with the points within reach of them. The result is JSON:
//! `{"hotspots":[{"density":d,"minValues":[...],"maxValues":[...]}]}`, densest first, where
//! the density is the hotspot's points over its size (the product of its extent per column,
//! each at least scanRadius) — the twin's reading of "records in the hotspot / hotspot size".
//! Neighbours are found through a grid of scanRadius-sized cells.

use std::collections::{HashMap, VecDeque};

use crate::engine::Row;
use crate::types::Value;

/// The HOTSPOTS stage.
#[derive(Debug)]
pub struct Hotspots {
    columns: Vec<usize>,
    window: usize,
    radius: f64,
    min_points: usize,
    points: VecDeque<Vec<f64>>,
}

impl Hotspots {
    /// A stage over `columns`, `window` rows, neighbourhood `radius`, `min_points` per hotspot.
    pub fn new(columns: &[usize], window: usize, radius: f64, min_points: usize) -> Self {
        Self {
            columns: columns.to_vec(),
            window,
            radius,
            min_points,
            points: VecDeque::with_capacity(window + 1),
        }
    }

    /// Adds the row's point to the window and emits the row with the window's hotspots (a row
    /// with a NULL numeric column adds no point).
    pub fn push(&mut self, row: &Row, out: &mut Vec<Row>) {
        let point: Option<Vec<f64>> = self
            .columns
            .iter()
            .map(|&c| row.values[c].as_f64())
            .collect();
        if let Some(p) = point {
            self.points.push_back(p);
            if self.points.len() > self.window {
                self.points.pop_front();
            }
        }
        let mut values = row.values.clone();
        values.push(Value::str(&self.result()));
        out.push(Row {
            rowtime: row.rowtime,
            values,
        });
    }

    fn cell(&self, p: &[f64]) -> Vec<i64> {
        p.iter().map(|x| (x / self.radius).floor() as i64).collect()
    }

    /// The indices of the points within the radius of point `i`.
    fn neighbours(&self, i: usize, grid: &HashMap<Vec<i64>, Vec<usize>>) -> Vec<usize> {
        let p = &self.points[i];
        let r2 = self.radius * self.radius;
        let near = |j: usize| {
            let q = &self.points[j];
            p.iter().zip(q).map(|(a, b)| (a - b) * (a - b)).sum::<f64>() <= r2
        };
        let dims = p.len();
        if dims > 4 {
            return (0..self.points.len()).filter(|&j| near(j)).collect();
        }
        let base = self.cell(p);
        let mut out = Vec::new();
        // Every cell within one step in each dimension.
        for k in 0..3usize.pow(dims as u32) {
            let mut cell = base.clone();
            let mut rest = k;
            for c in cell.iter_mut() {
                *c += (rest % 3) as i64 - 1;
                rest /= 3;
            }
            for &j in grid.get(&cell).into_iter().flatten() {
                if near(j) {
                    out.push(j);
                }
            }
        }
        out
    }

    /// The window's hotspots as JSON.
    fn result(&self) -> String {
        let n = self.points.len();
        let mut grid: HashMap<Vec<i64>, Vec<usize>> = HashMap::new();
        for (i, p) in self.points.iter().enumerate() {
            grid.entry(self.cell(p)).or_default().push(i);
        }
        let neighbours: Vec<Vec<usize>> = (0..n).map(|i| self.neighbours(i, &grid)).collect();
        let core: Vec<bool> = neighbours
            .iter()
            .map(|v| v.len() >= self.min_points)
            .collect();
        let mut cluster = vec![usize::MAX; n];
        let mut clusters: Vec<Vec<usize>> = Vec::new();
        for start in 0..n {
            if !core[start] || cluster[start] != usize::MAX {
                continue;
            }
            let id = clusters.len();
            let mut members = Vec::new();
            let mut stack = vec![start];
            cluster[start] = id;
            while let Some(i) = stack.pop() {
                members.push(i);
                if !core[i] {
                    continue;
                }
                for &j in &neighbours[i] {
                    if cluster[j] == usize::MAX {
                        cluster[j] = id;
                        stack.push(j);
                    }
                }
            }
            clusters.push(members);
        }
        let mut spots: Vec<(f64, Vec<f64>, Vec<f64>)> = clusters
            .iter()
            .map(|members| {
                let dims = self.points[members[0]].len();
                let mut lo = vec![f64::INFINITY; dims];
                let mut hi = vec![f64::NEG_INFINITY; dims];
                for &i in members {
                    for (d, x) in self.points[i].iter().enumerate() {
                        lo[d] = lo[d].min(*x);
                        hi[d] = hi[d].max(*x);
                    }
                }
                let size: f64 = lo
                    .iter()
                    .zip(&hi)
                    .map(|(a, b)| (b - a).max(self.radius))
                    .product();
                (members.len() as f64 / size, lo, hi)
            })
            .collect();
        spots.sort_by(|a, b| b.0.total_cmp(&a.0));
        let spots: Vec<serde_json::Value> = spots
            .into_iter()
            .map(|(density, lo, hi)| {
                serde_json::json!({"density": density, "minValues": lo, "maxValues": hi})
            })
            .collect();
        serde_json::json!({ "hotspots": spots }).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dense_cluster_is_a_hotspot_and_scattered_points_are_not() {
        let mut h = Hotspots::new(&[0, 1], 100, 0.5, 5);
        let mut out = Vec::new();
        let mut push = |x: f64, y: f64, out: &mut Vec<Row>| {
            h.push(
                &Row {
                    rowtime: 0,
                    values: vec![Value::Double(x), Value::Double(y)],
                },
                out,
            )
        };
        for i in 0..20 {
            push(
                10.0 + (i % 5) as f64 * 0.05,
                20.0 + (i / 5) as f64 * 0.05,
                &mut out,
            );
        }
        for i in 0..5 {
            push(i as f64 * 7.0, -(i as f64) * 9.0, &mut out);
        }
        let last: serde_json::Value =
            serde_json::from_str(&out.last().unwrap().values[2].to_string()).unwrap();
        let spots = last["hotspots"].as_array().unwrap();
        assert_eq!(spots.len(), 1, "{last}");
        assert_eq!(spots[0]["minValues"], serde_json::json!([10.0, 20.0]));
        assert_eq!(spots[0]["maxValues"], serde_json::json!([10.2, 20.15]));
        // The first rows have too few neighbours yet.
        let first: serde_json::Value = serde_json::from_str(&out[0].values[2].to_string()).unwrap();
        assert_eq!(first["hotspots"], serde_json::json!([]));
    }
}
