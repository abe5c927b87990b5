//! Parsing and checking the arguments of `#[query_budget(…)]`.
//!
//! Parsing happens in two steps: [`RawArgs`] reads the syntax (`key`, or `key = value`, separated
//! by commas) and [`Args::from_raw`] checks every argument, collecting all the errors it finds so
//! that one build shows them all.
//!
//! - [`values`]: reading one value (an integer, milliseconds, a boolean, a string, a pattern);
//! - [`suggest`]: "did you mean" for an unknown argument;
//! - [`check`]: [`Args::from_raw`], every argument checked, every error collected;
//! - [`tokens`]: the expressions the attribute generates from the checked arguments.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, Lit, LitStr, Token};

mod check;
mod suggest;
mod tokens;
mod values;

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

#[cfg(test)]
mod tests;
