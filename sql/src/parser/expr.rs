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
            let expr = Box::new(self.not_expr()?);
            return Ok(Expr::Unary {
                not: true,
                expr,
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
            self.expect_kw("NULL")?;
            return Ok(Expr::IsNull {
                expr: Box::new(left),
                negated,
            });
        }
        let negated = self.peek().is_kw("NOT")
            && (self.peek_at(1).is_kw("BETWEEN")
                || self.peek_at(1).is_kw("IN")
                || self.peek_at(1).is_kw("LIKE"));
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
            let pattern = Box::new(self.additive()?);
            return Ok(Expr::Like {
                expr: Box::new(left),
                pattern,
                negated,
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
                let value = if n.contains(['.', 'e', 'E']) {
                    Literal::Double(n.parse().map_err(|_| self.error(pos, "bad number"))?)
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
                let ms = self.interval_body()?;
                lit(Literal::Interval(ms))
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
            "FLOOR" | "CEIL" if self.peek_at(1).is_sym("(") => {
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
                self.at = save;
                Ok(None)
            }
            _ => Ok(None),
        }
    }

    /// After `INTERVAL`: `'n' unit`; returns milliseconds.
    fn interval_body(&mut self) -> Result<i64, CodeValidationError> {
        Ok(self.interval_parts()?.0)
    }

    /// An interval's milliseconds, and its number of months when it is a whole number of
    /// months or years (a year-month interval).
    fn interval_parts(&mut self) -> Result<(i64, Option<i64>), CodeValidationError> {
        let (text, pos) = self.string_lit("a quoted interval value such as '5'")?;
        let upos = self.pos();
        let unit = self.ident("a time unit")?;
        let unit = TimeUnit::parse(unit.name.trim_end_matches('S'))
            .ok_or_else(|| self.error(upos, format!("unknown time unit {}", unit.name)))?;
        // Optional leading-field precision, e.g. SECOND(2).
        if self.eat_sym("(") {
            while !self.eat_sym(")") {
                if matches!(self.next().tok, Tok::Eof) {
                    return Err(self.unexpected("')'"));
                }
            }
        }
        let n: f64 = text
            .trim()
            .parse()
            .map_err(|_| self.error(pos, format!("Illegal interval literal '{text}'")))?;
        let months = match unit {
            TimeUnit::Month if n.fract() == 0.0 => Some(n as i64),
            TimeUnit::Year if n.fract() == 0.0 => Some(n as i64 * 12),
            _ => None,
        };
        Ok(((n * unit.millis() as f64).round() as i64, months))
    }

    /// `name(args) [OVER (...)]`, including `COUNT(*)` and `COUNT(DISTINCT x)`.
    fn call(&mut self, name: Ident) -> Result<Expr, CodeValidationError> {
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
        })
    }

    /// `OVER ([PARTITION BY ...] RANGE INTERVAL .. PRECEDING | ROWS n PRECEDING)`.
    fn window(&mut self) -> Result<WindowSpec, CodeValidationError> {
        let pos = self.expect_kw("OVER")?;
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
            self.expect_kw("INTERVAL")?;
            Frame::Range(self.interval_body()?)
        } else if self.eat_kw("ROWS") {
            let p = self.pos();
            match self.next().tok {
                Tok::Number(n) => Frame::Rows(
                    n.parse()
                        .map_err(|_| self.error(p, "ROWS needs an integer"))?,
                ),
                _ => return Err(self.error(p, "ROWS needs an integer")),
            }
        } else {
            return Err(self.unexpected("RANGE INTERVAL ... PRECEDING or ROWS n PRECEDING"));
        };
        self.expect_kw("PRECEDING")?;
        self.expect_sym(")")?;
        Ok(WindowSpec {
            partition_by,
            frame,
            pos,
        })
    }
}

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
