//! The expressions `#[query_budget]` generates from the checked arguments: the budget, the
//! preset, the allowances, the backtrace, dialect and mode options.

use proc_macro2::TokenStream;
use quote::quote;

use super::{AllowArg, Args, DialectArg, Limit, ModeArg};

impl Args {
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
