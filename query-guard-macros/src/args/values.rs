//! Reading one argument's value: an integer, a number of milliseconds, a boolean, a string
//! literal, an allowance pattern; each error says what was found and what to write.

use syn::{Expr, Lit, LitStr, UnOp};

/// Removes the invisible groups `macro_rules!` puts around `$x:expr` fragments.
fn ungroup(expr: &Expr) -> &Expr {
    match expr {
        Expr::Group(g) => ungroup(&g.expr),
        other => other,
    }
}

/// What a literal is, for "found a string" in error messages.
fn describe(expr: &Expr) -> &'static str {
    match ungroup(expr) {
        Expr::Lit(lit) => match &lit.lit {
            Lit::Str(_) => "a string",
            Lit::ByteStr(_) | Lit::CStr(_) => "a byte string",
            Lit::Byte(_) => "a byte",
            Lit::Char(_) => "a character",
            Lit::Int(_) => "an integer",
            Lit::Float(_) => "a float",
            Lit::Bool(_) => "a boolean",
            _ => "a literal",
        },
        Expr::Path(_) => "a path",
        _ => "an expression",
    }
}

pub(super) fn int_value(key: &str, expr: &Expr) -> Result<usize, syn::Error> {
    match ungroup(expr) {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Int(int), ..
        }) => {
            if !matches!(int.suffix(), "" | "usize") {
                return Err(syn::Error::new_spanned(
                    int,
                    format!("`{key}` takes an integer without a suffix (or `usize`)"),
                ));
            }
            int.base10_parse::<usize>().map_err(|_| {
                syn::Error::new_spanned(int, format!("`{key}` is too large for a `usize`"))
            })
        }
        Expr::Unary(unary)
            if matches!(unary.op, UnOp::Neg(_))
                && matches!(
                    ungroup(&unary.expr),
                    Expr::Lit(syn::ExprLit {
                        lit: Lit::Int(_),
                        ..
                    })
                ) =>
        {
            Err(syn::Error::new_spanned(
                unary,
                format!("`{key}` cannot be negative"),
            ))
        }
        other @ Expr::Path(_) => Err(syn::Error::new_spanned(
            other,
            format!(
                "`{key}` takes an integer literal, found a path: write `{key} = 10` (the \
                 attribute cannot read the value of a constant)"
            ),
        )),
        other => Err(syn::Error::new_spanned(
            other,
            format!(
                "`{key}` takes an integer literal, found {}: write `{key} = 10`",
                describe(other)
            ),
        )),
    }
}

/// A positive number of milliseconds (integer or float literal), in nanoseconds.
pub(super) fn millis_value(key: &str, expr: &Expr) -> Result<u64, syn::Error> {
    let ms = match ungroup(expr) {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Int(int), ..
        }) => int.base10_parse::<f64>(),
        Expr::Lit(syn::ExprLit {
            lit: Lit::Float(float),
            ..
        }) => float.base10_parse::<f64>(),
        Expr::Unary(unary) if matches!(unary.op, UnOp::Neg(_)) => {
            return Err(syn::Error::new_spanned(
                unary,
                format!("`{key}` cannot be negative: write `{key} = 100`"),
            ));
        }
        other => {
            return Err(syn::Error::new_spanned(
                other,
                format!(
                    "`{key}` takes a number of milliseconds, found {}: write `{key} = 100`",
                    describe(other)
                ),
            ));
        }
    }
    .map_err(|e| syn::Error::new_spanned(expr, format!("`{key}`: {e}")))?;
    if !(ms > 0.0 && ms.is_finite() && ms < 1e12) {
        return Err(syn::Error::new_spanned(
            expr,
            format!("`{key}` must be a positive number of milliseconds, below 10^12"),
        ));
    }
    Ok((ms * 1e6).round() as u64)
}

pub(super) fn bool_value(key: &str, expr: &Expr) -> Result<bool, syn::Error> {
    match ungroup(expr) {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Bool(b), ..
        }) => Ok(b.value),
        other => Err(syn::Error::new_spanned(
            other,
            format!("`{key}` takes `true` or `false`, found {}", describe(other)),
        )),
    }
}

pub(super) fn str_value(key: &str, expr: &Expr, example: &str) -> Result<LitStr, syn::Error> {
    match ungroup(expr) {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(s), ..
        }) => Ok(s.clone()),
        other => Err(syn::Error::new_spanned(
            other,
            format!(
                "`{key}` takes a string literal, found {}: write `{key} = {example}`",
                describe(other)
            ),
        )),
    }
}

/// What is wrong with a `/regex/` pattern, if it is one and does not compile (the library reads
/// patterns the same way: 16 hex characters, `/regex/`, or SQL text).
pub(super) fn invalid_regex(pattern: &str) -> Option<String> {
    let p = pattern.trim();
    if p.len() >= 2 && p.starts_with('/') && p.ends_with('/') {
        regex::Regex::new(&p[1..p.len() - 1]).err().map(|e| {
            e.to_string()
                .lines()
                .last()
                .unwrap_or_default()
                .trim()
                .to_owned()
        })
    } else {
        None
    }
}
