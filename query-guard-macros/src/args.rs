//! Parsing and checking the arguments of `#[query_budget(…)]`.
//!
//! Parsing happens in two steps: [`RawArgs`] reads the syntax (`key`, or `key = value`, separated
//! by commas) and [`Args::from_raw`] checks every argument, collecting all the errors it finds so
//! that one build shows them all.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, Lit, LitStr, Token, UnOp};

/// Every argument `#[query_budget]` accepts, in the order the error messages list them.
pub(crate) const VALID: &[&str] = &[
    "max",
    "list",
    "detail",
    "max_reads",
    "max_writes",
    "include_transactions",
    "include_internal",
    "deny_n_plus_one",
    "n_plus_one_threshold",
    "slow_ms",
    "deny_slow",
    "allow_n_plus_one",
    "allow_over_budget",
    "reason",
    "preset",
    "backtrace",
    "dialect",
    "mode",
    "name",
];

/// Arguments that may be given more than once.
const REPEATABLE: &[&str] = &["allow_n_plus_one", "allow_over_budget"];

/// The limits that make a budget (one of them is required).
const LIMITS_HINT: &str = "`max = N`, `list`, `detail`, `preset = \"name\"`, `max_reads = N`, \
                           `max_writes = N`, `deny_n_plus_one` or `slow_ms = N`";

/// One argument as written: `key` or `key = value`.
pub(crate) struct RawArg {
    key: Ident,
    value: Option<(Token![=], Expr)>,
}

impl RawArg {
    /// The whole argument, for errors about the argument rather than its value.
    fn tokens(&self) -> TokenStream {
        let key = &self.key;
        match &self.value {
            Some((eq, value)) => quote!(#key #eq #value),
            None => key.to_token_stream(),
        }
    }
}

impl Parse for RawArg {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(Lit) {
            let lit: Lit = input.parse()?;
            return Err(syn::Error::new_spanned(
                lit,
                "expected an argument name: write `max = 10`, `list` or `detail`",
            ));
        }
        // `parse_any` accepts keywords too, so `type = 1` gets "unknown argument", not a
        // confusing syntax error.
        let key = Ident::parse_any(input)?;
        let value = if input.peek(Token![=]) {
            let eq: Token![=] = input.parse()?;
            let value: Expr = input.parse()?;
            Some((eq, value))
        } else if input.is_empty() || input.peek(Token![,]) {
            None
        } else {
            return Err(input.error(format!("expected `=` or `,` after `{}`", key.unraw())));
        };
        Ok(RawArg { key, value })
    }
}

/// The arguments as written.
pub(crate) struct RawArgs(Punctuated<RawArg, Token![,]>);

impl Parse for RawArgs {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        Punctuated::parse_terminated(input).map(RawArgs)
    }
}

/// The total limit: `max = N` or a preset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Limit {
    /// `max = N`
    Max(usize),
    /// `list` (at most 10), `detail` (at most 5), or `preset = "name"`: resolved when the scope
    /// opens, so `[presets]` in query-guard.toml can redefine them.
    Preset(String),
}

/// `mode = "…"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ModeArg {
    /// `"panic"`
    Panic,
    /// `"warn"`
    Warn,
    /// `"off"`
    Off,
}

/// `dialect = "…"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DialectArg {
    /// `"postgres"` (or `"postgresql"`)
    Postgres,
    /// `"mysql"` (or `"mariadb"`)
    MySql,
    /// `"sqlite"`
    Sqlite,
}

