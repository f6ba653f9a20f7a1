//! CREATE FUNCTION: SQL functions are inlined where a pump calls them — each parameter
//! replaced by its argument, the body CAST to the declared return type, and (RETURNS NULL ON
//! NULL INPUT) NULL for a NULL argument. Arguments are not cast: each must have its
//! parameter's type (the SQL Reference's CREATE FUNCTION page), which `$UDF_ARG` checks when
//! the inlined expression is compiled.

use crate::ast::{Expr, FunctionDef, Ident, Literal, Select};
use crate::error::{CodeValidationError, ValidationKind};

/// The most calls a pump may expand to (a function that calls itself never ends).
const MAX_EXPANSIONS: usize = 10_000;

/// Replaces every call of one of `functions` in `query`.
pub(crate) fn inline(
    query: &mut Select,
    functions: &[FunctionDef],
) -> Result<(), CodeValidationError> {
    if functions.is_empty() {
        return Ok(());
    }
    let mut expansions = 0;
    let mut failure = None;
    query.exprs_mut(&mut |root| {
        root.walk_mut(&mut |e| {
            if failure.is_some() {
                return;
            }
            let Expr::Function { name, args, .. } = e else {
                return;
            };
            let Some(def) = functions
                .iter()
                .find(|f| f.name.name == name.name && f.params.len() == args.len())
            else {
                return;
            };
            expansions += 1;
            if expansions > MAX_EXPANSIONS {
                failure = Some(CodeValidationError::at(
                    ValidationKind::Semantic,
                    name.pos,
                    format!("Function {} calls itself without end", name.name),
                ));
                return;
            }
            *e = expand(def, std::mem::take(args), name.pos);
        });
    });
    match failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn text(s: String, pos: crate::error::Pos) -> Expr {
    Expr::Literal {
        value: Literal::Str(s),
        pos,
    }
}

/// The body of `def` for these arguments.
fn expand(def: &FunctionDef, args: Vec<Expr>, pos: crate::error::Pos) -> Expr {
    let checked: Vec<Expr> = def
        .params
        .iter()
        .zip(&args)
        .map(|((p, ty), a)| Expr::Function {
            name: Ident {
                name: "$UDF_ARG".into(),
                pos: a.pos(),
            },
            args: vec![
                a.clone(),
                text(ty.to_string(), pos),
                text(format!("{}'s parameter {}", def.name.name, p.name), pos),
            ],
            star: false,
            distinct: false,
            over: None,
            ignore_nulls: false,
        })
        .collect();
    let mut body = def.body.clone();
    body.walk_mut(&mut |e| {
        if let Expr::Column {
            qualifier: None,
            name,
        } = e
            && let Some(i) = def.params.iter().position(|(p, _)| p.name == name.name)
        {
            *e = checked[i].clone();
        }
    });
    let value = Expr::Cast {
        expr: Box::new(body),
        ty: def.returns.clone(),
        pos,
    };
    if !def.null_on_null || args.is_empty() {
        return value;
    }
    let any_null = args
        .into_iter()
        .map(|a| Expr::IsNull {
            expr: Box::new(a),
            negated: false,
        })
        .reduce(|a, b| Expr::Binary {
            op: crate::ast::BinOp::Or,
            left: Box::new(a),
            right: Box::new(b),
            pos,
        })
        .expect("at least one argument");
    Expr::Case {
        operand: None,
        whens: vec![(
            any_null,
            Expr::Cast {
                expr: Box::new(Expr::Literal {
                    value: Literal::Null,
                    pos,
                }),
                ty: def.returns.clone(),
                pos,
            },
        )],
        otherwise: Some(Box::new(value)),
        pos,
    }
}
