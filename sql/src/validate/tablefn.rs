//! The table functions' arguments, ranges and output columns.
//!
//! Ranges are the SQL reference's: RANDOM_CUT_FOREST numberOfTrees 1..1000, subSampleSize
//! 10..1000 and below timeDecay, timeDecay 1..2147483647, shingleSize 1..30;
//! COUNT_DISTINCT_ITEMS_TUMBLING windowSize 1..3600 s; TOP_K_ITEMS_TUMBLING K 1..100000 and
//! windowSize 1..3600 s.

use crate::ast::{Expr, Ident, Literal};
use crate::error::{CodeValidationError, Pos, ValidationKind};
use crate::plan::{Column, RcfSpec, StageSpec};
use crate::types::SqlType;

/// RANDOM_CUT_FOREST defaults (SQL reference): 100 trees, 256 samples, decay 100000, shingle 1.
pub const RCF_DEFAULTS: (i64, i64, i64, i64) = (100, 256, 100_000, 1);
/// At most this many numeric columns feed a forest.
const RCF_MAX_COLUMNS: usize = 30;

fn semantic(pos: Pos, what: impl std::fmt::Display) -> CodeValidationError {
    CodeValidationError::at(ValidationKind::Semantic, pos, what)
}

fn range(
    pos: Pos,
    func: &str,
    param: &str,
    v: i64,
    lo: i64,
    hi: i64,
) -> Result<i64, CodeValidationError> {
    if v < lo || v > hi {
        return Err(CodeValidationError::at(
            ValidationKind::ParameterOutOfRange,
            pos,
            format!("{func}: {param} must be between {lo} and {hi}, got {v}"),
        ));
    }
    Ok(v)
}

fn int_arg(e: &Expr, func: &str, param: &str) -> Result<(i64, Pos), CodeValidationError> {
    match e {
        Expr::Literal {
            value: Literal::Int(i),
            pos,
        } => Ok((*i, *pos)),
        other => Err(semantic(
            other.pos(),
            format!("{func}: {param} must be an integer literal"),
        )),
    }
}

fn column_arg(e: &Expr, func: &str, cols: &[Column]) -> Result<usize, CodeValidationError> {
    let Expr::Literal {
        value: Literal::Str(name),
        pos,
    } = e
    else {
        return Err(semantic(
            e.pos(),
            format!(
                "{func}: the column name must be a string literal in single quotes, e.g. 'column1'"
            ),
        ));
    };
    cols.iter()
        .position(|c| c.name == *name)
        // An unquoted column in the cursor is upper case; accept its name as written too.
        .or_else(|| cols.iter().position(|c| c.name == name.to_uppercase()))
        .ok_or_else(|| {
            CodeValidationError::at(
                ValidationKind::UnknownColumn,
                *pos,
                format!("{func}: column '{name}' is not a column of the CURSOR query"),
            )
        })
}

/// The cursor's numeric columns but DECIMALs (what RANDOM_CUT_FOREST and HOTSPOTS read);
/// none is an error saying what the function would `verb`.
fn numeric_columns(
    func: &Ident,
    cols: &[Column],
    verb: &str,
) -> Result<Vec<usize>, CodeValidationError> {
    let numeric: Vec<usize> = cols
        .iter()
        .enumerate()
        .filter(|(_, c)| c.ty.is_numeric() && !matches!(c.ty, SqlType::Decimal(..)))
        .map(|(i, _)| i)
        .collect();
    if numeric.is_empty() {
        return Err(semantic(
            func.pos,
            format!(
                "{}: the CURSOR query has no numeric column to {verb}",
                func.name
            ),
        ));
    }
    Ok(numeric)
}

fn arity(func: &Ident, args: &[Expr], lo: usize, hi: usize) -> Result<(), CodeValidationError> {
    if args.len() < lo || args.len() > hi {
        return Err(semantic(
            func.pos,
            format!(
                "{} takes a CURSOR and {lo} to {hi} more arguments, got {}",
                func.name,
                args.len()
            ),
        ));
    }
    Ok(())
}

