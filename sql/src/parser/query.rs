//! SELECT and FROM.

use super::Parser;
use crate::ast::{Expr, From, Ident, JoinKind, Select, SelectItem, WindowSpec};
use crate::error::CodeValidationError;
use crate::lexer::Tok;

/// Words that end a select item or a FROM source, so they are never taken as implicit aliases.
const RESERVED: [&str; 18] = [
    "FROM", "WHERE", "GROUP", "HAVING", "ORDER", "UNION", "WINDOW", "WINDOWED", "AS", "ON", "JOIN",
    "INNER", "LEFT", "RIGHT", "FULL", "OUTER", "CROSS", "BY",
];

impl Parser {
    /// `SELECT [STREAM] [DISTINCT] items FROM source [WHERE] [GROUP BY] [HAVING]`.
    pub(crate) fn select(&mut self) -> Result<Select, CodeValidationError> {
        let pos = self.expect_kw("SELECT")?;
        let stream = self.eat_kw("STREAM");
        let distinct = self.eat_kw("DISTINCT");
        if !distinct {
            self.eat_kw("ALL");
        }
        let mut items = vec![self.select_item()?];
        while self.eat_sym(",") {
            items.push(self.select_item()?);
        }
        self.expect_kw("FROM")?;
        let from = self.from()?;
        let mut stagger = None;
        if stagger.is_none() && self.peek().is_kw("WINDOWED") {
            stagger = Some(self.stagger()?);
        }
        let filter = if self.eat_kw("WHERE") {
            Some(self.expr()?)
        } else {
            None
        };
        if stagger.is_none() && self.peek().is_kw("WINDOWED") {
            stagger = Some(self.stagger()?);
        }
        let mut group_by = Vec::new();
        if self.eat_kw("GROUP") {
            self.expect_kw("BY")?;
            group_by.push(self.expr()?);
            while self.eat_sym(",") {
                group_by.push(self.expr()?);
            }
        }
        let having = if self.eat_kw("HAVING") {
            Some(self.expr()?)
        } else {
            None
        };
        let mut windows = Vec::new();
        if self.eat_kw("WINDOW") {
            loop {
                let name = self.ident("a window name")?;
                let pos = self.expect_kw("AS")?;
                let spec = self.window_body(pos)?;
                windows.push((name, spec));
                if !self.eat_sym(",") {
                    break;
                }
            }
        }
        for item in &mut items {
            if let SelectItem::Expr { expr, .. } = item {
                resolve_windows(expr, &windows)?;
            }
        }
        let mut from = from;
        resolve_from_windows(&mut from, &windows)?;
        if self.peek().is_kw("INTERSECT") || self.peek().is_kw("EXCEPT") {
            let t = self.peek().clone();
            return Err(CodeValidationError::at(
                crate::error::ValidationKind::Semantic,
                t.pos,
                format!(
                    "{} does not apply to streams: UNION ALL is the one set operator of a streaming query",
                    t.describe()
                ),
            ));
        }
        let mut union = Vec::new();
        if self.peek().is_kw("UNION") {
            let upos = self.next().pos;
            if !self.eat_kw("ALL") {
                return Err(CodeValidationError::unsupported(
                    upos,
                    "UNION without ALL (only UNION ALL combines streams)",
                ));
            }
            union.push(self.select()?);
        }
        let mut order_by = Vec::new();
        if self.eat_kw("ORDER") {
            self.expect_kw("BY")?;
            loop {
                let e = self.expr()?;
                let desc = self.eat_kw("DESC");
                if !desc {
                    self.eat_kw("ASC");
                }
                order_by.push((e, desc));
                if !self.eat_sym(",") {
                    break;
                }
            }
        }
        Ok(Select {
            pos,
            stream,
            distinct,
            items,
            from,
            filter,
            group_by,
            having,
            stagger,
            order_by,
            union,
        })
    }

