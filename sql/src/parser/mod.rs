//! Recursive-descent parser: tokens to [`Statement`]s.
//!
//! `sqlparser` was considered and not used: it has no `STEP(.. BY ..)`, `FLOOR(.. TO ..)`,
//! `CURSOR(..)`, `TABLE(func(..))` or `SELECT STREAM` forms, and its error positions would not
//! match the token positions this dialect's messages need.
//!
//! Split by grammar area: this file holds the token cursor and the statements,
//! [`query`] the SELECT and FROM clauses, [`expr`] the expressions.

mod expr;
mod query;

use crate::ast::{ColumnDef, Ident, Statement};
use crate::error::{CodeValidationError, Pos, ValidationKind};
use crate::lexer::{Tok, Token, lex};
use crate::types::SqlType;

/// Parses the whole application code into statements.
pub fn parse(code: &str) -> Result<Vec<Statement>, CodeValidationError> {
    let mut p = Parser {
        toks: lex(code)?,
        at: 0,
    };
    let mut out = Vec::new();
    loop {
        while p.eat_sym(";") {}
        if matches!(p.peek().tok, Tok::Eof) {
            break;
        }
        out.push(p.statement()?);
        if !p.eat_sym(";") && !matches!(p.peek().tok, Tok::Eof) {
            return Err(p.unexpected("';' between statements"));
        }
    }
    Ok(out)
}

/// The token cursor shared by the grammar modules.
pub(crate) struct Parser {
    toks: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> &Token {
        &self.toks[self.at]
    }

    fn peek_at(&self, n: usize) -> &Token {
        &self.toks[(self.at + n).min(self.toks.len() - 1)]
    }

    fn next(&mut self) -> Token {
        let t = self.toks[self.at].clone();
        if self.at + 1 < self.toks.len() {
            self.at += 1;
        }
        t
    }

    fn pos(&self) -> Pos {
        self.peek().pos
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        if self.peek().is_kw(kw) {
            self.next();
            true
        } else {
            false
        }
    }

    fn eat_sym(&mut self, s: &str) -> bool {
        if self.peek().is_sym(s) {
            self.next();
            true
        } else {
            false
        }
    }

    fn expect_kw(&mut self, kw: &str) -> Result<Pos, CodeValidationError> {
        let pos = self.pos();
        if self.eat_kw(kw) {
            Ok(pos)
        } else {
            Err(self.unexpected(kw))
        }
    }

    fn expect_sym(&mut self, s: &str) -> Result<Pos, CodeValidationError> {
        let pos = self.pos();
        if self.eat_sym(s) {
            Ok(pos)
        } else {
            Err(self.unexpected(&format!("'{s}'")))
        }
    }

    /// A syntax error at the current token saying what was expected instead.
    fn unexpected(&self, expected: &str) -> CodeValidationError {
        let t = self.peek();
        CodeValidationError::at(
            ValidationKind::Syntax,
            t.pos,
            format!("Encountered {} but expected {expected}", t.describe()),
        )
    }

    fn error(&self, pos: Pos, what: impl std::fmt::Display) -> CodeValidationError {
        CodeValidationError::at(ValidationKind::Syntax, pos, what)
    }

    /// Any identifier, quoted or not.
    fn ident(&mut self, what: &str) -> Result<Ident, CodeValidationError> {
        match &self.peek().tok {
            Tok::Ident { name, .. } => {
                let id = Ident {
                    name: name.clone(),
                    pos: self.pos(),
                };
                self.next();
                Ok(id)
            }
            _ => Err(self.unexpected(what)),
        }
    }

    fn string_lit(&mut self, what: &str) -> Result<(String, Pos), CodeValidationError> {
        let pos = self.pos();
        match &self.peek().tok {
            Tok::Str(s) => {
                let s = s.clone();
                self.next();
                Ok((s, pos))
            }
            _ => Err(self.unexpected(what)),
        }
    }

    fn statement(&mut self) -> Result<Statement, CodeValidationError> {
        self.expect_kw("CREATE")?;
        let or_replace = self.eat_kw("OR");
        if or_replace {
            self.expect_kw("REPLACE")?;
        }
        if self.eat_kw("STREAM") {
            self.create_stream(or_replace)
        } else if self.eat_kw("PUMP") {
            self.create_pump()
        } else if self.eat_kw("FUNCTION") {
            self.create_function()
        } else {
            Err(self.unexpected("STREAM or PUMP (the only objects application code creates here)"))
        }
    }

    fn create_stream(&mut self, or_replace: bool) -> Result<Statement, CodeValidationError> {
        let name = self.ident("a stream name")?;
        self.expect_sym("(")?;
        let mut columns = Vec::new();
        loop {
            let col = self.ident("a column name")?;
            let ty = self.sql_type()?;
            let mut not_null = false;
            if self.eat_kw("NOT") {
                self.expect_kw("NULL")?;
                not_null = true;
            } else {
                self.eat_kw("NULL");
            }
            columns.push(ColumnDef {
                name: col,
                ty,
                not_null,
            });
            if !self.eat_sym(",") {
                break;
            }
        }
        self.expect_sym(")")?;
        if self.eat_kw("DESCRIPTION") {
            self.string_lit("a description string")?;
        }
        Ok(Statement::CreateStream {
            name,
            columns,
            or_replace,
        })
    }