/// Compiles `TABLE(func(CURSOR(...), args))` over the cursor's columns: the stage and the
/// columns it produces.
pub(crate) fn compile(
    func: &Ident,
    cols: &[Column],
    args: &[Expr],
) -> Result<(StageSpec, Vec<Column>), CodeValidationError> {
    let name = func.name.as_str();
    match name {
        "RANDOM_CUT_FOREST" | "RANDOM_CUT_FOREST_WITH_EXPLANATION" => {
            let explain = name == "RANDOM_CUT_FOREST_WITH_EXPLANATION";
            arity(func, args, 0, if explain { 5 } else { 4 })?;
            let defaults = [
                RCF_DEFAULTS.0,
                RCF_DEFAULTS.1,
                RCF_DEFAULTS.2,
                RCF_DEFAULTS.3,
            ];
            let params = ["numberOfTrees", "subSampleSize", "timeDecay", "shingleSize"];
            let mut vals = defaults;
            let mut poss = [func.pos; 4];
            for (i, a) in args.iter().take(4).enumerate() {
                let (v, p) = int_arg(a, name, params[i])?;
                vals[i] = v;
                poss[i] = p;
            }
            range(poss[0], name, params[0], vals[0], 1, 1000)?;
            range(poss[1], name, params[1], vals[1], 10, 1000)?;
            range(poss[2], name, params[2], vals[2], 1, 2_147_483_647)?;
            range(poss[3], name, params[3], vals[3], 1, 30)?;
            if vals[1] >= vals[2] {
                return Err(CodeValidationError::at(
                    ValidationKind::ParameterOutOfRange,
                    poss[1],
                    format!(
                        "{name}: subSampleSize ({}) must be less than timeDecay ({})",
                        vals[1], vals[2]
                    ),
                ));
            }
            let directional = match args.get(4) {
                None => false,
                Some(Expr::Literal {
                    value: Literal::Bool(b),
                    ..
                }) => *b,
                Some(other) => {
                    return Err(semantic(
                        other.pos(),
                        format!("{name}: withDirectionality must be TRUE or FALSE"),
                    ));
                }
            };
            // DECIMAL is not supported by the service's forest; such columns pass through.
            let numeric = numeric_columns(func, cols, "score")?;
            if numeric.len() > RCF_MAX_COLUMNS {
                return Err(CodeValidationError::at(
                    ValidationKind::ParameterOutOfRange,
                    func.pos,
                    format!(
                        "{name}: at most {RCF_MAX_COLUMNS} numeric columns, got {}",
                        numeric.len()
                    ),
                ));
            }
            let mut out = cols.to_vec();
            out.push(Column {
                name: "ANOMALY_SCORE".into(),
                ty: SqlType::Double,
            });
            if explain {
                out.push(Column {
                    name: "ANOMALY_EXPLANATION".into(),
                    ty: SqlType::Varchar(20480),
                });
            }
            let spec = RcfSpec {
                column_names: numeric.iter().map(|&i| cols[i].name.clone()).collect(),
                numeric_columns: numeric,
                trees: vals[0] as usize,
                sample_size: vals[1] as usize,
                time_decay: vals[2] as u64,
                shingle_size: vals[3] as usize,
                explanation: explain.then_some(directional),
            };
            Ok((StageSpec::Rcf(spec), out))
        }
        "COUNT_DISTINCT_ITEMS_TUMBLING" => {
            arity(func, args, 2, 2)?;
            let column = column_arg(&args[0], name, cols)?;
            let (w, p) = int_arg(&args[1], name, "windowSize")?;
            range(p, name, "windowSize", w, 1, 3600)?;
            let out = vec![Column {
                name: "NUMBER_OF_DISTINCT_ITEMS".into(),
                ty: SqlType::BigInt,
            }];
            Ok((
                StageSpec::CountDistinct {
                    column,
                    window_ms: w * 1000,
                },
                out,
            ))
        }
        "TOP_K_ITEMS_TUMBLING" => {
            arity(func, args, 3, 3)?;
            let column = column_arg(&args[0], name, cols)?;
            let (k, kp) = int_arg(&args[1], name, "K")?;
            range(kp, name, "K", k, 1, 100_000)?;
            let (w, p) = int_arg(&args[2], name, "windowSize")?;
            range(p, name, "windowSize", w, 1, 3600)?;
            let out = vec![
                cols[column].clone(),
                Column {
                    name: "MOST_FREQUENT_VALUES".into(),
                    ty: SqlType::BigInt,
                },
            ];
            Ok((
                StageSpec::TopK {
                    column,
                    k: k as usize,
                    window_ms: w * 1000,
                },
                out,
            ))
        }
        "HOTSPOTS" => {
            arity(func, args, 3, 3)?;
            let (w, wp) = int_arg(&args[0], name, "windowSize")?;
            range(wp, name, "windowSize", w, 100, 1000)?;
            let radius = match &args[1] {
                Expr::Literal {
                    value: Literal::Double(d),
                    ..
                } => *d,
                Expr::Literal {
                    value: Literal::Decimal(d),
                    ..
                } => rust_decimal::prelude::ToPrimitive::to_f64(d).unwrap_or(0.0),
                Expr::Literal {
                    value: Literal::Int(i),
                    ..
                } => *i as f64,
                other => {
                    return Err(semantic(
                        other.pos(),
                        format!("{name}: scanRadius must be a number literal"),
                    ));
                }
            };
            if !(radius > 0.0 && radius.is_finite()) {
                return Err(CodeValidationError::at(
                    ValidationKind::ParameterOutOfRange,
                    args[1].pos(),
                    format!("{name}: scanRadius must be greater than 0, got {radius}"),
                ));
            }
            let (m, mp) = int_arg(&args[2], name, "minimumNumberOfPointsInAHotspot")?;
            range(mp, name, "minimumNumberOfPointsInAHotspot", m, 2, w)?;
            // As for the forest, DECIMAL columns are not analysed (the SQL Reference).
            let numeric = numeric_columns(func, cols, "analyse")?;
            let mut out = cols.to_vec();
            out.push(Column {
                name: "HOTSPOTS_RESULT".into(),
                ty: SqlType::Varchar(10000),
            });
            Ok((
                StageSpec::Hotspots {
                    columns: numeric,
                    window: w as usize,
                    radius,
                    min_points: m as usize,
                },
                out,
            ))
        }
        "GROUP_RANK" => {
            arity(func, args, 6, 6)?;
            let column = column_arg(&args[0], name, cols)?;
            let text = |e: &Expr, param: &str| match e {
                Expr::Literal {
                    value: Literal::Str(s),
                    ..
                } => Ok(s.clone()),
                other => Err(semantic(
                    other.pos(),
                    format!("{name}: {param} must be a string literal"),
                )),
            };
            let order = |e: &Expr, param: &str| -> Result<bool, CodeValidationError> {
                match text(e, param)?.to_ascii_lowercase().as_str() {
                    "asc" => Ok(false),
                    "desc" => Ok(true),
                    other => Err(semantic(
                        e.pos(),
                        format!("{name}: {param} is 'asc' or 'desc', got '{other}'"),
                    )),
                }
            };
            let rank_name = text(&args[1], "rankOutColumnName")?;
            let desc = order(&args[2], "sortOrder")?;
            let output_desc = order(&args[3], "outputOrder")?;
            let (idle, ip) = int_arg(&args[4], name, "maxIdle")?;
            range(ip, name, "maxIdle", idle, 0, i64::from(i32::MAX))?;
            let (max, mp) = int_arg(&args[5], name, "outputMax")?;
            range(mp, name, "outputMax", max, 0, i64::from(i32::MAX))?;
            let mut out = cols.to_vec();
            out.push(Column {
                name: rank_name,
                ty: SqlType::Integer,
            });
            Ok((
                StageSpec::GroupRank {
                    column,
                    desc,
                    output_desc,
                    max_idle_ms: idle,
                    output_max: max as usize,
                },
                out,
            ))
        }
        name if super::expr::UNSUPPORTED_FUNCTIONS.contains(&name) => Err(
            CodeValidationError::unsupported(func.pos, format!("The table function {name}")),
        ),
        _ => Err(CodeValidationError::at(
            ValidationKind::Semantic,
            func.pos,
            format!(
                "Unknown table function {}; supported: RANDOM_CUT_FOREST, RANDOM_CUT_FOREST_WITH_EXPLANATION, COUNT_DISTINCT_ITEMS_TUMBLING, TOP_K_ITEMS_TUMBLING",
                func.name
            ),
        )),
    }
}
