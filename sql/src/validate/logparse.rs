//! The log parsing functions (REGEX_LOG_PARSE, FAST_REGEX_LOG_PARSE, FIXED_COLUMN_LOG_PARSE,
//! VARIABLE_COLUMN_LOG_PARSE, W3C_LOG_PARSE). Each returns a row; the query that calls one
//! (`... AS REC`) lays the row out as columns `REC.COLUMN1` ... (or the names its column
//! list gives), which an outer query reads as `T.REC.COLUMN1`. The fields are known when the
//! code is validated: from the regular expression's groups, the column list, the count, or the
//! W3C format.

use super::expr::ExprCx;
use crate::ast::{Expr, Ident, Literal};
use crate::error::{CodeValidationError, Pos, ValidationKind};
use crate::functions::scalar::Scalar;
use crate::lexer::{Tok, lex};
use crate::plan::CExpr;
use crate::types::{Family, SqlType, Value};

/// The names of the functions.
pub(crate) const LOG_PARSERS: [&str; 7] = [
    "SYS_LOG_PARSE",
    "REGEX_LOG_PARSE",
    "FAST_REGEX_LOG_PARSE",
    "FAST_REGEX_LOG_PARSER",
    "FIXED_COLUMN_LOG_PARSE",
    "VARIABLE_COLUMN_LOG_PARSE",
    "W3C_LOG_PARSE",
];

/// One field of the row: its name, type and expression.
pub(crate) struct Field {
    pub(crate) name: String,
    pub(crate) ty: SqlType,
    pub(crate) expr: CExpr,
}

fn semantic(pos: Pos, what: impl std::fmt::Display) -> CodeValidationError {
    CodeValidationError::at(ValidationKind::Semantic, pos, what)
}

fn text_arg(args: &[Expr], i: usize, f: &Ident, what: &str) -> Result<String, CodeValidationError> {
    match args.get(i) {
        Some(Expr::Literal {
            value: Literal::Str(s),
            ..
        }) => Ok(s.clone()),
        Some(e) => Err(semantic(
            e.pos(),
            format!("{}'s {what} must be a string literal", f.name),
        )),
        None => Err(semantic(f.pos, format!("{} needs its {what}", f.name))),
    }
}

fn lit(v: Value) -> CExpr {
    CExpr::Lit(v)
}

const FIELD: SqlType = SqlType::Varchar(1024);

