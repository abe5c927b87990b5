//! [`Args::from_raw`]: every argument checked, every error collected so that one build shows
//! them all.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::ext::IdentExt;

use super::suggest::unknown_message;
use super::values::{bool_value, int_value, invalid_regex, millis_value, str_value};
use super::{AllowArg, Args, DialectArg, LIMITS_HINT, Limit, ModeArg, REPEATABLE, RawArgs, VALID};

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
}
