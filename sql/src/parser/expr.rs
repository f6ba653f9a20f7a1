//! Expressions, by precedence: OR < AND < NOT < comparison < additive < multiplicative < unary.

use super::Parser;
use crate::ast::{BinOp, Expr, Frame, Ident, Literal, TimeUnit, WindowSpec};
use crate::coerce::parse_timestamp;
use crate::error::{CodeValidationError, Pos};
use crate::lexer::Tok;

impl Parser {
    /// Parses one expression.
    pub(crate) fn expr(&mut self) -> Result<Expr, CodeValidationError> {
        self.or_expr()
    }

    fn or_expr(&mut self) -> Result<Expr, CodeValidationError> {
        let mut left = self.and_expr()?;
        while self.peek().is_kw("OR") {
            let pos = self.next().pos;
            let right = self.and_expr()?;
            left = bin(BinOp::Or, left, right, pos);
        }
        Ok(left)
    }

    fn and_expr(&mut self) -> Result<Expr, CodeValidationError> {
        let mut left = self.not_expr()?;
        while self.peek().is_kw("AND") {
            let pos = self.next().pos;
            let right = self.not_expr()?;
            left = bin(BinOp::And, left, right, pos);
        }
        Ok(left)
    }

    fn not_expr(&mut self) -> Result<Expr, CodeValidationError> {
        if self.peek().is_kw("NOT") {
            let pos = self.next().pos;
            let expr = self.not_expr()?;
            // The SQL Reference's logical operators table has NOT binding before IS TRUE,
            // IS FALSE and IS UNKNOWN (`NOT UNKNOWN IS TRUE` is FALSE).
            if let Expr::Function { name, args, .. } = &expr
                && matches!(name.name.as_str(), "$IS_TRUE" | "$IS_FALSE" | "$IS_UNKNOWN")
                && args.len() == 1
            {
                let inner = Expr::Unary {
                    not: true,
                    expr: Box::new(args[0].clone()),
                    pos,
                };
                return Ok(internal(&name.name, vec![inner], name.pos));
            }
            return Ok(Expr::Unary {
                not: true,
                expr: Box::new(expr),
                pos,
            });
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, CodeValidationError> {
        let left = self.additive()?;
        let t = self.peek().clone();
        let op = match &t.tok {
            Tok::Sym("=") => Some(BinOp::Eq),
            Tok::Sym("<>") | Tok::Sym("!=") => Some(BinOp::Ne),
            Tok::Sym("<") => Some(BinOp::Lt),
            Tok::Sym("<=") => Some(BinOp::Le),
            Tok::Sym(">") => Some(BinOp::Gt),
            Tok::Sym(">=") => Some(BinOp::Ge),
            _ => None,
        };
        if let Some(op) = op {
            self.next();
            let right = self.additive()?;
            return Ok(bin(op, left, right, t.pos));
        }
        if self.eat_kw("IS") {
            let negated = self.eat_kw("NOT");
            if self.eat_kw("DISTINCT") {
                self.expect_kw("FROM")?;
                let right = self.additive()?;
                let distinct = internal("$DISTINCT", vec![left, right], t.pos);
                return Ok(if negated {
                    not(distinct, t.pos)
                } else {
                    distinct
                });
            }
            if self.peek().is_kw("TRUE")
                || self.peek().is_kw("FALSE")
                || self.peek().is_kw("UNKNOWN")
            {
                let what = self.next();
                let name = if what.is_kw("TRUE") {
                    "$IS_TRUE"
                } else if what.is_kw("FALSE") {
                    "$IS_FALSE"
                } else {
                    "$IS_UNKNOWN"
                };
                let test = internal(name, vec![left], t.pos);
                return Ok(if negated { not(test, t.pos) } else { test });
            }
            self.expect_kw("NULL")?;
            return Ok(Expr::IsNull {
                expr: Box::new(left),
                negated,
            });
        }
        let negated = self.peek().is_kw("NOT")
            && (self.peek_at(1).is_kw("BETWEEN")
                || self.peek_at(1).is_kw("IN")
                || self.peek_at(1).is_kw("LIKE")
                || self.peek_at(1).is_kw("SIMILAR"));
        if negated {
            self.next();
        }
        if self.eat_kw("BETWEEN") {
            let low = Box::new(self.additive()?);
            self.expect_kw("AND")?;
            let high = Box::new(self.additive()?);
            return Ok(Expr::Between {
                expr: Box::new(left),
                low,
                high,
                negated,
            });
        }
        if self.eat_kw("IN") {
            self.expect_sym("(")?;
            let mut list = vec![self.expr()?];
            while self.eat_sym(",") {
                list.push(self.expr()?);
            }
            self.expect_sym(")")?;
            return Ok(Expr::InList {
                expr: Box::new(left),
                list,
                negated,
            });
        }
        if self.eat_kw("LIKE") {
            let pattern = self.additive()?;
            if self.eat_kw("ESCAPE") {
                let escape = self.additive()?;
                let like = internal("$LIKE", vec![left, pattern, escape], t.pos);
                return Ok(if negated { not(like, t.pos) } else { like });
            }
            return Ok(Expr::Like {
                expr: Box::new(left),
                pattern: Box::new(pattern),
                negated,
            });
        }
        if self.eat_kw("SIMILAR") {
            self.expect_kw("TO")?;
            let mut args = vec![left, self.additive()?];
            if self.eat_kw("ESCAPE") {
                args.push(self.additive()?);
            }
            let similar = internal("$SIMILAR", args, t.pos);
            return Ok(if negated {
                not(similar, t.pos)
            } else {
                similar
            });
        }
        Ok(left)
    }

    fn additive(&mut self) -> Result<Expr, CodeValidationError> {
        let mut left = self.multiplicative()?;
        loop {
            let t = self.peek().clone();
            let op = match t.tok {
                Tok::Sym("+") => BinOp::Add,
                Tok::Sym("-") => BinOp::Sub,
                Tok::Sym("||") => BinOp::Concat,
                _ => return Ok(left),
            };
            self.next();
            let right = self.multiplicative()?;
            left = bin(op, left, right, t.pos);
        }
    }

    fn multiplicative(&mut self) -> Result<Expr, CodeValidationError> {
        let mut left = self.unary()?;
        loop {
            let t = self.peek().clone();
            let op = match t.tok {
                Tok::Sym("*") => BinOp::Mul,
                Tok::Sym("/") => BinOp::Div,
                Tok::Sym("%") => BinOp::Mod,
                _ => return Ok(left),
            };
            self.next();
            let right = self.unary()?;
            left = bin(op, left, right, t.pos);
        }
    }

    fn unary(&mut self) -> Result<Expr, CodeValidationError> {
        if self.peek().is_sym("-") {
            let pos = self.next().pos;
            let expr = self.unary()?;
            // Fold negative literals so `-5` is a literal (ranges check literals).
            return Ok(match expr {
                Expr::Literal {
                    value: Literal::Int(i),
                    ..
                } => Expr::Literal {
                    value: Literal::Int(-i),
                    pos,
                },
                Expr::Literal {
                    value: Literal::Double(d),
                    ..
                } => Expr::Literal {
                    value: Literal::Double(-d),
                    pos,
                },
                Expr::Literal {
                    value: Literal::Decimal(d),
                    ..
                } => Expr::Literal {
                    value: Literal::Decimal(-d),
                    pos,
                },
                other => Expr::Unary {
                    not: false,
                    expr: Box::new(other),
                    pos,
                },
            });
        }
        if self.peek().is_sym("+") {
            self.next();
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, CodeValidationError> {
        let t = self.peek().clone();
        let pos = t.pos;
        match &t.tok {
            Tok::Number(n) => {
                self.next();
                let value = if n.contains(['e', 'E']) {
                    Literal::Double(n.parse().map_err(|_| self.error(pos, "bad number"))?)
                } else if n.contains('.') {
                    // An exact numeric literal is a DECIMAL; one too long for it, a DOUBLE.
                    match n.parse::<rust_decimal::Decimal>() {
                        Ok(d) => Literal::Decimal(d),
                        Err(_) => {
                            Literal::Double(n.parse().map_err(|_| self.error(pos, "bad number"))?)
                        }
                    }
                } else {
                    match n.parse::<i64>() {
                        Ok(i) => Literal::Int(i),
                        Err(_) => {
                            Literal::Double(n.parse().map_err(|_| self.error(pos, "bad number"))?)
                        }
                    }
                };
                Ok(Expr::Literal { value, pos })
            }
            Tok::Str(s) => {
                self.next();
                Ok(Expr::Literal {
                    value: Literal::Str(s.clone()),
                    pos,
                })
            }
            Tok::Sym("(") => {
                self.next();
                let e = self.expr()?;
                self.expect_sym(")")?;
                // `(t1 - t2) MINUTE TO SECOND`: the difference of two datetimes, as an interval.
                if let Tok::Ident {
                    name,
                    quoted: false,
                } = &self.peek().tok
                    && TimeUnit::parse(name).is_some()
                {
                    let (from, to) = self.interval_qualifier()?;
                    let Expr::Binary {
                        op: BinOp::Sub,
                        left,
                        right,
                        ..
                    } = e
                    else {
                        return Err(self.error(
                            pos,
                            "an interval qualifier after parentheses needs a datetime difference: (t1 - t2) MINUTE TO SECOND",
                        ));
                    };
                    let unit = |u: TimeUnit| Expr::Literal {
                        value: Literal::Str(format!("{u:?}").to_uppercase()),
                        pos,
                    };
                    return Ok(internal(
                        "$DIFF",
                        vec![*left, *right, unit(from), unit(to)],
                        pos,
                    ));
                }
                Ok(e)
            }
            Tok::Ident { name, quoted } => {
                let (name, quoted) = (name.clone(), *quoted);
                if !quoted && RESERVED.contains(&name.as_str()) {
                    return Err(self.unexpected("an expression"));
                }
                if !quoted && let Some(e) = self.keyword_expr(&name, pos)? {
                    return Ok(e);
                }
                self.next();
                let ident = Ident { name, pos };
                if !quoted && self.peek().is_sym("(") {
                    return self.call(ident);
                }
                if self.peek().is_sym(".") {
                    self.next();
                    let col = self.ident("a column name after '.'")?;
                    // `T.REC.COLUMN1`: a field of a row a log parsing function returned,
                    // which the query that made it lays out as columns named `REC.COLUMN1`.
                    if self.peek().is_sym(".") {
                        self.next();
                        let field = self.ident("a field name after '.'")?;
                        return Ok(Expr::Column {
                            qualifier: Some(ident),
                            name: Ident {
                                name: format!("{}.{}", col.name, field.name),
                                pos: col.pos,
                            },
                        });
                    }
                    return Ok(Expr::Column {
                        qualifier: Some(ident),
                        name: col,
                    });
                }
                Ok(Expr::Column {
                    qualifier: None,
                    name: ident,
                })
            }
            _ => Err(self.unexpected("an expression")),
        }
    }

    /// Keyword-led forms; `None` when the word is an ordinary identifier.
    fn keyword_expr(&mut self, word: &str, pos: Pos) -> Result<Option<Expr>, CodeValidationError> {
        let lit = |value| Ok(Some(Expr::Literal { value, pos }));
        match word {
            "NULL" => {
                self.next();
                lit(Literal::Null)
            }
            "TRUE" | "FALSE" => {
                self.next();
                lit(Literal::Bool(word == "TRUE"))
            }
            "INTERVAL" => {
                self.next();
                let (ms, _, from, to) = self.interval_literal()?;
                lit(Literal::Interval(ms, from, to))
            }
            "DATE" if matches!(self.peek_at(1).tok, Tok::Str(_)) => {
                self.next();
                let (s, p) = self.string_lit("a date string")?;
                let days = crate::coerce::parse_date(&s)
                    .ok_or_else(|| self.error(p, format!("Illegal DATE literal '{s}'")))?;
                lit(Literal::Date(days))
            }
            "TIME" if matches!(self.peek_at(1).tok, Tok::Str(_)) => {
                self.next();
                let (s, p) = self.string_lit("a time string")?;
                let ms = crate::coerce::parse_time(&s)
                    .ok_or_else(|| self.error(p, format!("Illegal TIME literal '{s}'")))?;
                lit(Literal::Time(ms))
            }
            "CURRENT_ROW_TIMESTAMP"
            | "CURRENT_TIMESTAMP"
            | "CURRENT_DATE"
            | "CURRENT_TIME"
            | "LOCALTIME"
            | "LOCALTIMESTAMP"
                if !self.peek_at(1).is_sym("(") =>
            {
                self.next();
                Ok(Some(internal(word, Vec::new(), pos)))
            }
            "SUBSTRING" if self.peek_at(1).is_sym("(") => {
                self.next();
                self.next();
                // Not `expr`: `x SIMILAR ...` here is SUBSTRING's form, not SIMILAR TO.
                let source = self.additive()?;
                let e = if self.eat_kw("FROM") {
                    let mut args = vec![source, self.expr()?];
                    if self.eat_kw("FOR") {
                        args.push(self.expr()?);
                    }
                    internal("$SUBSTRING_FROM", args, pos)
                } else if self.eat_kw("SIMILAR") {
                    let pattern = self.expr()?;
                    self.expect_kw("ESCAPE")?;
                    let escape = self.expr()?;
                    internal("$SUBSTRING_SIMILAR", vec![source, pattern, escape], pos)
                } else {
                    let mut args = vec![source];
                    while self.eat_sym(",") {
                        args.push(self.expr()?);
                    }
                    internal("SUBSTRING", args, pos)
                };
                self.expect_sym(")")?;
                Ok(Some(e))
            }
            "TRIM" if self.peek_at(1).is_sym("(") => {
                self.next();
                self.next();
                let mode = ["BOTH", "LEADING", "TRAILING"]
                    .into_iter()
                    .find(|m| self.peek().is_kw(m));
                if mode.is_some() {
                    self.next();
                }
                let (chars, source) = if mode.is_some() && self.eat_kw("FROM") {
                    (None, self.expr()?)
                } else {
                    let first = self.expr()?;
                    if self.eat_kw("FROM") {
                        (Some(first), self.expr()?)
                    } else if mode.is_some() {
                        return Err(self.unexpected("FROM"));
                    } else {
                        (None, first)
                    }
                };
                self.expect_sym(")")?;
                let text = |s: &str| Expr::Literal {
                    value: Literal::Str(s.to_string()),
                    pos,
                };
                let chars = chars.unwrap_or_else(|| text(" "));
                Ok(Some(internal(
                    "TRIM",
                    vec![source, chars, text(mode.unwrap_or("BOTH"))],
                    pos,
                )))
            }
            "POSITION" if self.peek_at(1).is_sym("(") => {
                self.next();
                self.next();
                let needle = self.additive()?;
                self.expect_kw("IN")?;
                let hay = self.expr()?;
                self.expect_sym(")")?;
                Ok(Some(internal("POSITION", vec![needle, hay], pos)))
            }
            "OVERLAY" if self.peek_at(1).is_sym("(") => {
                self.next();
                self.next();
                let source = self.expr()?;
                self.expect_kw("PLACING")?;
                let mut args = vec![source, self.expr()?];
                self.expect_kw("FROM")?;
                args.push(self.expr()?);
                if self.eat_kw("FOR") {
                    args.push(self.expr()?);
                }
                self.expect_sym(")")?;
                Ok(Some(internal("OVERLAY", args, pos)))
            }
            "EXTRACT" if self.peek_at(1).is_sym("(") => {
                self.next();
                self.next();
                let upos = self.pos();
                let u = self.ident("a field: YEAR, MONTH, DAY, HOUR, MINUTE or SECOND")?;
                let unit = TimeUnit::parse(&u.name)
                    .ok_or_else(|| self.error(upos, format!("unknown time unit {}", u.name)))?;
                self.expect_kw("FROM")?;
                let source = self.expr()?;
                self.expect_sym(")")?;
                let field = Expr::Literal {
                    value: Literal::Str(format!("{unit:?}").to_uppercase()),
                    pos: upos,
                };
                // SECOND is a DECIMAL(5,3) (with the milliseconds); the other fields BIGINTs.
                let name = if unit == TimeUnit::Second {
                    "$EXTRACT_SECOND"
                } else {
                    "EXTRACT"
                };
                Ok(Some(internal(name, vec![field, source], pos)))
            }
            "TIMESTAMP" if matches!(self.peek_at(1).tok, Tok::Str(_)) => {
                self.next();
                let (s, p) = self.string_lit("a timestamp string")?;
                let ms = parse_timestamp(&s)
                    .ok_or_else(|| self.error(p, format!("Illegal TIMESTAMP literal '{s}'")))?;
                lit(Literal::Timestamp(ms))
            }
            "CAST" if self.peek_at(1).is_sym("(") => {
                self.next();
                self.next();
                let expr = Box::new(self.expr()?);
                self.expect_kw("AS")?;
                let ty = self.sql_type()?;
                self.expect_sym(")")?;
                Ok(Some(Expr::Cast { expr, ty, pos }))
            }
            "CASE" => {
                self.next();
                let operand = if self.peek().is_kw("WHEN") {
                    None
                } else {
                    Some(Box::new(self.expr()?))
                };
                let mut whens = Vec::new();
                while self.eat_kw("WHEN") {
                    let w = self.expr()?;
                    self.expect_kw("THEN")?;
                    whens.push((w, self.expr()?));
                }
                if whens.is_empty() {
                    return Err(self.unexpected("WHEN"));
                }
                let otherwise = if self.eat_kw("ELSE") {
                    Some(Box::new(self.expr()?))
                } else {
                    None
                };
                self.expect_kw("END")?;
                Ok(Some(Expr::Case {
                    operand,
                    whens,
                    otherwise,
                    pos,
                }))
            }
            "STEP" if self.peek_at(1).is_sym("(") => {
                self.next();
                self.next();
                let expr = Box::new(self.expr()?);
                self.expect_kw("BY")?;
                let (by, interval, months) = if self.eat_kw("INTERVAL") {
                    let (ms, months) = self.interval_parts()?;
                    (ms, true, months)
                } else {
                    match self.next().tok {
                        Tok::Number(n) => (
                            n.parse::<i64>()
                                .map_err(|_| self.error(pos, "STEP BY needs an integer"))?,
                            false,
                            None,
                        ),
                        _ => {
                            return Err(self.error(
                                pos,
                                "STEP needs BY INTERVAL '<n>' <unit> or BY <integer>",
                            ));
                        }
                    }
                };
                self.expect_sym(")")?;
                if by <= 0 {
                    return Err(self.error(pos, "STEP interval must be positive"));
                }
                Ok(Some(Expr::Step {
                    expr,
                    by,
                    interval,
                    months,
                    pos,
                }))
            }
            "FLOOR" | "CEIL" | "CEILING" if self.peek_at(1).is_sym("(") => {
                // FLOOR(x TO unit) is the datetime form; FLOOR(x) is numeric.
                let save = self.at;
                self.next();
                self.next();
                let expr = self.expr()?;
                if word == "FLOOR" && self.eat_kw("TO") {
                    let upos = self.pos();
                    let u = self.ident("a time unit")?;
                    let unit = TimeUnit::parse(&u.name)
                        .ok_or_else(|| self.error(upos, format!("unknown time unit {}", u.name)))?;
                    self.expect_sym(")")?;
                    return Ok(Some(Expr::FloorTo {
                        expr: Box::new(expr),
                        unit,
                        pos,
                    }));
                }
                if word != "FLOOR" && self.eat_kw("TO") {
                    let upos = self.pos();
                    let u = self.ident("a time unit")?;
                    let unit = TimeUnit::parse(&u.name)
                        .ok_or_else(|| self.error(upos, format!("unknown time unit {}", u.name)))?;
                    self.expect_sym(")")?;
                    let unit = Expr::Literal {
                        value: Literal::Str(format!("{unit:?}").to_uppercase()),
                        pos: upos,
                    };
                    return Ok(Some(internal("$CEIL_TO", vec![expr, unit], pos)));
                }
                self.at = save;
                Ok(None)
            }
            _ => Ok(None),
        }
    }

    /// After `INTERVAL`: `'n' unit`; returns milliseconds.
    pub(crate) fn interval_body(&mut self) -> Result<i64, CodeValidationError> {
        Ok(self.interval_parts()?.0)
    }

    /// An interval's milliseconds, and its number of months when it is a year-month interval
    /// (`'2' YEAR`, `'3-4' YEAR TO MONTH`): such intervals step by the calendar.
    fn interval_parts(&mut self) -> Result<(i64, Option<i64>), CodeValidationError> {
        let (ms, months, _, _) = self.interval_literal()?;
        Ok((ms, months))
    }

    /// An interval literal after INTERVAL: its ms, its months (a year-month interval) and its
    /// qualifier's fields.
    fn interval_literal(
        &mut self,
    ) -> Result<(i64, Option<i64>, TimeUnit, TimeUnit), CodeValidationError> {
        // INTERVAL [+|-] 'value' qualifier
        let outer_negative = if self.eat_sym("-") {
            true
        } else {
            self.eat_sym("+");
            false
        };
        let (text, pos) = self.string_lit("a quoted interval value such as '5'")?;
        let (from, to) = self.interval_qualifier()?;
        let bad = |why: &str| {
            self.error(
                pos,
                format!("Illegal interval literal '{text}' for {from:?} TO {to:?}: {why}").replace(
                    &format!(" for {from:?} TO {from:?}"),
                    &format!(" for {from:?}"),
                ),
            )
        };
        let fields = interval_fields(from, to).ok_or_else(|| bad("the fields are out of order"))?;
        let body = text.trim();
        let (negative, body) = match body.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, body.strip_prefix('+').unwrap_or(body)),
        };
        // Fields are separated by '-' (YEAR TO MONTH), ' ' (DAY from the rest) and ':'.
        let parts: Vec<&str> = body
            .split([' ', ':', '-'])
            .filter(|p| !p.is_empty())
            .collect();
        if parts.len() != fields.len() {
            return Err(bad(&format!(
                "it needs {} field(s) ({})",
                fields.len(),
                fields
                    .iter()
                    .map(|f| format!("{f:?}").to_uppercase())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let mut ms = 0f64;
        let mut months = 0i64;
        let mut year_month = true;
        for (i, (part, unit)) in parts.iter().zip(&fields).enumerate() {
            // Only the last field may have a fraction (seconds, or a single field).
            let n: f64 = part
                .parse()
                .ok()
                .filter(|n: &f64| n.is_finite() && (i + 1 == parts.len() || n.fract() == 0.0))
                .ok_or_else(|| bad(&format!("'{part}' is not a number")))?;
            match unit {
                TimeUnit::Year | TimeUnit::Month if n.fract() == 0.0 => {
                    months += n as i64 * if *unit == TimeUnit::Year { 12 } else { 1 };
                }
                _ => year_month = false,
            }
            ms += n * unit.millis() as f64;
        }
        let sign = if negative != outer_negative { -1 } else { 1 };
        let ms = (ms.round() as i64) * sign;
        Ok((ms, year_month.then_some(months * sign), from, to))
    }

    /// `name(args) [OVER (...)]`, including `COUNT(*)` and `COUNT(DISTINCT x)`.
    fn call(&mut self, mut name: Ident) -> Result<Expr, CodeValidationError> {
        self.expect_sym("(")?;
        let mut args = Vec::new();
        let mut star = false;
        let distinct = self.eat_kw("DISTINCT");
        if self.peek().is_sym("*") {
            self.next();
            star = true;
        } else if !self.peek().is_sym(")") {
            args.push(self.expr()?);
            while self.eat_sym(",") {
                args.push(self.expr()?);
            }
        }
        self.expect_sym(")")?;
        // NTH_VALUE(x, n) FROM FIRST | FROM LAST (not the query's FROM).
        if name.name == "NTH_VALUE"
            && self.peek().is_kw("FROM")
            && (self.peek_at(1).is_kw("FIRST") || self.peek_at(1).is_kw("LAST"))
        {
            self.next();
            if self.next().is_kw("LAST") {
                name.name = "$NTH_VALUE_FROM_LAST".into();
            }
        }
        let ignore_nulls = if self.peek_at(1).is_kw("NULLS")
            && (self.peek().is_kw("IGNORE") || self.peek().is_kw("RESPECT"))
        {
            let ignore = self.next().is_kw("IGNORE");
            self.next();
            ignore
        } else {
            false
        };
        let over = if self.peek().is_kw("OVER") {
            Some(self.window()?)
        } else {
            None
        };
        Ok(Expr::Function {
            name,
            args,
            star,
            distinct,
            over,
            ignore_nulls,
        })
    }

    /// `OVER ([PARTITION BY ...] RANGE INTERVAL .. PRECEDING | ROWS n PRECEDING)`, or
    /// `OVER name` (a window of the WINDOW clause, resolved when the query is complete: its
    /// frame is a placeholder until then).
    pub(crate) fn window(&mut self) -> Result<WindowSpec, CodeValidationError> {
        let pos = self.expect_kw("OVER")?;
        if let Tok::Ident { .. } = self.peek().tok {
            let name = self.ident("a window name")?;
            return Ok(WindowSpec {
                partition_by: Vec::new(),
                frame: Frame::Rows(0),
                pos,
                reference: Some(name),
            });
        }
        self.window_body(pos)
    }

    /// `([PARTITION BY ...] RANGE ... | ROWS ...)` of OVER or of a WINDOW clause's window.
    pub(crate) fn window_body(&mut self, pos: Pos) -> Result<WindowSpec, CodeValidationError> {
        self.expect_sym("(")?;
        let mut partition_by = Vec::new();
        if self.eat_kw("PARTITION") {
            self.expect_kw("BY")?;
            partition_by.push(self.expr()?);
            while self.eat_sym(",") {
                partition_by.push(self.expr()?);
            }
        }
        let frame = if self.eat_kw("RANGE") {
            let between = self.eat_kw("BETWEEN");
            self.expect_kw("INTERVAL")?;
            let frame = Frame::Range(self.interval_body()?);
            self.expect_kw("PRECEDING")?;
            if between {
                self.window_end()?;
            }
            frame
        } else if self.eat_kw("ROWS") {
            let p = self.pos();
            // ROWS BETWEEN n PRECEDING AND CURRENT ROW is ROWS n PRECEDING.
            let between = self.eat_kw("BETWEEN");
            let frame = match self.next().tok {
                Tok::Number(n) => Frame::Rows(n.parse().map_err(|_| self.error(p, ROWS_WINDOW))?),
                _ => return Err(self.error(p, ROWS_WINDOW)),
            };
            self.expect_kw("PRECEDING")?;
            if between {
                self.window_end()?;
            }
            frame
        } else if self.peek().is_kw("ORDER") {
            return Err(self.error(
                self.pos(),
                "ORDER BY is not allowed in a window: a window is ordered by ROWTIME (RANGE INTERVAL ... PRECEDING or ROWS n PRECEDING)",
            ));
        } else {
            return Err(self.unexpected("RANGE INTERVAL ... PRECEDING or ROWS n PRECEDING"));
        };
        self.expect_sym(")")?;
        Ok(WindowSpec {
            partition_by,
            frame,
            pos,
            reference: None,
        })
    }

    /// `AND CURRENT ROW` after `ROWS|RANGE BETWEEN ... PRECEDING`: the only end of a window
    /// the service allows (a window ends at the current row).
    fn window_end(&mut self) -> Result<(), CodeValidationError> {
        self.expect_kw("AND")?;
        if !(self.peek().is_kw("CURRENT") && self.peek_at(1).is_kw("ROW")) {
            return Err(self.error(
                self.pos(),
                "a window must end at the current row: BETWEEN ... PRECEDING AND CURRENT ROW",
            ));
        }
        self.next();
        self.next();
        Ok(())
    }

    /// `unit [(precision)] [TO unit [(precision)]]` after an interval literal or a datetime
    /// difference.
    fn interval_qualifier(&mut self) -> Result<(TimeUnit, TimeUnit), CodeValidationError> {
        let from = self.time_unit()?;
        let to = if self.eat_kw("TO") {
            self.time_unit()?
        } else {
            from
        };
        Ok((from, to))
    }

    /// A time unit keyword (singular or plural), with an optional precision like SECOND(2).
    fn time_unit(&mut self) -> Result<TimeUnit, CodeValidationError> {
        let upos = self.pos();
        let unit = self.ident("a time unit")?;
        let parsed = TimeUnit::parse(unit.name.trim_end_matches('S'))
            .ok_or_else(|| self.error(upos, format!("unknown time unit {}", unit.name)))?;
        if self.eat_sym("(") {
            while !self.eat_sym(")") {
                if matches!(self.next().tok, Tok::Eof) {
                    return Err(self.unexpected("')'"));
                }
            }
        }
        Ok(parsed)
    }
}

/// The fields of an interval from `from` to `to`: YEAR TO MONTH, or a run of DAY, HOUR,
/// MINUTE, SECOND; `None` if out of order or mixing the two kinds.
fn interval_fields(from: TimeUnit, to: TimeUnit) -> Option<Vec<TimeUnit>> {
    const YM: [TimeUnit; 2] = [TimeUnit::Year, TimeUnit::Month];
    const DT: [TimeUnit; 4] = [
        TimeUnit::Day,
        TimeUnit::Hour,
        TimeUnit::Minute,
        TimeUnit::Second,
    ];
    for run in [&YM[..], &DT[..]] {
        if let (Some(a), Some(b)) = (
            run.iter().position(|u| *u == from),
            run.iter().position(|u| *u == to),
        ) {
            return (a <= b).then(|| run[a..=b].to_vec());
        }
    }
    None
}

/// A call of a function the parser names for a keyword form (`$`-names cannot be written).
fn internal(name: &str, args: Vec<Expr>, pos: Pos) -> Expr {
    Expr::Function {
        name: Ident {
            name: name.to_string(),
            pos,
        },
        args,
        star: false,
        distinct: false,
        over: None,
        ignore_nulls: false,
    }
}

fn not(expr: Expr, pos: Pos) -> Expr {
    Expr::Unary {
        not: true,
        expr: Box::new(expr),
        pos,
    }
}

/// What a ROWS window takes.
const ROWS_WINDOW: &str = "a ROWS window is a number of rows PRECEDING the current one (ROWS n PRECEDING, or ROWS BETWEEN n PRECEDING AND CURRENT ROW); UNBOUNDED, negative and FOLLOWING windows are not allowed";

/// Words that can never start an expression unquoted.
const RESERVED: [&str; 16] = [
    "FROM", "WHERE", "GROUP", "HAVING", "ORDER", "SELECT", "BY", "AS", "ON", "AND", "OR", "THEN",
    "WHEN", "ELSE", "END", "INTO",
];

fn bin(op: BinOp, left: Expr, right: Expr, pos: Pos) -> Expr {
    Expr::Binary {
        op,
        left: Box::new(left),
        right: Box::new(right),
        pos,
    }
}