    /// `CREATE FUNCTION name (p type, ...) RETURNS type [LANGUAGE SQL] [SPECIFIC name]
    /// [[NOT] DETERMINISTIC] CONTAINS SQL [READS SQL DATA] [MODIFIES SQL DATA]
    /// [RETURNS NULL ON NULL INPUT | CALLED ON NULL INPUT] RETURN expr`.
    fn create_function(&mut self) -> Result<Statement, CodeValidationError> {
        let name = self.ident("a function name")?;
        self.expect_sym("(")?;
        let mut params = Vec::new();
        if !self.eat_sym(")") {
            loop {
                let p = self.ident("a parameter name")?;
                params.push((p, self.sql_type()?));
                if !self.eat_sym(",") {
                    break;
                }
            }
            self.expect_sym(")")?;
        }
        self.expect_kw("RETURNS")?;
        let returns = self.sql_type()?;
        let mut null_on_null = false;
        loop {
            if self.eat_kw("LANGUAGE") {
                self.expect_kw("SQL")?;
            } else if self.eat_kw("SPECIFIC") {
                self.ident("a specific name")?;
            } else if self.eat_kw("NOT") {
                self.expect_kw("DETERMINISTIC")?;
            } else if self.eat_kw("DETERMINISTIC") {
            } else if self.eat_kw("CONTAINS") {
                self.expect_kw("SQL")?;
            } else if self.eat_kw("READS") || self.eat_kw("MODIFIES") {
                self.expect_kw("SQL")?;
                self.expect_kw("DATA")?;
            } else if self.peek().is_kw("RETURNS") {
                self.next();
                self.expect_kw("NULL")?;
                self.expect_kw("ON")?;
                self.expect_kw("NULL")?;
                self.expect_kw("INPUT")?;
                null_on_null = true;
            } else if self.eat_kw("CALLED") {
                self.expect_kw("ON")?;
                self.expect_kw("NULL")?;
                self.expect_kw("INPUT")?;
            } else {
                break;
            }
        }
        self.expect_kw("RETURN")?;
        let body = self.expr()?;
        Ok(Statement::CreateFunction(crate::ast::FunctionDef {
            name,
            params,
            returns,
            null_on_null,
            body,
        }))
    }

    fn create_pump(&mut self) -> Result<Statement, CodeValidationError> {
        let name = self.ident("a pump name")?;
        if self.eat_kw("DESCRIPTION") {
            self.string_lit("a description string")?;
        }
        self.expect_kw("AS")?;
        self.expect_kw("INSERT")?;
        // EXPEDITED asks the service to pass rows on without waiting for later ones; the twin
        // always does.
        self.eat_kw("EXPEDITED");
        self.expect_kw("INTO")?;
        let target = self.ident("the target stream name")?;
        let columns = if self.peek().is_sym("(") {
            self.next();
            let mut cols = vec![self.ident("a column name")?];
            while self.eat_sym(",") {
                cols.push(self.ident("a column name")?);
            }
            self.expect_sym(")")?;
            Some(cols)
        } else {
            None
        };
        let query = Box::new(self.select()?);
        if !query.stream {
            return Err(self.error(
                query.pos,
                "a pump's query must be SELECT STREAM (a continuous query)",
            ));
        }
        Ok(Statement::CreatePump {
            name,
            target,
            columns,
            query,
        })
    }

    /// A type name with optional `(n[, m])`, e.g. `VARCHAR(14)`, `DOUBLE PRECISION`.
    fn sql_type(&mut self) -> Result<SqlType, CodeValidationError> {
        let pos = self.pos();
        let mut text = match &self.peek().tok {
            Tok::Ident {
                name,
                quoted: false,
            } => name.clone(),
            _ => return Err(self.unexpected("a type name")),
        };
        self.next();
        if ((text == "DOUBLE" && self.peek().is_kw("PRECISION"))
            || ((text == "CHAR" || text == "CHARACTER") && self.peek().is_kw("VARYING")))
            && let Tok::Ident { name, .. } = self.next().tok
        {
            text = format!("{text} {name}");
        }
        if self.eat_sym("(") {
            let mut args = Vec::new();
            loop {
                match self.next().tok {
                    Tok::Number(n) => args.push(n),
                    _ => return Err(self.error(pos, format!("bad length in type {text}"))),
                }
                if !self.eat_sym(",") {
                    break;
                }
            }
            self.expect_sym(")")?;
            text = format!("{text}({})", args.join(","));
        }
        SqlType::parse(&text).map_err(|e| match e {
            crate::error::SqlError::BadSqlType(t) if t.contains('(') && t.contains(" (") => {
                self.error(pos, format!("Invalid data type {t}"))
            }
            _ => self.error(pos, format!("Unknown data type {text}")),
        })
    }
}

#[cfg(test)]
mod tests;
