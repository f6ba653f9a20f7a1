//! Queries to pipelines: FROM (stream, subquery or table function), then the select.

use super::expr::{ExprCx, Mode, Scope};
use super::rules::{has_agg, has_over};
use super::{Catalog, unknown_stream};
use crate::ast::{Expr, From, Ident, Select, SelectItem};
use crate::error::{CodeValidationError, Pos, ValidationKind};
use crate::plan::{CExpr, Column, PumpPlan, StageSpec, StreamId, StreamKind, WindowFn};
use crate::types::SqlType;

/// An output column of a query, with where it was written (for INSERT messages).
pub(crate) struct OutCol {
    pub(crate) col: Column,
    pub(crate) pos: Pos,
}

/// A compiled query: the stream it reads, its stages and its output columns.
pub(crate) struct Compiled {
    pub(crate) source: StreamId,
    pub(crate) stages: Vec<StageSpec>,
    pub(crate) out: Vec<OutCol>,
}

fn semantic(pos: Pos, what: impl std::fmt::Display) -> CodeValidationError {
    CodeValidationError::at(ValidationKind::Semantic, pos, what)
}

pub(crate) fn compile_pump(
    cx: &Catalog,
    name: &Ident,
    target: &Ident,
    columns: Option<&[Ident]>,
    query: &Select,
) -> Result<Vec<PumpPlan>, CodeValidationError> {
    let target_id = match cx.find(&target.name) {
        Some(id) if cx.streams[id].kind == StreamKind::Error => {
            return Err(semantic(
                target.pos,
                "error_stream is written only by the system; application code cannot INSERT into it",
            ));
        }
        Some(id) if cx.streams[id].kind == StreamKind::Reference => {
            return Err(semantic(
                target.pos,
                format!(
                    "'{}' is the reference table, which its reference data source loads; application code cannot INSERT into it",
                    target.name
                ),
            ));
        }
        Some(id) => id,
        None => return Err(unknown_stream(cx, target)),
    };
    let tcols = &cx.streams[target_id].columns;
    let target_columns: Vec<usize> = match columns {
        None => (0..tcols.len()).collect(),
        Some(list) => {
            let mut idx = Vec::new();
            for c in list {
                match tcols.iter().position(|t| t.name == c.name) {
                    Some(i) if idx.contains(&i) => {
                        return Err(semantic(
                            c.pos,
                            format!("Target column '{}' is assigned more than once", c.name),
                        ));
                    }
                    Some(i) => idx.push(i),
                    None => {
                        return Err(CodeValidationError::at(
                            ValidationKind::UnknownColumn,
                            c.pos,
                            format!(
                                "Unknown target column '{}' in stream '{}'",
                                c.name, target.name
                            ),
                        ));
                    }
                }
            }
            idx
        }
    };
    let mut branches = Vec::new();
    flatten_union(query, &mut branches);
    let mut plans = Vec::new();
    for branch in branches {
        let mut single = branch.clone();
        single.union.clear();
        plans.push(branch_plan(cx, name, target_id, &target_columns, &single)?);
    }
    Ok(plans)
}

/// `a UNION ALL b ORDER BY ...` (the ORDER BY, parsed with the last query, sorts them all):
/// the queries go to an internal stream, and the pump becomes `SELECT STREAM * FROM it
/// ORDER BY ...`. Any other query is returned as it is.
pub(crate) fn union_then_order(
    cx: &mut Catalog,
    pump: &Ident,
    mut query: Select,
) -> Result<Select, CodeValidationError> {
    let mut branches = Vec::new();
    flatten_union(&query, &mut branches);
    let Some(last) = branches.last().filter(|_| branches.len() > 1) else {
        return Ok(query);
    };
    if last.order_by.is_empty() {
        return Ok(query);
    }
    if let Some(q) = branches[..branches.len() - 1]
        .iter()
        .find(|q| !q.order_by.is_empty())
    {
        return Err(semantic(
            q.order_by[0].0.pos(),
            "ORDER BY comes after the last query of a UNION ALL and sorts them all",
        ));
    }
    let order_by = last.order_by.clone();
    let pos = query.pos;
    // The union's columns are its first query's.
    let mut first = query.clone();
    first.union.clear();
    let columns: Vec<Column> = compile_select(cx, &first)?
        .out
        .into_iter()
        .map(|o| o.col)
        .collect();
    let name = format!("$UNION${}", pump.name);
    cx.streams.push(crate::plan::StreamDef {
        name: name.clone(),
        columns,
        kind: StreamKind::Internal,
    });
    let internal = Ident { name, pos };
    // The union into the internal stream, without its ORDER BY.
    fn strip(q: &mut Select) {
        q.order_by.clear();
        q.union.iter_mut().for_each(strip);
    }
    strip(&mut query);
    let plans = compile_pump(cx, pump, &internal, None, &query)?;
    cx.pumps.extend(plans);
    Ok(Select {
        pos,
        stream: true,
        distinct: false,
        items: vec![SelectItem::Wildcard {
            qualifier: None,
            pos,
        }],
        from: From::Stream {
            name: internal,
            alias: None,
            renamed: None,
            window: None,
        },
        filter: None,
        group_by: Vec::new(),
        having: None,
        stagger: None,
        order_by,
        union: Vec::new(),
    })
}