/// The checked arguments.
#[derive(Default)]
pub(crate) struct Args {
    pub(crate) limit: Option<Limit>,
    pub(crate) max_reads: Option<usize>,
    pub(crate) max_writes: Option<usize>,
    pub(crate) include_transactions: Option<bool>,
    pub(crate) include_internal: Option<bool>,
    pub(crate) deny_n_plus_one: Option<bool>,
    pub(crate) n_plus_one_threshold: Option<usize>,
    /// `slow_ms`, in nanoseconds.
    pub(crate) slow_nanos: Option<u64>,
    pub(crate) deny_slow: Option<bool>,
    /// `allow_n_plus_one` and `allow_over_budget` patterns, in order, with their kind.
    pub(crate) allow: Vec<(AllowArg, LitStr)>,
    pub(crate) reason: Option<LitStr>,
    pub(crate) backtrace: Option<bool>,
    pub(crate) dialect: Option<DialectArg>,
    pub(crate) mode: Option<ModeArg>,
    pub(crate) name: Option<LitStr>,
}

/// The kind of an allowance argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AllowArg {
    /// `allow_n_plus_one = "…"`
    NPlusOne,
    /// `allow_over_budget = "…"`
    OverBudget,
}

/// Collects errors so that every wrong argument is reported at once.
#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, err: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(err),
            None => self.0 = Some(err),
        }
    }

    fn spanned(&mut self, tokens: impl ToTokens, msg: impl std::fmt::Display) {
        self.push(syn::Error::new_spanned(tokens, msg));
    }
}

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