    /// `WINDOWED BY STAGGER (PARTITION BY keys RANGE INTERVAL 'n' unit)`.
    fn stagger(&mut self) -> Result<(Vec<Expr>, i64, crate::error::Pos), CodeValidationError> {
        let pos = self.expect_kw("WINDOWED")?;
        self.expect_kw("BY")?;
        self.expect_kw("STAGGER")?;
        self.expect_sym("(")?;
        self.expect_kw("PARTITION")?;
        self.expect_kw("BY")?;
        let mut keys = vec![self.expr()?];
        while self.eat_sym(",") {
            keys.push(self.expr()?);
        }
        self.expect_kw("RANGE")?;
        self.expect_kw("INTERVAL")?;
        let ms = self.interval_body()?;
        self.expect_sym(")")?;
        Ok((keys, ms, pos))
    }

    fn select_item(&mut self) -> Result<SelectItem, CodeValidationError> {
        if self.peek().is_sym("*") {
            let pos = self.next().pos;
            return Ok(SelectItem::Wildcard {
                qualifier: None,
                pos,
            });
        }
        // `alias.*`
        if matches!(self.peek().tok, Tok::Ident { .. })
            && self.peek_at(1).is_sym(".")
            && self.peek_at(2).is_sym("*")
        {
            let q = self.ident("a qualifier")?;
            self.next();
            let pos = self.next().pos;
            return Ok(SelectItem::Wildcard {
                qualifier: Some(q),
                pos,
            });
        }
        let expr = self.expr()?;
        let alias = self.alias()?;
        Ok(SelectItem::Expr { expr, alias })
    }

    /// `[AS] alias` where the alias is not a reserved word.
    fn alias(&mut self) -> Result<Option<Ident>, CodeValidationError> {
        if self.eat_kw("AS") {
            return Ok(Some(self.ident("an alias")?));
        }
        match &self.peek().tok {
            Tok::Ident { name, quoted } if *quoted || !RESERVED.contains(&name.as_str()) => {
                Ok(Some(self.ident("an alias")?))
            }
            _ => Ok(None),
        }
    }

    /// `(c1, c2, ...)` after a FROM source's alias (`aliased`), naming its columns.
    fn column_list(&mut self, aliased: bool) -> Result<Option<Vec<Ident>>, CodeValidationError> {
        if !(aliased && self.eat_sym("(")) {
            return Ok(None);
        }
        let mut names = vec![self.ident("a column name")?];
        while self.eat_sym(",") {
            names.push(self.ident("a column name")?);
        }
        self.expect_sym(")")?;
        Ok(Some(names))
    }

    /// One source of a FROM clause: a stream or table, a subquery or a table function.
    fn source(&mut self) -> Result<From, CodeValidationError> {
        if self.peek().is_kw("TABLE") && self.peek_at(1).is_sym("(") {
            self.next();
            self.next();
            let func = self.ident("a table function name")?;
            self.expect_sym("(")?;
            self.expect_kw("CURSOR")?;
            self.expect_sym("(")?;
            let cursor = Box::new(self.select()?);
            self.expect_sym(")")?;
            let mut args = Vec::new();
            while self.eat_sym(",") {
                args.push(self.expr()?);
            }
            self.expect_sym(")")?;
            self.expect_sym(")")?;
            let alias = self.alias()?;
            return Ok(From::Table {
                func,
                cursor,
                args,
                alias,
            });
        }
        if self.peek().is_sym("(") && self.peek_at(1).is_kw("VALUES") {
            self.next();
            let pos = self.next().pos;
            let mut rows = Vec::new();
            loop {
                let mut row = Vec::new();
                if self.eat_sym("(") {
                    row.push(self.expr()?);
                    while self.eat_sym(",") {
                        row.push(self.expr()?);
                    }
                    self.expect_sym(")")?;
                } else {
                    row.push(self.expr()?);
                }
                rows.push(row);
                if !self.eat_sym(",") {
                    break;
                }
            }
            self.expect_sym(")")?;
            let alias = self.alias()?;
            let columns = self.column_list(alias.is_some())?;
            return Ok(From::Values {
                rows,
                alias,
                columns,
                pos,
            });
        }
        if self.peek().is_sym("(") {
            self.next();
            let query = Box::new(self.select()?);
            self.expect_sym(")")?;
            let alias = self.alias()?;
            return Ok(From::Subquery { query, alias });
        }
        let name = self.ident("a stream name")?;
        let mut window = if self.peek().is_kw("OVER") {
            Some(self.window()?)
        } else {
            None
        };
        let alias = self.alias()?;
        let renamed = self.column_list(alias.is_some())?;
        if window.is_none() && self.peek().is_kw("OVER") {
            window = Some(self.window()?);
        }
        // `JOIN "T" OVER t ON t.x = ...`: a named window also names its rows.
        let alias = alias.or_else(|| window.as_ref().and_then(|w| w.reference.clone()));
        Ok(From::Stream {
            name,
            alias,
            renamed,
            window,
        })
    }

