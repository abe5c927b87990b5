//! The arguments end to end: parsed, checked, and turned into the generated expressions.

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