/// The queries of `q UNION ALL ...`, in order.
fn flatten_union<'a>(q: &'a Select, out: &mut Vec<&'a Select>) {
    out.push(q);
    for u in &q.union {
        flatten_union(u, out);
    }
}

/// One query of a pump (each branch of a UNION ALL is one) as a pipeline into the target.
fn branch_plan(
    cx: &Catalog,
    name: &Ident,
    target_id: StreamId,
    target_columns: &[usize],
    query: &Select,
) -> Result<PumpPlan, CodeValidationError> {
    let tcols = &cx.streams[target_id].columns;
    let compiled = compile_select(cx, query)?;
    if compiled.out.len() != target_columns.len() {
        return Err(CodeValidationError::at(
            ValidationKind::InsertMismatch,
            query.pos,
            format!(
                "Number of INSERT target columns ({}) does not equal number of source items ({})",
                target_columns.len(),
                compiled.out.len()
            ),
        ));
    }
    for (out, &ti) in compiled.out.iter().zip(target_columns) {
        let t = &tcols[ti];
        if !t.ty.accepts(&out.col.ty) {
            return Err(CodeValidationError::at(
                ValidationKind::InsertMismatch,
                out.pos,
                format!(
                    "Cannot assign to target field '{}' of type {} from source field '{}' of type {}",
                    t.name, t.ty, out.col.name, out.col.ty
                ),
            ));
        }
    }
    Ok(PumpPlan {
        name: name.name.clone(),
        source: compiled.source,
        target: target_id,
        target_columns: target_columns.to_vec(),
        stages: compiled.stages,
    })
}

/// Compiles a SELECT and everything under its FROM.
pub(crate) fn compile_select(cx: &Catalog, q: &Select) -> Result<Compiled, CodeValidationError> {
    let (source, mut stages, scope) = compile_from(cx, &q.from)?;
    if !q.union.is_empty() {
        return Err(semantic(
            q.pos,
            "UNION ALL combines the queries of a pump (INSERT INTO ... SELECT STREAM ... UNION ALL SELECT STREAM ...), not of a subquery",
        ));
    }
    let (stage, out, sort, distinct) = select_stage(q, &scope)?;
    // A plain `SELECT *` (or a projection that is the identity) adds no work.
    let identity = matches!(&stage, StageSpec::Project { filter: None, items }
        if items.len() == scope.columns.len() && items.iter().enumerate().all(|(i, c)| *c == CExpr::Col(i)));
    if !identity || stages.is_empty() {
        stages.push(stage);
    }
    stages.extend(distinct);
    stages.extend(sort);
    Ok(Compiled {
        source,
        stages,
        out,
    })
}