fn int_value(key: &str, expr: &Expr) -> Result<usize, syn::Error> {
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
fn millis_value(key: &str, expr: &Expr) -> Result<u64, syn::Error> {
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

fn bool_value(key: &str, expr: &Expr) -> Result<bool, syn::Error> {
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

fn str_value(key: &str, expr: &Expr, example: &str) -> Result<LitStr, syn::Error> {
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
fn invalid_regex(pattern: &str) -> Option<String> {
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

/// Levenshtein distance, for "did you mean".
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The valid argument closest to `key`, when it is close enough to be a typo.
fn suggestion(key: &str) -> Option<&'static str> {
    VALID
        .iter()
        .map(|v| (distance(key, v), *v))
        .filter(|(d, v)| *d <= (v.len() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, v)| v)
}

fn unknown_message(key: &str) -> String {
    let valid = VALID
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ");
    match suggestion(key) {
        Some(s) => {
            format!("unknown argument `{key}`: did you mean `{s}`? Valid arguments: {valid}")
        }
        None => format!("unknown argument `{key}`; valid arguments: {valid}"),
    }
}

impl Args {
    /// Checks the arguments. `whole` is the attribute's argument tokens, for the error about a
    /// missing limit.
    pub(crate) fn from_raw(raw: RawArgs, whole: &TokenStream) -> Result<Args, syn::Error> {
        let mut args = Args::default();
        let mut errors = Errors::default();
        let mut seen: Vec<String> = Vec::new();
        // Which of `max`, `list`, `detail` was given first.
        let mut limit_key: Option<String> = None;

        for arg in raw.0 {
            let key = arg.key.unraw().to_string();
            if !VALID.contains(&key.as_str()) {
                errors.spanned(&arg.key, unknown_message(&key));
                continue;
            }
            if seen.contains(&key) && !REPEATABLE.contains(&key.as_str()) {
                errors.spanned(arg.tokens(), format!("duplicate argument `{key}`"));
                continue;
            }
            seen.push(key.clone());

            let value = arg.value.as_ref().map(|(_, v)| v);
            match (key.as_str(), value) {
                ("max" | "list" | "detail" | "preset", _) => {
                    let limit = match (key.as_str(), value) {
                        ("max", Some(v)) => int_value(&key, v).map(Limit::Max),
                        ("max", None) => Err(syn::Error::new_spanned(
                            &arg.key,
                            "`max` needs a value: write `max = 10`",
                        )),
                        ("preset", None) => Err(syn::Error::new_spanned(
                            &arg.key,
                            "`preset` needs a value: write `preset = \"admin\"` (a name under \
                             [presets] in query-guard.toml)",
                        )),
                        ("preset", Some(v)) => match str_value(&key, v, "\"admin\"") {
                            Ok(s) if s.value().trim().is_empty() => {
                                Err(syn::Error::new_spanned(&s, "`preset` cannot be empty"))
                            }
                            Ok(s) => Ok(Limit::Preset(s.value().trim().to_owned())),
                            Err(e) => Err(e),
                        },
                        ("list", None) => Ok(Limit::Preset("list".to_owned())),
                        ("detail", None) => Ok(Limit::Preset("detail".to_owned())),
                        (preset, _) => Err(syn::Error::new_spanned(
                            arg.tokens(),
                            format!(
                                "`{preset}` is a preset and takes no value: write `{preset}`, \
                                 or `max = N` for another limit"
                            ),
                        )),
                    };
                    if let Some(first) = &limit_key {
                        errors.spanned(
                            arg.tokens(),
                            format!(
                                "`{key}` conflicts with `{first}`: give only one of `max`, `list`, \
                                 `detail` and `preset`"
                            ),
                        );
                        continue;
                    }
                    limit_key = Some(key.clone());
                    match limit {
                        Ok(limit) => args.limit = Some(limit),
                        Err(e) => errors.push(e),
                    }
                }
                ("max_reads" | "max_writes" | "n_plus_one_threshold", None) => errors.spanned(
                    &arg.key,
                    format!("`{key}` needs a value: write `{key} = 3`"),
                ),
                ("max_reads", Some(v)) => match int_value(&key, v) {
                    Ok(n) => args.max_reads = Some(n),
                    Err(e) => errors.push(e),
                },
                ("max_writes", Some(v)) => match int_value(&key, v) {
                    Ok(n) => args.max_writes = Some(n),
                    Err(e) => errors.push(e),
                },
                ("n_plus_one_threshold", Some(v)) => match int_value(&key, v) {
                    Ok(n) if n < 2 => errors.spanned(
                        v,
                        format!(
                            "`n_plus_one_threshold` must be at least 2, found {n}: an N+1 is one \
                             statement shape run at least twice"
                        ),
                    ),
                    Ok(n) => args.n_plus_one_threshold = Some(n),
                    Err(e) => errors.push(e),
                },
                ("include_transactions" | "include_internal", None) => errors.spanned(
                    &arg.key,
                    format!("`{key}` needs a value: write `{key} = true`"),
                ),
                ("include_transactions", Some(v)) => match bool_value(&key, v) {
                    Ok(b) => args.include_transactions = Some(b),
                    Err(e) => errors.push(e),
                },
                ("include_internal", Some(v)) => match bool_value(&key, v) {
                    Ok(b) => args.include_internal = Some(b),
                    Err(e) => errors.push(e),
                },
                ("deny_n_plus_one", None) => args.deny_n_plus_one = Some(true),
                ("deny_n_plus_one", Some(v)) => match bool_value(&key, v) {
                    Ok(b) => args.deny_n_plus_one = Some(b),
                    Err(e) => errors.push(e),
                },
                ("slow_ms", None) => {
                    errors.spanned(&arg.key, "`slow_ms` needs a value: write `slow_ms = 100`")
                }
                ("slow_ms", Some(v)) => match millis_value(&key, v) {
                    Ok(n) => args.slow_nanos = Some(n),
                    Err(e) => errors.push(e),
                },
                ("deny_slow", None) => args.deny_slow = Some(true),
                ("deny_slow", Some(v)) => match bool_value(&key, v) {
                    Ok(b) => args.deny_slow = Some(b),
                    Err(e) => errors.push(e),
                },
                ("backtrace", None) => args.backtrace = Some(true),
                ("backtrace", Some(v)) => match bool_value(&key, v) {
                    Ok(b) => args.backtrace = Some(b),
                    Err(e) => errors.push(e),
                },
                ("allow_n_plus_one" | "allow_over_budget" | "reason", None) => errors.spanned(
                    &arg.key,
                    format!("`{key}` needs a value: write `{key} = \"…\"`"),
                ),
                ("allow_n_plus_one" | "allow_over_budget", Some(v)) => {
                    match str_value(&key, v, "\"FROM tags WHERE post_id = $1\"") {
                        Ok(s) if s.value().trim().is_empty() => errors.spanned(
                            &s,
                            format!(
                                "`{key}` cannot be empty: give a fingerprint, /regex/ or SQL text"
                            ),
                        ),
                        Ok(s) if invalid_regex(&s.value()).is_some() => errors.spanned(
                            &s,
                            format!(
                                "`{key}`: invalid regular expression: {}",
                                invalid_regex(&s.value()).unwrap_or_default()
                            ),
                        ),
                        Ok(s) => {
                            let kind = if key == "allow_n_plus_one" {
                                AllowArg::NPlusOne
                            } else {
                                AllowArg::OverBudget
                            };
                            args.allow.push((kind, s));
                        }
                        Err(e) => errors.push(e),
                    }
                }
                ("reason", Some(v)) => match str_value(&key, v, "\"why this is acceptable\"") {
                    Ok(s) if s.value().trim().is_empty() => {
                        errors.spanned(&s, "`reason` cannot be empty: say why this is acceptable")
                    }
                    Ok(s) => args.reason = Some(s),
                    Err(e) => errors.push(e),
                },
                ("dialect", None) => errors.spanned(
                    &arg.key,
                    "`dialect` needs a value: write `dialect = \"postgres\"` (or \"mysql\", \"mariadb\", \
                     \"sqlite\")",
                ),
                ("dialect", Some(v)) => match str_value(&key, v, "\"postgres\"") {
                    Ok(s) => match s.value().trim().to_ascii_lowercase().as_str() {
                        "postgres" | "postgresql" => args.dialect = Some(DialectArg::Postgres),
                        "mysql" | "mariadb" => args.dialect = Some(DialectArg::MySql),
                        "sqlite" => args.dialect = Some(DialectArg::Sqlite),
                        other => errors.spanned(
                            &s,
                            format!(
                                "unknown dialect {other:?}: expected \"postgres\", \"mysql\", \
                                 \"mariadb\" or \"sqlite\""
                            ),
                        ),
                    },
                    Err(e) => errors.push(e),
                },
                ("mode", None) => errors.spanned(
                    &arg.key,
                    "`mode` needs a value: write `mode = \"panic\"`, `mode = \"warn\"` or \
                     `mode = \"off\"`",
                ),
                ("mode", Some(v)) => match str_value(&key, v, "\"warn\"") {
                    Ok(s) => match s.value().as_str() {
                        "panic" => args.mode = Some(ModeArg::Panic),
                        "warn" => args.mode = Some(ModeArg::Warn),
                        "off" => args.mode = Some(ModeArg::Off),
                        other => errors.spanned(
                            &s,
                            format!(
                                "unknown mode {other:?}: expected \"panic\", \"warn\" or \"off\""
                            ),
                        ),
                    },
                    Err(e) => errors.push(e),
                },
                ("name", None) => errors.spanned(
                    &arg.key,
                    "`name` needs a value: write `name = \"list_posts\"`",
                ),
                ("name", Some(v)) => match str_value(&key, v, "\"list_posts\"") {
                    Ok(s) if s.value().trim().is_empty() => {
                        errors.spanned(&s, "`name` cannot be empty")
                    }
                    Ok(s) => args.name = Some(s),
                    Err(e) => errors.push(e),
                },
                // Every key in `VALID` is handled above.
                (_, _) => errors.spanned(&arg.key, unknown_message(&key)),
            }
        }

        match (&args.reason, args.allow.first()) {
            (None, Some((_, first))) => errors.spanned(
                first,
                "an allowance needs a reason: add `reason = \"…\"` saying why it is acceptable",
            ),
            (Some(reason), None) => errors.spanned(
                reason,
                "`reason` explains an allowance: add `allow_n_plus_one = \"…\"` or \
                 `allow_over_budget = \"…\"`, or remove it",
            ),
            _ => {}
        }

        // Only complain about a missing limit when the arguments are otherwise right: a
        // misspelt `max` already has its own error.
        if errors.0.is_none() && !args.has_limit() {
            let msg = format!("#[query_budget] needs a limit: {LIMITS_HINT}");
            errors.push(if whole.is_empty() {
                syn::Error::new(Span::call_site(), msg)
            } else {
                syn::Error::new_spanned(whole, msg)
            });
        }

        match errors.0 {
            Some(err) => Err(err),
            None => Ok(args),
        }
    }

    fn has_limit(&self) -> bool {
        self.limit.is_some()
            || self.max_reads.is_some()
            || self.max_writes.is_some()
            || self.deny_n_plus_one == Some(true)
            || self.slow_nanos.is_some()
    }

    /// The `::query_guard::Budget` expression.
    pub(crate) fn budget(&self) -> TokenStream {
        let mut budget = match self.limit {
            Some(Limit::Max(n)) => quote!(::query_guard::Budget::new().max(#n)),
            // Presets are resolved when the scope opens (see `preset`).
            None | Some(Limit::Preset(_)) => quote!(::query_guard::Budget::new()),
        };
        if let Some(n) = self.max_reads {
            budget.extend(quote!(.max_reads(#n)));
        }
        if let Some(n) = self.max_writes {
            budget.extend(quote!(.max_writes(#n)));
        }
        if let Some(b) = self.include_transactions {
            budget.extend(quote!(.include_transactions(#b)));
        }
        if let Some(b) = self.include_internal {
            budget.extend(quote!(.include_internal(#b)));
        }
        if let Some(b) = self.deny_n_plus_one {
            budget.extend(quote!(.deny_n_plus_one(#b)));
        }
        if let Some(n) = self.n_plus_one_threshold {
            budget.extend(quote!(.n_plus_one_threshold(#n)));
        }
        if let Some(n) = self.slow_nanos {
            budget.extend(quote!(.slow(::core::time::Duration::from_nanos(#n))));
        }
        if let Some(b) = self.deny_slow {
            budget.extend(quote!(.deny_slow(#b)));
        }
        budget
    }

    /// The `Option<&'static str>` preset expression.
    pub(crate) fn preset(&self) -> TokenStream {
        match &self.limit {
            Some(Limit::Preset(name)) => quote!(::core::option::Option::Some(#name)),
            _ => quote!(::core::option::Option::None),
        }
    }

    /// The `&'static [(AllowKind, &'static str)]` allowances and the `Option<&'static str>`
    /// reason.
    pub(crate) fn allowances(&self) -> (TokenStream, TokenStream) {
        let items = self.allow.iter().map(|(kind, pattern)| {
            let kind = match kind {
                AllowArg::NPlusOne => quote!(::query_guard::allow::AllowKind::NPlusOne),
                AllowArg::OverBudget => quote!(::query_guard::allow::AllowKind::OverBudget),
            };
            quote!((#kind, #pattern))
        });
        let reason = match &self.reason {
            Some(r) => quote!(::core::option::Option::Some(#r)),
            None => quote!(::core::option::Option::None),
        };
        (quote!(&[#(#items),*]), reason)
    }

    /// The `Option<bool>` backtrace expression.
    pub(crate) fn backtrace(&self) -> TokenStream {
        match self.backtrace {
            Some(b) => quote!(::core::option::Option::Some(#b)),
            None => quote!(::core::option::Option::None),
        }
    }

    /// The `Option<::query_guard::fingerprint::Dialect>` expression.
    pub(crate) fn dialect(&self) -> TokenStream {
        let d = match self.dialect {
            None => return quote!(::core::option::Option::None),
            Some(DialectArg::Postgres) => quote!(Postgres),
            Some(DialectArg::MySql) => quote!(MySql),
            Some(DialectArg::Sqlite) => quote!(Sqlite),
        };
        quote!(::core::option::Option::Some(::query_guard::fingerprint::Dialect::#d))
    }

    /// The `Option<::query_guard::Mode>` expression.
    pub(crate) fn mode(&self) -> TokenStream {
        match self.mode {
            None => quote!(::core::option::Option::None),
            Some(ModeArg::Panic) => {
                quote!(::core::option::Option::Some(::query_guard::Mode::Panic))
            }
            Some(ModeArg::Warn) => quote!(::core::option::Option::Some(::query_guard::Mode::Warn)),
            Some(ModeArg::Off) => quote!(::core::option::Option::Some(::query_guard::Mode::Off)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(tokens: TokenStream) -> Result<Args, String> {
        let raw: RawArgs = syn::parse2(tokens.clone()).map_err(|e| e.to_string())?;
        Args::from_raw(raw, &tokens).map_err(|e| {
            e.into_iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        })
    }

    fn parse_err(tokens: TokenStream) -> String {
        match parse(tokens.clone()) {
            Ok(_) => panic!("`{tokens}` was accepted"),
            Err(e) => e,
        }
    }

    #[test]
    fn builds_the_budget_in_order() {
        let args = parse(quote!(
            max_writes = 1,
            list,
            include_transactions = true,
            deny_n_plus_one,
            n_plus_one_threshold = 4,
            include_internal = false,
            max_reads = 7
        ))
        .unwrap();
        assert_eq!(
            args.budget().to_string(),
            quote!(
                ::query_guard::Budget::new()
                    .max_reads(7usize)
                    .max_writes(1usize)
                    .include_transactions(true)
                    .include_internal(false)
                    .deny_n_plus_one(true)
                    .n_plus_one_threshold(4usize)
            )
            .to_string()
        );
        assert_eq!(
            args.mode().to_string(),
            quote!(::core::option::Option::None).to_string()
        );
    }

    #[test]
    fn presets_and_modes() {
        assert_eq!(
            parse(quote!(detail)).unwrap().limit,
            Some(Limit::Preset("detail".into()))
        );
        assert_eq!(
            parse(quote!(preset = "admin"))
                .unwrap()
                .preset()
                .to_string(),
            quote!(::core::option::Option::Some("admin")).to_string()
        );
        assert_eq!(
            parse(quote!(max = 0usize)).unwrap().limit,
            Some(Limit::Max(0))
        );
        let args = parse(quote!(mode = "off", max_reads = 1, name = "x")).unwrap();
        assert_eq!(args.mode, Some(ModeArg::Off));
        assert_eq!(args.name.unwrap().value(), "x");
        assert_eq!(
            parse(quote!(deny_n_plus_one = true))
                .unwrap()
                .deny_n_plus_one,
            Some(true)
        );
    }

    #[test]
    fn dialects() {
        for (name, want) in [
            ("postgres", DialectArg::Postgres),
            ("PostgreSQL", DialectArg::Postgres),
            ("mariadb", DialectArg::MySql),
            ("mysql", DialectArg::MySql),
            ("sqlite", DialectArg::Sqlite),
        ] {
            assert_eq!(
                parse(quote!(max = 1, dialect = #name)).unwrap().dialect,
                Some(want)
            );
        }
        assert_eq!(
            parse(quote!(max = 1, dialect = "sqlite"))
                .unwrap()
                .dialect()
                .to_string(),
            quote!(::core::option::Option::Some(
                ::query_guard::fingerprint::Dialect::Sqlite
            ))
            .to_string()
        );
        assert!(parse_err(quote!(max = 1, dialect = "oracle")).contains("unknown dialect"));
        assert!(parse_err(quote!(max = 1, dialect)).contains("`dialect` needs a value"));
    }

    #[test]
    fn reports_every_error() {
        let err = parse_err(quote!(maxx = 1, list, max = 2, mode = "loud", list));
        assert!(
            err.contains("unknown argument `maxx`: did you mean `max`?"),
            "{err}"
        );
        assert!(err.contains("`max` conflicts with `list`"), "{err}");
        assert!(err.contains("unknown mode \"loud\""), "{err}");
        assert!(err.contains("duplicate argument `list`"), "{err}");
        assert_eq!(err.lines().count(), 4, "{err}");
    }

    #[test]
    fn rejects_wrong_values() {
        for (tokens, expected) in [
            (
                quote!(max = "3"),
                "`max` takes an integer literal, found a string",
            ),
            (quote!(max = -3), "`max` cannot be negative"),
            (quote!(max = 3u8), "without a suffix"),
            (quote!(max = 99999999999999999999999), "too large"),
            (quote!(max), "`max` needs a value"),
            (quote!(list = 3), "`list` is a preset and takes no value"),
            (
                quote!(max = 1, include_internal = 1),
                "takes `true` or `false`, found an integer",
            ),
            (
                quote!(max = 1, include_internal),
                "`include_internal` needs a value",
            ),
            (quote!(deny_n_plus_one = "yes"), "found a string"),
            (
                quote!(deny_n_plus_one, n_plus_one_threshold = 1),
                "at least 2, found 1",
            ),
            (
                quote!(max = 1, mode = warn),
                "`mode` takes a string literal, found a path",
            ),
            (quote!(max = 1, name = ""), "`name` cannot be empty"),
            (quote!(mode = "warn"), "needs a limit"),
            (quote!(deny_n_plus_one = false), "needs a limit"),
            (quote!(), "needs a limit"),
            (quote!(10), "expected an argument name"),
            (quote!(max: 10), "expected `=` or `,` after `max`"),
            (
                quote!(r#type = 1),
                "unknown argument `type`; valid arguments: `max`, `list`",
            ),
        ] {
            let err = parse_err(tokens.clone());
            assert!(err.contains(expected), "{tokens}: {err}");
        }
    }

    #[test]
    fn allowances_need_a_reason_and_slow_takes_milliseconds() {
        let args = parse(quote!(
            max = 3,
            allow_n_plus_one = "FROM tags",
            allow_over_budget = "FROM audit",
            allow_n_plus_one = "FROM labels",
            reason = "cached",
            slow_ms = 2.5,
            deny_slow
        ))
        .unwrap();
        assert_eq!(args.allow.len(), 3);
        assert_eq!(args.slow_nanos, Some(2_500_000));
        let (allow, reason) = args.allowances();
        assert!(
            allow.to_string().contains("AllowKind :: OverBudget"),
            "{allow}"
        );
        assert!(reason.to_string().contains("\"cached\""), "{reason}");
        assert!(
            args.budget()
                .to_string()
                .contains("from_nanos (2500000u64)")
        );
        for (tokens, expected) in [
            (
                quote!(max = 1, allow_n_plus_one = "x"),
                "an allowance needs a reason",
            ),
            (
                quote!(max = 1, reason = "why"),
                "`reason` explains an allowance",
            ),
            (
                quote!(max = 1, allow_over_budget = "", reason = "r"),
                "`allow_over_budget` cannot be empty",
            ),
            (quote!(slow_ms = 0), "positive number of milliseconds"),
            (
                quote!(max = 1, allow_n_plus_one = "/(/", reason = "r"),
                "`allow_n_plus_one`: invalid regular expression",
            ),
            (quote!(slow_ms = "1"), "takes a number of milliseconds"),
            (quote!(max = 1, preset = "x"), "conflicts with `max`"),
            (quote!(preset = ""), "`preset` cannot be empty"),
        ] {
            let err = parse_err(tokens.clone());
            assert!(err.contains(expected), "{tokens}: {err}");
        }
        assert!(
            parse(quote!(slow_ms = 100)).is_ok(),
            "slow_ms alone is a budget"
        );
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(suggestion("max_read"), Some("max_reads"));
        assert_eq!(
            suggestion("include_transaction"),
            Some("include_transactions")
        );
        assert_eq!(suggestion("deny_n_plus_1"), Some("deny_n_plus_one"));
        assert_eq!(suggestion("budget"), None);
        assert_eq!(suggestion("x"), None);
    }
}