/// The fields of a call of a log parsing function.
pub(crate) fn fields(
    cx: &mut ExprCx<'_>,
    f: &Ident,
    args: &[Expr],
) -> Result<Vec<Field>, CodeValidationError> {
    let source = match args.first() {
        Some(e) => {
            let (c, t) = cx.compile(e)?;
            if !matches!(t.family(), Family::Character | Family::Null) {
                return Err(semantic(
                    e.pos(),
                    format!("{} parses a character string, got {t}", f.name),
                ));
            }
            c
        }
        None => {
            return Err(semantic(
                f.pos,
                format!("{} needs the string to parse", f.name),
            ));
        }
    };
    let numbered = |n: usize, make: &dyn Fn(usize) -> CExpr| -> Vec<Field> {
        (1..=n)
            .map(|i| Field {
                name: format!("COLUMN{i}"),
                ty: FIELD,
                expr: make(i),
            })
            .collect()
    };
    match f.name.as_str() {
        "REGEX_LOG_PARSE" | "FAST_REGEX_LOG_PARSE" | "FAST_REGEX_LOG_PARSER" => {
            if args.len() > 2 {
                return Err(CodeValidationError::unsupported(
                    args[2].pos(),
                    format!("The column list of {}", f.name),
                ));
            }
            let pattern = text_arg(args, 1, f, "pattern")?;
            let re = if f.name == "REGEX_LOG_PARSE" {
                pattern.clone()
            } else {
                fast_regex(&pattern)
            };
            let compiled = crate::functions::text::regex(&format!("^(?s:{re})$"))
                .map_err(|e| semantic(args[1].pos(), e))?;
            let groups = compiled.captures_len() - 1;
            Ok(numbered(groups, &|i| {
                CExpr::Func(
                    Scalar::RegexField,
                    vec![
                        source.clone(),
                        lit(Value::str(&re)),
                        lit(Value::Int(i as i64)),
                    ],
                )
            }))
        }
        "SYS_LOG_PARSE" => {
            // `Mon DD HH:MM:SS rest`: COLUMN1 the leading timestamp (its year, which syslog
            // leaves out, is 1970, as CHAR_TO_TIMESTAMP's defaults say), COLUMN2 the rest.
            const SYSLOG: &str = r"(\S+ +\d+ \d+:\d+:\d+) (.*)";
            let group = |i: i64| {
                CExpr::Func(
                    Scalar::RegexField,
                    vec![source.clone(), lit(Value::str(SYSLOG)), lit(Value::Int(i))],
                )
            };
            Ok(vec![
                Field {
                    name: "COLUMN1".into(),
                    ty: SqlType::Timestamp,
                    expr: convert(group(1), &SqlType::Timestamp, Some("MMM d HH:mm:ss")),
                },
                Field {
                    name: "COLUMN2".into(),
                    ty: FIELD,
                    expr: group(2),
                },
            ])
        }
        "FIXED_COLUMN_LOG_PARSE" => {
            let spec = text_arg(args, 1, f, "column list")?;
            let columns = column_list(&spec, true).map_err(|e| semantic(args[1].pos(), e))?;
            Ok(columns
                .into_iter()
                .map(|c| {
                    let piece = CExpr::Func(
                        Scalar::FixedField,
                        vec![
                            source.clone(),
                            lit(Value::Int(c.start)),
                            lit(Value::Int(c.len.unwrap_or(-1))),
                        ],
                    );
                    Field {
                        expr: convert(piece, &c.ty, c.format.as_deref()),
                        name: c.name,
                        ty: c.ty,
                    }
                })
                .collect())
        }
        "VARIABLE_COLUMN_LOG_PARSE" => {
            let mut rest = Vec::new();
            for e in args.iter().skip(2) {
                rest.push(cx.compile(e)?.0);
            }
            if rest.is_empty() {
                return Err(semantic(
                    f.pos,
                    "VARIABLE_COLUMN_LOG_PARSE needs a delimiter",
                ));
            }
            while rest.len() < 3 {
                rest.push(lit(Value::Null));
            }
            let field = |i: usize| {
                let mut a = vec![source.clone()];
                a.extend(rest.iter().cloned());
                a.push(lit(Value::Int(i as i64)));
                CExpr::Func(Scalar::VariableField, a)
            };
            match args.get(1) {
                Some(Expr::Literal {
                    value: Literal::Int(n),
                    ..
                }) if *n > 0 => Ok(numbered(*n as usize, &field)),
                Some(Expr::Literal {
                    value: Literal::Str(spec),
                    pos,
                }) => {
                    let columns = column_list(spec, false).map_err(|e| semantic(*pos, e))?;
                    Ok(columns
                        .into_iter()
                        .enumerate()
                        .map(|(i, c)| Field {
                            expr: convert(field(i + 1), &c.ty, c.format.as_deref()),
                            name: c.name,
                            ty: c.ty,
                        })
                        .collect())
                }
                _ => Err(semantic(
                    f.pos,
                    "VARIABLE_COLUMN_LOG_PARSE's columns are a positive count or a column list string",
                )),
            }
        }
        _ => {
            let format = text_arg(args, 1, f, "format")?;
            let n = match format.trim().to_ascii_uppercase().as_str() {
                "COMMON" => 7,
                "COMMON WITH VHOST" => 8,
                "NCSA EXTENDED" => 9,
                _ => {
                    return Err(CodeValidationError::unsupported(
                        args[1].pos(),
                        format!(
                            "The W3C_LOG_PARSE format '{format}' (COMMON, COMMON WITH VHOST and NCSA EXTENDED are supported)"
                        ),
                    ));
                }
            };
            Ok(numbered(n, &|i| {
                CExpr::Func(
                    Scalar::W3cField,
                    vec![
                        source.clone(),
                        lit(Value::Int(i64::from(
                            format.trim().eq_ignore_ascii_case("COMMON WITH VHOST"),
                        ))),
                        lit(Value::Int(i as i64)),
                    ],
                )
            }))
        }
    }
}

/// A field's text as its declared type: through its date pattern, if it has one.
fn convert(piece: CExpr, ty: &SqlType, format: Option<&str>) -> CExpr {
    let to = match ty {
        SqlType::Timestamp => Some(Scalar::CharToTimestamp),
        SqlType::Date => Some(Scalar::CharToDate),
        SqlType::Time => Some(Scalar::CharToTime),
        _ => None,
    };
    match (format, to) {
        (Some(p), Some(func)) => CExpr::Func(func, vec![CExpr::Lit(Value::str(p)), piece]),
        _ => CExpr::Cast(Box::new(piece), ty.clone()),
    }
}

/// One entry of a column list: `NAME TYPE type [NOT NULL] ['pattern'] [START n [FOR m]]`.
struct ListColumn {
    name: String,
    ty: SqlType,
    format: Option<String>,
    start: i64,
    len: Option<i64>,
}

