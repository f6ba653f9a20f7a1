"""RANDOM_CUT_FOREST as kdaflow's engine runs it (sql/src/functions/rcf.rs), on rcf3 0.5.2 (Python).

The seed is the engine's for the stage (kdaflow_sql::engine::stage_seed), computed by the
translation and written into job.json.

Rust (rcf3 crate 0.5.2):
    Rcf::builder(dims).shingle_size(s).internal_shingling(true).num_trees(trees)
       .capacity(sample_size).time_decay(1.0 / time_decay as f64).output_after(sample_size)
       .seed(seed).build()
    per record: point = [v as f32 (NULL -> 0)]; warm = seen >= sample_size && rcf.is_ready();
    score = warm ? rcf.score(point) : 0.0; rcf.update(point); seen += 1

The Python binding (rcf3/src/rcf/python.rs) calls the same builder; its extra
initial_accept_fraction=0.125 equals the Rust default. Points are extracted as Vec<f32>
(PyO3: PyFloat_AsDouble then `as f32`), seed as Option<u64> (0..2**64-1, else OverflowError),
scores come back as f64.
"""
import json
import math
import struct

from rcf3 import Forest as _Rcf

_MASK64 = (1 << 64) - 1


def to_f32(v) -> float:
    """Rust `v.as_f64().unwrap_or(0.0) as f32`: NULL -> 0, round-to-nearest f32, overflow -> +-inf."""
    if v is None:
        return 0.0
    x = float(v)  # ints go i64 -> f64 first, as in the engine (Value::as_f64)
    try:
        return struct.unpack("<f", struct.pack("<f", x))[0]
    except OverflowError:  # rounds past f32::MAX: Rust `as f32` saturates to infinity
        return math.copysign(math.inf, x)


class Forest:
    def __init__(self, dims: int, shingle_size: int, trees: int, sample_size: int,
                 time_decay: int, seed: int, column_names=None, explanation=None):
        """`explanation`: None (the score only), False (ANOMALY_EXPLANATION's attribution
        scores) or True (with DIRECTION and STRENGTH: RANDOM_CUT_FOREST_WITH_EXPLANATION's
        directionality)."""
        if not 0 <= seed <= _MASK64:
            raise ValueError("seed must be a u64")
        self.rcf = _Rcf(
            dims,
            shingle_size=shingle_size,
            num_trees=trees,
            capacity=sample_size,
            time_decay=1.0 / float(time_decay),
            output_after=sample_size,
            internal_shingling=True,
            seed=seed,
        )
        self.dims = dims
        self.sample_size = sample_size
        self.seen = 0
        self.column_names = list(column_names or [])
        self.explanation = explanation

    def push(self, values):
        """Score-then-update one record; `values` are the numeric columns in order. Returns
        the score, or (score, explanation) when the forest explains."""
        point = [to_f32(v) for v in values]
        if len(point) != self.dims:
            raise ValueError(f"expected {self.dims} values, got {len(point)}")
        warm = self.seen >= self.sample_size and self.rcf.is_ready()
        score = self.rcf.score(point) if warm else 0.0
        explained = None
        if self.explanation is not None:
            explained = self._explain(point) if warm else "{}"
        self.rcf.update(point)
        self.seen += 1
        if self.explanation is None:
            return score
        return score, explained

    def _explain(self, point) -> str:
        """The engine's ANOMALY_EXPLANATION (sql/src/functions/rcf.rs, `explain`): per column,
        the attribution summed over the shingle; `below` counts cuts under the value (it is
        unusually HIGH), `above` cuts over it (LOW); numbers as text with 4 decimals; the JSON
        compact, keys in this order."""
        attr = self.rcf.attribution(point)
        out = {}
        for i, name in enumerate(self.column_names):
            high = 0.0
            low = 0.0
            for a in attr[i::self.dims]:
                high += a["below"]
                low += a["above"]
            m = {}
            if self.explanation:
                m["DIRECTION"] = "HIGH" if high >= low else "LOW"
                m["STRENGTH"] = f"{abs(high - low):.4f}"
            m["ATTRIBUTION_SCORE"] = f"{high + low:.4f}"
            out[name] = m
        return json.dumps(out, separators=(",", ":"), ensure_ascii=False)