/// A FROM clause: the stream it reads, the stages that make its rows, and their scope.
pub(crate) fn compile_from(
    cx: &Catalog,
    from: &From,
) -> Result<(StreamId, Vec<StageSpec>, Scope), CodeValidationError> {
    Ok(match from {
        From::Stream {
            name,
            alias,
            renamed,
            window,
        } => {
            if let Some(w) = window {
                return Err(semantic(
                    w.pos,
                    "OVER after a stream in FROM is the window of a JOIN of two streams; a query of one stream puts OVER after its aggregates",
                ));
            }
            let id = cx.source(name)?;
            let mut columns = cx.streams[id].columns.clone();
            if let Some(names) = renamed {
                rename(&mut columns, names, name)?;
            }
            (
                id,
                Vec::new(),
                Scope::single(qualifiers(name, alias.as_ref()), columns, true),
            )
        }
        From::Subquery { query, alias } => {
            let inner = compile_select(cx, query)?;
            let scope = Scope::single(
                alias.iter().map(|a| a.name.clone()).collect(),
                inner.out.into_iter().map(|o| o.col).collect(),
                true,
            );
            (inner.source, inner.stages, scope)
        }
        From::Table {
            func,
            cursor,
            args,
            alias,
        } => {
            let inner = compile_select(cx, cursor)?;
            let cols: Vec<Column> = inner.out.into_iter().map(|o| o.col).collect();
            let (stage, out_cols) = super::tablefn::compile(func, &cols, args)?;
            let mut stages = inner.stages;
            stages.push(stage);
            (
                inner.source,
                stages,
                Scope::single(qualifiers(func, alias.as_ref()), out_cols, true),
            )
        }
        From::Values { pos, .. } => {
            return Err(semantic(
                *pos,
                "a query reads a stream; VALUES is a constant table, which a query JOINs with a stream",
            ));
        }
        From::Join {
            left,
            right,
            kind,
            on,
            pos,
        } => super::join::compile(cx, left, right, *kind, on.as_ref(), *pos)?,
    })
}

/// A relational SELECT as a table's rows are transformed: its WHERE, its select list, and
/// its output columns.
pub(crate) type Relational = (Option<CExpr>, Vec<CExpr>, Vec<Column>);

/// A relational SELECT's WHERE and select list over `scope` (a table: no aggregates), with
/// its output columns.
pub(crate) fn relational(q: &Select, scope: &Scope) -> Result<Relational, CodeValidationError> {
    let (stage, out, sort, distinct) = select_stage(q, scope)?;
    let StageSpec::Project { filter, items } = stage else {
        return Err(CodeValidationError::unsupported(
            q.pos,
            "Aggregates in a relational SELECT of the reference table",
        ));
    };
    if sort.is_some() || distinct.is_some() {
        return Err(CodeValidationError::unsupported(
            q.pos,
            "ORDER BY or DISTINCT in a relational SELECT of the reference table",
        ));
    }
    Ok((filter, items, out.into_iter().map(|o| o.col).collect()))
}

/// The tumbling window a GROUP BY key makes of ROWTIME (STEP or FLOOR of it), if it is one.
fn rowtime_window(k: &CExpr) -> Option<WindowFn> {
    match k {
        CExpr::Step(inner, window) if **inner == CExpr::RowTime => Some(*window),
        CExpr::FloorTo(inner, unit) if **inner == CExpr::RowTime => Some(WindowFn::Floor(*unit)),
        _ => None,
    }
}

/// Whether `c` reads the row only through its ROWTIME (and does read it): such a key can be
/// computed for a moment of time alone.
fn reads_only_rowtime(c: &CExpr) -> bool {
    fn only(c: &CExpr) -> bool {
        match c {
            CExpr::RowTime | CExpr::Lit(_) => true,
            CExpr::Step(a, _) | CExpr::FloorTo(a, _) | CExpr::Cast(a, _) | CExpr::Neg(a) => only(a),
            CExpr::Bin(_, a, b, _) => only(a) && only(b),
            CExpr::Func(_, args) => args.iter().all(only),
            _ => false,
        }
    }
    only(c) && super::rules::refs_row(c)
}

/// `FROM s AS t (c1, c2, ...)`: one new name per column of the stream (ROWTIME is not one).
pub(crate) fn rename(
    columns: &mut [Column],
    names: &[Ident],
    stream: &Ident,
) -> Result<(), CodeValidationError> {
    if let Some(r) = names.iter().find(|n| n.name == "ROWTIME") {
        return Err(semantic(
            r.pos,
            "ROWTIME cannot be renamed: it is not one of the stream's columns",
        ));
    }
    if names.len() != columns.len() {
        return Err(semantic(
            names[0].pos,
            format!(
                "The column list has {} name(s) and '{}' has {} column(s)",
                names.len(),
                stream.name,
                columns.len()
            ),
        ));
    }
    for (c, n) in columns.iter_mut().zip(names) {
        c.name = n.name.clone();
    }
    Ok(())
}

/// The names that qualify a source's columns: its own and its alias.
pub(crate) fn qualifiers(name: &Ident, alias: Option<&Ident>) -> Vec<String> {
    let mut q = vec![name.name.clone()];
    q.extend(alias.map(|a| a.name.clone()));
    q
}