/// Parses a column list (with START/FOR positions when `fixed`).
fn column_list(spec: &str, fixed: bool) -> Result<Vec<ListColumn>, String> {
    let toks = lex(spec).map_err(|e| format!("in the column list: {}", e.message))?;
    let mut out = Vec::new();
    let mut i = 0;
    let at = |i: usize| toks.get(i).map(|t| &t.tok);
    loop {
        let name = match at(i) {
            Some(Tok::Ident { name, .. }) => name.clone(),
            _ => {
                return Err(
                    "the column list needs NAME TYPE type entries separated by commas".into(),
                );
            }
        };
        i += 1;
        if !matches!(at(i), Some(Tok::Ident { name, quoted: false }) if name == "TYPE") {
            return Err(format!("column {name}: TYPE must follow its name"));
        }
        i += 1;
        let mut ty = String::new();
        while let Some(t) = at(i) {
            match t {
                Tok::Ident {
                    name,
                    quoted: false,
                } if matches!(name.as_str(), "START" | "FOR" | "NOT") => {
                    break;
                }
                Tok::Str(_) => break,
                Tok::Sym(",") if !ty.contains('(') || ty.contains(')') => break,
                Tok::Ident { name, .. } => {
                    if !ty.is_empty() && !ty.ends_with('(') && !ty.ends_with(',') {
                        ty.push(' ');
                    }
                    ty.push_str(name);
                }
                Tok::Number(n) => ty.push_str(n),
                Tok::Sym(s) => ty.push_str(s),
                Tok::Eof => break,
            }
            i += 1;
        }
        let ty = SqlType::parse(&ty).map_err(|e| format!("column {name}: {e}"))?;
        if matches!(at(i), Some(Tok::Ident { name, quoted: false }) if name == "NOT") {
            i += 2; // NOT NULL
        }
        let format = match at(i) {
            Some(Tok::Str(s)) => {
                i += 1;
                Some(s.clone())
            }
            _ => None,
        };
        let number = |what: &str, i: &mut usize| -> Result<i64, String> {
            *i += 1;
            match toks.get(*i).map(|t| &t.tok) {
                Some(Tok::Number(n)) => {
                    *i += 1;
                    n.parse()
                        .map_err(|_| format!("column {name}: {what} needs an integer"))
                }
                _ => Err(format!("column {name}: {what} needs an integer")),
            }
        };
        let (mut start, mut len) = (0, None);
        if matches!(at(i), Some(Tok::Ident { name, quoted: false }) if name == "START") {
            start = number("START", &mut i)?;
            if matches!(toks.get(i).map(|t| &t.tok), Some(Tok::Ident { name, quoted: false }) if name == "FOR")
            {
                len = Some(number("FOR", &mut i)?);
            }
        } else if fixed {
            return Err(format!(
                "column {name}: FIXED_COLUMN_LOG_PARSE needs START <position>"
            ));
        }
        out.push(ListColumn {
            name,
            ty,
            format,
            start,
            len,
        });
        match toks.get(i).map(|t| &t.tok) {
            Some(Tok::Sym(",")) => i += 1,
            None | Some(Tok::Eof) => return Ok(out),
            Some(_) => return Err("the column list's entries are separated by commas".into()),
        }
    }
}

/// FAST_REGEX_LOG_PARSE's patterns as a regular expression: `.*` and `.+` match as little as
/// they can (its lazy matching), and the named classes (`<Alpha>`, `<Digit>`, ...) are
/// character classes. (Its `&`, `#`, `@` and `<n-m>` forms are not translated.)
pub(crate) fn fast_regex(pattern: &str) -> String {
    let mut out = pattern.replace(".*", ".*?").replace(".+", ".+?");
    for (name, class) in [
        ("<Digit>", "[0-9]"),
        ("<Upper>", "[A-Z]"),
        ("<Lower>", "[a-z]"),
        ("<ASCII>", "[\\x00-\\x7F]"),
        ("<Alpha>", "[A-Za-z]"),
        ("<Alnum>", "[A-Za-z0-9]"),
        ("<Punct>", "[[:punct:]]"),
        ("<Blank>", "[ \\t]"),
        ("<Space>", "[ \\t\\n\\x0B\\f\\r]"),
        ("<Cntrl>", "[\\x00-\\x1F\\x7F]"),
        ("<XDigit>", "[0-9A-Fa-f]"),
        ("<Print>", "[\\x20-\\x7E]"),
        ("<Graph>", "[\\x21-\\x7E]"),
    ] {
        out = out.replace(name, class);
    }
    out
}