    /// A FROM clause: a source followed by any number of joins, left to right.
    fn from(&mut self) -> Result<From, CodeValidationError> {
        let mut left = self.source()?;
        loop {
            let pos = self.pos();
            let kind = if self.eat_sym(",") {
                JoinKind::Cross
            } else if self.eat_kw("JOIN") {
                JoinKind::Inner
            } else if self.eat_kw("INNER") {
                self.expect_kw("JOIN")?;
                JoinKind::Inner
            } else if self.eat_kw("CROSS") {
                self.expect_kw("JOIN")?;
                JoinKind::Cross
            } else if let Some(kind) = [
                ("LEFT", JoinKind::Left),
                ("RIGHT", JoinKind::Right),
                ("FULL", JoinKind::Full),
            ]
            .into_iter()
            .find_map(|(kw, k)| self.peek().is_kw(kw).then_some(k))
            {
                self.next();
                self.eat_kw("OUTER");
                self.expect_kw("JOIN")?;
                kind
            } else {
                return Ok(left);
            };
            let right = self.source()?;
            let on = if kind == JoinKind::Cross {
                None
            } else {
                self.expect_kw("ON")?;
                Some(self.expr()?)
            };
            left = From::Join {
                left: Box::new(left),
                right: Box::new(right),
                kind,
                on,
                pos,
            };
        }
    }
}

/// Puts each `OVER name` window's specification from the WINDOW clause in its place.
fn resolve_windows(
    e: &mut Expr,
    windows: &[(Ident, WindowSpec)],
) -> Result<(), CodeValidationError> {
    let mut result = Ok(());
    e.walk_mut(&mut |e| {
        if let Expr::Function { over: Some(w), .. } = e
            && let Some(name) = w.reference.clone()
        {
            match windows.iter().find(|(n, _)| n.name == name.name) {
                Some((_, spec)) => {
                    *w = WindowSpec {
                        pos: w.pos,
                        ..spec.clone()
                    }
                }
                None if result.is_ok() => {
                    result = Err(CodeValidationError::at(
                        crate::error::ValidationKind::Semantic,
                        name.pos,
                        format!(
                            "Window '{}' is not defined; define it in the query's WINDOW clause (WINDOW {} AS (...))",
                            name.name, name.name
                        ),
                    ));
                }
                None => {}
            }
        }
    });
    result
}

/// Puts the WINDOW clause's specification in place of `FROM s OVER name`.
fn resolve_from_windows(
    from: &mut From,
    windows: &[(Ident, WindowSpec)],
) -> Result<(), CodeValidationError> {
    match from {
        From::Stream {
            window: Some(w), ..
        } => {
            if let Some(name) = w.reference.clone() {
                let Some((_, spec)) = windows.iter().find(|(n, _)| n.name == name.name) else {
                    return Err(CodeValidationError::at(
                        crate::error::ValidationKind::Semantic,
                        name.pos,
                        format!(
                            "Window '{}' is not defined; define it in the query's WINDOW clause (WINDOW {} AS (...))",
                            name.name, name.name
                        ),
                    ));
                };
                *w = WindowSpec {
                    pos: w.pos,
                    ..spec.clone()
                };
            }
            Ok(())
        }
        From::Join { left, right, .. } => {
            resolve_from_windows(left, windows)?;
            resolve_from_windows(right, windows)
        }
        _ => Ok(()),
    }
}