fn plain_filter(scope: &Scope, e: Option<&Expr>) -> Result<Option<CExpr>, CodeValidationError> {
    let Some(e) = e else { return Ok(None) };
    if has_agg(e) {
        return Err(semantic(
            e.pos(),
            "Aggregates are not allowed in WHERE; use HAVING",
        ));
    }
    let (c, t) = ExprCx::new(scope, Mode::Plain).compile(e)?;
    if !matches!(t, SqlType::Boolean | SqlType::Null) {
        return Err(semantic(
            e.pos(),
            format!("WHERE needs a BOOLEAN condition, got {t}"),
        ));
    }
    Ok(Some(c))
}

/// The stage of a SELECT's list (filter, project or aggregate), its output columns, the
/// sort stage of its ORDER BY and the stage of its DISTINCT.
type SelectStages = (StageSpec, Vec<OutCol>, Option<StageSpec>, Option<StageSpec>);

fn select_stage(q: &Select, scope: &Scope) -> Result<SelectStages, CodeValidationError> {
    let filter = plain_filter(scope, q.filter.as_ref())?;
    if let (Some((_, _, pos)), false) = (&q.stagger, q.group_by.is_empty()) {
        return Err(semantic(
            *pos,
            "WINDOWED BY STAGGER takes the place of GROUP BY: put the keys in its PARTITION BY",
        ));
    }
    let group_by: &[Expr] = match &q.stagger {
        Some((keys, _, _)) => keys,
        None => &q.group_by,
    };
    let grouped = !group_by.is_empty();
    let sliding = q
        .items
        .iter()
        .any(|i| matches!(i, SelectItem::Expr { expr, .. } if has_over(expr)));
    let mode = if grouped {
        let mut keys = Vec::new();
        for k in group_by {
            if has_agg(k) {
                return Err(semantic(k.pos(), "Aggregates are not allowed in GROUP BY"));
            }
            keys.push(ExprCx::new(scope, Mode::Plain).compile(k)?.0);
        }
        Mode::Grouped { keys }
    } else if sliding {
        Mode::Sliding { window: None }
    } else {
        Mode::Plain
    };
    if q.having.is_some() && !grouped {
        return Err(semantic(q.pos, "HAVING needs GROUP BY"));
    }
    let mut cx = ExprCx::new(scope, mode);
    let mut items = Vec::new();
    let mut out = Vec::new();
    for (n, item) in q.items.iter().enumerate() {
        match item {
            SelectItem::Wildcard { qualifier, pos } => {
                let range = match qualifier {
                    None => 0..scope.columns.len(),
                    Some(q) => match scope.table(&q.name) {
                        Some(t) => t.start..t.start + t.len,
                        None => {
                            return Err(CodeValidationError::at(
                                ValidationKind::UnknownStream,
                                q.pos,
                                format!("Table '{}' not found", q.name),
                            ));
                        }
                    },
                };
                if grouped {
                    return Err(semantic(*pos, "'*' cannot be used with GROUP BY"));
                }
                for (i, c) in scope
                    .columns
                    .iter()
                    .enumerate()
                    .skip(range.start)
                    .take(range.len())
                {
                    items.push(CExpr::Col(i));
                    out.push(OutCol {
                        col: c.clone(),
                        pos: *pos,
                    });
                }
            }
            SelectItem::Expr {
                expr: Expr::Function { name: f, args, .. },
                alias,
            } if super::logparse::LOG_PARSERS.contains(&f.name.as_str()) => {
                // A row: its fields become columns `ALIAS.FIELD` (see `logparse`).
                let prefix = alias.as_ref().map_or(f.name.as_str(), |a| a.name.as_str());
                for field in super::logparse::fields(&mut cx, f, args)? {
                    items.push(field.expr);
                    out.push(OutCol {
                        col: Column {
                            name: format!("{prefix}.{}", field.name),
                            ty: field.ty,
                        },
                        pos: f.pos,
                    });
                }
            }
            SelectItem::Expr { expr, alias } => {
                let (c, ty) = cx.compile(expr)?;
                let name = match (alias, expr) {
                    (Some(a), _) => a.name.clone(),
                    (None, Expr::Column { name, .. }) => name.name.clone(),
                    _ => format!("EXPR${n}"),
                };
                items.push(c);
                out.push(OutCol {
                    col: Column { name, ty },
                    pos: expr.pos(),
                });
            }
        }
    }
    let having = match &q.having {
        Some(h) => {
            let (c, t) = cx.compile(h)?;
            if !matches!(t, SqlType::Boolean | SqlType::Null) {
                return Err(semantic(
                    h.pos(),
                    format!("HAVING needs a BOOLEAN condition, got {t}"),
                ));
            }
            Some(c)
        }
        None => None,
    };
    // ORDER BY keys are computed as hidden columns after the select list; the sort stage
    // orders by them and drops them.
    let width = items.len();
    let mut order = Vec::new();
    for (e, desc) in &q.order_by {
        let c = match e {
            Expr::Literal {
                value: crate::ast::Literal::Int(n),
                pos,
            } => {
                let i = usize::try_from(*n - 1)
                    .ok()
                    .filter(|i| *i < width)
                    .ok_or_else(|| {
                        semantic(
                            *pos,
                            format!("ORDER BY {n}: the select list has {width} item(s)"),
                        )
                    })?;
                items[i].clone()
            }
            e => cx.compile(e)?.0,
        };
        order.push((items.len(), *desc, e.pos()));
        items.push(c);
    }
    let aggs = std::mem::take(&mut cx.aggs);
    let sort_lead = order.first().map(|(i, _, p)| (items[*i].clone(), *p));
    let grouped_window_key = |keys: &[CExpr], c: &CExpr| matches!(c, CExpr::Key(i) if rowtime_window(&keys[*i]).is_some());
    let sort = match &sort_lead {
        None => None,
        Some((lead, pos)) => {
            let not_monotonic = || {
                semantic(
                    *pos,
                    "ORDER BY on a stream needs a monotonic, time-based leading key (ROWTIME, FLOOR(ROWTIME TO unit), STEP(ROWTIME BY ...) or the GROUP BY's window), so that sorted batches can be emitted",
                )
            };
            let leading = match &cx.mode {
                Mode::Grouped { keys } if grouped_window_key(keys, lead) => None,
                Mode::Grouped { .. } => return Err(not_monotonic()),
                _ if reads_only_rowtime(lead) => Some(lead.clone()),
                _ => return Err(not_monotonic()),
            };
            Some(StageSpec::Sort {
                width,
                keys: order.iter().map(|(i, d, _)| (*i, *d)).collect(),
                leading,
            })
        }
    };
    // SELECT DISTINCT: rows are compared while a monotonic, time-based item keeps its value.
    let distinct = if q.distinct {
        let lead = items[..width].iter().position(|c| match &cx.mode {
            Mode::Grouped { keys } => grouped_window_key(keys, c),
            _ => reads_only_rowtime(c),
        });
        let Some(leading) = lead else {
            return Err(semantic(
                q.pos,
                "SELECT DISTINCT on a stream needs a monotonic, time-based item in its select list (ROWTIME, FLOOR(ROWTIME TO unit) or the GROUP BY's window), within which rows are compared",
            ));
        };
        Some(StageSpec::Distinct { leading, width })
    } else {
        None
    };
    let stage = match cx.mode {
        Mode::Grouped { keys } if q.stagger.is_some() => StageSpec::Stagger {
            filter,
            keys,
            range_ms: q.stagger.as_ref().map_or(0, |s| s.1),
            aggs,
            having,
            items,
        },
        Mode::Grouped { keys } => {
            let found = keys
                .iter()
                .enumerate()
                .find_map(|(i, k)| rowtime_window(k).map(|w| (i, w)));
            let Some((window_key, window)) = found else {
                return Err(semantic(
                    q.group_by[0].pos(),
                    "GROUP BY on a stream needs a monotonic expression on ROWTIME, e.g. STEP(\"S\".ROWTIME BY INTERVAL '60' SECOND) or FLOOR(\"S\".ROWTIME TO MINUTE); without one the query never emits",
                ));
            };
            StageSpec::Tumbling {
                filter,
                window_key,
                window,
                keys,
                aggs,
                having,
                items,
            }
        }
        Mode::Sliding { window } => {
            let (partition, frame) = window.unwrap_or((Vec::new(), crate::ast::Frame::Rows(0)));
            StageSpec::Sliding {
                filter,
                partition,
                frame,
                aggs,
                items,
            }
        }
        Mode::Plain => StageSpec::Project { filter, items },
    };
    Ok((stage, out, sort, distinct))
}
